// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: one hardware queue and its rings (docs/device.md, sections 4,
 * 6-9).
 *
 * Each queue owns a descriptor ring and a completion ring in DMA coherent
 * memory; the device reaches both through the function's default domain.
 * A job is posted by writing its descriptor, clearing the DONE bit of its
 * completion record and writing the new tail to the doorbell (Q_TAIL).
 * The device completes descriptors in ring order; the queue's interrupt
 * thread reaps every record whose DONE bit is set and hands the job back
 * to svmdemo_job.c. The jobs in a ring belong to their slots until the
 * device completes them or the queue is reset.
 */

#include <linux/bitfield.h>
#include <linux/blkdev.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/slab.h>

#include "svmdemo.h"
#include "svmdemo_trace.h"

static unsigned int irq_coalesce_jobs = 16;
module_param(irq_coalesce_jobs, uint, 0444);
MODULE_PARM_DESC(irq_coalesce_jobs,
		 "Completions per interrupt while a queue is busy (0: every one; default 16)");

static unsigned int irq_coalesce_usecs = 50;
module_param(irq_coalesce_usecs, uint, 0444);
MODULE_PARM_DESC(irq_coalesce_usecs,
		 "At most this long a completion waits for its interrupt (default 50)");

/* How long the withdrawn jobs of a stopped queue may take to drain. */
#define SVMDEMO_DRAIN_TIMEOUT_MS	2000
/* How long ENABLE may take to show in Q_STATUS. */
#define SVMDEMO_ENABLE_TIMEOUT_US	1000

/* User-space opcodes to device opcodes. */
static const u8 svmdemo_hw_opcode[SVMDEMO_OPCODE_MAX] = {
	[SVMDEMO_OPCODE_NOOP]		= SVMDEMO_OP_NOOP,
	[SVMDEMO_OPCODE_FILL]		= SVMDEMO_OP_FILL,
	[SVMDEMO_OPCODE_COPY]		= SVMDEMO_OP_COPY,
	[SVMDEMO_OPCODE_COMPARE]	= SVMDEMO_OP_COMPARE,
	[SVMDEMO_OPCODE_CRC32C]		= SVMDEMO_OP_CRC32C,
	[SVMDEMO_OPCODE_WRITE_PATTERN]	= SVMDEMO_OP_WRITE_PATTERN,
	[SVMDEMO_OPCODE_READ_CRC8]	= SVMDEMO_OP_READ_CRC8,
};

/**
 * svmdemo_queue_opcodes - the user-space opcodes a device supports
 * @hw_ops: its OPCODES register, one bit per device opcode
 *
 * Return: a mask of BIT_ULL(SVMDEMO_OPCODE_*).
 */
u64 svmdemo_queue_opcodes(u32 hw_ops)
{
	u64 mask = 0;
	unsigned int i;

	for (i = 0; i < SVMDEMO_OPCODE_MAX; i++)
		if (hw_ops & BIT(svmdemo_hw_opcode[i]))
			mask |= BIT_ULL(i);
	return mask;
}

static u32 svmdemo_qnext(const struct svmdemo_queue *q, u32 i)
{
	return (i + 1) & (q->size - 1);
}

/* Free descriptor slots; one stays empty so that full != empty. */
static u32 svmdemo_queue_space(const struct svmdemo_queue *q)
{
	return q->size - 1 - ((q->tail - q->head) & (q->size - 1));
}

/*
 * Slots the jobs of @bond may fill now: the free slots, but no more than
 * its fair share of the ring, so that the jobs of one PASID (however many
 * files its process opened) never keep another's out of a queue they
 * share. q->lock held.
 */
static u32 svmdemo_queue_room(const struct svmdemo_queue *q,
			      const struct svmdemo_bond *bond)
{
	u32 held = bond->nr_ring[q->id];
	u32 share = q->sdev->ring_share;

	return held >= share ? 0 : min(share - held, svmdemo_queue_space(q));
}

/* A job leaves its ring slot; q->lock held. */
static void svmdemo_slot_release(struct svmdemo_queue *q,
				 struct svmdemo_kjob *job)
{
	job->ctx->bond->nr_ring[q->id]--;
	atomic_dec(&q->sdev->nr_inflight);
}

/* Program the rings and enable the queue; q->lock held or not yet shared. */
static int svmdemo_queue_hw_enable(struct svmdemo_queue *q)
{
	u32 status;
	int ret;

	writel(lower_32_bits(q->descs_dma), q->regs + SVMDEMO_Q_DESC_LO);
	writel(upper_32_bits(q->descs_dma), q->regs + SVMDEMO_Q_DESC_HI);
	writel(lower_32_bits(q->cmpls_dma), q->regs + SVMDEMO_Q_CMPL_LO);
	writel(upper_32_bits(q->cmpls_dma), q->regs + SVMDEMO_Q_CMPL_HI);
	writel(q->size, q->regs + SVMDEMO_Q_SIZE);
	/*
	 * The device signals the last completion of a busy spell at once, so
	 * coalescing costs a waiter nothing when the ring empties.
	 */
	writel(FIELD_PREP(SVMDEMO_Q_IRQ_COUNT, min(irq_coalesce_jobs, 255U)) |
	       FIELD_PREP(SVMDEMO_Q_IRQ_USECS, min(irq_coalesce_usecs, 65535U)),
	       q->regs + SVMDEMO_Q_IRQ_COALESCE);
	writel(SVMDEMO_Q_CTRL_ENABLE, q->regs + SVMDEMO_Q_CTRL);

	ret = readl_poll_timeout_atomic(q->regs + SVMDEMO_Q_STATUS, status,
					status & (SVMDEMO_Q_STATUS_ENABLED |
						  SVMDEMO_Q_STATUS_ERROR),
					1, SVMDEMO_ENABLE_TIMEOUT_US);
	if (ret || !(status & SVMDEMO_Q_STATUS_ENABLED) ||
	    (status & SVMDEMO_Q_STATUS_ERROR)) {
		dev_err(&q->sdev->pdev->dev,
			"queue %u does not enable: status %#x, error %u\n",
			q->id, status,
			(u32)FIELD_GET(SVMDEMO_Q_STATUS_ERR_CODE, status));
		return -EIO;
	}
	q->head = 0;
	q->tail = 0;
	q->rung = 0;
	return 0;
}

/* Synchronous abort: when this returns the queue does no more DMA. */
static void svmdemo_queue_hw_reset(struct svmdemo_queue *q)
{
	writel(SVMDEMO_Q_CTRL_RESET, q->regs + SVMDEMO_Q_CTRL);
	readl(q->regs + SVMDEMO_Q_STATUS);	/* flush the posted write */
}

static void svmdemo_job_set_result(struct svmdemo_kjob *job,
				   const struct svmdemo_cmpl *c, u32 status)
{
	struct svmdemo_job *uj = &job->uj;

	uj->status = status & ~SVMDEMO_CMPL_DONE;
	uj->bytes_done = le32_to_cpu(c->bytes_done);
	uj->result_value = le64_to_cpu(c->result);
	uj->fault_addr = le64_to_cpu(c->fault_addr);
	if (job->abort_err)
		uj->result = job->abort_err;
	else
		uj->result = svmdemo_job_result(FIELD_GET(SVMDEMO_CMPL_CODE,
							  status),
						uj->opcode);
}

/* Move the jobs whose records the device wrote to @done; q->lock held. */
static void svmdemo_queue_collect(struct svmdemo_queue *q,
				  struct list_head *done)
{
	lockdep_assert_held(&q->lock);

	while (q->head != q->tail) {
		struct svmdemo_cmpl *c = &q->cmpls[q->head];
		struct svmdemo_kjob *job;
		u32 status;

		status = le32_to_cpu(READ_ONCE(c->status));
		if (!(status & SVMDEMO_CMPL_DONE))
			break;
		/* Read the record only after its DONE bit. */
		dma_rmb();

		job = q->slots[q->head];
		q->slots[q->head] = NULL;
		q->head = svmdemo_qnext(q, q->head);
		if (WARN_ON_ONCE(!job))
			continue;
		svmdemo_slot_release(q, job);
		if (le64_to_cpu(c->cookie) != job->cookie)
			dev_warn_ratelimited(&q->sdev->pdev->dev,
					     "queue %u: completion cookie %#llx, expected %#llx\n",
					     q->id, le64_to_cpu(c->cookie),
					     job->cookie);
		svmdemo_job_set_result(job, c, status);
		list_add_tail(&job->node, done);
	}
}

/* Hand collected jobs back to their files; no queue lock held. */
static void svmdemo_queue_complete(struct svmdemo_queue *q,
				   struct list_head *done)
{
	struct svmdemo_kjob *job, *tmp;

	wake_up_all(&q->space_wq);
	list_for_each_entry_safe(job, tmp, done, node) {
		list_del_init(&job->node);
		svmdemo_job_complete(job);
	}
}

void svmdemo_queue_reap(struct svmdemo_queue *q)
{
	LIST_HEAD(done);

	spin_lock_irq(&q->lock);
	svmdemo_queue_collect(q, &done);
	spin_unlock_irq(&q->lock);
	if (!list_empty(&done))
		svmdemo_queue_complete(q, &done);
}

/*
 * Reset a queue: jobs the device completed keep their result, the others
 * get @err. The queue is enabled again unless it was stopped for good.
 */
void svmdemo_queue_reset(struct svmdemo_queue *q, int err)
{
	struct svmdemo_kjob *job;
	LIST_HEAD(done);
	u32 i;

	spin_lock_irq(&q->lock);
	if (!q->descs) {
		spin_unlock_irq(&q->lock);
		return;
	}
	svmdemo_queue_hw_reset(q);
	svmdemo_queue_collect(q, &done);
	for (i = q->head; i != q->tail; i = svmdemo_qnext(q, i)) {
		job = q->slots[i];
		q->slots[i] = NULL;
		if (WARN_ON_ONCE(!job))
			continue;
		svmdemo_slot_release(q, job);
		job->uj.result = job->abort_err ?: err;
		list_add_tail(&job->node, &done);
	}
	q->head = 0;
	q->tail = 0;
	q->rung = 0;
	if (q->enabled && svmdemo_queue_hw_enable(q))
		q->enabled = false;
	spin_unlock_irq(&q->lock);

	svmdemo_queue_complete(q, &done);
}

static void svmdemo_desc_fill(struct svmdemo_queue *q,
			      struct svmdemo_kjob *job, bool irq)
{
	const struct svmdemo_job *uj = &job->uj;
	struct svmdemo_desc *d = &q->descs[q->tail];
	u16 flags = 0;

	/* Never SVMDEMO_DESC_F_PRIV: user jobs are refused in the ioctl. */
	if (uj->flags & SVMDEMO_JOB_UNTRANSLATED)
		flags |= SVMDEMO_DESC_F_UNTRANSLATED;
	if (uj->flags & SVMDEMO_JOB_NO_PRI)
		flags |= SVMDEMO_DESC_F_NO_PRI;
	if (uj->flags & SVMDEMO_JOB_CR_USER)
		flags |= SVMDEMO_DESC_F_CR_USER;
	/* A batch's barrier NOOP resets the device's fence window. */
	if ((uj->flags & SVMDEMO_JOB_FENCE) ||
	    job->kind == SVMDEMO_KJOB_BARRIER)
		flags |= SVMDEMO_DESC_F_FENCE;
	if (!irq)
		flags |= SVMDEMO_DESC_F_NO_IRQ;

	job->queue = q->id;
	job->slot = q->tail;
	/* The user's record carries the user's cookie. */
	if (uj->flags & SVMDEMO_JOB_CR_USER)
		job->cookie = uj->cookie;
	else
		job->cookie = (u64)q->seq << 32 | q->tail;
	q->seq++;

	d->pasid = cpu_to_le32(SVMDEMO_DESC_PASID_VALID |
			       FIELD_PREP(SVMDEMO_DESC_PASID,
					  job->ctx->bond->pasid));
	d->opcode = svmdemo_hw_opcode[uj->opcode];
	d->rsvd0 = 0;
	d->flags = cpu_to_le16(flags);
	d->src = cpu_to_le64(uj->src);
	d->dst = cpu_to_le64(uj->dst);
	d->len = cpu_to_le64(uj->len);
	d->operand = cpu_to_le64(uj->operand);
	d->cookie = cpu_to_le64(job->cookie);
	d->cr_addr = cpu_to_le64(uj->flags & SVMDEMO_JOB_CR_USER ?
				 uj->cr_addr : 0);
	d->rsvd1 = 0;
	q->cmpls[q->tail].status = 0;

	q->slots[q->tail] = job;
	q->tail = svmdemo_qnext(q, q->tail);
	q->posted++;
	job->ctx->bond->nr_ring[q->id]++;
	atomic_inc(&q->sdev->nr_inflight);
	atomic64_inc(&q->sdev->nr_submitted);
	trace_svmdemo_submit(job);
}

static bool svmdemo_queue_can_post(struct svmdemo_queue *q,
				   struct svmdemo_bond *bond, u32 need)
{
	bool ret;

	spin_lock_irq(&q->lock);
	ret = !q->enabled || svmdemo_queue_room(q, bond) >= need;
	spin_unlock_irq(&q->lock);
	return ret;
}

/* Tell the device about the descriptors posted since; q->lock held. */
static void svmdemo_queue_ring(struct svmdemo_queue *q)
{
	/* writel() orders the ring writes before the doorbell. */
	if (q->enabled && q->rung != q->tail) {
		writel(q->tail, q->regs + SVMDEMO_Q_TAIL);
		q->rung = q->tail;
	}
}

#ifdef CONFIG_BLOCK
/* The submitter's plug is flushed: ring the doorbell it deferred. */
static void svmdemo_queue_unplug(struct blk_plug_cb *cb, bool from_schedule)
{
	struct svmdemo_queue *q = cb->data;
	unsigned long flags;

	spin_lock_irqsave(&q->lock, flags);
	svmdemo_queue_ring(q);
	spin_unlock_irqrestore(&q->lock, flags);
	kfree(cb);
}

/*
 * Ring the doorbell now, or, for io_uring commands submitted in a batch
 * (io_uring plugs the submission of several SQEs), once at the end of the
 * batch: one MMIO write for the batch, as one SVMDEMO_IOC_SUBMIT of many
 * jobs does. The plug ends before the task sleeps or returns, and the
 * command keeps its file, so @q outlives the callback. q->lock held.
 */
static void svmdemo_queue_doorbell(struct svmdemo_queue *q, bool batched)
{
	if (batched && blk_check_plugged(svmdemo_queue_unplug, q,
					 sizeof(struct blk_plug_cb)))
		return;
	svmdemo_queue_ring(q);
}
#else
static void svmdemo_queue_doorbell(struct svmdemo_queue *q, bool batched)
{
	svmdemo_queue_ring(q);
}
#endif

/**
 * svmdemo_queue_submit - post jobs to a queue, in order
 * @q: queue
 * @jobs: checked jobs, accounted in their file context
 * @count: number of @jobs
 * @nonblock: return -EAGAIN instead of waiting for ring space
 * @fence: post all @count jobs at once or none (a fenced batch, whose
 *	first job is its barrier)
 * @posted: out: how many jobs the device was given
 *
 * Waits (interruptibly, at most job_timeout_ms per wait) for free slots
 * when the ring is full or the file holds its share of it. Synchronous
 * jobs interrupt only at the end of each batch posted at once; the others
 * interrupt each, as Q_IRQ_COALESCE lets the device group them. Every
 * batch posted at once gets one doorbell write; io_uring commands
 * submitted together share one.
 *
 * Return: 0 when every job was posted, else -ENODEV, -EAGAIN, -EINTR,
 * -ERESTARTSYS (a signal before any job was posted) or -ETIMEDOUT, with
 * the first @posted jobs given to the device.
 */
int svmdemo_queue_submit(struct svmdemo_queue *q, struct svmdemo_kjob **jobs,
			 unsigned int count, bool nonblock, bool fence,
			 unsigned int *posted)
{
	struct svmdemo_bond *bond = jobs[0]->ctx->bond;
	unsigned int done = 0, n, i;
	long left, t;
	int ret = 0;

	while (done < count) {
		spin_lock_irq(&q->lock);
		if (!q->enabled) {
			spin_unlock_irq(&q->lock);
			ret = -ENODEV;
			break;
		}
		n = min(count - done, svmdemo_queue_room(q, bond));
		if (fence && n < count)
			n = 0;
		for (i = 0; i < n; i++) {
			struct svmdemo_kjob *job = jobs[done + i];
			bool irq = job->kind == SVMDEMO_KJOB_ASYNC ||
				   job->kind == SVMDEMO_KJOB_URING ||
				   i == n - 1;

			svmdemo_desc_fill(q, job, irq);
		}
		if (n)
			svmdemo_queue_doorbell(q, jobs[0]->kind ==
						  SVMDEMO_KJOB_URING);
		spin_unlock_irq(&q->lock);

		done += n;
		if (done == count)
			break;
		if (nonblock) {
			ret = -EAGAIN;
			break;
		}
		t = msecs_to_jiffies(READ_ONCE(svmdemo_job_timeout_ms));
		left = wait_event_interruptible_timeout(q->space_wq,
							svmdemo_queue_can_post(q, bond,
									       fence ? count : 1),
							t);
		if (left < 0) {
			/* Nothing posted yet: the call can simply restart. */
			ret = done ? -EINTR : -ERESTARTSYS;
			break;
		}
		if (!left) {
			ret = -ETIMEDOUT;
			break;
		}
	}
	*posted = done;
	return ret;
}

/*
 * Turn a posted descriptor into a NOOP that touches no memory. The device
 * may be fetching it at this very moment and its read is not ordered
 * byte by byte, so the change is one aligned 32-bit store of opcode,
 * rsvd0 and flags (no CR_USER record, no fence): whatever the device
 * reads is either the original job or this NOOP. The PASID stays: a
 * descriptor without PASID would address the default domain with the
 * job's user addresses if the device read the old opcode with it.
 */
static void svmdemo_desc_make_noop(struct svmdemo_desc *d)
{
	__le32 *op_flags = (__le32 *)&d->opcode;

	static_assert(offsetof(struct svmdemo_desc, opcode) % 4 == 0);
	static_assert(offsetof(struct svmdemo_desc, flags) ==
		      offsetof(struct svmdemo_desc, opcode) + 2);
	WRITE_ONCE(*op_flags, cpu_to_le32(SVMDEMO_OP_NOOP));
}

/*
 * Withdraw the queued jobs of @ctx (of every file if NULL): they become
 * NOOPs and complete with @err. q->lock held.
 */
static void svmdemo_queue_cancel(struct svmdemo_queue *q,
				 struct svmdemo_ctx *ctx, int err)
{
	u32 i;

	lockdep_assert_held(&q->lock);

	for (i = q->head; i != q->tail; i = svmdemo_qnext(q, i)) {
		struct svmdemo_kjob *job = q->slots[i];
		struct svmdemo_desc *d = &q->descs[i];

		if (!job || job->abort_err || (ctx && job->ctx != ctx))
			continue;
		job->abort_err = err;
		svmdemo_desc_make_noop(d);
	}
}

/**
 * svmdemo_hw_withdraw - withdraw one job from its ring
 * @job: a job the device may not have completed yet
 * @err: its result
 *
 * The caller holds the job's ctx->lock, so the job cannot be freed; if it
 * is still in its slot it becomes a NOOP that completes with @err.
 */
void svmdemo_hw_withdraw(struct svmdemo_kjob *job, int err)
{
	struct svmdemo_queue *q = &job->ctx->sdev->queues[job->queue];
	struct svmdemo_desc *d;
	unsigned long flags;

	lockdep_assert_held(&job->ctx->lock);

	spin_lock_irqsave(&q->lock, flags);
	if (q->descs && q->slots[job->slot] == job && !job->abort_err) {
		d = &q->descs[job->slot];
		job->abort_err = err;
		svmdemo_desc_make_noop(d);
	}
	spin_unlock_irqrestore(&q->lock, flags);
}

/**
 * svmdemo_hw_withdraw_ctx - withdraw the queued jobs of a file
 * @sdev: device
 * @ctx: the file, being released
 *
 * They become NOOPs (their completions free them later). A job of @ctx
 * the device is executing runs on: svmdemo_hw_flush_pasid() stops it if
 * @ctx was the last file of its PASID.
 */
void svmdemo_hw_withdraw_ctx(struct svmdemo_dev *sdev, struct svmdemo_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < sdev->nr_queues; i++) {
		struct svmdemo_queue *q = &sdev->queues[i];

		spin_lock_irq(&q->lock);
		svmdemo_queue_cancel(q, ctx, -ECANCELED);
		spin_unlock_irq(&q->lock);
	}
}

/* Does queue @q hold a job of @bond? */
bool svmdemo_queue_holds(struct svmdemo_queue *q, struct svmdemo_bond *bond)
{
	bool ret = false;
	u32 j;

	spin_lock_irq(&q->lock);
	for (j = q->head; j != q->tail; j = svmdemo_qnext(q, j))
		if (q->slots[j] && q->slots[j]->ctx->bond == bond)
			ret = true;
	spin_unlock_irq(&q->lock);
	return ret;
}

irqreturn_t svmdemo_queue_irq(int irq, void *data)
{
	svmdemo_queue_reap(data);
	return IRQ_HANDLED;
}

int svmdemo_queue_init(struct svmdemo_dev *sdev, struct svmdemo_queue *q)
{
	struct device *dev = &sdev->pdev->dev;
	int ret;

	q->slots = kcalloc(q->size, sizeof(*q->slots), GFP_KERNEL);
	if (!q->slots)
		return -ENOMEM;
	q->descs = dma_alloc_coherent(dev, array_size(q->size, sizeof(*q->descs)),
				      &q->descs_dma, GFP_KERNEL);
	q->cmpls = dma_alloc_coherent(dev, array_size(q->size, sizeof(*q->cmpls)),
				      &q->cmpls_dma, GFP_KERNEL);
	if (!q->descs || !q->cmpls)
		return -ENOMEM;

	spin_lock_irq(&q->lock);
	svmdemo_queue_hw_reset(q);
	ret = svmdemo_queue_hw_enable(q);
	q->enabled = !ret;
	spin_unlock_irq(&q->lock);
	return ret;
}

/**
 * svmdemo_queue_stop - stop accepting jobs and withdraw the queued ones
 * @q: queue of a device being removed (or failing probe)
 */
void svmdemo_queue_stop(struct svmdemo_queue *q)
{
	spin_lock_irq(&q->lock);
	q->enabled = false;
	if (q->descs)
		svmdemo_queue_cancel(q, NULL, -ENODEV);
	spin_unlock_irq(&q->lock);
	wake_up_all(&q->space_wq);
}

static bool svmdemo_queue_empty(struct svmdemo_queue *q)
{
	bool ret;

	spin_lock_irq(&q->lock);
	ret = q->head == q->tail;
	spin_unlock_irq(&q->lock);
	return ret;
}

/**
 * svmdemo_queue_drain - empty the ring of a stopped queue and reset it
 * @q: queue after svmdemo_queue_stop(), interrupts still requested
 *
 * The withdrawn jobs complete in the device as NOOPs; whatever is left
 * after SVMDEMO_DRAIN_TIMEOUT_MS is failed by a queue reset. Resetting
 * only empty rings also keeps clear of devices that cannot abort a ring
 * with queued descriptors quickly.
 */
void svmdemo_queue_drain(struct svmdemo_queue *q)
{
	if (!wait_event_timeout(q->space_wq, svmdemo_queue_empty(q),
				msecs_to_jiffies(SVMDEMO_DRAIN_TIMEOUT_MS)))
		dev_warn(&q->sdev->pdev->dev,
			 "queue %u does not drain, resetting it\n", q->id);
	svmdemo_queue_reset(q, -ENODEV);
}

/**
 * svmdemo_queue_fini - free the rings of a stopped queue
 * @q: queue, after svmdemo_queue_drain() and with its interrupt freed
 */
void svmdemo_queue_fini(struct svmdemo_queue *q)
{
	struct device *dev = &q->sdev->pdev->dev;
	void *descs, *cmpls;

	spin_lock_irq(&q->lock);
	descs = q->descs;
	cmpls = q->cmpls;
	q->descs = NULL;
	q->cmpls = NULL;
	spin_unlock_irq(&q->lock);

	if (descs)
		dma_free_coherent(dev, array_size(q->size, sizeof(*q->descs)),
				  descs, q->descs_dma);
	if (cmpls)
		dma_free_coherent(dev, array_size(q->size, sizeof(*q->cmpls)),
				  cmpls, q->cmpls_dma);
}
