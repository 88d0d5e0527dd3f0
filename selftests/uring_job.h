/* SPDX-License-Identifier: GPL-2.0 */
/*
 * uring_job.h: submit svmdemo jobs with io_uring (liburing).
 *
 * Every job is one IORING_OP_URING_CMD on the /dev/svmdemoN file and gets
 * exactly one CQE: cqe->user_data is what the SQE carried, cqe->res is the
 * job's result (0 or -errno, as struct svmdemo_job.result) or the errno of
 * a refused submission. Two ways to pass the job:
 *
 * 1. By pointer, in an ordinary 64-byte SQE (the 16-byte command area holds
 *    struct svmdemo_uring_cmd). The kernel reads the struct svmdemo_job at
 *    submission and writes its outputs (result, status, bytes_done,
 *    result_value, fault_addr) back before posting the CQE, so the job
 *    must stay valid until then:
 *
 *	struct io_uring ring;
 *	struct io_uring_cqe *cqe;
 *	struct svmdemo_job job = { .opcode = SVMDEMO_OPCODE_FILL, ... };
 *
 *	io_uring_queue_init(64, &ring, 0);
 *	uring_job_prep(io_uring_get_sqe(&ring), fd, &job, 1);
 *	io_uring_submit(&ring);
 *	io_uring_wait_cqe(&ring, &cqe);	// cqe->res == job.result
 *	io_uring_cqe_seen(&ring, cqe);
 *
 * 2. Inline, in a 128-byte SQE (ring set up with IORING_SETUP_SQE128): the
 *    job does not fit 16 bytes, so the 80-byte command area of the big SQE
 *    holds a struct svmdemo_uring_job. Nothing is written back; with
 *    IORING_SETUP_CQE32 the CQE carries result_value (bits 31:0) and
 *    bytes_done (bits 63:32) in cqe->big_cqe[0], and a job with
 *    SVMDEMO_JOB_CR_USER gets the whole outcome in its completion record.
 *
 * Submission never loses a job: a full ring makes the command wait in
 * io_uring's worker (or complete with -EAGAIN on an O_NONBLOCK file).
 * Closing the ring or exiting cancels the commands (-ECANCELED).
 */
#ifndef SVMDEMO_URING_JOB_H
#define SVMDEMO_URING_JOB_H

#include <stdint.h>
#include <string.h>
#include <liburing.h>

#include <linux/svmdemo.h>

/* A job by pointer, in a 64-byte SQE. */
static inline void uring_job_prep(struct io_uring_sqe *sqe, int fd,
				  struct svmdemo_job *job, uint64_t user_data)
{
	struct svmdemo_uring_cmd *cmd;

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = SVMDEMO_URING_CMD_JOB;
	sqe->user_data = user_data;
	cmd = (struct svmdemo_uring_cmd *)sqe->cmd;
	memset(cmd, 0, sizeof(*cmd));
	cmd->job = (uintptr_t)job;
}

/* Run on hardware queue @queue instead of the file's default queue. */
static inline void uring_job_set_queue(struct io_uring_sqe *sqe,
				       unsigned int queue)
{
	struct svmdemo_uring_cmd *cmd = (struct svmdemo_uring_cmd *)sqe->cmd;

	cmd->flags = SVMDEMO_SUBMIT_QUEUE;
	cmd->queue = queue;
}

/* A job inline, in a 128-byte SQE (IORING_SETUP_SQE128). */
static inline void uring_job128_prep(struct io_uring_sqe *sqe, int fd,
				     const struct svmdemo_job *job,
				     uint64_t user_data)
{
	struct svmdemo_uring_job *cmd;

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = SVMDEMO_URING_CMD_JOB128;
	sqe->user_data = user_data;
	cmd = (struct svmdemo_uring_job *)sqe->cmd;
	memset(cmd, 0, sizeof(*cmd));
	cmd->opcode = job->opcode;
	cmd->flags = job->flags;
	cmd->src = job->src;
	cmd->dst = job->dst;
	cmd->len = job->len;
	cmd->operand = job->operand;
	cmd->cr_addr = job->cr_addr;
}

/* The outputs of an inline job, from a 32-byte CQE. */
static inline uint32_t uring_cqe_result_value(const struct io_uring_cqe *cqe)
{
	return (uint32_t)cqe->big_cqe[0];
}

static inline uint32_t uring_cqe_bytes_done(const struct io_uring_cqe *cqe)
{
	return (uint32_t)(cqe->big_cqe[0] >> 32);
}

#endif /* SVMDEMO_URING_JOB_H */
