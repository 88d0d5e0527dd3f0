/*
 * svmdemo jobs: the checks of a descriptor, the pins that hold off
 * invalidations of a range while it is accessed without the lock, and the
 * operations themselves, window by window, on top of the translation
 * engine (svmdemo-ats.c, -pri.c, -dma.c).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/lockable.h"
#include "qemu/crc32c.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "hw/pci/pci.h"
#include "hw/misc/svmdemo.h"
#include "trace.h"

static uint8_t svmdemo_crc8_table[256];

/* Reflected CRC-8 table, the same as Linux's crc8_populate_lsb(t, 0xab). */
void svmdemo_crc8_init(void)
{
    unsigned i, bit;

    for (i = 0; i < 256; i++) {
        uint8_t crc = i;

        for (bit = 0; bit < 8; bit++) {
            crc = (crc & 1) ? (crc >> 1) ^ SVMDEMO_CRC8_POLY : crc >> 1;
        }
        svmdemo_crc8_table[i] = crc;
    }
}

/* ------------------------------------------------------------------ */
/* Job checks and execution                                           */
/* ------------------------------------------------------------------ */

/* Set if the job must stop now, with the status it completes with. */
bool svmdemo_job_stopped(SvmdemoQueue *q, uint32_t *status)
{
    if (q->discard || q->exiting) {
        *status = SVMDEMO_STS_DISCARD;
        return true;
    }
    if (q->pasid_abort) {
        *status = SVMDEMO_STS_ABORTED;
        return true;
    }
    return false;
}

static bool svmdemo_range_wraps(uint64_t addr, uint64_t len)
{
    return len && addr + (len - 1) < addr;
}

static uint32_t svmdemo_desc_check(SvmdemoQueue *q, SvmdemoJob *job)
{
    SvmdemoState *s = q->s;
    const SvmdemoDesc *d = &job->d;
    bool reads_src = d->opcode == SVMDEMO_OP_COPY ||
                     d->opcode == SVMDEMO_OP_COMPARE ||
                     d->opcode == SVMDEMO_OP_CRC32C ||
                     d->opcode == SVMDEMO_OP_READ_CRC8;
    bool uses_dst = d->opcode == SVMDEMO_OP_FILL ||
                    d->opcode == SVMDEMO_OP_COPY ||
                    d->opcode == SVMDEMO_OP_COMPARE ||
                    d->opcode == SVMDEMO_OP_WRITE_PATTERN;

    if ((d->pasid & SVMDEMO_DESC_PASID_RSVD) || d->rsvd0 || d->rsvd1 ||
        (d->flags & SVMDEMO_DESC_F_RSVD) ||
        ((d->flags & SVMDEMO_DESC_F_CR_USER) &&
         (d->cr_addr & (SVMDEMO_CMPL_SIZE - 1)))) {
        return SVMDEMO_STS_RESERVED;
    }
    if (d->opcode >= SVMDEMO_OP_NR) {
        return SVMDEMO_STS_BAD_OPCODE;
    }
    if (job->has_pasid && !svmdemo_pasid_usable(s, job->pasid)) {
        return SVMDEMO_STS_BAD_PASID;
    }
    if (d->flags & SVMDEMO_DESC_F_PRIV) {
        return SVMDEMO_STS_PRIV;
    }
    if (d->len > SVMDEMO_MAX_XFER_BYTES ||
        (reads_src && svmdemo_range_wraps(d->src, d->len)) ||
        (uses_dst && svmdemo_range_wraps(d->dst, d->len))) {
        return SVMDEMO_STS_LENGTH;
    }
    return SVMDEMO_STS_SUCCESS;
}

/*
 * Enter a BQL section to reach the IOMMU or memory for the job running on
 * @q: false, with no section entered, if the job was stopped while the
 * lock was dropped (a queue reset or a PASID flush completed meanwhile):
 * nothing may reach the IOMMU for it after that, no page request, no
 * translation request, no access.
 */
bool svmdemo_bql_begin_job(SvmdemoQueue *q)
{
    SvmdemoState *s = q->s;
    uint32_t status;
    bool stopped;

    svmdemo_bql_begin(s);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        stopped = svmdemo_job_stopped(q, &status);
    }
    if (stopped) {
        svmdemo_bql_end(s);
    }
    return !stopped;
}

/* Let register accesses in between windows; false if the job must stop. */
static bool svmdemo_job_yield(SvmdemoQueue *q, uint32_t *status)
{
    qemu_mutex_unlock(&q->s->lock);
    qemu_mutex_lock(&q->s->lock);
    return !svmdemo_job_stopped(q, status);
}

/* ------------------------------------------------------------------ */
/* Pinned accesses                                                    */
/* ------------------------------------------------------------------ */

/*
 * Pin [@start, @start + @len) of @pasid for the access this engine is about
 * to make with the lock dropped; svmdemo_unpin() (with the lock) ends it.
 */
void svmdemo_pin(SvmdemoQueue *q, uint32_t pasid, uint64_t start,
                 uint64_t len)
{
    SvmdemoPin *pin = &q->pin;

    assert(len && pin->nr < ARRAY_SIZE(pin->start));
    assert(!pin->nr || pin->pasid == pasid);
    pin->pasid = pasid;
    pin->start[pin->nr] = start;
    pin->last[pin->nr] = start + (len - 1);
    pin->nr++;
}

void svmdemo_unpin(SvmdemoQueue *q)
{
    q->pin.nr = 0;
    qemu_cond_broadcast(&q->s->pin_cond);
}

static bool svmdemo_pinned(SvmdemoState *s, uint32_t pasid, uint64_t start,
                           uint64_t last)
{
    unsigned i, j;

    for (i = 0; i <= s->num_queues; i++) {
        const SvmdemoPin *pin = &s->queues[i].pin;

        for (j = 0; j < pin->nr; j++) {
            if ((pasid == SVMDEMO_PIN_ANY || pin->pasid == pasid) &&
                pin->start[j] <= last &&
                start <= pin->last[j]) {
                return true;
            }
        }
    }
    return false;
}

/*
 * An invalidation of [@start, @last] of @pasid (the caller dropped the
 * ATC entries) completes only when no access still uses them: wait for the
 * pinned ones. They hold no lock and never wait for the BQL.
 */
void svmdemo_pins_wait(SvmdemoState *s, uint32_t pasid, uint64_t start,
                       uint64_t last)
{
    while (svmdemo_pinned(s, pasid, start, last)) {
        trace_svmdemo_invalidate_wait(pasid, start, last);
        qemu_cond_wait(&s->pin_cond, &s->lock);
    }
}

/* Running checksums of a job, across its windows */
typedef struct SvmdemoSums {
    uint32_t crc32;
    uint8_t crc8;
} SvmdemoSums;

/* COMPARE of the window at @off: MISMATCH at the first differing byte. */
static uint32_t svmdemo_window_compare(SvmdemoJob *job, const uint8_t *a,
                                       const uint8_t *b, uint64_t off,
                                       uint64_t n)
{
    uint64_t i;

    if (!memcmp(a, b, n)) {
        return SVMDEMO_STS_SUCCESS;
    }
    for (i = 0; a[i] == b[i]; i++) {
        continue;
    }
    job->result = off + i;
    job->bytes_done += i;
    return SVMDEMO_STS_MISMATCH;
}

/*
 * The window [@off, @off + @n) of the job: what its opcode does to it.
 * SUCCESS (bytes_done is the caller's), MISMATCH (bytes_done set), or the
 * status the job stops with.
 */
static uint32_t svmdemo_job_window(SvmdemoQueue *q, SvmdemoJob *job,
                                   uint64_t off, uint64_t n, SvmdemoSums *sum)
{
    const SvmdemoDesc *d = &job->d;
    bool atc = !(d->flags & SVMDEMO_DESC_F_UNTRANSLATED);
    uint64_t ahead = d->len - off, i;
    uint8_t *a = q->buf[0], *b = q->buf[1];
    uint32_t status;

    switch (d->opcode) {
    case SVMDEMO_OP_FILL:
        for (i = 0; i < n; i++) {
            a[i] = d->operand >> (8 * ((off + i) % 8));
        }
        return svmdemo_dma(q, job, d->dst + off, a, n, ahead, true, atc);
    case SVMDEMO_OP_WRITE_PATTERN:
        for (i = 0; i < n; i++) {
            a[i] = (off + i) % SVMDEMO_WRITE_PATTERN_MOD;
        }
        return svmdemo_dma(q, job, d->dst + off, a, n, ahead, true, atc);
    case SVMDEMO_OP_COPY:
        return svmdemo_dma_copy(q, job, d->src + off, d->dst + off, a, n,
                                ahead, atc);
    case SVMDEMO_OP_COMPARE:
        status = svmdemo_dma(q, job, d->src + off, a, n, ahead, false, atc);
        if (status == SVMDEMO_STS_SUCCESS) {
            status = svmdemo_dma(q, job, d->dst + off, b, n, ahead, false,
                                 atc);
        }
        return status == SVMDEMO_STS_SUCCESS ?
               svmdemo_window_compare(job, a, b, off, n) : status;
    case SVMDEMO_OP_CRC32C:
        status = svmdemo_dma(q, job, d->src + off, a, n, ahead, false, atc);
        if (status == SVMDEMO_STS_SUCCESS) {
            /* QEMU's crc32c() returns the state inverted */
            sum->crc32 = crc32c(sum->crc32, a, n) ^ UINT32_MAX;
        }
        return status;
    case SVMDEMO_OP_READ_CRC8:
        status = svmdemo_dma(q, job, d->src + off, a, n, ahead, false, atc);
        for (i = 0; status == SVMDEMO_STS_SUCCESS && i < n; i++) {
            sum->crc8 = svmdemo_crc8_table[sum->crc8 ^ a[i]];
        }
        return status;
    default:
        g_assert_not_reached();
    }
}

static void svmdemo_job_exec(SvmdemoQueue *q, SvmdemoJob *job)
{
    const SvmdemoDesc *d = &job->d;
    SvmdemoSums sum = { .crc32 = UINT32_MAX, .crc8 = SVMDEMO_CRC8_INIT };
    uint32_t status = SVMDEMO_STS_SUCCESS;
    uint64_t off, n;

    if (d->opcode == SVMDEMO_OP_NOOP) {
        return;
    }
    for (off = 0; off < d->len; off += n) {
        n = MIN(d->len - off, SVMDEMO_WINDOW);
        if (off && !svmdemo_job_yield(q, &status)) {
            break;
        }
        status = svmdemo_job_window(q, job, off, n, &sum);
        if (status != SVMDEMO_STS_SUCCESS) {
            break;
        }
        job->bytes_done += n;
    }

    job->status = status;
    if (status != SVMDEMO_STS_SUCCESS) {
        return;
    }
    if (d->opcode == SVMDEMO_OP_CRC32C) {
        job->result = sum.crc32 ^ UINT32_MAX;
    } else if (d->opcode == SVMDEMO_OP_READ_CRC8) {
        job->result = sum.crc8;
        if (sum.crc8 != (uint8_t)d->operand) {
            job->status = SVMDEMO_STS_MISMATCH;
        }
    }
}

void svmdemo_job_run(SvmdemoQueue *q, SvmdemoJob *job)
{
    job->status = svmdemo_desc_check(q, job);
    if (job->status == SVMDEMO_STS_SUCCESS &&
        (job->d.flags & SVMDEMO_DESC_F_FENCE)) {
        bool abort = q->fence_err;

        /* An ABORTED by this rule does not count for the next FENCE. */
        q->fence_err = false;
        if (abort) {
            job->status = SVMDEMO_STS_ABORTED;
            return;
        }
    }
    if (job->status == SVMDEMO_STS_SUCCESS) {
        svmdemo_job_exec(q, job);
    }
    if (job->status != SVMDEMO_STS_SUCCESS) {
        q->fence_err = true;
    }
}
