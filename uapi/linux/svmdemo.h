/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * svmdemo: user-space ABI of the svmdemo Shared Virtual Memory demo device.
 *
 * Every open() of /dev/svmdemoN binds the caller's address space (mm) to
 * the device and gets a PASID from the IOMMU. Jobs submitted on that file
 * run under that PASID: src/dst are plain virtual addresses of the process
 * that opened the file. Only the process (mm) that opened the file may use
 * it; any other caller (e.g. a child that inherited the fd across fork())
 * gets -EPERM from every call.
 *
 * All structures are fixed size, naturally aligned, free of implicit
 * padding, and identical for 32-bit and 64-bit user space. Fields called
 * reserved or __pad must be zero on input (-EINVAL otherwise) so that they
 * can be given a meaning later; the kernel writes zero into output-only
 * reserved fields.
 */
#ifndef _UAPI_LINUX_SVMDEMO_H
#define _UAPI_LINUX_SVMDEMO_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/* Bumped on any incompatible change; reported by SVMDEMO_IOC_INFO. */
#define SVMDEMO_ABI_VERSION	1

/**
 * enum svmdemo_job_opcode - operation of one job
 * @SVMDEMO_OPCODE_NOOP: do nothing; src, dst, len and operand must be 0.
 *	Completes after every earlier job of the same queue.
 * @SVMDEMO_OPCODE_FILL: fill [dst, dst + len) with the 64-bit pattern
 *	@operand: byte i of dst is byte (i mod 8) of @operand in little-endian
 *	order. src must be 0.
 * @SVMDEMO_OPCODE_COPY: copy len bytes from src to dst. Overlapping ranges
 *	leave dst unspecified.
 * @SVMDEMO_OPCODE_COMPARE: compare len bytes at src and dst (both read only).
 *	On a mismatch the job result is -EILSEQ and result_value holds the
 *	offset of the first differing byte.
 * @SVMDEMO_OPCODE_CRC32C: CRC-32C (Castagnoli, reflected 0x82F63B78, initial
 *	value and final xor 0xFFFFFFFF, as crc32c() in user space libraries)
 *	of [src, src + len), returned in result_value. dst and operand must
 *	be 0.
 * @SVMDEMO_OPCODE_WRITE_PATTERN: the compatible "WRITE" command: byte i of
 *	[dst, dst + len) becomes (i mod 251). src and operand must be 0.
 * @SVMDEMO_OPCODE_READ_CRC8: the compatible "READ" command: CRC-8 (reflected
 *	polynomial 0xAB as crc8_populate_lsb() builds it, initial value 0xFF,
 *	no final xor) of [src, src + len) is returned in result_value and
 *	compared with @operand (0 .. 0xff); a mismatch gives the job result
 *	-EBADMSG. dst must be 0.
 * @SVMDEMO_OPCODE_MAX: number of opcodes; not an opcode.
 *
 * An opcode the driver does not know, or one the device does not report
 * in &svmdemo_info.opcodes, is refused with -EINVAL.
 */
enum svmdemo_job_opcode {
	SVMDEMO_OPCODE_NOOP = 0,
	SVMDEMO_OPCODE_FILL = 1,
	SVMDEMO_OPCODE_COPY = 2,
	SVMDEMO_OPCODE_COMPARE = 3,
	SVMDEMO_OPCODE_CRC32C = 4,
	SVMDEMO_OPCODE_WRITE_PATTERN = 5,
	SVMDEMO_OPCODE_READ_CRC8 = 6,
	SVMDEMO_OPCODE_MAX
};

/*
 * Job flags (&svmdemo_job.flags).
 *
 * SVMDEMO_JOB_UNTRANSLATED: do not use ATS and the device's translation
 *	cache; every access is a PASID-tagged untranslated request that the
 *	IOMMU translates (needs SVMDEMO_CAP_UNTRANSLATED).
 * SVMDEMO_JOB_NO_PRI: fail fast: on a translation miss, do not send a Page
 *	Request to fault the page in; the job fails with -EFAULT, fault_addr
 *	set and bytes_done telling how far it got.
 * SVMDEMO_JOB_PRIVILEGED: run the job as a privileged (supervisor)
 *	request. Never allowed from user space: -EPERM. Defined so that the
 *	refusal can be tested and the bit is never reused.
 * SVMDEMO_JOB_FENCE: run the job only if every earlier job of the same
 *	SVMDEMO_IOC_SUBMIT call since the previous SVMDEMO_JOB_FENCE job (or
 *	since the first job of the call) succeeded; otherwise it completes
 *	with -ECANCELED without running. A job skipped by this rule is not a
 *	failure for the next fence. Jobs of one call always run in order;
 *	the fence only adds "stop after an error". Needs SVMDEMO_CAP_FENCE;
 *	a call with a fence must fit &svmdemo_info.max_fence_jobs (its jobs
 *	are queued at once) and is refused on io_uring (-EINVAL).
 * SVMDEMO_JOB_CR_USER: the device also writes a struct
 *	svmdemo_completion_record to &svmdemo_job.cr_addr (32-byte aligned,
 *	in the caller's memory, faulted in like the data) before the job
 *	completes. Needs SVMDEMO_CAP_CR_USER.
 */
#define SVMDEMO_JOB_UNTRANSLATED	_BITUL(0)
#define SVMDEMO_JOB_NO_PRI		_BITUL(1)
#define SVMDEMO_JOB_PRIVILEGED		_BITUL(2)
#define SVMDEMO_JOB_FENCE		_BITUL(3)
#define SVMDEMO_JOB_CR_USER		_BITUL(4)

/**
 * struct svmdemo_job - one job, in and out
 * @opcode: enum svmdemo_job_opcode.
 * @flags: SVMDEMO_JOB_* flags; unknown bits: -EINVAL.
 * @src: source virtual address (opcodes that read), else 0.
 * @dst: destination virtual address (opcodes that write; the second buffer
 *	of COMPARE), else 0.
 * @len: length in bytes, 0 .. &svmdemo_info.max_len (0 for NOOP).
 *	@src + @len and @dst + @len must not wrap around: -EINVAL.
 * @operand: opcode specific: FILL pattern, READ_CRC8 expected CRC; 0 for
 *	the others.
 * @cookie: opaque to the kernel; returned unchanged, to match completions
 *	of asynchronous jobs to requests (also in the completion record).
 * @reserved: must be zero, except @cr_addr.
 * @cr_addr: with SVMDEMO_JOB_CR_USER, address of the job's struct
 *	svmdemo_completion_record (32-byte aligned), else 0. Shares its
 *	place with @reserved[0].
 * @result: output: 0 on success or a negative errno, see below.
 * @status: output: the device's completion status word without its DONE
 *	bit: bits 7:0 the status code (enum svmdemo_cr_code), bit 8
 *	(SVMDEMO_CR_FAULT_WRITE) the failed access was a write, bit 9
 *	(SVMDEMO_JOB_STATUS_CR_FAILED) the job's completion record could not
 *	be written. For diagnostics; programs should test @result.
 * @bytes_done: output: bytes processed before the job ended.
 * @result_value: output: CRC32C / CRC-8 value, COMPARE mismatch offset.
 * @fault_addr: output: virtual address that could not be translated or
 *	accessed (when @result is -EFAULT, -EACCES or -EIO), else 0.
 *
 * Job results (@result) map the device status to an errno:
 *
 * ==========  ==============================================================
 * 0           success
 * -EFAULT     translation failed: address not mapped and not faultable,
 *             Page Request refused, a miss with SVMDEMO_JOB_NO_PRI, an
 *             address the IOMMU never translates (kernel range, MSI window)
 * -EACCES     write to a page mapped read-only
 * -EPERM      privileged request refused by the device
 * -EINVAL     the device refused the descriptor (bad opcode, length, flags)
 * -EILSEQ     COMPARE: the buffers differ (offset in @result_value)
 * -EBADMSG    READ_CRC8: the CRC differs from @operand
 * -ENXIO      the device refused the PASID (not enabled, out of range)
 * -ETIMEDOUT  no answer to a Page Request in time (device PRI timeout)
 * -ECANCELED  aborted: the file was closed, the queue was reset after a
 *             device error, the io_uring request was cancelled, or a
 *             SVMDEMO_JOB_FENCE job followed a failed job
 * -ENODEV     the device was removed while the job was pending
 * -EIO        any other device error (DMA error after translation)
 * ==========  ==============================================================
 *
 * A job with SVMDEMO_JOB_CR_USER whose completion record cannot be written
 * (the page is unmapped, read-only, or its page request failed) never
 * reports success: @result is the errno of that write (-EFAULT, -EACCES,
 * -ETIMEDOUT, as for data), @fault_addr is &svmdemo_job.cr_addr and
 * SVMDEMO_JOB_STATUS_CR_FAILED is set in @status; its data was processed
 * (@bytes_done). If the job had failed already, it keeps its own @result
 * and @fault_addr, and SVMDEMO_JOB_STATUS_CR_FAILED says the record is
 * missing too. Nobody will find SVMDEMO_CR_DONE in such a record.
 *
 * The ioctl return value never carries a device status: it is 0 when every
 * job ran (whatever its own @result) or a negative errno when the request
 * itself failed.
 */
struct svmdemo_job {
	__u32 opcode;
	__u32 flags;
	__u64 src;
	__u64 dst;
	__u64 len;
	__u64 operand;
	__u64 cookie;
	union {
		__u64 reserved[2];
		struct {
			__u64 cr_addr;
			__u64 __reserved1;
		};
	};
	/* output */
	__s32 result;
	__u32 status;
	__u64 bytes_done;
	__u64 result_value;
	__u64 fault_addr;
};

/*
 * Capabilities (&svmdemo_info.caps).
 *
 * SVMDEMO_CAP_ATS: the device translates through ATS and caches results.
 * SVMDEMO_CAP_PRI: the device faults pages in with Page Requests.
 * SVMDEMO_CAP_UNTRANSLATED: SVMDEMO_JOB_UNTRANSLATED is supported.
 * SVMDEMO_CAP_MSIX: one interrupt vector per queue (else one shared MSI).
 * SVMDEMO_CAP_URING_CMD: jobs can be submitted with io_uring
 *	(IORING_OP_URING_CMD, see SVMDEMO_URING_CMD_JOB).
 * SVMDEMO_CAP_CR_USER: SVMDEMO_JOB_CR_USER is supported.
 * SVMDEMO_CAP_FENCE: SVMDEMO_JOB_FENCE is supported.
 */
#define SVMDEMO_CAP_ATS			_BITULL(0)
#define SVMDEMO_CAP_PRI			_BITULL(1)
#define SVMDEMO_CAP_UNTRANSLATED	_BITULL(2)
#define SVMDEMO_CAP_MSIX		_BITULL(3)
#define SVMDEMO_CAP_URING_CMD		_BITULL(4)
#define SVMDEMO_CAP_CR_USER		_BITULL(5)
#define SVMDEMO_CAP_FENCE		_BITULL(6)

/**
 * struct svmdemo_info - device and file information (SVMDEMO_IOC_INFO)
 * @abi_version: SVMDEMO_ABI_VERSION of the driver.
 * @pasid: PASID the IOMMU gave this file's address space. Read only: user
 *	space never chooses a PASID.
 * @caps: SVMDEMO_CAP_* bits.
 * @opcodes: bit (1 << op) set for every supported enum svmdemo_job_opcode.
 * @nr_queues: number of hardware queues.
 * @ring_size: descriptors per queue ring.
 * @max_jobs: largest &svmdemo_submit.count and &svmdemo_wait.count.
 * @max_async: asynchronous jobs a file may have in flight or completed but
 *	not yet reaped by SVMDEMO_IOC_WAIT.
 * @max_len: largest &svmdemo_job.len.
 * @hw_version: device version register.
 * @queue: queue this file submits to unless SVMDEMO_SUBMIT_QUEUE is given.
 * @max_fence_jobs: largest &svmdemo_submit.count of a call with a
 *	SVMDEMO_JOB_FENCE job.
 * @ring_share: ring slots the jobs of one PASID (of all the files its
 *	process opened) may hold in a queue at a time; more jobs wait (or get
 *	-EAGAIN with O_NONBLOCK), so that one process never fills a ring that
 *	other processes share.
 * @reserved: written as zero.
 */
struct svmdemo_info {
	__u32 abi_version;
	__u32 pasid;
	__u64 caps;
	__u64 opcodes;
	__u32 nr_queues;
	__u32 ring_size;
	__u32 max_jobs;
	__u32 max_async;
	__u64 max_len;
	__u32 hw_version;
	__u32 queue;
	__u32 max_fence_jobs;
	__u32 ring_share;
	__u64 reserved[3];
};

/*
 * Submit flags (&svmdemo_submit.flags).
 *
 * SVMDEMO_SUBMIT_ASYNC: return once the jobs are queued; collect them with
 *	SVMDEMO_IOC_WAIT (poll() reports POLLIN when completions are ready).
 * SVMDEMO_SUBMIT_QUEUE: run the jobs on &svmdemo_submit.queue instead of
 *	the file's default queue.
 */
#define SVMDEMO_SUBMIT_ASYNC		_BITUL(0)
#define SVMDEMO_SUBMIT_QUEUE		_BITUL(1)

/**
 * struct svmdemo_submit - submit jobs (SVMDEMO_IOC_SUBMIT)
 * @jobs: user pointer to an array of @count struct svmdemo_job.
 * @count: number of jobs, 1 .. &svmdemo_info.max_jobs.
 * @flags: SVMDEMO_SUBMIT_* flags; unknown bits: -EINVAL.
 * @queue: queue index with SVMDEMO_SUBMIT_QUEUE (< nr_queues), else 0.
 * @timeout_ms: synchronous submit only: how long to wait for the device;
 *	0 selects the driver default (module parameter job_timeout_ms).
 *	Must be 0 with SVMDEMO_SUBMIT_ASYNC.
 * @submitted: output: number of jobs handed to the device.
 * @__pad: must be zero.
 * @reserved: must be zero.
 *
 * All jobs are checked before any is queued; one bad job fails the whole
 * call and nothing runs. Jobs of one call run on one queue, in order.
 *
 * Synchronous (default): waits until every job completed and writes each
 * job back (outputs filled in). Returns 0 even if jobs failed; see
 * &svmdemo_job.result. If the wait is interrupted by a signal (-EINTR) or
 * times out (-ETIMEDOUT), the jobs not yet finished are abandoned: they
 * still run or are aborted, their results are discarded, and the job array
 * is not written back.
 *
 * The jobs queued together are announced to the device with one doorbell
 * write. More jobs than fit (&svmdemo_info.ring_share) are queued in
 * chunks as earlier ones complete; a call with a SVMDEMO_JOB_FENCE job is
 * always queued at once.
 *
 * Asynchronous: returns 0 when all jobs are queued. If the call fails
 * after some jobs were queued (signal while waiting for ring space,
 * device removal, or ring full with O_NONBLOCK), @submitted says how
 * many; those complete normally and the others were not queued.
 *
 * Errors: -EFAULT (bad pointer), -EINVAL (bad field), -EPERM (another mm,
 * or SVMDEMO_JOB_PRIVILEGED), -EAGAIN (asynchronous limit reached, or ring
 * full with O_NONBLOCK), -EINTR, -ETIMEDOUT, -ENODEV (device removed),
 * -ENOMEM.
 */
struct svmdemo_submit {
	__u64 jobs;
	__u32 count;
	__u32 flags;
	__u32 queue;
	__u32 timeout_ms;
	__u32 submitted;
	__u32 __pad;
	__u64 reserved[2];
};

/* &svmdemo_wait.timeout_ms value: wait until a job completes or a signal. */
#define SVMDEMO_WAIT_INFINITE		0xffffffffU

/**
 * struct svmdemo_wait - collect asynchronous completions (SVMDEMO_IOC_WAIT)
 * @jobs: user pointer to an array of @count struct svmdemo_job that
 *	receives completed jobs (inputs as submitted, including
 *	&svmdemo_job.cookie, and outputs), in completion order.
 * @count: capacity of @jobs, 1 .. &svmdemo_info.max_jobs.
 * @timeout_ms: 0: do not block; SVMDEMO_WAIT_INFINITE: block until at
 *	least one job completes (interruptible); else at most this long.
 * @flags: must be zero.
 * @completed: output: number of jobs written to @jobs.
 * @pending: output: asynchronous jobs of this file still in flight.
 * @__pad: must be zero.
 * @reserved: must be zero.
 *
 * Returns 0 with @completed >= 1. Errors: -EAGAIN (nothing completed and
 * @timeout_ms is 0), -ETIMEDOUT (nothing completed in time), -ECHILD (no
 * asynchronous job in flight or completed, as with wait(2)), -EINTR,
 * -EFAULT, -EINVAL, -EPERM (another mm), -ENODEV (device removed).
 *
 * read(2) on the file reaps the same way: it fills whole struct
 * svmdemo_job records (at most count / sizeof(struct svmdemo_job)) and
 * blocks until one is ready unless the file is O_NONBLOCK (-EAGAIN).
 * poll(2) reports EPOLLIN while completed jobs wait to be reaped, and
 * EPOLLHUP | EPOLLERR once the device is gone.
 */
struct svmdemo_wait {
	__u64 jobs;
	__u32 count;
	__u32 timeout_ms;
	__u32 flags;
	__u32 completed;
	__u32 pending;
	__u32 __pad;
	__u64 reserved[2];
};

/*
 * Completion record status (&svmdemo_completion_record.status): bit 31
 * SVMDEMO_CR_DONE, bits 7:0 the device status code (SVMDEMO_CR_CODE()),
 * bit 8 the failed access was a write.
 */
#define SVMDEMO_CR_DONE			_BITUL(31)
#define SVMDEMO_CR_FAULT_WRITE		_BITUL(8)
#define SVMDEMO_CR_CODE(status)		((status) & 0xffU)

/*
 * &svmdemo_job.status only: the job's completion record
 * (SVMDEMO_JOB_CR_USER) could not be written; see struct svmdemo_job.
 */
#define SVMDEMO_JOB_STATUS_CR_FAILED	_BITUL(9)

/**
 * enum svmdemo_cr_code - device status codes in a completion record
 * @SVMDEMO_CR_SUCCESS: the job ran (result 0).
 * @SVMDEMO_CR_PAGE_FAULT: translation failed (-EFAULT).
 * @SVMDEMO_CR_PERM: write to a read-only page (-EACCES).
 * @SVMDEMO_CR_PRIV: privileged request refused (-EPERM).
 * @SVMDEMO_CR_BAD_OPCODE: unknown opcode (-EINVAL).
 * @SVMDEMO_CR_RESERVED: reserved field set (-EINVAL).
 * @SVMDEMO_CR_LENGTH: length or address range refused (-EINVAL).
 * @SVMDEMO_CR_BAD_PASID: PASID refused (-ENXIO).
 * @SVMDEMO_CR_MISMATCH: COMPARE or READ_CRC8 mismatch (-EILSEQ, -EBADMSG).
 * @SVMDEMO_CR_ABORTED: aborted, or skipped by a fence (-ECANCELED).
 * @SVMDEMO_CR_TIMEOUT: no page request response in time (-ETIMEDOUT).
 * @SVMDEMO_CR_DMA_ERROR: DMA error (-EIO).
 */
enum svmdemo_cr_code {
	SVMDEMO_CR_SUCCESS = 0x00,
	SVMDEMO_CR_PAGE_FAULT = 0x01,
	SVMDEMO_CR_PERM = 0x02,
	SVMDEMO_CR_PRIV = 0x03,
	SVMDEMO_CR_BAD_OPCODE = 0x04,
	SVMDEMO_CR_RESERVED = 0x05,
	SVMDEMO_CR_LENGTH = 0x06,
	SVMDEMO_CR_BAD_PASID = 0x07,
	SVMDEMO_CR_MISMATCH = 0x08,
	SVMDEMO_CR_ABORTED = 0x09,
	SVMDEMO_CR_TIMEOUT = 0x0a,
	SVMDEMO_CR_DMA_ERROR = 0x0b,
};

/**
 * struct svmdemo_completion_record - what the device writes to
 *	&svmdemo_job.cr_addr for a SVMDEMO_JOB_CR_USER job
 * @status: SVMDEMO_CR_DONE | SVMDEMO_CR_FAULT_WRITE | enum svmdemo_cr_code.
 *	Clear it (0) before submitting. The device writes the whole record
 *	after the job's data; read the other fields only after an acquire
 *	load saw SVMDEMO_CR_DONE.
 * @bytes_done: bytes processed.
 * @result_value: as &svmdemo_job.result_value.
 * @fault_addr: as &svmdemo_job.fault_addr.
 * @cookie: &svmdemo_job.cookie of the job.
 *
 * The record is written before the job completes in the kernel, so a
 * program can see a job finish without a system call: spin on @status
 * (with a pause or sched_yield()), or sleep in poll() until the file is
 * readable and then look at its records. An asynchronous job with a
 * record is still reaped by SVMDEMO_IOC_WAIT or read(). A record is not
 * written if the job was refused before it ran for a reserved field or a
 * bad PASID, nor for jobs withdrawn (file closed, device removed).
 */
struct svmdemo_completion_record {
	__u32 status;
	__u32 bytes_done;
	__u64 result_value;
	__u64 fault_addr;
	__u64 cookie;
};

/*
 * io_uring submission (SVMDEMO_CAP_URING_CMD): IORING_OP_URING_CMD with
 * sqe->fd the file, sqe->cmd_op one of the commands below and the command
 * in sqe->cmd. Each command is one job and produces one CQE:
 *   cqe->res     0 or the job's negative errno (&svmdemo_job.result), or
 *                the errno of a refused submission (as SVMDEMO_IOC_SUBMIT);
 *   cqe->big_cqe[0] (rings with IORING_SETUP_CQE32 only):
 *                &svmdemo_job.result_value in bits 31:0 and
 *                &svmdemo_job.bytes_done in bits 63:32.
 * Submission never loses a job: when the ring of the queue is full the
 * command waits for room (in io_uring's worker), or completes with
 * -EAGAIN if the file is O_NONBLOCK.
 *
 * Cancelling:
 *  - closing the ring or exiting the task cancels every command: its CQE
 *    is -ECANCELED at once and its job is withdrawn from the device if it
 *    has not started (it then does nothing);
 *  - IORING_OP_ASYNC_CANCEL of a command still waiting for ring room
 *    ends the wait: the cancel's CQE is -EALREADY (or 0), the command's
 *    is -ECANCELED, and its job was never queued;
 *  - IORING_OP_ASYNC_CANCEL of a command whose job is queued in the
 *    device does not reach the driver (io_uring offers drivers no such
 *    cancel): the cancel's CQE is -ENOENT and the job completes normally.
 */

/**
 * struct svmdemo_uring_cmd - SVMDEMO_URING_CMD_JOB, 16 bytes: fits a
 *	64-byte SQE
 * @job: user pointer to a struct svmdemo_job; read at submission, outputs
 *	(&svmdemo_job.result and the fields after it) written back before
 *	the CQE is posted. It must stay valid until then.
 * @flags: SVMDEMO_SUBMIT_QUEUE or 0.
 * @queue: queue index with SVMDEMO_SUBMIT_QUEUE, else 0.
 */
struct svmdemo_uring_cmd {
	__u64 job;
	__u32 flags;
	__u32 queue;
};

/**
 * struct svmdemo_uring_job - SVMDEMO_URING_CMD_JOB128, the job inline in a
 *	128-byte SQE (IORING_SETUP_SQE128); nothing is written back
 * @opcode: as &svmdemo_job.opcode.
 * @flags: as &svmdemo_job.flags.
 * @src: as &svmdemo_job.src.
 * @dst: as &svmdemo_job.dst.
 * @len: as &svmdemo_job.len.
 * @operand: as &svmdemo_job.operand.
 * @cr_addr: as &svmdemo_job.cr_addr; with SVMDEMO_JOB_CR_USER the record
 *	carries the whole outcome (cookie: the SQE's user_data). A record
 *	that cannot be written makes the CQE's res an errno (see struct
 *	svmdemo_job), so a program never waits for a record that will not
 *	come when the CQE says 0.
 * @submit_flags: SVMDEMO_SUBMIT_QUEUE or 0.
 * @queue: queue index with SVMDEMO_SUBMIT_QUEUE, else 0.
 * @reserved: must be zero.
 */
struct svmdemo_uring_job {
	__u32 opcode;
	__u32 flags;
	__u64 src;
	__u64 dst;
	__u64 len;
	__u64 operand;
	__u64 cr_addr;
	__u32 submit_flags;
	__u32 queue;
	__u64 reserved[2];
};

#define SVMDEMO_IOC_MAGIC	0xE5

/**
 * define SVMDEMO_IOC_INFO - read struct svmdemo_info
 *
 * Fills the whole structure; nothing is read from user space.
 * Errors: -EFAULT, -EPERM (another mm), -ENODEV (device removed).
 */
#define SVMDEMO_IOC_INFO	_IOR(SVMDEMO_IOC_MAGIC, 0x00, struct svmdemo_info)

/**
 * define SVMDEMO_IOC_SUBMIT - submit jobs, see struct svmdemo_submit
 */
#define SVMDEMO_IOC_SUBMIT	_IOWR(SVMDEMO_IOC_MAGIC, 0x01, struct svmdemo_submit)

/**
 * define SVMDEMO_IOC_WAIT - reap asynchronous jobs, see struct svmdemo_wait
 */
#define SVMDEMO_IOC_WAIT	_IOWR(SVMDEMO_IOC_MAGIC, 0x02, struct svmdemo_wait)

/**
 * define SVMDEMO_URING_CMD_JOB - io_uring: one job by pointer,
 *	struct svmdemo_uring_cmd in a 64-byte SQE
 */
#define SVMDEMO_URING_CMD_JOB	_IOWR(SVMDEMO_IOC_MAGIC, 0x10, struct svmdemo_uring_cmd)

/**
 * define SVMDEMO_URING_CMD_JOB128 - io_uring: one job inline,
 *	struct svmdemo_uring_job in a 128-byte SQE
 */
#define SVMDEMO_URING_CMD_JOB128 _IOW(SVMDEMO_IOC_MAGIC, 0x11, struct svmdemo_uring_job)

#endif /* _UAPI_LINUX_SVMDEMO_H */
