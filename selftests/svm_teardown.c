// SPDX-License-Identifier: GPL-2.0
/*
 * svm_teardown: the device goes away under open files with jobs in flight.
 * rmmod is refused while files are open and the module reloads cleanly
 * after; PCI remove + rescan and a hot-unplug (slot power off) + replug
 * (device_add by the VM runner) fail the pending jobs with -ENODEV, make
 * every later call on the old file fail cleanly, and the device comes back
 * working. Opening and closing files with jobs in flight, many times,
 * leaks no memory.
 */
#include <dirent.h>
#include <limits.h>
#include <libgen.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/syscall.h>
#include <time.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#define MODULE_PATH	"/lib/modules/svmdemo.ko"

FIXTURE(tear)
{
};

FIXTURE_SETUP(tear)
{
}

FIXTURE_TEARDOWN(tear)
{
}

/* What the kernel said about the slot and the device, on a failure. */
static void dump_dmesg(void)
{
	fflush(stdout);
	if (system("dmesg | grep -iE 'pciehp|svmdemo|slot' | tail -n 25 | sed 's/^/# /'"))
		printf("# (no dmesg)\n");
	fflush(stdout);
}

/*
 * Queue all @n jobs asynchronously. A wait for ring room can be cut short
 * by a signal (io_uring's task work counts) after some jobs were queued:
 * the call then fails with EINTR and says how many; queue the rest.
 */
static int submit_async_queue(int fd, struct svmdemo_job *jobs,
			      unsigned int n, unsigned int queue)
{
	while (n) {
		struct svmdemo_submit s = {
			.jobs = (uintptr_t)jobs,
			.count = n,
			.flags = SVMDEMO_SUBMIT_ASYNC | SVMDEMO_SUBMIT_QUEUE,
			.queue = queue,
		};

		if (!ioctl(fd, SVMDEMO_IOC_SUBMIT, &s))
			return 0;
		if (errno != EINTR)
			return -errno;
		jobs += s.submitted;
		n -= s.submitted;
	}
	return 0;
}

/*
 * Jobs in flight on every queue of @fd: async ioctl jobs and io_uring, each
 * a FILL of INFLIGHT_JOB bytes of never-touched memory (76 MiB in all, a
 * quarter of a second of page faults or more), so that the device is
 * still busy when it is taken away.
 */
#define INFLIGHT_JOB	(256 << 10)

struct inflight {
	struct svmdemo_job async[240];
	struct svmdemo_job uring[64];
	uint8_t *mem_a, *mem_u;
	struct io_uring ring;
};

static int inflight_start(struct inflight *f, int fd, unsigned int queues)
{
	unsigned int i;

	f->mem_a = slow_jobs(f->async, 240, INFLIGHT_JOB);
	f->mem_u = slow_jobs(f->uring, 64, INFLIGHT_JOB);
	if (!f->mem_a || !f->mem_u)
		return -ENOMEM;
	for (i = 0; i < 2; i++)
		if (submit_async_queue(fd, f->async + 120 * i, 120,
				       i % queues))
			return -errno;
	if (io_uring_queue_init(64, &f->ring, 0))
		return -ENOMEM;
	for (i = 0; i < 64; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&f->ring);

		uring_job_prep(sqe, fd, &f->uring[i], i);
		uring_job_set_queue(sqe, (2 + i) % queues);
	}
	return io_uring_submit(&f->ring) == 64 ? 0 : -EIO;
}

static void inflight_free(struct inflight *f)
{
	munmap(f->mem_a, 240 * INFLIGHT_JOB);
	munmap(f->mem_u, 64 * INFLIGHT_JOB);
}

/*
 * After the device went away: every io_uring job completes (-ENODEV
 * unless it had finished), and every call on the old file fails cleanly.
 */
static void check_gone(struct __test_metadata *_metadata, int fd,
		       struct inflight *f, bool expect_enodev)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct svmdemo_info info;
	struct io_uring_cqe *cqe;
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	struct svmdemo_wait w = { .jobs = (uintptr_t)&j, .count = 1 };
	unsigned int i, enodev = 0, ok = 0;

	for (i = 0; i < 64; i++) {
		struct __kernel_timespec ts = { .tv_sec = 30 };

		ASSERT_EQ(0, io_uring_wait_cqe_timeout(&f->ring, &cqe, &ts))
			TH_LOG("io_uring job %u never completed", i);
		if (cqe->res == -ENODEV)
			enodev++;
		else if (cqe->res == 0)
			ok++;
		else
			TH_LOG("io_uring job: %d", cqe->res);
		io_uring_cqe_seen(&f->ring, cqe);
	}
	EXPECT_EQ(64U, ok + enodev);
	if (expect_enodev)
		EXPECT_LT(0U, enodev) TH_LOG("no job failed with -ENODEV");

	EXPECT_EQ(-ENODEV, svm_get_info(fd, &info));
	EXPECT_EQ(-ENODEV, svm_submit(fd, &j, 1));
	EXPECT_EQ(-1, ioctl(fd, SVMDEMO_IOC_WAIT, &w));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, read(fd, &j, sizeof(j)));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_TRUE(pfd.revents & (POLLHUP | POLLERR));
	/* A new io_uring job on the old file is refused. */
	uring_job_prep(io_uring_get_sqe(&f->ring), fd, &j, 99);
	ASSERT_EQ(1, io_uring_submit(&f->ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&f->ring, &cqe));
	EXPECT_EQ(-ENODEV, cqe->res);
	io_uring_cqe_seen(&f->ring, cqe);
	io_uring_queue_exit(&f->ring);
}

/* The device is back and works; only our file holds a PASID. */
static void check_back(struct __test_metadata *_metadata)
{
	uint64_t v = 0;
	int fd;

	ASSERT_TRUE(wait_path(SVM_DEV, true, 30)) TH_LOG("no %s", SVM_DEV);
	fd = svm_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_fill(fd, &v, sizeof(v), 0x5555));
	EXPECT_EQ(0x5555ULL, v);
	close(fd);
}

TEST_F_TIMEOUT(tear, remove_and_rescan_with_jobs_in_flight, 120)
{
	static struct inflight f;
	struct svmdemo_info info;
	char bdf[64], path[PATH_MAX];
	int fd = svm_open();

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	ASSERT_EQ(0, svm_bdf(SVM_SYSFS, bdf, sizeof(bdf)));
	ASSERT_EQ(0, inflight_start(&f, fd, info.nr_queues));

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/remove", bdf);
	ASSERT_EQ(0, write_str(path, "1"));
	EXPECT_FALSE(access(SVM_DEV, F_OK) == 0);
	check_gone(_metadata, fd, &f, true);
	close(fd);
	inflight_free(&f);

	ASSERT_EQ(0, write_str("/sys/bus/pci/rescan", "1"));
	check_back(_metadata);
}

/* Wait until the first line of @path reads @want. */
static bool wait_file_is(const char *path, const char *want, double secs)
{
	double end = now_s() + secs;
	char buf[32];

	for (;;) {
		FILE *f = fopen(path, "r");
		bool is = false;

		if (f) {
			is = fgets(buf, sizeof(buf), f) &&
			     !strncmp(buf, want, strlen(want));
			fclose(f);
		}
		if (is)
			return true;
		if (now_s() > end)
			return false;
		usleep(50000);
	}
}

/* Ask the VM runner for a monitor command ("add" or "del"). */
static void ask_runner(struct __test_metadata *_metadata, const char *what)
{
	ASSERT_EQ(0, svm_runner_ask(what));
}

/* device_add from the runner; pciehp then probes the device. */
static void replug(struct __test_metadata *_metadata)
{
	bool back = false;
	int tries;

	/* QEMU may still hold the unplugged device for a moment: retry. */
	for (tries = 0; tries < 12 && !back; tries++) {
		ask_runner(_metadata, "add");
		back = wait_path(SVM_DEV, true, 5);
	}
	if (!back) {
		dump_dmesg();
		ASSERT_TRUE(false) TH_LOG("not replugged: is the VM runner's monitor there?");
	}
	check_back(_metadata);
}

/*
 * The device's PCI address in @bdf (64 bytes) and its hotplug slot in @slot
 * (PATH_MAX); then a new file in *@fd with jobs in flight on every queue
 * (@f). False, with nothing started, if the device is in no hotplug slot.
 */
static bool busy_in_slot(struct __test_metadata *_metadata,
			 struct inflight *f, char *bdf, char *slot, int *fd)
{
	struct svmdemo_info info;

	ASSERT_EQ(0, svm_bdf(SVM_SYSFS, bdf, 64));
	if (svm_slot(bdf, slot, PATH_MAX))
		return false;
	*fd = svm_open();
	ASSERT_LE(0, *fd);
	ASSERT_EQ(0, svm_get_info(*fd, &info));
	ASSERT_EQ(0, inflight_start(f, *fd, info.nr_queues));
	return true;
}

TEST_F_TIMEOUT(tear, hot_unplug_and_replug_with_jobs_in_flight, 120)
{
	static struct inflight f;
	char bdf[64], slot[PATH_MAX], path[PATH_MAX + 16];
	int fd;

	if (!busy_in_slot(_metadata, &f, bdf, slot, &fd))
		SKIP(return, "%s is not in a hotplug slot (SVMDEMO_BUS=pcie.0?)",
		     bdf);

	/* pciehp removes the driver, powers the slot off; QEMU unplugs. */
	snprintf(path, sizeof(path), "%s/power", slot);
	ASSERT_EQ(0, write_str(path, "0"));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	EXPECT_TRUE(wait_path(path, false, 30));
	check_gone(_metadata, fd, &f, true);
	close(fd);
	inflight_free(&f);

	replug(_metadata);
}

/*
 * QEMU's device_del (the runner sends it on the monitor when asked on the
 * console): an attention button press, pciehp removes the driver and
 * powers the slot off, QEMU drops the device. Then device_add again.
 */
TEST_F_TIMEOUT(tear, monitor_device_del_with_jobs_in_flight, 120)
{
	static struct inflight f;
	char bdf[64], slot[PATH_MAX], path[PATH_MAX + 16];
	int fd;

	if (!busy_in_slot(_metadata, &f, bdf, slot, &fd))
		SKIP(return, "%s is not in a hotplug slot (SVMDEMO_BUS=pcie.0?)",
		     bdf);

	ask_runner(_metadata, "del");
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	if (!wait_path(path, false, 60)) {
		dump_dmesg();
		ASSERT_TRUE(false) TH_LOG("device_del did not remove %s", bdf);
	}
	/*
	 * pciehp waits 5 s after the button press before it removes the
	 * driver, so the jobs may all have finished by then.
	 */
	check_gone(_metadata, fd, &f, false);
	close(fd);
	inflight_free(&f);
	/* QEMU drops the device once the slot is off; then add it again. */
	snprintf(path, sizeof(path), "%s/power", slot);
	ASSERT_TRUE(wait_file_is(path, "0", 30)) TH_LOG("slot still powered");
	replug(_metadata);
}

/*
 * rmmod is refused while a file is open with jobs in flight (the file
 * pins the module); once it is closed the module unloads and loads again.
 */
TEST_F_TIMEOUT(tear, rmmod_refused_while_open_then_reload, 120)
{
	static struct inflight f;
	struct svmdemo_info info;
	int fd = svm_open(), mfd;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	ASSERT_EQ(0, inflight_start(&f, fd, info.nr_queues));
	EXPECT_EQ(-1, syscall(SYS_delete_module, "svmdemo", O_NONBLOCK));
	EXPECT_TRUE(errno == EWOULDBLOCK || errno == EBUSY)
		TH_LOG("delete_module: %s", strerror(errno));
	/* Still working. */
	EXPECT_EQ(0, svm_get_info(fd, &info));
	io_uring_queue_exit(&f.ring);
	close(fd);
	inflight_free(&f);

	/* Closed: the jobs drain, the module goes. */
	{
		double end = now_s() + 30;

		while (syscall(SYS_delete_module, "svmdemo", O_NONBLOCK) &&
		       now_s() < end)
			usleep(100000);
	}
	ASSERT_TRUE(wait_path(SVM_DEV, false, 5)) TH_LOG("module still loaded");
	mfd = open(MODULE_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, syscall(SYS_finit_module, mfd, "", 0))
		TH_LOG("finit_module: %s", strerror(errno));
	close(mfd);
	check_back(_metadata);
}

/*
 * Open, queue 300 jobs on every queue, close with them in flight: 40
 * times. Unreclaimable slab must not grow by the size of what the loop
 * allocated (a leaked job per iteration alone would be 12000 objects).
 */
TEST_F_TIMEOUT(tear, close_with_jobs_in_flight_leaks_nothing, 300)
{
	static struct inflight f;
	long long before = -1, after;
	struct svmdemo_info info;
	struct mem_snap m;
	int i, fd;

	for (i = 0; i < 41; i++) {
		if (i == 1) {
			usleep(200000);
			mem_snap(&m);
			before = m.sunreclaim_kb;
		}
		fd = svm_open();
		ASSERT_LE(0, fd) TH_LOG("open #%d: %s", i, strerror(errno));
		ASSERT_EQ(0, svm_get_info(fd, &info));
		ASSERT_EQ(0, inflight_start(&f, fd, info.nr_queues));
		io_uring_queue_exit(&f.ring);
		close(fd);
		inflight_free(&f);
	}
	/* Wait for the withdrawn jobs to drain. */
	{
		double end = now_s() + 30;
		long long n;

		do {
			usleep(100000);
			n = svm_sysfs("jobs_in_flight");
		} while (n && now_s() < end);
		EXPECT_EQ(0, n);
	}
	mem_snap(&m);
	after = m.sunreclaim_kb;
	TH_LOG("SUnreclaim %lld kB -> %lld kB", before, after);
	ASSERT_LT(0, before);
	EXPECT_GT(before + 1024, after) TH_LOG("unreclaimable slab grew");
}

TEST_HARNESS_MAIN
