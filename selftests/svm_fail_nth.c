// SPDX-License-Identifier: GPL-2.0
/*
 * svm_fail_nth: every failure point of the driver's paths, the kernel's
 * way (as tools/testing/selftests/iommu/iommufd_fail_nth.c does): with
 * /proc/self/task/TID/fail-nth set to N, the Nth fault injection site this
 * task reaches fails (an allocation, for failslab and fail_page_alloc).
 * Each operation runs with N = 1, 2, ... until it gets through without
 * reaching an Nth site: probe (binding the PCI driver), open (the SVA
 * bind), a synchronous and an asynchronous submit, SVMDEMO_IOC_WAIT, an
 * io_uring command, and release with jobs in flight. Every failure must
 * be a clean errno, nothing may stay behind (no PASID, no job in flight;
 * kmemleak checks the rest at the end of the run), and the device must
 * work afterwards.
 *
 * Needs a kernel with fault injection (make check KSRC=... KCONFIG=debug);
 * the VM leaves this test out on kernels without it.
 */
#include <dirent.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#define DEBUGFS		"/sys/kernel/debug"
#define MAX_STEPS	5000U

/* Fault injection set up once: counts allocations that may sleep too. */
static void fail_nth_setup(void)
{
	struct dirent *e;
	DIR *d;

	write_str(DEBUGFS "/failslab/ignore-gfp-wait", "N");
	write_str(DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N");
	write_str(DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N");
	d = opendir(DEBUGFS);
	if (!d)
		return;
	while ((e = readdir(d))) {
		char path[PATH_MAX];

		if (strncmp(e->d_name, "fail", 4))
			continue;
		snprintf(path, sizeof(path), DEBUGFS "/%s/verbose", e->d_name);
		write_str(path, "0");
	}
	closedir(d);
}

/* /proc/self/task/TID/fail-nth of the calling thread, or -1. */
static int fail_nth_open(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/task/%d/fail-nth", gettid());
	return open(path, O_RDWR | O_CLOEXEC);
}

static void fail_nth_set(int fd, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(fd, buf, len, 0) != len)
		abort();
}

/* Did the armed failure fire (the count went down to 0)? Disarms it. */
static bool fail_nth_fired(int fd)
{
	char buf[16] = "";
	bool fired;

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		abort();
	fired = atoi(buf) == 0;
	fail_nth_set(fd, 0);
	return fired;
}

/* What a failed allocation may turn into. */
static bool clean_errno(int err)
{
	return err == ENOMEM || err == ENOSPC || err == EAGAIN ||
	       err == EINTR || err == ENODEV || err == EBUSY;
}

FIXTURE(fnth)
{
	int fnth;		/* this thread's fail-nth */
	uint8_t *buf;		/* 64 KiB the jobs work on */
	long long pasids;	/* sysfs pasids before the test */
};

FIXTURE_SETUP(fnth)
{
	self->fnth = fail_nth_open();
	if (self->fnth < 0)
		SKIP(return, "no fail-nth: a kernel without fault injection");
	fail_nth_setup();
	self->pasids = svm_sysfs("pasids");
	self->buf = map_anon(64 << 10, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->buf);
}

FIXTURE_TEARDOWN(fnth)
{
	if (self->fnth < 0)
		return;
	fail_nth_set(self->fnth, 0);
	munmap(self->buf, 64 << 10);
	close(self->fnth);
}

/*
 * After failure point @n: @ret (0 or -errno) is clean, the device works
 * for a new file, and no job of the step is left in flight.
 */
static void step_checked(struct __test_metadata *_metadata, unsigned int n,
			 int ret)
{
	uint64_t v = 0;
	int fd;

	ASSERT_TRUE(ret >= 0 || clean_errno(-ret))
		TH_LOG("failure point %u: %s", n, strerror(-ret));
	fd = svm_open();
	ASSERT_LE(0, fd) TH_LOG("failure point %u: open: %s", n,
				strerror(errno));
	ASSERT_EQ(0, svm_fill(fd, &v, sizeof(v), 0x0102030405060708ULL))
		TH_LOG("failure point %u", n);
	ASSERT_EQ(0x0102030405060708ULL, v);
	close(fd);
	ASSERT_EQ(0, svm_sysfs_wait("jobs_in_flight", 0, 30))
		TH_LOG("failure point %u: jobs left in flight", n);
}

/* Arm failure point @n, run @op, disarm: did it fire? */
#define ARMED(fnth, n, op, fired)					\
	do {								\
		int __fd = (fnth);					\
									\
		fail_nth_set(__fd, n);					\
		op;							\
		fired = fail_nth_fired(__fd);				\
	} while (0)

/*
 * open() of a process without a bond: the SVA bind. The file is closed
 * again (the unbind), so every step binds anew.
 */
TEST_F_TIMEOUT(fnth, open_binds_or_fails_cleanly, 600)
{
	unsigned int n;
	bool fired;
	int fd, ret;

	for (n = 1; n < MAX_STEPS; n++) {
		ARMED(self->fnth, n, fd = svm_open(), fired);
		ret = fd < 0 ? -errno : 0;
		if (fd >= 0)
			close(fd);
		step_checked(_metadata, n, ret);
		if (!fired)
			break;
	}
	TH_LOG("open: %u failure points", n - 1);
	ASSERT_LT(n, MAX_STEPS);
	ASSERT_LT(1U, n);
	EXPECT_EQ(self->pasids, svm_sysfs("pasids")) TH_LOG("a PASID leaked");
}

TEST_F_TIMEOUT(fnth, sync_submit_fails_cleanly, 600)
{
	unsigned int n;
	bool fired;
	int fd, ret;

	fd = svm_open();
	ASSERT_LE(0, fd);
	for (n = 1; n < MAX_STEPS; n++) {
		struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL,
					       self->buf, 4096, 0x1111111111111111ULL);

		memset(self->buf, 0, 4096);
		ARMED(self->fnth, n, ret = svm_run(fd, &j), fired);
		/* A job that ran filled its buffer. */
		if (!ret)
			ASSERT_EQ(0x11, self->buf[4095]);
		step_checked(_metadata, n, ret);
		if (!fired)
			break;
	}
	TH_LOG("synchronous submit: %u failure points", n - 1);
	ASSERT_LT(n, MAX_STEPS);
	close(fd);
}

TEST_F_TIMEOUT(fnth, async_submit_and_wait_fail_cleanly, 600)
{
	struct svmdemo_job j, out;
	unsigned int n, c;
	bool fired;
	int fd, ret;

	fd = svm_open();
	ASSERT_LE(0, fd);
	for (n = 1; n < MAX_STEPS; n++) {
		j = svm_job(SVMDEMO_OPCODE_FILL, NULL, self->buf, 4096, 0x22);
		ARMED(self->fnth, n, ret = svm_submit_async(fd, &j, 1, &c),
		      fired);
		if (!ret)
			ASSERT_EQ(0, svm_wait(fd, &out, 1, 30000, &c));
		step_checked(_metadata, n, ret);
		if (!fired)
			break;
	}
	TH_LOG("asynchronous submit: %u failure points", n - 1);
	ASSERT_LT(n, MAX_STEPS);
	/* A WAIT that fails loses nothing: the job is reaped afterwards. */
	for (n = 1; n < MAX_STEPS; n++) {
		j = svm_job(SVMDEMO_OPCODE_FILL, NULL, self->buf, 4096, 0x33);
		ASSERT_EQ(0, svm_submit_async(fd, &j, 1, NULL));
		ARMED(self->fnth, n, ret = svm_wait(fd, &out, 1, 30000, &c),
		      fired);
		if (ret)
			ASSERT_EQ(0, svm_wait(fd, &out, 1, 30000, &c));
		ASSERT_EQ(0, out.result);
		step_checked(_metadata, n, ret);
		if (!fired)
			break;
	}
	TH_LOG("SVMDEMO_IOC_WAIT: %u failure points", n - 1);
	ASSERT_LT(n, MAX_STEPS);
	EXPECT_EQ(-ECHILD, svm_wait(fd, &out, 1, 0, &c));
	close(fd);
}

/*
 * One io_uring command, the ring set up under injection too: a failure
 * is the submission's errno or the CQE's, never a lost request.
 */
static int uring_one(int fd, uint8_t *buf)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, buf, 4096,
				       0x4444444444444444ULL);
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ret;

	ret = io_uring_queue_init(4, &ring, 0);
	if (ret)
		return ret;
	uring_job_prep(io_uring_get_sqe(&ring), fd, &j, 7);
	ret = io_uring_submit(&ring);
	if (ret == 1) {
		ret = io_uring_wait_cqe(&ring, &cqe);
		if (!ret) {
			ret = cqe->res;
			io_uring_cqe_seen(&ring, cqe);
		}
	} else if (ret >= 0) {
		ret = -EIO;
	}
	io_uring_queue_exit(&ring);
	return ret;
}

TEST_F_TIMEOUT(fnth, uring_cmd_fails_cleanly, 600)
{
	unsigned int n;
	bool fired;
	int fd, ret;

	fd = svm_open();
	ASSERT_LE(0, fd);
	for (n = 1; n < MAX_STEPS; n++) {
		ARMED(self->fnth, n, ret = uring_one(fd, self->buf), fired);
		step_checked(_metadata, n, ret);
		if (!fired)
			break;
	}
	TH_LOG("io_uring command: %u failure points", n - 1);
	ASSERT_LT(n, MAX_STEPS);
	close(fd);
}

/* close() of the last file with slow jobs queued: release withdraws them. */
TEST_F_TIMEOUT(fnth, release_with_jobs_in_flight_fails_cleanly, 600)
{
	struct svmdemo_job jobs[16];
	uint8_t *mem = slow_jobs(jobs, 16, 64 << 10);
	unsigned int n, c;
	bool fired;
	int fd;

	ASSERT_NE(NULL, mem);
	for (n = 1; n < MAX_STEPS; n++) {
		fd = svm_open();
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, svm_submit_async(fd, jobs, 16, &c));
		ARMED(self->fnth, n, close(fd), fired);
		step_checked(_metadata, n, 0);
		if (!fired)
			break;
	}
	TH_LOG("release: %u failure points", n - 1);
	ASSERT_LT(n, MAX_STEPS);
	EXPECT_EQ(self->pasids, svm_sysfs("pasids")) TH_LOG("a PASID leaked");
	munmap(mem, 16 * (64 << 10));
}

#define DRIVER "/sys/bus/pci/drivers/svmdemo"

/*
 * Binding the PCI driver runs its probe in this task: every failure is a
 * clean errno and leaves no char device behind, and the next bind works.
 */
TEST_F_TIMEOUT(fnth, probe_fails_cleanly_at_every_step, 900)
{
	unsigned int n;
	char bdf[64];
	bool fired;
	int ret;

	ASSERT_EQ(0, svm_pci_addr(bdf, sizeof(bdf)));
	for (n = 1; n < MAX_STEPS; n++) {
		ASSERT_EQ(0, write_str(DRIVER "/unbind", bdf));
		ASSERT_TRUE(wait_path(SVM_DEV, false, 5));
		ARMED(self->fnth, n, ret = write_str(DRIVER "/bind", bdf),
		      fired);
		if (ret) {
			/*
			 * Any errno: the driver passes on what the failing
			 * kernel call returned (ioremap's memtype failure is
			 * -EINVAL, a BAR that cannot be reserved -EBUSY).
			 */
			if (ret != -ENOMEM)
				TH_LOG("failure point %u: probe: %s", n,
				       strerror(-ret));
			ASSERT_TRUE(wait_path(SVM_DEV, false, 1))
				TH_LOG("a failed probe left the char device");
			ASSERT_EQ(0, write_str(DRIVER "/bind", bdf));
		}
		ASSERT_TRUE(wait_path(SVM_DEV, true, 5));
		step_checked(_metadata, n, 0);
		if (!fired)
			break;
	}
	TH_LOG("probe: %u failure points", n - 1);
	ASSERT_LT(n, MAX_STEPS);
	ASSERT_LT(1U, n);
}

TEST_HARNESS_MAIN
