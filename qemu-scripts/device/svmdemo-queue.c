/*
 * svmdemo queue engine: one thread per hardware queue (plus one for the
 * compatible block) fetches descriptors, runs the operations through the
 * translation engine, and writes completion records.
 *
 * Locking (svmdemo.h): an engine thread runs with the device's lock; it
 * fetches descriptors and writes completion records in BQL sections, and
 * register writes that stop a job wait for it with both locks dropped.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/main-loop.h"
#include "qemu/lockable.h"
#include "qemu/rcu.h"
#include "qemu/crc32c.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "hw/pci/pci.h"
#include "hw/misc/svmdemo.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* Completion                                                         */
/* ------------------------------------------------------------------ */

static void svmdemo_job_account(SvmdemoState *s, SvmdemoJob *job)
{
    s->cnt[SVMDEMO_CNT_JOBS]++;
    s->cnt[SVMDEMO_CNT_BYTES] += job->bytes_done;
    s->cnt_status[job->status % SVMDEMO_CNT_STATUS_NR]++;
    if (job->status != SVMDEMO_STS_SUCCESS) {
        s->cnt[SVMDEMO_CNT_ERRORS]++;
    }
}

static void svmdemo_cmpl_build(SvmdemoJob *job, uint32_t extra,
                               SvmdemoCmpl *c)
{
    uint32_t status = job->status | extra | SVMDEMO_CMPL_DONE;

    if (job->fault_write && (job->status == SVMDEMO_STS_PAGE_FAULT ||
                             job->status == SVMDEMO_STS_PERM ||
                             job->status == SVMDEMO_STS_DMA_ERROR)) {
        status |= SVMDEMO_CMPL_FAULT_WRITE;
    }
    c->status = cpu_to_le32(status);
    c->bytes_done = cpu_to_le32(job->bytes_done);
    c->result = cpu_to_le64(job->result);
    c->fault_addr = cpu_to_le64(job->fault_addr);
    c->cookie = cpu_to_le64(job->d.cookie);
}

/*
 * The user completion record of @job could not be written (@st, the
 * failed write in @cr_job): a job that had succeeded takes the record's
 * status, so that it never reports success without its record.
 */
static void svmdemo_cr_failed(SvmdemoJob *job, const SvmdemoJob *cr_job,
                              uint32_t st)
{
    if (job->status != SVMDEMO_STS_SUCCESS) {
        return;
    }
    job->status = st;
    if (st == SVMDEMO_STS_PAGE_FAULT || st == SVMDEMO_STS_PERM ||
        st == SVMDEMO_STS_DMA_ERROR) {
        job->fault_addr = cr_job->fault_addr;
        job->fault_write = true;
    }
}

/*
 * The completion record of @job is in the ring (@written) or could not be
 * written: move the head on, or halt. BQL and lock held.
 */
static void svmdemo_queue_retire(SvmdemoQueue *q, SvmdemoJob *job,
                                 bool written)
{
    SvmdemoState *s = q->s;

    if (!written) {
        svmdemo_queue_halt(q, SVMDEMO_QERR_CMPL_WRITE);
        return;
    }
    q->head = (q->head + 1) & (q->size - 1);
    q->completed++;
    svmdemo_job_account(s, job);
    if (q->draining && q->head == q->tail) {
        q->enabled = false;
        q->draining = false;
    }
    if (job->d.flags & SVMDEMO_DESC_F_NO_IRQ) {
        s->intr_status |= BIT(q->idx);
    } else {
        svmdemo_irq_completion(q);
    }
}

/* Clear what the status of @job says it does not report. */
static void svmdemo_job_clean(SvmdemoJob *job)
{
    switch (job->status) {
    case SVMDEMO_STS_SUCCESS:
    case SVMDEMO_STS_MISMATCH:
    case SVMDEMO_STS_PAGE_FAULT:
    case SVMDEMO_STS_PERM:
    case SVMDEMO_STS_DMA_ERROR:
    case SVMDEMO_STS_TIMEOUT:
    case SVMDEMO_STS_ABORTED:
        break;
    default:
        /* failed a check: nothing was done */
        job->bytes_done = 0;
        job->result = 0;
        job->fault_addr = 0;
    }
    if (job->status != SVMDEMO_STS_PAGE_FAULT &&
        job->status != SVMDEMO_STS_PERM &&
        job->status != SVMDEMO_STS_DMA_ERROR) {
        job->fault_addr = 0;
        job->fault_write = false;
    }
}

/*
 * Write the user completion record of @job, if it asked for one: an access
 * in its PASID like any other, which can wait for page requests. Returns
 * the bits it adds to the ring's record, or UINT32_MAX if the job was
 * discarded meanwhile.
 */
static uint32_t svmdemo_cr_write(SvmdemoQueue *q, SvmdemoJob *job)
{
    SvmdemoJob cr_job = *job;
    SvmdemoCmpl c;
    uint32_t st;

    if (!(job->d.flags & SVMDEMO_DESC_F_CR_USER) || !job->has_pasid ||
        job->status == SVMDEMO_STS_BAD_PASID ||
        job->status == SVMDEMO_STS_RESERVED) {
        return 0;
    }
    svmdemo_cmpl_build(job, 0, &c);
    st = svmdemo_dma(q, &cr_job, job->d.cr_addr, &c, sizeof(c), sizeof(c),
                     true, !(job->d.flags & SVMDEMO_DESC_F_UNTRANSLATED));
    if (st == SVMDEMO_STS_DISCARD) {
        return UINT32_MAX;
    }
    if (st != SVMDEMO_STS_SUCCESS) {
        svmdemo_cr_failed(job, &cr_job, st);
        return SVMDEMO_CMPL_CR_USER_FAILED;
    }
    return 0;
}

/*
 * Complete @job, fetched at generation @gen of the queue: its user
 * completion record, then its record in the ring, in a BQL section.
 */
static void svmdemo_queue_write_cmpl(SvmdemoQueue *q, SvmdemoJob *job,
                                     uint64_t gen)
{
    SvmdemoState *s = q->s;
    uint32_t extra;
    SvmdemoCmpl c;

    svmdemo_job_clean(job);
    extra = svmdemo_cr_write(q, job);
    if (extra == UINT32_MAX) {
        return;
    }
    svmdemo_cmpl_build(job, extra, &c);
    svmdemo_bql_begin(s);
    if (q->gen == gen) {
        MemTxResult res;

        res = pci_dma_write(PCI_DEVICE(s), q->cmpl_base +
                            (uint64_t)q->head * SVMDEMO_CMPL_SIZE,
                            &c, sizeof(c));
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            svmdemo_queue_retire(q, job, res == MEMTX_OK);
        }
        svmdemo_irq_send(s);
    }
    svmdemo_bql_end(s);
}

/*
 * The status and the interrupt of a compat command, in one BQL section:
 * the vCPUs see the status only once the interrupt is sent.
 */
static void svmdemo_compat_complete(SvmdemoQueue *q, SvmdemoJob *job,
                                    uint64_t gen)
{
    SvmdemoState *s = q->s;

    svmdemo_bql_begin(s);
    if (q->gen == gen) {
        WITH_QEMU_LOCK_GUARD(&s->lock) {
            s->compat_status = job->status;
            svmdemo_job_account(s, job);
            svmdemo_irq_compat(s);
        }
        svmdemo_irq_send(s);
    }
    svmdemo_bql_end(s);
}

/* ------------------------------------------------------------------ */
/* Engine threads                                                     */
/* ------------------------------------------------------------------ */

static bool svmdemo_is_compat(SvmdemoQueue *q)
{
    return q->idx == q->s->num_queues;
}

static bool svmdemo_queue_has_work(SvmdemoQueue *q)
{
    /*
     * A reset in progress waits (with both locks dropped) for the engine
     * to go idle: fetching the next descriptor now would keep the engine
     * busy with discarded jobs and never let the reset go on.
     */
    if (q->discard) {
        return false;
    }
    if (svmdemo_is_compat(q)) {
        return q->compat_pending;
    }
    return q->enabled && !q->error && q->head != q->tail;
}

static void svmdemo_job_decode(SvmdemoJob *job, const SvmdemoDesc *raw)
{
    SvmdemoDesc *d = &job->d;

    memset(job, 0, sizeof(*job));
    d->pasid = le32_to_cpu(raw->pasid);
    d->opcode = raw->opcode;
    d->rsvd0 = raw->rsvd0;
    d->flags = le16_to_cpu(raw->flags);
    d->src = le64_to_cpu(raw->src);
    d->dst = le64_to_cpu(raw->dst);
    d->len = le64_to_cpu(raw->len);
    d->operand = le64_to_cpu(raw->operand);
    d->cookie = le64_to_cpu(raw->cookie);
    d->cr_addr = le64_to_cpu(raw->cr_addr);
    d->rsvd1 = le64_to_cpu(raw->rsvd1);
    job->has_pasid = d->pasid & SVMDEMO_DESC_PASID_VALID;
    job->pasid = d->pasid & SVMDEMO_DESC_PASID;
}

/*
 * Fetch the descriptor at the head of @q into @job, in a BQL section.
 * False if there is none any more (the queue was reset or halted).
 */
static bool svmdemo_queue_fetch(SvmdemoQueue *q, SvmdemoJob *job)
{
    SvmdemoState *s = q->s;
    PCIDevice *pdev = PCI_DEVICE(s);
    bool ok = false;
    SvmdemoDesc raw;

    svmdemo_bql_begin(s);
    if (q->enabled && !q->error && q->head != q->tail) {
        if (pci_dma_read(pdev, q->desc_base + (uint64_t)q->head *
                         SVMDEMO_DESC_SIZE, &raw, sizeof(raw)) == MEMTX_OK) {
            svmdemo_job_decode(job, &raw);
            ok = true;
        } else {
            WITH_QEMU_LOCK_GUARD(&s->lock) {
                svmdemo_queue_halt(q, SVMDEMO_QERR_DESC_FETCH);
            }
            svmdemo_irq_send(s);
        }
    }
    svmdemo_bql_end(s);
    return ok;
}

static void svmdemo_queue_step(SvmdemoQueue *q)
{
    SvmdemoState *s = q->s;
    uint64_t gen = q->gen;
    SvmdemoJob job;

    if (svmdemo_is_compat(q)) {
        job = q->compat_job;
        q->compat_pending = false;
    } else if (!svmdemo_queue_fetch(q, &job) || q->gen != gen) {
        return;
    }

    q->running = true;
    q->pasid_abort = false;
    q->cur_has_pasid = job.has_pasid;
    q->cur_pasid = job.pasid;
    trace_svmdemo_job_start(q->idx, job.has_pasid, job.pasid, job.d.opcode,
                            job.d.flags, job.d.src, job.d.dst, job.d.len);

    svmdemo_job_run(q, &job);

    trace_svmdemo_job_finish(q->idx, job.status, job.bytes_done, job.result,
                             job.fault_addr);
    /* Still "running": writing a user completion record may wait too. */
    if (job.status != SVMDEMO_STS_DISCARD && q->gen == gen) {
        if (svmdemo_is_compat(q)) {
            svmdemo_compat_complete(q, &job, gen);
        } else {
            svmdemo_queue_write_cmpl(q, &job, gen);
        }
    }
    q->running = false;
    q->pasid_abort = false;
    qemu_cond_broadcast(&s->idle_cond);
}

static void *svmdemo_queue_thread(void *opaque)
{
    SvmdemoQueue *q = opaque;
    SvmdemoState *s = q->s;

    rcu_register_thread();
    svmdemo_set_engine_thread(s);
    qemu_mutex_lock(&s->lock);
    while (!q->exiting) {
        if (svmdemo_queue_has_work(q)) {
            svmdemo_queue_step(q);
        } else {
            qemu_cond_wait(&q->cond, &s->lock);
        }
    }
    qemu_mutex_unlock(&s->lock);
    rcu_unregister_thread();
    return NULL;
}

/* ------------------------------------------------------------------ */
/* Register side (vCPU thread, BQL and lock held)                     */
/* ------------------------------------------------------------------ */

void svmdemo_queue_halt(SvmdemoQueue *q, uint8_t err_code)
{
    SvmdemoState *s = q->s;

    trace_svmdemo_queue_error(q->idx, err_code);
    q->error = true;
    q->err_code = err_code;
    q->enabled = false;
    q->draining = false;
    s->cnt[SVMDEMO_CNT_ERRORS]++;
    svmdemo_raise_error(s, SVMDEMO_ERR_QUEUE_ERROR);
}

/*
 * Stop the job in flight without a completion and wait until it has. The
 * wait drops both locks: the engine may need either to get there.
 */
static void svmdemo_queue_stop(SvmdemoQueue *q)
{
    SvmdemoState *s = q->s;

    q->gen++;
    q->discard = true;
    qemu_cond_broadcast(&s->pri_cond);
    while (q->running) {
        svmdemo_wait_idle(s);
    }
    q->discard = false;
}

void svmdemo_queue_abort(SvmdemoQueue *q)
{
    svmdemo_queue_stop(q);
    q->irq_held = 0;
    if (q->irq_timer) {
        timer_del(q->irq_timer);
    }
    q->enabled = false;
    q->draining = false;
    q->error = false;
    q->err_code = SVMDEMO_QERR_NONE;
    q->fence_err = false;
    q->head = 0;
    q->tail = 0;
    q->completed = 0;
    q->compat_pending = false;
}

void svmdemo_queue_ctrl(SvmdemoQueue *q, uint32_t val)
{
    SvmdemoState *s = q->s;

    trace_svmdemo_queue_ctrl(q->idx, val);
    if (val & SVMDEMO_Q_CTRL_RESET) {
        svmdemo_queue_abort(q);
        return;
    }
    if ((val & SVMDEMO_Q_CTRL_ENABLE) && !q->enabled && !q->error) {
        if (!is_power_of_2(q->size) || q->size < SVMDEMO_RING_SIZE_MIN ||
            q->size > s->ring_size_max ||
            (q->desc_base & (SVMDEMO_DESC_SIZE - 1)) ||
            (q->cmpl_base & (SVMDEMO_CMPL_SIZE - 1))) {
            svmdemo_queue_halt(q, SVMDEMO_QERR_BAD_CONFIG);
            return;
        }
        q->head = 0;
        q->tail = 0;
        q->completed = 0;
        q->fence_err = false;
        q->enabled = true;
    }
    if ((val & SVMDEMO_Q_CTRL_DISABLE) && q->enabled) {
        if (q->head == q->tail && !q->running) {
            q->enabled = false;
        } else {
            q->draining = true;
        }
    }
}

void svmdemo_queue_doorbell(SvmdemoQueue *q, uint32_t tail)
{
    SvmdemoState *s = q->s;

    if (!q->enabled || q->draining) {
        svmdemo_raise_error(s, SVMDEMO_ERR_DOORBELL_DISABLED);
        return;
    }
    if (tail >= q->size) {
        svmdemo_queue_halt(q, SVMDEMO_QERR_BAD_TAIL);
        return;
    }
    q->tail = tail;
    qemu_cond_signal(&q->cond);
}

/* A compat command (register 0x00): one job at a time. */
bool svmdemo_compat_submit(SvmdemoState *s, uint64_t cmd)
{
    SvmdemoQueue *q = svmdemo_compat_queue(s);
    SvmdemoJob *job = &q->compat_job;
    uint64_t addr = s->compat_reg[SVMDEMO_COMPAT_ADDR / 8];

    if (q->running || q->compat_pending) {
        svmdemo_raise_error(s, SVMDEMO_ERR_COMPAT_BUSY);
        return false;
    }

    memset(job, 0, sizeof(*job));
    switch (cmd) {
    case SVMDEMO_COMPAT_CMD_WRITE:
        job->d.opcode = SVMDEMO_OP_WRITE_PATTERN;
        job->d.dst = addr;
        break;
    case SVMDEMO_COMPAT_CMD_READ:
        job->d.opcode = SVMDEMO_OP_READ_CRC8;
        job->d.src = addr;
        job->d.operand = (uint8_t)s->compat_reg[SVMDEMO_COMPAT_CRC / 8];
        break;
    default:
        job->d.opcode = UINT8_MAX;      /* completes with BAD_OPCODE */
        break;
    }
    job->d.len = s->compat_reg[SVMDEMO_COMPAT_SIZE / 8];
    if (s->compat_reg[SVMDEMO_COMPAT_OPT / 8] & SVMDEMO_COMPAT_OPT_PRIV) {
        job->d.flags |= SVMDEMO_DESC_F_PRIV;
    }
    if (s->compat_pasid < SVMDEMO_COMPAT_PASID_DISABLE) {
        job->has_pasid = true;
        job->pasid = s->compat_pasid;
        job->d.pasid = s->compat_pasid | SVMDEMO_DESC_PASID_VALID;
    }

    s->compat_status = SVMDEMO_COMPAT_STATUS_BUSY;
    q->compat_pending = true;
    qemu_cond_signal(&q->cond);
    return true;
}

/* ------------------------------------------------------------------ */
/* Life cycle                                                         */
/* ------------------------------------------------------------------ */

void svmdemo_queues_init(SvmdemoState *s)
{
    unsigned i;

    svmdemo_crc8_init();
    qemu_cond_init(&s->idle_cond);
    qemu_cond_init(&s->pin_cond);
    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];
        g_autofree char *name = g_strdup_printf("svmdemo-q%u", i);

        q->s = s;
        q->idx = i;
        q->buf[0] = g_malloc(SVMDEMO_WINDOW);
        q->buf[1] = g_malloc(SVMDEMO_WINDOW);
        q->ats_res = g_new(IOMMUTLBEntry, SVMDEMO_ATS_RES_MAX);
        q->missing = g_new(uint64_t, SVMDEMO_ATS_RES_MAX);
        qemu_cond_init(&q->cond);
        qemu_thread_create(&q->thread, name, svmdemo_queue_thread, q,
                           QEMU_THREAD_JOINABLE);
    }
}

void svmdemo_queues_exit(SvmdemoState *s)
{
    unsigned i;

    qemu_mutex_lock(&s->lock);
    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];

        svmdemo_queue_stop(q);
        q->exiting = true;
        qemu_cond_signal(&q->cond);
    }
    qemu_mutex_unlock(&s->lock);
    /* A thread may be on its way into a BQL section. */
    bql_unlock();
    for (i = 0; i <= s->num_queues; i++) {
        qemu_thread_join(&s->queues[i].thread);
    }
    bql_lock();
    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];

        qemu_cond_destroy(&q->cond);
        g_free(q->buf[0]);
        g_free(q->buf[1]);
        g_free(q->ats_res);
        g_free(q->missing);
    }
    qemu_cond_destroy(&s->idle_cond);
    qemu_cond_destroy(&s->pin_cond);
}
