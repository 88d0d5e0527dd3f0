/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmdemo_test.h: the helper library of the svmdemo selftests, in
 * sections: the device and its jobs, CPU references, run control (stress,
 * seeds, time), files and sysfs, the device's PCI function, the kernel
 * log, memory, the module, hotplug and the VM runner, io_uring. Tests
 * include it after kselftest_harness.h (svm_bench and svmdemo_demo
 * without it).
 */
#ifndef SVMDEMO_TEST_H
#define SVMDEMO_TEST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <liburing.h>

#include <linux/svmdemo.h>

#define SVM_DEV		"/dev/svmdemo0"
#define SVM_SYSFS	"/sys/class/svmdemo/svmdemo0"
#define SVM_MODULE	"/lib/modules/svmdemo.ko"
#define PAGE_SZ		4096UL
#define HPAGE_SZ	(2UL << 20)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#ifndef BIT
#define BIT(n)		(1U << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)	(1ULL << (n))
#endif

/* ---- run control: stress, seeds, time, random numbers ---- */

/* make check: 1; make stress: SVMDEMO_STRESS (10 by default). */
static inline unsigned int stress_factor(void)
{
	const char *s = getenv("SVMDEMO_STRESS");
	long v = s ? strtol(s, NULL, 0) : 1;

	return v < 1 ? 1 : v > 1000 ? 1000 : v;
}

/* SVMDEMO_SEED=N reproduces a run; else a fresh seed (printed). */
static inline uint64_t test_seed(void)
{
	const char *s = getenv("SVMDEMO_SEED");
	struct timespec ts;
	uint64_t v;
	FILE *f;

	if (s && *s)
		return strtoull(s, NULL, 0) ?: 1;
	/* make check SVMDEMO_SEED=N puts it in the initramfs. */
	f = fopen("/etc/svmdemo/seed", "r");
	if (f) {
		v = 0;
		if (fscanf(f, "%" SCNu64, &v) != 1)
			v = 0;
		fclose(f);
		if (v)
			return v;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	v = (uint64_t)ts.tv_sec * 1000000007ULL ^ ts.tv_nsec ^
	    ((uint64_t)getpid() << 32);
	return v ?: 1;
}

/* Deterministic pseudo-random numbers (xorshift64*), seeded per test. */
static inline uint64_t rnd64(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static inline uint64_t rnd_below(uint64_t *s, uint64_t n)
{
	return n ? rnd64(s) % n : 0;
}

static inline void rnd_fill(uint64_t *seed, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rnd64(seed) >> 56;
}

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the device and its jobs ---- */

static inline int svm_open(void)
{
	return open(SVM_DEV, O_RDWR | O_CLOEXEC);
}

static inline int svm_get_info(int fd, struct svmdemo_info *info)
{
	memset(info, 0, sizeof(*info));
	return ioctl(fd, SVMDEMO_IOC_INFO, info) ? -errno : 0;
}

/* Submit @n jobs synchronously; 0 or the ioctl's -errno. */
static inline int svm_submit(int fd, struct svmdemo_job *jobs, unsigned int n)
{
	struct svmdemo_submit s = {
		.jobs = (uintptr_t)jobs,
		.count = n,
	};

	return ioctl(fd, SVMDEMO_IOC_SUBMIT, &s) ? -errno : 0;
}

/*
 * Run one job synchronously and return its own result (0 or -errno), or
 * the ioctl's error if the request itself failed (then job->result is
 * left at a value that no job returns, so tests can tell the two apart).
 */
static inline int svm_run(int fd, struct svmdemo_job *job)
{
	int ret;

	job->result = 1;
	ret = svm_submit(fd, job, 1);
	return ret ? ret : job->result;
}

/* Queue @n jobs asynchronously; 0 or -errno, @submitted as the ioctl says. */
static inline int svm_submit_async(int fd, struct svmdemo_job *jobs,
				   unsigned int n, unsigned int *submitted)
{
	struct svmdemo_submit s = {
		.jobs = (uintptr_t)jobs,
		.count = n,
		.flags = SVMDEMO_SUBMIT_ASYNC,
	};
	int ret = ioctl(fd, SVMDEMO_IOC_SUBMIT, &s) ? -errno : 0;

	if (submitted)
		*submitted = s.submitted;
	return ret;
}

/* SVMDEMO_IOC_WAIT: 0 with *@completed jobs in @out, or -errno. */
static inline int svm_wait(int fd, struct svmdemo_job *out, unsigned int max,
			   unsigned int timeout_ms, unsigned int *completed)
{
	struct svmdemo_wait w = {
		.jobs = (uintptr_t)out,
		.count = max,
		.timeout_ms = timeout_ms,
	};
	int ret = ioctl(fd, SVMDEMO_IOC_WAIT, &w) ? -errno : 0;

	*completed = ret ? 0 : w.completed;
	return ret;
}

/* Reap exactly @n jobs (30 s per wait at most); how many were reaped. */
static inline unsigned int svm_reap_all(int fd, struct svmdemo_job *out,
					unsigned int n)
{
	unsigned int got = 0, c;

	while (got < n) {
		unsigned int max = n - got > 256 ? 256 : n - got;

		if (svm_wait(fd, out + got, max, 30000, &c))
			break;
		got += c;
	}
	return got;
}

static inline struct svmdemo_job svm_job(__u32 op, const void *src, void *dst,
					 __u64 len, __u64 operand)
{
	struct svmdemo_job j = {
		.opcode = op,
		.src = (uintptr_t)src,
		.dst = (uintptr_t)dst,
		.len = len,
		.operand = operand,
	};

	return j;
}

static inline int svm_fill(int fd, void *dst, size_t len, uint64_t pattern)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, dst, len,
				       pattern);

	return svm_run(fd, &j);
}

static inline int svm_copy(int fd, void *dst, const void *src, size_t len)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_COPY, src, dst, len, 0);

	return svm_run(fd, &j);
}

/* Anonymous private mapping, never touched: the device must fault it in. */
static inline void *map_anon(size_t len, int prot)
{
	void *p = mmap(NULL, len, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/*
 * @n FILL jobs of @each bytes each into fresh memory (returned; unmap
 * n * each bytes): job i fills its part with byte i & 0xff, cookie i.
 * Long enough to still run when the caller looks.
 */
static inline uint8_t *slow_jobs(struct svmdemo_job *jobs, unsigned int n,
				 size_t each)
{
	uint8_t *mem = map_anon(n * each, PROT_READ | PROT_WRITE);
	unsigned int i;

	if (!mem)
		return NULL;
	for (i = 0; i < n; i++) {
		jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL, mem + i * each,
				  each, 0x0101010101010101ULL * (i & 0xff));
		jobs[i].cookie = i;
	}
	return mem;
}

/* ---- CPU references ---- */

static inline uint8_t ref_crc8(const uint8_t *p, size_t len)
{
	static uint8_t table[256];
	static int ready;
	uint8_t crc = 0xff;
	size_t i;

	if (!ready) {
		/* Reflected (LSB first) table of polynomial 0xAB. */
		for (i = 0; i < 256; i++) {
			uint8_t c = i;
			int b;

			for (b = 0; b < 8; b++)
				c = (c & 1) ? (c >> 1) ^ 0xAB : c >> 1;
			table[i] = c;
		}
		ready = 1;
	}
	for (i = 0; i < len; i++)
		crc = table[crc ^ p[i]];
	return crc;
}

static inline uint32_t ref_crc32c(const uint8_t *p, size_t len)
{
	uint32_t crc = 0xffffffff;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (b = 0; b < 8; b++)
			crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
	}
	return ~crc;
}

static inline uint8_t ref_pattern(size_t i)
{
	return i % 251;
}

static inline uint8_t ref_fill(uint64_t pattern, size_t i)
{
	return pattern >> (8 * (i % 8));
}

/* ---- files ---- */

/* Write @s to @path, truncating it (which clears a trace buffer). */
static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

/* The number in file @path ("Y"/"N" read as 1/0), or -1 if unreadable. */
static inline long long read_ll(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	if (buf[0] == 'Y')
		return 1;
	if (buf[0] == 'N')
		return 0;
	return strtoll(buf, NULL, 0);
}

static inline long meminfo_kb(const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

struct mem_snap {
	long avail_kb, slab_kb, sunreclaim_kb;
};

/*
 * Shrink every slab cache: frees empty slabs and, under KASAN, the objects
 * waiting in its quarantine, which would otherwise count as allocated.
 */
static inline void slab_settle(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir("/sys/kernel/slab");

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink",
			 e->d_name);
		write_str(path, "1");
	}
	closedir(d);
	usleep(100000);		/* RCU-freed objects */
}

static inline void mem_snap(struct mem_snap *m)
{
	sync();
	write_str("/proc/sys/vm/drop_caches", "3");
	slab_settle();
	m->avail_kb = meminfo_kb("MemAvailable");
	m->slab_kb = meminfo_kb("Slab");
	m->sunreclaim_kb = meminfo_kb("SUnreclaim");
}

/* Wait until @path exists (@present) or not, at most @secs seconds. */
static inline bool wait_path(const char *path, bool present, double secs)
{
	double end = now_s() + secs;

	for (;;) {
		if (!access(path, F_OK) == present)
			return true;
		if (now_s() > end)
			return false;
		usleep(50000);
	}
}

/* ---- sysfs: device attributes and counters (docs/driver.md) ---- */

/* The number in @dir/@name, or -1 if it cannot be read. */
static inline long long svm_sysfs_at(const char *dir, const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return read_ll(path);
}

/* The number in SVM_SYSFS/@name, or -1 if it cannot be read. */
static inline long long svm_sysfs(const char *name)
{
	return svm_sysfs_at(SVM_SYSFS, name);
}

/* Wait until sysfs @name reads @want; returns the last value read. */
static inline long long svm_sysfs_wait(const char *name, long long want,
				       double secs)
{
	double end = now_s() + secs;
	long long v;

	for (;;) {
		v = svm_sysfs(name);
		if (v == want || now_s() > end)
			return v;
		usleep(20000);
	}
}

/* A counter (section 5 of docs/device.md) of the device at @dir. */
static inline long long svm_counter_at(const char *dir, const char *name)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "counters/%s", name);
	return svm_sysfs_at(dir, rel);
}

static inline long long svm_counter(const char *name)
{
	return svm_counter_at(SVM_SYSFS, name);
}

/*
 * The PRI "outstanding page request allocation" the host granted the
 * device at @dir (from its PCI config space), or -1.
 */
static inline long svm_pri_alloc(const char *dir)
{
	char path[256];
	uint32_t hdr, alloc = 0;
	unsigned int off = 0x100, n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/device/config", dir);
	f = fopen(path, "rb");
	if (!f)
		return -1;
	for (n = 0; off && n < 32; n++) {
		if (fseek(f, off, SEEK_SET) || fread(&hdr, 4, 1, f) != 1)
			break;
		if ((hdr & 0xffff) == 0x13) {	/* PCI_EXT_CAP_ID_PRI */
			if (fseek(f, off + 0x0c, SEEK_SET) ||
			    fread(&alloc, 4, 1, f) != 1)
				alloc = 0;
			break;
		}
		off = hdr >> 20;
	}
	fclose(f);
	return alloc ? (long)alloc : -1;
}

struct svm_counters {
	long long ats_requests, atc_hits, atc_misses, pri_requests, pri_groups,
		  pri_failures, invalidations, jobs, errors;
};

static inline void svm_counters_read(struct svm_counters *c)
{
	c->ats_requests = svm_counter("ats_requests");
	c->atc_hits = svm_counter("atc_hits");
	c->atc_misses = svm_counter("atc_misses");
	c->pri_requests = svm_counter("pri_requests");
	c->pri_groups = svm_counter("pri_groups");
	c->pri_failures = svm_counter("pri_failures");
	c->invalidations = svm_counter("invalidations");
	c->jobs = svm_counter("jobs");
	c->errors = svm_counter("errors");
}

/* @d = @b - @a, counter by counter. */
static inline void svm_counters_delta(struct svm_counters *d,
				      const struct svm_counters *a,
				      const struct svm_counters *b)
{
	d->ats_requests = b->ats_requests - a->ats_requests;
	d->atc_hits = b->atc_hits - a->atc_hits;
	d->atc_misses = b->atc_misses - a->atc_misses;
	d->pri_requests = b->pri_requests - a->pri_requests;
	d->pri_groups = b->pri_groups - a->pri_groups;
	d->pri_failures = b->pri_failures - a->pri_failures;
	d->invalidations = b->invalidations - a->invalidations;
	d->jobs = b->jobs - a->jobs;
	d->errors = b->errors - a->errors;
}

/*
 * ---- freezing page request service ----
 *
 * The calling thread and a spinner on every other CPU run SCHED_FIFO at
 * the highest priority: neither the IOMMU's page request thread nor the
 * fault workers can run until freeze_end(), so a job that waits for a
 * page group stays waiting, and its queue with it. Only the calling
 * thread works meanwhile (system calls that do not sleep).
 */

struct freeze {
	pthread_t spinner[CPU_SETSIZE];
	unsigned int nspin;
	atomic_bool stop;
};

static inline void *freeze_spin(void *arg)
{
	struct freeze *f = arg;

	while (!atomic_load_explicit(&f->stop, memory_order_relaxed))
		;
	return NULL;
}

static inline int set_fifo(pthread_t t, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	return pthread_setschedparam(t, prio ? SCHED_FIFO : SCHED_OTHER, &sp);
}

/*
 * Run the calling thread on CPU 0 and a spinner on every other CPU, all
 * SCHED_FIFO 99: from now on only hard interrupts and these threads run.
 */
static inline int freeze_begin(struct freeze *f)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t cpus;

	f->nspin = 0;
	atomic_store(&f->stop, false);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	if (pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus) ||
	    set_fifo(pthread_self(), 99))
		return -1;
	for (long c = 1; c < ncpu && c < CPU_SETSIZE; c++) {
		pthread_attr_t attr;
		struct sched_param sp = { .sched_priority = 99 };
		int ret;

		CPU_ZERO(&cpus);
		CPU_SET(c, &cpus);
		pthread_attr_init(&attr);
		pthread_attr_setinheritsched(&attr, PTHREAD_EXPLICIT_SCHED);
		pthread_attr_setschedpolicy(&attr, SCHED_FIFO);
		pthread_attr_setschedparam(&attr, &sp);
		pthread_attr_setaffinity_np(&attr, sizeof(cpus), &cpus);
		ret = pthread_create(&f->spinner[f->nspin], &attr, freeze_spin, f);
		pthread_attr_destroy(&attr);
		if (ret)
			return -1;
		f->nspin++;
	}
	return 0;
}

static inline void freeze_end(struct freeze *f)
{
	cpu_set_t cpus;

	atomic_store(&f->stop, true);
	for (unsigned int i = 0; i < f->nspin; i++)
		pthread_join(f->spinner[i], NULL);
	f->nspin = 0;
	set_fifo(pthread_self(), 0);
	CPU_ZERO(&cpus);
	for (long c = 0; c < sysconf(_SC_NPROCESSORS_ONLN) && c < CPU_SETSIZE;
	     c++)
		CPU_SET(c, &cpus);
	pthread_setaffinity_np(pthread_self(), sizeof(cpus), &cpus);
}

/* Spin until the device sent a page group after @base (2 s at most). */
static inline bool device_waits_on_group(long long base)
{
	double end = now_s() + 2;

	while (now_s() < end)
		if (svm_counter("pri_groups") > base)
			return true;
	return false;
}

/* The PCI address of the device at sysfs @dir, e.g. "0000:01:00.0". */
/* ---- the device's PCI function ---- */

static inline int svm_bdf(const char *dir, char *bdf, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/device", dir);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = 0;
	snprintf(bdf, len, "%s", basename(link));
	return 0;
}

/* PCI address of the svmdemo function, from the driver or the bus. */
static inline int svm_pci_addr(char *buf, size_t len)
{
	struct dirent *de;
	DIR *d;

	if (!svm_bdf(SVM_SYSFS, buf, len))
		return 0;
	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		if (read_ll(p) != 0x0b11)
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor",
			 de->d_name);
		if (read_ll(p) != 0x1234)
			continue;
		if (strlen(de->d_name) >= len)
			break;
		memcpy(buf, de->d_name, strlen(de->d_name) + 1);
		closedir(d);
		return 0;
	}
	closedir(d);
	return -1;
}

/* ---- the kernel log since a point ---- */

static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/*
 * Count the records since kmsg_open() that contain one of the @n strings
 * @pats; the first one is copied to @first (if @len).
 */
static inline int kmsg_grep(int fd, const char *const *pats, size_t n,
			    char *first, size_t len)
{
	char rec[8192];
	int found = 0;
	ssize_t r;

	if (first && len)
		first[0] = 0;
	if (fd < 0)
		return 0;
	for (;;) {
		r = read(fd, rec, sizeof(rec) - 1);
		if (r < 0 && errno == EPIPE)
			continue;	/* overwritten records */
		if (r <= 0)
			break;
		rec[r] = 0;
		for (size_t i = 0; i < n; i++) {
			if (!strstr(rec, pats[i]))
				continue;
			if (!found++ && first && len) {
				size_t k = strnlen(rec, len - 1);

				memcpy(first, rec, k);
				first[k] = 0;
			}
			break;
		}
	}
	return found;
}

/* The records the VM runner would fail on, as kmsg_grep(). */
static inline int kmsg_bad(int fd, char *first, size_t len)
{
	static const char *const bad[] = {
		"BUG:", "WARNING:", "Oops", "general protection",
		"refcount_t", "blocked for more than", "Call Trace:",
	};

	return kmsg_grep(fd, bad, ARRAY_SIZE(bad), first, len);
}

/* ---- the module ---- */

static inline int svm_module_load(const char *params)
{
	int fd = open(SVM_MODULE, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0) ? -errno
								      : 0;
	close(fd);
	return ret;
}

static inline int svm_module_unload(void)
{
	return syscall(SYS_delete_module, "svmdemo", O_NONBLOCK) ? -errno : 0;
}

static inline bool svm_module_loaded(void)
{
	return access("/sys/module/svmdemo", F_OK) == 0;
}

/* ---- hotplug: the VM runner's monitor, slots ---- */

/* The hotplug slot holding @bdf: /sys/bus/pci/slots/N, or -ENOENT. */
static inline int svm_slot(const char *bdf, char *slot, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/slots");
	struct dirent *e;
	int ret = -ENOENT;

	if (!d)
		return ret;
	while ((e = readdir(d))) {
		char path[PATH_MAX], addr[64] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/slots/%s/address",
			 e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fscanf(f, "%63s", addr) != 1)
			addr[0] = 0;
		fclose(f);
		/* "0000:01:00" names the slot of "0000:01:00.0". */
		if (addr[0] && !strncmp(addr, bdf, strlen(addr))) {
			snprintf(slot, len, "/sys/bus/pci/slots/%s", e->d_name);
			ret = 0;
			break;
		}
	}
	closedir(d);
	return ret;
}

/*
 * Ask the VM runner for one of its fixed monitor commands (qemu-scripts/
 * vm-run.sh): "add", "del" (the device svm0) or "add svm1".
 */
static inline int svm_runner_ask(const char *what)
{
	int con = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	int ret = 0;

	if (con < 0)
		return -errno;
	if (dprintf(con, "svmdemo-hotplug: %s\n", what) <= 0)
		ret = -EIO;
	close(con);
	return ret;
}

/*
 * Windows of expected IOMMU refusals. QEMU's VT-d traces every DMA it
 * refuses (vtd_translate_fail), and the VM runner (qemu-scripts/host/vm-run.sh,
 * console-filter.awk) fails the run on any that is not inside a window a
 * test opened: from svm_expect_failures_open() until
 * svm_expect_failures_close(), or until the test's result line, however
 * the test ended. A window is named after the test as the harness prints
 * it. The markers go straight to the console and are drained before the
 * call returns, so that a marker and the refusals it covers reach the
 * runner in order. Include after kselftest_harness.h.
 */
#ifdef __KSELFTEST_HARNESS_H
/*
 * A slow kernel (KCONFIG=debug) runs every test slower: the VM exports
 * SVMDEMO_SLOW, and every test's time limit (TEST_F_TIMEOUT, or the
 * harness's default) grows by that factor. Runs after the harness has
 * registered the tests.
 */
static void __attribute__((constructor(KSELFTEST_PRIO_XFAIL + 1)))
svm_scale_test_timeouts(void)
{
	const char *s = getenv("SVMDEMO_SLOW");
	struct __fixture_metadata *f;
	struct __test_metadata *t;
	long slow = s ? strtol(s, NULL, 0) : 1;

	if (slow <= 1 || slow > 100)
		return;
	for (f = __fixture_list; f; f = f->next)
		for (t = f->tests; t; t = t->next)
			t->timeout *= slow;
}

static inline void svm_runner_mark(struct __test_metadata *m, const char *what)
{
	const struct __fixture_variant_metadata *v;
	const char *variant = "";
	int con;

	for (v = m->fixture->variant; v; v = v->next)
		if (v->data == m->variant)
			variant = v->name;
	con = open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (con < 0)
		return;
	dprintf(con, "\nsvmdemo-expect: %s %s%s%s.%s\n", what, m->fixture->name,
		variant[0] ? "." : "", variant, m->name);
	tcdrain(con);
	close(con);
}

static inline void svm_expect_failures_open(struct __test_metadata *m)
{
	svm_runner_mark(m, "open");
}

static inline void svm_expect_failures_close(struct __test_metadata *m)
{
	svm_runner_mark(m, "close");
}

/*
 * This test expects no refusal from here on: every window still open
 * closes now. A test killed in its window is closed by its result line,
 * which takes the pipe and can reach the runner after the next test's
 * first refusals; this marker goes straight to the console.
 */
static inline void svm_expect_failures_none(struct __test_metadata *m)
{
	svm_runner_mark(m, "none");
}
#endif

/* ---- io_uring ----
 *
 * Submitting svmdemo jobs with io_uring (liburing).
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

/*
 * Submit @n jobs as io_uring commands and wait for all of them, like
 * svm_submit() does with the ioctl: 0 once they ran (each job's outputs
 * are written back to it), or the errno of the first job refused (its
 * result stays 1, which no job returns).
 */
static inline int svm_submit_uring(int fd, struct svmdemo_job *jobs,
				   unsigned int n)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	unsigned int i;
	int ret = 0;

	if (io_uring_queue_init(n < 4 ? 4 : n, &ring, 0))
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		jobs[i].result = 1;
		uring_job_prep(io_uring_get_sqe(&ring), fd, &jobs[i], i);
	}
	if (io_uring_submit(&ring) != (int)n)
		ret = -EIO;
	for (i = 0; i < n && ret != -EIO; i++) {
		if (io_uring_wait_cqe(&ring, &cqe)) {
			ret = -EIO;
			break;
		}
		if (cqe->user_data < n && jobs[cqe->user_data].result == 1 &&
		    cqe->res < 0 && !ret)
			ret = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return ret;
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

#endif /* SVMDEMO_TEST_H */
