// SPDX-License-Identifier: GPL-2.0
/*
 * svm_bench: throughput of the svmdemo stack, measured in the guest.
 *
 * Not a test: it prints a human readable table on stdout and, with -j
 * FILE, the raw figures as one JSON object. Every figure that matters is a
 * ratio of two things measured in this same run (the machines are noisy);
 * the host-side figures (host memcpy, make check time) are merged in by
 * the host (qemu-scripts/host/bench-report.py).
 *
 *   svm_bench [-t SECONDS_PER_ROW] [-r ROUNDS] [-j FILE] [-p MAX_PROCS]
 *             [-o SECTION,...]
 *
 * Each figure is the best of ROUNDS (default 3) measurements, and the two
 * sides of a ratio are measured alternately, so that a burst of load from
 * elsewhere on the host hits both or is discarded.
 *
 * Rows:
 *   noop_*      NOOP jobs/s: one synchronous ioctl per job, a synchronous
 *               batch of 64, asynchronous ioctl submission keeping 64 or
 *               256 jobs in flight, io_uring at QD 64/256 (when the driver
 *               has SVMDEMO_CAP_URING_CMD and the uapi defines it).
 *   copy_*      COPY bandwidth, pre-touched buffers, warm ATC, and the
 *               guest CPU's memcpy of the same buffers.
 *   fault_*     16 MiB COPY into never-touched 4 KiB pages vs pre-touched.
 *   xlate_*     ATS+ATC vs untranslated, counters on a warm rerun.
 *   scale_*     1, 2, 4, 8 processes (one PASID each).
 */
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <time.h>

#include "svmdemo_test.h"

#define MiB		(1024UL * 1024)
#define BATCH		64

/* Keep the best of several measurements (NaN counts as nothing yet). */
static inline void best(double *v, double x)
{
	if (!(*v >= x))
		*v = x;
}

static double row_time = 0.5;	/* seconds per measurement */
static int rounds = 3;		/* best of this many, interleaved */
static const char *only;	/* -o: comma separated sections to run */

static bool want(const char *section)
{
	const char *p = only;
	size_t n = strlen(section);

	if (!only)
		return true;
	while ((p = strstr(p, section))) {
		if ((p == only || p[-1] == ',') && (!p[n] || p[n] == ','))
			return true;
		p += n;
	}
	return false;
}

static int max_procs = 8;
static struct svmdemo_info info;

/* ---- JSON (flat object, numbers and strings) ---- */

static char json[1 << 16];
static size_t json_len;

static void jput(const char *key, const char *fmt, ...)
{
	va_list ap;

	json_len += snprintf(json + json_len, sizeof(json) - json_len,
			     "%s\n  \"%s\": ", json_len ? "," : "{", key);
	va_start(ap, fmt);
	json_len += vsnprintf(json + json_len, sizeof(json) - json_len, fmt,
			      ap);
	va_end(ap);
}

static void jnum(const char *key, double v)
{
	if (isnan(v) || isinf(v))
		jput(key, "null");
	else
		jput(key, "%.6g", v);
}

/* ---- helpers ---- */

static void die(const char *what)
{
	fprintf(stderr, "svm_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* 2 MiB aligned anonymous memory; @huge: THP allowed, else 4 KiB pages. */
static void *map_buf(size_t len, bool huge, bool touch)
{
	size_t span = len + HPAGE_SZ;
	uint8_t *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *a;

	if (p == MAP_FAILED)
		die("mmap");
	a = (uint8_t *)(((uintptr_t)p + HPAGE_SZ - 1) & ~(HPAGE_SZ - 1));
	if (a != p)
		munmap(p, a - p);
	munmap(a + len, p + span - (a + len));
	madvise(a, len, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
	if (touch)
		memset(a, 0x5a, len);
	return a;
}

static long long anon_huge_kib(void)
{
	char line[256];
	long long kib = 0, v;
	FILE *f = fopen("/proc/self/smaps_rollup", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "AnonHugePages: %lld kB", &v) == 1)
			kib = v;
	fclose(f);
	return kib;
}

static void submit_or_die(int fd, struct svmdemo_job *jobs, unsigned int n)
{
	unsigned int i;
	int ret;

	/*
	 * -EINTR without a signal: io_uring task work (TIF_NOTIFY_SIGNAL)
	 * left over from the io_uring rows interrupts the driver's wait. The
	 * jobs are idempotent: run them again.
	 */
	while ((ret = svm_submit(fd, jobs, n)) == -EINTR)
		continue;
	if (ret) {
		errno = -ret;
		die("SVMDEMO_IOC_SUBMIT");
	}
	for (i = 0; i < n; i++) {
		if (jobs[i].result) {
			fprintf(stderr, "svm_bench: job %u (op %u): result %d\n",
				i, jobs[i].opcode, jobs[i].result);
			exit(1);
		}
	}
}

/* ---- NOOP submission rate ---- */

static double noop_sync(int fd, unsigned int batch)
{
	struct svmdemo_job jobs[BATCH];
	double t0 = now_s(), t;
	long long n = 0;
	unsigned int i;

	for (i = 0; i < batch; i++)
		jobs[i] = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	do {
		submit_or_die(fd, jobs, batch);
		n += batch;
		t = now_s() - t0;
	} while (t < row_time);
	return n / t;
}

/* Asynchronous ioctls keeping @depth jobs in flight. */
static double noop_async(int fd, unsigned int depth)
{
	static struct svmdemo_job jobs[256], done[256];
	struct svmdemo_submit s = { .flags = SVMDEMO_SUBMIT_ASYNC };
	struct svmdemo_wait w = {
		.jobs = (uintptr_t)done,
		.timeout_ms = SVMDEMO_WAIT_INFINITE,
	};
	unsigned int inflight = 0, i;
	long long n = 0;
	double t0, t;
	bool stop = false;

	if (depth > info.max_jobs)
		depth = info.max_jobs;
	for (i = 0; i < depth; i++)
		jobs[i] = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	w.count = depth;
	t0 = now_s();
	for (;;) {
		if (!stop && inflight < depth) {
			s.jobs = (uintptr_t)jobs;
			s.count = depth - inflight;
			s.submitted = 0;
			if (ioctl(fd, SVMDEMO_IOC_SUBMIT, &s) && errno != EINTR)
				die("async SVMDEMO_IOC_SUBMIT");
			inflight += s.submitted;
		}
		if (!inflight)
			break;
		w.completed = 0;
		if (ioctl(fd, SVMDEMO_IOC_WAIT, &w) && errno != EINTR)
			die("SVMDEMO_IOC_WAIT");
		inflight -= w.completed;
		n += w.completed;
		for (i = 0; i < w.completed; i++)
			if (done[i].result)
				die("async NOOP failed");
		t = now_s() - t0;
		if (t >= row_time)
			stop = true;
	}
	return n / (now_s() - t0);
}

/*
 * io_uring: one IORING_OP_URING_CMD per job (the job inline in a 128-byte
 * SQE, SVMDEMO_URING_CMD_JOB128), @depth in flight. With @ring_nop,
 * IORING_OP_NOP instead, which never reaches the driver: io_uring's own
 * cost per request on the same ring, the floor of the io_uring rows.
 */
static double noop_uring(int fd, unsigned int depth, bool ring_nop)
{
	const struct svmdemo_job noop = svm_job(SVMDEMO_OPCODE_NOOP, NULL,
						NULL, 0, 0);
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	unsigned int inflight = 0;
	long long n = 0;
	double t0, t;
	bool stop = false;

	/* One task submits and reaps: completions run when it waits. */
	if (io_uring_queue_init(depth, &ring,
				IORING_SETUP_SQE128 | IORING_SETUP_CQE32 |
				IORING_SETUP_SINGLE_ISSUER |
				IORING_SETUP_DEFER_TASKRUN))
		return NAN;
	t0 = now_s();
	for (;;) {
		while (!stop && inflight < depth) {
			struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

			if (!sqe)
				break;
			if (ring_nop) {
				io_uring_prep_nop(sqe);
				sqe->user_data = n + inflight;
			} else {
				uring_job128_prep(sqe, fd, &noop, n + inflight);
			}
			inflight++;
		}
		if (!inflight)
			break;
		/*
		 * Reap a quarter of the depth at a time, as fio's
		 * iodepth_batch_complete_min does.
		 */
		if (io_uring_submit_and_wait(&ring, inflight > 4 ?
					     inflight / 4 : 1) < 0)
			die("io_uring_submit_and_wait");
		while (!io_uring_peek_cqe(&ring, &cqe)) {
			if (cqe->res < 0)
				die("uring NOOP failed");
			io_uring_cqe_seen(&ring, cqe);
			inflight--;
			n++;
		}
		t = now_s() - t0;
		if (t >= row_time)
			stop = true;
	}
	io_uring_queue_exit(&ring);
	return n / (now_s() - t0);
}

/* ---- copies ---- */

/* Bytes/s of COPY jobs of @len from @src to @dst; batches of ~1 MiB. */
static double copy_bw(int fd, void *dst, const void *src, size_t len,
		      __u32 flags, double secs)
{
	struct svmdemo_job jobs[BATCH];
	unsigned int batch = len >= MiB ? 1 : MiB / len, i;
	long long bytes = 0;
	double t0, t;

	if (batch > BATCH)
		batch = BATCH;
	for (i = 0; i < batch; i++) {
		jobs[i] = svm_job(SVMDEMO_OPCODE_COPY, src, dst, len, 0);
		jobs[i].flags = flags;
	}
	t0 = now_s();
	do {
		submit_or_die(fd, jobs, batch);
		bytes += (long long)len * batch;
		t = now_s() - t0;
	} while (t < secs);
	return bytes / t;
}

static double memcpy_bw(void *dst, const void *src, size_t len)
{
	long long bytes = 0;
	double t0 = now_s(), t;

	do {
		memcpy(dst, src, len);
		__asm__ volatile("" : : "r"(dst) : "memory");
		bytes += len;
		t = now_s() - t0;
	} while (t < row_time);
	return bytes / t;
}

static const char *size_name(size_t len)
{
	static char s[16];

	if (len >= MiB)
		snprintf(s, sizeof(s), "%zum", len / MiB);
	else
		snprintf(s, sizeof(s), "%zuk", len / 1024);
	return s;
}

static void bench_copy(int fd)
{
	static const size_t sizes[] = { 4096, 64 << 10, 1 << 20, 16 << 20 };
	unsigned int i;

	printf("\n%-28s %12s %12s %8s\n", "copy, warm ATC (THP bufs)",
	       "device MB/s", "memcpy MB/s", "ratio");
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t len = sizes[i];
		void *src = map_buf(len, true, true);
		void *dst = map_buf(len, true, true);
		double dev = 0, cpu = 0;
		char key[64];
		int r;

		copy_bw(fd, dst, src, len, 0, 0.05);	/* warm the ATC */
		for (r = 0; r < rounds; r++) {
			best(&dev, copy_bw(fd, dst, src, len, 0, row_time));
			best(&cpu, memcpy_bw(dst, src, len));
		}
		printf("%-28s %12.1f %12.1f %8.2f\n", size_name(len),
		       dev / 1e6, cpu / 1e6, dev / cpu);
		snprintf(key, sizeof(key), "copy%s_device_Bps", size_name(len));
		jnum(key, dev);
		snprintf(key, sizeof(key), "copy%s_guest_memcpy_Bps",
			 size_name(len));
		jnum(key, cpu);
		munmap(src, len);
		munmap(dst, len);
	}
}

/* ---- fault path: never-touched vs pre-touched, 4 KiB pages ---- */

/*
 * The device's own round-trip times (docs/device.md 5.1), over every
 * page group and ATS request since the driver bound the device: in the
 * bench VM that is this run, whose page groups come from the fault rows.
 */
static void bench_latency(void)
{
	long long pri50 = svm_sysfs("latency/pri_p50_us");
	long long pri99 = svm_sysfs("latency/pri_p99_us");
	long long ats50 = svm_sysfs("latency/ats_p50_us");
	long long ats99 = svm_sysfs("latency/ats_p99_us");

	printf("  device round trips (us): page group p50 <= %lld, p99 <= %lld\n",
	       pri50, pri99);
	printf("  device round trips (us): ATS p50 <= %lld, p99 <= %lld\n",
	       ats50, ats99);
	jnum("pri_roundtrip_us_p50", pri50 > 0 ? pri50 : NAN);
	jnum("pri_roundtrip_us_p99", pri99 > 0 ? pri99 : NAN);
	jnum("ats_roundtrip_us_p50", ats50 > 0 ? ats50 : NAN);
	jnum("ats_roundtrip_us_p99", ats99 > 0 ? ats99 : NAN);
}

static void bench_fault(int fd)
{
	const size_t len = 16 << 20;
	const long long pages = len / PAGE_SZ;
	void *src = map_buf(len, false, true);
	struct svm_counters c0, c1, d = { 0 }, dr;
	double t, cold = 0, warm = 0;
	int reps = 0, r;
	double cold_secs = 0;
	void *dst;

	for (r = 0; r < rounds; r++) {
		double secs = 0;
		int n = 0;

		svm_counters_read(&c0);
		do {
			struct svmdemo_job j;

			dst = map_buf(len, false, false);
			j = svm_job(SVMDEMO_OPCODE_COPY, src, dst, len, 0);
			t = now_s();
			submit_or_die(fd, &j, 1);
			secs += now_s() - t;
			n++;
			munmap(dst, len);
		} while (secs < row_time && n < 16);
		svm_counters_read(&c1);
		svm_counters_delta(&dr, &c0, &c1);
		d.pri_requests += dr.pri_requests;
		d.pri_groups += dr.pri_groups;
		d.pri_failures += dr.pri_failures;
		reps += n;
		cold_secs += secs;
		best(&cold, (double)len * n / secs);

		dst = map_buf(len, false, true);
		copy_bw(fd, dst, src, len, 0, 0.05);
		best(&warm, copy_bw(fd, dst, src, len, 0, row_time));
		munmap(dst, len);
	}
	munmap(src, len);

	printf("\nfault path, 16 MiB COPY, 4 KiB pages\n");
	printf("  never-touched dst %10.1f MB/s (%d jobs)\n", cold / 1e6, reps);
	printf("  pre-touched dst   %10.1f MB/s   ratio %.3f\n", warm / 1e6,
	       cold / warm);
	printf("  page requests per faulted page %.3f, page groups per job %.2f\n",
	       (double)d.pri_requests / (pages * reps),
	       (double)d.pri_groups / reps);
	printf("  PRI failures %lld\n", d.pri_failures);
	jnum("fault16m_cold_Bps", cold);
	jnum("fault16m_pretouched_Bps", warm);
	jnum("fault16m_jobs", reps);
	jnum("fault16m_faulted_pages_per_job", pages);
	jnum("fault16m_page_requests", d.pri_requests);
	jnum("fault16m_page_groups", d.pri_groups);
	jnum("fault16m_pri_failures", d.pri_failures);
	jnum("pri_alloc", svm_pri_alloc(SVM_SYSFS));
	jnum("page_requests_per_faulted_page",
	     (double)d.pri_requests / (pages * reps));
	jnum("cold_vs_warm_copy16m", cold / warm);
	jnum("page_groups_per_job_cold16m", (double)d.pri_groups / reps);
	/* page requests the device had answered per second of faulting */
	jnum("pri_requests_per_s", d.pri_requests / cold_secs);
	bench_latency();
}

/* ---- translation path ---- */

static void xlate_one(int fd, const char *name, size_t len, bool huge,
		      double *ats_per_page, double *hit_rate)
{
	void *src = map_buf(len, huge, true);
	void *dst = map_buf(len, huge, true);
	long long pages = 2 * len / PAGE_SZ, reps, lookups;
	struct svm_counters c0, c1, d;
	double ats = 0, unt = 0, t0;
	char key[64];
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_COPY, src, dst, len, 0);
	int r;

	for (r = 0; r < rounds; r++) {
		copy_bw(fd, dst, src, len, 0, 0.05);	/* warm */
		best(&ats, copy_bw(fd, dst, src, len, 0, row_time));
		best(&unt, copy_bw(fd, dst, src, len,
				   SVMDEMO_JOB_UNTRANSLATED, row_time));
	}
	copy_bw(fd, dst, src, len, 0, 0.05);	/* warm again */

	/* Warm reruns, counted. */
	svm_counters_read(&c0);
	t0 = now_s();
	reps = 0;
	do {
		submit_or_die(fd, &j, 1);
		reps++;
	} while (now_s() - t0 < row_time / 4 || reps < 4);
	svm_counters_read(&c1);
	svm_counters_delta(&d, &c0, &c1);
	*ats_per_page = (double)d.ats_requests / (pages * reps);
	lookups = d.atc_hits + d.atc_misses;
	*hit_rate = lookups ? (double)d.atc_hits / lookups : NAN;

	printf("%-28s %12.1f %12.1f %8.2f %8.4f %8.4f\n", name, ats / 1e6,
	       unt / 1e6, ats / unt, *ats_per_page, *hit_rate);
	snprintf(key, sizeof(key), "xlate_%s_ats_Bps", name);
	jnum(key, ats);
	snprintf(key, sizeof(key), "xlate_%s_untranslated_Bps", name);
	jnum(key, unt);
	snprintf(key, sizeof(key), "xlate_%s_ats_requests_per_page_warm", name);
	jnum(key, *ats_per_page);
	snprintf(key, sizeof(key), "xlate_%s_atc_hit_rate_warm", name);
	jnum(key, *hit_rate);
	snprintf(key, sizeof(key), "xlate_%s_huge_kib", name);
	jnum(key, anon_huge_kib());
	munmap(src, len);
	munmap(dst, len);
}

static void bench_xlate(int fd)
{
	double ats_pp, hit, dummy1, dummy2;

	printf("\n%-28s %12s %12s %8s %8s %8s\n", "translation (COPY)",
	       "ATS+ATC MB/s", "untransl MB/s", "ratio", "ATS/page",
	       "ATC hit");
	/* The keyed figures: 16 MiB on THP (2 MiB ATC entries). */
	xlate_one(fd, "16m_thp", 16 << 20, true, &ats_pp, &hit);
	/* 4 KiB pages, src + dst fit in the 256-entry ATC. */
	xlate_one(fd, "256k_4k", 256 << 10, false, &dummy1, &dummy2);
	jnum("ats_requests_per_page_warm", ats_pp);
	jnum("atc_hit_rate_warm", hit);
}

/* ---- scaling over processes (one PASID each) ---- */

struct scale_res {
	double jobs_per_s;
	double bytes_per_s;
};

static void scale_child(int ready, int go, struct scale_res *res, bool copy)
{
	const size_t len = 1 << 20;
	struct svmdemo_job jobs[BATCH];
	unsigned int batch = copy ? 4 : BATCH, i;
	void *src = NULL, *dst = NULL;
	long long n = 0;
	double t0, t;
	char c = 0;
	int fd = svm_open();

	if (fd < 0)
		die("open");
	if (copy) {
		/*
		 * 1 MiB in a whole 2 MiB THP each, so that the ATC holds
		 * both sides and the row measures copying: 4 KiB pages of
		 * several processes would share the 256-entry ATC and
		 * measure ATS requests instead (the xlate rows do).
		 */
		src = map_buf(HPAGE_SZ, true, true);
		dst = map_buf(HPAGE_SZ, true, true);
	}
	for (i = 0; i < batch; i++)
		jobs[i] = copy ? svm_job(SVMDEMO_OPCODE_COPY, src, dst, len, 0)
			       : svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);
	if (copy)
		submit_or_die(fd, jobs, 1);	/* warm */
	if (write(ready, &c, 1) != 1 || read(go, &c, 1) != 1)
		die("pipe");
	t0 = now_s();
	do {
		submit_or_die(fd, jobs, batch);
		n += batch;
		t = now_s() - t0;
	} while (t < row_time);
	res->jobs_per_s = n / t;
	res->bytes_per_s = copy ? n * (double)len / t : 0;
	close(fd);
	_exit(0);
}

static double scale_run(int nproc, bool copy, double *bytes)
{
	struct scale_res *res = mmap(NULL, sizeof(*res) * nproc,
				     PROT_READ | PROT_WRITE,
				     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int ready[2], go[2], i;
	double sum = 0;
	char c[16] = { 0 };

	if (res == MAP_FAILED || pipe(ready) || pipe(go))
		die("scale setup");
	for (i = 0; i < nproc; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork");
		if (!pid)
			scale_child(ready[1], go[0], &res[i], copy);
	}
	for (i = 0; i < nproc; i++)
		if (read(ready[0], c, 1) != 1)
			die("ready");
	/* Phase marks on stderr, for lining a host profile up with rows. */
	fprintf(stderr, "svm_bench: scale %d %s start\n", nproc,
		copy ? "copy" : "noop");
	for (i = 0; i < nproc; i++)
		if (write(go[1], c, 1) != 1)
			die("go");
	*bytes = 0;
	for (i = 0; i < nproc; i++) {
		int st;

		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			die("child failed");
	}
	fprintf(stderr, "svm_bench: scale %d %s end\n", nproc,
		copy ? "copy" : "noop");
	for (i = 0; i < nproc; i++) {
		sum += res[i].jobs_per_s;
		*bytes += res[i].bytes_per_s;
	}
	close(ready[0]);
	close(ready[1]);
	close(go[0]);
	close(go[1]);
	munmap(res, sizeof(*res) * nproc);
	return sum;
}

static void bench_scale(void)
{
	double noop1 = 0, noop4 = 0, copy1 = 0, copy2 = 0;
	int n;

	printf("\n%-28s %12s %12s\n", "scaling (procs, PASIDs)",
	       "NOOP jobs/s", "COPY GB/s");
	for (n = 1; n <= max_procs; n *= 2) {
		double nb, cb = 0, c, noop = 0;
		char key[64];
		int r;

		for (r = 0; r < (rounds > 1 ? 2 : 1); r++) {
			best(&noop, scale_run(n, false, &nb));
			scale_run(n, true, &c);
			best(&cb, c);
		}
		printf("%-28d %12.0f %12.3f\n", n, noop, cb / 1e9);
		snprintf(key, sizeof(key), "scale_%dp_noop_jobs_per_s", n);
		jnum(key, noop);
		snprintf(key, sizeof(key), "scale_%dp_copy1m_Bps", n);
		jnum(key, cb);
		if (n == 1)
			noop1 = noop;
		if (n == 1)
			copy1 = cb;
		if (n == 4)
			noop4 = noop;
		if (n == 2)
			copy2 = cb;
	}
	jnum("scaling_4p_vs_1p_noop", noop4 && noop1 ? noop4 / noop1 : NAN);
	jnum("scaling_2p_vs_1p_copy1m", copy2 && copy1 ? copy2 / copy1 : NAN);
}

int main(int argc, char **argv)
{
	const char *out = NULL;
	double sync1, b64, a64, a256, u64, u256, nop64;
	int fd, opt, i;

	while ((opt = getopt(argc, argv, "t:r:j:p:o:")) != -1) {
		switch (opt) {
		case 't':
			row_time = atof(optarg);
			break;
		case 'o':
			only = optarg;
			break;
		case 'r':
			rounds = atoi(optarg) > 0 ? atoi(optarg) : 1;
			break;
		case 'j':
			out = optarg;
			break;
		case 'p':
			max_procs = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-t secs] [-r rounds] [-j out.json] [-p procs]\n"
				"       [-o noop,copy,fault,xlate,scale]\n",
				argv[0]);
			return 2;
		}
	}

	fd = svm_open();
	if (fd < 0)
		die("open " SVM_DEV);
	if (svm_get_info(fd, &info))
		die("SVMDEMO_IOC_INFO");
	jput("schema", "\"svmdemo-bench-1\"");
	jnum("row_seconds", row_time);
	jnum("rounds", rounds);
	jnum("guest_cpus", sysconf(_SC_NPROCESSORS_ONLN));
	jnum("nr_queues", info.nr_queues);
	jput("driver_caps", "\"%#llx\"", (unsigned long long)info.caps);

	sync1 = 0;
	b64 = 0;
	a64 = 0;
	a256 = 0;
	u64 = NAN;
	u256 = NAN;
	nop64 = NAN;
	for (i = 0; i < rounds && want("noop"); i++) {
		best(&sync1, noop_sync(fd, 1));
		best(&b64, noop_sync(fd, BATCH));
		best(&a64, noop_async(fd, 64));
		best(&a256, noop_async(fd, 256));
		if (info.caps & SVMDEMO_CAP_URING_CMD) {
			best(&u64, noop_uring(fd, 64, false));
			best(&u256, noop_uring(fd, 256, false));
			best(&nop64, noop_uring(fd, 64, true));
		}
	}
	printf("%-28s %12s %8s\n", "NOOP submission", "jobs/s", "x sync");
	printf("%-28s %12.0f %8.2f\n", "sync ioctl, 1 job", sync1, 1.0);
	printf("%-28s %12.0f %8.2f\n", "sync ioctl, batch 64", b64, b64 / sync1);
	printf("%-28s %12.0f %8.2f\n", "async ioctl, QD 64", a64, a64 / sync1);
	printf("%-28s %12.0f %8.2f\n", "async ioctl, QD 256", a256, a256 / sync1);
	printf("%-28s %12.0f %8.2f\n", "io_uring, QD 64", u64, u64 / sync1);
	printf("%-28s %12.0f %8.2f\n", "io_uring, QD 256", u256, u256 / sync1);
	printf("%-28s %12.0f %8.2f\n", "IORING_OP_NOP, QD 64", nop64,
	       nop64 / sync1);
	jnum("noop_sync_jobs_per_s", sync1);
	jnum("noop_batch64_jobs_per_s", b64);
	jnum("noop_async_qd64_jobs_per_s", a64);
	jnum("noop_async_qd256_jobs_per_s", a256);
	jnum("noop_uring_qd64_jobs_per_s", u64);
	jnum("noop_uring_qd256_jobs_per_s", u256);
	jnum("batch64_vs_sync_noop", b64 / sync1);
	jnum("async_qd64_vs_sync_noop", a64 / sync1);
	jnum("uring_qd64_vs_sync_noop", u64 / sync1);
	jnum("uring_qd64_vs_async_qd64_noop", u64 / a64);
	/* io_uring's own requests per second on the same ring (no driver) */
	jnum("ring_nop_qd64_per_s", nop64);

	if (want("copy"))
		bench_copy(fd);
	if (want("fault"))
		bench_fault(fd);
	if (want("xlate"))
		bench_xlate(fd);
	close(fd);
	if (want("scale"))
		bench_scale();

	json_len += snprintf(json + json_len, sizeof(json) - json_len, "\n}\n");
	if (out) {
		FILE *f = fopen(out, "w");

		if (!f || fputs(json, f) < 0 || fclose(f))
			die(out);
	} else {
		fputs(json, stdout);
	}
	return 0;
}
