/*
 * svmdemo translation engine: ATS, the device's ATC, PRI page groups,
 * and the per-PASID notifiers the IOMMU calls back.
 *
 * Locking: everything here runs with the BQL held. The engine threads hold
 * it from an ATC lookup (or ATS request) until the DMA that uses the
 * translation is done, so an invalidation, which the IOMMU delivers on a
 * vCPU thread that also holds the BQL, can never slip in between. They
 * drop it only between 64 KiB windows and while they wait for a page
 * group response.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/timer.h"
#include "qom/object.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "svmdemo.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* PASID checks                                                       */
/* ------------------------------------------------------------------ */

bool svmdemo_pasid_usable(SvmdemoState *s, uint32_t pasid)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    return pasid != 0 && pasid < (1u << s->pasid_width) &&
           pcie_pasid_enabled(pdev) && pcie_ats_enabled(pdev);
}

/*
 * QEMU's VT-d registers device-IOTLB notifiers with &error_fatal and
 * refuses them without device-iotlb=on: check first, so that a guest
 * enabling ATS behind such an IOMMU gets translation faults instead of
 * terminating QEMU.
 */
static bool svmdemo_iommu_has_devtlb(void)
{
    Object *iommu = object_resolve_path_type("", "x86-iommu", NULL);

    if (!iommu) {
        return true;
    }
    return object_property_get_bool(iommu, "device-iotlb", NULL);
}

/* ------------------------------------------------------------------ */
/* ATC                                                                */
/* ------------------------------------------------------------------ */

static SvmdemoAtcEntry *svmdemo_atc_lookup(SvmdemoState *s, uint32_t pasid,
                                           uint64_t addr)
{
    uint32_t i;

    for (i = 0; i < s->atc_entries; i++) {
        SvmdemoAtcEntry *e = &s->atc[i];

        if (e->valid && e->pasid == pasid &&
            (addr & ~e->addr_mask) == e->iova) {
            e->last_use = ++s->atc_clock;
            return e;
        }
    }
    return NULL;
}

static void svmdemo_atc_insert(SvmdemoState *s, uint32_t pasid,
                               uint64_t iova, uint64_t addr_mask,
                               uint64_t translated_addr, int perm)
{
    SvmdemoAtcEntry *victim = NULL;
    uint32_t i;

    for (i = 0; i < s->atc_entries; i++) {
        SvmdemoAtcEntry *e = &s->atc[i];

        if (e->valid && e->pasid == pasid &&
            ranges_overlap(e->iova, e->addr_mask + 1, iova, addr_mask + 1)) {
            e->valid = false;   /* replaced by the fresher translation */
        }
        if (!e->valid) {
            if (!victim || victim->valid) {
                victim = e;
            }
        } else if (!victim || (victim->valid &&
                               e->last_use < victim->last_use)) {
            victim = e;
        }
    }

    *victim = (SvmdemoAtcEntry) {
        .valid = true,
        .pasid = pasid,
        .iova = iova,
        .addr_mask = addr_mask,
        .translated_addr = translated_addr,
        .perm = perm,
        .last_use = ++s->atc_clock,
    };
}

/* Drop the entries of @pasid overlapping [start, last]. */
static unsigned svmdemo_atc_drop(SvmdemoState *s, uint32_t pasid,
                                 uint64_t start, uint64_t last)
{
    unsigned dropped = 0;
    uint32_t i;

    for (i = 0; i < s->atc_entries; i++) {
        SvmdemoAtcEntry *e = &s->atc[i];

        if (e->valid && e->pasid == pasid &&
            e->iova <= last && e->iova + e->addr_mask >= start) {
            e->valid = false;
            dropped++;
        }
    }
    s->cnt[SVMDEMO_CNT_ATC_INVAL] += dropped;
    return dropped;
}

void svmdemo_atc_flush_all(SvmdemoState *s)
{
    unsigned dropped = 0;
    uint32_t i;

    for (i = 0; i < s->atc_entries; i++) {
        if (s->atc[i].valid) {
            s->atc[i].valid = false;
            dropped++;
        }
    }
    s->cnt[SVMDEMO_CNT_ATC_INVAL] += dropped;
    trace_svmdemo_atc_flush(dropped);
}

/* ------------------------------------------------------------------ */
/* Notifiers from the IOMMU (vCPU thread, BQL held)                   */
/* ------------------------------------------------------------------ */

static void svmdemo_iotlb_notify(IOMMUNotifier *n, IOMMUTLBEntry *entry)
{
    SvmdemoPasidCtx *ctx = container_of(n, SvmdemoPasidCtx, iotlb_n);
    SvmdemoState *s = ctx->s;
    uint64_t start = entry->iova;
    uint64_t last;
    unsigned dropped;

    if (entry->addr_mask > UINT64_MAX - start) {
        last = UINT64_MAX;
    } else {
        last = start + entry->addr_mask;
    }
    dropped = svmdemo_atc_drop(s, ctx->pasid, start, last);
    s->cnt[SVMDEMO_CNT_INVAL]++;
    trace_svmdemo_invalidate(ctx->pasid, start, last, dropped);
}

static void svmdemo_prg_free(SvmdemoState *s, SvmdemoPrg *prg)
{
    s->pri_outstanding -= prg->nreq;
    *prg = (SvmdemoPrg) { 0 };
}

static void svmdemo_pri_notify(IOMMUPRINotifier *n, IOMMUPRIResponse *resp)
{
    SvmdemoPasidCtx *ctx = container_of(n, SvmdemoPasidCtx, pri_n);
    SvmdemoState *s = ctx->s;
    uint16_t prgi = resp->prgi & PCI_PRI_PRGI_MASK;
    SvmdemoPrg *prg = &s->prg[prgi];
    bool known = prg->in_use && !prg->done && prg->pasid == ctx->pasid;

    trace_svmdemo_pri_response(ctx->pasid, prgi, resp->response_code, known);
    if (!known) {
        return;
    }
    if (prg->stale) {
        svmdemo_prg_free(s, prg);
    } else {
        s->pri_outstanding -= prg->nreq;
        prg->nreq = 0;
        prg->code = resp->response_code;
        prg->done = true;
    }
    qemu_cond_broadcast(&s->pri_cond);
}

/* ------------------------------------------------------------------ */
/* Per-PASID contexts                                                 */
/* ------------------------------------------------------------------ */

static SvmdemoPasidCtx *svmdemo_pasid_find(SvmdemoState *s, uint32_t pasid)
{
    SvmdemoPasidCtx *ctx;

    QLIST_FOREACH(ctx, &s->pasids, next) {
        if (ctx->pasid == pasid) {
            return ctx;
        }
    }
    return NULL;
}

/* The context of @pasid, registering its notifiers on first use. */
static SvmdemoPasidCtx *svmdemo_pasid_get(SvmdemoState *s, uint32_t pasid)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    SvmdemoPasidCtx *ctx = svmdemo_pasid_find(s, pasid);
    int ret;

    if (ctx) {
        return ctx;
    }
    if (!svmdemo_iommu_has_devtlb()) {
        trace_svmdemo_pasid_register(pasid, -ENOTSUP, false);
        return NULL;
    }

    ctx = g_new0(SvmdemoPasidCtx, 1);
    ctx->s = s;
    ctx->pasid = pasid;
    ctx->pri_n.notify = svmdemo_pri_notify;

    ret = pci_iommu_init_iotlb_notifier(pdev, &ctx->iotlb_n,
                                        svmdemo_iotlb_notify, ctx);
    if (!ret) {
        ret = pci_iommu_register_iotlb_notifier(pdev, pasid, &ctx->iotlb_n);
    }
    if (ret) {
        trace_svmdemo_pasid_register(pasid, ret, false);
        g_free(ctx);
        return NULL;
    }
    ctx->pri_registered = !pci_pri_register_notifier(pdev, pasid,
                                                     &ctx->pri_n);
    trace_svmdemo_pasid_register(pasid, 0, ctx->pri_registered);
    QLIST_INSERT_HEAD(&s->pasids, ctx, next);
    return ctx;
}

/*
 * Give up every page group of @pasid: stale ones are freed, those a
 * thread still waits for are completed as failures (the thread frees
 * them).
 */
static void svmdemo_prg_release_pasid(SvmdemoState *s, uint32_t pasid)
{
    unsigned i;

    for (i = 0; i < SVMDEMO_PRGI_NR; i++) {
        SvmdemoPrg *prg = &s->prg[i];

        if (!prg->in_use || prg->pasid != pasid || prg->done) {
            continue;
        }
        if (prg->stale) {
            svmdemo_prg_free(s, prg);
        } else {
            s->pri_outstanding -= prg->nreq;
            prg->nreq = 0;
            prg->code = IOMMU_PRI_RESP_FAILURE;
            prg->done = true;
        }
    }
    qemu_cond_broadcast(&s->pri_cond);
}

static void svmdemo_pasid_release(SvmdemoState *s, SvmdemoPasidCtx *ctx)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    int ret;

    QLIST_REMOVE(ctx, next);
    if (ctx->pri_registered) {
        pci_pri_unregister_notifier(pdev, ctx->pasid);
    }
    ret = pci_iommu_unregister_iotlb_notifier(pdev, ctx->pasid,
                                              &ctx->iotlb_n);
    svmdemo_prg_release_pasid(s, ctx->pasid);
    svmdemo_atc_drop(s, ctx->pasid, 0, UINT64_MAX);
    trace_svmdemo_pasid_unregister(ctx->pasid, ret);
    if (ret) {
        /*
         * The IOMMU may still hold the notifier: leak it rather than
         * leave it a dangling pointer. Not reached in practice, see
         * svmdemo_config_write().
         */
        return;
    }
    g_free(ctx);
}

void svmdemo_pasid_release_all(SvmdemoState *s)
{
    while (!QLIST_EMPTY(&s->pasids)) {
        svmdemo_pasid_release(s, QLIST_FIRST(&s->pasids));
    }
}

void svmdemo_pasid_flush(SvmdemoState *s, uint32_t pasid)
{
    SvmdemoPasidCtx *ctx = svmdemo_pasid_find(s, pasid);
    unsigned i;

    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];

        if (q->running && q->cur_has_pasid && q->cur_pasid == pasid) {
            q->pasid_abort = true;
        }
    }
    if (ctx) {
        svmdemo_pasid_release(s, ctx);
    } else {
        svmdemo_atc_drop(s, pasid, 0, UINT64_MAX);
    }
    qemu_cond_broadcast(&s->pri_cond);
    trace_svmdemo_pasid_flush(pasid);
}

bool svmdemo_pasid_busy(SvmdemoState *s, uint32_t pasid)
{
    unsigned i;

    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];

        if (q->running && q->cur_has_pasid && q->cur_pasid == pasid) {
            return true;
        }
    }
    return false;
}

/* ------------------------------------------------------------------ */
/* PRI: page groups                                                   */
/* ------------------------------------------------------------------ */

static int svmdemo_prg_alloc(SvmdemoState *s)
{
    unsigned i;

    for (i = 0; i < SVMDEMO_PRGI_NR; i++) {
        unsigned idx = (s->prg_next + i) % SVMDEMO_PRGI_NR;

        if (!s->prg[idx].in_use) {
            s->prg_next = (idx + 1) % SVMDEMO_PRGI_NR;
            s->prg[idx] = (SvmdemoPrg) { .in_use = true };
            return idx;
        }
    }
    return -1;
}

/*
 * Sleep (without the BQL) until @deadline_ms or a PRI event. Returns a
 * status if the job must stop, SVMDEMO_STS_TIMEOUT at the deadline, and
 * SVMDEMO_STS_SUCCESS otherwise.
 */
static uint32_t svmdemo_pri_sleep(SvmdemoQueue *q, int64_t deadline_ms)
{
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    uint32_t status;

    if (svmdemo_job_stopped(q, &status)) {
        return status;
    }
    if (now >= deadline_ms) {
        return SVMDEMO_STS_TIMEOUT;
    }
    qemu_cond_timedwait_bql(&q->s->pri_cond, deadline_ms - now);
    if (svmdemo_job_stopped(q, &status)) {
        return status;
    }
    return SVMDEMO_STS_SUCCESS;
}

/*
 * Send page groups for @pages (4 KiB aligned), each no larger than the
 * PRI allocation left, and wait for their responses one group at a time.
 */
static uint32_t svmdemo_pri_fault_in(SvmdemoQueue *q, SvmdemoJob *job,
                                     const uint64_t *pages, unsigned npages,
                                     bool is_write)
{
    SvmdemoState *s = q->s;
    PCIDevice *pdev = PCI_DEVICE(s);
    unsigned i = 0;

    while (i < npages) {
        int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                           s->pri_timeout_ms;
        uint32_t alloc, status, n, j;
        SvmdemoPrg *prg;
        int prgi = -1;

        /* Wait for room in the host's allocation and a free PRG index. */
        for (;;) {
            alloc = pcie_pri_get_req_alloc(pdev);
            if (!alloc) {
                return SVMDEMO_STS_PRI_REFUSED;
            }
            if (s->pri_outstanding < alloc) {
                prgi = svmdemo_prg_alloc(s);
                if (prgi >= 0) {
                    break;
                }
            }
            status = svmdemo_pri_sleep(q, deadline);
            if (status == SVMDEMO_STS_TIMEOUT) {
                s->cnt[SVMDEMO_CNT_PRI_TIMEOUT]++;
                s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
            }
            if (status != SVMDEMO_STS_SUCCESS) {
                return status;
            }
        }

        prg = &s->prg[prgi];
        prg->pasid = job->pasid;
        n = MIN(npages - i, alloc - s->pri_outstanding);
        for (j = 0; j < n; j++) {
            bool lpig = j == n - 1;
            int ret = pci_pri_request_page(pdev, job->pasid, false, false,
                                           pages[i + j], lpig, prgi,
                                           true, is_write);

            trace_svmdemo_pri_request(q->idx, job->pasid, pages[i + j],
                                      prgi, lpig, is_write, ret);
            if (ret < 0) {
                if (j == 0) {
                    /* Nothing sent (queue full or PRI off): give up. */
                    svmdemo_prg_free(s, prg);
                } else {
                    /* A group without LPIG is never answered. */
                    prg->stale = true;
                }
                s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
                return SVMDEMO_STS_PRI_REFUSED;
            }
            prg->nreq++;
            s->pri_outstanding++;
            s->cnt[SVMDEMO_CNT_PRI_REQ]++;
        }
        s->cnt[SVMDEMO_CNT_PRI_GROUP]++;

        /* Wait for the page group response. */
        deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) + s->pri_timeout_ms;
        while (!prg->done) {
            status = svmdemo_pri_sleep(q, deadline);
            if (status == SVMDEMO_STS_SUCCESS) {
                continue;
            }
            if (status == SVMDEMO_STS_TIMEOUT) {
                trace_svmdemo_pri_timeout(job->pasid, prgi);
                s->cnt[SVMDEMO_CNT_PRI_TIMEOUT]++;
                s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
            }
            prg->stale = true;  /* a late response frees it */
            return status;
        }
        status = prg->code == IOMMU_PRI_RESP_SUCCESS ?
                 SVMDEMO_STS_SUCCESS : SVMDEMO_STS_PRI_REFUSED;
        svmdemo_prg_free(s, prg);
        if (status != SVMDEMO_STS_SUCCESS) {
            s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
            return status;
        }
        i += n;
    }
    return SVMDEMO_STS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* ATS translation                                                    */
/* ------------------------------------------------------------------ */

/*
 * Translate the access [addr, addr + len) far enough to cover @addr:
 * on return @out holds an entry (iova = page base) granting the access.
 * With @use_atc the ATC serves hits and caches what ATS returns for the
 * whole range; without, one ATS request covers just the page of @addr and
 * nothing is kept.
 */
static uint32_t svmdemo_translate(SvmdemoQueue *q, SvmdemoJob *job,
                                  uint64_t addr, uint64_t len, bool is_write,
                                  bool use_atc, SvmdemoAtcEntry *out)
{
    SvmdemoState *s = q->s;
    PCIDevice *pdev = PCI_DEVICE(s);
    int need = is_write ? IOMMU_WO : IOMMU_RO;
    IOMMUTLBEntry res[SVMDEMO_WINDOW_PAGES + 1];
    uint64_t missing[SVMDEMO_WINDOW_PAGES + 1];    /* 4 KiB pages */
    unsigned round;

    if (use_atc) {
        SvmdemoAtcEntry *e = svmdemo_atc_lookup(s, job->pasid, addr);

        if (e && (e->perm & need) == need) {
            s->cnt[SVMDEMO_CNT_ATC_HIT]++;
            *out = *e;
            return SVMDEMO_STS_SUCCESS;
        }
        s->cnt[SVMDEMO_CNT_ATC_MISS]++;
    }

    for (round = 0;; round++) {
        uint64_t span = use_atc ? len :
                        MIN(len, SVMDEMO_PAGE_SIZE -
                                 (addr & (SVMDEMO_PAGE_SIZE - 1)));
        uint32_t err_count = 0, status, fail;
        unsigned nmissing = 0;
        bool first_ro = false, first_ok = false;
        ssize_t n, i;
        uint64_t a;

        if (svmdemo_job_stopped(q, &status)) {
            return status;
        }

        job->fault_addr = addr;
        job->fault_write = is_write;
        if (!svmdemo_pasid_get(s, job->pasid)) {
            return SVMDEMO_STS_PAGE_FAULT;
        }

        n = pci_ats_request_translation(pdev, job->pasid, false, false,
                                        addr, span, !is_write, res,
                                        ARRAY_SIZE(res), &err_count);
        s->cnt[SVMDEMO_CNT_ATS_REQ]++;
        trace_svmdemo_ats_request(q->idx, job->pasid, addr, span, is_write,
                                  n, err_count);
        if (n == -ENOMEM) {
            n = ARRAY_SIZE(res);        /* the range did not fit: use it */
        }
        if (n <= 0) {
            return SVMDEMO_STS_PAGE_FAULT;
        }

        /* Walk the entries the way the IOMMU stepped through the range. */
        a = addr;
        for (i = 0; i < n; i++) {
            uint64_t mask = res[i].addr_mask | (SVMDEMO_PAGE_SIZE - 1);
            uint64_t page = a & ~mask;
            int perm = res[i].perm & IOMMU_RW;

            trace_svmdemo_ats_result(job->pasid, page, mask,
                                     res[i].translated_addr, perm);
            if (perm && use_atc) {
                svmdemo_atc_insert(s, job->pasid, page, mask,
                                   res[i].translated_addr & ~mask, perm);
            }
            if ((perm & need) != need) {
                /*
                 * Ask for the 4 KiB pages of this entry that the access
                 * covers: a not-present entry may span a whole missing
                 * table (2 MiB, 1 GiB) reaching outside the buffer.
                 */
                uint64_t p = a & ~(uint64_t)(SVMDEMO_PAGE_SIZE - 1);

                while (p <= addr + (span - 1) && p - page <= mask &&
                       nmissing < ARRAY_SIZE(missing)) {
                    missing[nmissing++] = p;
                    p += SVMDEMO_PAGE_SIZE;
                }
                if (i == 0) {
                    first_ro = perm & IOMMU_RO;
                }
            } else if (i == 0) {
                *out = (SvmdemoAtcEntry) {
                    .valid = true,
                    .pasid = job->pasid,
                    .iova = page,
                    .addr_mask = mask,
                    .translated_addr = res[i].translated_addr & ~mask,
                    .perm = perm,
                };
                first_ok = true;
            }
            if (page + mask == UINT64_MAX) {
                break;
            }
            a = page + mask + 1;
        }
        if (first_ok) {
            return SVMDEMO_STS_SUCCESS;
        }

        /* The page of @addr lacks the permission: ask for the pages. */
        fail = is_write && first_ro ? SVMDEMO_STS_PERM :
                                      SVMDEMO_STS_PAGE_FAULT;
        if ((job->d.flags & SVMDEMO_DESC_F_NO_PRI) || !nmissing ||
            round >= SVMDEMO_PRI_ROUNDS || !pcie_pri_enabled(pdev) ||
            !svmdemo_pasid_get(s, job->pasid)->pri_registered) {
            return fail;
        }
        status = svmdemo_pri_fault_in(q, job, missing, nmissing, is_write);
        if (status == SVMDEMO_STS_PRI_REFUSED) {
            return fail;
        }
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
    }
}

/* ------------------------------------------------------------------ */
/* Data movement                                                      */
/* ------------------------------------------------------------------ */

/* No PASID: plain DMA on IOVAs of the default domain, page by page. */
static uint32_t svmdemo_dma_iova(SvmdemoQueue *q, SvmdemoJob *job,
                                 uint64_t addr, uint8_t *buf, uint64_t len,
                                 bool is_write)
{
    PCIDevice *pdev = PCI_DEVICE(q->s);
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE;

    while (len) {
        uint64_t chunk = MIN(len, SVMDEMO_PAGE_SIZE -
                                  (addr & (SVMDEMO_PAGE_SIZE - 1)));

        if (pci_dma_rw(pdev, addr, buf, chunk, dir,
                       MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
            job->fault_addr = addr;
            job->fault_write = is_write;
            return SVMDEMO_STS_PAGE_FAULT;
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    return SVMDEMO_STS_SUCCESS;
}

/*
 * Move @len bytes between @buf and the job's address space at @addr.
 * Returns SVMDEMO_STS_SUCCESS or the status the job completes with
 * (job->fault_addr and fault_write set for faults).
 */
uint32_t svmdemo_dma(SvmdemoQueue *q, SvmdemoJob *job, uint64_t addr,
                     void *buf, uint64_t len, bool is_write, bool use_atc)
{
    PCIDevice *pdev = PCI_DEVICE(q->s);
    MemTxAttrs attrs = {
        .address_type = PCI_AT_TRANSLATED,
        .requester_id = pci_requester_id(pdev),
    };
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE;
    uint8_t *p = buf;

    assert(bql_locked());
    if (!job->has_pasid) {
        return svmdemo_dma_iova(q, job, addr, p, len, is_write);
    }

    while (len) {
        SvmdemoAtcEntry e;
        uint64_t chunk, off;
        uint32_t status;

        status = svmdemo_translate(q, job, addr, len, is_write, use_atc, &e);
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
        off = addr - e.iova;
        chunk = MIN(len, e.addr_mask - off + 1);
        if (chunk == 0) {               /* a 2^64 mapping */
            chunk = len;
        }
        if (pci_dma_rw(pdev, e.translated_addr + off, p, chunk, dir,
                       attrs) != MEMTX_OK) {
            job->fault_addr = addr;
            job->fault_write = is_write;
            return SVMDEMO_STS_DMA_ERROR;
        }
        addr += chunk;
        p += chunk;
        len -= chunk;
    }
    return SVMDEMO_STS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */
/* ------------------------------------------------------------------ */

void svmdemo_xlate_init(SvmdemoState *s)
{
    s->atc = g_new0(SvmdemoAtcEntry, s->atc_entries);
    QLIST_INIT(&s->pasids);
    qemu_cond_init(&s->pri_cond);
}

/* Called once no job runs (queues reset). */
void svmdemo_xlate_reset(SvmdemoState *s)
{
    svmdemo_pasid_release_all(s);
    svmdemo_atc_flush_all(s);
    memset(s->prg, 0, sizeof(s->prg));
    s->prg_next = 0;
    s->pri_outstanding = 0;
}

void svmdemo_xlate_exit(SvmdemoState *s)
{
    svmdemo_xlate_reset(s);
    g_free(s->atc);
    s->atc = NULL;
    qemu_cond_destroy(&s->pri_cond);
}
