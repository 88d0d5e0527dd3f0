/*
 * Unit tests of the svmdemo device's address translation cache
 *
 * The ATC on its own (hw/misc/svmdemo-atc.c): lookups by PASID and
 * address across entry sizes, the clock replacement, overlapping
 * translations, invalidation by range and PASID, flushes, and the
 * generation number that tells a user whether a translation it holds may
 * still be used.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "hw/misc/svmdemo-atc.h"

/* The ATC keeps permissions as the IOMMU gives them, without reading them. */
#define PERM_RO        1
#define PERM_RW        3

#define PAGE    0x1000ULL
#define MB2     0x200000ULL
#define GB1     0x40000000ULL

static void insert(SvmdemoAtc *atc, uint32_t pasid, uint64_t iova,
                   uint64_t size, uint64_t taddr, int perm)
{
    svmdemo_atc_insert(atc, pasid, iova, size - 1, taddr, NULL, perm);
}

/* The translated address of @addr for @pasid, or UINT64_MAX on a miss. */
static uint64_t xlate(SvmdemoAtc *atc, uint32_t pasid, uint64_t addr)
{
    SvmdemoAtcEntry e;

    if (!svmdemo_atc_lookup(atc, pasid, addr, &e)) {
        return UINT64_MAX;
    }
    return e.translated_addr + (addr - e.iova);
}

static void test_lookup_by_pasid_and_size(void)
{
    SvmdemoAtc atc;

    svmdemo_atc_init(&atc, 16);
    insert(&atc, 1, 0x10000, PAGE, 0xa0000, PERM_RW);
    insert(&atc, 1, 0x40000000, MB2, 0x80000000, PERM_RO);
    insert(&atc, 2, 0x10000, PAGE, 0xb0000, PERM_RW);
    insert(&atc, 1, 0x80000000, GB1, 0x100000000, PERM_RW);

    g_assert_cmphex(xlate(&atc, 1, 0x10123), ==, 0xa0123);
    g_assert_cmphex(xlate(&atc, 2, 0x10123), ==, 0xb0123);
    g_assert_cmphex(xlate(&atc, 1, 0x401fffff), ==, 0x801fffff);
    g_assert_cmphex(xlate(&atc, 1, 0xbfffffff), ==, 0x13fffffff);
    /* Misses: next page, other PASID, past the huge pages. */
    g_assert_cmphex(xlate(&atc, 1, 0x11000), ==, UINT64_MAX);
    g_assert_cmphex(xlate(&atc, 3, 0x10000), ==, UINT64_MAX);
    g_assert_cmphex(xlate(&atc, 1, 0x40200000), ==, UINT64_MAX);
    g_assert_cmphex(xlate(&atc, 1, 0xc0000000), ==, UINT64_MAX);
    svmdemo_atc_destroy(&atc);
}

static void test_permission_is_kept(void)
{
    SvmdemoAtc atc;
    SvmdemoAtcEntry e;

    svmdemo_atc_init(&atc, 4);
    insert(&atc, 1, 0x2000, PAGE, 0x5000, PERM_RO);
    g_assert_true(svmdemo_atc_lookup(&atc, 1, 0x2000, &e));
    g_assert_cmpint(e.perm, ==, PERM_RO);
    g_assert_cmphex(e.addr_mask, ==, PAGE - 1);
    svmdemo_atc_destroy(&atc);
}

/* A fresher translation replaces the entries it overlaps, either way. */
static void test_overlapping_translations_replace(void)
{
    SvmdemoAtc atc;

    svmdemo_atc_init(&atc, 16);
    insert(&atc, 1, 0x200000, PAGE, 0x1000, PERM_RW);
    insert(&atc, 1, 0x201000, PAGE, 0x2000, PERM_RW);
    /* A 2 MiB page now covers both 4 KiB ones. */
    insert(&atc, 1, 0x200000, MB2, 0x40000000, PERM_RW);
    g_assert_cmphex(xlate(&atc, 1, 0x201000), ==, 0x40001000);
    g_assert_cmphex(xlate(&atc, 1, 0x200010), ==, 0x40000010);
    /* And a 4 KiB page replaces the 2 MiB one (split by the OS). */
    insert(&atc, 1, 0x3ff000, PAGE, 0x9000, PERM_RO);
    g_assert_cmphex(xlate(&atc, 1, 0x3ff000), ==, 0x9000);
    g_assert_cmphex(xlate(&atc, 1, 0x200000), ==, UINT64_MAX);
    svmdemo_atc_destroy(&atc);
}

/* Clock replacement: an entry used since the hand passed stays. */
static void test_clock_keeps_referenced_entries(void)
{
    SvmdemoAtc atc;
    unsigned i;

    svmdemo_atc_init(&atc, 4);
    for (i = 0; i < 4; i++) {
        insert(&atc, 1, i * PAGE, PAGE, 0x100000 + i * PAGE, PERM_RW);
    }
    /* Nothing was used since the inserts: the hand takes entry 0. */
    insert(&atc, 1, 4 * PAGE, PAGE, 0x200000, PERM_RW);
    g_assert_cmphex(xlate(&atc, 1, 0), ==, UINT64_MAX);
    /* Entry 1 is used again; the next victim is entry 2, not entry 1. */
    g_assert_cmphex(xlate(&atc, 1, PAGE), ==, 0x100000 + PAGE);
    insert(&atc, 1, 5 * PAGE, PAGE, 0x300000, PERM_RW);
    g_assert_cmphex(xlate(&atc, 1, PAGE), ==, 0x100000 + PAGE);
    g_assert_cmphex(xlate(&atc, 1, 2 * PAGE), ==, UINT64_MAX);
    g_assert_cmphex(xlate(&atc, 1, 4 * PAGE), ==, 0x200000);
    g_assert_cmphex(xlate(&atc, 1, 5 * PAGE), ==, 0x300000);
    svmdemo_atc_destroy(&atc);
}

/* A full ATC of one entry still works: each insert evicts the last. */
static void test_one_entry(void)
{
    SvmdemoAtc atc;

    svmdemo_atc_init(&atc, 1);
    insert(&atc, 1, 0, PAGE, 0x1000, PERM_RW);
    insert(&atc, 2, 0, PAGE, 0x2000, PERM_RW);
    g_assert_cmphex(xlate(&atc, 1, 0), ==, UINT64_MAX);
    g_assert_cmphex(xlate(&atc, 2, 0), ==, 0x2000);
    svmdemo_atc_destroy(&atc);
}

static void test_invalidate_range_and_pasid(void)
{
    SvmdemoAtc atc;

    svmdemo_atc_init(&atc, 16);
    insert(&atc, 1, 0x10000, PAGE, 0xa000, PERM_RW);
    insert(&atc, 1, 0x11000, PAGE, 0xb000, PERM_RW);
    insert(&atc, 1, 0x40000000, MB2, 0x80000000, PERM_RW);
    insert(&atc, 2, 0x11000, PAGE, 0xc000, PERM_RW);

    /* One page of PASID 1; PASID 2's twin stays. */
    g_assert_cmpuint(svmdemo_atc_invalidate(&atc, 1, 0x11000, 0x11fff), ==,
                     1);
    g_assert_cmphex(xlate(&atc, 1, 0x11000), ==, UINT64_MAX);
    g_assert_cmphex(xlate(&atc, 1, 0x10000), ==, 0xa000);
    g_assert_cmphex(xlate(&atc, 2, 0x11000), ==, 0xc000);
    /* A range touching one byte of a 2 MiB entry drops all of it. */
    g_assert_cmpuint(svmdemo_atc_invalidate(&atc, 1, 0x401ff000,
                                            0x40200fff), ==, 1);
    g_assert_cmphex(xlate(&atc, 1, 0x40000000), ==, UINT64_MAX);
    /* The whole address space of PASID 2. */
    g_assert_cmpuint(svmdemo_atc_invalidate(&atc, 2, 0, UINT64_MAX), ==,
                     1);
    g_assert_cmphex(xlate(&atc, 2, 0x11000), ==, UINT64_MAX);
    g_assert_cmphex(xlate(&atc, 1, 0x10000), ==, 0xa000);
    g_assert_cmpuint(svmdemo_atc_flush(&atc), ==, 1);
    g_assert_cmphex(xlate(&atc, 1, 0x10000), ==, UINT64_MAX);
    svmdemo_atc_destroy(&atc);
}

/*
 * The generation: a copy stays usable until an invalidation or flush,
 * whatever it drops; replacements do not count.
 */
static void test_generation(void)
{
    SvmdemoAtc atc;
    SvmdemoAtcEntry a, b;

    svmdemo_atc_init(&atc, 2);
    insert(&atc, 1, 0, PAGE, 0x1000, PERM_RW);
    g_assert_true(svmdemo_atc_lookup(&atc, 1, 0, &a));
    g_assert_true(svmdemo_atc_current(&atc, &a));
    insert(&atc, 1, PAGE, PAGE, 0x2000, PERM_RW);
    insert(&atc, 1, 2 * PAGE, PAGE, 0x3000, PERM_RW);
    g_assert_true(svmdemo_atc_current(&atc, &a));
    /* An invalidation of another PASID still ends every copy. */
    svmdemo_atc_invalidate(&atc, 7, 0, PAGE - 1);
    g_assert_false(svmdemo_atc_current(&atc, &a));
    g_assert_true(svmdemo_atc_lookup(&atc, 1, 2 * PAGE, &b));
    g_assert_true(svmdemo_atc_current(&atc, &b));
    svmdemo_atc_flush(&atc);
    g_assert_false(svmdemo_atc_current(&atc, &b));
    svmdemo_atc_destroy(&atc);
}

/* Many random translations and invalidations against a plain model. */
static void test_random_against_model(void)
{
    enum { N = 64, PAGES = 512, ROUNDS = 20000 };
    uint64_t model[PAGES];
    GRand *rnd = g_rand_new_with_seed(12345);
    SvmdemoAtc atc;
    unsigned i, p;

    svmdemo_atc_init(&atc, N);
    for (p = 0; p < PAGES; p++) {
        model[p] = UINT64_MAX;
    }
    for (i = 0; i < ROUNDS; i++) {
        p = g_rand_int_range(rnd, 0, PAGES);
        if (g_rand_int_range(rnd, 0, 4)) {
            insert(&atc, 1, p * PAGE, PAGE, (i + 1) * PAGE, PERM_RW);
            model[p] = (i + 1) * PAGE;
        } else {
            svmdemo_atc_invalidate(&atc, 1, p * PAGE, p * PAGE + PAGE - 1);
            model[p] = UINT64_MAX;
        }
        p = g_rand_int_range(rnd, 0, PAGES);
        /* The ATC may have evicted it, but never returns a stale one. */
        if (xlate(&atc, 1, p * PAGE) != UINT64_MAX) {
            g_assert_cmphex(xlate(&atc, 1, p * PAGE), ==, model[p]);
        }
    }
    g_rand_free(rnd);
    svmdemo_atc_destroy(&atc);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/svmdemo-atc/lookup_by_pasid_and_size",
                    test_lookup_by_pasid_and_size);
    g_test_add_func("/svmdemo-atc/permission_is_kept",
                    test_permission_is_kept);
    g_test_add_func("/svmdemo-atc/overlapping_translations_replace",
                    test_overlapping_translations_replace);
    g_test_add_func("/svmdemo-atc/clock_keeps_referenced_entries",
                    test_clock_keeps_referenced_entries);
    g_test_add_func("/svmdemo-atc/one_entry", test_one_entry);
    g_test_add_func("/svmdemo-atc/invalidate_range_and_pasid",
                    test_invalidate_range_and_pasid);
    g_test_add_func("/svmdemo-atc/generation", test_generation);
    g_test_add_func("/svmdemo-atc/random_against_model",
                    test_random_against_model);
    return g_test_run();
}
