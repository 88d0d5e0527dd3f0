// SPDX-License-Identifier: GPL-2.0
/*
 * svm_isolation: a job reaches only the memory of the process that opened
 * the file. Addresses the IOMMU must refuse fail cleanly; privileged
 * requests are refused; a forked child cannot use its parent's file and
 * its own file never writes the parent's pages; two processes using the
 * same virtual addresses each see only their own data.
 */
#include <signal.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"
#include "svm_fixture.h"

/* The device still works after a refused job. */
static void device_still_works(struct __test_metadata *_metadata, int fd)
{
	unsigned long long v = 0;

	ASSERT_EQ(0, svm_fill(fd, &v, sizeof(v), 0x0123456789abcdef));
	ASSERT_EQ(0x0123456789abcdefULL, v);
}

static void expect_refused(struct __test_metadata *_metadata, int fd,
			   uint64_t addr, size_t len)
{
	struct svmdemo_job rd = svm_job(SVMDEMO_OPCODE_CRC32C,
					(void *)(uintptr_t)addr, NULL, len, 0);
	struct svmdemo_job wr = svm_job(SVMDEMO_OPCODE_FILL, NULL,
					(void *)(uintptr_t)addr, len, 0);

	EXPECT_EQ(-EFAULT, svm_run(fd, &rd)) TH_LOG("read of %#lx", addr);
	EXPECT_EQ((__u64)addr, rd.fault_addr);
	EXPECT_EQ(0ULL, rd.bytes_done);
	EXPECT_EQ(-EFAULT, svm_run(fd, &wr)) TH_LOG("write of %#lx", addr);
	EXPECT_EQ(0ULL, wr.bytes_done);
	device_still_works(_metadata, fd);
}

TEST_F(svm, msi_window_is_refused)
{
	expect_refused(_metadata, self->fd, 0xfee00000, 64);
	expect_refused(_metadata, self->fd, 0xfeeff000, 4096);
}

TEST_F(svm, kernel_addresses_are_refused)
{
	expect_refused(_metadata, self->fd, 0xffff888000000000UL, 64);
	expect_refused(_metadata, self->fd, 0xffffffff81000000UL, 4096);
}

TEST_F(svm, unmapped_addresses_are_refused)
{
	uint8_t *p = map_anon(2 * PAGE_SZ, PROT_READ | PROT_WRITE);

	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, munmap(p, 2 * PAGE_SZ));
	expect_refused(_metadata, self->fd, (uintptr_t)p, 2 * PAGE_SZ);
	expect_refused(_metadata, self->fd, 0x1000, 64);
}

TEST_F(svm, fault_fast_without_pri_on_untouched_memory)
{
	uint8_t *p = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, p, PAGE_SZ, 1);

	ASSERT_NE(NULL, p);
	j.flags = SVMDEMO_JOB_NO_PRI;
	EXPECT_EQ(-EFAULT, svm_run(self->fd, &j));
	EXPECT_EQ((__u64)(uintptr_t)p, j.fault_addr);
	p[0] = 1;	/* now present: the same job succeeds */
	j = svm_job(SVMDEMO_OPCODE_FILL, NULL, p, PAGE_SZ, 0x0202020202020202);
	j.flags = SVMDEMO_JOB_NO_PRI;
	EXPECT_EQ(0, svm_run(self->fd, &j));
	EXPECT_EQ(2, p[PAGE_SZ - 1]);
	munmap(p, PAGE_SZ);
}

TEST_F(svm, privileged_requests_are_refused)
{
	unsigned long long v = 7;
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, &v,
				       sizeof(v), 0);
	struct svmdemo_submit s = { .jobs = (uintptr_t)&j, .count = 1 };

	j.flags = SVMDEMO_JOB_PRIVILEGED;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(7ULL, v);
	device_still_works(_metadata, self->fd);
}

TEST_F(svm, bad_requests_get_einval_and_run_nothing)
{
	unsigned long long v = 7;
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, &v,
				       sizeof(v), 0);
	struct svmdemo_submit s = { .jobs = (uintptr_t)&j, .count = 1 };

	j.opcode = SVMDEMO_OPCODE_MAX;
	EXPECT_EQ(-EINVAL, svm_submit(self->fd, &j, 1));
	j.opcode = SVMDEMO_OPCODE_FILL;
	j.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, svm_submit(self->fd, &j, 1));
	j.flags = 0;
	j.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, svm_submit(self->fd, &j, 1));
	j.reserved[1] = 0;
	j.dst = ~0UL - 3;	/* wraps */
	EXPECT_EQ(-EINVAL, svm_submit(self->fd, &j, 1));
	j.dst = (uintptr_t)&v;
	s.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.reserved[0] = 0;
	s.count = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.count = 1;
	s.jobs = 8;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(7ULL, v);
	device_still_works(_metadata, self->fd);
}

TEST_F(svm, forked_child_cannot_use_parent_file)
{
	uint8_t *shared = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t *priv = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, shared);
	ASSERT_NE(NULL, priv);
	memset(priv, 'P', PAGE_SZ);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct svmdemo_info info;
		int fd, bad = 0;

		/* The inherited file belongs to the parent's mm. */
		if (svm_get_info(self->fd, &info) != -EPERM)
			bad |= 1;
		if (svm_fill(self->fd, priv, PAGE_SZ, 0) != -EPERM)
			bad |= 2;
		/*
		 * Its own file: another PASID, and COW keeps it off the
		 * parent's copy of the page.
		 */
		fd = svm_open();
		if (fd < 0 || svm_get_info(fd, &info))
			_exit(100);
		if (info.pasid == 0 || info.pasid == self->info.pasid)
			bad |= 4;
		if (svm_fill(fd, priv, PAGE_SZ, 0x4343434343434343))
			bad |= 8;
		if (priv[0] != 'C' || priv[PAGE_SZ - 1] != 'C')
			bad |= 16;
		shared[0] = 1;
		close(fd);
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, shared[0]);
	for (size_t i = 0; i < PAGE_SZ; i++)
		ASSERT_EQ('P', priv[i]) TH_LOG("child wrote the parent's page");
	device_still_works(_metadata, self->fd);
	munmap(shared, PAGE_SZ);
	munmap(priv, PAGE_SZ);
}

#define SAME_VA		((void *)0x7e0000000000UL)
#define SAME_LEN	(256UL << 10)
#define ROUNDS		40

/* Fill the fixed-address buffer with this process's byte, check it. */
static int fill_rounds(uint8_t mine)
{
	uint8_t *buf = mmap(SAME_VA, SAME_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
	int fd = svm_open();
	uint64_t pat = 0x0101010101010101ULL * mine;

	if (buf != SAME_VA || fd < 0)
		return 100;
	for (int r = 0; r < ROUNDS; r++) {
		size_t off = (r * 4096 + 13 * mine) % (SAME_LEN / 2);

		if (svm_fill(fd, buf + off, SAME_LEN / 2, pat))
			return 101;
		for (size_t i = off; i < off + SAME_LEN / 2; i += 511)
			if (buf[i] != mine)
				return 102;
		if (svm_copy(fd, buf, buf + SAME_LEN / 2, SAME_LEN / 2))
			return 103;
		for (size_t i = 0; i < SAME_LEN; i += 509)
			if (buf[i] != mine && buf[i] != 0)
				return 104;
	}
	close(fd);
	return 0;
}

TEST(two_processes_same_addresses_see_only_their_data)
{
	pid_t pid[2];
	int status;

	for (int k = 0; k < 2; k++) {
		pid[k] = fork();
		ASSERT_LE(0, pid[k]);
		if (pid[k] == 0)
			_exit(fill_rounds(0x41 + k));
	}
	for (int k = 0; k < 2; k++) {
		ASSERT_EQ(pid[k], waitpid(pid[k], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d", k);
	}
}

TEST_HARNESS_MAIN
