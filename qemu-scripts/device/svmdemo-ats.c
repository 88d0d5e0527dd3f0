/*
 * svmdemo: ATS. Translating an access: the ATC first, then translation
 * requests to the IOMMU (the results are cached), and for what is not
 * present, page requests (svmdemo-pri.c) and another round.
 *
 * Locking (svmdemo.h): the device's lock; ATS requests are made in BQL
 * sections, and results obtained while the ATC's generation moved (an
 * invalidation ran meanwhile) are not used.
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
            svmdemo_atc_insert(&s->atc, job->pasid, page, mask,
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

/*
 * One ATS request, in a BQL section; the number of entries, or <= 0 if it
 * failed. *@stale: an invalidation ran while it was made (the entries
 * may already be out of date).
 */
static ssize_t svmdemo_ats_request(SvmdemoQueue *q, SvmdemoJob *job,
                                   uint64_t addr, uint64_t span,
                                   bool is_write, bool *stale)
{
    SvmdemoState *s = q->s;
    int64_t start = qemu_clock_get_ns(QEMU_CLOCK_REALTIME);
    uint32_t err_count = 0;
    uint64_t gen;
    ssize_t n;

    *stale = false;
    if (!svmdemo_bql_begin_job(q)) {
        return 0;                       /* the caller sees the job stop */
    }
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        gen = s->atc.gen;
    }
    n = pci_ats_request_translation(PCI_DEVICE(s), job->pasid, false, false,
                                    addr, span, !is_write, q->ats_res,
                                    SVMDEMO_ATS_RES_MAX, &err_count);
    svmdemo_bql_end(s);
    *stale = s->atc.gen != gen;
    s->cnt[SVMDEMO_CNT_ATS_REQ]++;
    svmdemo_hist_add(s, SVMDEMO_HIST_ATS, start);
    trace_svmdemo_ats_request(q->idx, job->pasid, addr, span, is_write, n,
                              err_count);
    if (n == -ENOMEM) {
        n = SVMDEMO_ATS_RES_MAX;        /* the range did not fit: use it */
    }
    return n;
}

/*
 * Look further ahead in the buffer (without caching: the ATC is for what
 * runs now), so that one page group faults in the whole stretch of
 * missing pages instead of one per window.
 */
static void svmdemo_ats_look_ahead(SvmdemoQueue *q, SvmdemoJob *job,
                                   uint64_t addr, uint64_t far, bool is_write,
                                   uint64_t *missing, unsigned *nmissing)
{
    int need = is_write ? IOMMU_WO : IOMMU_RO;
    SvmdemoAtcEntry unused;
    bool stale;
    ssize_t n;

    n = svmdemo_ats_request(q, job, addr, far, is_write, &stale);
    if (n > 0) {
        svmdemo_ats_walk(q->s, job, addr, far, q->ats_res, n, need, false,
                         missing, nmissing, &unused);
    }
}

/* An ATS answer came while an invalidation ran: it may be out of date. */
#define SVMDEMO_ATS_STALE               UINT32_MAX

/*
 * One ATS request for [@addr, @addr + @span), its results walked (and
 * cached with @use_atc): SUCCESS with the entry of @addr in @out (granting
 * what it grants) and the pages lacking the permission in q->missing,
 * SVMDEMO_ATS_STALE, or the status the access fails with.
 */
static uint32_t svmdemo_ats_round(SvmdemoQueue *q, SvmdemoJob *job,
                                  uint64_t addr, uint64_t span,
                                  bool is_write, bool use_atc,
                                  SvmdemoAtcEntry *out, unsigned *nmissing)
{
    SvmdemoState *s = q->s;
    uint32_t status;
    bool stale;
    ssize_t n;

    if (svmdemo_job_stopped(q, &status)) {
        return status;
    }
    job->fault_addr = addr;
    job->fault_write = is_write;
    if (!svmdemo_pasid_get(s, job->pasid)) {
        return SVMDEMO_STS_PAGE_FAULT;
    }
    n = svmdemo_ats_request(q, job, addr, span, is_write, &stale);
    if (svmdemo_job_stopped(q, &status)) {
        return status;
    }
    if (stale) {
        return SVMDEMO_ATS_STALE;
    }
    if (n <= 0) {
        return SVMDEMO_STS_PAGE_FAULT;
    }
    svmdemo_ats_walk(s, job, addr, span, q->ats_res, n,
                     is_write ? IOMMU_WO : IOMMU_RO, use_atc, q->missing,
                     nmissing, out);
    out->gen = s->atc.gen;
    return SVMDEMO_STS_SUCCESS;
}

/*
 * The page of @addr lacks the permission (@perm granted) in round @round:
 * send page groups for the @nmissing pages in q->missing, and for the
 * missing pages up to @far bytes from @addr (the ATS walk covered @span).
 * SUCCESS to translate again, or the status the access fails with.
 */
static uint32_t svmdemo_ats_fault_in(SvmdemoQueue *q, SvmdemoJob *job,
                                     uint64_t addr, uint64_t span,
                                     uint64_t far, bool is_write, int perm,
                                     unsigned nmissing, unsigned round)
{
    SvmdemoPasidCtx *ctx = svmdemo_pasid_find(q->s, job->pasid);
    uint32_t fail = is_write && (perm & IOMMU_RO) ? SVMDEMO_STS_PERM :
                                                    SVMDEMO_STS_PAGE_FAULT;
    uint32_t status;

    if ((job->d.flags & SVMDEMO_DESC_F_NO_PRI) || !nmissing ||
        round >= SVMDEMO_PRI_ROUNDS || !pcie_pri_enabled(PCI_DEVICE(q->s)) ||
        !ctx || !ctx->pri_registered) {
        return fail;
    }
    if (far > span && nmissing < SVMDEMO_ATS_RES_MAX) {
        svmdemo_ats_look_ahead(q, job, addr + span, far - span, is_write,
                               q->missing, &nmissing);
    }
    status = svmdemo_pri_fault_in(q, job, q->missing, nmissing, is_write);
    return status == SVMDEMO_STS_PRI_REFUSED ? fail : status;
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
uint32_t svmdemo_translate(SvmdemoQueue *q, SvmdemoJob *job, uint64_t addr,
                           uint64_t len, uint64_t ahead, bool is_write,
                           bool use_atc, SvmdemoAtcEntry *out)
{
    SvmdemoState *s = q->s;
    int need = is_write ? IOMMU_WO : IOMMU_RO;
    unsigned round = 0, stale_rounds = 0;
    uint64_t span = use_atc ? len :
                    MIN(len, SVMDEMO_PAGE_SIZE -
                             (addr & (SVMDEMO_PAGE_SIZE - 1)));
    uint64_t far = MIN(ahead, (uint64_t)SVMDEMO_PRI_SPAN_PAGES *
                              SVMDEMO_PAGE_SIZE -
                              (addr & (SVMDEMO_PAGE_SIZE - 1)));

    if (use_atc) {
        bool hit = svmdemo_atc_lookup(&s->atc, job->pasid, addr, out) &&
                   (out->perm & need) == need;

        s->cnt[hit ? SVMDEMO_CNT_ATC_HIT : SVMDEMO_CNT_ATC_MISS]++;
        if (hit) {
            return SVMDEMO_STS_SUCCESS;
        }
    }

    for (;;) {
        unsigned nmissing = 0;
        uint32_t status;

        status = svmdemo_ats_round(q, job, addr, span, is_write, use_atc,
                                   out, &nmissing);
        if (status == SVMDEMO_ATS_STALE) {
            /* An invalidation ran meanwhile: ask again, a few times. */
            if (++stale_rounds > SVMDEMO_STALE_ROUNDS) {
                return SVMDEMO_STS_PAGE_FAULT;
            }
            trace_svmdemo_xlate_stale(q->idx, job->pasid, addr);
            continue;
        }
        if (status != SVMDEMO_STS_SUCCESS || (out->perm & need) == need) {
            return status;
        }
        /* The page of @addr lacks the permission: ask for the pages. */
        status = svmdemo_ats_fault_in(q, job, addr, span,
                                      use_atc ? far : span, is_write,
                                      out->perm, nmissing, round++);
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
    }
}
