/*
 * svmdemo: a PCIe accelerator with ATS, PASID and PRI for SVM experiments
 *
 * This file is the front end: PCI identity and capabilities, the BAR0
 * register decode, reset, and the locking helpers (the rules are in
 * svmdemo.h). Interrupts are in svmdemo-irq.c, the queue engine in
 * svmdemo-queue.c and the operations in svmdemo-job.c, the translation
 * engine in svmdemo-atc.c, -ats.c, -pri.c, -pasid.c and
 * -dma.c. The programming interface is specified in the svmdemo
 * project's docs/device.md.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/log.h"
#include "qemu/main-loop.h"
#include "qemu/lockable.h"
#include "qemu/module.h"
#include "qemu/range.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "hw/pci/pci.h"
#include "hw/pci/pcie.h"
#include "hw/pci/msi.h"
#include "hw/pci/msix.h"
#include "hw/qdev-properties.h"
#include "migration/vmstate.h"
#include "hw/misc/svmdemo.h"
#include "trace.h"

/* ------------------------------------------------------------------ */
/* Locking                                                            */
/* ------------------------------------------------------------------ */

/* The device whose engine runs on this thread, if any. */
static __thread SvmdemoState *svmdemo_engine_of_thread;
/* The device whose register access this thread is in, if any. */
static __thread SvmdemoState *svmdemo_access_of_thread;

void svmdemo_set_engine_thread(SvmdemoState *s)
{
    svmdemo_engine_of_thread = s;
}

/*
 * Enter a BQL section from an engine thread: from holding the lock to
 * holding the BQL (and not the lock), so that the calls made inside may
 * come back into the device.
 */
void svmdemo_bql_begin(SvmdemoState *s)
{
    qemu_mutex_unlock(&s->lock);
    bql_lock();
}

/* Leave it: back to holding the lock only. */
void svmdemo_bql_end(SvmdemoState *s)
{
    qemu_mutex_lock(&s->lock);
    bql_unlock();
}

/*
 * From a register access (BQL and lock held): wait until a job stops
 * running somewhere, with both locks dropped, since the engine may need
 * either to get there. The caller checks its condition again.
 */
void svmdemo_wait_idle(SvmdemoState *s)
{
    bql_unlock();
    qemu_cond_wait(&s->idle_cond, &s->lock);
    qemu_mutex_unlock(&s->lock);
    bql_lock();
    qemu_mutex_lock(&s->lock);
}

/* ------------------------------------------------------------------ */
/* Register decode                                                    */
/* ------------------------------------------------------------------ */

/* 64-bit registers: the compatible block and the counters. */
static bool svmdemo_is_reg64(hwaddr addr)
{
    return addr < SVMDEMO_COMPAT_REG64_END ||
           (addr >= SVMDEMO_CNT_BASE && addr < SVMDEMO_CNT_END) ||
           (addr >= SVMDEMO_HIST_BASE && addr < SVMDEMO_HIST_END);
}

/* Count the time since @start_ns in histogram @h; lock held. */
void svmdemo_hist_add(SvmdemoState *s, enum svmdemo_hist h, int64_t start_ns)
{
    int64_t ns = qemu_clock_get_ns(QEMU_CLOCK_REALTIME) - start_ns;

    s->hist[h][svmdemo_hist_bucket(MAX(ns, 0) / 1000)]++;
}

static uint64_t svmdemo_read64(SvmdemoState *s, hwaddr addr)
{
    switch (addr) {
    case SVMDEMO_COMPAT_CMD:
        return SVMDEMO_COMPAT_ID_VALUE;
    case SVMDEMO_COMPAT_STATUS:
        return s->compat_status;
    }
    if (addr >= SVMDEMO_CNT_BASE &&
        addr < SVMDEMO_CNT_BASE + 8 * SVMDEMO_CNT_NR) {
        return s->cnt[(addr - SVMDEMO_CNT_BASE) / 8];
    }
    if (addr >= SVMDEMO_CNT_STATUS_BASE &&
        addr < SVMDEMO_CNT_STATUS_BASE + 8 * SVMDEMO_CNT_STATUS_NR) {
        return s->cnt_status[(addr - SVMDEMO_CNT_STATUS_BASE) / 8];
    }
    if (addr >= SVMDEMO_HIST_BASE &&
        addr < SVMDEMO_HIST(SVMDEMO_HIST_NR, 0)) {
        unsigned i = (addr - SVMDEMO_HIST_BASE) / 8;

        return s->hist[i / SVMDEMO_HIST_BUCKETS][i % SVMDEMO_HIST_BUCKETS];
    }
    return 0;
}

static uint32_t svmdemo_queue_read(SvmdemoQueue *q, hwaddr reg)
{
    uint32_t val;

    switch (reg) {
    case SVMDEMO_Q_DESC_LO:
        return q->desc_base;
    case SVMDEMO_Q_DESC_HI:
        return q->desc_base >> 32;
    case SVMDEMO_Q_CMPL_LO:
        return q->cmpl_base;
    case SVMDEMO_Q_CMPL_HI:
        return q->cmpl_base >> 32;
    case SVMDEMO_Q_SIZE:
        return q->size;
    case SVMDEMO_Q_HEAD:
        return q->head;
    case SVMDEMO_Q_TAIL:
        return q->tail;
    case SVMDEMO_Q_STATUS:
        val = q->err_code << SVMDEMO_Q_STATUS_ERR_SHIFT;
        if (q->enabled) {
            val |= SVMDEMO_Q_STATUS_ENABLED;
        }
        if (q->running || (q->enabled && q->head != q->tail)) {
            val |= SVMDEMO_Q_STATUS_BUSY;
        }
        if (q->draining) {
            val |= SVMDEMO_Q_STATUS_DRAINING;
        }
        if (q->error) {
            val |= SVMDEMO_Q_STATUS_ERROR;
        }
        return val;
    case SVMDEMO_Q_COMPLETED:
        return q->completed;
    case SVMDEMO_Q_IRQ_COALESCE:
        return q->irq_coalesce;
    default:
        return 0;
    }
}

static uint32_t svmdemo_read32(SvmdemoState *s, hwaddr addr)
{
    uint32_t val = 0;
    unsigned i;

    if (addr >= SVMDEMO_QUEUE_BASE && addr < SVMDEMO_QUEUE_END) {
        i = (addr - SVMDEMO_QUEUE_BASE) / SVMDEMO_QUEUE_STRIDE;
        if (i >= s->num_queues) {
            return 0;
        }
        return svmdemo_queue_read(&s->queues[i],
                                  addr % SVMDEMO_QUEUE_STRIDE);
    }

    switch (addr) {
    case SVMDEMO_VERSION:
        return SVMDEMO_VERSION_1_0;
    case SVMDEMO_CAPS:
        return SVMDEMO_CAPS_ATS | SVMDEMO_CAPS_PASID | SVMDEMO_CAPS_PRI |
               SVMDEMO_CAPS_MSIX | SVMDEMO_CAPS_UNTRANSLATED |
               SVMDEMO_CAPS_CR_USER | SVMDEMO_CAPS_FENCE;
    case SVMDEMO_NUM_QUEUES:
        return s->num_queues;
    case SVMDEMO_RING_SIZE_MAX:
        return s->ring_size_max;
    case SVMDEMO_ATC_ENTRIES:
        return s->atc_entries;
    case SVMDEMO_PRI_CAPACITY:
        return s->pri_capacity;
    case SVMDEMO_PASID_WIDTH:
        return s->pasid_width;
    case SVMDEMO_OPCODES:
        return MAKE_64BIT_MASK(0, SVMDEMO_OP_NR);
    case SVMDEMO_MAX_XFER:
        return SVMDEMO_MAX_XFER_BYTES;
    case SVMDEMO_PRI_TIMEOUT:
        return s->pri_timeout_ms;
    case SVMDEMO_INTR_STATUS:
        return s->intr_status | (s->err_cause ? SVMDEMO_INTR_ERROR : 0);
    case SVMDEMO_ERR_CAUSE:
        return s->err_cause;
    case SVMDEMO_ERR_QUEUE:
        for (i = 0; i < s->num_queues; i++) {
            if (s->queues[i].error) {
                val |= BIT(i);
            }
        }
        return val;
    case SVMDEMO_PASID_FLUSH:
        val = s->pasid_flush;
        if (svmdemo_pasid_busy(s, s->pasid_flush)) {
            val |= SVMDEMO_PASID_FLUSH_BUSY;
        }
        return val;
    default:
        return 0;
    }
}

static void svmdemo_compat_write(SvmdemoState *s, hwaddr addr, uint64_t val)
{
    s->compat_reg[addr / 8] = val;
    if (addr == SVMDEMO_COMPAT_CMD) {
        svmdemo_compat_submit(s, val);
    }
}

static void svmdemo_compat_set_pasid(SvmdemoState *s, uint32_t val)
{
    uint32_t old = s->compat_pasid;

    s->compat_pasid = MIN(val, SVMDEMO_COMPAT_PASID_DISABLE);
    if (s->compat_pasid == SVMDEMO_COMPAT_PASID_DISABLE &&
        old != SVMDEMO_COMPAT_PASID_DISABLE) {
        svmdemo_pasid_flush(s, old);
    }
}

static void svmdemo_queue_write(SvmdemoQueue *q, hwaddr reg, uint32_t val)
{
    bool locked = q->enabled || q->error;

    switch (reg) {
    case SVMDEMO_Q_DESC_LO:
        if (!locked) {
            q->desc_base = deposit64(q->desc_base, 0, 32, val);
        }
        break;
    case SVMDEMO_Q_DESC_HI:
        if (!locked) {
            q->desc_base = deposit64(q->desc_base, 32, 32, val);
        }
        break;
    case SVMDEMO_Q_CMPL_LO:
        if (!locked) {
            q->cmpl_base = deposit64(q->cmpl_base, 0, 32, val);
        }
        break;
    case SVMDEMO_Q_CMPL_HI:
        if (!locked) {
            q->cmpl_base = deposit64(q->cmpl_base, 32, 32, val);
        }
        break;
    case SVMDEMO_Q_SIZE:
        if (!locked) {
            q->size = val;
        }
        break;
    case SVMDEMO_Q_TAIL:
        svmdemo_queue_doorbell(q, val);
        break;
    case SVMDEMO_Q_IRQ_COALESCE:
        q->irq_coalesce = val & (SVMDEMO_Q_IRQ_COUNT | SVMDEMO_Q_IRQ_USECS);
        break;
    case SVMDEMO_Q_CTRL:
        svmdemo_queue_ctrl(q, val);
        break;
    default:
        break;
    }
}

static void svmdemo_write32(SvmdemoState *s, hwaddr addr, uint32_t val)
{
    unsigned i;

    if (addr >= SVMDEMO_QUEUE_BASE && addr < SVMDEMO_QUEUE_END) {
        i = (addr - SVMDEMO_QUEUE_BASE) / SVMDEMO_QUEUE_STRIDE;
        if (i < s->num_queues) {
            svmdemo_queue_write(&s->queues[i],
                                addr % SVMDEMO_QUEUE_STRIDE, val);
        }
        return;
    }

    switch (addr) {
    case SVMDEMO_COMPAT_PASID:
        svmdemo_compat_set_pasid(s, val);
        break;
    case SVMDEMO_CTRL:
        if (val & SVMDEMO_CTRL_CLEAR_COUNTERS) {
            memset(s->cnt, 0, sizeof(s->cnt));
            memset(s->cnt_status, 0, sizeof(s->cnt_status));
            memset(s->hist, 0, sizeof(s->hist));
        }
        if (val & SVMDEMO_CTRL_FLUSH_ATC) {
            svmdemo_atc_flush_all(s);
        }
        break;
    case SVMDEMO_INTR_STATUS:
        s->intr_status &= ~(val & ~SVMDEMO_INTR_ERROR);
        break;
    case SVMDEMO_ERR_CAUSE:
        s->err_cause &= ~val;
        break;
    case SVMDEMO_PASID_FLUSH:
        s->pasid_flush = val & SVMDEMO_PASID_FLUSH_PASID;
        svmdemo_pasid_flush(s, s->pasid_flush);
        break;
    default:
        break;
    }
}

/*
 * A DMA of the device's own engine reaching its registers (a ring, a
 * buffer or an MSI address pointed at BAR0) is dropped: the engine would
 * wait for itself. So is an access made by a register access of the
 * device on the same thread (an MSI-X message pointed at BAR0). This is
 * the device's own re-entrancy guard: QEMU's, per device, would also
 * drop the accesses of other vCPUs while a register access waits for
 * the engine with the BQL dropped (svmdemo_wait_idle()), losing, say, a
 * doorbell of another process while one process's PASID is flushed.
 */
static bool svmdemo_mmio_reentered(SvmdemoState *s, hwaddr addr)
{
    if (svmdemo_engine_of_thread != s && svmdemo_access_of_thread != s) {
        return false;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "svmdemo: access to its own register 0x%" HWADDR_PRIx
                  " from the device dropped\n", addr);
    return true;
}

static uint64_t svmdemo_mmio_read(void *opaque, hwaddr addr, unsigned size)
{
    SvmdemoState *s = opaque;
    SvmdemoState *outer = svmdemo_access_of_thread;
    uint64_t val;

    if (svmdemo_mmio_reentered(s, addr)) {
        return 0;
    }
    svmdemo_access_of_thread = s;
    qemu_mutex_lock(&s->lock);
    if (svmdemo_is_reg64(addr)) {
        val = svmdemo_read64(s, addr & ~7ULL);
        if (size == 4) {
            val = extract64(val, (addr & 4) * 8, 32);
        }
    } else {
        val = svmdemo_read32(s, addr);
        if (size == 8) {
            val |= (uint64_t)svmdemo_read32(s, addr + 4) << 32;
        }
    }
    qemu_mutex_unlock(&s->lock);
    svmdemo_access_of_thread = outer;
    trace_svmdemo_mmio_read(addr, size, val);
    return val;
}

static void svmdemo_mmio_write(void *opaque, hwaddr addr, uint64_t val,
                               unsigned size)
{
    SvmdemoState *s = opaque;
    SvmdemoState *outer = svmdemo_access_of_thread;

    trace_svmdemo_mmio_write(addr, size, val);
    if (svmdemo_mmio_reentered(s, addr)) {
        return;
    }
    svmdemo_access_of_thread = s;
    qemu_mutex_lock(&s->lock);
    if (addr < SVMDEMO_COMPAT_REG64_END) {
        if (size == 4) {
            val = deposit64(s->compat_reg[addr / 8], (addr & 4) * 8, 32, val);
        }
        svmdemo_compat_write(s, addr & ~7ULL, val);
    } else if (!svmdemo_is_reg64(addr)) {
        svmdemo_write32(s, addr, val);
        if (size == 8) {
            svmdemo_write32(s, addr + 4, val >> 32);
        }
    }
    qemu_mutex_unlock(&s->lock);
    svmdemo_irq_send(s);
    svmdemo_access_of_thread = outer;
}

static const MemoryRegionOps svmdemo_mmio_ops = {
    .read = svmdemo_mmio_read,
    .write = svmdemo_mmio_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
    .impl = {
        .min_access_size = 4,
        .max_access_size = 8,
    },
};

/* ------------------------------------------------------------------ */
/* PCI glue                                                           */
/* ------------------------------------------------------------------ */

static void svmdemo_config_write(PCIDevice *pdev, uint32_t addr,
                                 uint32_t val, int len)
{
    SvmdemoState *s = SVMDEMO(pdev);

    /*
     * Turning ATS, PASID or PRI off invalidates the ATC, and the IOMMU
     * only lets us unregister PASID notifiers while PASID is enabled: drop
     * everything before the write lands. Contexts come back on next use.
     */
    if (ranges_overlap(addr, len, SVMDEMO_CFG_ATS, PCI_EXT_CAP_ATS_SIZEOF) ||
        ranges_overlap(addr, len, SVMDEMO_CFG_PASID,
                       PCI_EXT_CAP_PASID_SIZEOF) ||
        ranges_overlap(addr, len, SVMDEMO_CFG_PRI, PCI_EXT_CAP_PRI_SIZEOF)) {
        QEMU_LOCK_GUARD(&s->lock);
        svmdemo_pasid_release_all(s);
        svmdemo_atc_flush_all(s);
    }
    pci_default_write_config(pdev, addr, val, len);
    pcie_cap_flr_write_config(pdev, addr, val, len);
}

/* ATS, PASID and PRI disabled, as at power-on. */
static void svmdemo_caps_reset(PCIDevice *pdev)
{
    pci_set_word(pdev->config + SVMDEMO_CFG_ATS + PCI_ATS_CTRL, 0);
    pci_set_word(pdev->config + SVMDEMO_CFG_PASID + PCI_PASID_CTRL, 0);
    pci_set_word(pdev->config + SVMDEMO_CFG_PRI + PCI_PRI_CTRL, 0);
    pci_set_long(pdev->config + SVMDEMO_CFG_PRI + PCI_PRI_ALLOC_REQ, 0);
}

static void svmdemo_reset(DeviceState *dev)
{
    SvmdemoState *s = SVMDEMO(dev);
    unsigned i;

    trace_svmdemo_reset();
    QEMU_LOCK_GUARD(&s->lock);
    for (i = 0; i <= s->num_queues; i++) {
        SvmdemoQueue *q = &s->queues[i];

        svmdemo_queue_abort(q);
        q->desc_base = 0;
        q->cmpl_base = 0;
        q->size = 0;
        q->irq_coalesce = 0;
    }
    svmdemo_xlate_reset(s);
    svmdemo_caps_reset(PCI_DEVICE(s));
    memset(s->compat_reg, 0, sizeof(s->compat_reg));
    s->compat_pasid = SVMDEMO_COMPAT_PASID_DISABLE;
    s->compat_status = 0;
    s->intr_status = 0;
    s->err_cause = 0;
    s->pasid_flush = 0;
    s->irq_pending = 0;
    memset(s->cnt, 0, sizeof(s->cnt));
    memset(s->cnt_status, 0, sizeof(s->cnt_status));
    memset(s->hist, 0, sizeof(s->hist));
}

static bool svmdemo_check_props(SvmdemoState *s, Error **errp)
{
    if (s->num_queues < 1 || s->num_queues > SVMDEMO_MAX_QUEUES) {
        error_setg(errp, "queues must be 1..%d", SVMDEMO_MAX_QUEUES);
        return false;
    }
    if (!is_power_of_2(s->ring_size_max) ||
        s->ring_size_max < SVMDEMO_RING_SIZE_MIN ||
        s->ring_size_max > SVMDEMO_RING_SIZE_LIMIT) {
        error_setg(errp, "ring-size-max must be a power of 2 in %d..%d",
                   SVMDEMO_RING_SIZE_MIN, SVMDEMO_RING_SIZE_LIMIT);
        return false;
    }
    if (s->atc_entries < 1 || s->atc_entries > 64 * KiB) {
        error_setg(errp, "atc-entries must be 1..65536");
        return false;
    }
    if (s->pri_capacity < 1) {
        error_setg(errp, "pri-capacity must be at least 1");
        return false;
    }
    if (s->pri_timeout_ms < 1) {
        error_setg(errp, "pri-timeout-ms must be at least 1");
        return false;
    }
    if (s->pasid_width < 1 || s->pasid_width > PCI_EXT_CAP_PASID_MAX_WIDTH) {
        error_setg(errp, "pasid-width must be 1..%d",
                   PCI_EXT_CAP_PASID_MAX_WIDTH);
        return false;
    }
    return true;
}

static void svmdemo_pci_realize(PCIDevice *pdev, Error **errp)
{
    SvmdemoState *s = SVMDEMO(pdev);
    Error *err = NULL;
    unsigned i;
    int ret;

    if (!svmdemo_check_props(s, errp)) {
        return;
    }

    pdev->config[PCI_INTERRUPT_PIN] = 0;
    memory_region_init_io(&s->mmio, OBJECT(s), &svmdemo_mmio_ops, s,
                          "svmdemo-mmio", SVMDEMO_BAR0_SIZE);
    /* svmdemo_mmio_reentered() guards it, per thread. */
    s->mmio.disable_reentrancy_guard = true;
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_64, &s->mmio);

    ret = pcie_endpoint_cap_init(pdev, SVMDEMO_CFG_EXP);
    if (ret < 0) {
        error_setg(errp, "cannot add the PCI Express capability");
        return;
    }
    pcie_cap_flr_init(pdev);

    ret = msi_init(pdev, SVMDEMO_CFG_MSI, 1, true, false, &err);
    if (ret == -ENOTSUP) {
        error_free(err);        /* no MSI on this machine: MSI-X only */
    } else if (ret) {
        error_propagate(errp, err);
        goto err_pcie;
    }
    ret = msix_init_exclusive_bar(pdev, s->num_queues + 1, SVMDEMO_MSIX_BAR,
                                  errp);
    if (ret) {
        goto err_msi;
    }
    for (i = 0; i <= s->num_queues; i++) {
        msix_vector_use(pdev, i);
    }

    pcie_ats_init(pdev, SVMDEMO_CFG_ATS, true);
    pcie_pasid_init(pdev, SVMDEMO_CFG_PASID, s->pasid_width, s->pasid_exec,
                    s->pasid_priv);
    pcie_pri_init(pdev, SVMDEMO_CFG_PRI, s->pri_capacity, true);

    s->compat_pasid = SVMDEMO_COMPAT_PASID_DISABLE;
    qemu_mutex_init(&s->lock);
    svmdemo_xlate_init(s);
    svmdemo_irq_init(s);
    svmdemo_queues_init(s);
    return;

err_msi:
    msi_uninit(pdev);
err_pcie:
    pcie_cap_exit(pdev);
}

static void svmdemo_pci_exit(PCIDevice *pdev)
{
    SvmdemoState *s = SVMDEMO(pdev);
    unsigned i;

    svmdemo_queues_exit(s);
    svmdemo_irq_exit(s);
    WITH_QEMU_LOCK_GUARD(&s->lock) {
        svmdemo_xlate_exit(s);
    }
    qemu_mutex_destroy(&s->lock);
    for (i = 0; i <= s->num_queues; i++) {
        msix_vector_unuse(pdev, i);
    }
    msix_uninit_exclusive_bar(pdev);
    msi_uninit(pdev);
    pcie_cap_exit(pdev);
}

static const Property svmdemo_properties[] = {
    DEFINE_PROP_UINT32("queues", SvmdemoState, num_queues, 4),
    DEFINE_PROP_UINT32("ring-size-max", SvmdemoState, ring_size_max, 4096),
    DEFINE_PROP_UINT32("atc-entries", SvmdemoState, atc_entries, 256),
    DEFINE_PROP_UINT32("pri-capacity", SvmdemoState, pri_capacity, 512),
    DEFINE_PROP_UINT32("pri-timeout-ms", SvmdemoState, pri_timeout_ms, 5000),
    DEFINE_PROP_UINT8("pasid-width", SvmdemoState, pasid_width, 8),
    DEFINE_PROP_BOOL("pasid-exec", SvmdemoState, pasid_exec, false),
    DEFINE_PROP_BOOL("pasid-priv", SvmdemoState, pasid_priv, true),
};

/* Queue threads, ATC and IOMMU notifiers are not migrated. */
static const VMStateDescription vmstate_svmdemo = {
    .name = TYPE_SVMDEMO,
    .unmigratable = 1,
};

static void svmdemo_class_init(ObjectClass *klass, const void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    PCIDeviceClass *k = PCI_DEVICE_CLASS(klass);

    k->realize = svmdemo_pci_realize;
    k->exit = svmdemo_pci_exit;
    k->config_write = svmdemo_config_write;
    k->vendor_id = SVMDEMO_PCI_VENDOR_ID;
    k->device_id = SVMDEMO_PCI_DEVICE_ID;
    k->revision = SVMDEMO_PCI_REVISION;
    k->class_id = SVMDEMO_PCI_CLASS;
    dc->desc = "SVM demo accelerator (ATS, PASID, PRI)";
    dc->vmsd = &vmstate_svmdemo;
    device_class_set_legacy_reset(dc, svmdemo_reset);
    device_class_set_props(dc, svmdemo_properties);
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);
}

static const TypeInfo svmdemo_types[] = {
    {
        .name = TYPE_SVMDEMO,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(SvmdemoState),
        .class_init = svmdemo_class_init,
        .interfaces = (const InterfaceInfo[]) {
            { INTERFACE_PCIE_DEVICE },
            { },
        },
    },
};

DEFINE_TYPES(svmdemo_types)
