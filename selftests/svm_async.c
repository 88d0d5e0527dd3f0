// SPDX-License-Identifier: GPL-2.0
/*
 * svm_async: asynchronous jobs without io_uring. poll() and epoll report
 * completions, SVMDEMO_IOC_WAIT and read() reap them; an O_NONBLOCK file
 * gets -EAGAIN when its share of the ring is full and loses nothing;
 * batches complete job by job and fences stop a batch after an error;
 * completion records land in user memory; the sysfs, fdinfo and trace
 * views count what happened; 8 processes x 4 threads share the device
 * with every job's data checked, and a busy PASID does not starve another.
 */
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"
#include "svm_fixture.h"

#define TRACEFS "/sys/kernel/tracing"

/* A counter of /proc/self/fdinfo/FD ("svmdemo-NAME:\tvalue"). */
static long long fdinfo_ll(int fd, const char *name)
{
	char path[64], line[256], key[96];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	snprintf(key, sizeof(key), "svmdemo-%s:", name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key)))
			v = strtoll(line + strlen(key), NULL, 10);
	fclose(f);
	return v;
}

TEST_F(svm, poll_is_readable_while_completions_wait)
{
	uint64_t v[8] = { 0 };
	struct svmdemo_job jobs[8], out[8];
	struct pollfd pfd = { .fd = self->fd, .events = POLLIN };
	unsigned int i, c;

	/* Nothing submitted: not readable, WAIT says there is nothing. */
	EXPECT_EQ(0, poll(&pfd, 1, 0));
	EXPECT_EQ(-ECHILD, svm_wait(self->fd, out, 8, 0, &c));

	for (i = 0; i < 8; i++) {
		jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL, &v[i], 8, i + 1);
		jobs[i].cookie = 100 + i;
	}
	ASSERT_EQ(0, svm_submit_async(self->fd, jobs, 8, NULL));
	ASSERT_EQ(1, poll(&pfd, 1, 10000));
	EXPECT_TRUE(!!(pfd.revents & POLLIN));
	ASSERT_EQ(8U, svm_reap_all(self->fd, out, 8));
	for (i = 0; i < 8; i++) {
		EXPECT_EQ(0, out[i].result);
		/* An 8-byte FILL stores the 64-bit pattern itself. */
		EXPECT_EQ(out[i].cookie - 99, v[out[i].cookie - 100]);
	}
	/* All reaped: not readable any more. */
	pfd.revents = 0;
	EXPECT_EQ(0, poll(&pfd, 1, 0));
}

TEST_F(svm, epoll_wakes_and_read_reaps)
{
	struct epoll_event ev = { .events = EPOLLIN }, got;
	struct svmdemo_job jobs[16], out[16];
	uint64_t v[16] = { 0 };
	unsigned int i, n = 0;
	int ep = epoll_create1(EPOLL_CLOEXEC);
	ssize_t r;

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &got, 1, 0));
	for (i = 0; i < 16; i++) {
		jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL, &v[i], 8, i);
		jobs[i].cookie = i;
	}
	ASSERT_EQ(0, svm_submit_async(self->fd, jobs, 16, NULL));
	while (n < 16) {
		ASSERT_EQ(1, epoll_wait(ep, &got, 1, 10000));
		EXPECT_TRUE(!!(got.events & EPOLLIN));
		r = read(self->fd, out, sizeof(out));
		ASSERT_LT(0, r) TH_LOG("read: %s", strerror(errno));
		ASSERT_EQ(0, r % (ssize_t)sizeof(out[0]));
		for (i = 0; i < r / sizeof(out[0]); i++)
			EXPECT_EQ(0, out[i].result);
		n += r / sizeof(out[0]);
	}
	EXPECT_EQ(16U, n);
	/* Idle: read() says so instead of blocking; short buffers refused. */
	EXPECT_EQ(-1, read(self->fd, out, sizeof(out)));
	EXPECT_EQ(ECHILD, errno);
	EXPECT_EQ(-1, read(self->fd, out, sizeof(out[0]) - 1));
	EXPECT_EQ(EINVAL, errno);
	close(ep);
}

/* O_NONBLOCK: -EAGAIN once the file's share of the ring is full. */
TEST_F(svm, nonblocking_submit_gets_eagain_and_loses_nothing)
{
	unsigned int n = 256, sub = 0, c, got;
	struct svmdemo_job *jobs = calloc(n, sizeof(*jobs));
	struct svmdemo_job *out = calloc(n, sizeof(*out));
	uint8_t *mem;
	int fd = open(SVM_DEV, O_RDWR | O_NONBLOCK);
	char byte;
	int ret;

	ASSERT_LE(0, fd);
	ASSERT_TRUE(!!(jobs && out));
	mem = slow_jobs(jobs, n, 64 << 10);
	ASSERT_NE(NULL, mem);
	EXPECT_EQ(-EAGAIN, svm_submit_async(fd, jobs, n, &sub));
	EXPECT_LT(0U, sub);
	EXPECT_GE(self->info.ring_share, sub);
	/*
	 * Nothing to reap yet is -EAGAIN too, for WAIT and for read(); a job
	 * may complete between the two, and then read() returns it.
	 */
	ret = svm_wait(fd, out, 1, 0, &got);
	EXPECT_TRUE(ret == -EAGAIN || (ret == 0 && got == 1))
		TH_LOG("WAIT: %d, %u jobs", ret, got);
	if (ret == -EAGAIN) {
		ssize_t r = read(fd, out, sizeof(out[0]));
		int err = errno;

		EXPECT_TRUE((r < 0 && err == EAGAIN) ||
			    r == (ssize_t)sizeof(out[0]))
			TH_LOG("read: %zd (%s)", r, strerror(err));
		got = r > 0;
	}
	got += svm_reap_all(fd, out + got, sub - got);
	EXPECT_EQ(sub, got);
	for (c = 0; c < got; c++) {
		unsigned int k = out[c].cookie;

		ASSERT_LT(k, sub) TH_LOG("a job that was not submitted ran");
		EXPECT_EQ(0, out[c].result);
		byte = mem[k * (64 << 10) + 4095];
		EXPECT_EQ((char)(k & 0xff), byte);
	}
	/* The job after the last submitted one never ran. */
	EXPECT_EQ(0, mem[sub * (64 << 10)]);
	EXPECT_EQ(-ECHILD, svm_wait(fd, out, 1, 0, &c));
	close(fd);
	munmap(mem, n * (64 << 10));
	free(jobs);
	free(out);
}

/* One call, 200 jobs: each completes with its own result and cookie. */
TEST_F(svm, batch_completes_job_by_job)
{
	unsigned int n = 200, i, got;
	struct svmdemo_job *jobs = calloc(n, sizeof(*jobs));
	struct svmdemo_job *out = calloc(n, sizeof(*out));
	uint8_t *buf = map_anon(n * 512, PROT_READ | PROT_WRITE);
	unsigned char *seen = calloc(n, 1);

	ASSERT_TRUE(!!(jobs && out && buf && seen));
	for (i = 0; i < n; i++) {
		jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL, buf + i * 512,
				  512, 0x0101010101010101ULL * (i & 0x7f));
		jobs[i].cookie = i;
	}
	/* Job 7 faults; the others do not care (no fence). */
	jobs[7].dst = 0x1000;
	ASSERT_EQ(0, svm_submit_async(self->fd, jobs, n, NULL));
	got = svm_reap_all(self->fd, out, n);
	ASSERT_EQ(n, got);
	for (i = 0; i < n; i++) {
		unsigned int k = out[i].cookie;

		ASSERT_LT(k, n);
		EXPECT_EQ(0, seen[k]++);
		EXPECT_EQ(k == 7 ? -EFAULT : 0, out[i].result) TH_LOG("job %u", k);
		if (k != 7)
			EXPECT_EQ((uint8_t)(k & 0x7f), buf[k * 512 + 511]);
	}
	free(jobs);
	free(out);
	free(seen);
	munmap(buf, n * 512);
}

static void fence_batch(struct __test_metadata *_metadata, int fd,
			bool fail_second, bool fence, int want_third)
{
	uint64_t a = 0, c = 0;
	struct svmdemo_job j[3];

	j[0] = svm_job(SVMDEMO_OPCODE_FILL, NULL, &a, 8, 0x11);
	j[1] = svm_job(SVMDEMO_OPCODE_FILL, NULL, (void *)0x1000, 8, 0x22);
	if (!fail_second)
		j[1].dst = (uintptr_t)&c;
	j[2] = svm_job(SVMDEMO_OPCODE_FILL, NULL, &c, 8, 0x33);
	if (fence)
		j[2].flags = SVMDEMO_JOB_FENCE;
	ASSERT_EQ(0, svm_submit(fd, j, 3));
	EXPECT_EQ(0, j[0].result);
	EXPECT_EQ(fail_second ? -EFAULT : 0, j[1].result);
	EXPECT_EQ(want_third, j[2].result);
	EXPECT_EQ(want_third ? 0x22ULL * !fail_second : 0x33ULL, c);
}

TEST_F(svm, fence_skips_job_after_failed_job)
{
	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_FENCE));
	/* Error, then fence: skipped. */
	fence_batch(_metadata, self->fd, true, true, -ECANCELED);
	/* No error before the fence: it runs. */
	fence_batch(_metadata, self->fd, false, true, 0);
	/* Error without fence: the next job runs anyway. */
	fence_batch(_metadata, self->fd, true, false, 0);
}

/* A fence looks at its own call only, not at other files' failures. */
TEST_F(svm, fence_ignores_errors_of_other_files)
{
	struct svmdemo_job j[2], bad;
	uint64_t a = 0, b = 0;
	int other = svm_open();

	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_FENCE));
	ASSERT_LE(0, other);
	/* Same queue for both files: their failures share a fence window. */
	bad = svm_job(SVMDEMO_OPCODE_FILL, NULL, (void *)0x1000, 8, 0);
	{
		struct svmdemo_submit s = {
			.jobs = (uintptr_t)&bad, .count = 1,
			.flags = SVMDEMO_SUBMIT_QUEUE, .queue = self->info.queue,
		};

		ASSERT_EQ(0, ioctl(other, SVMDEMO_IOC_SUBMIT, &s));
		EXPECT_EQ(-EFAULT, bad.result);
	}
	j[0] = svm_job(SVMDEMO_OPCODE_FILL, NULL, &a, 8, 1);
	j[1] = svm_job(SVMDEMO_OPCODE_FILL, NULL, &b, 8, 2);
	j[0].flags = SVMDEMO_JOB_FENCE;
	j[1].flags = SVMDEMO_JOB_FENCE;
	ASSERT_EQ(0, svm_submit(self->fd, j, 2));
	EXPECT_EQ(0, j[0].result);
	EXPECT_EQ(0, j[1].result);
	EXPECT_EQ(1ULL, a);
	EXPECT_EQ(2ULL, b);
	close(other);
}

TEST_F(svm, fenced_batch_larger_than_its_limit_is_refused)
{
	unsigned int n = self->info.max_fence_jobs + 1, i;
	struct svmdemo_job *j = calloc(n, sizeof(*j));

	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_FENCE));
	ASSERT_NE(NULL, j);
	for (i = 0; i < n; i++)
		j[i] = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	j[n - 1].flags = SVMDEMO_JOB_FENCE;
	EXPECT_EQ(-EINVAL, svm_submit(self->fd, j, n));
	EXPECT_EQ(0, svm_submit(self->fd, j + 1, n - 1));
	free(j);
}

/* DSA style: the device writes the outcome into the program's memory. */
TEST_F(svm, completion_record_lands_in_user_memory)
{
	struct svmdemo_completion_record *cr;
	uint8_t *buf = map_anon(64 << 10, PROT_READ | PROT_WRITE);
	/* Never mapped (a munmapped hole could be reused by the next mmap). */
	void *hole = (void *)0x1000;
	struct svmdemo_job j[2], out[2];
	double end;

	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_CR_USER));
	ASSERT_NE(NULL, buf);
	/* Never touched: the device faults the record's page in too. */
	cr = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, cr);
	j[0] = svm_job(SVMDEMO_OPCODE_CRC32C, buf, NULL, 64 << 10, 0);
	j[0].flags = SVMDEMO_JOB_CR_USER;
	j[0].cr_addr = (uintptr_t)&cr[0];
	j[0].cookie = 0xc0c0;
	j[1] = svm_job(SVMDEMO_OPCODE_FILL, NULL, hole, 64, 0);
	j[1].flags = SVMDEMO_JOB_CR_USER | SVMDEMO_JOB_NO_PRI;
	j[1].cr_addr = (uintptr_t)&cr[1];
	j[1].cookie = 0xdede;
	memset(buf, 0x5c, 64 << 10);
	ASSERT_EQ(0, svm_submit_async(self->fd, j, 2, NULL));

	/* The documented way to wait: spin on DONE, yielding. */
	end = now_s() + 30;
	while (!(__atomic_load_n(&cr[1].status, __ATOMIC_ACQUIRE) &
		 SVMDEMO_CR_DONE) && now_s() < end)
		sched_yield();
	TH_LOG("records: status %#x %#x", cr[0].status, cr[1].status);
	ASSERT_TRUE(!!(cr[0].status & SVMDEMO_CR_DONE));
	ASSERT_TRUE(!!(cr[1].status & SVMDEMO_CR_DONE));
	EXPECT_EQ((__u32)SVMDEMO_CR_SUCCESS, SVMDEMO_CR_CODE(cr[0].status));
	EXPECT_EQ(ref_crc32c(buf, 64 << 10), (uint32_t)cr[0].result_value);
	EXPECT_EQ(64U << 10, cr[0].bytes_done);
	EXPECT_EQ(0xc0c0ULL, cr[0].cookie);
	EXPECT_EQ((__u32)SVMDEMO_CR_PAGE_FAULT, SVMDEMO_CR_CODE(cr[1].status));
	EXPECT_TRUE(!!(cr[1].status & SVMDEMO_CR_FAULT_WRITE));
	EXPECT_EQ((__u64)(uintptr_t)hole, cr[1].fault_addr);
	EXPECT_EQ(0xdedeULL, cr[1].cookie);
	/* The same outcome is reaped the usual way. */
	ASSERT_EQ(2U, svm_reap_all(self->fd, out, 2));
	EXPECT_EQ(0, out[0].cookie == 0xc0c0 ? out[0].result : out[1].result);
	EXPECT_EQ(-EFAULT,
		  out[0].cookie == 0xdede ? out[0].result : out[1].result);

	/* A misaligned record, or a record without the flag, is refused. */
	j[0].cr_addr += 8;
	EXPECT_EQ(-EINVAL, svm_submit(self->fd, j, 1));
	j[0].flags = 0;
	j[0].cr_addr = (uintptr_t)&cr[0];
	EXPECT_EQ(-EINVAL, svm_submit(self->fd, j, 1));
	munmap(cr, PAGE_SZ);
	munmap(buf, 64 << 10);
}

/*
 * A record that cannot be written never leaves a job looking successful:
 * the job takes the errno of the record's write (read-only page: -EACCES,
 * nothing mapped: -EFAULT) with fault_addr at the record and
 * SVMDEMO_JOB_STATUS_CR_FAILED; a job that failed already keeps its own
 * result. The same through a synchronous batch and asynchronously.
 */
TEST_F(svm, completion_record_that_cannot_be_written_fails_the_job)
{
	uint8_t *buf = map_anon(4 * PAGE_SZ, PROT_READ | PROT_WRITE);
	uint8_t *ro = map_anon(PAGE_SZ, PROT_READ);
	struct svmdemo_completion_record *good = aligned_alloc(32, 32);
	/* Never mapped (a munmapped hole could be reused by the next mmap). */
	void *hole = (void *)0x1000;
	struct svmdemo_job j[4], out[4];
	int want[4] = { -EACCES, -EFAULT, -EFAULT, 0 };
	__u64 where[4];
	unsigned int i, round;

	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_CR_USER));
	ASSERT_TRUE(buf && ro && good);
	/* Present read-only: a write gets "read-only", not "not present". */
	ASSERT_EQ(0, ro[0]);
	for (round = 0; round < 2; round++) {
		for (i = 0; i < 4; i++) {
			j[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL,
				       buf + i * PAGE_SZ, PAGE_SZ,
				       0x0101010101010101ULL * (i + 1));
			j[i].flags = SVMDEMO_JOB_CR_USER;
			j[i].cookie = i;
		}
		j[0].cr_addr = (uintptr_t)ro;
		j[1].cr_addr = (uintptr_t)hole;
		/* Fails on its own, and its record cannot be written either. */
		j[2].dst = (uintptr_t)hole;
		j[2].cr_addr = (uintptr_t)hole + 64;
		j[3].cr_addr = (uintptr_t)good;
		where[0] = j[0].cr_addr;
		where[1] = j[1].cr_addr;
		where[2] = j[2].dst;
		memset(good, 0, sizeof(*good));
		memset(buf, 0, 4 * PAGE_SZ);
		if (round == 0) {
			ASSERT_EQ(0, svm_submit(self->fd, j, 4));
			memcpy(out, j, sizeof(j));
		} else {
			ASSERT_EQ(0, svm_submit_async(self->fd, j, 4, NULL));
			ASSERT_EQ(4U, svm_reap_all(self->fd, out, 4));
		}
		for (i = 0; i < 4; i++) {
			const struct svmdemo_job *o = &out[i];
			unsigned int k = o->cookie;

			ASSERT_LT(k, 4U);
			EXPECT_EQ(want[k], o->result)
				TH_LOG("round %u, job %u: result %d, status %#x",
				       round, k, o->result, o->status);
			EXPECT_EQ(k < 3, !!(o->status & SVMDEMO_JOB_STATUS_CR_FAILED));
			if (k < 3) {
				EXPECT_EQ(where[k], o->fault_addr);
				EXPECT_TRUE(!!(o->status & SVMDEMO_CR_FAULT_WRITE));
			}
			if (k == 2)
				continue;
			/* The data moved all the same. */
			EXPECT_EQ(PAGE_SZ, o->bytes_done);
			EXPECT_EQ(k + 1, buf[k * PAGE_SZ + PAGE_SZ - 1]);
		}
		EXPECT_TRUE(!!(good->status & SVMDEMO_CR_DONE));
		EXPECT_EQ(3ULL, good->cookie);
	}
	munmap(ro, PAGE_SZ);
	munmap(buf, 4 * PAGE_SZ);
	free(good);
}

TEST_F(svm, sysfs_and_fdinfo_count_jobs_and_bytes)
{
	long long j0 = svm_counter("jobs"), s0 = svm_sysfs("jobs_submitted");
	long long c0 = svm_sysfs("jobs_completed");
	long long fj0 = fdinfo_ll(self->fd, "jobs-completed");
	long long fb0 = fdinfo_ll(self->fd, "bytes");
	uint8_t buf[4096];
	unsigned int i;

	ASSERT_LE(0, j0);
	ASSERT_LE(0, s0);
	ASSERT_LE(0, fj0) TH_LOG("no svmdemo lines in fdinfo");
	EXPECT_EQ((long long)self->info.pasid, fdinfo_ll(self->fd, "pasid"));
	EXPECT_LE(1, svm_sysfs("pasids"));
	EXPECT_LE(1, svm_sysfs("open_files"));
	for (i = 0; i < 10; i++)
		ASSERT_EQ(0, svm_fill(self->fd, buf, sizeof(buf), i));
	EXPECT_EQ(j0 + 10, svm_counter("jobs"));
	EXPECT_EQ(s0 + 10, svm_sysfs("jobs_submitted"));
	EXPECT_EQ(c0 + 10, svm_sysfs("jobs_completed"));
	EXPECT_EQ(0, svm_sysfs("jobs_in_flight"));
	EXPECT_EQ(fj0 + 10, fdinfo_ll(self->fd, "jobs-completed"));
	EXPECT_EQ(fb0 + 10 * 4096, fdinfo_ll(self->fd, "bytes"));
}

TEST_F(svm, sysfs_and_fdinfo_count_faults)
{
	long long e0 = svm_counter("errors"), f0 = fdinfo_ll(self->fd, "faults");
	long long p0 = svm_counter("pri_requests");
	uint8_t *fresh = map_anon(2 * PAGE_SZ, PROT_READ | PROT_WRITE);
	struct svmdemo_job j;

	ASSERT_NE(NULL, fresh);
	/* Untouched page, no page request allowed: a fault. */
	j = svm_job(SVMDEMO_OPCODE_FILL, NULL, fresh, 64, 0);
	j.flags = SVMDEMO_JOB_NO_PRI;
	EXPECT_EQ(-EFAULT, svm_run(self->fd, &j));
	EXPECT_EQ(e0 + 1, svm_counter("errors"));
	EXPECT_EQ(f0 + 1, fdinfo_ll(self->fd, "faults"));
	EXPECT_EQ(p0, svm_counter("pri_requests"));
	/* With page requests allowed: no fault counted. */
	j.flags = 0;
	EXPECT_EQ(0, svm_run(self->fd, &j));
	EXPECT_EQ(f0 + 1, fdinfo_ll(self->fd, "faults"));
	munmap(fresh, 2 * PAGE_SZ);
}

TEST_F(svm, tracepoints_fire_for_submit_complete_and_fault)
{
	bool sub = false, cmp = false, flt = false;
	void *hole = (void *)0x1000;
	char line[512];
	uint64_t v = 0;
	FILE *f;

	if (access(TRACEFS "/events/svmdemo", F_OK))
		SKIP(return, "no svmdemo events in " TRACEFS);
	ASSERT_EQ(0, write_str(TRACEFS "/trace", ""));
	ASSERT_EQ(0, write_str(TRACEFS "/events/svmdemo/enable", "1"));
	EXPECT_EQ(0, svm_fill(self->fd, &v, sizeof(v), 7));
	EXPECT_EQ(-EFAULT, svm_fill(self->fd, hole, 8, 7));
	ASSERT_EQ(0, write_str(TRACEFS "/events/svmdemo/enable", "0"));
	f = fopen(TRACEFS "/trace", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f)) {
		if (strstr(line, "svmdemo_submit:") && strstr(line, "kind=sync"))
			sub = true;
		if (strstr(line, "svmdemo_complete:") &&
		    strstr(line, "result=0"))
			cmp = true;
		if (strstr(line, "svmdemo_fault:"))
			flt = true;
	}
	fclose(f);
	EXPECT_TRUE(sub);
	EXPECT_TRUE(cmp);
	EXPECT_TRUE(flt);
	write_str(TRACEFS "/trace", "");
}

/* ---- many processes and threads ---- */

#define PROCS		8
#define THREADS		4
#define RUN_SECONDS	6

struct worker {
	int fd;
	unsigned int id;
	unsigned long jobs;
	unsigned long bad;
};

/* Sync and async jobs on private buffers, every result checked. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	size_t len = 16 << 10;
	uint8_t *a = map_anon(len, PROT_READ | PROT_WRITE);
	uint8_t *b = map_anon(len, PROT_READ | PROT_WRITE);
	uint64_t seed = 0x9e3779b97f4a7c15ULL * (w->id + 1);
	double end = now_s() + RUN_SECONDS;
	struct svmdemo_job j[3];
	size_t n, i;

	if (!a || !b) {
		w->bad++;
		return NULL;
	}
	while (now_s() < end) {
		uint64_t pat = rnd64(&seed);
		uint32_t crc;

		n = 1 + rnd64(&seed) % len;
		rnd_fill(&seed, a, n);
		crc = ref_crc32c(a, n);
		/* A batch: copy, CRC of the copy, fill. */
		j[0] = svm_job(SVMDEMO_OPCODE_COPY, a, b, n, 0);
		j[1] = svm_job(SVMDEMO_OPCODE_CRC32C, b, NULL, n, 0);
		j[2] = svm_job(SVMDEMO_OPCODE_FILL, NULL, a, n, pat);
		if (svm_submit(w->fd, j, 3) || j[0].result || j[1].result ||
		    j[2].result) {
			w->bad++;
			continue;
		}
		/* The CRC of the copy is the CRC of the original. */
		if ((uint32_t)j[1].result_value != crc)
			w->bad++;
		for (i = 0; i < n; i++)
			if (a[i] != ref_fill(pat, i)) {
				w->bad++;
				break;
			}
		w->jobs += 3;
	}
	munmap(a, len);
	munmap(b, len);
	return NULL;
}

static int process_main(unsigned int p)
{
	struct worker w[THREADS];
	pthread_t t[THREADS];
	unsigned long jobs = 0, bad = 0;
	unsigned int i;
	int fd = svm_open();

	if (fd < 0)
		return 2;
	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .fd = fd, .id = p * THREADS + i };
		if (pthread_create(&t[i], NULL, worker_main, &w[i]))
			return 3;
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		jobs += w[i].jobs;
		bad += w[i].bad;
	}
	close(fd);
	printf("# process %u: %lu jobs, %lu bad\n", p, jobs, bad);
	fflush(stdout);
	return bad ? 1 : jobs ? 0 : 4;
}

FIXTURE(heavy)
{
};

FIXTURE_SETUP(heavy)
{
}

FIXTURE_TEARDOWN(heavy)
{
}

TEST_F_TIMEOUT(heavy, eight_processes_four_threads_all_jobs_correct, 120)
{
	long long base = svm_sysfs("pasids");
	pid_t pid[PROCS];
	unsigned int p;
	int status;

	for (p = 0; p < PROCS; p++) {
		pid[p] = fork();
		ASSERT_LE(0, pid[p]);
		if (!pid[p])
			_exit(process_main(p));
	}
	for (p = 0; p < PROCS; p++) {
		ASSERT_EQ(pid[p], waitpid(pid[p], &status, 0));
		EXPECT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %u", p);
	}
	EXPECT_EQ(base, svm_sysfs("pasids"));
	EXPECT_EQ(0, svm_sysfs("jobs_in_flight"));
}

/*
 * One process with three files fills a queue as far as the driver lets
 * it: its jobs together get one share of the ring, not one per file, and
 * another process on the same queue still finds a share free.
 */
TEST_F_TIMEOUT(svm, files_of_one_process_share_one_ring_share, 120)
{
	unsigned int share = self->info.ring_share, held = 0, c, got;
	struct svmdemo_job *mine = calloc(share, sizeof(*mine));
	int p[2], q[2], status, fd;
	pid_t pid;
	char x;

	ASSERT_NE(NULL, mine);
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		struct svmdemo_job slow;
		struct svmdemo_job noop = svm_job(SVMDEMO_OPCODE_NOOP, NULL,
						  NULL, 0, 0);
		struct svmdemo_submit s = {
			.count = 1, .queue = 0,
			.flags = SVMDEMO_SUBMIT_ASYNC | SVMDEMO_SUBMIT_QUEUE,
		};
		unsigned int total = 0;
		int f[3];

		/* A 256 MiB cold FILL at the head of queue 0 holds it up. */
		if (!slow_jobs(&slow, 1, 256 << 20))
			_exit(1);
		for (int i = 0; i < 3; i++) {
			f[i] = open(SVM_DEV, O_RDWR | O_NONBLOCK);
			if (f[i] < 0)
				_exit(2);
		}
		s.jobs = (uintptr_t)&slow;
		if (ioctl(f[0], SVMDEMO_IOC_SUBMIT, &s))
			_exit(3);
		total++;
		s.jobs = (uintptr_t)&noop;
		for (int i = 0; i < 3; i++) {
			while (!ioctl(f[i], SVMDEMO_IOC_SUBMIT, &s))
				total++;
			if (errno != EAGAIN)
				_exit(4);
		}
		if (write(p[1], &total, sizeof(total)) != sizeof(total))
			_exit(5);
		/* Exit (and withdraw everything) when told. */
		if (read(q[0], &x, 1) != 1)
			_exit(6);
		_exit(0);
	}
	close(p[1]);
	close(q[0]);
	ASSERT_EQ((ssize_t)sizeof(held), read(p[0], &held, sizeof(held)));
	TH_LOG("three files of one process queued %u jobs (share %u)", held,
	       share);
	EXPECT_LE(held, share);
	/* Another process: its whole share is free. */
	fd = open(SVM_DEV, O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	for (unsigned int i = 0; i < share; i++)
		mine[i] = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	{
		struct svmdemo_submit s = {
			.jobs = (uintptr_t)mine, .count = share, .queue = 0,
			.flags = SVMDEMO_SUBMIT_ASYNC | SVMDEMO_SUBMIT_QUEUE,
		};

		EXPECT_EQ(0, ioctl(fd, SVMDEMO_IOC_SUBMIT, &s))
			TH_LOG("queued %u of %u: %s", s.submitted, share,
			       strerror(errno));
		c = s.submitted;
	}
	ASSERT_EQ(1, write(q[1], "q", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	got = svm_reap_all(fd, mine, c);
	EXPECT_EQ(c, got);
	close(fd);
	close(p[0]);
	close(q[1]);
	free(mine);
}

/*
 * One process keeps its share of a queue full of slow jobs; another,
 * on the same queue, still gets each of its jobs through quickly.
 */
TEST_F_TIMEOUT(svm, busy_pasid_does_not_starve_another, 120)
{
	int p[2], q[2], status, other;
	double t0, worst = 0;
	struct svmdemo_info oi;
	uint64_t v;
	pid_t pid;
	char c;
	int i;

	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		unsigned int n = 64, k, sub, got;
		struct svmdemo_job jobs[64], out[64];
		uint8_t *mem = slow_jobs(jobs, n, 64 << 10);
		struct svmdemo_submit s = {
			.jobs = (uintptr_t)jobs, .flags = SVMDEMO_SUBMIT_ASYNC |
			SVMDEMO_SUBMIT_QUEUE, .queue = 0,
		};
		int fd = svm_open();
		bool told = false;

		if (fd < 0 || !mem)
			_exit(1);
		fcntl(q[0], F_SETFL, O_NONBLOCK);
		/* Flood queue 0 until told to stop. */
		for (;;) {
			s.count = n;
			if (ioctl(fd, SVMDEMO_IOC_SUBMIT, &s))
				_exit(2);
			sub = n;
			if (!told) {
				told = true;
				if (write(p[1], "f", 1) != 1)
					_exit(3);
			}
			for (got = 0; got < sub; got += k)
				if (svm_wait(fd, out, n, 30000, &k))
					_exit(4);
			if (read(q[0], &c, 1) == 1)
				_exit(0);
			/* Free the pages: every round faults them in again. */
			madvise(mem, n * (64 << 10), MADV_DONTNEED);
		}
	}
	close(p[1]);
	close(q[0]);
	ASSERT_EQ(1, read(p[0], &c, 1));
	other = svm_open();
	ASSERT_LE(0, other);
	ASSERT_EQ(0, svm_get_info(other, &oi));
	for (i = 0; i < 10; i++) {
		struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, &v, 8,
					       i);
		struct svmdemo_submit s = {
			.jobs = (uintptr_t)&j, .count = 1,
			.flags = SVMDEMO_SUBMIT_QUEUE, .queue = 0,
		};

		t0 = now_s();
		ASSERT_EQ(0, ioctl(other, SVMDEMO_IOC_SUBMIT, &s));
		EXPECT_EQ(0, j.result);
		if (now_s() - t0 > worst)
			worst = now_s() - t0;
	}
	TH_LOG("worst latency behind a busy PASID: %.3f s", worst);
	EXPECT_GT(20.0, worst);
	/* The busy process stops at its next round. */
	if (write(q[1], "s", 1) != 1)
		TH_LOG("cannot stop the flooder");
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status));
	close(other);
}

TEST_HARNESS_MAIN
