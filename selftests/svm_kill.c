// SPDX-License-Identifier: GPL-2.0
/*
 * svm_kill: processes that die at random points. SIGKILL during
 * submission, while the device waits on a page fault, during teardown
 * (close with jobs queued), while blocked in SVMDEMO_IOC_WAIT and with
 * io_uring commands in flight; exit without close; close from another
 * thread while a job waits on a fault. Two killers run at once, so that
 * victims with different PASIDs die and are torn down together. After
 * 400 iterations (times SVMDEMO_STRESS): no PASID leaked (a new process
 * gets the PASID a new process got before), no memory leaked (slab and
 * MemAvailable within a small bound), no hung task (every child is
 * reaped in time), nothing in the kernel log, and the device still runs
 * jobs.
 */
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#define KILL_ITERS	400
#define KILLERS		2
#define BIG		(4UL << 20)
/* Leak bounds over the whole run (KiB). */
#define SLAB_BOUND_KB		(8 << 10)
#define AVAIL_BOUND_KB		(48 << 10)

enum scenario {
	SC_SUBMIT,		/* killed while submitting faulting jobs */
	SC_FAULT,		/* killed while one big job faults */
	SC_TEARDOWN,		/* killed around close() with jobs queued */
	SC_EXIT_NO_CLOSE,	/* exits with jobs in flight, never closes */
	SC_CLOSE_OTHER_THREAD,	/* close() while another thread's job faults */
	SC_WAIT,		/* killed blocked in SVMDEMO_IOC_WAIT */
	SC_URING,		/* killed with io_uring commands in flight */
	SC_NR
};

static const char *const sc_name[SC_NR] = {
	"submit", "fault", "teardown", "exit-no-close", "close-other-thread",
	"wait", "uring",
};

static void async_faulting(int fd, uint8_t *buf, unsigned int n)
{
	struct svmdemo_job jobs[16];
	struct svmdemo_submit s = {
		.jobs = (uintptr_t)jobs, .count = n,
		.flags = SVMDEMO_SUBMIT_ASYNC,
	};

	for (unsigned int i = 0; i < n; i++)
		jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL,
				  buf + i * (BIG / n), BIG / n, i);
	ioctl(fd, SVMDEMO_IOC_SUBMIT, &s);
}

struct closer {
	int fd;
	unsigned int delay_us;
};

static void *close_later(void *arg)
{
	struct closer *c = arg;

	usleep(c->delay_us);
	close(c->fd);
	return NULL;
}

static void uring_in_flight(int fd, uint8_t *buf)
{
	static struct svmdemo_job jobs[8];
	struct io_uring ring;

	if (io_uring_queue_init(8, &ring, 0))
		return;
	for (int i = 0; i < 8; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
		struct svmdemo_uring_cmd *uc = (void *)sqe->cmd;

		jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL, buf + i * (BIG / 8),
				  BIG / 8, i);
		io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
		sqe->cmd_op = SVMDEMO_URING_CMD_JOB;
		memset(uc, 0, sizeof(*uc));
		uc->job = (uintptr_t)&jobs[i];
	}
	io_uring_submit(&ring);
	pause();
}

/* The victim of one iteration; runs until killed or done. */
static void child(enum scenario sc, unsigned int delay_us)
{
	uint8_t *buf = map_anon(BIG, PROT_READ | PROT_WRITE);
	struct svmdemo_wait w;
	struct svmdemo_job out[4];
	int fd = svm_open();

	if (fd < 0 || !buf)
		_exit(10);
	switch (sc) {
	case SC_SUBMIT:
		for (;;) {
			madvise(buf, BIG, MADV_DONTNEED);
			svm_fill(fd, buf, BIG / 4, 0x11);
		}
	case SC_FAULT:
		svm_fill(fd, buf, BIG, 0x22);
		pause();
		break;
	case SC_TEARDOWN:
		async_faulting(fd, buf, 16);
		usleep(delay_us / 2);
		close(fd);
		_exit(0);
	case SC_EXIT_NO_CLOSE:
		async_faulting(fd, buf, 16);
		_exit(0);
	case SC_CLOSE_OTHER_THREAD: {
		struct closer c = { .fd = fd, .delay_us = delay_us / 2 };
		pthread_t th;

		pthread_create(&th, NULL, close_later, &c);
		svm_fill(fd, buf, BIG, 0x33);
		pthread_join(th, NULL);
		_exit(0);
	}
	case SC_WAIT:
		async_faulting(fd, buf, 4);
		memset(&w, 0, sizeof(w));
		w.jobs = (uintptr_t)out;
		w.count = 4;
		w.timeout_ms = SVMDEMO_WAIT_INFINITE;
		for (;;)
			if (ioctl(fd, SVMDEMO_IOC_WAIT, &w) && errno == ECHILD)
				async_faulting(fd, buf, 4);
	case SC_URING:
		uring_in_flight(fd, buf);
		async_faulting(fd, buf, 8);
		pause();
		break;
	default:
		break;
	}
	_exit(0);
}

/* A new process's PASID: the lowest free one, if nothing leaked. */
static int fresh_pasid(void)
{
	int p[2], pasid = -1;
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (!pid) {
		struct svmdemo_info info;
		int fd = svm_open();

		pasid = fd >= 0 && !svm_get_info(fd, &info) ? (int)info.pasid : -2;
		write(p[1], &pasid, sizeof(pasid));
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &pasid, sizeof(pasid)) != sizeof(pasid))
		pasid = -3;
	close(p[0]);
	waitpid(pid, NULL, 0);
	return pasid;
}

/* Reap @pid within @ms; false if it hangs (a task stuck in the driver). */
static bool reap(pid_t pid, int ms, int *status)
{
	for (int t = 0; t < ms; t++) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0)
			return false;
		usleep(1000);
	}
	return false;
}

/* What one killer did, in memory shared with the test. */
struct killer {
	unsigned long by_sc[SC_NR], killed;
	unsigned int hung;	/* 0, or the iteration (from 1) that hung */
	enum scenario hung_sc;
	unsigned int hung_delay;
};

/*
 * One killer, in its own process: @iters times, fork a victim running a
 * random scenario and SIGKILL it after a random delay of up to 20 ms.
 * Stops at the first victim that is not reaped within 30 s.
 */
static void killer_run(struct killer *k, uint64_t seed, unsigned int iters)
{
	for (unsigned int i = 0; i < iters; i++) {
		enum scenario sc = rnd_below(&seed, SC_NR);
		unsigned int delay = rnd_below(&seed, 20000);
		int status;
		pid_t pid = fork();

		if (pid < 0)
			_exit(1);
		if (!pid)
			child(sc, delay);
		usleep(delay);
		if (!kill(pid, SIGKILL))
			k->killed++;
		if (!reap(pid, 30000, &status)) {
			k->hung = i + 1;
			k->hung_sc = sc;
			k->hung_delay = delay;
			return;
		}
		k->by_sc[sc]++;
	}
}

FIXTURE(kill)
{
	int kfd;
	uint64_t seed;
	struct svmdemo_info info;
};

FIXTURE_SETUP(kill)
{
	int fd = svm_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &self->info));
	close(fd);
	self->kfd = kmsg_open();
	self->seed = test_seed();
}

FIXTURE_TEARDOWN(kill)
{
	close(self->kfd);
}

/* Whole on one line, so that the summary can be grepped for. */
#define KILL_SUMMARY "%u iterations in %.1fs, %lu killed; submit %lu, fault %lu, teardown %lu, exit-no-close %lu, close-other-thread %lu, wait %lu, uring %lu"

TEST_F_TIMEOUT(kill, random_kills_and_exits_leak_nothing, 7200)
{
	unsigned int iters = KILL_ITERS * stress_factor();
	unsigned long by_sc[SC_NR] = { 0 }, killed = 0;
	struct killer *ks;
	pid_t kp[KILLERS];
	int k;
	struct mem_snap m0, m1;
	int pasid0, pasid1, fd;
	char first[512];
	uint8_t *p;
	double t0;

	TH_LOG("seed %" PRIu64 " (rerun with SVMDEMO_SEED=%" PRIu64 ")",
	       self->seed, self->seed);
	/* Warm up the caches the first iterations fill, then measure. */
	for (int i = 0; i < 20; i++) {
		pid_t pid = fork();
		int st;

		ASSERT_LE(0, pid);
		if (!pid)
			child(i % SC_NR, 1000);
		usleep(2000);
		kill(pid, SIGKILL);
		ASSERT_TRUE(reap(pid, 30000, &st));
	}
	pasid0 = fresh_pasid();
	ASSERT_LT(0, pasid0);
	mem_snap(&m0);

	ks = mmap(NULL, KILLERS * sizeof(*ks), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ks);	/* zero-filled */
	t0 = now_s();
	for (k = 0; k < KILLERS; k++) {
		kp[k] = fork();
		ASSERT_LE(0, kp[k]);
		if (!kp[k]) {
			killer_run(&ks[k], self->seed + 0x9e3779b97f4a7c15ULL * k,
				   (iters + k) / KILLERS);
			_exit(0);
		}
	}
	for (k = 0; k < KILLERS; k++) {
		int status;

		ASSERT_EQ(kp[k], waitpid(kp[k], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("killer %d: status %#x", k, status);
		EXPECT_EQ(0U, ks[k].hung)
			TH_LOG("killer %d, iteration %u (%s, %u us): the child hangs",
			       k, ks[k].hung - 1, sc_name[ks[k].hung_sc],
			       ks[k].hung_delay);
		killed += ks[k].killed;
		for (int sc = 0; sc < SC_NR; sc++)
			by_sc[sc] += ks[k].by_sc[sc];
	}
	munmap(ks, KILLERS * sizeof(*ks));

	/*
	 * PASIDs go back when the last job of a dead file completed. The
	 * first count may be too high: the last fput() of a warm-up
	 * child's file can still be pending (io_uring ring teardown or
	 * delayed fput, in a worker after the child was reaped). A leak
	 * shows as a higher PASID, not a lower one.
	 */
	for (int t = 0; t < 100; t++) {
		pasid1 = fresh_pasid();
		if (pasid1 <= pasid0)
			break;
		usleep(100000);
	}
	mem_snap(&m1);
	TH_LOG(KILL_SUMMARY,
	       iters, now_s() - t0, killed, by_sc[0], by_sc[1], by_sc[2],
	       by_sc[3], by_sc[4], by_sc[5], by_sc[6]);
	TH_LOG("PASID of a new process: %d before, %d after", pasid0, pasid1);
	TH_LOG("Slab %+ld kB, SUnreclaim %+ld kB, MemAvailable %+ld kB",
	       m1.slab_kb - m0.slab_kb, m1.sunreclaim_kb - m0.sunreclaim_kb,
	       m1.avail_kb - m0.avail_kb);
	EXPECT_GE(pasid0, pasid1) TH_LOG("a PASID leaked");
	EXPECT_GT(SLAB_BOUND_KB, m1.sunreclaim_kb - m0.sunreclaim_kb);
	EXPECT_GT(AVAIL_BOUND_KB, m0.avail_kb - m1.avail_kb);
	EXPECT_EQ(0, kmsg_bad(self->kfd, first, sizeof(first)))
		TH_LOG("kernel log: %s", first);

	/* The device runs jobs as before. */
	fd = svm_open();
	ASSERT_LE(0, fd);
	p = map_anon(BIG, PROT_READ | PROT_WRITE);
	ASSERT_EQ(0, svm_fill(fd, p, BIG, 0x4444444444444444));
	ASSERT_EQ(0x44, p[BIG - 1]);
	close(fd);
}

TEST_HARNESS_MAIN
