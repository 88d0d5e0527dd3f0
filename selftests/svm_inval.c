// SPDX-License-Identifier: GPL-2.0
/*
 * svm_inval: the PCIe ATS rule across waits. Once the IOMMU's invalidation
 * of a range has completed (munmap() returned), the device must not touch
 * the pages it translated before, even if it looked the translation up
 * before it started waiting for something else (a page group response,
 * an ATS answer, a lock). Each test makes the device wait on a page group
 * for one buffer while the translations of another buffer, or of pages
 * further on in the same buffer, are already in its ATC; unmaps those
 * pages during the wait; lets a neighbour process take the freed pages and
 * fill them with a marker; then lets the wait end. The job must fault at
 * the first unmapped page, and neither the job's buffers nor the
 * neighbour's memory may show that the device used the old translation.
 *
 * The wait is held open by freezing page request service (freeze_begin()
 * in svmdemo_test.h).
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#define NPAGES		16
#define BUF_LEN		(NPAGES * PAGE_SZ)
#define MARKER		0xa5	/* never in the tests' own data (1..127) */
#define GRAB_PAGES	256

/* ---- the neighbour: another process that takes freed pages ---- */

/*
 * Runs on CPU 0 at a priority just below the freezer's, so that it runs
 * while the freezer waits for it and nothing else does. Commands: 'G'
 * take GRAB_PAGES pages and fill them with MARKER, 'C' check they still
 * hold MARKER (answer 'Y' or 'N'), 'Q' quit.
 */
static void neighbour_main(int in, int out)
{
	struct sched_param sp = { .sched_priority = 98 };
	uint8_t *mem = NULL;
	cpu_set_t cpus;
	char cmd;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus) ||
	    sched_setscheduler(0, SCHED_FIFO, &sp))
		_exit(2);
	while (read(in, &cmd, 1) == 1) {
		char ans = 'Y';

		switch (cmd) {
		case 'G':
			mem = mmap(NULL, GRAB_PAGES * PAGE_SZ,
				   PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE,
				   -1, 0);
			if (mem == MAP_FAILED)
				_exit(3);
			memset(mem, MARKER, GRAB_PAGES * PAGE_SZ);
			break;
		case 'C':
			for (size_t i = 0; mem && i < GRAB_PAGES * PAGE_SZ; i++)
				if (mem[i] != MARKER)
					ans = 'N';
			break;
		default:
			_exit(0);
		}
		if (write(out, &ans, 1) != 1)
			_exit(4);
	}
	_exit(0);
}

/* The neighbour process and the pipes to and from it. */
struct neighbour {
	pid_t pid;
	int to, from;
};

FIXTURE(inval)
{
	int fd;
	int kfd;
	struct neighbour n;
	uint8_t *a, *b;		/* BUF_LEN each, MADV_NOHUGEPAGE */
};

FIXTURE_VARIANT(inval)
{
	__u32 flags;
};

FIXTURE_VARIANT_ADD(inval, translated)
{
	.flags = 0,
};

FIXTURE_VARIANT_ADD(inval, untranslated)
{
	.flags = SVMDEMO_JOB_UNTRANSLATED,
};

static uint8_t *map_buf(void)
{
	uint8_t *p = map_anon(BUF_LEN, PROT_READ | PROT_WRITE);

	if (p)
		madvise(p, BUF_LEN, MADV_NOHUGEPAGE);
	return p;
}

FIXTURE_SETUP(inval)
{
	int to[2], from[2];

	/* The neighbour first: it shares no page with the buffers. */
	ASSERT_EQ(0, pipe(to));
	ASSERT_EQ(0, pipe(from));
	self->n.pid = fork();
	ASSERT_LE(0, self->n.pid);
	if (!self->n.pid) {
		close(to[1]);
		close(from[0]);
		neighbour_main(to[0], from[1]);
	}
	close(to[0]);
	close(from[1]);
	self->n.to = to[1];
	self->n.from = from[0];
	self->kfd = kmsg_open();
	self->fd = svm_open();
	ASSERT_LE(0, self->fd);
	self->a = map_buf();
	self->b = map_buf();
	ASSERT_TRUE(self->a && self->b);
}

FIXTURE_TEARDOWN(inval)
{
	char first[512];
	int status;

	if (write(self->n.to, "Q", 1) == 1)
		waitpid(self->n.pid, &status, 0);
	close(self->n.to);
	close(self->n.from);
	close(self->fd);
	EXPECT_EQ(0, kmsg_bad(self->kfd, first, sizeof(first)))
		TH_LOG("kernel log: %s", first);
	close(self->kfd);
}

static char neighbour_ask(struct neighbour *n, char cmd)
{
	char ans = 0;

	if (write(n->to, &cmd, 1) != 1 || read(n->from, &ans, 1) != 1)
		return 0;
	return ans;
}

/*
 * Submit @job, let it run until the device waits for a page group, unmap
 * [@gone, @gone + @len) in steps of @step (every @step bytes, one page)
 * and let the neighbour take the freed pages, then let the wait end and
 * reap the job. false if the device never waited.
 */
static bool unmap_while_device_waits(struct __test_metadata *_metadata,
				     int fd, struct neighbour *n,
				     struct svmdemo_job *job, uint8_t *gone,
				     size_t len, size_t step)
{
	long long groups = svm_counter("pri_groups");
	struct freeze f;
	unsigned int c;
	bool waited;

	EXPECT_EQ(0, freeze_begin(&f));
	EXPECT_EQ(0, svm_submit_async(fd, job, 1, NULL));
	waited = device_waits_on_group(groups);
	if (waited) {
		for (size_t off = 0; off < len; off += step)
			munmap(gone + off, PAGE_SZ);
		EXPECT_EQ('Y', neighbour_ask(n, 'G'));
	}
	freeze_end(&f);
	EXPECT_EQ(0, svm_wait(fd, job, 1, 30000, &c));
	EXPECT_EQ(1U, c);
	return waited;
}

static bool holds_marker(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] == MARKER)
			return true;
	return false;
}

static bool all_zero(const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i])
			return false;
	return true;
}

/*
 * COPY: the source is in the ATC, the destination (but its first page)
 * has never been touched and must be faulted in. During that wait the
 * source pages after the first are unmapped and taken by the neighbour:
 * the device must fault at the second source page, not copy what the
 * neighbour wrote there. Untranslated, every page is read before the
 * destination is faulted in, so the old data (not the marker) may arrive.
 */
TEST_F(inval, copy_source_unmapped_while_destination_faults_in)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_COPY, self->a, self->b,
				       BUF_LEN, 0);
	uint8_t *src = self->a, *dst = self->b;

	for (size_t i = 0; i < BUF_LEN; i++)
		src[i] = 1 + i % 127;
	dst[0] = 0;
	j.flags = variant->flags;
	ASSERT_TRUE(unmap_while_device_waits(_metadata, self->fd, &self->n,
					     &j, src + PAGE_SZ,
					     BUF_LEN - PAGE_SZ, PAGE_SZ));
	EXPECT_FALSE(holds_marker(dst, BUF_LEN))
		TH_LOG("the device copied the neighbour's data: result %d at %#llx, %llu bytes",
		       j.result,
		       (unsigned long long)(j.fault_addr - (uintptr_t)src),
		       (unsigned long long)j.bytes_done);
	if (variant->flags & SVMDEMO_JOB_UNTRANSLATED && j.result == 0) {
		for (size_t i = 0; i < BUF_LEN; i++)
			ASSERT_EQ((uint8_t)(1 + i % 127), dst[i]);
		return;
	}
	EXPECT_EQ(-EFAULT, j.result);
	EXPECT_EQ((uintptr_t)src + PAGE_SZ, j.fault_addr);
	EXPECT_GE(PAGE_SZ, j.bytes_done);
	EXPECT_TRUE(all_zero(dst + PAGE_SZ, BUF_LEN - PAGE_SZ));
}

/*
 * COPY the other way round: the destination is in the ATC, the source
 * must be faulted in, and the destination pages after the first are
 * unmapped during the wait. The device must not write into the
 * neighbour's pages.
 */
TEST_F(inval, copy_destination_unmapped_while_source_faults_in)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_COPY, self->a, self->b,
				       BUF_LEN, 0);
	uint8_t *src = self->a, *dst = self->b;

	src[0] = 7;
	ASSERT_EQ(0, svm_fill(self->fd, dst, BUF_LEN, 0x1111111111111111ULL));
	j.flags = variant->flags;
	ASSERT_TRUE(unmap_while_device_waits(_metadata, self->fd, &self->n,
					     &j, dst + PAGE_SZ,
					     BUF_LEN - PAGE_SZ, PAGE_SZ));
	EXPECT_EQ('Y', neighbour_ask(&self->n, 'C'))
		TH_LOG("the device wrote into the neighbour's memory");
	EXPECT_EQ(-EFAULT, j.result);
	EXPECT_EQ((uintptr_t)dst + PAGE_SZ, j.fault_addr);
	EXPECT_TRUE(!!(j.status & SVMDEMO_CR_FAULT_WRITE));
	EXPECT_GE(PAGE_SZ, j.bytes_done);
}

/*
 * COMPARE with the second buffer in the ATC while the first is faulted
 * in: the second buffer's pages after the first are unmapped during the
 * wait. The device must fault at the second page of the second buffer,
 * not compare against the neighbour's data.
 */
TEST_F(inval, compare_second_buffer_unmapped_while_first_faults_in)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_COMPARE, self->a,
				       self->b, BUF_LEN, 0);
	uint8_t *first = self->a, *second = self->b;

	first[0] = 0;
	memset(second, 0, BUF_LEN);
	ASSERT_EQ(0, svm_fill(self->fd, second, BUF_LEN, 0));
	j.flags = variant->flags;
	ASSERT_TRUE(unmap_while_device_waits(_metadata, self->fd, &self->n,
					     &j, second + PAGE_SZ,
					     BUF_LEN - PAGE_SZ, PAGE_SZ));
	EXPECT_EQ(-EFAULT, j.result)
		TH_LOG("result %d, offset %llu", j.result,
		       (unsigned long long)j.result_value);
	EXPECT_EQ((uintptr_t)second + PAGE_SZ, j.fault_addr);
	EXPECT_GE(PAGE_SZ, j.bytes_done);
}

/*
 * FILL over a buffer whose even pages are present (and translated ahead
 * into the ATC with the first page) and odd pages are not: while the
 * device waits for the odd pages, the even pages from the third on are
 * unmapped. The device must fault at the third page and never write the
 * neighbour's pages.
 */
TEST_F(inval, fill_pages_ahead_unmapped_while_a_page_faults_in)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, self->a,
				       BUF_LEN, 0x2222222222222222ULL);
	uint8_t *dst = self->a;

	for (size_t p = 0; p < NPAGES; p += 2)
		dst[p * PAGE_SZ] = 1;
	j.flags = variant->flags;
	ASSERT_TRUE(unmap_while_device_waits(_metadata, self->fd, &self->n,
					     &j, dst + 2 * PAGE_SZ,
					     BUF_LEN - 2 * PAGE_SZ,
					     2 * PAGE_SZ));
	EXPECT_EQ('Y', neighbour_ask(&self->n, 'C'))
		TH_LOG("the device wrote into the neighbour's memory");
	EXPECT_EQ(-EFAULT, j.result);
	EXPECT_EQ((uintptr_t)dst + 2 * PAGE_SZ, j.fault_addr);
	EXPECT_GE(2 * PAGE_SZ, j.bytes_done);
	for (size_t i = 0; i < 2 * PAGE_SZ; i++)
		ASSERT_EQ(0x22, dst[i]);
}

/*
 * A completion record in a page the ATC holds, for a job that waits for
 * its destination: the record's page is unmapped during the wait. The
 * record must not land in the neighbour's page, and the job must say
 * that its record could not be written.
 */
TEST_F(inval, completion_record_unmapped_while_the_job_faults_in)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, self->a,
				       BUF_LEN, 0x3333333333333333ULL);
	struct svmdemo_completion_record *cr = (void *)self->b;

	j.flags = variant->flags | SVMDEMO_JOB_CR_USER;
	j.cr_addr = (uintptr_t)cr;
	/* Warm the ATC with the record's page. */
	ASSERT_EQ(0, svm_fill(self->fd, self->b, PAGE_SZ, 0));
	ASSERT_TRUE(unmap_while_device_waits(_metadata, self->fd, &self->n,
					     &j, self->b, PAGE_SZ, PAGE_SZ));
	EXPECT_EQ('Y', neighbour_ask(&self->n, 'C'))
		TH_LOG("the device wrote the record into the neighbour's memory");
	EXPECT_EQ(BUF_LEN, j.bytes_done);
	EXPECT_EQ(-EFAULT, j.result);
	EXPECT_EQ((uintptr_t)cr, j.fault_addr);
	EXPECT_TRUE(!!(j.status & SVMDEMO_JOB_STATUS_CR_FAILED));
}

TEST_HARNESS_MAIN
