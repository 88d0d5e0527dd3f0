// SPDX-License-Identifier: GPL-2.0
/*
 * svm_fuzz: hostile calls on /dev/svmdemo0. Random ioctl numbers, random
 * sizes, random structure contents, and pointers that are NULL,
 * unaligned, kernel, unmapped, read-only or PROT_NONE (addresses are kept
 * canonical: QEMU reports non-canonical ones on stderr), with
 * reserved fields set; then the same for io_uring commands. Every call
 * must return 0 or a clean errno, every job that ran must end with a
 * result from the uapi table, no job may write memory it was not pointed
 * at (a canary page and a read-only page stay intact), the kernel log
 * stays clean, and afterwards ordinary jobs still work.
 *
 * Seeded: SVMDEMO_SEED=N reproduces a run; the seed is printed first.
 * 100000 calls per test (times SVMDEMO_STRESS).
 */
#include <liburing.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <ucontext.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#define FUZZ_CALLS	100000
#define SCRATCH_PAGES	16
#define JOBAREA_JOBS	512

struct fuzz {
	uint64_t seed, seed0;
	int fd;
	struct svmdemo_info info;
	uint8_t *scratch;	/* RW, followed by a PROT_NONE guard page */
	uint8_t *ro;		/* read-only, known contents */
	uint8_t *none;		/* PROT_NONE */
	uint8_t *canary;	/* RW, never pointed at */
	uintptr_t unmapped;
	struct svmdemo_job *jobarea;	/* job arrays whose results we read */
	uint8_t *ctl;			/* ioctl structures no job aims at */
	/* statistics */
	unsigned long calls, ok, errnos[160], job_results[160], jobs_ran;
};

static const uint64_t odd_ptrs[] = {
	0, 1, 8, 4095, 4096, 0xfee00000, 0xfeeff000,
	0xffff888000000000ULL,		/* direct map */
	0xffffc90000000000ULL,		/* vmalloc */
	0xffffffff81000000ULL,		/* kernel text */
	0xffffffffff600000ULL,		/* vsyscall page */
	~0ULL, ~0ULL - 7,
};

/*
 * Non-canonical addresses never reach memory either, but QEMU's VT-d
 * reports them on stderr ("detected translation failure"), which the VM
 * runner fails on: keep random addresses canonical.
 */
static uint64_t canonical(uint64_t a)
{
	return (uint64_t)((int64_t)(a << 16) >> 16);
}

static uint64_t pick_ptr(struct fuzz *f)
{
	uint64_t r = rnd64(&f->seed);

	switch (r % 12) {
	case 0:
		return 0;
	case 1:		/* aligned in scratch */
		return (uintptr_t)f->scratch +
		       (rnd_below(&f->seed, SCRATCH_PAGES * PAGE_SZ) & ~63UL);
	case 2:		/* unaligned in scratch */
		return (uintptr_t)f->scratch +
		       rnd_below(&f->seed, SCRATCH_PAGES * PAGE_SZ);
	case 3:		/* straddles the guard page */
		return (uintptr_t)f->scratch + SCRATCH_PAGES * PAGE_SZ -
		       1 - rnd_below(&f->seed, 128);
	case 4:
		return (uintptr_t)f->ro + rnd_below(&f->seed, PAGE_SZ);
	case 5:
		return (uintptr_t)f->none + rnd_below(&f->seed, PAGE_SZ);
	case 6:
		return f->unmapped + rnd_below(&f->seed, PAGE_SZ);
	case 7:
	case 8:
		return odd_ptrs[rnd_below(&f->seed, sizeof(odd_ptrs) /
						    sizeof(odd_ptrs[0]))];
	case 9:
		return canonical(rnd64(&f->seed));
	default:
		return (uintptr_t)f->scratch;
	}
}

static uint64_t pick_len(struct fuzz *f)
{
	static const uint64_t lens[] = {
		0, 1, 7, 8, 64, 4095, 4096, 4097, 65536, 65537, 1 << 20,
	};

	switch (rnd_below(&f->seed, 8)) {
	case 0:
		return f->info.max_len;
	case 1:
		return f->info.max_len + 1;
	case 2:
		return rnd64(&f->seed);
	case 3:
		return ~0ULL - rnd_below(&f->seed, 4096);
	default:
		return lens[rnd_below(&f->seed, ARRAY_SIZE(lens))];
	}
}

/* A job the driver accepts, aimed anywhere: the device must cope. */
static void gen_plausible_job(struct fuzz *f, struct svmdemo_job *j)
{
	static const uint32_t flags[] = {
		0, 0, 0, SVMDEMO_JOB_NO_PRI, SVMDEMO_JOB_UNTRANSLATED,
		SVMDEMO_JOB_NO_PRI | SVMDEMO_JOB_UNTRANSLATED,
	};
	uint32_t op = rnd_below(&f->seed, SVMDEMO_OPCODE_MAX);
	bool src = op == SVMDEMO_OPCODE_COPY || op == SVMDEMO_OPCODE_COMPARE ||
		   op == SVMDEMO_OPCODE_CRC32C || op == SVMDEMO_OPCODE_READ_CRC8;
	bool dst = op == SVMDEMO_OPCODE_FILL || op == SVMDEMO_OPCODE_COPY ||
		   op == SVMDEMO_OPCODE_COMPARE ||
		   op == SVMDEMO_OPCODE_WRITE_PATTERN;

	memset(j, 0, sizeof(*j));
	j->opcode = op;
	j->flags = flags[rnd_below(&f->seed, ARRAY_SIZE(flags))];
	if (src)
		j->src = rnd_below(&f->seed, 2) ? pick_ptr(f) :
			 (uintptr_t)f->scratch + rnd_below(&f->seed, 8 * PAGE_SZ);
	if (dst)
		j->dst = rnd_below(&f->seed, 2) ? pick_ptr(f) :
			 (uintptr_t)f->scratch + rnd_below(&f->seed, 8 * PAGE_SZ);
	if (src || dst)
		j->len = rnd_below(&f->seed, 8) ? rnd_below(&f->seed, 3 * PAGE_SZ)
					       : pick_len(f);
	if (op == SVMDEMO_OPCODE_FILL)
		j->operand = rnd64(&f->seed);
	else if (op == SVMDEMO_OPCODE_READ_CRC8)
		j->operand = rnd_below(&f->seed, 256);
	j->cookie = rnd64(&f->seed);
	if (rnd_below(&f->seed, 8) == 0) {
		j->flags |= SVMDEMO_JOB_CR_USER;
		j->reserved[0] = rnd_below(&f->seed, 2) ? pick_ptr(f) & ~31ULL :
				 ((uintptr_t)f->scratch +
				  rnd_below(&f->seed, SCRATCH_PAGES * PAGE_SZ)) & ~31ULL;
	}
}

static void gen_job(struct fuzz *f, struct svmdemo_job *j)
{
	if (rnd_below(&f->seed, 2) == 0) {
		gen_plausible_job(f, j);
		return;
	}
	if (rnd_below(&f->seed, 3) == 0) {
		for (size_t i = 0; i < sizeof(*j) / 8; i++)
			((uint64_t *)j)[i] = rnd64(&f->seed);
		return;
	}
	memset(j, 0, sizeof(*j));
	j->opcode = rnd_below(&f->seed, 10) ? rnd_below(&f->seed, 9)
					    : (uint32_t)rnd64(&f->seed);
	switch (rnd_below(&f->seed, 6)) {
	case 0:
		j->flags = 1U << rnd_below(&f->seed, 32);
		break;
	case 1:
		j->flags = rnd64(&f->seed);
		break;
	case 2:
		j->flags = rnd_below(&f->seed, 32);
		break;
	default:
		break;
	}
	j->src = rnd_below(&f->seed, 3) ? pick_ptr(f) : 0;
	j->dst = rnd_below(&f->seed, 3) ? pick_ptr(f) : 0;
	j->len = pick_len(f);
	j->operand = rnd_below(&f->seed, 2) ? rnd64(&f->seed) : 0;
	j->cookie = rnd64(&f->seed);
	if (rnd_below(&f->seed, 8) == 0)
		j->reserved[rnd_below(&f->seed, 2)] = rnd_below(&f->seed, 2) ?
						     pick_ptr(f) : 1;
	/* Outputs on input: the driver must ignore them. */
	if (rnd_below(&f->seed, 4) == 0) {
		j->result = rnd64(&f->seed);
		j->status = rnd64(&f->seed);
		j->bytes_done = rnd64(&f->seed);
		j->fault_addr = rnd64(&f->seed);
	}
}

/*
 * Results the uapi table allows for a job that ran. Not -EIO: that is the
 * driver's catch-all for a device status it does not know, which only a
 * device or driver bug can produce.
 */
static bool job_result_valid(int r)
{
	switch (r) {
	case 0: case -EFAULT: case -EACCES: case -EPERM: case -EINVAL:
	case -EILSEQ: case -EBADMSG: case -ENXIO: case -ECANCELED:
	case -ETIMEDOUT:
		return true;
	default:
		return false;
	}
}

/* A job that ran: its result must be valid; counted for the summary. */
static bool job_result_ok(struct fuzz *f, int r)
{
	if (!job_result_valid(r))
		return false;
	f->jobs_ran++;
	f->job_results[-r < 160 ? -r : 159]++;
	return true;
}

static bool errno_ok(int e)
{
	switch (e) {
	case ENOTTY: case EINVAL: case EFAULT: case EPERM: case EAGAIN:
	case ECHILD: case ETIMEDOUT: case ENOMEM: case E2BIG:
	case EOPNOTSUPP: case EBADF: case ENXIO: case EACCES: case ENODEV:
	case ESPIPE: case EBUSY:
		return true;
	default:
		return false;
	}
}

/*
 * Generic ioctls the VFS answers for any file: some change the file or
 * its inode (FS_IOC_SETFLAGS could make /dev/svmdemo0 immutable,
 * FIFREEZE freezes devtmpfs), so the fuzzer leaves these types alone.
 */
static bool cmd_is_vfs(unsigned int cmd)
{
	switch (_IOC_TYPE(cmd)) {
	case 0x00: case 0x15: case 'T': case 'X': case 'f': case 0x94:
		return true;
	default:
		return false;
	}
}

static unsigned int pick_cmd(struct fuzz *f)
{
	static const unsigned int ours[] = {
		SVMDEMO_IOC_INFO, SVMDEMO_IOC_SUBMIT, SVMDEMO_IOC_WAIT,
	};
	unsigned int cmd;

	do {
		switch (rnd_below(&f->seed, 10)) {
		case 0: case 1: case 2: case 3: case 4:
			cmd = ours[rnd_below(&f->seed, ARRAY_SIZE(ours))];
			break;
		case 5:		/* ours, with the size or direction changed */
			cmd = ours[rnd_below(&f->seed, ARRAY_SIZE(ours))];
			cmd = _IOC(rnd_below(&f->seed, 4), _IOC_TYPE(cmd),
				   _IOC_NR(cmd), rnd_below(&f->seed, 2) ?
				   _IOC_SIZE(cmd) ^ (1U << rnd_below(&f->seed, 8)) :
				   rnd_below(&f->seed, 1U << 14));
			break;
		case 6:		/* our magic, any number */
			cmd = _IOC(rnd_below(&f->seed, 4), SVMDEMO_IOC_MAGIC,
				   rnd_below(&f->seed, 256),
				   rnd_below(&f->seed, 1U << 14));
			break;
		default:
			cmd = rnd64(&f->seed);
			break;
		}
	} while (cmd_is_vfs(cmd));
	return cmd;
}

/*
 * Where a structure goes: a quiet place (@quiet: no job aims there, so
 * the outputs can be checked), anywhere in scratch (jobs may overwrite
 * it meanwhile), or any pointer at all.
 */
static void *place(struct fuzz *f, size_t size, bool *good, bool *quiet)
{
	uint64_t r = rnd_below(&f->seed, 8);
	uint8_t *p;

	*good = r < 5;
	*quiet = r < 2;
	if (*quiet)
		return f->ctl + (rnd_below(&f->seed, PAGE_SZ - size) & ~7UL);
	if (*good) {
		p = f->scratch + rnd_below(&f->seed, SCRATCH_PAGES * PAGE_SZ -
						       size);
		if (r < 3)
			p = (uint8_t *)((uintptr_t)p & ~7UL);
		return p;
	}
	return (void *)(uintptr_t)pick_ptr(f);
}

static void gen_submit(struct fuzz *f, struct svmdemo_submit *s,
		       unsigned int *njobs, bool *results)
{
	unsigned int n;

	memset(s, 0, sizeof(*s));
	*results = false;
	switch (rnd_below(&f->seed, 8)) {
	case 0:
		n = 0;
		break;
	case 1:
		n = rnd_below(&f->seed, 2) ? 256 + rnd_below(&f->seed, 2) :
					     (uint32_t)rnd64(&f->seed);
		break;
	default:
		n = 1 + rnd_below(&f->seed, 4);
		break;
	}
	s->count = n;
	*njobs = n;
	if (n && n <= JOBAREA_JOBS && rnd_below(&f->seed, 4)) {
		for (unsigned int i = 0; i < n; i++)
			gen_job(f, &f->jobarea[i]);
		s->jobs = (uintptr_t)f->jobarea;
		*results = true;
	} else {
		s->jobs = pick_ptr(f);
	}
	switch (rnd_below(&f->seed, 6)) {
	case 0:
		s->flags = SVMDEMO_SUBMIT_ASYNC;
		break;
	case 1:
		s->flags = SVMDEMO_SUBMIT_QUEUE;
		s->queue = rnd_below(&f->seed, f->info.nr_queues + 2);
		break;
	case 2:
		s->flags = SVMDEMO_SUBMIT_ASYNC | SVMDEMO_SUBMIT_QUEUE;
		s->queue = rnd_below(&f->seed, f->info.nr_queues + 2);
		break;
	case 3:
		s->flags = rnd64(&f->seed);
		s->queue = rnd64(&f->seed);
		break;
	default:
		break;
	}
	if (rnd_below(&f->seed, 4) == 0)
		s->timeout_ms = rnd_below(&f->seed, 3) ? rnd_below(&f->seed, 50)
						       : (uint32_t)rnd64(&f->seed);
	if (rnd_below(&f->seed, 10) == 0)
		s->submitted = rnd64(&f->seed);
	if (rnd_below(&f->seed, 10) == 0)
		s->__pad = 1;
	if (rnd_below(&f->seed, 10) == 0)
		s->reserved[rnd_below(&f->seed, 2)] = rnd64(&f->seed) | 1;
}

static void gen_wait(struct fuzz *f, struct svmdemo_wait *w, bool *results)
{
	memset(w, 0, sizeof(*w));
	*results = false;
	w->count = rnd_below(&f->seed, 6) ? 1 + rnd_below(&f->seed, 32) :
		   rnd_below(&f->seed, 2) ? 257 : (uint32_t)rnd64(&f->seed);
	if (w->count <= JOBAREA_JOBS && rnd_below(&f->seed, 4)) {
		w->jobs = (uintptr_t)f->jobarea;
		*results = true;
	} else {
		w->jobs = pick_ptr(f);
	}
	switch (rnd_below(&f->seed, 5)) {
	case 0:
		w->timeout_ms = SVMDEMO_WAIT_INFINITE;
		break;
	case 1:
		w->timeout_ms = rnd_below(&f->seed, 20);
		break;
	case 2:
		w->timeout_ms = rnd64(&f->seed);
		break;
	default:
		break;
	}
	if (rnd_below(&f->seed, 10) == 0)
		w->flags = rnd64(&f->seed) | 1;
	if (rnd_below(&f->seed, 10) == 0)
		w->__pad = 1;
	if (rnd_below(&f->seed, 10) == 0)
		w->reserved[rnd_below(&f->seed, 2)] = 1;
	if (rnd_below(&f->seed, 10) == 0) {
		w->completed = rnd64(&f->seed);
		w->pending = rnd64(&f->seed);
	}
}

static void fuzz_init(struct __test_metadata *_metadata, struct fuzz *f)
{
	uint8_t *m;

	memset(f, 0, sizeof(*f));
	f->seed0 = test_seed();
	f->seed = f->seed0;
	TH_LOG("seed %" PRIu64 " (rerun with SVMDEMO_SEED=%" PRIu64 ")",
	       f->seed0, f->seed0);
	f->fd = svm_open();
	ASSERT_LE(0, f->fd);
	ASSERT_EQ(0, svm_get_info(f->fd, &f->info));

	m = mmap(NULL, (SCRATCH_PAGES + 5) * PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, m);
	f->scratch = m;
	memset(f->scratch, 0x5a, SCRATCH_PAGES * PAGE_SZ);
	f->none = m + SCRATCH_PAGES * PAGE_SZ;		/* the guard */
	f->ro = f->none + PAGE_SZ;
	f->canary = f->ro + PAGE_SZ;
	/*
	 * Far below the mmap area, so that no later mapping (an io_uring
	 * ring, say) lands there: a hole left by munmap() would be reused.
	 */
	f->unmapped = 0x100000000000UL;
	for (size_t i = 0; i < PAGE_SZ; i++) {
		f->ro[i] = ref_pattern(i);
		f->canary[i] = ~ref_pattern(i);
	}
	ASSERT_EQ(0, mprotect(f->none, PAGE_SZ, PROT_NONE));
	ASSERT_EQ(0, mprotect(f->ro, PAGE_SZ, PROT_READ));
	ASSERT_EQ(0, munmap(f->canary + PAGE_SZ, 2 * PAGE_SZ));
	m = mmap((void *)f->unmapped, PAGE_SZ, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)f->unmapped, m) TH_LOG("%#lx is in use", f->unmapped);
	ASSERT_EQ(0, munmap(m, PAGE_SZ));
	f->jobarea = calloc(JOBAREA_JOBS, sizeof(*f->jobarea));
	ASSERT_NE(NULL, f->jobarea);
	f->ctl = calloc(1, PAGE_SZ);
	ASSERT_NE(NULL, f->ctl);
}

/* Reap every asynchronous job left; each must have a clean result. */
static void drain(struct __test_metadata *_metadata, struct fuzz *f)
{
	struct svmdemo_wait w = { .jobs = (uintptr_t)f->jobarea, .count = 64,
				  .timeout_ms = 10000 };

	for (int i = 0; i < 100000; i++) {
		w.completed = 0;
		if (ioctl(f->fd, SVMDEMO_IOC_WAIT, &w)) {
			ASSERT_EQ(ECHILD, errno) TH_LOG("seed %" PRIu64, f->seed0);
			return;
		}
		for (unsigned int k = 0; k < w.completed; k++) {
			ASSERT_TRUE(job_result_ok(f, f->jobarea[k].result))
				TH_LOG("seed %" PRIu64 ": async job result %d",
				       f->seed0, f->jobarea[k].result);
		}
	}
	ASSERT_TRUE(0) TH_LOG("%s: asynchronous jobs never completed", __func__);
}

static void fuzz_check_after(struct __test_metadata *_metadata, struct fuzz *f,
			     int kfd)
{
	char first[512];
	int fd2;

	drain(_metadata, f);
	for (size_t i = 0; i < PAGE_SZ; i++) {
		ASSERT_EQ((uint8_t)~ref_pattern(i), f->canary[i])
			TH_LOG("seed %" PRIu64 ": canary byte %zu changed",
			       f->seed0, i);
		ASSERT_EQ(ref_pattern(i), f->ro[i])
			TH_LOG("seed %" PRIu64 ": read-only byte %zu changed",
			       f->seed0, i);
	}
	/* The driver and the device keep working: old file and a new one. */
	fcntl(f->fd, F_SETFL, 0);
	memset(f->scratch, 0, PAGE_SZ);
	ASSERT_EQ(0, svm_fill(f->fd, f->scratch, PAGE_SZ, 0x1122334455667788))
		TH_LOG("seed %" PRIu64, f->seed0);
	ASSERT_EQ(0x88, f->scratch[0]);
	ASSERT_EQ(0x11, f->scratch[PAGE_SZ - 1]);
	fd2 = svm_open();
	ASSERT_LE(0, fd2);
	ASSERT_EQ(0, svm_copy(fd2, f->scratch + PAGE_SZ, f->scratch, PAGE_SZ));
	ASSERT_EQ(0, memcmp(f->scratch, f->scratch + PAGE_SZ, PAGE_SZ));
	close(fd2);
	ASSERT_EQ(0, kmsg_bad(kfd, first, sizeof(first)))
		TH_LOG("seed %" PRIu64 ": kernel log: %s", f->seed0, first);
}

static void print_stats(struct __test_metadata *_metadata, struct fuzz *f,
			double secs)
{
	char line[1024];
	int n = 0;

	for (int e = 0; e < 160; e++)
		if (f->errnos[e])
			n += snprintf(line + n, sizeof(line) - n, " %s:%lu",
				      e ? strerrorname_np(e) : "ok",
				      f->errnos[e]);
	TH_LOG("%lu calls in %.1fs; returns:%s", f->calls, secs, line);
	n = 0;
	line[0] = 0;
	for (int e = 0; e < 160; e++)
		if (f->job_results[e])
			n += snprintf(line + n, sizeof(line) - n, " %s:%lu",
				      e ? strerrorname_np(e) : "0",
				      f->job_results[e]);
	TH_LOG("%lu jobs ran; results:%s", f->jobs_ran, line);
}

static void noop_handler(int sig)
{
	(void)sig;
}

static uint64_t crash_seed;

/* A crash of the test itself: say where, and with which seed. */
static void segv_handler(int sig, siginfo_t *si, void *uc)
{
	char msg[160];
	int n;

	n = snprintf(msg, sizeof(msg),
		     "# signal %d at address %p, ip %#llx, seed %" PRIu64 "\n",
		     sig, si->si_addr,
		     (unsigned long long)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP],
		     crash_seed);
	write(2, msg, n);
	_exit(1);
}

FIXTURE(fuzz)
{
	struct fuzz f;
	int kfd;
};

FIXTURE_SETUP(fuzz)
{
	struct sigaction sa = {
		.sa_sigaction = segv_handler, .sa_flags = SA_SIGINFO,
	};

	signal(SIGALRM, noop_handler);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	self->kfd = kmsg_open();
	fuzz_init(_metadata, &self->f);
	crash_seed = self->f.seed0;
}

FIXTURE_TEARDOWN(fuzz)
{
	close(self->f.fd);
	close(self->kfd);
}

static void one_ioctl(struct __test_metadata *_metadata, struct fuzz *f)
{
	unsigned int cmd = pick_cmd(f), njobs = 0;
	bool ours = cmd == SVMDEMO_IOC_SUBMIT || cmd == SVMDEMO_IOC_WAIT ||
		    cmd == SVMDEMO_IOC_INFO;
	bool good, quiet = false, results = false;
	struct svmdemo_submit *s;
	struct svmdemo_wait *w;
	void *arg;
	long ret;

	if (cmd == SVMDEMO_IOC_SUBMIT) {
		s = place(f, sizeof(*s), &good, &quiet);
		if (good)
			gen_submit(f, s, &njobs, &results);
		arg = s;
	} else if (cmd == SVMDEMO_IOC_WAIT) {
		w = place(f, sizeof(*w), &good, &quiet);
		if (good)
			gen_wait(f, w, &results);
		arg = w;
	} else {
		arg = rnd_below(&f->seed, 2) ? place(f, 256, &good, &quiet) :
		      (void *)(uintptr_t)pick_ptr(f);
		if (arg == (void *)f->scratch)
			rnd_fill(&f->seed, f->scratch, 256);
	}

	f->calls++;
	ret = ioctl(f->fd, cmd, arg);
	if (ret < 0) {
		ASSERT_TRUE(errno_ok(errno))
			TH_LOG("seed %" PRIu64 ", call %lu: ioctl %#x: %s",
			       f->seed0, f->calls, cmd, strerror(errno));
		f->errnos[errno < 160 ? errno : 159]++;
		return;
	}
	if (ours)
		ASSERT_EQ(0, ret) TH_LOG("seed %" PRIu64 ", call %lu: ioctl %#x returned %ld",
					 f->seed0, f->calls, cmd, ret);
	f->errnos[0]++;
	if (!results || !quiet)
		return;
	if (cmd == SVMDEMO_IOC_SUBMIT && !(s->flags & SVMDEMO_SUBMIT_ASYNC)) {
		for (unsigned int i = 0; i < njobs; i++) {
			ASSERT_TRUE(job_result_ok(f, f->jobarea[i].result))
				TH_LOG("seed %" PRIu64 ", call %lu: job %u result %d",
				       f->seed0, f->calls, i, f->jobarea[i].result);
		}
	} else if (cmd == SVMDEMO_IOC_WAIT) {
		ASSERT_GE(w->count, w->completed);
		ASSERT_LT(0U, w->completed);
		for (unsigned int i = 0; i < w->completed; i++) {
			ASSERT_TRUE(job_result_ok(f, f->jobarea[i].result))
				TH_LOG("seed %" PRIu64 ", call %lu: reaped result %d",
				       f->seed0, f->calls, f->jobarea[i].result);
		}
	}
}

/* Other system calls on the file: all refused or harmless. */
static void one_other(struct __test_metadata *_metadata, struct fuzz *f)
{
	uint64_t r = rnd_below(&f->seed, 8);
	struct pollfd pfd = { .fd = f->fd, .events = POLLIN | POLLOUT };
	char buf[256];
	void *p;

	f->calls++;
	switch (r) {
	case 0:
		p = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED,
			 f->fd, rnd_below(&f->seed, 4) * PAGE_SZ);
		if (p != MAP_FAILED)
			munmap(p, PAGE_SZ);
		break;
	case 1:
		ASSERT_LE(0, poll(&pfd, 1, 0));
		break;
	case 2:
		if (write(f->fd, (void *)(uintptr_t)pick_ptr(f),
			  rnd_below(&f->seed, 4096)) < 0)
			ASSERT_TRUE(errno_ok(errno)) TH_LOG("write: %s", strerror(errno));
		break;
	case 3:
		/* read() reaps completions if the driver has it: non-blocking. */
		fcntl(f->fd, F_SETFL, O_NONBLOCK);
		if (read(f->fd, buf, rnd_below(&f->seed, sizeof(buf))) < 0)
			ASSERT_TRUE(errno_ok(errno)) TH_LOG("read: %s", strerror(errno));
		fcntl(f->fd, F_SETFL, 0);
		break;
	case 4:
		lseek(f->fd, rnd64(&f->seed), SEEK_SET);
		break;
	case 5:
		fcntl(f->fd, F_SETFL, rnd_below(&f->seed, 2) ? O_NONBLOCK : 0);
		break;
	default:
		/* Close with jobs in flight, open again. */
		if (rnd_below(&f->seed, 50) == 0) {
			close(f->fd);
			f->fd = svm_open();
			ASSERT_LE(0, f->fd);
		}
		break;
	}
}

TEST_F_TIMEOUT(fuzz, ioctl_random_commands_sizes_pointers_and_fields, 3600)
{
	struct fuzz *f = &self->f;
	unsigned long n = (unsigned long)FUZZ_CALLS * stress_factor();
	double t0 = now_s();

	while (f->calls < n) {
		alarm(60);	/* a hung call fails the test, with the seed */
		if (rnd_below(&f->seed, 50) == 0)
			one_other(_metadata, f);
		else
			one_ioctl(_metadata, f);
		if (f->calls % 5000 == 0)
			drain(_metadata, f);
	}
	alarm(0);
	print_stats(_metadata, f, now_s() - t0);
	fuzz_check_after(_metadata, f, self->kfd);
}

/* ---- io_uring commands ---- */

/*
 * A CQE's res is 0 or a negative errno (uapi: the job's result, or the
 * errno of a refused submission); nothing positive. A job by pointer in
 * our own array (@job, else NULL) says which: if it ran, its result was
 * written back and is the CQE's.
 */
static bool cqe_res_ok(struct fuzz *f, int res,
		       const struct svmdemo_job *job)
{
	if (job && job->result != 1)
		return job->result == res && job_result_ok(f, res);
	if (job)
		return res < 0 && errno_ok(-res);
	/* Inline or garbage: a job result or a refusal, no telling which. */
	return job_result_valid(res) || (res < 0 && errno_ok(-res));
}

/* The job of SQE @x if it is SVMDEMO_URING_CMD_JOB aimed at @job. */
static const struct svmdemo_job *sqe_job(const struct io_uring_sqe *x,
					 const struct svmdemo_job *job)
{
	const struct svmdemo_uring_cmd *uc = (const void *)x->cmd;

	if (x->cmd_op != SVMDEMO_URING_CMD_JOB || uc->job != (uintptr_t)job)
		return NULL;
	return job;
}

static void gen_sqe(struct fuzz *f, struct io_uring_sqe *sqe, bool big,
		    struct svmdemo_job *job)
{
	uint8_t *cmd = sqe->cmd;
	size_t cmdlen = big ? 80 : 16;
	struct svmdemo_uring_job *uj = (void *)cmd;
	struct svmdemo_uring_cmd *uc = (void *)cmd;

	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, f->fd, NULL, 0, 0);
	switch (rnd_below(&f->seed, 6)) {
	case 0: case 1:
		sqe->cmd_op = SVMDEMO_URING_CMD_JOB;
		memset(cmd, 0, cmdlen);
		gen_job(f, job);
		/* No job result is 1: it tells a job that ran from one refused. */
		job->result = 1;
		uc->job = rnd_below(&f->seed, 4) ? (uintptr_t)job : pick_ptr(f);
		if (rnd_below(&f->seed, 4) == 0) {
			uc->flags = rnd_below(&f->seed, 2) ? SVMDEMO_SUBMIT_QUEUE
							   : rnd64(&f->seed);
			uc->queue = rnd_below(&f->seed, f->info.nr_queues + 2);
		}
		break;
	case 2: case 3:
		sqe->cmd_op = SVMDEMO_URING_CMD_JOB128;
		memset(cmd, 0, cmdlen);
		if (!big)
			break;
		gen_job(f, job);
		uj->opcode = job->opcode;
		uj->flags = job->flags;
		uj->src = job->src;
		uj->dst = job->dst;
		uj->len = job->len;
		uj->operand = job->operand;
		uj->cr_addr = job->reserved[0];
		if (rnd_below(&f->seed, 4) == 0) {
			uj->submit_flags = rnd64(&f->seed);
			uj->queue = rnd64(&f->seed);
		}
		if (rnd_below(&f->seed, 8) == 0)
			uj->reserved[rnd_below(&f->seed, 2)] = 1;
		break;
	case 4:
		sqe->cmd_op = rnd64(&f->seed);
		rnd_fill(&f->seed, cmd, cmdlen);
		break;
	default:
		sqe->cmd_op = pick_cmd(f);
		rnd_fill(&f->seed, cmd, cmdlen);
		break;
	}
	if (rnd_below(&f->seed, 16) == 0)
		sqe->uring_cmd_flags = rnd64(&f->seed);
}

#define URING_BATCH	32

TEST_F_TIMEOUT(fuzz, uring_cmd_random_commands_and_contents, 3600)
{
	struct fuzz *f = &self->f;
	unsigned long n = (unsigned long)FUZZ_CALLS * stress_factor();
	struct svmdemo_job *jobs = f->jobarea;
	static uint8_t saved[URING_BATCH][128];
	double t0 = now_s();
	unsigned int rings = 0;

	ASSERT_TRUE(!!(f->info.caps & SVMDEMO_CAP_URING_CMD));
	while (f->calls < n) {
		unsigned int flags, i;
		struct io_uring ring;
		bool big;

		flags = IORING_SETUP_SUBMIT_ALL;
		if (rnd_below(&f->seed, 2))
			flags |= IORING_SETUP_SQE128;
		if (rnd_below(&f->seed, 2))
			flags |= IORING_SETUP_CQE32;
		big = flags & IORING_SETUP_SQE128;
		ASSERT_EQ(0, io_uring_queue_init(URING_BATCH, &ring, flags));
		rings++;
		/* Some batches per ring; the last ones are left in flight. */
		for (int b = 0; b < 1 + (int)rnd_below(&f->seed, 40) &&
		     f->calls < n; b++) {
			bool leave = rnd_below(&f->seed, 8) == 0;
			unsigned int cnt = 1 + rnd_below(&f->seed, URING_BATCH);

			alarm(60);
			for (i = 0; i < cnt; i++) {
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

				ASSERT_NE(NULL, sqe);
				gen_sqe(f, sqe, big, &jobs[i]);
				sqe->user_data = i;
				memcpy(saved[i], sqe, big ? 128 : 64);
				f->calls++;
			}
			ASSERT_EQ((int)cnt, io_uring_submit(&ring));
			if (leave)
				break;	/* exit the ring with commands in flight */
			for (i = 0; i < cnt; i++) {
				struct io_uring_cqe *cqe;

				const struct io_uring_sqe *x;
				unsigned int k;

				ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
				k = cqe->user_data % URING_BATCH;
				x = (void *)saved[k];
				if (!cqe_res_ok(f, cqe->res,
						sqe_job(x, &jobs[k]))) {
					const uint64_t *c = (const void *)x->cmd;

					TH_LOG("seed %" PRIu64 ", call %lu: uring_cmd res %d",
					       f->seed0, f->calls, cqe->res);
					TH_LOG("ring flags %#x, cmd_op %#x, cmd_flags %#x, cmd %#"
					       PRIx64 " %#" PRIx64 " %#" PRIx64 " %#" PRIx64,
					       flags, x->cmd_op, x->uring_cmd_flags,
					       c[0], c[1], big ? c[2] : 0, big ? c[3] : 0);
					ASSERT_TRUE(0);
				}
				f->errnos[cqe->res < 0 && -cqe->res < 160 ?
					  -cqe->res : 0]++;
				io_uring_cqe_seen(&ring, cqe);
			}
		}
		io_uring_queue_exit(&ring);
	}
	alarm(0);
	TH_LOG("%u rings", rings);
	print_stats(_metadata, f, now_s() - t0);
	fuzz_check_after(_metadata, f, self->kfd);
}

TEST_HARNESS_MAIN
