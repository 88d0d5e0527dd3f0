/*
 * svmdemo: per-PASID state of the translation engine. A PASID the device
 * uses gets a context that registers its device-IOTLB invalidation
 * notifier and its PRI notifier with the IOMMU; invalidations drop ATC
 * entries, PASID_FLUSH and reset let go of the PASID.
 *
 * Locking (svmdemo.h): the device's lock. The IOMMU calls the notifiers
 * with the BQL, from the vCPU thread that processes its invalidation
 * queue (or from an engine thread in a BQL section): they take the lock.
 * An engine registers a new context's notifiers in a BQL section.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/lockable.h"
#include "qemu/main-loop.h"
#include "qom/object.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/misc/svmdemo.h"
#include "trace.h"

bool svmdemo_pasid_usable(SvmdemoState *s, uint32_t pasid)
{
    PCIDevice *pdev = PCI_DEVICE(s);

    return pasid != 0 && pasid < (1u << s->pasid_width) &&
           pcie_pasid_enabled(pdev) && pcie_ats_enabled(pdev);
}

/*
 * QEMU's VT-d registers device-IOTLB notifiers with &error_fatal and
 * refuses them without device-iotlb=on: check first, so that a guest
 * enabling ATS behind such an IOMMU gets translation faults instead of
 * terminating QEMU.
 */
static bool svmdemo_iommu_has_devtlb(void)
{
    Object *iommu = object_resolve_path_type("", "x86-iommu", NULL);

    if (!iommu) {
        return true;
    }
    return object_property_get_bool(iommu, "device-iotlb", NULL);
}

/* Drop the ATC entries of @pasid overlapping [@start, @last]. */
unsigned svmdemo_atc_drop(SvmdemoState *s, uint32_t pasid, uint64_t start,
                          uint64_t last)
{
    unsigned dropped = svmdemo_atc_invalidate(&s->atc, pasid, start, last);

    s->cnt[SVMDEMO_CNT_ATC_INVAL] += dropped;
    return dropped;
}

/* Drop every ATC entry, once no access uses one any more. */
void svmdemo_atc_flush_all(SvmdemoState *s)
{
    unsigned dropped = svmdemo_atc_flush(&s->atc);

    s->cnt[SVMDEMO_CNT_ATC_INVAL] += dropped;
    trace_svmdemo_atc_flush(dropped);
    svmdemo_pins_wait(s, SVMDEMO_PIN_ANY, 0, UINT64_MAX);
}

static void svmdemo_iotlb_notify(IOMMUNotifier *n, IOMMUTLBEntry *entry)
{
    SvmdemoPasidCtx *ctx = container_of(n, SvmdemoPasidCtx, iotlb_n);
    SvmdemoState *s = ctx->s;
    uint64_t start = entry->iova;
    uint64_t last;
    unsigned dropped;

    if (entry->addr_mask > UINT64_MAX - start) {
        last = UINT64_MAX;
    } else {
        last = start + entry->addr_mask;
    }
    QEMU_LOCK_GUARD(&s->lock);
    dropped = svmdemo_atc_drop(s, ctx->pasid, start, last);
    s->cnt[SVMDEMO_CNT_INVAL]++;
    trace_svmdemo_invalidate(ctx->pasid, start, last, dropped);
    /* The invalidation completes when this returns. */
    svmdemo_pins_wait(s, ctx->pasid, start, last);
}

SvmdemoPasidCtx *svmdemo_pasid_find(SvmdemoState *s, uint32_t pasid)
{
    SvmdemoPasidCtx *ctx;

    QLIST_FOREACH(ctx, &s->pasids, next) {
        if (ctx->pasid == pasid) {
            return ctx;
        }
    }
    return NULL;
}

/*
 * Register the notifiers of a new context for @pasid; BQL held, lock not
 * held (the IOMMU may call into the device).
 */
static SvmdemoPasidCtx *svmdemo_pasid_register(SvmdemoState *s,
                                               uint32_t pasid)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    SvmdemoPasidCtx *ctx;
    int ret;

    if (!svmdemo_iommu_has_devtlb()) {
        trace_svmdemo_pasid_register(pasid, -ENOTSUP, false);
        return NULL;
    }
    ctx = g_new0(SvmdemoPasidCtx, 1);
    ctx->s = s;
    ctx->pasid = pasid;
    ctx->pri_n.notify = svmdemo_pri_notify;

    ret = pci_iommu_init_iotlb_notifier(pdev, &ctx->iotlb_n,
                                        svmdemo_iotlb_notify, ctx);
    if (!ret) {
        ret = pci_iommu_register_iotlb_notifier(pdev, pasid, &ctx->iotlb_n);
    }
    if (ret) {
        trace_svmdemo_pasid_register(pasid, ret, false);
        g_free(ctx);
        return NULL;
    }
    ctx->pri_registered = !pci_pri_register_notifier(pdev, pasid,
                                                     &ctx->pri_n);
    trace_svmdemo_pasid_register(pasid, 0, ctx->pri_registered);
    return ctx;
}

/*
 * The context of @pasid, registering its notifiers on first use (in a BQL
 * section: the pointer is good while the lock is held after that).
 */
SvmdemoPasidCtx *svmdemo_pasid_get(SvmdemoState *s, uint32_t pasid)
{
    SvmdemoPasidCtx *ctx = svmdemo_pasid_find(s, pasid);

    if (ctx) {
        return ctx;
    }
    svmdemo_bql_begin(s);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        ctx = svmdemo_pasid_find(s, pasid);     /* another engine's */
    }
    if (!ctx) {
        ctx = svmdemo_pasid_register(s, pasid);
        if (ctx) {
            QEMU_LOCK_GUARD(&s->lock);
            QLIST_INSERT_HEAD(&s->pasids, ctx, next);
        }
    }
    svmdemo_bql_end(s);
    return ctx;
}

static void svmdemo_pasid_release(SvmdemoState *s, SvmdemoPasidCtx *ctx)
{
    PCIDevice *pdev = PCI_DEVICE(s);
    int ret;

    QLIST_REMOVE(ctx, next);
    if (ctx->pri_registered) {
        pci_pri_unregister_notifier(pdev, ctx->pasid);
    }
    ret = pci_iommu_unregister_iotlb_notifier(pdev, ctx->pasid,
                                              &ctx->iotlb_n);
    svmdemo_prg_release_pasid(s, ctx->pasid);
    svmdemo_atc_drop(s, ctx->pasid, 0, UINT64_MAX);
    svmdemo_pins_wait(s, ctx->pasid, 0, UINT64_MAX);
    trace_svmdemo_pasid_unregister(ctx->pasid, ret);
    if (ret) {
        /*
         * The IOMMU may still hold the notifier: leak it rather than
         * leave it a dangling pointer. Not reached in practice, see
         * svmdemo_config_write().
         */
        return;
    }
    g_free(ctx);
}

void svmdemo_pasid_release_all(SvmdemoState *s)
{
    while (!QLIST_EMPTY(&s->pasids)) {
        svmdemo_pasid_release(s, QLIST_FIRST(&s->pasids));
    }
}

void svmdemo_pasid_flush(SvmdemoState *s, uint32_t pasid)
{
    SvmdemoPasidCtx *ctx = svmdemo_pasid_find(s, pasid);
    unsigned i;

    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];

        if (q->running && q->cur_has_pasid && q->cur_pasid == pasid) {
            q->pasid_abort = true;
        }
    }
    if (ctx) {
        svmdemo_pasid_release(s, ctx);
    } else {
        svmdemo_atc_drop(s, pasid, 0, UINT64_MAX);
        svmdemo_pins_wait(s, pasid, 0, UINT64_MAX);
    }
    qemu_cond_broadcast(&s->pri_cond);
    trace_svmdemo_pasid_flush(pasid);
    /*
     * The jobs of the PASID stop at once (at their next check): wait for
     * them here, so that the driver's first read of PASID_FLUSH already
     * finds it done instead of polling the register while they stop.
     */
    while (svmdemo_pasid_busy(s, pasid)) {
        svmdemo_wait_idle(s);
    }
}

bool svmdemo_pasid_busy(SvmdemoState *s, uint32_t pasid)
{
    unsigned i;

    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];

        if (q->running && q->cur_has_pasid && q->cur_pasid == pasid) {
            return true;
        }
    }
    return false;
}

void svmdemo_xlate_init(SvmdemoState *s)
{
    svmdemo_atc_init(&s->atc, s->atc_entries);
    QLIST_INIT(&s->pasids);
    qemu_cond_init(&s->pri_cond);
    s->pri_group_max = SVMDEMO_PRI_SPAN_PAGES;
}

/* Called once no job runs (queues reset). */
void svmdemo_xlate_reset(SvmdemoState *s)
{
    svmdemo_pasid_release_all(s);
    svmdemo_atc_flush_all(s);
    memset(s->prg, 0, sizeof(s->prg));
    s->prg_next = 0;
    s->pri_outstanding = 0;
    s->pri_group_max = SVMDEMO_PRI_SPAN_PAGES;
}

void svmdemo_xlate_exit(SvmdemoState *s)
{
    svmdemo_xlate_reset(s);
    svmdemo_atc_destroy(&s->atc);
    qemu_cond_destroy(&s->pri_cond);
}
