// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: jobs. What user space may ask for (every field is checked here
 * before any DMA), the kernel side of a job from its allocation to its
 * completion, and the per-file accounting of both: jobs in flight,
 * asynchronous jobs not yet reaped, and the fdinfo counters.
 *
 * A job is posted by svmdemo_jobs_post() and completed exactly once by
 * svmdemo_job_complete(), whoever waits for it: a synchronous submitter,
 * SVMDEMO_IOC_WAIT/read(), an io_uring command, or nobody (a batch's
 * barrier, a closed file).
 */

#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "svmdemo.h"
#include "svmdemo_compat.h"
#include "svmdemo_trace.h"

#define SVMDEMO_JOB_FLAGS	(SVMDEMO_JOB_UNTRANSLATED | SVMDEMO_JOB_NO_PRI | \
				 SVMDEMO_JOB_PRIVILEGED | SVMDEMO_JOB_FENCE | \
				 SVMDEMO_JOB_CR_USER)
#define SVMDEMO_CR_ALIGN	32

/*
 * Which job fields each opcode uses. An unused address must be 0, and so
 * must an operand above @operand_max; @len must be 0 when neither address
 * is used (NOOP).
 */
struct svmdemo_op_fields {
	bool src;
	bool dst;
	u64 operand_max;
};

static const struct svmdemo_op_fields svmdemo_op_fields[SVMDEMO_OPCODE_MAX] = {
	[SVMDEMO_OPCODE_NOOP]		= { },
	[SVMDEMO_OPCODE_FILL]		= { .dst = true, .operand_max = U64_MAX },
	[SVMDEMO_OPCODE_COPY]		= { .src = true, .dst = true },
	[SVMDEMO_OPCODE_COMPARE]	= { .src = true, .dst = true },
	[SVMDEMO_OPCODE_CRC32C]		= { .src = true },
	[SVMDEMO_OPCODE_WRITE_PATTERN]	= { .dst = true },
	[SVMDEMO_OPCODE_READ_CRC8]	= { .src = true,
					    .operand_max = SVMDEMO_CRC8_MASK },
};

static int svmdemo_check_range(u64 addr, u64 len, bool used)
{
	u64 end;

	if (!used)
		return addr ? -EINVAL : 0;
	if (check_add_overflow(addr, len, &end))
		return -EINVAL;
	return 0;
}

/**
 * svmdemo_job_validate - check everything user space controls in a job
 * @sdev: the device
 * @job: the job as user space gave it
 *
 * Return: 0, -EINVAL for a bad field, -EPERM for a privileged job.
 */
int svmdemo_job_validate(const struct svmdemo_dev *sdev,
			 const struct svmdemo_job *job)
{
	const struct svmdemo_op_fields *op;
	u32 opcode = job->opcode;

	if (job->__reserved1)
		return -EINVAL;
	if (job->flags & ~SVMDEMO_JOB_FLAGS)
		return -EINVAL;
	if (job->flags & SVMDEMO_JOB_PRIVILEGED)
		return -EPERM;
	if (job->flags & SVMDEMO_JOB_CR_USER) {
		if (!(sdev->caps & SVMDEMO_CAP_CR_USER) || !job->cr_addr ||
		    !IS_ALIGNED(job->cr_addr, SVMDEMO_CR_ALIGN))
			return -EINVAL;
	} else if (job->cr_addr) {
		return -EINVAL;
	}
	if ((job->flags & SVMDEMO_JOB_FENCE) &&
	    !(sdev->caps & SVMDEMO_CAP_FENCE))
		return -EINVAL;
	if ((job->flags & SVMDEMO_JOB_UNTRANSLATED) &&
	    !(sdev->caps & SVMDEMO_CAP_UNTRANSLATED))
		return -EINVAL;
	if (opcode >= SVMDEMO_OPCODE_MAX || !(sdev->opcodes & BIT_ULL(opcode)))
		return -EINVAL;
	op = &svmdemo_op_fields[array_index_nospec(opcode, SVMDEMO_OPCODE_MAX)];

	if (job->len > sdev->max_len)
		return -EINVAL;
	if (!op->src && !op->dst && job->len)
		return -EINVAL;
	if (job->operand > op->operand_max)
		return -EINVAL;
	if (svmdemo_check_range(job->src, job->len, op->src) ||
	    svmdemo_check_range(job->dst, job->len, op->dst))
		return -EINVAL;
	return 0;
}

/**
 * svmdemo_kjob_alloc - make the kernel side of a checked job
 * @ctx: file context; the job takes a reference
 * @uj: the job (outputs are cleared)
 * @kind: who waits for it
 * @batch: synchronous submitter (SVMDEMO_KJOB_SYNC), else NULL
 *
 * Return: the job, or NULL.
 */
struct svmdemo_kjob *svmdemo_kjob_alloc(struct svmdemo_ctx *ctx,
					const struct svmdemo_job *uj,
					enum svmdemo_kjob_kind kind,
					struct svmdemo_batch *batch)
{
	struct svmdemo_kjob *job;

	job = kzalloc_obj(*job);
	if (!job)
		return NULL;
	job->uj = *uj;
	job->uj.result = 0;
	job->uj.status = 0;
	job->uj.bytes_done = 0;
	job->uj.result_value = 0;
	job->uj.fault_addr = 0;
	job->kind = kind;
	job->batch = kind == SVMDEMO_KJOB_SYNC ? batch : NULL;
	INIT_LIST_HEAD(&job->node);
	kref_get(&ctx->ref);
	job->ctx = ctx;
	return job;
}

void svmdemo_kjob_free(struct svmdemo_kjob *job)
{
	svmdemo_ctx_put(job->ctx);
	kfree(job);
}

/* Jobs of @kjobs[0..@n) a file counts (a batch's barrier is not its job). */
static unsigned int svmdemo_jobs_counted(struct svmdemo_kjob **kjobs,
					 unsigned int n)
{
	unsigned int i, counted = 0;

	for (i = 0; i < n; i++)
		counted += kjobs[i]->kind != SVMDEMO_KJOB_BARRIER;
	return counted;
}

/* @n jobs of @ctx go to (@n > 0) or did not reach (@n < 0) the device. */
static void svmdemo_ctx_account_posted(struct svmdemo_ctx *ctx, int n)
{
	spin_lock_irq(&ctx->lock);
	ctx->nr_inflight += n;
	ctx->stats.submitted += n;
	spin_unlock_irq(&ctx->lock);
}

/**
 * svmdemo_jobs_post - account jobs of a file and hand them to a queue
 * @ctx: the file context of every job
 * @q: queue
 * @kjobs: checked jobs, in order (a fenced batch starts with its barrier)
 * @count: number of @kjobs
 * @nonblock: -EAGAIN instead of waiting for ring space
 * @fence: post all or nothing
 * @posted: out: how many jobs the device was given
 *
 * The jobs not posted are accounted back; the caller still owns them.
 *
 * Return: as svmdemo_queue_submit().
 */
int svmdemo_jobs_post(struct svmdemo_ctx *ctx, struct svmdemo_queue *q,
		      struct svmdemo_kjob **kjobs, unsigned int count,
		      bool nonblock, bool fence, unsigned int *posted)
{
	int ret;

	svmdemo_ctx_account_posted(ctx, svmdemo_jobs_counted(kjobs, count));
	ret = svmdemo_queue_submit(q, kjobs, count, nonblock, fence, posted);
	if (*posted < count)
		svmdemo_ctx_account_posted(ctx,
					   -(int)svmdemo_jobs_counted(kjobs + *posted,
								      count - *posted));
	return ret;
}

/**
 * svmdemo_job_result - the result of a job the device completed
 * @code: the device's status code (SVMDEMO_CMPL_CODE)
 * @opcode: the job's enum svmdemo_job_opcode
 *
 * Return: 0 or the negative errno the uapi's table gives for @code.
 */
int svmdemo_job_result(u32 code, u32 opcode)
{
	switch (code) {
	case SVMDEMO_STS_SUCCESS:
		return 0;
	case SVMDEMO_STS_PAGE_FAULT:
		return -EFAULT;
	case SVMDEMO_STS_PERM:
		return -EACCES;
	case SVMDEMO_STS_PRIV:
		return -EPERM;
	case SVMDEMO_STS_BAD_OPCODE:
	case SVMDEMO_STS_RESERVED:
	case SVMDEMO_STS_LENGTH:
		return -EINVAL;
	case SVMDEMO_STS_BAD_PASID:
		return -ENXIO;
	case SVMDEMO_STS_MISMATCH:
		return opcode == SVMDEMO_OPCODE_COMPARE ? -EILSEQ : -EBADMSG;
	case SVMDEMO_STS_ABORTED:
		return -ECANCELED;
	case SVMDEMO_STS_TIMEOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

static bool svmdemo_result_is_fault(int res)
{
	return res == -EFAULT || res == -EACCES || res == -ETIMEDOUT;
}

/* The outcome of a completed job in the file's counters; ctx->lock held. */
static void svmdemo_ctx_account_completed(struct svmdemo_ctx *ctx,
					  const struct svmdemo_kjob *job)
{
	int res = job->uj.result;

	lockdep_assert_held(&ctx->lock);
	ctx->nr_inflight--;
	ctx->stats.completed++;
	ctx->stats.bytes += job->uj.bytes_done;
	if (res)
		ctx->stats.errors++;
	if (svmdemo_result_is_fault(res))
		ctx->stats.faults++;
}

/**
 * svmdemo_job_complete - hand a finished job back to its file
 * @job: job whose outputs svmdemo_queue.c has filled in
 *
 * Called once per job the device was given, in process context (the
 * queue's interrupt thread, a queue reset, or remove()), without queue
 * locks held.
 */
void svmdemo_job_complete(struct svmdemo_kjob *job)
{
	struct svmdemo_ctx *ctx = job->ctx;
	struct io_uring_cmd *ucmd = NULL;
	bool free_job = false;
	unsigned long flags;

	if (job->kind == SVMDEMO_KJOB_BARRIER) {
		svmdemo_kjob_free(job);
		return;
	}
	trace_svmdemo_complete(job);
	if (svmdemo_result_is_fault(job->uj.result))
		trace_svmdemo_fault(job);
	atomic64_inc(&ctx->sdev->nr_completed);

	spin_lock_irqsave(&ctx->lock, flags);
	svmdemo_ctx_account_completed(ctx, job);
	job->done = true;
	if (job->kind == SVMDEMO_KJOB_URING) {
		/* Issuing (no command yet): the issuer finishes the job. */
		ucmd = job->ucmd;
		job->ucmd = NULL;
		free_job = job->orphan;
	} else if (ctx->closed) {
		if (job->kind == SVMDEMO_KJOB_ASYNC)
			ctx->nr_async--;
		free_job = true;
	} else if (job->kind == SVMDEMO_KJOB_ASYNC) {
		list_add_tail(&job->node, &ctx->done);
		ctx->nr_done++;
	} else if (job->batch) {
		job->batch->remaining--;
	} else {
		/* The synchronous submitter gave up on this job. */
		free_job = true;
	}
	/* Under the lock: once it is dropped, @ctx may be gone. */
	wake_up_all(&ctx->wq);
	spin_unlock_irqrestore(&ctx->lock, flags);

	if (ucmd)
		svmdemo_uring_job_done(job, ucmd);
	else if (free_job)
		svmdemo_kjob_free(job);
}

/* ---- waiting for jobs ---- */

/**
 * svmdemo_jobs_reserve - count the jobs of one submit call as expected
 * @ctx: the file
 * @batch: the synchronous submitter's batch (@async false)
 * @count: jobs of the call
 * @async: asynchronous jobs, reaped by SVMDEMO_IOC_WAIT or read()
 *
 * Return: 0, or -EAGAIN if @count more asynchronous jobs would exceed
 * SVMDEMO_MAX_ASYNC.
 */
int svmdemo_jobs_reserve(struct svmdemo_ctx *ctx, struct svmdemo_batch *batch,
			 unsigned int count, bool async)
{
	int ret = 0;

	spin_lock_irq(&ctx->lock);
	if (!async)
		batch->remaining = count;
	else if (ctx->nr_async + count > SVMDEMO_MAX_ASYNC)
		ret = -EAGAIN;
	else
		ctx->nr_async += count;
	spin_unlock_irq(&ctx->lock);
	return ret;
}

/* @n jobs of a svmdemo_jobs_reserve() were not posted after all. */
void svmdemo_jobs_unreserve(struct svmdemo_ctx *ctx,
			    struct svmdemo_batch *batch, unsigned int n,
			    bool async)
{
	spin_lock_irq(&ctx->lock);
	if (async)
		ctx->nr_async -= n;
	else
		batch->remaining -= n;
	spin_unlock_irq(&ctx->lock);
}

static bool svmdemo_batch_done(struct svmdemo_ctx *ctx,
			       struct svmdemo_batch *batch)
{
	bool done;

	spin_lock_irq(&ctx->lock);
	done = !batch->remaining;
	spin_unlock_irq(&ctx->lock);
	return done;
}

/**
 * svmdemo_batch_wait - wait for the jobs of a synchronous submit
 * @ctx: the file
 * @batch: their batch
 * @kjobs: the jobs of the batch
 * @posted: how many of them the device was given
 * @timeout_ms: how long to wait
 * @ret: the result of posting them; no wait unless 0
 *
 * If the wait ends early (signal, timeout, or not everything could be
 * posted), the unfinished jobs are detached (their @kjobs entry becomes
 * NULL): their completion frees them.
 *
 * Return: @ret, or -EINTR or -ETIMEDOUT.
 */
int svmdemo_batch_wait(struct svmdemo_ctx *ctx, struct svmdemo_batch *batch,
		       struct svmdemo_kjob **kjobs, unsigned int posted,
		       unsigned int timeout_ms, int ret)
{
	unsigned int i;
	long left;

	if (!ret) {
		long t = msecs_to_jiffies(timeout_ms);

		left = wait_event_interruptible_timeout(ctx->wq,
							svmdemo_batch_done(ctx, batch),
							t);
		/*
		 * io_uring task work (TIF_NOTIFY_SIGNAL) also ends an
		 * interruptible wait, but it is no signal: it runs when
		 * the ioctl returns, so wait on for fatal signals only.
		 */
		if (left < 0 && !task_sigpending(current))
			left = wait_event_killable_timeout(ctx->wq,
							   svmdemo_batch_done(ctx, batch),
							   t);
		if (left < 0)
			ret = -EINTR;
		else if (!left)
			ret = -ETIMEDOUT;
	}

	spin_lock_irq(&ctx->lock);
	if (batch->remaining) {
		for (i = 0; i < posted; i++) {
			if (kjobs[i]->done)
				continue;
			kjobs[i]->batch = NULL;
			kjobs[i] = NULL;
		}
		if (!ret)
			ret = -ETIMEDOUT;
	}
	spin_unlock_irq(&ctx->lock);
	return ret;
}

static bool svmdemo_reap_ready(struct svmdemo_ctx *ctx)
{
	bool ready;

	spin_lock_irq(&ctx->lock);
	ready = !list_empty(&ctx->done) || !ctx->nr_async;
	spin_unlock_irq(&ctx->lock);
	return ready || READ_ONCE(ctx->sdev->dead);
}

/* Move up to @max completed jobs from ctx->done to @list. */
static unsigned int svmdemo_take_done(struct svmdemo_ctx *ctx,
				      struct list_head *list,
				      unsigned int max, bool *idle)
{
	struct svmdemo_kjob *job, *tmp;
	unsigned int n = 0;

	spin_lock_irq(&ctx->lock);
	list_for_each_entry_safe(job, tmp, &ctx->done, node) {
		if (n == max)
			break;
		list_move_tail(&job->node, list);
		n++;
	}
	ctx->nr_done -= n;
	*idle = !ctx->nr_async;
	spin_unlock_irq(&ctx->lock);
	return n;
}

/*
 * Wait until completed jobs can be taken (then move up to @max of them to
 * @reaped), at most @timeout jiffies (MAX_SCHEDULE_TIMEOUT: until one
 * completes). Returns how many were taken (>= 1) or -ECHILD, -ENODEV,
 * -EAGAIN (@timeout is 0), -ETIMEDOUT, -ERESTARTSYS.
 */
static int svmdemo_wait_done(struct svmdemo_ctx *ctx, struct list_head *reaped,
			     unsigned int max, long timeout)
{
	bool forever = timeout == MAX_SCHEDULE_TIMEOUT;
	bool polled = !timeout;
	unsigned int n;
	long left;
	bool idle;

	for (;;) {
		n = svmdemo_take_done(ctx, reaped, max, &idle);
		if (n)
			return n;
		if (idle)
			return -ECHILD;
		if (READ_ONCE(ctx->sdev->dead))
			return -ENODEV;
		if (!timeout)
			return polled ? -EAGAIN : -ETIMEDOUT;
		left = wait_event_interruptible_timeout(ctx->wq,
							svmdemo_reap_ready(ctx),
							timeout);
		/* Nothing reaped: the call can simply restart. */
		if (left < 0)
			return -ERESTARTSYS;
		if (!forever)
			timeout = left;
	}
}

/**
 * svmdemo_jobs_reap - reap completed asynchronous jobs
 * @ctx: the file
 * @ujobs: where the jobs go, in completion order
 * @max: room in @ujobs
 * @timeout: jiffies to wait for one; 0 polls, MAX_SCHEDULE_TIMEOUT waits
 *	until one completes
 * @pending: out: asynchronous jobs still in flight afterwards
 *
 * A job is only gone once it was copied out: if the copy fails, the
 * completions are put back.
 *
 * Return: the number reaped (>= 1) or -ECHILD, -ENODEV, -EAGAIN,
 * -ETIMEDOUT, -ERESTARTSYS, -EFAULT, -ENOMEM.
 */
int svmdemo_jobs_reap(struct svmdemo_ctx *ctx, struct svmdemo_job __user *ujobs,
		      unsigned int max, long timeout, unsigned int *pending)
{
	struct svmdemo_kjob *job, *tmp;
	struct svmdemo_job *out;
	LIST_HEAD(reaped);
	unsigned int i;
	int n;

	out = kvcalloc(max, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;
	n = svmdemo_wait_done(ctx, &reaped, max, timeout);
	if (n < 0)
		goto out_free;

	i = 0;
	list_for_each_entry(job, &reaped, node)
		out[i++] = job->uj;
	if (copy_to_user(ujobs, out, array_size(n, sizeof(*out)))) {
		spin_lock_irq(&ctx->lock);
		list_splice(&reaped, &ctx->done);
		ctx->nr_done += n;
		wake_up_all(&ctx->wq);
		spin_unlock_irq(&ctx->lock);
		n = -EFAULT;
		goto out_free;
	}

	spin_lock_irq(&ctx->lock);
	ctx->nr_async -= n;
	*pending = ctx->nr_async - ctx->nr_done;
	spin_unlock_irq(&ctx->lock);
	list_for_each_entry_safe(job, tmp, &reaped, node) {
		list_del(&job->node);
		svmdemo_kjob_free(job);
	}
out_free:
	kvfree(out);
	return n;
}

/**
 * svmdemo_jobs_release - the file is closed
 * @ctx: its context, after its bond let go of it
 *
 * Completed jobs nobody reaped are freed; jobs still in a ring (NOOPs
 * now) free themselves when they complete.
 */
void svmdemo_jobs_release(struct svmdemo_ctx *ctx)
{
	struct svmdemo_kjob *job, *tmp;
	LIST_HEAD(unreaped);

	spin_lock_irq(&ctx->lock);
	ctx->closed = true;
	list_splice_init(&ctx->done, &unreaped);
	ctx->nr_async -= ctx->nr_done;
	ctx->nr_done = 0;
	spin_unlock_irq(&ctx->lock);
	list_for_each_entry_safe(job, tmp, &unreaped, node) {
		list_del(&job->node);
		svmdemo_kjob_free(job);
	}
}
