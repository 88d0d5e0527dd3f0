// SPDX-License-Identifier: GPL-2.0
/*
 * svm_storm: page-fault storms. With swap in RAM (zram, set up by
 * /usr/share/svmdemo/swap.sh) MADV_PAGEOUT really evicts anonymous pages,
 * so the device's page requests have to bring them back; many processes
 * fault at once, on every queue, far beyond the device's page request
 * capacity; and jobs run on memory that another thread munmaps, remaps or
 * mprotects at the same time: each such job is either fully correct or
 * ends with a clean fault status, never with stale data or a write to a
 * page that was read-only for the whole job; and the IOMMU's page request
 * queue overflows (a second device, hotplugged by the VM runner, with a
 * PRI allocation as large as the queue) and every job still completes.
 */
#include <pthread.h>
#include <limits.h>
#include <sched.h>
#include <stdatomic.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT	21
#endif

#define SWAP_SCRIPT	"/usr/share/svmdemo/swap.sh"

static long vm_swap_kb(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmSwap:", 7))
			v = strtol(line + 7, NULL, 10);
	fclose(f);
	return v;
}

FIXTURE(storm)
{
	int fd;
	struct svmdemo_info info;
	int kfd;
	uint64_t seed;
};

FIXTURE_SETUP(storm)
{
	self->kfd = kmsg_open();
	self->seed = test_seed();
	self->fd = svm_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, svm_get_info(self->fd, &self->info));
}

static bool prq_dev_unplug(void);

FIXTURE_TEARDOWN(storm)
{
	char first[512];

	close(self->fd);
	EXPECT_TRUE(prq_dev_unplug());
	EXPECT_EQ(0, kmsg_bad(self->kfd, first, sizeof(first)))
		TH_LOG("kernel log: %s", first);
	close(self->kfd);
}

#define PAGEOUT_LEN	(16UL << 20)

TEST_F_TIMEOUT(storm, swapped_out_pages_fault_back_in_for_the_device, 1200)
{
	unsigned int rounds = 3 * stress_factor();
	uint8_t *buf = map_anon(PAGEOUT_LEN, PROT_READ | PROT_WRITE);
	uint8_t *dst = map_anon(PAGEOUT_LEN, PROT_READ | PROT_WRITE);
	long long pri0 = svm_counter("pri_requests");
	long swapped = 0;
	uint32_t crc;

	ASSERT_NE(NULL, buf);
	ASSERT_NE(NULL, dst);
	if (system(SWAP_SCRIPT " on 512"))
		SKIP(return, "no swap: zram could not be set up (%s)", SWAP_SCRIPT);
	for (unsigned int r = 0; r < rounds; r++) {
		struct svmdemo_job j;
		long before, after;

		rnd_fill(&self->seed, buf, PAGEOUT_LEN);
		crc = ref_crc32c(buf, PAGEOUT_LEN);
		memset(dst, 0, PAGEOUT_LEN);
		before = vm_swap_kb();
		ASSERT_EQ(0, madvise(buf, PAGEOUT_LEN, MADV_PAGEOUT));
		ASSERT_EQ(0, madvise(dst, PAGEOUT_LEN, MADV_PAGEOUT));
		after = vm_swap_kb();
		/* Most of both buffers must really be in swap now. */
		ASSERT_LT(before + (long)(PAGEOUT_LEN >> 10), after)
			TH_LOG("VmSwap %ld -> %ld kB: MADV_PAGEOUT evicted nothing",
			       before, after);
		swapped += after - before;
		/* The device reads the evicted pages... */
		j = svm_job(SVMDEMO_OPCODE_CRC32C, buf, NULL, PAGEOUT_LEN, 0);
		ASSERT_EQ(0, svm_run(self->fd, &j));
		ASSERT_EQ(crc, j.result_value);
		/* ...and copies them into evicted pages (zero-filled swap). */
		j = svm_job(SVMDEMO_OPCODE_COPY, buf, dst, PAGEOUT_LEN, 0);
		ASSERT_EQ(0, madvise(buf, PAGEOUT_LEN, MADV_PAGEOUT));
		ASSERT_EQ(0, svm_run(self->fd, &j));
		ASSERT_EQ(crc, ref_crc32c(dst, PAGEOUT_LEN));
	}
	TH_LOG("%u rounds, %ld MiB swapped out, %lld page requests", rounds,
	       swapped >> 10, svm_counter("pri_requests") - pri0);
	EXPECT_EQ(0, system(SWAP_SCRIPT " off"));
	munmap(buf, PAGEOUT_LEN);
	munmap(dst, PAGEOUT_LEN);
}

#define STORM_PROCS	16
#define STORM_LEN	(4UL << 20)

/* One process of the storm: fault in 4 MiB for writing, then reading. */
static int storm_proc(unsigned int idx, unsigned int rounds,
		      unsigned int nr_queues)
{
	uint8_t *buf = map_anon(STORM_LEN, PROT_READ | PROT_WRITE);
	int fd = svm_open();

	if (!buf || fd < 0)
		return 10;
	for (unsigned int r = 0; r < rounds; r++) {
		uint64_t pat = 0x0101010101010101ULL * ((idx + r) % 250 + 1);
		struct svmdemo_job j[2] = {
			svm_job(SVMDEMO_OPCODE_FILL, NULL, buf, STORM_LEN, pat),
			svm_job(SVMDEMO_OPCODE_CRC32C, buf, NULL, STORM_LEN, 0),
		};
		struct svmdemo_submit s = {
			.jobs = (uintptr_t)j, .count = 2,
			.flags = SVMDEMO_SUBMIT_QUEUE,
			.queue = (idx + r) % nr_queues,
		};

		if (ioctl(fd, SVMDEMO_IOC_SUBMIT, &s))
			return 11;
		/* A fault storm may time a page request out: clean, retry. */
		if (j[0].result == -ETIMEDOUT || j[1].result == -ETIMEDOUT)
			continue;
		if (j[0].result || j[1].result)
			return 12;
		for (size_t i = 0; i < STORM_LEN; i += 4093)
			if (buf[i] != (uint8_t)pat)
				return 13;
		if ((uint32_t)j[1].result_value != ref_crc32c(buf, STORM_LEN))
			return 14;
		/* Evict (swap) or drop the pages: the next round faults again. */
		if (madvise(buf, STORM_LEN, MADV_PAGEOUT))
			madvise(buf, STORM_LEN, MADV_DONTNEED);
		if (r & 1)
			madvise(buf, STORM_LEN, MADV_DONTNEED);
	}
	close(fd);
	return 0;
}

/* Whole on one line, so that the summary can be grepped for. */
#define STORM_SUMMARY "%d processes x %u rounds x %lu MiB in %.1fs%s: %lld page requests in %lld groups, %lld failed, %lld timed out"

TEST_F_TIMEOUT(storm, many_processes_fault_at_once_and_all_complete, 3600)
{
	unsigned int rounds = 2 * stress_factor();
	long long pri0 = svm_counter("pri_requests");
	long long grp0 = svm_counter("pri_groups");
	long long fail0 = svm_counter("pri_failures");
	long long to0 = svm_counter("pri_timeouts");
	pid_t pids[STORM_PROCS];
	bool swap = !system(SWAP_SCRIPT " on 512");
	double t0 = now_s();
	int status;

	for (int i = 0; i < STORM_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(storm_proc(i, rounds, self->info.nr_queues));
	}
	for (int i = 0; i < STORM_PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("process %d: status %#x", i, status);
	}
	TH_LOG(STORM_SUMMARY,
	       STORM_PROCS, rounds, STORM_LEN >> 20, now_s() - t0,
	       swap ? " (with swap)" : "",
	       svm_counter("pri_requests") - pri0,
	       svm_counter("pri_groups") - grp0,
	       svm_counter("pri_failures") - fail0,
	       svm_counter("pri_timeouts") - to0);
	/* The page request path recovered: an ordinary job faults fine. */
	{
		uint8_t *p = map_anon(PAGE_SZ * 64, PROT_READ | PROT_WRITE);

		ASSERT_EQ(0, svm_fill(self->fd, p, PAGE_SZ * 64, 0x3131313131313131));
		ASSERT_EQ(0x31, p[PAGE_SZ * 64 - 1]);
		munmap(p, PAGE_SZ * 64);
	}
	if (swap)
		EXPECT_EQ(0, system(SWAP_SCRIPT " off"));
}

/* ---- jobs racing munmap/mmap and mprotect ---- */

#define RACE_VA		((uint8_t *)0x7c0000000000UL)
#define RACE_LEN	(256UL << 10)

struct race {
	atomic_uint gen;	/* generation mapped at RACE_VA */
	atomic_uint seq;	/* mprotect: odd = read-only */
	atomic_bool stop;
	uint64_t seed;
	bool replace;		/* MAP_FIXED over the old mapping */
};

static uint8_t gen_byte(unsigned int g)
{
	return 1 + g % 254;
}

static void *remap_racer(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		unsigned int g = atomic_load(&r->gen) + 1;
		uint8_t *p;

		if (!r->replace || (g & 1))
			munmap(RACE_VA, RACE_LEN);
		p = mmap(RACE_VA, RACE_LEN, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (p != RACE_VA)
			abort();
		memset(p, gen_byte(g), RACE_LEN);
		atomic_store(&r->gen, g);
		usleep(rnd_below(&r->seed, 300));
	}
	return NULL;
}

TEST_F_TIMEOUT(storm, jobs_racing_munmap_never_see_stale_data, 1200)
{
	unsigned int iters = 300 * stress_factor(), ok = 0, faulted = 0;
	uint8_t *dst = map_anon(RACE_LEN, PROT_READ | PROT_WRITE);
	struct race r = { .seed = self->seed };
	pthread_t th;

	ASSERT_NE(NULL, dst);
	ASSERT_EQ(RACE_VA, mmap(RACE_VA, RACE_LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				-1, 0));
	memset(RACE_VA, gen_byte(0), RACE_LEN);
	ASSERT_EQ(0, pthread_create(&th, NULL, remap_racer, &r));
	for (unsigned int it = 0; it < iters; it++) {
		struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_COPY, RACE_VA, dst,
					       RACE_LEN, 0);
		unsigned int g0, g1;
		size_t up_to;
		int res;

		r.replace = it & 1;
		if (it % 3 == 0)
			j.flags = SVMDEMO_JOB_NO_PRI;
		memset(dst, 0xff, RACE_LEN);
		g0 = atomic_load(&r.gen);
		res = svm_run(self->fd, &j);
		g1 = atomic_load(&r.gen);
		ASSERT_TRUE(res == 0 || res == -EFAULT)
			TH_LOG("iteration %u: result %d", it, res);
		if (res) {
			faulted++;
			up_to = j.bytes_done;
		} else {
			ok++;
			up_to = RACE_LEN;
		}
		if (g1 - g0 + 2 >= 254)
			continue;	/* too many generations to tell apart */
		for (size_t i = 0; i < up_to; i++) {
			uint8_t b = dst[i];
			bool fine = b == 0;	/* a new page, before memset */

			for (unsigned int g = g0; g <= g1 + 1 && !fine; g++)
				fine = b == gen_byte(g);
			ASSERT_TRUE(fine)
				TH_LOG("iteration %u, byte %zu: %#x is stale (generations %u..%u)",
				       it, i, b, g0, g1);
		}
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	TH_LOG("%u jobs: %u complete, %u faulted cleanly, %u remaps", iters,
	       ok, faulted, atomic_load(&r.gen));
	munmap(RACE_VA, RACE_LEN);
	munmap(dst, RACE_LEN);
}

static void *mprotect_racer(void *arg)
{
	struct race *r = arg;

	while (!atomic_load(&r->stop)) {
		unsigned int s = atomic_load(&r->seq);
		int prot = (s & 1) ? PROT_READ | PROT_WRITE : PROT_READ;

		/* Publish "read-only" only once mprotect() returned. */
		if (prot == PROT_READ) {
			mprotect(RACE_VA, RACE_LEN, prot);
			atomic_store(&r->seq, s + 1);
		} else {
			atomic_store(&r->seq, s + 1);
			mprotect(RACE_VA, RACE_LEN, prot);
		}
		usleep(rnd_below(&r->seed, 400));
	}
	mprotect(RACE_VA, RACE_LEN, PROT_READ | PROT_WRITE);
	return NULL;
}

#define MPROTECT_SUMMARY "%u jobs: %u complete, %u refused, %u while read-only throughout, %u protection changes"

TEST_F_TIMEOUT(storm, jobs_racing_mprotect_never_write_read_only_pages, 1200)
{
	unsigned int iters = 300 * stress_factor(), ok = 0, refused = 0;
	unsigned int ro_whole = 0;
	struct race r = { .seed = self->seed ^ 0x5555 };
	pthread_t th;

	ASSERT_EQ(RACE_VA, mmap(RACE_VA, RACE_LEN, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
				-1, 0));
	memset(RACE_VA, 0, RACE_LEN);
	ASSERT_EQ(0, pthread_create(&th, NULL, mprotect_racer, &r));
	for (unsigned int it = 0; it < iters; it++) {
		uint8_t pat = gen_byte(it);
		struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, RACE_VA,
					       RACE_LEN, 0x0101010101010101ULL * pat);
		unsigned int s0, s1;
		size_t up_to;
		int res;

		if (it & 1)
			j.flags = SVMDEMO_JOB_UNTRANSLATED;
		s0 = atomic_load(&r.seq);
		res = svm_run(self->fd, &j);
		s1 = atomic_load(&r.seq);
		ASSERT_TRUE(res == 0 || res == -EACCES || res == -EFAULT)
			TH_LOG("iteration %u: result %d", it, res);
		if (s0 == s1 && (s0 & 1)) {
			ro_whole++;
			ASSERT_NE(0, res)
				TH_LOG("iteration %u: wrote a page read-only for the whole job",
				       it);
		}
		up_to = res ? j.bytes_done : RACE_LEN;
		if (res)
			refused++;
		else
			ok++;
		for (size_t i = 0; i < up_to; i += 61) {
			ASSERT_EQ(pat, RACE_VA[i])
				TH_LOG("iteration %u, byte %zu", it, i);
		}
	}
	atomic_store(&r.stop, true);
	pthread_join(th, NULL);
	TH_LOG(MPROTECT_SUMMARY, iters, ok, refused, ro_whole, atomic_load(&r.seq));
	munmap(RACE_VA, RACE_LEN);
}

/* ---- the IOMMU's page request queue overflows ---- */

/*
 * The runner adds "svm1" on request: a device whose PRI capacity (4096)
 * makes Linux allocate it 2048 outstanding page requests, as many as
 * VT-d's page request queue has entries; a ring of 2048 holds 2047, so
 * one full page group overflows it, and so do concurrent groups from
 * several queues that the kernel has not drained yet.
 */
#define PRQ_SYSFS	"/sys/class/svmdemo/svmdemo1"
#define PRQ_DEV		"/dev/svmdemo1"
#define PRQ_ALLOC	2048
#define PRQ_PROCS	4
#define PRQ_LEN		(16UL << 20)

/* One process: COPY into never-touched 4 KiB pages, round after round. */
static int prq_proc(unsigned int idx, unsigned int rounds,
		    unsigned int nr_queues, uint64_t seed)
{
	uint8_t *src = map_anon(PRQ_LEN, PROT_READ | PROT_WRITE);
	int fd = open(PRQ_DEV, O_RDWR | O_CLOEXEC);

	if (!src || fd < 0)
		return 10;
	seed += idx;
	rnd_fill(&seed, src, PRQ_LEN);
	for (unsigned int r = 0; r < rounds; r++) {
		uint8_t *dst = map_anon(PRQ_LEN, PROT_READ | PROT_WRITE);
		struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_COPY, src, dst,
					       PRQ_LEN, 0);
		struct svmdemo_submit s = {
			.jobs = (uintptr_t)&j, .count = 1,
			.flags = SVMDEMO_SUBMIT_QUEUE,
			.queue = (idx + r) % nr_queues,
		};

		if (!dst || madvise(dst, PRQ_LEN, MADV_NOHUGEPAGE))
			return 11;
		if (ioctl(fd, SVMDEMO_IOC_SUBMIT, &s))
			return 12;
		if (j.result)
			return 13;
		if (memcmp(dst, src, PRQ_LEN))
			return 14;
		munmap(dst, PRQ_LEN);
	}
	close(fd);
	return 0;
}

/* Power the slot of svm1 off: pciehp unbinds it, QEMU unplugs it. */
static bool prq_dev_unplug(void)
{
	char bdf[64], slot[PATH_MAX], path[PATH_MAX + 16];

	if (access(PRQ_SYSFS, F_OK))
		return true;
	if (svm_bdf(PRQ_SYSFS, bdf, sizeof(bdf)) ||
	    svm_slot(bdf, slot, sizeof(slot)))
		return false;
	snprintf(path, sizeof(path), "%s/power", slot);
	if (write_str(path, "0"))
		return false;
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	return wait_path(path, false, 30) && wait_path(PRQ_DEV, false, 5);
}

static bool prq_dev_plug(void)
{
	/* QEMU may still hold a device it just unplugged: retry. */
	for (int tries = 0; tries < 12; tries++) {
		if (svm_runner_ask("add svm1"))
			return false;
		if (wait_path(PRQ_DEV, true, 5))
			return true;
	}
	return false;
}

#define PRQ_SUMMARY "%d processes x %u rounds x %lu MiB into never-touched pages in %.1fs: %lld page requests in %lld groups, %lld overflows (%d kernel reports), %lld failed, %lld timed out"

TEST_F_TIMEOUT(storm, page_request_queue_overflows_and_recovers, 900)
{
	unsigned int rounds = 2 * stress_factor();
	long long pri0, grp0, ovf0, fail0, to0, ovf;
	struct svmdemo_info info;
	pid_t pids[PRQ_PROCS];
	int kfd, status, reports;
	double t0;
	char bdf[64], slot[PATH_MAX];
	const char *prq_report = "PRQ overflow";
	uint8_t *p;
	int fd;

	ASSERT_EQ(0, svm_bdf(SVM_SYSFS, bdf, sizeof(bdf)));
	if (svm_slot(bdf, slot, sizeof(slot)))
		SKIP(return, "%s is not in a hotplug slot (SVMDEMO_BUS=pcie.0?)",
		     bdf);
	ASSERT_TRUE(prq_dev_unplug()) TH_LOG("a stale svm1 is in the way");
	ASSERT_TRUE(prq_dev_plug())
		TH_LOG("no %s: is the VM runner's monitor there?", PRQ_DEV);
	/* Linux enables PRI when the first process binds. */
	fd = open(PRQ_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_get_info(fd, &info));
	ASSERT_EQ(PRQ_ALLOC, svm_pri_alloc(PRQ_SYSFS));

	pri0 = svm_counter_at(PRQ_SYSFS, "pri_requests");
	grp0 = svm_counter_at(PRQ_SYSFS, "pri_groups");
	ovf0 = svm_counter_at(PRQ_SYSFS, "pri_overflows");
	fail0 = svm_counter_at(PRQ_SYSFS, "pri_failures");
	to0 = svm_counter_at(PRQ_SYSFS, "pri_timeouts");
	kfd = kmsg_open();
	t0 = now_s();
	for (int i = 0; i < PRQ_PROCS; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i])
			_exit(prq_proc(i, rounds, info.nr_queues, self->seed));
	}
	for (int i = 0; i < PRQ_PROCS; i++) {
		ASSERT_EQ(pids[i], waitpid(pids[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && !WEXITSTATUS(status))
			TH_LOG("process %d: status %#x (seed %#llx)", i, status,
			       (unsigned long long)self->seed);
	}
	ovf = svm_counter_at(PRQ_SYSFS, "pri_overflows") - ovf0;
	reports = kmsg_grep(kfd, &prq_report, 1, NULL, 0);
	close(kfd);
	TH_LOG(PRQ_SUMMARY, PRQ_PROCS, rounds, PRQ_LEN >> 20, now_s() - t0,
	       svm_counter_at(PRQ_SYSFS, "pri_requests") - pri0,
	       svm_counter_at(PRQ_SYSFS, "pri_groups") - grp0, ovf, reports,
	       svm_counter_at(PRQ_SYSFS, "pri_failures") - fail0,
	       svm_counter_at(PRQ_SYSFS, "pri_timeouts") - to0);
	/* It overflowed, Linux saw it and cleared it, nothing was lost. */
	EXPECT_LT(0, ovf);
	EXPECT_LT(0, reports);
	EXPECT_EQ(0, svm_counter_at(PRQ_SYSFS, "pri_failures") - fail0);
	EXPECT_EQ(0, svm_counter_at(PRQ_SYSFS, "pri_timeouts") - to0);

	/* Both devices still fault pages in for ordinary jobs. */
	p = map_anon(PAGE_SZ * 64, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, svm_fill(fd, p, PAGE_SZ * 64, 0x4242424242424242ULL));
	EXPECT_EQ(0x42, p[PAGE_SZ * 64 - 1]);
	munmap(p, PAGE_SZ * 64);
	p = map_anon(PAGE_SZ * 64, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, p);
	ASSERT_EQ(0, svm_fill(self->fd, p, PAGE_SZ * 64, 0x4343434343434343ULL));
	EXPECT_EQ(0x43, p[PAGE_SZ * 64 - 1]);
	munmap(p, PAGE_SZ * 64);
	close(fd);
	EXPECT_TRUE(prq_dev_unplug());
}

TEST_HARNESS_MAIN
