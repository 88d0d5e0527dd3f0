// SPDX-License-Identifier: GPL-2.0
/*
 * svm_data: the device works on a process's virtual memory. Every opcode
 * against a CPU reference, on never-touched memory (PRI faults it in) and
 * touched memory, after munmap/mmap (ATC invalidation), on read-only and
 * shared mappings, huge pages and tiny stack buffers; and the device
 * counters prove that ATS, the ATC, PRI and invalidations really ran.
 */
#include <stdbool.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"
#include "svm_fixture.h"

static bool all_pattern(const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (p[i] != ref_pattern(i))
			return false;
	return true;
}

/* The compatible WRITE/READ pair on buffers the CPU never touched. */
TEST_F(svm, pattern_and_crc8_on_untouched_memory)
{
	size_t len = 1 << 20;
	uint8_t *buf = map_anon(len, PROT_READ | PROT_WRITE);
	struct svm_counters c0, c1;
	struct svmdemo_job j;

	ASSERT_NE(NULL, buf);
	svm_counters_read(&c0);
	j = svm_job(SVMDEMO_OPCODE_WRITE_PATTERN, NULL, buf, len, 0);
	ASSERT_EQ(0, svm_run(self->fd, &j));
	EXPECT_EQ((__u64)len, j.bytes_done);
	svm_counters_read(&c1);
	EXPECT_LT(c0.pri_requests, c1.pri_requests)
		TH_LOG("untouched pages were written without a page request");
	ASSERT_TRUE(all_pattern(buf, len));

	j = svm_job(SVMDEMO_OPCODE_READ_CRC8, buf, NULL, len,
		    ref_crc8(buf, len));
	ASSERT_EQ(0, svm_run(self->fd, &j));
	EXPECT_EQ((__u64)ref_crc8(buf, len), j.result_value);

	j = svm_job(SVMDEMO_OPCODE_READ_CRC8, buf, NULL, len,
		    ref_crc8(buf, len) ^ 0x5a);
	EXPECT_EQ(-EBADMSG, svm_run(self->fd, &j));
	munmap(buf, len);
}

TEST_F(svm, pattern_and_crc8_on_touched_memory)
{
	size_t len = 256 << 10;
	uint8_t *buf = map_anon(len, PROT_READ | PROT_WRITE);
	struct svm_counters c0, c1;
	struct svmdemo_job j;

	ASSERT_NE(NULL, buf);
	memset(buf, 0xee, len);
	svm_counters_read(&c0);
	j = svm_job(SVMDEMO_OPCODE_WRITE_PATTERN, NULL, buf, len, 0);
	ASSERT_EQ(0, svm_run(self->fd, &j));
	svm_counters_read(&c1);
	EXPECT_EQ(c0.pri_requests, c1.pri_requests)
		TH_LOG("present writable pages needed page requests");
	EXPECT_LT(c0.ats_requests, c1.ats_requests);
	ASSERT_TRUE(all_pattern(buf, len));
	j = svm_job(SVMDEMO_OPCODE_READ_CRC8, buf, NULL, len,
		    ref_crc8(buf, len));
	EXPECT_EQ(0, svm_run(self->fd, &j));
	munmap(buf, len);
}

/*
 * One opcode at one size and misalignment, on both paths: the buffers are
 * surrounded by guard bytes that must not change.
 */
static void check_opcode(struct __test_metadata *_metadata, int fd,
			 uint64_t *seed, __u32 op, size_t len, size_t off,
			 __u32 flags)
{
	size_t guard = 64, span = len + 2 * guard + off;
	uint8_t *a = map_anon(span, PROT_READ | PROT_WRITE);
	uint8_t *b = map_anon(span, PROT_READ | PROT_WRITE);
	uint8_t *ref = malloc(span);
	uint8_t *src = a + guard + off, *dst = b + guard + off;
	uint64_t pattern = rnd64(seed);
	struct svmdemo_job j;
	size_t i, diff = 0;
	int ret;

	ASSERT_TRUE(a && b && ref);
	rnd_fill(seed, a, span);
	rnd_fill(seed, b, span);
	memcpy(ref, b, span);

	switch (op) {
	case SVMDEMO_OPCODE_FILL:
		j = svm_job(op, NULL, dst, len, pattern);
		for (i = 0; i < len; i++)
			ref[guard + off + i] = ref_fill(pattern, i);
		break;
	case SVMDEMO_OPCODE_COPY:
		j = svm_job(op, src, dst, len, 0);
		memcpy(ref + guard + off, src, len);
		break;
	case SVMDEMO_OPCODE_COMPARE:
		/* Equal except one byte at a random offset. */
		memcpy(dst, src, len);
		diff = rnd64(seed) % len;
		dst[diff] = ~src[diff];
		memcpy(ref, b, span);
		j = svm_job(op, src, dst, len, 0);
		break;
	case SVMDEMO_OPCODE_CRC32C:
		j = svm_job(op, src, NULL, len, 0);
		break;
	case SVMDEMO_OPCODE_WRITE_PATTERN:
		j = svm_job(op, NULL, dst, len, 0);
		for (i = 0; i < len; i++)
			ref[guard + off + i] = ref_pattern(i);
		break;
	default:
		j = svm_job(SVMDEMO_OPCODE_READ_CRC8, src, NULL, len,
			    ref_crc8(src, len));
		break;
	}
	j.flags = flags;
	ret = svm_run(fd, &j);

	if (op == SVMDEMO_OPCODE_COMPARE) {
		EXPECT_EQ(-EILSEQ, ret);
		EXPECT_EQ((__u64)diff, j.result_value);
	} else {
		EXPECT_EQ(0, ret) TH_LOG("op %u len %zu off %zu: status %#x",
					 op, len, off, j.status);
		EXPECT_EQ((__u64)len, j.bytes_done);
	}
	if (op == SVMDEMO_OPCODE_CRC32C)
		EXPECT_EQ(ref_crc32c(src, len), (uint32_t)j.result_value);
	if (op == SVMDEMO_OPCODE_READ_CRC8)
		EXPECT_EQ((__u64)ref_crc8(src, len), j.result_value);
	EXPECT_EQ(0, memcmp(ref, b, span))
		TH_LOG("op %u len %zu off %zu: destination differs", op, len,
		       off);
	munmap(a, span);
	munmap(b, span);
	free(ref);
}

static const size_t sizes[] = {
	1, 2, 3, 7, 8, 63, 511, 4095, 4096, 4097, 12289, 65535, 65536, 65537,
	(1 << 20) + 13, (3 << 20) + 4093,
};

static void check_all_opcodes(struct __test_metadata *_metadata, int fd,
			      __u32 flags, size_t max_len)
{
	uint64_t seed = 0x5eed0000 + flags;
	__u32 op;
	size_t s;

	for (op = SVMDEMO_OPCODE_FILL; op < SVMDEMO_OPCODE_MAX; op++) {
		for (s = 0; s < ARRAY_SIZE(sizes); s++) {
			if (sizes[s] > max_len)
				continue;
			check_opcode(_metadata, fd, &seed, op, sizes[s],
				     rnd64(&seed) % 4096, flags);
			if (_metadata->exit_code)
				return;
		}
	}
}

TEST_F(svm, every_opcode_matches_cpu_reference)
{
	check_all_opcodes(_metadata, self->fd, 0, ~0UL);
}

TEST_F(svm, every_opcode_matches_cpu_reference_untranslated)
{
	struct svm_counters c0, c1;

	ASSERT_TRUE(!!(self->info.caps & SVMDEMO_CAP_UNTRANSLATED));
	svm_counters_read(&c0);
	check_all_opcodes(_metadata, self->fd, SVMDEMO_JOB_UNTRANSLATED,
			  128 << 10);
	svm_counters_read(&c1);
	EXPECT_EQ(c0.atc_hits, c1.atc_hits)
		TH_LOG("the untranslated path used the ATC");
}

TEST_F(svm, noop_completes)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_NOOP, NULL, NULL, 0, 0);

	j.cookie = 0xc0ffee;
	EXPECT_EQ(0, svm_run(self->fd, &j));
	EXPECT_EQ(0xc0ffeeULL, j.cookie);
}

/* After munmap + mmap at the same address the device sees the new pages. */
TEST_F(svm, munmap_then_mmap_same_address_sees_new_pages)
{
	size_t len = 64 << 10;
	uint8_t *a = map_anon(len, PROT_READ | PROT_WRITE);
	uint8_t *out = map_anon(len, PROT_READ | PROT_WRITE);
	struct svm_counters c0, c1;
	void *again;

	ASSERT_TRUE(a && out);
	memset(a, 'a', len);
	ASSERT_EQ(0, svm_copy(self->fd, out, a, len));
	ASSERT_EQ('a', out[len - 1]);

	svm_counters_read(&c0);
	ASSERT_EQ(0, munmap(a, len));
	again = mmap(a, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ((void *)a, again);
	memset(a, 'b', len);
	ASSERT_EQ(0, svm_copy(self->fd, out, a, len));
	svm_counters_read(&c1);
	for (size_t i = 0; i < len; i += PAGE_SZ) {
		ASSERT_EQ('b', out[i]) {
			TH_LOG("stale page at offset %zu", i);
		}
	}
	EXPECT_LT(c0.invalidations, c1.invalidations)
		TH_LOG("munmap sent the device no invalidation");
	munmap(a, len);
	munmap(out, len);
}

TEST_F(svm, read_only_mapping_reads_but_refuses_writes)
{
	size_t len = 16 << 10;
	uint8_t *rw = map_anon(len, PROT_READ | PROT_WRITE);
	uint8_t *ro = map_anon(len, PROT_READ | PROT_WRITE);
	struct svmdemo_job j;

	ASSERT_TRUE(rw && ro);
	memset(ro, 0x3c, len);
	ASSERT_EQ(0, mprotect(ro, len, PROT_READ));
	ASSERT_EQ(0, svm_copy(self->fd, rw, ro, len));
	EXPECT_EQ(0, memcmp(rw, ro, len));

	j = svm_job(SVMDEMO_OPCODE_FILL, NULL, ro, len, 0x1111111111111111);
	EXPECT_EQ(-EACCES, svm_run(self->fd, &j));
	EXPECT_EQ((__u64)(uintptr_t)ro, j.fault_addr);
	EXPECT_EQ(0ULL, j.bytes_done);
	for (size_t i = 0; i < len; i++)
		ASSERT_EQ(0x3c, ro[i]);

	/* A never-touched read-only mapping reads as zeroes. */
	munmap(ro, len);
	ro = map_anon(len, PROT_READ);
	ASSERT_NE(NULL, ro);
	memset(rw, 0xff, len);
	ASSERT_EQ(0, svm_copy(self->fd, rw, ro, len));
	for (size_t i = 0; i < len; i++)
		ASSERT_EQ(0, rw[i]);
	j = svm_job(SVMDEMO_OPCODE_WRITE_PATTERN, NULL, ro, len, 0);
	EXPECT_EQ(-EACCES, svm_run(self->fd, &j));
	munmap(ro, len);
	munmap(rw, len);
}

TEST_F(svm, shared_memfd_rw_and_ro_views)
{
	size_t len = 32 << 10;
	int mfd = memfd_create("svmdemo", MFD_CLOEXEC);
	uint8_t *rw, *ro, *out;
	struct svmdemo_job j;

	ASSERT_LE(0, mfd);
	ASSERT_EQ(0, ftruncate(mfd, len));
	rw = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	ro = mmap(NULL, len, PROT_READ, MAP_SHARED, mfd, 0);
	out = map_anon(len, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, rw);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(NULL, out);

	/* The device writes through the RW view; the CPU reads the RO view. */
	ASSERT_EQ(0, svm_fill(self->fd, rw, len, 0x0102030405060708));
	for (size_t i = 0; i < len; i++)
		ASSERT_EQ(ref_fill(0x0102030405060708, i), ro[i]);
	/* The device reads the RO view. */
	ASSERT_EQ(0, svm_copy(self->fd, out, ro, len));
	EXPECT_EQ(0, memcmp(out, rw, len));
	/* ... but cannot write it. */
	j = svm_job(SVMDEMO_OPCODE_FILL, NULL, ro, len, 0);
	EXPECT_EQ(-EACCES, svm_run(self->fd, &j));
	EXPECT_EQ(0, memcmp(out, rw, len));
	munmap(rw, len);
	munmap(ro, len);
	munmap(out, len);
	close(mfd);
}

static void copy_and_check(struct __test_metadata *_metadata, int fd,
			   uint8_t *buf, size_t len)
{
	uint64_t seed = 0x4ae;
	uint8_t *half = buf + len / 2;

	rnd_fill(&seed, buf, len / 2);
	ASSERT_EQ(0, svm_copy(fd, half, buf, len / 2));
	EXPECT_EQ(0, memcmp(half, buf, len / 2));
	ASSERT_EQ(0, svm_fill(fd, buf, len, 0xa5a5a5a5a5a5a5a5));
	for (size_t i = 0; i < len; i += 997)
		ASSERT_EQ(0xa5, buf[i]);
}

TEST_F(svm, hugetlb_2m_pages)
{
	size_t len = 2 * HPAGE_SZ;
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");
	uint8_t *buf;

	ASSERT_NE(NULL, f);
	fprintf(f, "8\n");
	fclose(f);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	ASSERT_NE(MAP_FAILED, buf) TH_LOG("no 2 MiB huge pages: %s",
					  strerror(errno));
	/* Untouched: the device faults the huge pages in. */
	copy_and_check(_metadata, self->fd, buf, len);
	munmap(buf, len);
}

TEST_F(svm, transparent_huge_pages)
{
	size_t len = 4 * HPAGE_SZ;
	uint8_t *raw = map_anon(len + HPAGE_SZ, PROT_READ | PROT_WRITE);
	uint8_t *buf;

	ASSERT_NE(NULL, raw);
	buf = (uint8_t *)(((uintptr_t)raw + HPAGE_SZ - 1) & ~(HPAGE_SZ - 1));
	ASSERT_EQ(0, madvise(buf, len, MADV_HUGEPAGE));
	memset(buf, 1, len);
	copy_and_check(_metadata, self->fd, buf, len);
	munmap(raw, len + HPAGE_SZ);
}

/* Tiny buffers on the stack: exactly their bytes change, no neighbour. */
TEST_F(svm, stack_buffers_of_1_2_4_8_bytes)
{
	static const size_t lens[] = { 1, 2, 4, 8 };

	for (size_t k = 0; k < 4; k++) {
		uint8_t frame[3 * 16];
		uint8_t src[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
		size_t n = lens[k];

		memset(frame, 0x77, sizeof(frame));
		ASSERT_EQ(0, svm_fill(self->fd, &frame[16], n,
				      0xdeadbeefcafef00d));
		for (size_t i = 0; i < sizeof(frame); i++) {
			bool in = i >= 16 && i < 16 + n;
			uint8_t want = in ? ref_fill(0xdeadbeefcafef00d, i - 16)
					  : 0x77;

			ASSERT_EQ(want, frame[i]) TH_LOG("len %zu byte %zu", n, i);
		}
		memset(frame, 0x77, sizeof(frame));
		ASSERT_EQ(0, svm_copy(self->fd, &frame[16], src, n));
		for (size_t i = 0; i < sizeof(frame); i++) {
			bool in = i >= 16 && i < 16 + n;

			ASSERT_EQ(in ? src[i - 16] : 0x77, frame[i]);
		}
	}
}

/* A test that passes with ATS off is not testing ATS: watch the counters. */
TEST_F(svm, counters_show_ats_atc_pri_and_invalidation)
{
	size_t len = 128 << 10;
	uint8_t *src = map_anon(len, PROT_READ | PROT_WRITE);
	uint8_t *dst = map_anon(len, PROT_READ | PROT_WRITE);
	struct svm_counters c0, c1, c2, c3;

	ASSERT_TRUE(src && dst);
	svm_counters_read(&c0);
	ASSERT_LE(0, c0.ats_requests) TH_LOG("no counters in %s", SVM_SYSFS);

	/* Cold: ATS misses, page requests for the untouched pages. */
	ASSERT_EQ(0, svm_copy(self->fd, dst, src, len));
	svm_counters_read(&c1);
	EXPECT_LT(c0.ats_requests, c1.ats_requests);
	/* One miss per buffer and window starts a range request. */
	EXPECT_LE(c0.atc_misses + 2, c1.atc_misses);
	EXPECT_LE(c0.pri_requests + (long long)(len / PAGE_SZ), c1.pri_requests);
	EXPECT_LT(c0.pri_groups, c1.pri_groups);
	EXPECT_EQ(c0.pri_failures, c1.pri_failures);
	EXPECT_LE(c0.jobs + 1, c1.jobs);

	/* Warm: the same pages come from the ATC. */
	ASSERT_EQ(0, svm_copy(self->fd, dst, src, len));
	svm_counters_read(&c2);
	EXPECT_LE(c1.atc_hits + (long long)(2 * len / PAGE_SZ), c2.atc_hits);
	EXPECT_EQ(c1.pri_requests, c2.pri_requests);
	EXPECT_EQ(c1.atc_misses, c2.atc_misses);
	EXPECT_EQ(c1.ats_requests, c2.ats_requests);

	/* munmap invalidates the device's ATC. */
	munmap(src, len);
	svm_counters_read(&c3);
	EXPECT_LT(c2.invalidations, c3.invalidations);
	TH_LOG("ats %lld atc hit %lld miss %lld pri %lld groups %lld inval %lld",
	       c3.ats_requests - c0.ats_requests, c3.atc_hits - c0.atc_hits,
	       c3.atc_misses - c0.atc_misses,
	       c3.pri_requests - c0.pri_requests,
	       c3.pri_groups - c0.pri_groups,
	       c3.invalidations - c0.invalidations);
	munmap(dst, len);
}

TEST_HARNESS_MAIN
