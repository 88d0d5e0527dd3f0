// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: the char device /dev/svmdemoN and its ioctls.
 *
 * open() binds the caller's address space to the device: one SVA bond and
 * one PASID per file. release() quiesces that PASID in the device and only
 * then unbinds it. Every job is checked here, completely, before
 * svmdemo_hw.c hands it to a queue; the ioctls return 0 or an errno,
 * per-job outcomes travel in the jobs themselves.
 */

#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/overflow.h>
#include <linux/poll.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/string_choices.h>
#include <linux/uaccess.h>

#include "svmdemo.h"
#include "svmdemo_compat.h"
#include "svmdemo_trace.h"

/* The ABI: same layout for 32-bit and 64-bit user space, no holes. */
static_assert(sizeof(struct svmdemo_job) == 96);
static_assert(sizeof(struct svmdemo_info) == 88);
static_assert(sizeof(struct svmdemo_submit) == 48);
static_assert(sizeof(struct svmdemo_wait) == 48);
static_assert(sizeof(struct svmdemo_completion_record) == 32);
static_assert(sizeof(struct svmdemo_uring_cmd) == 16);
static_assert(offsetof(struct svmdemo_job, cr_addr) ==
	      offsetof(struct svmdemo_job, reserved));

#define SVMDEMO_JOB_FLAGS	(SVMDEMO_JOB_UNTRANSLATED | SVMDEMO_JOB_NO_PRI | \
				 SVMDEMO_JOB_PRIVILEGED | SVMDEMO_JOB_FENCE | \
				 SVMDEMO_JOB_CR_USER)
#define SVMDEMO_CR_ALIGN	32
#define SVMDEMO_SUBMIT_FLAGS	(SVMDEMO_SUBMIT_ASYNC | SVMDEMO_SUBMIT_QUEUE)

static dev_t svmdemo_devt;
static DEFINE_IDA(svmdemo_ida);
static const struct class svmdemo_class = {
	.name = SVMDEMO_NAME,
};

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

/* ---- file contexts and jobs ---- */

static void svmdemo_ctx_free(struct kref *ref)
{
	struct svmdemo_ctx *ctx = container_of(ref, struct svmdemo_ctx, ref);

	WARN_ON(ctx->sva);
	mmdrop(ctx->mm);
	svmdemo_dev_put(ctx->sdev);
	kfree(ctx->nr_ring);
	kfree(ctx);
}

static void svmdemo_ctx_put(struct svmdemo_ctx *ctx)
{
	kref_put(&ctx->ref, svmdemo_ctx_free);
}

void svmdemo_kjob_free(struct svmdemo_kjob *job)
{
	svmdemo_ctx_put(job->ctx);
	kfree(job);
}

/**
 * svmdemo_job_complete - hand a finished job back to its file
 * @job: job whose outputs svmdemo_hw.c has filled in
 *
 * Called once per job the device was given, in process context (the
 * queue's interrupt thread, a queue reset, or remove()), without queue
 * locks held.
 */
void svmdemo_job_complete(struct svmdemo_kjob *job)
{
	struct svmdemo_ctx *ctx = job->ctx;
	struct io_uring_cmd *ucmd = NULL;
	int res = job->uj.result;
	bool free_job = false;
	unsigned long flags;

	if (job->kind == SVMDEMO_KJOB_BARRIER) {
		svmdemo_kjob_free(job);
		return;
	}
	trace_svmdemo_complete(job);
	if (res == -EFAULT || res == -EACCES || res == -ETIMEDOUT)
		trace_svmdemo_fault(job);
	atomic64_inc(&ctx->sdev->nr_completed);

	spin_lock_irqsave(&ctx->lock, flags);
	ctx->nr_inflight--;
	ctx->stats.completed++;
	ctx->stats.bytes += job->uj.bytes_done;
	if (res)
		ctx->stats.errors++;
	if (res == -EFAULT || res == -EACCES || res == -ETIMEDOUT)
		ctx->stats.faults++;
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

static int svmdemo_check_range(u64 addr, u64 len, bool used)
{
	u64 end;

	if (!used)
		return addr ? -EINVAL : 0;
	if (check_add_overflow(addr, len, &end))
		return -EINVAL;
	return 0;
}

/* Everything user space controls is checked here, before any DMA. */
int svmdemo_job_check(const struct svmdemo_dev *sdev,
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

/* ---- ioctls ---- */

static int svmdemo_ioctl_info(struct svmdemo_ctx *ctx,
			      struct svmdemo_info __user *uinfo)
{
	const struct svmdemo_dev *sdev = ctx->sdev;
	struct svmdemo_info info = {
		.abi_version = SVMDEMO_ABI_VERSION,
		.pasid = ctx->pasid,
		.caps = sdev->caps,
		.opcodes = sdev->opcodes,
		.nr_queues = sdev->nr_queues,
		.ring_size = sdev->ring_size,
		.max_jobs = SVMDEMO_MAX_JOBS,
		.max_async = SVMDEMO_MAX_ASYNC,
		.max_len = sdev->max_len,
		.hw_version = sdev->hw_version,
		.queue = ctx->queue,
		.max_fence_jobs = sdev->ring_share - 1,
		.ring_share = sdev->ring_share,
	};

	if (copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	return 0;
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

/*
 * Wait for the jobs of a synchronous submit. On success copy them back.
 * If the wait ends early (signal, timeout, or not everything could be
 * posted), the unfinished jobs are detached: their completion frees them.
 */
static int svmdemo_sync_finish(struct svmdemo_ctx *ctx,
			       struct svmdemo_batch *batch,
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

/**
 * svmdemo_ctx_post - account jobs of a file and hand them to a queue
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
int svmdemo_ctx_post(struct svmdemo_ctx *ctx, struct svmdemo_queue *q,
		     struct svmdemo_kjob **kjobs, unsigned int count,
		     bool nonblock, bool fence, unsigned int *posted)
{
	unsigned int i, n = 0;
	int ret;

	for (i = 0; i < count; i++)
		n += kjobs[i]->kind != SVMDEMO_KJOB_BARRIER;
	spin_lock_irq(&ctx->lock);
	ctx->nr_inflight += n;
	ctx->stats.submitted += n;
	spin_unlock_irq(&ctx->lock);

	ret = svmdemo_queue_submit(q, kjobs, count, nonblock, fence, posted);

	if (*posted < count) {
		n = 0;
		for (i = *posted; i < count; i++)
			n += kjobs[i]->kind != SVMDEMO_KJOB_BARRIER;
		spin_lock_irq(&ctx->lock);
		ctx->nr_inflight -= n;
		ctx->stats.submitted -= n;
		spin_unlock_irq(&ctx->lock);
	}
	return ret;
}

static int svmdemo_ioctl_submit(struct svmdemo_ctx *ctx, struct file *file,
				struct svmdemo_submit __user *usubmit)
{
	struct svmdemo_dev *sdev = ctx->sdev;
	struct svmdemo_batch batch = { };
	struct svmdemo_kjob **all = NULL, **kjobs;
	enum svmdemo_kjob_kind kind;
	struct svmdemo_job *ujobs;
	struct svmdemo_submit req;
	struct svmdemo_queue *q;
	unsigned int i, count, posted = 0, total = 0;
	bool async, nonblock, fence = false;
	int ret;

	if (copy_from_user(&req, usubmit, sizeof(req)))
		return -EFAULT;
	if ((req.flags & ~SVMDEMO_SUBMIT_FLAGS) || req.__pad ||
	    req.reserved[0] || req.reserved[1])
		return -EINVAL;
	if (!req.count || req.count > SVMDEMO_MAX_JOBS)
		return -EINVAL;
	async = req.flags & SVMDEMO_SUBMIT_ASYNC;
	if (async && req.timeout_ms)
		return -EINVAL;
	if (req.flags & SVMDEMO_SUBMIT_QUEUE) {
		if (req.queue >= sdev->nr_queues)
			return -EINVAL;
		q = &sdev->queues[array_index_nospec(req.queue,
						     sdev->nr_queues)];
	} else {
		if (req.queue)
			return -EINVAL;
		q = &sdev->queues[ctx->queue];
	}
	count = req.count;

	ujobs = vmemdup_array_user(u64_to_user_ptr(req.jobs), count,
				   sizeof(*ujobs));
	if (IS_ERR(ujobs))
		return PTR_ERR(ujobs);
	for (i = 0; i < count; i++) {
		ret = svmdemo_job_check(sdev, &ujobs[i]);
		if (ret)
			goto out_free;
		if (ujobs[i].flags & SVMDEMO_JOB_FENCE)
			fence = true;
	}
	/* A fenced batch is posted at once, behind its barrier. */
	ret = -EINVAL;
	if (fence && count + 1 > sdev->ring_share)
		goto out_free;
	total = count + fence;

	ret = -ENOMEM;
	all = kvcalloc(total, sizeof(*all), GFP_KERNEL);
	if (!all)
		goto out_free;
	kjobs = all + fence;
	kind = async ? SVMDEMO_KJOB_ASYNC : SVMDEMO_KJOB_SYNC;
	for (i = 0; i < count; i++) {
		kjobs[i] = svmdemo_kjob_alloc(ctx, &ujobs[i], kind, &batch);
		if (!kjobs[i])
			goto out_free;
	}
	if (fence) {
		struct svmdemo_job barrier = {
			.opcode = SVMDEMO_OPCODE_NOOP,
		};

		all[0] = svmdemo_kjob_alloc(ctx, &barrier,
					    SVMDEMO_KJOB_BARRIER, NULL);
		if (!all[0])
			goto out_free;
	}

	spin_lock_irq(&ctx->lock);
	if (async && ctx->nr_async + count > SVMDEMO_MAX_ASYNC) {
		spin_unlock_irq(&ctx->lock);
		ret = -EAGAIN;
		goto out_free;
	}
	if (async)
		ctx->nr_async += count;
	batch.remaining = count;
	spin_unlock_irq(&ctx->lock);

	nonblock = async && (file->f_flags & O_NONBLOCK);
	ret = svmdemo_ctx_post(ctx, q, all, total, nonblock, fence, &posted);
	if (fence && posted) {
		all[0] = NULL;	/* the barrier belongs to its slot */
		posted--;
	}

	if (posted < count) {
		spin_lock_irq(&ctx->lock);
		if (async)
			ctx->nr_async -= count - posted;
		batch.remaining -= count - posted;
		spin_unlock_irq(&ctx->lock);
	}
	/* From here on the posted jobs belong to their queue slots. */

	if (!async) {
		ret = svmdemo_sync_finish(ctx, &batch, kjobs, posted,
					  req.timeout_ms ?:
					  READ_ONCE(svmdemo_job_timeout_ms),
					  ret);
		if (!ret) {
			for (i = 0; i < count; i++)
				ujobs[i] = kjobs[i]->uj;
			if (copy_to_user(u64_to_user_ptr(req.jobs), ujobs,
					 array_size(count, sizeof(*ujobs))))
				ret = -EFAULT;
		}
	} else {
		/* Async jobs are reaped by SVMDEMO_IOC_WAIT, not freed here. */
		for (i = 0; i < posted; i++)
			kjobs[i] = NULL;
	}
	if (put_user(posted, &usubmit->submitted) && !ret)
		ret = -EFAULT;

out_free:
	if (all) {
		for (i = 0; i < total; i++)
			if (all[i])
				svmdemo_kjob_free(all[i]);
		kvfree(all);
	}
	kvfree(ujobs);
	return ret;
}

static bool svmdemo_wait_ready(struct svmdemo_ctx *ctx)
{
	bool ready;

	spin_lock_irq(&ctx->lock);
	ready = !list_empty(&ctx->done) || !ctx->nr_async;
	spin_unlock_irq(&ctx->lock);
	return ready || READ_ONCE(ctx->sdev->dead);
}

/* Move up to @max completed jobs from ctx->done to @list. */
static unsigned int svmdemo_ctx_take_done(struct svmdemo_ctx *ctx,
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
 * Reap up to @max completed asynchronous jobs of @ctx into @ujobs, waiting
 * at most @timeout jiffies (MAX_SCHEDULE_TIMEOUT: until one completes).
 * Returns the number reaped (>= 1) or -ECHILD, -ENODEV, -EAGAIN (@timeout
 * is 0), -ETIMEDOUT, -EINTR, -EFAULT, -ENOMEM.
 */
static int svmdemo_reap(struct svmdemo_ctx *ctx,
			struct svmdemo_job __user *ujobs, unsigned int max,
			long timeout, unsigned int *pending)
{
	bool forever = timeout == MAX_SCHEDULE_TIMEOUT;
	bool polled = !timeout;
	struct svmdemo_kjob *job, *tmp;
	struct svmdemo_job *out;
	unsigned int n, i;
	LIST_HEAD(reaped);
	long left;
	bool idle;
	int ret;

	out = kvcalloc(max, sizeof(*out), GFP_KERNEL);
	if (!out)
		return -ENOMEM;

	for (;;) {
		n = svmdemo_ctx_take_done(ctx, &reaped, max, &idle);
		if (n)
			break;
		if (idle) {
			ret = -ECHILD;
			goto out_free;
		}
		if (READ_ONCE(ctx->sdev->dead)) {
			ret = -ENODEV;
			goto out_free;
		}
		if (!timeout) {
			ret = polled ? -EAGAIN : -ETIMEDOUT;
			goto out_free;
		}
		left = wait_event_interruptible_timeout(ctx->wq,
							svmdemo_wait_ready(ctx),
							timeout);
		if (left < 0) {
			/* Nothing reaped: the call can simply restart. */
			ret = -ERESTARTSYS;
			goto out_free;
		}
		if (!forever)
			timeout = left;
	}

	i = 0;
	list_for_each_entry(job, &reaped, node)
		out[i++] = job->uj;
	if (copy_to_user(ujobs, out, array_size(n, sizeof(*out)))) {
		/* Nothing is lost: put the completions back. */
		spin_lock_irq(&ctx->lock);
		list_splice(&reaped, &ctx->done);
		ctx->nr_done += n;
		wake_up_all(&ctx->wq);
		spin_unlock_irq(&ctx->lock);
		ret = -EFAULT;
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
	ret = n;
out_free:
	kvfree(out);
	return ret;
}

static int svmdemo_ioctl_wait(struct svmdemo_ctx *ctx,
			      struct svmdemo_wait __user *uwait)
{
	struct svmdemo_wait req;
	unsigned int pending = 0;
	long timeout;
	int n;

	if (copy_from_user(&req, uwait, sizeof(req)))
		return -EFAULT;
	if (req.flags || req.__pad || req.reserved[0] || req.reserved[1])
		return -EINVAL;
	if (!req.count || req.count > SVMDEMO_MAX_JOBS)
		return -EINVAL;
	if (req.timeout_ms == SVMDEMO_WAIT_INFINITE)
		timeout = MAX_SCHEDULE_TIMEOUT;
	else
		timeout = msecs_to_jiffies(req.timeout_ms);

	n = svmdemo_reap(ctx, u64_to_user_ptr(req.jobs), req.count, timeout,
			 &pending);
	if (n < 0)
		return n;
	if (put_user(n, &uwait->completed) ||
	    put_user(pending, &uwait->pending))
		return -EFAULT;
	return 0;
}

/*
 * read(): reap completed asynchronous jobs as whole struct svmdemo_job
 * records; blocks for the first one unless the file is O_NONBLOCK.
 */
static ssize_t svmdemo_read(struct file *file, char __user *buf, size_t len,
			    loff_t *ppos)
{
	struct svmdemo_ctx *ctx = file->private_data;
	size_t max = min_t(size_t, len / sizeof(struct svmdemo_job),
			   SVMDEMO_MAX_JOBS);
	unsigned int pending;
	int n;

	if (!svmdemo_ctx_mm_ok(ctx))
		return -EPERM;
	if (READ_ONCE(ctx->sdev->dead))
		return -ENODEV;
	if (!max)
		return -EINVAL;
	n = svmdemo_reap(ctx, (struct svmdemo_job __user *)buf, max,
			 file->f_flags & O_NONBLOCK ? 0 : MAX_SCHEDULE_TIMEOUT,
			 &pending);
	if (n < 0)
		return n;
	return (ssize_t)n * sizeof(struct svmdemo_job);
}

/*
 * Only the address space that opened the file may use it: a child that
 * inherited the descriptor across fork() would otherwise run jobs under
 * its parent's PASID.
 */
bool svmdemo_ctx_mm_ok(const struct svmdemo_ctx *ctx)
{
	return current->mm == ctx->mm;
}

static long svmdemo_ioctl(struct file *file, unsigned int cmd,
			  unsigned long arg)
{
	struct svmdemo_ctx *ctx = file->private_data;
	void __user *uarg = (void __user *)arg;

	if (!svmdemo_ctx_mm_ok(ctx))
		return -EPERM;
	if (READ_ONCE(ctx->sdev->dead))
		return -ENODEV;

	switch (cmd) {
	case SVMDEMO_IOC_INFO:
		return svmdemo_ioctl_info(ctx, uarg);
	case SVMDEMO_IOC_SUBMIT:
		return svmdemo_ioctl_submit(ctx, file, uarg);
	case SVMDEMO_IOC_WAIT:
		return svmdemo_ioctl_wait(ctx, uarg);
	default:
		return svmdemo_debug_ioctl(ctx, cmd, uarg);
	}
}

static __poll_t svmdemo_poll(struct file *file, poll_table *wait)
{
	struct svmdemo_ctx *ctx = file->private_data;
	__poll_t mask = 0;

	if (!svmdemo_ctx_mm_ok(ctx))
		return EPOLLERR;

	poll_wait(file, &ctx->wq, wait);
	spin_lock_irq(&ctx->lock);
	if (!list_empty(&ctx->done))
		mask |= EPOLLIN | EPOLLRDNORM;
	spin_unlock_irq(&ctx->lock);
	if (READ_ONCE(ctx->sdev->dead))
		mask |= EPOLLERR | EPOLLHUP;
	return mask;
}

/* ---- open and release ---- */

/*
 * Binding an mm takes all of its locks and gives up with -EINTR when a
 * signal or io_uring task work (TIF_NOTIFY_SIGNAL) is pending. Nothing
 * was done yet, so let the kernel run the task work and restart open().
 */
static int svmdemo_restartable(int ret)
{
	return ret == -EINTR && signal_pending(current) ? -ERESTARTSYS : ret;
}

static int svmdemo_open(struct inode *inode, struct file *file)
{
	struct svmdemo_dev *sdev = container_of(inode->i_cdev,
						struct svmdemo_dev, cdev);
	struct svmdemo_ctx *ctx;
	struct iommu_sva *sva;
	int ret;

	/* A kernel thread has no address space to share. */
	if (!current->mm)
		return -EPERM;

	ctx = kzalloc_obj(*ctx);
	if (!ctx)
		return -ENOMEM;
	ctx->nr_ring = kcalloc(sdev->nr_queues, sizeof(*ctx->nr_ring),
			       GFP_KERNEL);
	if (!ctx->nr_ring) {
		kfree(ctx);
		return -ENOMEM;
	}
	kref_init(&ctx->ref);
	spin_lock_init(&ctx->lock);
	init_waitqueue_head(&ctx->wq);
	INIT_LIST_HEAD(&ctx->done);
	INIT_LIST_HEAD(&ctx->node);

	mutex_lock(&sdev->lock);
	if (sdev->dead) {
		ret = -ENODEV;
		goto err_unlock;
	}
	sva = iommu_sva_bind_device(&sdev->pdev->dev, current->mm);
	if (IS_ERR_OR_NULL(sva)) {
		ret = sva ? PTR_ERR(sva) : -ENODEV;
		if (ret == -EINTR) {
			ret = svmdemo_restartable(ret);
			goto err_unlock;
		}
		dev_warn_ratelimited(&sdev->pdev->dev,
				     "SVA bind failed: %d (PASID %s, ATS %s, PRI %s)\n",
				     ret,
				     str_on_off(sdev->pdev->pasid_enabled),
				     str_on_off(sdev->pdev->ats_enabled),
				     str_on_off(sdev->pdev->pri_enabled));
		goto err_unlock;
	}
	ctx->pasid = iommu_sva_get_pasid(sva);
	if (ctx->pasid == IOMMU_PASID_INVALID) {
		iommu_sva_unbind_device(sva);
		ret = -ENODEV;
		goto err_unlock;
	}
	ctx->sva = sva;
	ctx->mm = current->mm;
	mmgrab(ctx->mm);
	get_device(&sdev->cdev_dev);
	ctx->sdev = sdev;
	ctx->queue = (unsigned int)atomic_inc_return(&sdev->next_queue) %
		     sdev->nr_queues;
	list_add_tail(&ctx->node, &sdev->ctxs);
	mutex_unlock(&sdev->lock);

	file->private_data = ctx;
	return nonseekable_open(inode, file);

err_unlock:
	mutex_unlock(&sdev->lock);
	kfree(ctx->nr_ring);
	kfree(ctx);
	return ret;
}

/*
 * Files opened by one process share its PASID: the IOMMU refcounts the
 * bond. Is another file still bound to the PASID of @ctx?
 */
static bool svmdemo_pasid_shared(struct svmdemo_ctx *ctx)
{
	struct svmdemo_ctx *other;

	lockdep_assert_held(&ctx->sdev->lock);

	list_for_each_entry(other, &ctx->sdev->ctxs, node)
		if (other != ctx && other->sva && other->pasid == ctx->pasid)
			return true;
	return false;
}

/* Stop the file's DMA in the device, then give the PASID back. */
static void svmdemo_ctx_unbind(struct svmdemo_ctx *ctx)
{
	lockdep_assert_held(&ctx->sdev->lock);

	if (!ctx->sva)
		return;
	svmdemo_hw_quiesce_pasid(ctx->sdev, ctx, !svmdemo_pasid_shared(ctx));
	/*
	 * Let the page faults the device sent before it stopped finish
	 * before unbinding. If the process is exiting, its mm is gone
	 * already and VT-d tore the PASID entry down without draining;
	 * unbinding the last PASID would then free fault groups whose work
	 * is still queued (use-after-free in iopf_free_group() on Linux 7.3).
	 */
	if (ctx->sdev->pdev->pri_enabled)
		iopf_queue_flush_dev(&ctx->sdev->pdev->dev);
	iommu_sva_unbind_device(ctx->sva);
	ctx->sva = NULL;
	if (ctx->mm_pinned) {
		ctx->mm_pinned = false;
		mmput_async(ctx->mm);
	}
}

static int svmdemo_release(struct inode *inode, struct file *file)
{
	struct svmdemo_ctx *ctx = file->private_data;
	struct svmdemo_dev *sdev = ctx->sdev;
	struct svmdemo_kjob *job, *tmp;
	LIST_HEAD(unreaped);

	/*
	 * No mm check here: release runs for the last holder of the file,
	 * possibly another process or an exiting one without an mm.
	 */
	mutex_lock(&sdev->lock);
	list_del_init(&ctx->node);
	svmdemo_ctx_unbind(ctx);
	mutex_unlock(&sdev->lock);

	/* Jobs still in a ring now run as NOOPs; they free themselves. */
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

	svmdemo_ctx_put(ctx);
	return 0;
}

/*
 * /proc/PID/fdinfo/FD: the file's PASID and counters (jobs submitted and
 * completed, bytes processed, jobs that failed, jobs that faulted: -EFAULT,
 * -EACCES or -ETIMEDOUT, like idxd's cr_faults, and io_uring commands).
 */
static void svmdemo_show_fdinfo(struct seq_file *m, struct file *file)
{
	struct svmdemo_ctx *ctx = file->private_data;
	unsigned int inflight, async;
	u64 sub, cmp, bytes, errs, faults, uring;

	spin_lock_irq(&ctx->lock);
	sub = ctx->stats.submitted;
	cmp = ctx->stats.completed;
	bytes = ctx->stats.bytes;
	errs = ctx->stats.errors;
	faults = ctx->stats.faults;
	uring = ctx->stats.uring;
	inflight = ctx->nr_inflight;
	async = ctx->nr_async;
	spin_unlock_irq(&ctx->lock);

	seq_printf(m, "svmdemo-device:\t%s\n", dev_name(&ctx->sdev->cdev_dev));
	seq_printf(m, "svmdemo-pasid:\t%u\n", ctx->pasid);
	seq_printf(m, "svmdemo-queue:\t%u\n", ctx->queue);
	seq_printf(m, "svmdemo-jobs-submitted:\t%llu\n", sub);
	seq_printf(m, "svmdemo-jobs-completed:\t%llu\n", cmp);
	seq_printf(m, "svmdemo-jobs-in-flight:\t%u\n", inflight);
	seq_printf(m, "svmdemo-jobs-async:\t%u\n", async);
	seq_printf(m, "svmdemo-bytes:\t%llu\n", bytes);
	seq_printf(m, "svmdemo-errors:\t%llu\n", errs);
	seq_printf(m, "svmdemo-faults:\t%llu\n", faults);
	seq_printf(m, "svmdemo-uring-cmds:\t%llu\n", uring);
}

static const struct file_operations svmdemo_fops = {
	.owner		= THIS_MODULE,
	.open		= svmdemo_open,
	.release	= svmdemo_release,
	.read		= svmdemo_read,
	.unlocked_ioctl	= svmdemo_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= svmdemo_poll,
	.uring_cmd	= svmdemo_uring_cmd,
	.show_fdinfo	= svmdemo_show_fdinfo,
};

/**
 * svmdemo_pin_mms - keep the address spaces of bound files until unbound
 * @sdev: device being removed; sdev->lock held
 *
 * A process that sees its jobs fail with -ENODEV may exit while remove()
 * unbinds its PASID; VT-d's mm release notifier then tears the PASID entry
 * down at the same time as the unbind, which Linux 7.3 does not handle
 * (WARN in intel_pasid_tear_down_entry()). Holding mm_users keeps
 * exit_mmap() and that notifier back until svmdemo_ctx_unbind() is done;
 * an mm already past its last mmput() cannot be pinned and is skipped.
 */
void svmdemo_pin_mms(struct svmdemo_dev *sdev)
{
	struct svmdemo_ctx *ctx;

	lockdep_assert_held(&sdev->lock);
	list_for_each_entry(ctx, &sdev->ctxs, node)
		if (ctx->sva && !ctx->mm_pinned)
			ctx->mm_pinned = mmget_not_zero(ctx->mm);
}

/**
 * svmdemo_unbind_all - quiesce and unbind the PASID of every open file
 * @sdev: device being removed, already marked dead, queues stopped
 *
 * The files stay open; their later calls fail with -ENODEV and sleepers
 * are woken so that they notice.
 */
void svmdemo_unbind_all(struct svmdemo_dev *sdev)
{
	struct svmdemo_ctx *ctx;

	mutex_lock(&sdev->lock);
	list_for_each_entry(ctx, &sdev->ctxs, node) {
		svmdemo_ctx_unbind(ctx);
		wake_up_all(&ctx->wq);
	}
	mutex_unlock(&sdev->lock);
}

/* ---- device objects ---- */

static void svmdemo_dev_release(struct device *dev)
{
	struct svmdemo_dev *sdev = container_of(dev, struct svmdemo_dev,
						cdev_dev);

	svmdemo_hw_free(sdev);
	if (!sdev->id_released)
		ida_free(&svmdemo_ida, sdev->id);
	mutex_destroy(&sdev->lock);
	pci_dev_put(sdev->pdev);
	kfree(sdev);
}

/**
 * svmdemo_dev_alloc - allocate the device state and its char device
 * @pdev: PCI function
 *
 * Return: the new device, with one reference (svmdemo_dev_put()), or an
 * ERR_PTR.
 */
struct svmdemo_dev *svmdemo_dev_alloc(struct pci_dev *pdev)
{
	struct svmdemo_dev *sdev;
	int id, ret;

	sdev = kzalloc_obj(*sdev);
	if (!sdev)
		return ERR_PTR(-ENOMEM);
	id = ida_alloc_max(&svmdemo_ida, SVMDEMO_MAX_DEVICES - 1, GFP_KERNEL);
	if (id < 0) {
		kfree(sdev);
		return ERR_PTR(id);
	}

	sdev->id = id;
	sdev->pdev = pci_dev_get(pdev);
	mutex_init(&sdev->lock);
	INIT_LIST_HEAD(&sdev->ctxs);
	atomic_set(&sdev->next_queue, -1);

	/* From here on, put_device() frees everything. */
	device_initialize(&sdev->cdev_dev);
	sdev->cdev_dev.class = &svmdemo_class;
	sdev->cdev_dev.parent = &pdev->dev;
	sdev->cdev_dev.devt = MKDEV(MAJOR(svmdemo_devt), id);
	sdev->cdev_dev.release = svmdemo_dev_release;
	sdev->cdev_dev.groups = svmdemo_groups;
	dev_set_drvdata(&sdev->cdev_dev, sdev);
	ret = dev_set_name(&sdev->cdev_dev, SVMDEMO_NAME "%d", id);
	if (ret) {
		put_device(&sdev->cdev_dev);
		return ERR_PTR(ret);
	}
	cdev_init(&sdev->cdev, &svmdemo_fops);
	sdev->cdev.owner = THIS_MODULE;
	return sdev;
}

void svmdemo_dev_put(struct svmdemo_dev *sdev)
{
	put_device(&sdev->cdev_dev);
}

int svmdemo_cdev_add(struct svmdemo_dev *sdev)
{
	return cdev_device_add(&sdev->cdev, &sdev->cdev_dev);
}

void svmdemo_cdev_del(struct svmdemo_dev *sdev)
{
	cdev_device_del(&sdev->cdev, &sdev->cdev_dev);
	/*
	 * The name and minor are free again: a device probed while files
	 * of this one are still open (rescan, replug) gets them back.
	 */
	ida_free(&svmdemo_ida, sdev->id);
	sdev->id_released = true;
}

int svmdemo_cdev_init(void)
{
	int ret;

	ret = alloc_chrdev_region(&svmdemo_devt, 0, SVMDEMO_MAX_DEVICES,
				  SVMDEMO_NAME);
	if (ret)
		return ret;
	ret = class_register(&svmdemo_class);
	if (ret)
		unregister_chrdev_region(svmdemo_devt, SVMDEMO_MAX_DEVICES);
	return ret;
}

void svmdemo_cdev_exit(void)
{
	class_unregister(&svmdemo_class);
	unregister_chrdev_region(svmdemo_devt, SVMDEMO_MAX_DEVICES);
	ida_destroy(&svmdemo_ida);
}
