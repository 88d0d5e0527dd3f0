/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers of the robustness selftests (docs/reliability.md): how long to
 * run (SVMDEMO_STRESS), reproducible seeds (SVMDEMO_SEED), the kernel log
 * since a point, memory use, module load/unload, sysfs writes.
 */
#ifndef SVM_ROBUST_H
#define SVM_ROBUST_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/svmdemo.h>
#include <linux/svmdemo_debug.h>

#ifndef BIT
#define BIT(n)		(1U << (n))
#endif
#ifndef BIT_ULL
#define BIT_ULL(n)	(1ULL << (n))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#define SVM_MODULE	"/lib/modules/svmdemo.ko"
#define SVM_PARAMS	"/sys/module/svmdemo/parameters"

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

/* xorshift64*, independent of svmdemo_test.h's byte generator. */
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

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

/* ---- files ---- */

static inline int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;
	int err;

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	err = n < 0 ? -errno : 0;
	close(fd);
	return err;
}

static inline long read_long(const char *path)
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
	return strtol(buf, NULL, 0);
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

static inline void mem_snap(struct mem_snap *m)
{
	sync();
	write_str("/proc/sys/vm/drop_caches", "3");
	m->avail_kb = meminfo_kb("MemAvailable");
	m->slab_kb = meminfo_kb("Slab");
	m->sunreclaim_kb = meminfo_kb("SUnreclaim");
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

/* Wait until /dev/svmdemo0 exists (@present) or not. */
static inline bool svm_dev_wait(bool present, int ms)
{
	for (int i = 0; i <= ms; i += 10) {
		if ((access("/dev/svmdemo0", F_OK) == 0) == present)
			return true;
		usleep(10000);
	}
	return false;
}

/* PCI address of the svmdemo function, from the driver or the bus. */
static inline int svm_pci_addr(char *buf, size_t len)
{
	char link[PATH_MAX];
	struct dirent *de;
	ssize_t n;
	DIR *d;

	n = readlink("/sys/class/svmdemo/svmdemo0/device", link,
		     sizeof(link) - 1);
	if (n > 0) {
		link[n] = 0;
		if (strlen(basename(link)) >= len)
			return -1;
		memcpy(buf, basename(link), strlen(basename(link)) + 1);
		return 0;
	}
	d = opendir("/sys/bus/pci/devices");
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/device",
			 de->d_name);
		if (read_long(p) != 0x0b11)
			continue;
		snprintf(p, sizeof(p), "/sys/bus/pci/devices/%s/vendor",
			 de->d_name);
		if (read_long(p) != 0x1234)
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

/* ---- hotplug: the VM runner's monitor, slots ---- */

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

/* The PCI address of the device at sysfs @dir, e.g. "0000:01:00.0". */
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
 * refuses (vtd_translate_fail), and the VM runner (qemu-scripts/vm-run.sh,
 * console-filter.awk) fails the run on any that is not inside a window a
 * test opened: from svm_expect_failures_open() until
 * svm_expect_failures_close(), or until the test's result line, however
 * the test ended. A window is named after the test as the harness prints
 * it. The markers go straight to the console and are drained before the
 * call returns, so that a marker and the refusals it covers reach the
 * runner in order. Include after kselftest_harness.h.
 */
#ifdef __KSELFTEST_HARNESS_H
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
#endif

static inline int svm_debug_set(bool on)
{
	return write_str(SVM_PARAMS "/debug", on ? "1" : "0");
}

#endif /* SVM_ROBUST_H */
