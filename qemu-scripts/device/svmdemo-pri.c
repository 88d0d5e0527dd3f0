/*
 * svmdemo: PRI page groups. A translation miss becomes page requests (one
 * group per PRI allocation, LPIG on the last request), the engine thread
 * sleeps until the IOMMU's page group response arrives through the
 * PASID's PRI notifier, a timeout, or the job is stopped. A full page
 * request queue ends the group and sends it again, smaller.
 *
 * Locking (svmdemo.h): the device's lock; page requests are sent in a BQL
 * section, and the engine sleeps on pri_cond with the lock.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/lockable.h"
#include "qemu/timer.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/misc/svmdemo.h"
#include "trace.h"

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

void svmdemo_pri_notify(IOMMUPRINotifier *n, IOMMUPRIResponse *resp)
{
    SvmdemoPasidCtx *ctx = container_of(n, SvmdemoPasidCtx, pri_n);
    SvmdemoState *s = ctx->s;
    uint16_t prgi = resp->prgi & PCI_PRI_PRGI_MASK;
    SvmdemoPrg *prg = &s->prg[prgi];
    bool known;

    QEMU_LOCK_GUARD(&s->lock);
    known = prg->in_use && !prg->done && prg->pasid == ctx->pasid;

    trace_svmdemo_pri_response(ctx->pasid, prgi, resp->response_code, known);
    if (!known) {
        return;
    }
    svmdemo_hist_add(s, SVMDEMO_HIST_PRI, prg->sent_ns);
    svmdemo_prg_complete(s, prg, resp->response_code);
    qemu_cond_broadcast(&s->pri_cond);
}

/*
 * Give up every page group of @pasid: stale ones are freed, those a
 * thread still waits for are completed as failures (the thread frees
 * them).
 */
void svmdemo_prg_release_pasid(SvmdemoState *s, uint32_t pasid)
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
 * Sleep until @deadline_ms or a PRI event. Returns a status if the job
 * must stop, SVMDEMO_STS_TIMEOUT at the deadline, and SVMDEMO_STS_SUCCESS
 * otherwise.
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
    qemu_cond_timedwait(&q->s->pri_cond, &q->s->lock, deadline_ms - now);
    if (svmdemo_job_stopped(q, &status)) {
        return status;
    }
    return SVMDEMO_STS_SUCCESS;
}

/*
 * Send @n page requests for @pages as the group @prgi (LPIG on the last),
 * in a BQL section. Returns 0, -ENOSPC if the IOMMU's page request queue
 * had no room for one of them, -ECANCELED if the job was stopped before
 * any was sent, or another negative errno if the IOMMU refused one. Each
 * request is counted in the group as it is queued: a response can only
 * come once the section has ended.
 */
static int svmdemo_prg_send(SvmdemoQueue *q, SvmdemoJob *job, int prgi,
                            const uint64_t *pages, uint32_t n, bool is_write)
{
    SvmdemoState *s = q->s;
    SvmdemoPrg *prg = &s->prg[prgi];
    uint32_t j;
    int ret = 0;

    prg->sent_ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    if (!svmdemo_bql_begin_job(q)) {
        return -ECANCELED;
    }
    for (j = 0; j < n && ret >= 0; j++) {
        bool lpig = j == n - 1;

        ret = pci_pri_request_page(PCI_DEVICE(s), job->pasid, false, false,
                                   pages[j], lpig, prgi, true, is_write);
        trace_svmdemo_pri_request(q->idx, job->pasid, pages[j], prgi, lpig,
                                  is_write, ret);
        if (ret >= 0) {
            QEMU_LOCK_GUARD(&s->lock);
            prg->nreq++;
            s->pri_outstanding++;
            s->cnt[SVMDEMO_CNT_PRI_REQ]++;
        }
    }
    svmdemo_bql_end(s);
    if (ret < 0) {
        return ret;
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
/*
 * Wait for room in the host's PRI allocation and a free PRG index, until
 * @deadline_ms: SUCCESS with the index in *@prgi and the allocation in
 * *@alloc, or the status the job stops with.
 */
static uint32_t svmdemo_prg_get(SvmdemoQueue *q, int64_t deadline_ms,
                                int *prgi, uint32_t *alloc)
{
    SvmdemoState *s = q->s;
    uint32_t status;

    for (;;) {
        *alloc = pcie_pri_get_req_alloc(PCI_DEVICE(s));
        if (!*alloc) {
            return SVMDEMO_STS_PRI_REFUSED;
        }
        if (s->pri_outstanding < *alloc) {
            *prgi = svmdemo_prg_alloc(s);
            if (*prgi >= 0) {
                return SVMDEMO_STS_SUCCESS;
            }
        }
        status = svmdemo_pri_sleep(q, deadline_ms);
        if (status == SVMDEMO_STS_TIMEOUT) {
            s->cnt[SVMDEMO_CNT_PRI_TIMEOUT]++;
            s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
        }
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
    }
}

/*
 * Wait for the response to the group @prgi, sent: SUCCESS if the pages
 * are there, PRI_REFUSED if the OS answered otherwise, or the status the
 * job stops with (the group is then left to a late response).
 */
static uint32_t svmdemo_prg_wait(SvmdemoQueue *q, SvmdemoJob *job, int prgi)
{
    SvmdemoState *s = q->s;
    SvmdemoPrg *prg = &s->prg[prgi];
    int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                       s->pri_timeout_ms;
    uint32_t status;

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
             * notifier is gone, no response can come): free it now, or
             * the index leaks and PRI stalls once all are gone.
             */
            svmdemo_prg_free(s, prg);
        } else {
            prg->stale = true;      /* a late response frees it */
        }
        return status;
    }
    status = prg->code == IOMMU_PRI_RESP_SUCCESS ?
             SVMDEMO_STS_SUCCESS : SVMDEMO_STS_PRI_REFUSED;
    svmdemo_prg_free(s, prg);
    if (status != SVMDEMO_STS_SUCCESS) {
        s->cnt[SVMDEMO_CNT_PRI_FAIL]++;
    }
    return status;
}

/* The IOMMU refused a page request of the group @prgi (not overflow). */
static uint32_t svmdemo_prg_refused(SvmdemoState *s, int prgi)
{
    SvmdemoPrg *prg = &s->prg[prgi];

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

uint32_t svmdemo_pri_fault_in(SvmdemoQueue *q, SvmdemoJob *job,
                              const uint64_t *pages, unsigned npages,
                              bool is_write)
{
    SvmdemoState *s = q->s;
    int64_t overflow_deadline = 0;
    unsigned i = 0;

    while (i < npages) {
        int64_t deadline = qemu_clock_get_ms(QEMU_CLOCK_REALTIME) +
                           s->pri_timeout_ms;
        uint32_t alloc, status, n;
        int prgi, ret;

        status = svmdemo_prg_get(q, deadline, &prgi, &alloc);
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
        s->prg[prgi].pasid = job->pasid;
        n = MIN(npages - i, alloc - s->pri_outstanding);
        n = MIN(n, s->pri_group_max);
        ret = svmdemo_prg_send(q, job, prgi, pages + i, n, is_write);
        if (ret == -ECANCELED) {
            svmdemo_prg_free(s, &s->prg[prgi]);
            svmdemo_job_stopped(q, &status);
            return status;
        }
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
            return svmdemo_prg_refused(s, prgi);
        }
        status = svmdemo_prg_wait(q, job, prgi);
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
        s->pri_group_max = MIN(s->pri_group_max + SVMDEMO_PRI_GROUP_STEP,
                               SVMDEMO_PRI_SPAN_PAGES);
        overflow_deadline = 0;
        i += n;
    }
    return SVMDEMO_STS_SUCCESS;
}
