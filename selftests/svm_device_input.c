// SPDX-License-Identifier: GPL-2.0
/*
 * svm_device_input: descriptors and queue set-ups the driver never makes,
 * handed to the device through the debug-only ioctls of
 * <linux/svmdemo_debug.h> (module parameter debug=1, set by the fixture):
 * unknown opcodes, reserved bits, PASIDs the device must refuse,
 * privileged requests, overflowing lengths, random descriptors, and
 * rings that point into garbage. Each must complete with its error status
 * (or halt only its queue, with the right error code), the queue must run
 * ordinary jobs afterwards, and QEMU must not crash (the VM runner checks
 * that it exits normally).
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"
#include "svmdemo_hw.h"

#define CODE(st)	((int)((st) & SVMDEMO_CMPL_CODE))

FIXTURE(dev)
{
	int fd;
	struct svmdemo_info info;
	uint8_t *buf;		/* 4 pages the bad descriptors aim at */
	int kfd;
	uint64_t seed;
};

FIXTURE_SETUP(dev)
{
	ASSERT_EQ(0, svm_debug_set(true))
		TH_LOG("cannot set " SVM_PARAMS "/debug");
	self->kfd = kmsg_open();
	self->fd = svm_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, svm_get_info(self->fd, &self->info));
	self->buf = map_anon(4 * PAGE_SZ, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->buf);
	memset(self->buf, 0x3c, 4 * PAGE_SZ);
	self->seed = test_seed();
}

FIXTURE_TEARDOWN(dev)
{
	char first[512];

	close(self->fd);
	svm_debug_set(false);
	EXPECT_EQ(0, kmsg_bad(self->kfd, first, sizeof(first)))
		TH_LOG("kernel log: %s", first);
	close(self->kfd);
}

static int raw_run(int fd, struct svmdemo_dbg_desc *d, unsigned int n,
		   unsigned int queue)
{
	struct svmdemo_dbg_raw r = {
		.descs = (uintptr_t)d, .count = n, .queue = queue,
	};

	return ioctl(fd, SVMDEMO_DBG_IOC_RAW, &r) ? -errno : (int)r.completed;
}

static void queue_runs(struct __test_metadata *_metadata, int fd,
		       unsigned int queue, uint8_t *p)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, p, PAGE_SZ,
				       0x0101010101010101ULL * (queue + 1));
	struct svmdemo_submit s = {
		.jobs = (uintptr_t)&j, .count = 1,
		.flags = SVMDEMO_SUBMIT_QUEUE, .queue = queue,
	};

	j.result = 1;
	ASSERT_EQ(0, ioctl(fd, SVMDEMO_IOC_SUBMIT, &s)) TH_LOG("queue %u", queue);
	ASSERT_EQ(0, j.result) TH_LOG("queue %u", queue);
	ASSERT_EQ((int)queue + 1, p[0]);
	ASSERT_EQ((int)queue + 1, p[PAGE_SZ - 1]);
}

static struct svmdemo_dbg_desc fill_desc(void *dst, uint64_t len)
{
	struct svmdemo_dbg_desc d = {
		.pasid = SVMDEMO_DESC_PASID_VALID | 1,	/* the driver puts ours in */
		.opcode = SVMDEMO_OP_FILL,
		.dst = (uintptr_t)dst,
		.len = len,
		.operand = 0xeeeeeeeeeeeeeeeeULL,
		.cookie = 0xc0c0,
	};

	return d;
}

TEST_F(dev, debug_ioctls_are_refused_when_debug_is_off)
{
	struct svmdemo_dbg_desc d = fill_desc(self->buf, 64);
	struct svmdemo_dbg_ring r = { .mode = SVMDEMO_DBG_RING_BAD_TAIL };

	ASSERT_EQ(0, svm_debug_set(false));
	EXPECT_EQ(-ENOTTY, raw_run(self->fd, &d, 1, 0));
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_DBG_IOC_RING, &r));
	EXPECT_EQ(ENOTTY, errno);
	EXPECT_EQ(0x3c, self->buf[0]);
	ASSERT_EQ(0, svm_debug_set(true));
	/* The path itself works, under our own PASID. */
	ASSERT_EQ(1, raw_run(self->fd, &d, 1, 0));
	EXPECT_EQ(SVMDEMO_CMPL_DONE | SVMDEMO_STS_SUCCESS, d.status);
	EXPECT_EQ(SVMDEMO_DESC_PASID_VALID | self->info.pasid, d.pasid_used);
	EXPECT_EQ(0xc0c0ULL, d.cookie_out);
	EXPECT_EQ(0xee, self->buf[63]);
	EXPECT_EQ(0x3c, self->buf[64]);
}

#define MK(name, stmt)							\
static void name(struct svmdemo_dbg_desc *d, uint8_t *b)		\
{									\
	(void)b;							\
	stmt;								\
}

struct bad_case {
	const char *what;
	int expect;
	void (*make)(struct svmdemo_dbg_desc *d, uint8_t *buf);
};

MK(mk_op7, d->opcode = 7)
MK(mk_op7f, d->opcode = 0x7f)
MK(mk_opff, d->opcode = 0xff)
MK(mk_rsvd0, d->rsvd0 = 0x80)
MK(mk_rsvd1, d->rsvd1 = 1ULL << 63)
MK(mk_flag6, d->flags = 1U << 6)
MK(mk_flag15, d->flags = 1U << 15)
MK(mk_pasid_rsvd, d->pasid |= 1U << 20)
MK(mk_pasid_rsvd30, d->pasid |= 1U << 30)
static void mk_cr_misaligned(struct svmdemo_dbg_desc *d, uint8_t *b)
{
	(void)b;
	d->flags = SVMDEMO_DESC_F_CR_USER;
	d->cr_addr = (uintptr_t)(b + 2 * PAGE_SZ + 8);
}

MK(mk_pasid0, d->pasid = SVMDEMO_DESC_PASID_VALID)
MK(mk_pasid_wide, d->pasid = SVMDEMO_DESC_PASID_VALID | 0xfffff)
MK(mk_priv, d->flags = SVMDEMO_DESC_F_PRIV)
MK(mk_len_huge, d->len = SVMDEMO_MAX_XFER_BYTES + 1)
MK(mk_len_max64, d->len = ~0ULL)
static void mk_wraps(struct svmdemo_dbg_desc *d, uint8_t *b)
{
	(void)b;
	d->dst = ~0ULL - 4095;
	d->len = 8192;
}

static void mk_copy_src_wraps(struct svmdemo_dbg_desc *d, uint8_t *b)
{
	(void)b;
	d->opcode = 2;	/* COPY */
	d->src = ~0ULL - 63;
	d->len = 128;
}

MK(mk_nopasid, d->pasid = 0)
static void mk_nopasid_huge(struct svmdemo_dbg_desc *d, uint8_t *b)
{
	(void)b;
	d->pasid = 0;
	d->len = SVMDEMO_MAX_XFER_BYTES + 1;
}

static const struct bad_case bad_cases[] = {
	{ "opcode 7", SVMDEMO_STS_BAD_OPCODE, mk_op7 },
	{ "opcode 0x7f", SVMDEMO_STS_BAD_OPCODE, mk_op7f },
	{ "opcode 0xff", SVMDEMO_STS_BAD_OPCODE, mk_opff },
	{ "rsvd0", SVMDEMO_STS_RESERVED, mk_rsvd0 },
	{ "rsvd1", SVMDEMO_STS_RESERVED, mk_rsvd1 },
	{ "flag bit 6", SVMDEMO_STS_RESERVED, mk_flag6 },
	{ "flag bit 15", SVMDEMO_STS_RESERVED, mk_flag15 },
	{ "pasid bit 20", SVMDEMO_STS_RESERVED, mk_pasid_rsvd },
	{ "pasid bit 30", SVMDEMO_STS_RESERVED, mk_pasid_rsvd30 },
	{ "misaligned cr_addr", SVMDEMO_STS_RESERVED, mk_cr_misaligned },
	{ "PASID 0", SVMDEMO_STS_BAD_PASID, mk_pasid0 },
	{ "PASID wider than the device", SVMDEMO_STS_BAD_PASID, mk_pasid_wide },
	{ "privileged", SVMDEMO_STS_PRIV, mk_priv },
	{ "len > SVMDEMO_MAX_XFER_BYTES", SVMDEMO_STS_LENGTH, mk_len_huge },
	{ "len 2^64-1", SVMDEMO_STS_LENGTH, mk_len_max64 },
	{ "dst + len wraps", SVMDEMO_STS_LENGTH, mk_wraps },
	{ "COPY src + len wraps", SVMDEMO_STS_LENGTH, mk_copy_src_wraps },
	{ "no PASID (length forced to 0)", SVMDEMO_STS_SUCCESS, mk_nopasid },
	{ "no PASID, len > MAX_XFER", SVMDEMO_STS_LENGTH, mk_nopasid_huge },
};

TEST_F(dev, each_bad_field_completes_with_its_status)
{
	unsigned int nq = self->info.nr_queues;

	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct svmdemo_dbg_desc d = fill_desc(self->buf, PAGE_SZ);
		unsigned int q = i % nq;

		c->make(&d, self->buf);
		ASSERT_EQ(1, raw_run(self->fd, &d, 1, q)) TH_LOG("%s", c->what);
		EXPECT_EQ(SVMDEMO_CMPL_DONE, d.status & SVMDEMO_CMPL_DONE)
			TH_LOG("%s", c->what);
		EXPECT_EQ(c->expect, CODE(d.status))
			TH_LOG("%s: status %#x", c->what, d.status);
		EXPECT_EQ(0U, d.bytes_done) TH_LOG("%s", c->what);
		EXPECT_EQ(0xc0c0ULL, d.cookie_out) TH_LOG("%s", c->what);
		for (size_t k = 0; k < 4 * PAGE_SZ; k += 97) {
			ASSERT_EQ(0x3c, self->buf[k])
				TH_LOG("%s wrote memory", c->what);
		}
		queue_runs(_metadata, self->fd, q, self->buf + 3 * PAGE_SZ);
		memset(self->buf + 3 * PAGE_SZ, 0x3c, PAGE_SZ);
	}
}

TEST_F(dev, fence_after_an_error_aborts)
{
	struct svmdemo_dbg_desc d[3] = {
		fill_desc(self->buf, 64), fill_desc(self->buf, 64),
		fill_desc(self->buf + 64, 64),
	};

	d[0].opcode = 0x55;		/* BAD_OPCODE */
	d[1].flags = SVMDEMO_DESC_F_FENCE;		/* aborted by the fence */
	d[2].flags = SVMDEMO_DESC_F_FENCE;		/* runs: the abort does not count */
	ASSERT_EQ(3, raw_run(self->fd, d, 3, 0));
	EXPECT_EQ(SVMDEMO_STS_BAD_OPCODE, CODE(d[0].status));
	EXPECT_EQ(SVMDEMO_STS_ABORTED, CODE(d[1].status));
	EXPECT_EQ(SVMDEMO_STS_SUCCESS, CODE(d[2].status));
	EXPECT_EQ(0x3c, self->buf[0]);
	EXPECT_EQ(0xee, self->buf[64]);
}

/* Anything in any field: a status from the table, never a hang. */
TEST_F_TIMEOUT(dev, random_descriptors_complete_with_a_status, 3600)
{
	unsigned int n = 2000 * stress_factor(), done = 0, batches = 0;
	unsigned long codes[256] = { 0 };
	uint8_t *scratch = map_anon(16 * PAGE_SZ, PROT_READ | PROT_WRITE);
	uint8_t *ro = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	uint8_t *hole = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	struct svmdemo_dbg_desc d[SVMDEMO_DBG_MAX_DESCS];
	uint64_t *seed = &self->seed;
	char line[512] = "";
	int len = 0;

	ASSERT_NE(NULL, scratch);
	ASSERT_NE(NULL, ro);
	ASSERT_NE(NULL, hole);
	ASSERT_EQ(0, munmap(hole, PAGE_SZ));
	memset(ro, 0x77, PAGE_SZ);
	ASSERT_EQ(0, mprotect(ro, PAGE_SZ, PROT_READ));
	TH_LOG("seed %" PRIu64 " (rerun with SVMDEMO_SEED=%" PRIu64 ")",
	       *seed, *seed);
	while (done < n) {
		unsigned int cnt = 1 + rnd_below(seed, SVMDEMO_DBG_MAX_DESCS);
		unsigned int q = rnd_below(seed, self->info.nr_queues);

		for (unsigned int i = 0; i < cnt; i++) {
			struct svmdemo_dbg_desc *x = &d[i];
			const uint64_t addrs[] = {
				0, (uintptr_t)scratch +
				   rnd_below(seed, 16 * PAGE_SZ),
				(uintptr_t)ro, 0xffffffff81000000ULL,
				(uintptr_t)hole + rnd_below(seed, PAGE_SZ),
				/* canonical: see svm_fuzz.c */
				(uint64_t)((int64_t)(rnd64(seed) << 16) >> 16),
				0xfee00000,
			};

			memset(x, 0, sizeof(*x));
			x->pasid = rnd_below(seed, 8) ? SVMDEMO_DESC_PASID_VALID : 0;
			x->pasid |= rnd_below(seed, 4) ? 1 : rnd64(seed);
			x->opcode = rnd_below(seed, 4) ? rnd_below(seed, SVMDEMO_OP_NR + 1)
						       : rnd64(seed);
			x->rsvd0 = rnd_below(seed, 16) ? 0 : rnd64(seed);
			x->flags = rnd_below(seed, 3) ? rnd_below(seed, 64)
						      : rnd64(seed);
			x->src = addrs[rnd_below(seed, 7)];
			x->dst = addrs[rnd_below(seed, 7)];
			x->len = rnd_below(seed, 4) ? rnd_below(seed, 3 * PAGE_SZ)
						    : rnd64(seed);
			x->operand = rnd64(seed);
			x->cookie = rnd64(seed);
			x->cr_addr = addrs[rnd_below(seed, 7)];
			x->rsvd1 = rnd_below(seed, 16) ? 0 : rnd64(seed);
		}
		ASSERT_EQ((int)cnt, raw_run(self->fd, d, cnt, q))
			TH_LOG("seed %" PRIu64 ", batch %u", self->seed, batches);
		for (unsigned int i = 0; i < cnt; i++) {
			ASSERT_EQ(SVMDEMO_CMPL_DONE, d[i].status & SVMDEMO_CMPL_DONE);
			ASSERT_GT(SVMDEMO_STS_NR, CODE(d[i].status))
				TH_LOG("seed %" PRIu64 ": status %#x", self->seed,
				       d[i].status);
			ASSERT_EQ(d[i].cookie, d[i].cookie_out);
			if (d[i].len <= SVMDEMO_MAX_XFER_BYTES)
				ASSERT_GE(d[i].len, d[i].bytes_done);
			codes[CODE(d[i].status)]++;
		}
		done += cnt;
		batches++;
		if (batches % 50 == 0)
			queue_runs(_metadata, self->fd, q, self->buf);
	}
	for (unsigned int c = 0; c < SVMDEMO_STS_NR; c++)
		len += snprintf(line + len, sizeof(line) - len, " %#x:%lu", c,
				codes[c]);
	TH_LOG("%u descriptors in %u batches; status codes:%s", done, batches,
	       line);
	for (size_t k = 0; k < PAGE_SZ; k++) {
		ASSERT_EQ(0x77, ro[k])
			TH_LOG("read-only page written");
	}
	for (unsigned int q = 0; q < self->info.nr_queues; q++)
		queue_runs(_metadata, self->fd, q, self->buf);
}

struct ring_case {
	unsigned int mode;
	const char *what;
	unsigned int err_code;	/* Q_STATUS.ERR_CODE, 0: no halt */
};

static const struct ring_case ring_cases[] = {
	{ SVMDEMO_DBG_RING_BAD_SIZE, "ring size 3", 1 },
	{ SVMDEMO_DBG_RING_MISALIGNED, "misaligned ring", 1 },
	{ SVMDEMO_DBG_RING_DESC_UNMAPPED, "descriptors at an unmapped IOVA", 2 },
	{ SVMDEMO_DBG_RING_DESC_WIDE, "descriptors beyond the address width", 2 },
	{ SVMDEMO_DBG_RING_CMPL_UNMAPPED, "completions at an unmapped IOVA", 3 },
	{ SVMDEMO_DBG_RING_BAD_TAIL, "tail beyond the ring", 4 },
	{ SVMDEMO_DBG_RING_DOORBELL_DISABLED, "doorbell on a disabled queue", 0 },
};

TEST_F(dev, rings_into_garbage_halt_only_their_queue_which_recovers)
{
	long errs0 = svm_counter("errors"), errs1;
	unsigned int halts = 0;

	/* Rings at IOVAs nobody mapped: the IOMMU refuses their DMA. */
	svm_expect_failures_open(_metadata);
	for (unsigned int q = 0; q < self->info.nr_queues; q++) {
		for (size_t i = 0; i < ARRAY_SIZE(ring_cases); i++) {
			const struct ring_case *c = &ring_cases[i];
			struct svmdemo_dbg_ring r = { .queue = q, .mode = c->mode };

			ASSERT_EQ(0, ioctl(self->fd, SVMDEMO_DBG_IOC_RING, &r))
				TH_LOG("queue %u, %s: %s", q, c->what,
				       strerror(errno));
			if (c->err_code) {
				EXPECT_NE(0U, r.q_status & 8)
					TH_LOG("queue %u, %s: status %#x", q,
					       c->what, r.q_status);
				EXPECT_EQ(c->err_code, (r.q_status >> 8) & 0xff)
					TH_LOG("queue %u, %s: status %#x", q,
					       c->what, r.q_status);
				EXPECT_NE(0U, r.err_cause & 1);
				EXPECT_EQ(1U << q, r.err_queue)
					TH_LOG("only queue %u may halt", q);
				halts++;
			} else {
				EXPECT_EQ(0U, r.q_status & 8);
				EXPECT_NE(0U, r.err_cause & 2);
			}
			/* Every queue still runs jobs. */
			for (unsigned int k = 0; k < self->info.nr_queues; k++)
				queue_runs(_metadata, self->fd, k,
					   self->buf + (k % 4) * PAGE_SZ);
		}
	}
	svm_expect_failures_close(_metadata);
	errs1 = svm_counter("errors");
	EXPECT_LE(errs0 + halts, errs1) TH_LOG("device error counter");
	TH_LOG("%u queue halts provoked and recovered", halts);
}

TEST_HARNESS_MAIN
