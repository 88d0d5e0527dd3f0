/*
 * svmdemo: the device's address translation cache (ATC)
 *
 * atc->size entries, found through hash buckets keyed on the PASID and
 * the address shifted by the entry's size (each entry keeps the page size
 * the IOMMU returned: a lookup probes once per size present), replaced by
 * a clock (second chance) policy. See svmdemo-atc.h.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/host-utils.h"
#include "qemu/range.h"
#include "hw/misc/svmdemo-atc.h"

static unsigned svmdemo_atc_bucket(uint32_t pasid, uint64_t addr,
                                   unsigned shift)
{
    uint64_t h = ((addr >> shift) ^ ((uint64_t)pasid << 40) ^ shift) *
                 0x9e3779b97f4a7c15ULL;

    return h >> (64 - SVMDEMO_ATC_HASH_BITS);
}

static void svmdemo_atc_unlink(SvmdemoAtc *atc, SvmdemoAtcEntry *e)
{
    int32_t *link = &atc->hash[svmdemo_atc_bucket(e->pasid, e->iova,
                                                  e->shift)];
    int32_t idx = e - atc->e;

    while (*link != idx) {
        assert(*link >= 0);
        link = &atc->e[*link].hnext;
    }
    *link = e->hnext;
    e->valid = false;
    if (!--atc->shift_cnt[e->shift]) {
        atc->shifts &= ~BIT_ULL(e->shift);
    }
}

static SvmdemoAtcEntry *svmdemo_atc_find(SvmdemoAtc *atc, uint32_t pasid,
                                         uint64_t addr, unsigned shift)
{
    uint64_t iova = addr & ~(BIT_ULL(shift) - 1);
    int32_t i = atc->hash[svmdemo_atc_bucket(pasid, iova, shift)];

    while (i >= 0) {
        SvmdemoAtcEntry *e = &atc->e[i];

        if (e->pasid == pasid && e->shift == shift && e->iova == iova) {
            return e;
        }
        i = e->hnext;
    }
    return NULL;
}

bool svmdemo_atc_lookup(SvmdemoAtc *atc, uint32_t pasid, uint64_t addr,
                        SvmdemoAtcEntry *out)
{
    uint64_t shifts = atc->shifts;

    while (shifts) {
        SvmdemoAtcEntry *e = svmdemo_atc_find(atc, pasid, addr,
                                              ctz64(shifts));

        if (e) {
            e->referenced = true;
            *out = *e;
            out->gen = atc->gen;
            return true;
        }
        shifts &= shifts - 1;
    }
    return false;
}

/* Drop the entries of @pasid that [@iova, @iova + @addr_mask] overlaps. */
static void svmdemo_atc_drop_overlaps(SvmdemoAtc *atc, uint32_t pasid,
                                      uint64_t iova, uint64_t addr_mask,
                                      unsigned shift)
{
    uint64_t shifts = atc->shifts;
    uint32_t i;

    if (!(shifts & (BIT_ULL(shift) - 1))) {
        /* No smaller entry: only one per larger size can overlap. */
        while (shifts) {
            SvmdemoAtcEntry *e = svmdemo_atc_find(atc, pasid, iova,
                                                  ctz64(shifts));

            if (e) {
                svmdemo_atc_unlink(atc, e);
            }
            shifts &= shifts - 1;
        }
        return;
    }
    for (i = 0; i < atc->size; i++) {
        SvmdemoAtcEntry *e = &atc->e[i];

        if (e->valid && e->pasid == pasid &&
            ranges_overlap(e->iova, e->addr_mask + 1, iova, addr_mask + 1)) {
            svmdemo_atc_unlink(atc, e);
        }
    }
}

/* The next entry the clock hand lets go of (invalid, or not used since). */
static SvmdemoAtcEntry *svmdemo_atc_victim(SvmdemoAtc *atc)
{
    for (;;) {
        SvmdemoAtcEntry *victim = &atc->e[atc->hand];

        atc->hand = (atc->hand + 1) % atc->size;
        if (!victim->valid) {
            return victim;
        }
        if (!victim->referenced) {
            svmdemo_atc_unlink(atc, victim);
            return victim;
        }
        victim->referenced = false;
    }
}

void svmdemo_atc_insert(SvmdemoAtc *atc, uint32_t pasid, uint64_t iova,
                        uint64_t addr_mask, uint64_t translated_addr,
                        AddressSpace *target_as, int perm)
{
    unsigned shift = addr_mask == UINT64_MAX ? 64 : ctz64(addr_mask + 1);
    SvmdemoAtcEntry *victim;
    unsigned b;

    if (shift > 63) {
        /* A 2^64 mapping (iova 0): cache its lower half. */
        shift = 63;
        addr_mask = BIT_ULL(63) - 1;
    }
    svmdemo_atc_drop_overlaps(atc, pasid, iova, addr_mask, shift);
    victim = svmdemo_atc_victim(atc);
    b = svmdemo_atc_bucket(pasid, iova, shift);
    *victim = (SvmdemoAtcEntry) {
        .valid = true,
        .pasid = pasid,
        .iova = iova,
        .addr_mask = addr_mask,
        .translated_addr = translated_addr,
        .target_as = target_as,
        .perm = perm,
        .shift = shift,
        .hnext = atc->hash[b],
    };
    atc->hash[b] = victim - atc->e;
    atc->shift_cnt[shift]++;
    atc->shifts |= BIT_ULL(shift);
}

unsigned svmdemo_atc_invalidate(SvmdemoAtc *atc, uint32_t pasid,
                                uint64_t start, uint64_t last)
{
    unsigned dropped = 0;
    uint32_t i;

    atc->gen++;
    for (i = 0; i < atc->size; i++) {
        SvmdemoAtcEntry *e = &atc->e[i];

        if (e->valid && e->pasid == pasid &&
            e->iova <= last && e->iova + e->addr_mask >= start) {
            svmdemo_atc_unlink(atc, e);
            dropped++;
        }
    }
    return dropped;
}

unsigned svmdemo_atc_flush(SvmdemoAtc *atc)
{
    unsigned dropped = 0;
    uint32_t i;

    atc->gen++;
    for (i = 0; i < atc->size; i++) {
        if (atc->e[i].valid) {
            svmdemo_atc_unlink(atc, &atc->e[i]);
            dropped++;
        }
    }
    return dropped;
}

void svmdemo_atc_init(SvmdemoAtc *atc, uint32_t size)
{
    *atc = (SvmdemoAtc) { .size = size };
    atc->e = g_new0(SvmdemoAtcEntry, size);
    atc->hash = g_new(int32_t, 1 << SVMDEMO_ATC_HASH_BITS);
    memset(atc->hash, 0xff, sizeof(int32_t) << SVMDEMO_ATC_HASH_BITS);
}

void svmdemo_atc_destroy(SvmdemoAtc *atc)
{
    g_free(atc->e);
    g_free(atc->hash);
    *atc = (SvmdemoAtc) { 0 };
}
