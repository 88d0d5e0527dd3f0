// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: io_uring submission (file_operations.uring_cmd).
 *
 * One IORING_OP_URING_CMD is one job and gets one CQE. A command is in one
 * of three states, all decided under the file's ctx->lock:
 *
 *  issuing   svmdemo_uring_cmd() posted the job but has not yet armed it
 *            (job->ucmd is NULL). A completion that comes now leaves the
 *            job alone; the issuer sees job->done and posts the CQE itself.
 *  armed     job->ucmd is the command and it is cancelable. The
 *            completion (queue interrupt thread, queue reset, remove())
 *            takes the command and queues task work, which runs in the
 *            submitting task: it writes the outputs back to the user's
 *            job (SVMDEMO_URING_CMD_JOB) and posts the CQE.
 *  orphan    io_uring cancelled the command (ring closed, task exiting):
 *            the CQE (-ECANCELED) is posted at once, the job is withdrawn
 *            from its ring if it has not started, and its completion,
 *            which cannot be skipped since the device owns the slot,
 *            frees it.
 *
 * The command is marked cancelable before it is armed, never after the
 * job could have completed: a command completed by task work on another
 * thread must not be touched again by its issuer.
 */

#include <linux/io_uring/cmd.h>
#include <linux/sched.h>
#include <linux/uaccess.h>

#include "svmdemo.h"
#include "svmdemo_compat.h"

static_assert(sizeof(struct svmdemo_uring_job) <= 80);

/* What the command keeps in its io_uring_cmd.pdu. */
struct svmdemo_uring_pdu {
	struct svmdemo_kjob *job;	/* ctx->lock; NULL once finished */
};

static struct svmdemo_uring_pdu *svmdemo_pdu(struct io_uring_cmd *ioucmd)
{
	return io_uring_cmd_to_pdu(ioucmd, struct svmdemo_uring_pdu);
}

static void svmdemo_uring_post(struct io_uring_cmd *ioucmd, bool cqe32,
			       int res, u64 res2, unsigned int issue_flags)
{
	if (cqe32)
		io_uring_cmd_done32(ioucmd, res, res2, issue_flags);
	else
		io_uring_cmd_done(ioucmd, res, issue_flags);
}

/*
 * Post the CQE of a completed job and free the job. @task_alive: we run
 * in the submitting task (or its io_uring worker) with its mm, so the
 * outputs can be written back to the user's job.
 */
static void svmdemo_uring_finish(struct svmdemo_kjob *job,
				 struct io_uring_cmd *ioucmd,
				 unsigned int issue_flags, bool task_alive)
{
	struct svmdemo_ctx *ctx = job->ctx;
	const struct svmdemo_job *uj = &job->uj;
	bool cqe32 = job->cqe32;
	int res = uj->result;
	u64 res2;

	res2 = (u64)lower_32_bits(uj->bytes_done) << 32 |
	       lower_32_bits(uj->result_value);
	if (job->uptr && task_alive && svmdemo_ctx_mm_ok(ctx)) {
		struct svmdemo_job __user *u = u64_to_user_ptr(job->uptr);
		size_t off = offsetof(struct svmdemo_job, result);

		if (copy_to_user((u8 __user *)u + off, (const u8 *)uj + off,
				 sizeof(*uj) - off))
			res = -EFAULT;
	}

	spin_lock_irq(&ctx->lock);
	svmdemo_pdu(ioucmd)->job = NULL;
	spin_unlock_irq(&ctx->lock);
	svmdemo_kjob_free(job);
	svmdemo_uring_post(ioucmd, cqe32, res, res2, issue_flags);
}

/* Task work queued by svmdemo_uring_job_done(); see svmdemo_compat.h. */
void svmdemo_uring_task_work(struct io_uring_cmd *ioucmd,
			     unsigned int issue_flags, bool task_dead)
{
	struct svmdemo_kjob *job = svmdemo_pdu(ioucmd)->job;

	svmdemo_uring_finish(job, ioucmd, issue_flags, !task_dead);
}

/**
 * svmdemo_uring_job_done - the device completed the job of an armed command
 * @job: the job, outputs filled in
 * @ioucmd: its command, which the caller took from @job under ctx->lock
 *
 * Called from svmdemo_job_complete(), in the queue's interrupt thread or
 * a teardown path: the CQE is posted from the submitter's task work. The
 * task work always posts the command's CQE, so it may be lazy: on a ring
 * with IORING_SETUP_DEFER_TASKRUN the submitter wakes once for as many
 * completions as it waits for, not once per completion.
 */
void svmdemo_uring_job_done(struct svmdemo_kjob *job,
			    struct io_uring_cmd *ioucmd)
{
	io_uring_cmd_do_in_task_lazy(ioucmd, svmdemo_uring_tw);
}

/* IO_URING_F_CANCEL: detach an armed command and post -ECANCELED now. */
static int svmdemo_uring_cancel(struct io_uring_cmd *ioucmd,
				unsigned int issue_flags)
{
	struct svmdemo_ctx *ctx = ioucmd->file->private_data;
	struct svmdemo_kjob *job;
	bool detach = false, cqe32 = false;

	spin_lock_irq(&ctx->lock);
	job = svmdemo_pdu(ioucmd)->job;
	if (job && job->ucmd == ioucmd) {
		detach = true;
		cqe32 = job->cqe32;
		job->ucmd = NULL;
		job->orphan = true;
		svmdemo_pdu(ioucmd)->job = NULL;
		svmdemo_hw_withdraw(job, -ECANCELED);
	}
	spin_unlock_irq(&ctx->lock);

	/* Issuing, or completing in task work: io_uring asks again. */
	if (detach)
		svmdemo_uring_post(ioucmd, cqe32, -ECANCELED, 0, issue_flags);
	return 0;
}

/* Read the job of the command; @uptr: where its outputs go, or 0. */
static int svmdemo_uring_parse(struct io_uring_cmd *ioucmd,
			       unsigned int issue_flags, struct svmdemo_job *uj,
			       u32 *sflags, u32 *queue, u64 *uptr)
{
	const struct svmdemo_uring_job *ij;
	const struct svmdemo_uring_cmd *c;

	memset(uj, 0, sizeof(*uj));
	*uptr = 0;
	switch (ioucmd->cmd_op) {
	case SVMDEMO_URING_CMD_JOB:
		c = io_uring_sqe_cmd(ioucmd->sqe, struct svmdemo_uring_cmd);
		*uptr = READ_ONCE(c->job);
		*sflags = READ_ONCE(c->flags);
		*queue = READ_ONCE(c->queue);
		if (copy_from_user(uj, u64_to_user_ptr(*uptr), sizeof(*uj)))
			return -EFAULT;
		return 0;
	case SVMDEMO_URING_CMD_JOB128:
		if (!(issue_flags & IO_URING_F_SQE128))
			return -EINVAL;
		ij = io_uring_sqe128_cmd(ioucmd->sqe, struct svmdemo_uring_job);
		if (READ_ONCE(ij->reserved[0]) || READ_ONCE(ij->reserved[1]))
			return -EINVAL;
		uj->opcode = READ_ONCE(ij->opcode);
		uj->flags = READ_ONCE(ij->flags);
		uj->src = READ_ONCE(ij->src);
		uj->dst = READ_ONCE(ij->dst);
		uj->len = READ_ONCE(ij->len);
		uj->operand = READ_ONCE(ij->operand);
		uj->cr_addr = READ_ONCE(ij->cr_addr);
		uj->cookie = READ_ONCE(ioucmd->sqe->user_data);
		*sflags = READ_ONCE(ij->submit_flags);
		*queue = READ_ONCE(ij->queue);
		return 0;
	default:
		return -ENOTTY;
	}
}

/* Read, check and allocate the job of a command; ERR_PTR on refusal. */
static struct svmdemo_kjob *svmdemo_uring_job(struct io_uring_cmd *ioucmd,
					      unsigned int issue_flags,
					      struct svmdemo_queue **q)
{
	struct svmdemo_ctx *ctx = ioucmd->file->private_data;
	struct svmdemo_kjob *job;
	struct svmdemo_job uj;
	u32 sflags, queue;
	u64 uptr;
	int ret;

	ret = svmdemo_uring_parse(ioucmd, issue_flags, &uj, &sflags, &queue,
				  &uptr);
	if (ret)
		return ERR_PTR(ret);
	/* A fence orders the jobs of one SVMDEMO_IOC_SUBMIT call. */
	if (uj.flags & SVMDEMO_JOB_FENCE)
		return ERR_PTR(-EINVAL);
	ret = svmdemo_job_validate(ctx->sdev, &uj);
	if (ret)
		return ERR_PTR(ret);
	if (sflags & ~SVMDEMO_SUBMIT_QUEUE)
		return ERR_PTR(-EINVAL);
	*q = svmdemo_pick_queue(ctx, sflags, queue);
	if (IS_ERR(*q))
		return ERR_CAST(*q);

	job = svmdemo_kjob_alloc(ctx, &uj, SVMDEMO_KJOB_URING, NULL);
	if (!job)
		return ERR_PTR(-ENOMEM);
	job->uptr = uptr;
	job->cqe32 = issue_flags & IO_URING_F_CQE32;
	return job;
}

/*
 * The job could not be posted (@ret): drop it and say what the command's
 * result is, or post that result (-EAGAIN on a non-blocking file).
 */
static int svmdemo_uring_not_posted(struct io_uring_cmd *ioucmd,
				    struct svmdemo_kjob *job,
				    unsigned int issue_flags, int ret)
{
	svmdemo_pdu(ioucmd)->job = NULL;
	svmdemo_kjob_free(job);
	/*
	 * Not a syscall: nothing restarts a command. The wait for ring room
	 * runs in io_uring's worker, which only a cancel
	 * (IORING_OP_ASYNC_CANCEL, ring exit) or its exit interrupts: the job
	 * was never queued.
	 */
	if (ret == -ERESTARTSYS)
		ret = -ECANCELED;
	if (ret != -EAGAIN || !(ioucmd->file->f_flags & O_NONBLOCK))
		return ret;
	/* -EAGAIN as a result; returned, it would mean "retry". */
	svmdemo_uring_post(ioucmd, issue_flags & IO_URING_F_CQE32, -EAGAIN, 0,
			   issue_flags);
	return -EIOCBQUEUED;
}

/**
 * svmdemo_uring_cmd - file_operations.uring_cmd: submit one job
 * @ioucmd: the command
 * @issue_flags: IO_URING_F_* from io_uring
 *
 * Return: -EIOCBQUEUED once the job is queued (its CQE comes later),
 * -EAGAIN to be issued again from io_uring's worker, where waiting for
 * ring space is allowed, or the errno of a refused job (that is its CQE).
 */
int svmdemo_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags)
{
	struct svmdemo_ctx *ctx = ioucmd->file->private_data;
	bool nonblock = (ioucmd->file->f_flags & O_NONBLOCK) ||
			(issue_flags & IO_URING_F_NONBLOCK);
	struct svmdemo_kjob *job;
	struct svmdemo_queue *q;
	unsigned int posted;
	bool done;
	int ret;

	if (issue_flags & IO_URING_F_CANCEL)
		return svmdemo_uring_cancel(ioucmd, issue_flags);
	if (issue_flags & IO_URING_F_IOPOLL)
		return -EOPNOTSUPP;
	if (!svmdemo_ctx_mm_ok(ctx))
		return -EPERM;
	if (READ_ONCE(ctx->sdev->dead))
		return -ENODEV;

	job = svmdemo_uring_job(ioucmd, issue_flags, &q);
	if (IS_ERR(job))
		return PTR_ERR(job);
	svmdemo_pdu(ioucmd)->job = job;
	ret = svmdemo_jobs_post(ctx, q, &job, 1, nonblock, false, &posted);
	if (!posted)
		return svmdemo_uring_not_posted(ioucmd, job, issue_flags, ret);

	io_uring_cmd_mark_cancelable(ioucmd, issue_flags);
	spin_lock_irq(&ctx->lock);
	ctx->stats.uring++;
	done = job->done;
	if (!done)
		job->ucmd = ioucmd;
	spin_unlock_irq(&ctx->lock);
	if (done)
		svmdemo_uring_finish(job, ioucmd, issue_flags, true);
	return -EIOCBQUEUED;
}
