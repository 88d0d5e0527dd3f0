// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: the char device /dev/svmdemoN, its file operations and ioctls.
 *
 * open() joins the caller's address space to the device (its SVA bond,
 * svmdemo_bond.c); release() leaves it. The ioctls parse the requests and
 * hand the jobs to svmdemo_job.c; they return 0 or an errno, per-job
 * outcomes travel in the jobs themselves. Only the address space that
 * opened a file may use it.
 */

#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string_choices.h>
#include <linux/uaccess.h>

#include "svmdemo.h"
#include "svmdemo_compat.h"

/* The ABI: same layout for 32-bit and 64-bit user space, no holes. */
static_assert(sizeof(struct svmdemo_job) == 96);
static_assert(sizeof(struct svmdemo_info) == 88);
static_assert(sizeof(struct svmdemo_submit) == 48);
static_assert(sizeof(struct svmdemo_wait) == 48);
static_assert(sizeof(struct svmdemo_completion_record) == 32);
static_assert(sizeof(struct svmdemo_uring_cmd) == 16);
static_assert(offsetof(struct svmdemo_job, cr_addr) ==
	      offsetof(struct svmdemo_job, reserved));

#define SVMDEMO_SUBMIT_FLAGS	(SVMDEMO_SUBMIT_ASYNC | SVMDEMO_SUBMIT_QUEUE)

static dev_t svmdemo_devt;
static DEFINE_IDA(svmdemo_ida);
static const struct class svmdemo_class = {
	.name = SVMDEMO_NAME,
};

/* ---- file contexts ---- */

static void svmdemo_ctx_free(struct kref *ref)
{
	struct svmdemo_ctx *ctx = container_of(ref, struct svmdemo_ctx, ref);

	svmdemo_bond_put(ctx->bond);
	svmdemo_dev_put(ctx->sdev);
	kfree(ctx);
}

void svmdemo_ctx_put(struct svmdemo_ctx *ctx)
{
	kref_put(&ctx->ref, svmdemo_ctx_free);
}

/* ---- ioctls ---- */

static int svmdemo_ioctl_info(struct svmdemo_ctx *ctx,
			      struct svmdemo_info __user *uinfo)
{
	const struct svmdemo_dev *sdev = ctx->sdev;
	struct svmdemo_info info = {
		.abi_version = SVMDEMO_ABI_VERSION,
		.pasid = ctx->bond->pasid,
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

/*
 * One SVMDEMO_IOC_SUBMIT call: the request (its fields checked), its jobs
 * as user space gave them and as the driver runs them. A fenced batch
 * runs behind a barrier of its own: @all[0], @kjobs = @all + 1.
 */
struct svmdemo_submit_call {
	struct svmdemo_submit req;
	struct svmdemo_queue *q;
	bool async;
	bool fence;
	unsigned int count;
	unsigned int total;
	struct svmdemo_job *ujobs;
	struct svmdemo_kjob **all;
	struct svmdemo_kjob **kjobs;
};

/* The queue a request names (SVMDEMO_SUBMIT_QUEUE), else the file's. */
struct svmdemo_queue *svmdemo_pick_queue(struct svmdemo_ctx *ctx, u32 flags,
					 u32 queue)
{
	struct svmdemo_dev *sdev = ctx->sdev;

	if (flags & SVMDEMO_SUBMIT_QUEUE) {
		if (queue >= sdev->nr_queues)
			return ERR_PTR(-EINVAL);
		return &sdev->queues[array_index_nospec(queue,
							sdev->nr_queues)];
	}
	if (queue)
		return ERR_PTR(-EINVAL);
	return &sdev->queues[ctx->queue];
}

/* Read and check the request and its jobs; nothing is allocated for them. */
static int svmdemo_submit_read(struct svmdemo_ctx *ctx,
			       struct svmdemo_submit __user *usubmit,
			       struct svmdemo_submit_call *call)
{
	struct svmdemo_submit *req = &call->req;
	unsigned int i;
	int ret;

	if (copy_from_user(req, usubmit, sizeof(*req)))
		return -EFAULT;
	if ((req->flags & ~SVMDEMO_SUBMIT_FLAGS) || req->__pad ||
	    req->reserved[0] || req->reserved[1])
		return -EINVAL;
	if (!req->count || req->count > SVMDEMO_MAX_JOBS)
		return -EINVAL;
	call->async = req->flags & SVMDEMO_SUBMIT_ASYNC;
	if (call->async && req->timeout_ms)
		return -EINVAL;
	call->q = svmdemo_pick_queue(ctx, req->flags, req->queue);
	if (IS_ERR(call->q))
		return PTR_ERR(call->q);
	call->count = req->count;

	call->ujobs = vmemdup_array_user(u64_to_user_ptr(req->jobs),
					 call->count, sizeof(*call->ujobs));
	if (IS_ERR(call->ujobs)) {
		ret = PTR_ERR(call->ujobs);
		call->ujobs = NULL;
		return ret;
	}
	for (i = 0; i < call->count; i++) {
		ret = svmdemo_job_validate(ctx->sdev, &call->ujobs[i]);
		if (ret)
			return ret;
		if (call->ujobs[i].flags & SVMDEMO_JOB_FENCE)
			call->fence = true;
	}
	/* A fenced batch is posted at once, behind its barrier. */
	if (call->fence && call->count + 1 > ctx->sdev->ring_share)
		return -EINVAL;
	call->total = call->count + call->fence;
	return 0;
}

/* The kernel side of every job of the call (and a fenced batch's barrier). */
static int svmdemo_submit_alloc(struct svmdemo_ctx *ctx,
				struct svmdemo_submit_call *call,
				struct svmdemo_batch *batch)
{
	enum svmdemo_kjob_kind kind = call->async ? SVMDEMO_KJOB_ASYNC :
						    SVMDEMO_KJOB_SYNC;
	unsigned int i;

	call->all = kvcalloc(call->total, sizeof(*call->all), GFP_KERNEL);
	if (!call->all)
		return -ENOMEM;
	call->kjobs = call->all + call->fence;
	for (i = 0; i < call->count; i++) {
		call->kjobs[i] = svmdemo_kjob_alloc(ctx, &call->ujobs[i], kind,
						    batch);
		if (!call->kjobs[i])
			return -ENOMEM;
	}
	if (call->fence) {
		struct svmdemo_job barrier = {
			.opcode = SVMDEMO_OPCODE_NOOP,
		};

		call->all[0] = svmdemo_kjob_alloc(ctx, &barrier,
						  SVMDEMO_KJOB_BARRIER, NULL);
		if (!call->all[0])
			return -ENOMEM;
	}
	return 0;
}

static void svmdemo_submit_free(struct svmdemo_submit_call *call)
{
	unsigned int i;

	if (call->all) {
		for (i = 0; i < call->total; i++)
			if (call->all[i])
				svmdemo_kjob_free(call->all[i]);
		kvfree(call->all);
	}
	kvfree(call->ujobs);
}

/* Wait for a synchronous call's jobs and write them back. */
static int svmdemo_submit_sync_finish(struct svmdemo_ctx *ctx,
				      struct svmdemo_submit_call *call,
				      struct svmdemo_batch *batch,
				      unsigned int posted, int ret)
{
	unsigned int i;

	ret = svmdemo_batch_wait(ctx, batch, call->kjobs, posted,
				 call->req.timeout_ms ?:
				 READ_ONCE(svmdemo_job_timeout_ms), ret);
	if (ret)
		return ret;
	for (i = 0; i < call->count; i++)
		call->ujobs[i] = call->kjobs[i]->uj;
	if (copy_to_user(u64_to_user_ptr(call->req.jobs), call->ujobs,
			 array_size(call->count, sizeof(*call->ujobs))))
		return -EFAULT;
	return 0;
}

static int svmdemo_ioctl_submit(struct svmdemo_ctx *ctx, struct file *file,
				struct svmdemo_submit __user *usubmit)
{
	struct svmdemo_submit_call call = { };
	struct svmdemo_batch batch = { };
	unsigned int i, posted = 0;
	bool nonblock;
	int ret;

	ret = svmdemo_submit_read(ctx, usubmit, &call) ?:
	      svmdemo_submit_alloc(ctx, &call, &batch) ?:
	      svmdemo_jobs_reserve(ctx, &batch, call.count, call.async);
	if (ret)
		goto out_free;

	nonblock = call.async && (file->f_flags & O_NONBLOCK);
	ret = svmdemo_jobs_post(ctx, call.q, call.all, call.total, nonblock,
				call.fence, &posted);
	if (call.fence && posted) {
		call.all[0] = NULL;	/* the barrier belongs to its slot */
		posted--;
	}
	if (posted < call.count)
		svmdemo_jobs_unreserve(ctx, &batch, call.count - posted,
				       call.async);
	/* From here on the posted jobs belong to their queue slots. */

	if (!call.async) {
		ret = svmdemo_submit_sync_finish(ctx, &call, &batch, posted,
						 ret);
	} else {
		/* Async jobs are reaped by SVMDEMO_IOC_WAIT, not freed here. */
		for (i = 0; i < posted; i++)
			call.kjobs[i] = NULL;
	}
	if (put_user(posted, &usubmit->submitted) && !ret)
		ret = -EFAULT;
out_free:
	svmdemo_submit_free(&call);
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

	n = svmdemo_jobs_reap(ctx, u64_to_user_ptr(req.jobs), req.count,
			      timeout, &pending);
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
	n = svmdemo_jobs_reap(ctx, (struct svmdemo_job __user *)buf, max,
			      file->f_flags & O_NONBLOCK ? 0 :
			      MAX_SCHEDULE_TIMEOUT, &pending);
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
	return current->mm == ctx->bond->mm;
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
		return -ENOTTY;
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
	struct svmdemo_bond *bond;
	struct svmdemo_ctx *ctx;
	int ret;

	/* A kernel thread has no address space to share. */
	if (!current->mm)
		return -EPERM;

	ctx = kzalloc_obj(*ctx);
	if (!ctx)
		return -ENOMEM;
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
	bond = svmdemo_bond_get(sdev, current->mm);
	if (IS_ERR(bond)) {
		ret = PTR_ERR(bond);
		if (ret != -EINTR)
			dev_warn_ratelimited(&sdev->pdev->dev,
					     "SVA bind failed: %d (PASID %s, ATS %s, PRI %s)\n",
					     ret,
					     str_on_off(sdev->pdev->pasid_enabled),
					     str_on_off(sdev->pdev->ats_enabled),
					     str_on_off(sdev->pdev->pri_enabled));
		goto err_unlock;
	}
	ctx->bond = bond;
	get_device(&sdev->cdev_dev);
	ctx->sdev = sdev;
	ctx->queue = (unsigned int)atomic_inc_return(&sdev->next_queue) %
		     sdev->nr_queues;
	svmdemo_bond_add_file(bond, ctx);
	mutex_unlock(&sdev->lock);

	file->private_data = ctx;
	return nonseekable_open(inode, file);

err_unlock:
	mutex_unlock(&sdev->lock);
	kfree(ctx);
	return svmdemo_restartable(ret);
}

static int svmdemo_release(struct inode *inode, struct file *file)
{
	struct svmdemo_ctx *ctx = file->private_data;
	struct svmdemo_dev *sdev = ctx->sdev;

	/*
	 * No mm check here: release runs for the last holder of the file,
	 * possibly another process or an exiting one without an mm.
	 */
	mutex_lock(&sdev->lock);
	svmdemo_bond_remove_file(ctx->bond, ctx);
	mutex_unlock(&sdev->lock);
	svmdemo_jobs_release(ctx);
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
	seq_printf(m, "svmdemo-pasid:\t%u\n", ctx->bond->pasid);
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

/* ---- device objects ---- */

static void svmdemo_dev_release(struct device *dev)
{
	struct svmdemo_dev *sdev = container_of(dev, struct svmdemo_dev,
						cdev_dev);

	svmdemo_hw_free(sdev);
	if (!sdev->id_released)
		ida_free(&svmdemo_ida, sdev->id);
	WARN_ON(!xa_empty(&sdev->bonds));
	xa_destroy(&sdev->bonds);
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
	xa_init(&sdev->bonds);
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
