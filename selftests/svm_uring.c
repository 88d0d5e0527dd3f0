// SPDX-License-Identifier: GPL-2.0
/*
 * svm_uring: jobs submitted with io_uring (IORING_OP_URING_CMD). Mixed
 * opcodes at queue depths 1, 64 and 256 with every completion matched one
 * to one to its submission and its data checked; jobs inline in 128-byte
 * SQEs with results in 32-byte CQEs; refused jobs complete with their
 * errno; an O_NONBLOCK file gets -EAGAIN instead of waiting; closing the
 * ring and SIGKILL with hundreds of jobs in flight cancel cleanly and give
 * the PASID back.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"
#include "svm_fixture.h"

#define SLOT_LEN	(8 << 10)

/* One in-flight job and what it must produce. */
struct slot {
	struct svmdemo_job job;
	uint8_t *src, *dst;
	uint8_t ref[SLOT_LEN];
	size_t len;
	bool busy;
	uint64_t want_value;
	int want_res;
};

static void slot_prepare(struct slot *s, uint64_t *seed, unsigned int n)
{
	static const __u32 ops[] = {
		SVMDEMO_OPCODE_FILL, SVMDEMO_OPCODE_COPY,
		SVMDEMO_OPCODE_CRC32C, SVMDEMO_OPCODE_WRITE_PATTERN,
		SVMDEMO_OPCODE_READ_CRC8, SVMDEMO_OPCODE_NOOP,
		SVMDEMO_OPCODE_COMPARE,
	};
	__u32 op = ops[n % ARRAY_SIZE(ops)];
	uint64_t pat = rnd64(seed);
	size_t i, len = 1 + rnd64(seed) % SLOT_LEN;

	rnd_fill(seed, s->src, SLOT_LEN);
	rnd_fill(seed, s->dst, SLOT_LEN);
	memcpy(s->ref, s->dst, SLOT_LEN);
	s->len = len;
	s->want_res = 0;
	s->want_value = 0;
	switch (op) {
	case SVMDEMO_OPCODE_FILL:
		s->job = svm_job(op, NULL, s->dst, len, pat);
		for (i = 0; i < len; i++)
			s->ref[i] = ref_fill(pat, i);
		break;
	case SVMDEMO_OPCODE_COPY:
		s->job = svm_job(op, s->src, s->dst, len, 0);
		memcpy(s->ref, s->src, len);
		break;
	case SVMDEMO_OPCODE_CRC32C:
		s->job = svm_job(op, s->src, NULL, len, 0);
		s->want_value = ref_crc32c(s->src, len);
		break;
	case SVMDEMO_OPCODE_WRITE_PATTERN:
		s->job = svm_job(op, NULL, s->dst, len, 0);
		for (i = 0; i < len; i++)
			s->ref[i] = ref_pattern(i);
		break;
	case SVMDEMO_OPCODE_READ_CRC8:
		s->job = svm_job(op, s->src, NULL, len, ref_crc8(s->src, len));
		s->want_value = ref_crc8(s->src, len);
		break;
	case SVMDEMO_OPCODE_NOOP:
		s->job = svm_job(op, NULL, NULL, 0, 0);
		s->len = 0;
		break;
	default:
		/* COMPARE of src with itself but one byte. */
		memcpy(s->dst, s->src, len);
		i = rnd64(seed) % len;
		s->dst[i] ^= 0x5a;
		memcpy(s->ref, s->dst, SLOT_LEN);
		s->job = svm_job(op, s->src, s->dst, len, 0);
		s->want_res = -EILSEQ;
		s->want_value = i;
		break;
	}
	s->job.cookie = n;
}

/* Check a completed slot; returns false (and logs) on any difference. */
static bool slot_check(struct __test_metadata *_metadata, struct slot *s,
		       int res)
{
	EXPECT_EQ(s->want_res, res) {
		TH_LOG("opcode %u len %zu: status %#x", s->job.opcode, s->len,
		       s->job.status);
		return false;
	}
	EXPECT_EQ(s->want_res, s->job.result)
		return false;
	if (s->job.opcode == SVMDEMO_OPCODE_CRC32C ||
	    s->job.opcode == SVMDEMO_OPCODE_READ_CRC8 ||
	    s->job.opcode == SVMDEMO_OPCODE_COMPARE)
		EXPECT_EQ(s->want_value, s->job.result_value)
			return false;
	if (!s->want_res)
		EXPECT_EQ((__u64)s->len, s->job.bytes_done)
			return false;
	EXPECT_EQ(0, memcmp(s->ref, s->dst, SLOT_LEN)) {
		TH_LOG("opcode %u len %zu: destination differs",
		       s->job.opcode, s->len);
		return false;
	}
	return true;
}

FIXTURE(uring)
{
	int fd;
	struct svmdemo_info info;
};

FIXTURE_VARIANT(uring)
{
	unsigned int depth;
	bool spread;	/* round robin over the queues */
};

FIXTURE_VARIANT_ADD(uring, qd1) { .depth = 1 };
FIXTURE_VARIANT_ADD(uring, qd64) { .depth = 64 };
FIXTURE_VARIANT_ADD(uring, qd256) { .depth = 256 };
FIXTURE_VARIANT_ADD(uring, qd256_all_queues) { .depth = 256, .spread = true };

FIXTURE_SETUP(uring)
{
	self->fd = svm_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", SVM_DEV, strerror(errno));
	ASSERT_EQ(0, svm_get_info(self->fd, &self->info));
	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_URING_CMD));
}

FIXTURE_TEARDOWN(uring)
{
	close(self->fd);
}

/*
 * Keep @depth mixed jobs in flight until 3 * depth (at least 64) have
 * completed; every CQE must match exactly one outstanding submission.
 */
TEST_F(uring, mixed_opcodes_complete_one_to_one)
{
	unsigned int depth = variant->depth;
	unsigned int total = depth * 3 < 64 ? 64 : depth * 3;
	unsigned int sent = 0, done = 0, inflight = 0, i;
	struct slot *slots = calloc(depth, sizeof(*slots));
	uint8_t *mem = map_anon(2UL * depth * SLOT_LEN,
				PROT_READ | PROT_WRITE);
	uint64_t seed = 0x0123 + depth;
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned int *seen = calloc(total, sizeof(*seen));

	ASSERT_TRUE(!!(slots && mem && seen));
	ASSERT_EQ(0, io_uring_queue_init(depth, &ring, 0));
	for (i = 0; i < depth; i++) {
		slots[i].src = mem + 2UL * i * SLOT_LEN;
		slots[i].dst = slots[i].src + SLOT_LEN;
	}

	while (done < total) {
		/* Refill every free slot, then submit them all at once. */
		for (i = 0; i < depth && sent < total; i++) {
			struct io_uring_sqe *sqe;

			if (slots[i].busy)
				continue;
			sqe = io_uring_get_sqe(&ring);
			ASSERT_NE(NULL, sqe);
			slot_prepare(&slots[i], &seed, sent);
			uring_job_prep(sqe, self->fd, &slots[i].job,
				       (uint64_t)sent << 16 | i);
			if (variant->spread)
				uring_job_set_queue(sqe,
						    sent % self->info.nr_queues);
			slots[i].busy = true;
			sent++;
			inflight++;
		}
		ASSERT_LE(0, io_uring_submit(&ring));

		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		do {
			unsigned int s = cqe->user_data & 0xffff;
			unsigned int n = cqe->user_data >> 16;
			int res = cqe->res;

			io_uring_cqe_seen(&ring, cqe);
			ASSERT_LT(s, depth);
			ASSERT_LT(n, total);
			ASSERT_EQ(0U, seen[n]++)
				TH_LOG("job %u completed twice", n);
			ASSERT_TRUE(slots[s].busy);
			ASSERT_EQ((__u64)n, slots[s].job.cookie);
			ASSERT_TRUE(slot_check(_metadata, &slots[s], res));
			slots[s].busy = false;
			done++;
			inflight--;
		} while (io_uring_peek_cqe(&ring, &cqe) == 0);
	}
	for (i = 0; i < total; i++)
		ASSERT_EQ(1U, seen[i]);
	/* Nothing more comes. */
	EXPECT_EQ(-EAGAIN, io_uring_peek_cqe(&ring, &cqe));
	io_uring_queue_exit(&ring);
	munmap(mem, 2UL * depth * SLOT_LEN);
	free(slots);
	free(seen);
}

/* 128-byte SQEs carry the job, 32-byte CQEs the CRC and byte count. */
TEST_F(svm, inline_jobs_in_sqe128_results_in_cqe32)
{
	struct svmdemo_completion_record *cr;
	uint8_t *buf = map_anon(64 << 10, PROT_READ | PROT_WRITE);
	struct io_uring_cqe *cqe;
	struct svmdemo_job j;
	struct io_uring ring;
	uint64_t seed = 77;
	unsigned int i, n = 32;

	ASSERT_NE(NULL, buf);
	cr = aligned_alloc(32, n * sizeof(*cr));
	ASSERT_NE(NULL, cr);
	memset(cr, 0, n * sizeof(*cr));
	rnd_fill(&seed, buf, 64 << 10);
	ASSERT_EQ(0, io_uring_queue_init(n, &ring, IORING_SETUP_SQE128 |
					 IORING_SETUP_CQE32));
	for (i = 0; i < n; i++) {
		j = svm_job(SVMDEMO_OPCODE_CRC32C, buf + i * 1000, NULL,
			    1000 + i, 0);
		j.flags = SVMDEMO_JOB_CR_USER;
		j.cr_addr = (uintptr_t)&cr[i];
		uring_job128_prep(io_uring_get_sqe(&ring), self->fd, &j,
				  0xab0000 + i);
	}
	ASSERT_EQ((int)n, io_uring_submit(&ring));
	for (i = 0; i < n; i++) {
		unsigned int k;

		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		k = cqe->user_data - 0xab0000;
		ASSERT_LT(k, n);
		EXPECT_EQ(0, cqe->res);
		EXPECT_EQ(ref_crc32c(buf + k * 1000, 1000 + k),
			  uring_cqe_result_value(cqe));
		EXPECT_EQ(1000 + k, uring_cqe_bytes_done(cqe));
		/* The record was written before the CQE. */
		EXPECT_TRUE(!!(cr[k].status & SVMDEMO_CR_DONE));
		EXPECT_EQ((__u32)SVMDEMO_CR_SUCCESS,
			  SVMDEMO_CR_CODE(cr[k].status));
		EXPECT_EQ(cqe->user_data, cr[k].cookie);
		EXPECT_EQ(1000 + k, cr[k].bytes_done);
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	free(cr);
	munmap(buf, 64 << 10);
}

/*
 * A record that cannot be written makes the CQE an errno: by pointer the
 * job's outputs say the same, inline (where the record would carry the
 * whole outcome) the CQE alone does.
 */
TEST_F(svm, completion_record_that_cannot_be_written_fails_the_cqe)
{
	uint8_t *buf = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	uint8_t *ro = map_anon(PAGE_SZ, PROT_READ);
	/* Never mapped (a munmapped hole could be reused by the ring). */
	void *hole = (void *)0x1000;
	struct io_uring ring, ring128;
	struct io_uring_cqe *cqe;
	struct svmdemo_job j, k;

	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_CR_USER));
	ASSERT_TRUE(buf && ro);
	ASSERT_EQ(0, ro[0]);
	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	ASSERT_EQ(0, io_uring_queue_init(4, &ring128, IORING_SETUP_SQE128 |
					 IORING_SETUP_CQE32));

	j = svm_job(SVMDEMO_OPCODE_FILL, NULL, buf, PAGE_SZ, 0x4545454545454545);
	j.flags = SVMDEMO_JOB_CR_USER;
	j.cr_addr = (uintptr_t)ro;
	uring_job_prep(io_uring_get_sqe(&ring), self->fd, &j, 1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	EXPECT_EQ(-EACCES, cqe->res);
	io_uring_cqe_seen(&ring, cqe);
	EXPECT_EQ(-EACCES, j.result);
	EXPECT_EQ((__u64)(uintptr_t)ro, j.fault_addr);
	EXPECT_TRUE(!!(j.status & SVMDEMO_JOB_STATUS_CR_FAILED));
	EXPECT_EQ(0x45, buf[PAGE_SZ - 1]);

	k = svm_job(SVMDEMO_OPCODE_FILL, NULL, buf, PAGE_SZ, 0x4646464646464646);
	k.flags = SVMDEMO_JOB_CR_USER;
	k.cr_addr = (uintptr_t)hole;
	uring_job128_prep(io_uring_get_sqe(&ring128), self->fd, &k, 2);
	ASSERT_EQ(1, io_uring_submit(&ring128));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring128, &cqe));
	EXPECT_EQ(-EFAULT, cqe->res);
	EXPECT_EQ(PAGE_SZ, uring_cqe_bytes_done(cqe));
	io_uring_cqe_seen(&ring128, cqe);
	EXPECT_EQ(0x46, buf[PAGE_SZ - 1]);

	io_uring_queue_exit(&ring128);
	io_uring_queue_exit(&ring);
	munmap(ro, PAGE_SZ);
	munmap(buf, PAGE_SZ);
}

/* A refused job is a CQE with the errno, never a lost or hung request. */
TEST_F(svm, refused_jobs_complete_with_their_errno)
{
	struct svmdemo_job priv = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	struct svmdemo_job fence = priv, bad = priv, fault;
	/* Never mapped (a munmapped hole could be reused by the ring). */
	void *hole = (void *)0x1000;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;
	int want[5] = { -EPERM, -EINVAL, -EINVAL, -ENOTTY, -EFAULT };
	int got[5], i;

	priv.flags = SVMDEMO_JOB_PRIVILEGED;
	fence.flags = SVMDEMO_JOB_FENCE;
	bad.len = 1;
	fault = svm_job(SVMDEMO_OPCODE_FILL, NULL, hole, 64, 0);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	uring_job_prep(io_uring_get_sqe(&ring), self->fd, &priv, 0);
	uring_job_prep(io_uring_get_sqe(&ring), self->fd, &fence, 1);
	uring_job_prep(io_uring_get_sqe(&ring), self->fd, &bad, 2);
	sqe = io_uring_get_sqe(&ring);
	uring_job_prep(sqe, self->fd, &bad, 3);
	sqe->cmd_op = 0x1234;
	uring_job_prep(io_uring_get_sqe(&ring), self->fd, &fault, 4);
	ASSERT_EQ(5, io_uring_submit(&ring));
	for (i = 0; i < 5; i++) {
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		ASSERT_LT(cqe->user_data, 5ULL);
		got[cqe->user_data] = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	for (i = 0; i < 5; i++)
		EXPECT_EQ(want[i], got[i]) TH_LOG("job %d", i);
	EXPECT_EQ(-EFAULT, fault.result);
	EXPECT_EQ((__u64)(uintptr_t)hole, fault.fault_addr);
	io_uring_queue_exit(&ring);
}

/*
 * O_NONBLOCK: a full share of the ring gives -EAGAIN CQEs, nothing lost.
 * The queue is held full: its first job waits for a page group while page
 * request service is frozen, and the others queue behind it.
 */
TEST_F_TIMEOUT(svm, nonblocking_file_gets_eagain_when_queue_full, 120)
{
	unsigned int share = self->info.ring_share, n = share + 64;
	struct svmdemo_job *jobs = calloc(n, sizeof(*jobs));
	unsigned int i, ok = 0, again = 0;
	long long groups = svm_counter("pri_groups");
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	struct freeze f;
	uint8_t *mem, *cold;
	bool waited;
	int fd;

	fd = open(SVM_DEV, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	ASSERT_NE(NULL, jobs);
	mem = slow_jobs(jobs, n, PAGE_SZ);
	ASSERT_NE(NULL, mem);
	memset(mem, 0, n * PAGE_SZ);
	cold = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);	/* never touched */
	ASSERT_NE(NULL, cold);
	jobs[0].dst = (uintptr_t)cold;
	ASSERT_EQ(0, io_uring_queue_init(512, &ring, 0));

	ASSERT_EQ(0, freeze_begin(&f));
	sqe = io_uring_get_sqe(&ring);
	uring_job_prep(sqe, fd, &jobs[0], 0);
	uring_job_set_queue(sqe, 0);
	io_uring_submit(&ring);
	waited = device_waits_on_group(groups);
	for (i = 1; waited && i < n; i++) {
		sqe = io_uring_get_sqe(&ring);
		uring_job_prep(sqe, fd, &jobs[i], i);
		uring_job_set_queue(sqe, 0);
	}
	if (waited)
		io_uring_submit(&ring);
	freeze_end(&f);
	ASSERT_TRUE(waited) TH_LOG("the first job never waited for a page group");

	for (i = 0; i < n; i++) {
		ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
		if (cqe->res == -EAGAIN)
			again++;
		else if (cqe->res == 0)
			ok++;
		else
			TH_LOG("job %llu: %d", cqe->user_data, cqe->res);
		io_uring_cqe_seen(&ring, cqe);
	}
	/* The first job and share - 1 behind it fit; the rest did not. */
	EXPECT_EQ(share, ok);
	EXPECT_EQ(n - share, again);
	io_uring_queue_exit(&ring);
	close(fd);
	munmap(mem, n * PAGE_SZ);
	munmap(cold, PAGE_SZ);
	free(jobs);
}

/* Submit IORING_OP_ASYNC_CANCEL of @user_data as request @tag. */
static void submit_cancel(struct io_uring *ring, uint64_t user_data,
			  uint64_t tag)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	io_uring_prep_cancel64(sqe, user_data, 0);
	sqe->user_data = tag;
}

/* The CQEs of requests @a and @b, in either order. */
static int two_cqes(struct io_uring *ring, uint64_t a, int *res_a,
		    uint64_t b, int *res_b)
{
	struct io_uring_cqe *cqe;

	for (int i = 0; i < 2; i++) {
		if (io_uring_wait_cqe(ring, &cqe))
			return -1;
		if (cqe->user_data == a)
			*res_a = cqe->res;
		else if (cqe->user_data == b)
			*res_b = cqe->res;
		else
			return -1;
		io_uring_cqe_seen(ring, cqe);
	}
	return 0;
}

/*
 * The file holds its whole share of the ring with slow asynchronous jobs,
 * so a command has to wait for room in io_uring's worker. Cancelling it
 * there ends the wait: its CQE is -ECANCELED and its job never runs.
 */
TEST_F_TIMEOUT(svm, async_cancel_of_a_command_waiting_for_ring_room_cancels_it, 120)
{
	unsigned int n = self->info.ring_share, c, i;
	struct svmdemo_job *jobs = calloc(n + 1, sizeof(*jobs));
	int res_cmd = 1, res_cancel = 1;
	struct io_uring ring;
	uint8_t *mem;

	ASSERT_NE(NULL, jobs);
	/*
	 * The first job faults in 256 MiB; the NOOPs behind it hold their
	 * slots until it is done. Job n, the command, fills the last 1 MiB.
	 */
	mem = slow_jobs(jobs, 1, 257 << 20);
	ASSERT_NE(NULL, mem);
	jobs[0].len = 256 << 20;
	for (i = 1; i < n; i++)
		jobs[i] = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	jobs[n] = svm_job(SVMDEMO_OPCODE_FILL, NULL, mem + (256 << 20),
			  1 << 20, 0x7f7f7f7f7f7f7f7fULL);
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	ASSERT_EQ(0, svm_submit_async(self->fd, jobs, n, &c));
	ASSERT_EQ(n, c);
	uring_job_prep(io_uring_get_sqe(&ring), self->fd, &jobs[n], 1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(50000);
	submit_cancel(&ring, 1, 2);
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, two_cqes(&ring, 1, &res_cmd, 2, &res_cancel));
	EXPECT_EQ(-ECANCELED, res_cmd);
	/* Running in the worker: -EALREADY; not started yet: 0. */
	EXPECT_TRUE(res_cancel == -EALREADY || res_cancel == 0)
		TH_LOG("cancel: %d", res_cancel);
	EXPECT_EQ(n, svm_reap_all(self->fd, jobs, n));
	EXPECT_EQ(0, svm_sysfs_wait("jobs_in_flight", 0, 30));
	/* The cancelled job never ran. */
	EXPECT_EQ(0, mem[256 << 20]);
	EXPECT_EQ(0, mem[(257 << 20) - 1]);
	io_uring_queue_exit(&ring);
	munmap(mem, 257 << 20);
	free(jobs);
}

/*
 * A command whose job is queued in the device: io_uring does not pass
 * IORING_OP_ASYNC_CANCEL on to drivers, so the cancel finds nothing
 * (-ENOENT) and the job completes normally. Should a kernel ever pass it
 * on, the cancel must succeed and the job end with -ECANCELED: either
 * way the two CQEs agree.
 */
TEST_F_TIMEOUT(svm, async_cancel_of_a_queued_command_leaves_it_to_complete, 120)
{
	struct svmdemo_job job;
	int res_cmd = 1, res_cancel = 1;
	struct io_uring ring;
	uint8_t *mem;

	mem = slow_jobs(&job, 1, 16 << 20);
	ASSERT_NE(NULL, mem);
	job.operand = 0x5a5a5a5a5a5a5a5aULL;
	ASSERT_EQ(0, io_uring_queue_init(8, &ring, 0));
	uring_job_prep(io_uring_get_sqe(&ring), self->fd, &job, 1);
	ASSERT_EQ(1, io_uring_submit(&ring));
	usleep(1000);
	submit_cancel(&ring, 1, 2);
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, two_cqes(&ring, 1, &res_cmd, 2, &res_cancel));
	if (res_cancel == -ENOENT) {
		EXPECT_EQ(0, res_cmd);
		EXPECT_EQ(0x5a, mem[(16 << 20) - 1]);
	} else {
		EXPECT_EQ(0, res_cancel);
		EXPECT_EQ(-ECANCELED, res_cmd);
	}
	TH_LOG("cancel %d, command %d", res_cancel, res_cmd);
	EXPECT_EQ(0, svm_sysfs_wait("jobs_in_flight", 0, 30));
	io_uring_queue_exit(&ring);
	munmap(mem, 16 << 20);
}

/*
 * io_uring_queue_exit() with 256 slow jobs in flight: the ring goes away,
 * the jobs are cancelled or finish, nothing leaks, and the file still works.
 */
TEST_F_TIMEOUT(svm, queue_exit_cancels_jobs_in_flight, 120)
{
	unsigned int n = 256, i;
	struct svmdemo_job *jobs = calloc(n, sizeof(*jobs));
	struct io_uring ring;
	uint8_t *mem;
	uint64_t v = 0;

	ASSERT_NE(NULL, jobs);
	mem = slow_jobs(jobs, n, 256 << 10);
	ASSERT_NE(NULL, mem);
	ASSERT_EQ(0, io_uring_queue_init(n, &ring, 0));
	for (i = 0; i < n; i++)
		uring_job_prep(io_uring_get_sqe(&ring), self->fd, &jobs[i], i);
	ASSERT_EQ((int)n, io_uring_submit(&ring));
	usleep(20000);
	io_uring_queue_exit(&ring);

	/* The file is not closed: its PASID stays, the ring drains. */
	EXPECT_EQ(0, svm_sysfs_wait("jobs_in_flight", 0, 30));
	ASSERT_EQ(0, svm_fill(self->fd, &v, sizeof(v), 0x1122334455667788));
	EXPECT_EQ(0x1122334455667788ULL, v);
	munmap(mem, n * (256 << 10));
	free(jobs);
}

/*
 * A process killed with 256 jobs in flight, five times: each time the
 * PASID count comes back to where it was and the rings drain.
 */
TEST_F_TIMEOUT(svm, sigkill_with_256_jobs_in_flight_releases_pasid, 300)
{
	long long base = svm_sysfs("pasids");
	int round;

	ASSERT_LE(1, base);
	for (round = 0; round < 5; round++) {
		int p[2], status;
		pid_t pid;
		char c;

		ASSERT_EQ(0, pipe(p));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			unsigned int n = 256, i;
			struct svmdemo_job *jobs = calloc(n, sizeof(*jobs));
			struct io_uring ring;
			int fd = svm_open();

			if (fd < 0 || !jobs || !slow_jobs(jobs, n, 128 << 10) ||
			    io_uring_queue_init(n, &ring, 0))
				_exit(1);
			for (i = 0; i < n; i++)
				uring_job_prep(io_uring_get_sqe(&ring), fd,
					       &jobs[i], i);
			if (io_uring_submit(&ring) != (int)n)
				_exit(2);
			if (write(p[1], "s", 1) != 1)
				_exit(3);
			for (;;)
				pause();
		}
		close(p[1]);
		ASSERT_EQ(1, read(p[0], &c, 1)) TH_LOG("child did not submit");
		close(p[0]);
		EXPECT_EQ(base + 1, svm_sysfs("pasids"));
		usleep(10000 * (round + 1));
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		EXPECT_EQ(base, svm_sysfs_wait("pasids", base, 30))
			TH_LOG("round %d: PASID not given back", round);
		EXPECT_EQ(0, svm_sysfs_wait("jobs_in_flight", 0, 30));
	}
	/* And the device still works for us. */
	{
		uint64_t v = 0;

		ASSERT_EQ(0, svm_fill(self->fd, &v, sizeof(v), 42));
		EXPECT_EQ(42ULL, v);
	}
}

TEST_HARNESS_MAIN
