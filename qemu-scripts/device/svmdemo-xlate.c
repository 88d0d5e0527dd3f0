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
#include "qemu/host-utils.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
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

/*
 * The ATC: atc_entries entries, found through hash buckets keyed on the
 * PASID and the address shifted by the entry's size (each entry keeps the
 * page size the IOMMU returned: a lookup probes once per size present),
 * replaced by a clock (second chance) policy.
 */
static unsigned svmdemo_atc_bucket(uint32_t pasid, uint64_t addr,
                                   unsigned shift)
{
    uint64_t h = ((addr >> shift) ^ ((uint64_t)pasid << 40) ^ shift) *
                 0x9e3779b97f4a7c15ULL;

    return h >> (64 - SVMDEMO_ATC_HASH_BITS);
}

static void svmdemo_atc_unlink(SvmdemoState *s, SvmdemoAtcEntry *e)
{
    int32_t *link = &s->atc_hash[svmdemo_atc_bucket(e->pasid, e->iova,
                                                    e->shift)];
    int32_t idx = e - s->atc;

    while (*link != idx) {
        assert(*link >= 0);
        link = &s->atc[*link].hnext;
    }
    *link = e->hnext;
    e->valid = false;
    if (!--s->atc_shift_cnt[e->shift]) {
        s->atc_shifts &= ~BIT_ULL(e->shift);
    }
}

static SvmdemoAtcEntry *svmdemo_atc_find(SvmdemoState *s, uint32_t pasid,
                                         uint64_t addr, unsigned shift)
{
    uint64_t iova = addr & ~(BIT_ULL(shift) - 1);
    int32_t i = s->atc_hash[svmdemo_atc_bucket(pasid, iova, shift)];

    while (i >= 0) {
        SvmdemoAtcEntry *e = &s->atc[i];

        if (e->pasid == pasid && e->shift == shift && e->iova == iova) {
            return e;
        }
        i = e->hnext;
    }
    return NULL;
}

static SvmdemoAtcEntry *svmdemo_atc_lookup(SvmdemoState *s, uint32_t pasid,
                                           uint64_t addr)
{
    uint64_t shifts = s->atc_shifts;

    while (shifts) {
        unsigned shift = ctz64(shifts);
        SvmdemoAtcEntry *e = svmdemo_atc_find(s, pasid, addr, shift);

        if (e) {
            e->referenced = true;
            return e;
        }
        shifts &= shifts - 1;
    }
    return NULL;
}

static void svmdemo_atc_insert(SvmdemoState *s, uint32_t pasid,
                               uint64_t iova, uint64_t addr_mask,
                               uint64_t translated_addr,
                               AddressSpace *target_as, int perm)
{
    unsigned shift = addr_mask == UINT64_MAX ? 64 : ctz64(addr_mask + 1);
    SvmdemoAtcEntry *victim;
    uint64_t shifts = s->atc_shifts;
    unsigned b;

    if (shift > 63) {
        /* A 2^64 mapping (iova 0): cache its lower half. */
        shift = 63;
        addr_mask = BIT_ULL(63) - 1;
    }
    /* A fresher translation replaces the entries it overlaps. */
    if (shifts & (BIT_ULL(shift) - 1)) {
        uint32_t i;

        for (i = 0; i < s->atc_entries; i++) {
            SvmdemoAtcEntry *e = &s->atc[i];

            if (e->valid && e->pasid == pasid &&
                ranges_overlap(e->iova, e->addr_mask + 1, iova,
                               addr_mask + 1)) {
                svmdemo_atc_unlink(s, e);
            }
        }
    } else {
        while (shifts) {
            SvmdemoAtcEntry *e = svmdemo_atc_find(s, pasid, iova,
                                                  ctz64(shifts));

            if (e) {
                svmdemo_atc_unlink(s, e);
            }
            shifts &= shifts - 1;
        }
    }

    for (;;) {
        victim = &s->atc[s->atc_hand];
        s->atc_hand = (s->atc_hand + 1) % s->atc_entries;
        if (!victim->valid) {
            break;
        }
        if (!victim->referenced) {
            svmdemo_atc_unlink(s, victim);
            break;
        }
        victim->referenced = false;
    }

    b = svmdemo_atc_bucket(pasid, iova, shift);
    *victim = (SvmdemoAtcEntry) {
        .valid = true,
        .pasid = pasid,
        .iova = iova,
        .addr_mask = addr_mask,
        .translated_addr = translated_addr,
        .target_as = target_as,
        .perm = perm,
        .shift = shift,
        .hnext = s->atc_hash[b],
    };
    s->atc_hash[b] = victim - s->atc;
    s->atc_shift_cnt[shift]++;
    s->atc_shifts |= BIT_ULL(shift);
}

/*
 * Is the translation @e (a copy svmdemo_translate() returned) still
 * usable? Not once an invalidation may have dropped it: any wait since
 * the lookup (a page request, a dropped BQL) must be followed by this
 * check before the access, and by a new lookup if it fails.
 */
static bool svmdemo_xlate_current(SvmdemoState *s, const SvmdemoAtcEntry *e)
{
    return e->gen == s->inval_gen;
}

/* Drop the entries of @pasid overlapping [start, last]. */
static unsigned svmdemo_atc_drop(SvmdemoState *s, uint32_t pasid,
                                 uint64_t start, uint64_t last)
{
    unsigned dropped = 0;
    uint32_t i;

    s->inval_gen++;
    for (i = 0; i < s->atc_entries; i++) {
        SvmdemoAtcEntry *e = &s->atc[i];

        if (e->valid && e->pasid == pasid &&
            e->iova <= last && e->iova + e->addr_mask >= start) {
            svmdemo_atc_unlink(s, e);
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

    s->inval_gen++;
    for (i = 0; i < s->atc_entries; i++) {
        if (s->atc[i].valid) {
            svmdemo_atc_unlink(s, &s->atc[i]);
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

/*
 * The group @prg ended with @code: a stale one (nobody waits) is freed, the
 * one a thread waits for is completed (the thread frees it).
 */
static void svmdemo_prg_complete(SvmdemoState *s, SvmdemoPrg *prg, int code)
{
    if (prg->stale) {
        svmdemo_prg_free(s, prg);
        return;
    }
    s->pri_outstanding -= prg->nreq;
    prg->nreq = 0;
    prg->code = code;
    prg->done = true;
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
    svmdemo_prg_complete(s, prg, resp->response_code);
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

        if (prg->in_use && prg->pasid == pasid && !prg->done) {
            svmdemo_prg_complete(s, prg, IOMMU_PRI_RESP_FAILURE);
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
 * Send @n page requests for @pages as the group @prgi (LPIG on the last).
 * Returns 0, -ENOSPC if the IOMMU's page request queue had no room for
 * one of them, or another negative errno if the IOMMU refused one.
 */
static int svmdemo_prg_send(SvmdemoQueue *q, SvmdemoJob *job, int prgi,
                            const uint64_t *pages, uint32_t n, bool is_write)
{
    SvmdemoState *s = q->s;
    SvmdemoPrg *prg = &s->prg[prgi];
    uint32_t j;

    for (j = 0; j < n; j++) {
        bool lpig = j == n - 1;
        int ret = pci_pri_request_page(PCI_DEVICE(s), job->pasid, false,
                                       false, pages[j], lpig, prgi, true,
                                       is_write);

        trace_svmdemo_pri_request(q->idx, job->pasid, pages[j], prgi, lpig,
                                  is_write, ret);
        if (ret < 0) {
            return ret;
        }
        prg->nreq++;
        s->pri_outstanding++;
        s->cnt[SVMDEMO_CNT_PRI_REQ]++;
    }
    s->cnt[SVMDEMO_CNT_PRI_GROUP]++;
    return 0;
}

/*
 * The IOMMU's page request queue overflowed while the group @prgi was
 * sent (QEMU's VT-d sets PRO and refuses the request with -ENOSPC). No
 * response will come for that group: its last request was not queued,
 * and Linux discards the group's requests it did queue when it clears
 * PRO. So the group ends here, its allocation is free again, the device
 * sends smaller groups from now on, and it backs off (until a response
 * arrives, or SVMDEMO_PRI_BACKOFF_MS) before sending the pages again;
 * it gives up at @deadline_ms.
 */
static uint32_t svmdemo_pri_overflow(SvmdemoQueue *q, SvmdemoJob *job,
                                     int prgi, int64_t deadline_ms)
{
    SvmdemoState *s = q->s;
    int64_t now = qemu_clock_get_ms(QEMU_CLOCK_REALTIME);
    uint32_t status;

    trace_svmdemo_pri_overflow(q->idx, job->pasid, prgi, s->prg[prgi].nreq,
                               s->pri_group_max);
    svmdemo_prg_free(s, &s->prg[prgi]);
    s->cnt[SVMDEMO_CNT_PRI_OVERFLOW]++;
    s->pri_group_max = MAX(s->pri_group_max / 2, SVMDEMO_PRI_GROUP_MIN);
    if (now >= deadline_ms) {
        trace_svmdemo_pri_timeout(job->pasid, prgi);
        s->cnt[SVMDEMO_CNT_PRI_TIMEOUT]++;
        s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
        return SVMDEMO_STS_TIMEOUT;
    }
    status = svmdemo_pri_sleep(q, MIN(now + SVMDEMO_PRI_BACKOFF_MS,
                                      deadline_ms));
    return status == SVMDEMO_STS_TIMEOUT ? SVMDEMO_STS_SUCCESS : status;
}

/*
 * Send page groups for @pages (4 KiB aligned), each no larger than the
 * PRI allocation left and the group size limit, and wait for their
 * responses one group at a time. While the IOMMU's page request queue
 * overflows, the same pages are sent again in smaller groups, for at most
 * the PRI timeout.
 */
static uint32_t svmdemo_pri_fault_in(SvmdemoQueue *q, SvmdemoJob *job,
                                     const uint64_t *pages, unsigned npages,
                                     bool is_write)
{
    SvmdemoState *s = q->s;
    PCIDevice *pdev = PCI_DEVICE(s);
    int64_t overflow_deadline = 0;
    unsigned i = 0;

    while (i < npages) {
        int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                           s->pri_timeout_ms;
        uint32_t alloc, status, n;
        SvmdemoPrg *prg;
        int prgi = -1;
        int ret;

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
        n = MIN(n, s->pri_group_max);
        ret = svmdemo_prg_send(q, job, prgi, pages + i, n, is_write);
        if (ret == -ENOSPC) {
            if (!overflow_deadline) {
                overflow_deadline = deadline;
            }
            status = svmdemo_pri_overflow(q, job, prgi, overflow_deadline);
            if (status != SVMDEMO_STS_SUCCESS) {
                return status;
            }
            continue;
        }
        if (ret < 0) {
            if (!prg->nreq) {
                /* Nothing sent (PRI off, PRE clear): give up. */
                svmdemo_prg_free(s, prg);
            } else {
                /* A group without LPIG is never answered. */
                prg->stale = true;
            }
            s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
            return SVMDEMO_STS_PRI_REFUSED;
        }

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
            if (prg->done || !svmdemo_pasid_find(s, job->pasid)) {
                /*
                 * Answered meanwhile, or the PASID was released (its PRI
                 * notifier is gone, no response can come): free it now,
                 * or the index leaks and PRI stalls once all are gone.
                 */
                svmdemo_prg_free(s, prg);
            } else {
                prg->stale = true;  /* a late response frees it */
            }
            return status;
        }
        status = prg->code == IOMMU_PRI_RESP_SUCCESS ?
                 SVMDEMO_STS_SUCCESS : SVMDEMO_STS_PRI_REFUSED;
        svmdemo_prg_free(s, prg);
        if (status != SVMDEMO_STS_SUCCESS) {
            s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
            return status;
        }
        s->pri_group_max = MIN(s->pri_group_max + SVMDEMO_PRI_GROUP_STEP,
                               SVMDEMO_PRI_SPAN_PAGES);
        overflow_deadline = 0;
        i += n;
    }
    return SVMDEMO_STS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* ATS translation                                                    */
/* ------------------------------------------------------------------ */

/*
 * Walk the @n entries an ATS request for [@a, @a + @span) returned, the way
 * the IOMMU stepped through the range: cache those granting something
 * (@cache), append the 4 KiB pages lacking @need to @missing (at most
 * SVMDEMO_ATS_RES_MAX), and describe the first entry in @first.
 */
static void svmdemo_ats_walk(SvmdemoState *s, SvmdemoJob *job, uint64_t a,
                             uint64_t span, const IOMMUTLBEntry *res,
                             ssize_t n, int need, bool cache,
                             uint64_t *missing, unsigned *nmissing,
                             SvmdemoAtcEntry *first)
{
    uint64_t last = a + (span - 1);
    ssize_t i;

    for (i = 0; i < n; i++) {
        uint64_t mask = res[i].addr_mask | (SVMDEMO_PAGE_SIZE - 1);
        uint64_t page = a & ~mask;
        int perm = res[i].perm & IOMMU_RW;

        trace_svmdemo_ats_result(job->pasid, page, mask,
                                 res[i].translated_addr, perm);
        if (perm && cache) {
            svmdemo_atc_insert(s, job->pasid, page, mask,
                               res[i].translated_addr & ~mask,
                               res[i].target_as, perm);
        }
        if (i == 0) {
            *first = (SvmdemoAtcEntry) {
                .valid = true,
                .pasid = job->pasid,
                .iova = page,
                .addr_mask = mask,
                .translated_addr = res[i].translated_addr & ~mask,
                .target_as = res[i].target_as,
                .perm = perm,
            };
        }
        if ((perm & need) != need) {
            /*
             * Ask for the 4 KiB pages of this entry that the access
             * covers: a not-present entry may span a whole missing
             * table (2 MiB, 1 GiB) reaching outside the buffer.
             */
            uint64_t p = a & ~(uint64_t)(SVMDEMO_PAGE_SIZE - 1);

            while (p <= last && p - page <= mask &&
                   *nmissing < SVMDEMO_ATS_RES_MAX) {
                missing[(*nmissing)++] = p;
                p += SVMDEMO_PAGE_SIZE;
            }
        }
        if (page + mask == UINT64_MAX || page + mask >= last) {
            break;
        }
        a = page + mask + 1;
    }
}

/* One ATS request; the number of entries, or <= 0 if it failed. */
static ssize_t svmdemo_ats_request(SvmdemoQueue *q, SvmdemoJob *job,
                                   uint64_t addr, uint64_t span,
                                   bool is_write)
{
    SvmdemoState *s = q->s;
    uint32_t err_count = 0;
    ssize_t n;

    n = pci_ats_request_translation(PCI_DEVICE(s), job->pasid, false, false,
                                    addr, span, !is_write, q->ats_res,
                                    SVMDEMO_ATS_RES_MAX, &err_count);
    s->cnt[SVMDEMO_CNT_ATS_REQ]++;
    trace_svmdemo_ats_request(q->idx, job->pasid, addr, span, is_write, n,
                              err_count);
    if (n == -ENOMEM) {
        n = SVMDEMO_ATS_RES_MAX;        /* the range did not fit: use it */
    }
    return n;
}

/*
 * Translate the access [addr, addr + len) far enough to cover @addr:
 * on return @out holds an entry (iova = page base) granting the access.
 * With @use_atc the ATC serves hits and caches what ATS returns for the
 * whole range; without, one ATS request covers just the page of @addr and
 * nothing is kept. @ahead (>= @len) is how much of the job's buffer is
 * left from @addr: when pages must be requested, the page group covers
 * the missing pages up to SVMDEMO_PRI_SPAN_PAGES ahead, not just @len.
 */
static uint32_t svmdemo_translate(SvmdemoQueue *q, SvmdemoJob *job,
                                  uint64_t addr, uint64_t len, uint64_t ahead,
                                  bool is_write, bool use_atc,
                                  SvmdemoAtcEntry *out)
{
    SvmdemoState *s = q->s;
    PCIDevice *pdev = PCI_DEVICE(s);
    int need = is_write ? IOMMU_WO : IOMMU_RO;
    uint64_t *missing = q->missing;     /* 4 KiB pages */
    unsigned round;

    if (use_atc) {
        SvmdemoAtcEntry *e = svmdemo_atc_lookup(s, job->pasid, addr);

        if (e && (e->perm & need) == need) {
            s->cnt[SVMDEMO_CNT_ATC_HIT]++;
            *out = *e;
            out->gen = s->inval_gen;
            return SVMDEMO_STS_SUCCESS;
        }
        s->cnt[SVMDEMO_CNT_ATC_MISS]++;
    }

    for (round = 0;; round++) {
        uint64_t span = use_atc ? len :
                        MIN(len, SVMDEMO_PAGE_SIZE -
                                 (addr & (SVMDEMO_PAGE_SIZE - 1)));
        uint64_t far = MIN(ahead, (uint64_t)SVMDEMO_PRI_SPAN_PAGES *
                                  SVMDEMO_PAGE_SIZE -
                                  (addr & (SVMDEMO_PAGE_SIZE - 1)));
        uint32_t status, fail;
        unsigned nmissing = 0;
        bool first_ro;
        ssize_t n;

        if (svmdemo_job_stopped(q, &status)) {
            return status;
        }

        job->fault_addr = addr;
        job->fault_write = is_write;
        if (!svmdemo_pasid_get(s, job->pasid)) {
            return SVMDEMO_STS_PAGE_FAULT;
        }

        n = svmdemo_ats_request(q, job, addr, span, is_write);
        if (n <= 0) {
            return SVMDEMO_STS_PAGE_FAULT;
        }
        svmdemo_ats_walk(s, job, addr, span, q->ats_res, n, need, use_atc,
                         missing, &nmissing, out);
        out->gen = s->inval_gen;
        if ((out->perm & need) == need) {
            return SVMDEMO_STS_SUCCESS;
        }

        /* The page of @addr lacks the permission: ask for the pages. */
        first_ro = out->perm & IOMMU_RO;
        fail = is_write && first_ro ? SVMDEMO_STS_PERM :
                                      SVMDEMO_STS_PAGE_FAULT;
        if ((job->d.flags & SVMDEMO_DESC_F_NO_PRI) || !nmissing ||
            round >= SVMDEMO_PRI_ROUNDS || !pcie_pri_enabled(pdev) ||
            !svmdemo_pasid_get(s, job->pasid)->pri_registered) {
            return fail;
        }
        /*
         * Look further ahead in the buffer (without caching: the ATC is
         * for what runs now), so that one page group faults in the
         * whole stretch of missing pages instead of one per window.
         */
        if (use_atc && far > span && nmissing < SVMDEMO_ATS_RES_MAX) {
            SvmdemoAtcEntry unused;

            n = svmdemo_ats_request(q, job, addr + span, far - span,
                                    is_write);
            if (n > 0) {
                svmdemo_ats_walk(s, job, addr + span, far - span, q->ats_res,
                                 n, need, false, missing, &nmissing, &unused);
            }
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
 * Move @len bytes between @buf and the job's address space at @addr;
 * @ahead (>= @len) is how much of the job's buffer is left from @addr.
 * Returns SVMDEMO_STS_SUCCESS or the status the job completes with
 * (job->fault_addr and fault_write set for faults).
 *
 * Data moves to translated addresses. The first access of a call is a
 * translated request through the function's bus master address space, so
 * the IOMMU decides whether it accepts translated requests from the
 * function at all (its verdict does not depend on the address). The rest
 * goes straight to the address space the translation points into, one
 * access per ATC entry (a 2 MiB entry is one memcpy) instead of one IOMMU
 * lookup per 4 KiB page. Nothing can change the IOMMU's verdict in
 * between: the BQL is held for the whole call.
 */
uint32_t svmdemo_dma(SvmdemoQueue *q, SvmdemoJob *job, uint64_t addr,
                     void *buf, uint64_t len, uint64_t ahead, bool is_write,
                     bool use_atc)
{
    PCIDevice *pdev = PCI_DEVICE(q->s);
    MemTxAttrs attrs = {
        .address_type = PCI_AT_TRANSLATED,
        .requester_id = pci_requester_id(pdev),
    };
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE;
    bool checked = false;
    uint8_t *p = buf;

    assert(bql_locked());
    if (!job->has_pasid) {
        return svmdemo_dma_iova(q, job, addr, p, len, is_write);
    }

    while (len) {
        SvmdemoAtcEntry e;
        uint64_t chunk, off, ta;
        uint32_t status;
        MemTxResult res;

        status = svmdemo_translate(q, job, addr, len, MAX(len, ahead),
                                   is_write, use_atc, &e);
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
        /* Nothing waits between the lookup and the access below. */
        assert(svmdemo_xlate_current(q->s, &e));
        off = addr - e.iova;
        chunk = MIN(len, e.addr_mask - off + 1);
        if (chunk == 0) {               /* a 2^64 mapping */
            chunk = len;
        }
        ta = e.translated_addr + off;
        if (!checked || !e.target_as) {
            uint64_t first = MIN(chunk, SVMDEMO_PAGE_SIZE -
                                        (ta & (SVMDEMO_PAGE_SIZE - 1)));

            res = pci_dma_rw(pdev, ta, p, first, dir, attrs);
            if (res == MEMTX_OK && chunk > first) {
                res = e.target_as ?
                      address_space_rw(e.target_as, ta + first,
                                       MEMTXATTRS_UNSPECIFIED, p + first,
                                       chunk - first, is_write) :
                      pci_dma_rw(pdev, ta + first, p + first, chunk - first,
                                 dir, attrs);
            }
            checked = true;
        } else {
            res = address_space_rw(e.target_as, ta, MEMTXATTRS_UNSPECIFIED,
                                   p, chunk, is_write);
        }
        if (res != MEMTX_OK) {
            job->fault_addr = addr;
            job->fault_write = is_write;
            return SVMDEMO_STS_DMA_ERROR;
        }
        addr += chunk;
        p += chunk;
        len -= chunk;
        ahead -= MIN(ahead, chunk);
    }
    return SVMDEMO_STS_SUCCESS;
}

/*
 * Map [@ta, @ta + *@len) of @as for direct access if it is RAM (shortening
 * *@len to what is contiguous); NULL if it is not directly accessible.
 */
static void *svmdemo_map_direct(AddressSpace *as, hwaddr ta, hwaddr *len,
                                bool is_write)
{
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    MemoryRegion *mr;
    hwaddr xlat, l = *len;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(as, ta, &xlat, &l, is_write, attrs);
    if (!memory_access_is_direct(mr, is_write, attrs)) {
        return NULL;
    }
    *len = l;
    return address_space_map(as, ta, len, is_write, attrs);
}

/*
 * COPY [@src, @src + @len) to @dst in the job's address space without a
 * bounce buffer: both sides are translated (ATC), mapped range by range
 * (a 2 MiB entry on each side is one memcpy) and copied directly. The
 * first range goes through svmdemo_dma() and the bounce buffer @buf, so
 * that the IOMMU sees a translated request from the function (see
 * svmdemo_dma()); so does anything that is not plain RAM.
 */
uint32_t svmdemo_dma_copy(SvmdemoQueue *q, SvmdemoJob *job, uint64_t src,
                          uint64_t dst, void *buf, uint64_t len,
                          uint64_t ahead, bool use_atc)
{
    unsigned stale = 0;
    bool checked = false;

    assert(bql_locked());
    while (len) {
        SvmdemoAtcEntry es, ed;
        uint64_t chunk, ts, td;
        hwaddr ls, ld;
        uint32_t status;
        void *ps, *pd;

        if (!job->has_pasid || !use_atc || !checked) {
            chunk = job->has_pasid && use_atc ?
                    MIN(len, SVMDEMO_PAGE_SIZE -
                             (MAX(src, dst) & (SVMDEMO_PAGE_SIZE - 1))) :
                    len;
            status = svmdemo_dma(q, job, src, buf, chunk, ahead, false,
                                 use_atc);
            if (status == SVMDEMO_STS_SUCCESS) {
                status = svmdemo_dma(q, job, dst, buf, chunk, ahead, true,
                                     use_atc);
            }
            if (status != SVMDEMO_STS_SUCCESS) {
                return status;
            }
            checked = true;
            goto next;
        }

        status = svmdemo_translate(q, job, src, len, ahead, false, true,
                                   &es);
        if (status == SVMDEMO_STS_SUCCESS) {
            status = svmdemo_translate(q, job, dst, len, ahead, true, true,
                                       &ed);
        }
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
        /*
         * Translating the destination may have waited for page requests
         * without the BQL: the source's translation may be gone since.
         * Look it up again (a bounded number of times: each round that
         * comes here again waited for a page group).
         */
        if (!svmdemo_xlate_current(q->s, &es)) {
            if (++stale > SVMDEMO_PRI_ROUNDS) {
                job->fault_addr = src;
                job->fault_write = false;
                return SVMDEMO_STS_PAGE_FAULT;
            }
            trace_svmdemo_xlate_stale(q->idx, job->pasid, src);
            continue;
        }
        chunk = len;
        if (es.addr_mask - (src - es.iova) + 1) {
            chunk = MIN(chunk, es.addr_mask - (src - es.iova) + 1);
        }
        if (ed.addr_mask - (dst - ed.iova) + 1) {
            chunk = MIN(chunk, ed.addr_mask - (dst - ed.iova) + 1);
        }
        ts = es.translated_addr + (src - es.iova);
        td = ed.translated_addr + (dst - ed.iova);
        ls = ld = chunk;
        ps = es.target_as ? svmdemo_map_direct(es.target_as, ts, &ls,
                                               false) : NULL;
        pd = ps && ed.target_as ? svmdemo_map_direct(ed.target_as, td, &ld,
                                                     true) : NULL;
        if (pd) {
            chunk = MIN(ls, ld);
            memmove(pd, ps, chunk);
            address_space_unmap(ed.target_as, pd, ld, true, chunk);
            address_space_unmap(es.target_as, ps, ls, false, chunk);
        } else {
            if (ps) {
                address_space_unmap(es.target_as, ps, ls, false, 0);
            }
            /* Not RAM: the bounce buffer path reports the errors. */
            checked = false;
            continue;
        }
next:
        src += chunk;
        dst += chunk;
        len -= chunk;
        ahead -= MIN(ahead, chunk);
    }
    return SVMDEMO_STS_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */
/* ------------------------------------------------------------------ */

void svmdemo_xlate_init(SvmdemoState *s)
{
    s->atc = g_new0(SvmdemoAtcEntry, s->atc_entries);
    s->atc_hash = g_new(int32_t, 1 << SVMDEMO_ATC_HASH_BITS);
    memset(s->atc_hash, 0xff, sizeof(int32_t) << SVMDEMO_ATC_HASH_BITS);
    QLIST_INIT(&s->pasids);
    qemu_cond_init(&s->pri_cond);
    s->pri_group_max = SVMDEMO_PRI_SPAN_PAGES;
}

/* Called once no job runs (queues reset). */
void svmdemo_xlate_reset(SvmdemoState *s)
{
    svmdemo_pasid_release_all(s);
    svmdemo_atc_flush_all(s);
    memset(s->prg, 0, sizeof(s->prg));
    s->prg_next = 0;
    s->pri_outstanding = 0;
    s->pri_group_max = SVMDEMO_PRI_SPAN_PAGES;
}

void svmdemo_xlate_exit(SvmdemoState *s)
{
    svmdemo_xlate_reset(s);
    g_free(s->atc);
    s->atc = NULL;
    g_free(s->atc_hash);
    s->atc_hash = NULL;
    qemu_cond_destroy(&s->pri_cond);
}
