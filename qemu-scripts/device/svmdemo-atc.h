/*
 * svmdemo: the device's address translation cache (ATC)
 *
 * A self-contained unit (tests/unit/test-svmdemo-atc.c tests it on its
 * own): entries keep the page size the IOMMU returned, a lookup probes
 * hash buckets on (PASID, address, entry size), replacement follows a
 * clock (second chance), and every invalidation or flush advances a
 * generation number so that a user can tell whether a translation it
 * looked up may still be used. The caller serialises all calls.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_SVMDEMO_ATC_H
#define HW_SVMDEMO_ATC_H

/* AddressSpace: qemu/typedefs.h, through qemu/osdep.h */

typedef struct SvmdemoAtcEntry {
    bool valid;
    uint32_t pasid;
    uint64_t iova;              /* aligned to addr_mask + 1 */
    uint64_t addr_mask;
    uint64_t translated_addr;
    AddressSpace *target_as;    /* where translated_addr lives */
    int perm;                   /* IOMMUAccessFlags */
    bool referenced;            /* used since the clock hand passed */
    uint8_t shift;              /* log2(addr_mask + 1) */
    int32_t hnext;              /* next entry in the hash bucket, or -1 */
    uint64_t gen;               /* a copy's ATC generation when looked up */
} SvmdemoAtcEntry;

#define SVMDEMO_ATC_HASH_BITS           12

typedef struct SvmdemoAtc {
    SvmdemoAtcEntry *e;
    uint32_t size;
    int32_t *hash;              /* 1 << SVMDEMO_ATC_HASH_BITS chain heads */
    uint32_t hand;              /* clock hand: next replacement candidate */
    uint32_t shift_cnt[64];     /* valid entries per entry size */
    uint64_t shifts;            /* bit n: some valid entry has shift n */
    /*
     * Advanced by every invalidation and flush, never by a replacement:
     * a translation looked up while it had one value may be used only
     * while it still has it (svmdemo_atc_current()).
     */
    uint64_t gen;
} SvmdemoAtc;

void svmdemo_atc_init(SvmdemoAtc *atc, uint32_t size);
void svmdemo_atc_destroy(SvmdemoAtc *atc);

/*
 * Copy the entry of @pasid covering @addr into @out (stamped with the
 * current generation) and mark it used; false on a miss.
 */
bool svmdemo_atc_lookup(SvmdemoAtc *atc, uint32_t pasid, uint64_t addr,
                        SvmdemoAtcEntry *out);

/* Cache a translation; a fresher one replaces the entries it overlaps. */
void svmdemo_atc_insert(SvmdemoAtc *atc, uint32_t pasid, uint64_t iova,
                        uint64_t addr_mask, uint64_t translated_addr,
                        AddressSpace *target_as, int perm);

/* Drop the entries of @pasid overlapping [@start, @last]; how many. */
unsigned svmdemo_atc_invalidate(SvmdemoAtc *atc, uint32_t pasid,
                                uint64_t start, uint64_t last);

/* Drop every entry; how many. */
unsigned svmdemo_atc_flush(SvmdemoAtc *atc);

/* May @e, a copy from svmdemo_atc_lookup() or the ATS, still be used? */
static inline bool svmdemo_atc_current(const SvmdemoAtc *atc,
                                       const SvmdemoAtcEntry *e)
{
    return e->gen == atc->gen;
}

#endif
