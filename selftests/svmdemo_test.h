/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the svmdemo selftests: open the device, turn a job into one
 * call, CPU reference implementations of what the device computes, and
 * the device counters from sysfs.
 */
#ifndef SVMDEMO_TEST_H
#define SVMDEMO_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/svmdemo.h>

#define SVM_DEV		"/dev/svmdemo0"
#define SVM_SYSFS	"/sys/class/svmdemo/svmdemo0"
#define PAGE_SZ		4096UL
#define HPAGE_SZ	(2UL << 20)
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

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

/* ---- CPU references ---- */

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

/* Deterministic pseudo-random bytes (xorshift), seeded per test. */
static inline uint64_t rnd_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static inline void rnd_fill(uint64_t *seed, void *buf, size_t len)
{
	uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = rnd_next(seed) >> 24;
}

/* ---- sysfs: device attributes and counters (docs/driver.md) ---- */

/* The number in @dir/@name, or -1 if it cannot be read. */
static inline long long svm_sysfs_at(const char *dir, const char *name)
{
	char path[256];
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%lld", &v) != 1)
		v = -1;
	fclose(f);
	return v;
}

/* The number in SVM_SYSFS/@name, or -1 if it cannot be read. */
static inline long long svm_sysfs(const char *name)
{
	return svm_sysfs_at(SVM_SYSFS, name);
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

#endif /* SVMDEMO_TEST_H */
