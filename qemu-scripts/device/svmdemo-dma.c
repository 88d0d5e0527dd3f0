/*
 * svmdemo: data movement. DMA to the addresses the translation engine
 * returned (pre-translated requests), DMA on IOVAs of the default domain
 * for descriptors without PASID, and COPY straight between two mapped
 * ranges.
 *
 * Locking (svmdemo.h): called with the device's lock. Guest RAM is
 * accessed with no lock held, pinned, so that an invalidation of the
 * range waits for the access to end. Everything else (the first
 * translated request of a job after each invalidation, which lets the
 * IOMMU check that the function may send translated requests; targets
 * that are not RAM; DMA without PASID) goes through the IOMMU in a BQL
 * section, after checking that the translation is still current.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "qemu/rcu.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/misc/svmdemo.h"
#include "trace.h"

/* An access of a BQL section found its translation invalidated. */
#define SVMDEMO_ACCESS_STALE            UINT32_MAX

/* No PASID: plain DMA on IOVAs of the default domain, in a BQL section. */
static uint32_t svmdemo_dma_iova(SvmdemoQueue *q, SvmdemoJob *job,
                                 uint64_t addr, uint8_t *buf, uint64_t len,
                                 bool is_write)
{
    PCIDevice *pdev = PCI_DEVICE(q->s);
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE;
    uint32_t status = SVMDEMO_STS_SUCCESS;

    if (!svmdemo_bql_begin_job(q)) {
        svmdemo_job_stopped(q, &status);
        return status;
    }
    while (len) {
        uint64_t chunk = MIN(len, SVMDEMO_PAGE_SIZE -
                                  (addr & (SVMDEMO_PAGE_SIZE - 1)));

        if (pci_dma_rw(pdev, addr, buf, chunk, dir,
                       MEMTXATTRS_UNSPECIFIED) != MEMTX_OK) {
            job->fault_addr = addr;
            job->fault_write = is_write;
            status = SVMDEMO_STS_PAGE_FAULT;
            break;
        }
        addr += chunk;
        buf += chunk;
        len -= chunk;
    }
    svmdemo_bql_end(q->s);
    return status;
}

/*
 * Map [@ta, @ta + *@len) of @as for direct access if it is RAM (shortening
 * *@len to what is contiguous); NULL if it is not directly accessible.
 */
static void *svmdemo_map_direct(AddressSpace *as, hwaddr ta, hwaddr *len,
                                bool is_write)
{
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    MemoryRegion *mr;
    hwaddr xlat, l = *len;

    RCU_READ_LOCK_GUARD();
    mr = address_space_translate(as, ta, &xlat, &l, is_write, attrs);
    if (!memory_access_is_direct(mr, is_write, attrs)) {
        return NULL;
    }
    *len = l;
    return address_space_map(as, ta, len, is_write, attrs);
}

/*
 * Move @len bytes at @addr (translated by @e, current) to or from @buf
 * with the lock dropped, pinned. Returns how many bytes moved: fewer if
 * the RAM is not contiguous, 0 if the target is not RAM.
 */
static uint64_t svmdemo_access_pinned(SvmdemoQueue *q, SvmdemoJob *job,
                                      const SvmdemoAtcEntry *e, uint64_t addr,
                                      uint8_t *buf, uint64_t len,
                                      bool is_write)
{
    SvmdemoState *s = q->s;
    hwaddr ta = e->translated_addr + (addr - e->iova);
    hwaddr l = len;
    void *p;

    assert(svmdemo_atc_current(&s->atc, e));
    svmdemo_pin(q, job->pasid, addr, len);
    qemu_mutex_unlock(&s->lock);
    p = svmdemo_map_direct(e->target_as, ta, &l, is_write);
    if (p) {
        l = MIN(l, len);
        if (is_write) {
            memcpy(p, buf, l);
        } else {
            memcpy(buf, p, l);
        }
        address_space_unmap(e->target_as, p, l, is_write, l);
    }
    qemu_mutex_lock(&s->lock);
    svmdemo_unpin(q);
    return p ? l : 0;
}

/*
 * Move @len bytes at @addr (translated by @e) to or from @buf through the
 * IOMMU, in a BQL section: the first page as a translated request from
 * the function, the rest straight to the target address space. Returns a
 * status (the job's stop status if it was stopped before the section
 * began), or SVMDEMO_ACCESS_STALE if @e was invalidated before it.
 */
static uint32_t svmdemo_access_bql(SvmdemoQueue *q, SvmdemoJob *job,
                                   const SvmdemoAtcEntry *e, uint64_t addr,
                                   uint8_t *buf, uint64_t len, bool is_write)
{
    SvmdemoState *s = q->s;
    PCIDevice *pdev = PCI_DEVICE(s);
    MemTxAttrs attrs = {
        .address_type = PCI_AT_TRANSLATED,
        .requester_id = pci_requester_id(pdev),
    };
    DMADirection dir = is_write ? DMA_DIRECTION_FROM_DEVICE :
                                  DMA_DIRECTION_TO_DEVICE;
    hwaddr ta = e->translated_addr + (addr - e->iova);
    uint64_t first = MIN(len, SVMDEMO_PAGE_SIZE -
                              (ta & (SVMDEMO_PAGE_SIZE - 1)));
    MemTxResult res = MEMTX_OK;
    uint32_t status;
    bool current;

    if (!svmdemo_bql_begin_job(q)) {
        svmdemo_job_stopped(q, &status);
        return status;
    }
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        current = svmdemo_atc_current(&s->atc, e);
    }
    if (current) {
        res = pci_dma_rw(pdev, ta, buf, first, dir, attrs);
        if (res == MEMTX_OK && len > first) {
            res = e->target_as ?
                  address_space_rw(e->target_as, ta + first,
                                   MEMTXATTRS_UNSPECIFIED, buf + first,
                                   len - first, is_write) :
                  pci_dma_rw(pdev, ta + first, buf + first, len - first,
                             dir, attrs);
        }
    }
    svmdemo_bql_end(s);
    if (!current) {
        return SVMDEMO_ACCESS_STALE;
    }
    if (res != MEMTX_OK) {
        job->fault_addr = addr;
        job->fault_write = is_write;
        return SVMDEMO_STS_DMA_ERROR;
    }
    return SVMDEMO_STS_SUCCESS;
}

/*
 * Whether a translated request of @job got through the IOMMU since the
 * last invalidation (lock held). The IOMMU's verdict on translated
 * requests is the function's, not the address's, and what changes it (the
 * context or PASID entry, ATS enable) comes with an invalidation or an
 * ATC flush: so one check per job and generation stands for the job's
 * other accesses.
 */
static bool svmdemo_job_checked(SvmdemoQueue *q, SvmdemoJob *job)
{
    return job->checked && job->checked_gen == q->s->atc.gen;
}

/* How much of [@addr, @addr + @len) the entry @e covers. */
static uint64_t svmdemo_entry_span(const SvmdemoAtcEntry *e, uint64_t addr,
                                   uint64_t len)
{
    uint64_t left = e->addr_mask - (addr - e->iova) + 1;

    return left ? MIN(len, left) : len;     /* 0: a 2^64 mapping */
}

/*
 * Move @len bytes between @buf and the job's address space at @addr;
 * @ahead (>= @len) is how much of the job's buffer is left from @addr.
 * Returns SVMDEMO_STS_SUCCESS or the status the job completes with
 * (job->fault_addr and fault_write set for faults).
 *
 * The first access of a job, and the first after each invalidation, is a
 * translated request through the function's bus master address space, so
 * the IOMMU decides whether it accepts translated requests from the
 * function at all (svmdemo_job_checked()). The rest goes straight to the
 * RAM the translation points to, one access per ATC entry (a 2 MiB entry
 * is one memcpy) instead of one IOMMU lookup per 4 KiB page.
 */
uint32_t svmdemo_dma(SvmdemoQueue *q, SvmdemoJob *job, uint64_t addr,
                     void *buf, uint64_t len, uint64_t ahead, bool is_write,
                     bool use_atc)
{
    unsigned stale = 0;
    bool checked = svmdemo_job_checked(q, job);
    uint8_t *p = buf;

    if (!job->has_pasid) {
        return svmdemo_dma_iova(q, job, addr, p, len, is_write);
    }
    while (len) {
        SvmdemoAtcEntry e;
        uint64_t chunk;
        uint32_t status;

        status = svmdemo_translate(q, job, addr, len, MAX(len, ahead),
                                   is_write, use_atc, &e);
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
        chunk = svmdemo_entry_span(&e, addr, len);
        if (checked && e.target_as) {
            chunk = svmdemo_access_pinned(q, job, &e, addr, p, chunk,
                                          is_write);
            checked = chunk != 0;       /* not RAM: through the IOMMU */
            status = SVMDEMO_STS_SUCCESS;
        } else {
            uint64_t gen = q->s->atc.gen;

            if (e.target_as) {
                /* One page through the IOMMU, the rest pinned. */
                chunk = MIN(chunk, SVMDEMO_PAGE_SIZE -
                                   (addr & (SVMDEMO_PAGE_SIZE - 1)));
            }
            status = svmdemo_access_bql(q, job, &e, addr, p, chunk,
                                        is_write);
            checked = true;
            if (status == SVMDEMO_STS_SUCCESS) {
                job->checked = true;
                job->checked_gen = gen;
            }
        }
        if (status == SVMDEMO_ACCESS_STALE) {
            if (++stale > SVMDEMO_STALE_ROUNDS) {
                job->fault_addr = addr;
                job->fault_write = is_write;
                return SVMDEMO_STS_PAGE_FAULT;
            }
            trace_svmdemo_xlate_stale(q->idx, job->pasid, addr);
            continue;
        }
        if (status != SVMDEMO_STS_SUCCESS) {
            return status;
        }
        addr += chunk;
        p += chunk;
        len -= chunk;
        ahead -= MIN(ahead, chunk);
    }
    return SVMDEMO_STS_SUCCESS;
}

/*
 * Copy the @chunk bytes at @src (translated by @es) to @dst (by @ed),
 * both current, with the lock dropped, both ranges pinned. Returns how
 * many bytes moved: 0 if either side is not RAM.
 */
static uint64_t svmdemo_copy_pinned(SvmdemoQueue *q, SvmdemoJob *job,
                                    const SvmdemoAtcEntry *es, uint64_t src,
                                    const SvmdemoAtcEntry *ed, uint64_t dst,
                                    uint64_t chunk)
{
    SvmdemoState *s = q->s;
    hwaddr ts = es->translated_addr + (src - es->iova);
    hwaddr td = ed->translated_addr + (dst - ed->iova);
    hwaddr ls = chunk, ld = chunk;
    void *ps, *pd = NULL;
    uint64_t done = 0;

    svmdemo_pin(q, job->pasid, src, chunk);
    svmdemo_pin(q, job->pasid, dst, chunk);
    qemu_mutex_unlock(&s->lock);
    ps = svmdemo_map_direct(es->target_as, ts, &ls, false);
    if (ps) {
        pd = svmdemo_map_direct(ed->target_as, td, &ld, true);
    }
    if (pd) {
        done = MIN(ls, ld);
        memmove(pd, ps, done);
        address_space_unmap(ed->target_as, pd, ld, true, done);
    }
    if (ps) {
        address_space_unmap(es->target_as, ps, ls, false, done);
    }
    qemu_mutex_lock(&s->lock);
    svmdemo_unpin(q);
    return done;
}

/*
 * Translate both sides of the next COPY chunk: @es for @src, @ed for @dst.
 * Translating the destination may wait (ATS, page requests), after which
 * the source's translation is looked up again if an invalidation ran.
 */
static uint32_t svmdemo_copy_translate(SvmdemoQueue *q, SvmdemoJob *job,
                                       uint64_t src, uint64_t dst,
                                       uint64_t len, uint64_t ahead,
                                       SvmdemoAtcEntry *es,
                                       SvmdemoAtcEntry *ed)
{
    unsigned stale = 0;
    uint32_t status;

    for (;;) {
        status = svmdemo_translate(q, job, src, len, ahead, false, true, es);
        if (status == SVMDEMO_STS_SUCCESS) {
            status = svmdemo_translate(q, job, dst, len, ahead, true, true,
                                       ed);
        }
        if (status != SVMDEMO_STS_SUCCESS ||
            svmdemo_atc_current(&q->s->atc, es)) {
            return status;
        }
        if (++stale > SVMDEMO_STALE_ROUNDS) {
            job->fault_addr = src;
            job->fault_write = false;
            return SVMDEMO_STS_PAGE_FAULT;
        }
        trace_svmdemo_xlate_stale(q->idx, job->pasid, src);
    }
}

/*
 * COPY [@src, @src + @len) to @dst in the job's address space without a
 * bounce buffer: both sides are translated (ATC), mapped range by range
 * (a 2 MiB entry on each side is one memcpy) and copied directly. Until
 * the job is checked (svmdemo_job_checked()), the first range goes
 * through svmdemo_dma() and the bounce buffer @buf, so that the IOMMU
 * sees a translated request from the function; so does anything that is
 * not plain RAM.
 */
uint32_t svmdemo_dma_copy(SvmdemoQueue *q, SvmdemoJob *job, uint64_t src,
                          uint64_t dst, void *buf, uint64_t len,
                          uint64_t ahead, bool use_atc)
{
    bool checked = svmdemo_job_checked(q, job);

    while (len) {
        SvmdemoAtcEntry es, ed;
        uint64_t chunk;
        uint32_t status;

        if (!job->has_pasid || !use_atc || !checked) {
            chunk = job->has_pasid && use_atc ?
                    MIN(len, SVMDEMO_PAGE_SIZE -
                             (MAX(src, dst) & (SVMDEMO_PAGE_SIZE - 1))) :
                    len;
            status = svmdemo_dma(q, job, src, buf, chunk, ahead, false,
                                 use_atc);
            if (status == SVMDEMO_STS_SUCCESS) {
                status = svmdemo_dma(q, job, dst, buf, chunk, ahead, true,
                                     use_atc);
            }
            if (status != SVMDEMO_STS_SUCCESS) {
                return status;
            }
            checked = true;
        } else {
            status = svmdemo_copy_translate(q, job, src, dst, len, ahead,
                                            &es, &ed);
            if (status != SVMDEMO_STS_SUCCESS) {
                return status;
            }
            chunk = svmdemo_entry_span(&es, src, len);
            chunk = svmdemo_entry_span(&ed, dst, chunk);
            chunk = es.target_as && ed.target_as ?
                    svmdemo_copy_pinned(q, job, &es, src, &ed, dst, chunk) :
                    0;
            if (!chunk) {
                /* Not RAM: the bounce buffer path reports the errors. */
                checked = false;
                continue;
            }
        }
        src += chunk;
        dst += chunk;
        len -= chunk;
        ahead -= MIN(ahead, chunk);
    }
    return SVMDEMO_STS_SUCCESS;
}
