/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QTest for the svmdemo PCIe device (ATS, PASID, PRI) behind intel-iommu
 * with svm=on.
 *
 * The test plays the operating system without a guest kernel: it builds
 * the VT-d scalable-mode tables and first-stage page tables in guest
 * memory, runs the invalidation queue and the page request queue, programs
 * the device's queues and checks the device against docs/device.md of the
 * svmdemo project. Interrupts cannot be observed under qtest, so
 * everything is polled: completion records, device and IOMMU registers,
 * MSI-X pending bits, and MSI messages pointed at guest memory.
 *
 * Guest physical memory (2 GiB):
 *   [16 MiB, 1 GiB)  tables, rings and buffers (bump allocated); the
 *                    default domain (RID_PASID = PASID 0) maps it 1:1
 *   [1 GiB, 2 GiB)   backing of the 1 GiB first-stage page
 *
 * Environment: SVMDEMO_FIRMWARE is the directory holding qboot.rom
 * (default: ${XDG_CACHE_HOME:-$HOME/.cache}/svmdemo/firmware).
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "libqtest.h"
#include "libqos/pci.h"
#include "libqos/pci-pc.h"
#include "hw/pci/pci_regs.h"
#include "hw/pci-host/q35.h"
#include "hw/i386/intel_iommu_internal.h"
#include "hw/misc/svmdemo_hw.h"

/* ------------------------------------------------------------------ */
/* Constants                                                          */
/* ------------------------------------------------------------------ */

#define SVM_SLOT            4
#define SVM_DEVFN           QPCI_DEVFN(SVM_SLOT, 0)
#define SVM_SID             SVM_DEVFN       /* bus 0 */
#define SVM_ECAM            (MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT + \
                             ((uint64_t)SVM_DEVFN << 12))
#define SVM_IOMMU_OPTS      "x-scalable-mode=on,x-flts=on,x-pasid-mode=on," \
                            "aw-bits=48,device-iotlb=on," \
                            "dma-translation=on,svm=on"
#define SVM_IOMMU_NO_DEVTLB "x-scalable-mode=on,x-flts=on,x-pasid-mode=on," \
                            "aw-bits=48,device-iotlb=off," \
                            "dma-translation=on"
#define SVM_RAM_MB          2048
#define SVM_GPA_BASE        (16 * MiB)
#define SVM_IDMAP_END       (1 * GiB)       /* default domain maps below */
#define SVM_HUGE_PA         (1 * GiB)       /* backs the 1 GiB page */
#define SVM_IOVA_HOLE       (SVM_IDMAP_END + 256 * MiB) /* never mapped */
#define SVM_PA_NOWHERE      (8 * GiB)       /* no RAM, no device */
#define SVM_VA_BASE         0x00007f0000000000ULL
#define SVM_PASID_A         1
#define SVM_PASID_B         2
#define SVM_DID_DEFAULT     1
#define SVM_DID_SVA(p)      (0x100 + (p))
#define SVM_RING            16
#define SVM_IQ_ENTRIES      128     /* QS 0: 4 KiB of 256-bit descriptors */
#define SVM_IQ_DESC_SIZE    32
#define SVM_PRQ_ORDER       2       /* 2^(7 + 2) = 512 page requests */
/*
 * Longer than the device's default pri-timeout-ms (5000): a job whose page
 * request goes unanswered completes with a time-out, which a wait of the
 * same length raced (desc/random, on a loaded host).
 */
#define SVM_TIMEOUT_US      (20 * G_USEC_PER_SEC)
#define SVM_POLL_US         100
#define SVM_PG              (4 * KiB)
#define SVM_WINDOW          (64 * KiB)      /* docs/device.md 10.1 */
#define SVM_WORK_PAGES      64
#define SVM_CRC32C_POLY     0x82f63b78      /* docs/device.md 8.1 */

/* VT-d page group response codes */
#define SVM_RESP_SUCCESS    0x0
#define SVM_RESP_INVALID    0x1
#define SVM_RESP_FAILURE    0xf

/* Invalidation queue descriptor fields (VT-d 6.5.2) */
#define SVM_QI_GRAN(g)      ((uint64_t)(g) << 4)
#define SVM_QI_DID(d)       ((uint64_t)(d) << 16)
#define SVM_QI_PASID(p)     ((uint64_t)(p) << 32)
#define SVM_QI_DEV_SID(s)   ((uint64_t)(s) << 16)
#define SVM_QI_DEV_G        1ULL
#define SVM_QI_DEV_S        (1ULL << 11)
#define SVM_QI_RESP_PP      (1ULL << 4)
#define SVM_QI_RESP_RC(c)   ((uint64_t)(c) << 12)
#define SVM_QI_RESP_RID(r)  ((uint64_t)(r) << 16)
#define SVM_QI_RESP_PRGI(i) ((uint64_t)(i) << 3)

/* Page request descriptor fields (VT-d 7.4.1) */
#define SVM_PRD_TYPE(lo)    ((lo) & 0xff)
#define SVM_PRD_RID(lo)     (((lo) >> 16) & 0xffff)
#define SVM_PRD_PASID(lo)   (((lo) >> 32) & VTD_PASID_ID_MASK)
#define SVM_PRD_PRGI(hi)    (((hi) >> 3) & 0x1ff)
#define SVM_PRGI_NR         512

/* First-stage paging entries */
#define SVM_PTE_ADDR        0x000ffffffffff000ULL
#define SVM_PTE_TABLE       (VTD_FL_P | VTD_FL_RW | VTD_FL_US)
#define SVM_LEVEL_SHIFT(l)  (12 + 9 * ((l) - 1))
#define SVM_PE_AW_48        (2ULL << 2)     /* PASID entry AW: 30 + 2 * 9 */

/* Mapping attributes */
#define SVM_PROT_W          (1u << 0)   /* writable */
#define SVM_PROT_KERNEL     (1u << 1)   /* supervisor only (U/S clear) */
#define SVM_PROT_POPULATE   (1u << 2)   /* VMA: map every page now */

/* Fixture options */
#define SVM_F_NO_ATS        (1u << 0)
#define SVM_F_NO_PASID      (1u << 1)
#define SVM_F_NO_PRI        (1u << 2)
#define SVM_F_NO_DTE        (1u << 3)   /* context entry without DTE */
#define SVM_F_NO_PRE        (1u << 4)   /* context entry without PRE */
#define SVM_F_SMALL_PRQ     (1u << 5)   /* 128-entry page request queue */

#define SVM_PV(p)           ((p) | SVMDEMO_DESC_PASID_VALID)
#define SVM_CODE(c)         ((c).status & SVMDEMO_CMPL_CODE)

/* ------------------------------------------------------------------ */
/* State                                                              */
/* ------------------------------------------------------------------ */

typedef struct SvmVma {
    uint64_t va;
    uint64_t len;
    uint64_t pa;
    bool writable;
} SvmVma;

#define SVM_VMA_MAX         16
#define SVM_MM_MAX          4

/* An address space: the default domain (PASID 0) or a process (SVA) */
typedef struct SvmMm {
    uint32_t pasid;
    uint16_t did;
    uint64_t pml4;
    SvmVma vma[SVM_VMA_MAX];
    unsigned nvma;
} SvmMm;

/* A page group the device sent, as the test saw it */
typedef struct SvmGroup {
    uint32_t pasid;
    uint16_t prgi;
    GArray *pages;      /* uint64_t, in request order */
    bool read;          /* some request asked for read */
    bool write;         /* some request asked for write */
    unsigned code;      /* response (to be) sent */
    bool answered;
} SvmGroup;

typedef struct SvmQueue {
    uint64_t desc;
    uint64_t cmpl;
    uint32_t size;
    uint32_t tail;
} SvmQueue;

typedef struct SvmOpts {
    const char *iommu;  /* intel-iommu options, SVM_IOMMU_OPTS if NULL */
    const char *props;  /* appended to -device svmdemo,... */
    unsigned flags;     /* SVM_F_* */
    uint32_t pri_alloc; /* PRI allocation; 0: the capacity */
} SvmOpts;

typedef struct Svm {
    QTestState *qts;
    QPCIBus *bus;
    QPCIDevice *dev;
    QPCIBar bar;
    uint64_t brk;               /* bump allocator */
    uint64_t cookie;
    uint64_t work_va;           /* check_queue_works() buffers */
    unsigned nbuf;

    /* VT-d */
    uint64_t root;
    uint64_t ctx;
    uint64_t pdir;
    uint64_t iq;
    uint64_t iq_status;
    uint32_t iq_tail;
    uint32_t iq_seq;
    uint64_t prq;
    uint32_t prq_bytes;
    GArray *pending[SVM_PRGI_NR];   /* uint64_t hi of groups w/o LPIG */
    uint32_t pending_pasid[SVM_PRGI_NR];
    GArray *groups;             /* SvmGroup, every complete group */
    bool hold;                  /* do not answer groups: the test will */
    int force_code;             /* answer every group so, mapping nothing */
    unsigned prq_overflows;     /* PRO seen */
    bool prq_off;               /* the OS does not look at the queue */

    /* address spaces */
    SvmMm dflt;                 /* PASID 0, identity */
    SvmMm mm[SVM_MM_MAX];
    unsigned nmm;
    SvmMm *sva;                 /* mm[0], PASID SVM_PASID_A */

    /* device */
    uint32_t nqueues;
    SvmQueue q[SVMDEMO_MAX_QUEUES];
} Svm;

typedef struct SvmCmpl {
    uint32_t status;
    uint32_t bytes_done;
    uint64_t result;
    uint64_t fault_addr;
    uint64_t cookie;
} SvmCmpl;

/* ------------------------------------------------------------------ */
/* Guest memory and registers                                         */
/* ------------------------------------------------------------------ */

static uint64_t svm_alloc(Svm *t, uint64_t size, uint64_t align)
{
    uint64_t gpa = QEMU_ALIGN_UP(t->brk, align);

    t->brk = gpa + size;
    g_assert_cmphex(t->brk, <=, SVM_IDMAP_END);
    qtest_memset(t->qts, gpa, 0, size);
    return gpa;
}

static uint32_t vtd_rd32(Svm *t, unsigned reg)
{
    return qtest_readl(t->qts, Q35_HOST_BRIDGE_IOMMU_ADDR + reg);
}

static uint64_t vtd_rd64(Svm *t, unsigned reg)
{
    return qtest_readq(t->qts, Q35_HOST_BRIDGE_IOMMU_ADDR + reg);
}

static void vtd_wr32(Svm *t, unsigned reg, uint32_t val)
{
    qtest_writel(t->qts, Q35_HOST_BRIDGE_IOMMU_ADDR + reg, val);
}

static void vtd_wr64(Svm *t, unsigned reg, uint64_t val)
{
    qtest_writeq(t->qts, Q35_HOST_BRIDGE_IOMMU_ADDR + reg, val);
}

static uint32_t dev_rd32(Svm *t, unsigned reg)
{
    return qpci_io_readl(t->dev, t->bar, reg);
}

static uint64_t dev_rd64(Svm *t, unsigned reg)
{
    return qpci_io_readq(t->dev, t->bar, reg);
}

static void dev_wr32(Svm *t, unsigned reg, uint32_t val)
{
    qpci_io_writel(t->dev, t->bar, reg, val);
}

static void dev_wr64(Svm *t, unsigned reg, uint64_t val)
{
    qpci_io_writeq(t->dev, t->bar, reg, val);
}

static uint32_t q_rd(Svm *t, unsigned qi, unsigned reg)
{
    return dev_rd32(t, SVMDEMO_QREG(qi, reg));
}

static void q_wr(Svm *t, unsigned qi, unsigned reg, uint32_t val)
{
    dev_wr32(t, SVMDEMO_QREG(qi, reg), val);
}

static uint64_t cnt(Svm *t, enum svmdemo_counter c)
{
    return dev_rd64(t, SVMDEMO_CNT(c));
}

static uint64_t cnt_status(Svm *t, enum svmdemo_status s)
{
    return dev_rd64(t, SVMDEMO_CNT_STATUS(s));
}

static void cnt_clear(Svm *t)
{
    dev_wr32(t, SVMDEMO_CTRL, SVMDEMO_CTRL_CLEAR_COUNTERS);
}

/* Extended configuration space, through the q35 MMCONFIG window */
static uint16_t cfg_rd16(Svm *t, unsigned off)
{
    return qtest_readw(t->qts, SVM_ECAM + off);
}

static uint32_t cfg_rd32(Svm *t, unsigned off)
{
    return qtest_readl(t->qts, SVM_ECAM + off);
}

static void cfg_wr16(Svm *t, unsigned off, uint16_t val)
{
    qtest_writew(t->qts, SVM_ECAM + off, val);
}

static void cfg_wr32(Svm *t, unsigned off, uint32_t val)
{
    qtest_writel(t->qts, SVM_ECAM + off, val);
}

static void svm_sleep_ms(unsigned ms)
{
    g_usleep(ms * 1000);
}

/* Deterministic test data */
static void svm_fill_random(uint8_t *p, size_t n, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;

    while (n--) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        *p++ = x;
    }
}

static uint32_t svm_crc32c(const uint8_t *p, size_t n)
{
    uint32_t crc = UINT32_MAX;
    unsigned k;

    while (n--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++) {
            crc = (crc & 1) ? (crc >> 1) ^ SVM_CRC32C_POLY : crc >> 1;
        }
    }
    return ~crc;
}

static uint8_t svm_crc8(const uint8_t *p, size_t n)
{
    uint8_t crc = SVMDEMO_CRC8_INIT;
    unsigned k;

    while (n--) {
        crc ^= *p++;
        for (k = 0; k < 8; k++) {
            crc = (crc & 1) ? (crc >> 1) ^ SVMDEMO_CRC8_POLY : crc >> 1;
        }
    }
    return crc;
}

static void svm_pattern(uint8_t *p, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        p[i] = i % SVMDEMO_WRITE_PATTERN_MOD;
    }
}

static bool svm_mem_is(Svm *t, uint64_t gpa, uint8_t val, size_t n)
{
    g_autofree uint8_t *buf = g_malloc(n);
    size_t i;

    qtest_memread(t->qts, gpa, buf, n);
    for (i = 0; i < n; i++) {
        if (buf[i] != val) {
            return false;
        }
    }
    return true;
}

static bool svm_mem_equals(Svm *t, uint64_t gpa, const uint8_t *want,
                           size_t n)
{
    g_autofree uint8_t *buf = g_malloc(n);

    qtest_memread(t->qts, gpa, buf, n);
    return !memcmp(buf, want, n);
}

/* ------------------------------------------------------------------ */
/* VT-d: invalidation queue                                           */
/* ------------------------------------------------------------------ */

static void qi_push(Svm *t, uint64_t lo, uint64_t hi)
{
    uint64_t desc[4] = { cpu_to_le64(lo), cpu_to_le64(hi), 0, 0 };

    qtest_memwrite(t->qts, t->iq + t->iq_tail * SVM_IQ_DESC_SIZE, desc,
                   sizeof(desc));
    t->iq_tail = (t->iq_tail + 1) % SVM_IQ_ENTRIES;
}

/*
 * Queue a wait descriptor with a status write behind what was pushed,
 * ring the doorbell, and check that everything completed without an
 * invalidation queue error.
 */
static void qi_sync(Svm *t)
{
    uint32_t seq = ++t->iq_seq;
    gint64 end = g_get_monotonic_time() + SVM_TIMEOUT_US;

    qi_push(t, VTD_INV_DESC_WAIT | VTD_INV_DESC_WAIT_SW |
            VTD_INV_DESC_WAIT_FN |
            ((uint64_t)seq << VTD_INV_DESC_WAIT_DATA_SHIFT), t->iq_status);
    vtd_wr64(t, DMAR_IQT_REG, (uint64_t)t->iq_tail << VTD_IQH_QH_SHIFT_5);
    while (qtest_readl(t->qts, t->iq_status) != seq) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        g_usleep(SVM_POLL_US);
    }
    g_assert_cmphex(vtd_rd32(t, DMAR_FSTS_REG) & VTD_FSTS_IQE, ==, 0);
    g_assert_cmphex(vtd_rd64(t, DMAR_IQH_REG), ==,
                    (uint64_t)t->iq_tail << VTD_IQH_QH_SHIFT_5);
}

/* Smallest naturally aligned power-of-2 block holding [addr, addr+len) */
static unsigned inval_order(uint64_t addr, uint64_t len)
{
    unsigned order = 0;

    while (addr >> (12 + order) != (addr + len - 1) >> (12 + order)) {
        order++;
    }
    return order;
}

/* PASID-based IOTLB and device-IOTLB for [va, va + len) of @mm */
static void inval_range(Svm *t, SvmMm *mm, uint64_t va, uint64_t len)
{
    unsigned order = inval_order(va, len);
    uint64_t base = va & ~((SVM_PG << order) - 1);
    uint64_t dev_addr = base;

    if (order) {
        dev_addr |= ((SVM_PG << order) / 2 - 1) & ~(SVM_PG - 1);
        dev_addr |= SVM_QI_DEV_S;
    }
    qi_push(t, VTD_INV_DESC_PIOTLB | VTD_INV_DESC_PIOTLB_PSI_IN_PASID |
            SVM_QI_DID(mm->did) | SVM_QI_PASID(mm->pasid), base | order);
    qi_push(t, VTD_INV_DESC_DEV_PIOTLB | SVM_QI_DEV_SID(SVM_SID) |
            SVM_QI_PASID(mm->pasid), dev_addr);
    qi_sync(t);
}

/* Everything of @mm: IOTLB and device-IOTLB for the whole address space */
static void inval_pasid(Svm *t, SvmMm *mm)
{
    qi_push(t, VTD_INV_DESC_PIOTLB | VTD_INV_DESC_PIOTLB_ALL_IN_PASID |
            SVM_QI_DID(mm->did) | SVM_QI_PASID(mm->pasid), 0);
    qi_push(t, VTD_INV_DESC_DEV_PIOTLB | SVM_QI_DEV_SID(SVM_SID) |
            SVM_QI_PASID(mm->pasid), ~(SVM_PG - 1) | SVM_QI_DEV_S);
    qi_sync(t);
}

/* Every IOTLB entry, and the device-IOTLB of every PASID of the device */
static void inval_global(Svm *t)
{
    qi_push(t, VTD_INV_DESC_IOTLB | VTD_INV_DESC_IOTLB_GLOBAL, 0);
    qi_push(t, VTD_INV_DESC_DEV_PIOTLB | SVM_QI_DEV_SID(SVM_SID),
            ~(SVM_PG - 1) | SVM_QI_DEV_S | SVM_QI_DEV_G);
    qi_sync(t);
}

static void inval_pasid_cache(Svm *t, SvmMm *mm)
{
    qi_push(t, VTD_INV_DESC_PC |
            SVM_QI_GRAN(VTD_INV_DESC_PASIDC_G_PASID_SI) |
            SVM_QI_DID(mm->did) | SVM_QI_PASID(mm->pasid), 0);
    qi_sync(t);
}

static void page_response(Svm *t, uint32_t pasid, unsigned prgi,
                          unsigned code)
{
    qi_push(t, VTD_INV_DESC_PGRESP | SVM_QI_RESP_PP | SVM_QI_RESP_RC(code) |
            SVM_QI_RESP_RID(SVM_SID) | SVM_QI_PASID(pasid),
            SVM_QI_RESP_PRGI(prgi));
    qi_sync(t);
}

/* ------------------------------------------------------------------ */
/* VT-d: PASID table and first-stage page tables                      */
/* ------------------------------------------------------------------ */

static void pasid_entry_write(Svm *t, uint32_t pasid, uint64_t pml4,
                              uint16_t did, bool present)
{
    uint64_t dire = t->pdir + VTD_PASID_DIR_INDEX(pasid) *
                    VTD_PASID_DIR_ENTRY_SIZE;
    uint64_t table = qtest_readq(t->qts, dire);
    uint64_t pe[8] = { 0 };

    if (!(table & VTD_PASID_ENTRY_P)) {
        table = svm_alloc(t, SVM_PG, SVM_PG) | VTD_PASID_ENTRY_P;
        qtest_writeq(t->qts, dire, table);
    }
    if (present) {
        /*
         * First-stage only, 4-level (FLPM 0), SRE clear; AW = 48 bits as
         * Linux sets it (QEMU takes the input width from it).
         */
        pe[0] = cpu_to_le64(VTD_PASID_ENTRY_P | VTD_SM_PASID_ENTRY_FLT |
                            SVM_PE_AW_48);
        pe[1] = cpu_to_le64(did);
        pe[2] = cpu_to_le64(pml4);
    }
    qtest_memwrite(t->qts, (table & VTD_PASID_TABLE_BASE_ADDR_MASK) +
                   VTD_PASID_TABLE_INDEX(pasid) * VTD_PASID_ENTRY_SIZE,
                   pe, sizeof(pe));
}

/*
 * The address of the level-@level entry for @va (level 1 = 4 KiB PTE,
 * 2 = PDE, 3 = PDPTE), creating the tables above it when @create; 0 if
 * a table is missing.
 */
static uint64_t pt_slot(Svm *t, SvmMm *mm, uint64_t va, unsigned level,
                        bool create)
{
    uint64_t table = mm->pml4;
    unsigned l;

    for (l = 4; l > level; l--) {
        uint64_t slot = table + ((va >> SVM_LEVEL_SHIFT(l)) & 511) * 8;
        uint64_t pte = qtest_readq(t->qts, slot);

        if (!(pte & VTD_FL_P)) {
            if (!create) {
                return 0;
            }
            pte = svm_alloc(t, SVM_PG, SVM_PG) | SVM_PTE_TABLE;
            qtest_writeq(t->qts, slot, pte);
        }
        g_assert(!(pte & VTD_PT_PAGE_SIZE_MASK));
        table = pte & SVM_PTE_ADDR;
    }
    return table + ((va >> SVM_LEVEL_SHIFT(level)) & 511) * 8;
}

static uint64_t pte_make(uint64_t pa, unsigned level, unsigned prot)
{
    uint64_t pte = pa | VTD_FL_P;

    if (prot & SVM_PROT_W) {
        pte |= VTD_FL_RW;
    }
    if (!(prot & SVM_PROT_KERNEL)) {
        pte |= VTD_FL_US;
    }
    if (level > 1) {
        pte |= VTD_PT_PAGE_SIZE_MASK;
    }
    return pte;
}

/* Map one page of 4 KiB (level 1), 2 MiB (2) or 1 GiB (3) */
static void pt_map(Svm *t, SvmMm *mm, uint64_t va, uint64_t pa,
                   unsigned level, unsigned prot)
{
    uint64_t size = 1ULL << SVM_LEVEL_SHIFT(level);

    g_assert(!(va & (size - 1)) && !(pa & (size - 1)));
    qtest_writeq(t->qts, pt_slot(t, mm, va, level, true),
                 pte_make(pa, level, prot));
}

/* Map [va, va + len) to [pa, pa + len) with 4 KiB pages */
static void pt_map_range(Svm *t, SvmMm *mm, uint64_t va, uint64_t pa,
                         uint64_t len, unsigned prot)
{
    while (len) {
        uint64_t n = MIN(len / SVM_PG, 512 - ((va >> 12) & 511));
        g_autofree uint64_t *ptes = g_new(uint64_t, n);
        uint64_t i;

        for (i = 0; i < n; i++) {
            ptes[i] = cpu_to_le64(pte_make(pa + i * SVM_PG, 1, prot));
        }
        qtest_memwrite(t->qts, pt_slot(t, mm, va, 1, true), ptes,
                       n * sizeof(*ptes));
        va += n * SVM_PG;
        pa += n * SVM_PG;
        len -= n * SVM_PG;
    }
}

static void pt_unmap(Svm *t, SvmMm *mm, uint64_t va, unsigned level)
{
    uint64_t slot = pt_slot(t, mm, va, level, false);

    if (slot) {
        qtest_writeq(t->qts, slot, 0);
    }
}

static uint64_t pt_read(Svm *t, SvmMm *mm, uint64_t va, unsigned level)
{
    uint64_t slot = pt_slot(t, mm, va, level, false);

    return slot ? qtest_readq(t->qts, slot) : 0;
}

/* ------------------------------------------------------------------ */
/* Address spaces and VMAs (the OS's view)                            */
/* ------------------------------------------------------------------ */

static SvmMm *mm_new(Svm *t, uint32_t pasid)
{
    SvmMm *mm;

    g_assert_cmpuint(t->nmm, <, SVM_MM_MAX);
    mm = &t->mm[t->nmm++];
    mm->pasid = pasid;
    mm->did = SVM_DID_SVA(pasid);
    mm->pml4 = svm_alloc(t, SVM_PG, SVM_PG);
    pasid_entry_write(t, pasid, mm->pml4, mm->did, true);
    inval_pasid_cache(t, mm);
    return mm;
}

static SvmMm *mm_find(Svm *t, uint32_t pasid)
{
    unsigned i;

    for (i = 0; i < t->nmm; i++) {
        if (t->mm[i].pasid == pasid) {
            return &t->mm[i];
        }
    }
    return NULL;
}

/* A VMA at @va of @len bytes backed by fresh zeroed memory; its PA */
static uint64_t vma_add(Svm *t, SvmMm *mm, uint64_t va, uint64_t len,
                        unsigned prot)
{
    SvmVma *v;

    g_assert_cmpuint(mm->nvma, <, SVM_VMA_MAX);
    g_assert(!(va & (SVM_PG - 1)) && !(len & (SVM_PG - 1)));
    v = &mm->vma[mm->nvma++];
    v->va = va;
    v->len = len;
    v->pa = svm_alloc(t, len, SVM_PG);
    v->writable = prot & SVM_PROT_W;
    if (prot & SVM_PROT_POPULATE) {
        pt_map_range(t, mm, va, v->pa, len, prot & SVM_PROT_W);
    }
    return v->pa;
}

static SvmVma *vma_find(SvmMm *mm, uint64_t va)
{
    unsigned i;

    for (i = 0; i < mm->nvma; i++) {
        if (va >= mm->vma[i].va && va - mm->vma[i].va < mm->vma[i].len) {
            return &mm->vma[i];
        }
    }
    return NULL;
}

/* munmap(): drop the VMA and its pages; the caller invalidates */
static void vma_remove(Svm *t, SvmMm *mm, uint64_t va)
{
    SvmVma *v = vma_find(mm, va);
    uint64_t off;

    g_assert(v);
    for (off = 0; off < v->len; off += SVM_PG) {
        pt_unmap(t, mm, v->va + off, 1);
    }
    *v = mm->vma[--mm->nvma];
}

static uint64_t va_to_pa(SvmMm *mm, uint64_t va)
{
    SvmVma *v = vma_find(mm, va);

    g_assert(v);
    return v->pa + (va - v->va);
}

/* The page fault handler: make the page present, or refuse it */
static unsigned mm_fault(Svm *t, uint32_t pasid, uint64_t addr, bool write)
{
    SvmMm *mm = mm_find(t, pasid);
    SvmVma *v = mm ? vma_find(mm, addr) : NULL;

    if (!v || (write && !v->writable)) {
        return SVM_RESP_INVALID;
    }
    pt_map(t, mm, addr, v->pa + (addr - v->va), 1,
           v->writable ? SVM_PROT_W : 0);
    return SVM_RESP_SUCCESS;
}

/* ------------------------------------------------------------------ */
/* VT-d: page request queue                                           */
/* ------------------------------------------------------------------ */

static SvmGroup *group_get(Svm *t, unsigned idx)
{
    g_assert_cmpuint(idx, <, t->groups->len);
    return &g_array_index(t->groups, SvmGroup, idx);
}

static void group_answer(Svm *t, unsigned idx, unsigned code)
{
    SvmGroup *g = group_get(t, idx);

    g_assert(!g->answered);
    g->answered = true;
    g->code = code;
    page_response(t, g->pasid, g->prgi, code);
}

/* The last request of group @prgi arrived: handle the whole group */
static void group_complete(Svm *t, unsigned prgi)
{
    GArray *reqs = t->pending[prgi];
    SvmGroup g = {
        .pasid = t->pending_pasid[prgi],
        .prgi = prgi,
        .pages = g_array_new(false, false, sizeof(uint64_t)),
        .code = SVM_RESP_SUCCESS,
    };
    unsigned i;

    for (i = 0; i < reqs->len; i++) {
        uint64_t hi = g_array_index(reqs, uint64_t, i);
        uint64_t addr = VTD_PRD_ADDR(hi);
        bool write = hi & VTD_PRD_WRR(1);
        unsigned code = SVM_RESP_SUCCESS;

        g_array_append_val(g.pages, addr);
        g.read |= !!(hi & VTD_PRD_RDR(1));
        g.write |= write;
        if (t->force_code < 0) {
            code = mm_fault(t, g.pasid, addr, write);
        }
        if (g.code == SVM_RESP_SUCCESS) {
            g.code = code;
        }
    }
    if (t->force_code >= 0) {
        g.code = t->force_code;
    }
    g_array_set_size(reqs, 0);
    g_array_append_val(t->groups, g);
    if (!t->hold) {
        group_answer(t, t->groups->len - 1, g.code);
    }
}

static void prq_request(Svm *t, uint64_t lo, uint64_t hi)
{
    unsigned prgi = SVM_PRD_PRGI(hi);

    /* what the device must send: a page request with PASID, no priv/exec */
    g_assert_cmphex(SVM_PRD_TYPE(lo), ==, VTD_PRD_TYPE);
    g_assert(lo & VTD_PRD_PP(1));
    g_assert_cmphex(SVM_PRD_RID(lo), ==, SVM_SID);
    g_assert(!(lo & (VTD_PRD_PMR(1) | VTD_PRD_EXR(1))));
    g_assert(hi & (VTD_PRD_RDR(1) | VTD_PRD_WRR(1)));

    if (!t->pending[prgi]) {
        t->pending[prgi] = g_array_new(false, false, sizeof(uint64_t));
    }
    if (t->pending[prgi]->len) {
        g_assert_cmpuint(t->pending_pasid[prgi], ==, SVM_PRD_PASID(lo));
    }
    t->pending_pasid[prgi] = SVM_PRD_PASID(lo);
    g_array_append_val(t->pending[prgi], hi);
    if (hi & VTD_PRD_LPIG(1)) {
        group_complete(t, prgi);
    }
}

/*
 * Read the page requests that arrived and handle the groups they
 * complete. After an overflow, the requests of incomplete groups are
 * discarded (as Linux does): such groups are never answered.
 */
static void prq_service(Svm *t)
{
    uint32_t prs, i;
    uint64_t head, tail;

    if (t->prq_off) {
        return;
    }
    prs = vtd_rd32(t, DMAR_PRS_REG);
    head = vtd_rd64(t, DMAR_PQH_REG);
    tail = vtd_rd64(t, DMAR_PQT_REG);
    while (head != tail) {
        /* up to the tail or the end of the ring, in one read */
        uint64_t end = tail > head ? tail : t->prq_bytes;
        g_autofree uint64_t *d = g_malloc(end - head);
        uint64_t off;

        qtest_memread(t->qts, t->prq + head, d, end - head);
        for (off = 0; off < end - head; off += VTD_PQA_ENTRY_SIZE) {
            prq_request(t, le64_to_cpu(d[off / 8]),
                        le64_to_cpu(d[off / 8 + 1]));
        }
        head = end % t->prq_bytes;
    }
    vtd_wr64(t, DMAR_PQH_REG, head);
    if (prs & VTD_PR_STATUS_PRO) {
        t->prq_overflows++;
        for (i = 0; i < SVM_PRGI_NR; i++) {
            if (t->pending[i]) {
                g_array_set_size(t->pending[i], 0);
            }
        }
    }
    if (prs & (VTD_PR_STATUS_PPR | VTD_PR_STATUS_PRO)) {
        vtd_wr32(t, DMAR_PRS_REG,
                 prs & (VTD_PR_STATUS_PPR | VTD_PR_STATUS_PRO));
    }
}

/* Serve page requests until @cond holds; fail after SVM_TIMEOUT_US */
#define SVM_WAIT(t, cond) do {                                          \
        gint64 end_ = g_get_monotonic_time() + SVM_TIMEOUT_US;          \
        while (prq_service(t), !(cond)) {                               \
            g_assert_cmpint(g_get_monotonic_time(), <, end_);           \
            g_usleep(SVM_POLL_US);                                      \
        }                                                               \
    } while (0)

/* Wait until the device sent its @n-th group (1-based); return it */
static SvmGroup *group_wait(Svm *t, unsigned n)
{
    SVM_WAIT(t, t->groups->len >= n);
    return group_get(t, n - 1);
}

/* ------------------------------------------------------------------ */
/* Device: queues, descriptors, completion records                    */
/* ------------------------------------------------------------------ */

static void queue_program(Svm *t, unsigned qi, uint64_t desc, uint64_t cmpl,
                          uint32_t size)
{
    q_wr(t, qi, SVMDEMO_Q_DESC_LO, desc);
    q_wr(t, qi, SVMDEMO_Q_DESC_HI, desc >> 32);
    q_wr(t, qi, SVMDEMO_Q_CMPL_LO, cmpl);
    q_wr(t, qi, SVMDEMO_Q_CMPL_HI, cmpl >> 32);
    q_wr(t, qi, SVMDEMO_Q_SIZE, size);
    t->q[qi] = (SvmQueue) { .desc = desc, .cmpl = cmpl, .size = size };
}

static void queue_enable(Svm *t, unsigned qi)
{
    q_wr(t, qi, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_ENABLE);
    g_assert_cmphex(q_rd(t, qi, SVMDEMO_Q_STATUS), ==,
                    SVMDEMO_Q_STATUS_ENABLED);
    t->q[qi].tail = 0;
}

/* Rings of @size entries in the default domain, enabled */
static void queue_setup(Svm *t, unsigned qi, uint32_t size)
{
    uint64_t desc = svm_alloc(t, size * SVMDEMO_DESC_SIZE, SVM_PG);
    uint64_t cmpl = svm_alloc(t, size * SVMDEMO_CMPL_SIZE, SVM_PG);

    q_wr(t, qi, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_RESET);
    queue_program(t, qi, desc, cmpl, size);
    queue_enable(t, qi);
}

static void queue_reset(Svm *t, unsigned qi)
{
    q_wr(t, qi, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_RESET);
    t->q[qi].tail = 0;
}

static uint32_t queue_status(Svm *t, unsigned qi)
{
    return q_rd(t, qi, SVMDEMO_Q_STATUS);
}

static struct svmdemo_desc desc_new(Svm *t, uint8_t opcode, uint64_t src,
                                    uint64_t dst, uint64_t len)
{
    return (struct svmdemo_desc) {
        .pasid = SVM_PV(t->sva->pasid),
        .opcode = opcode,
        .src = src,
        .dst = dst,
        .len = len,
        .cookie = 0xc0c0000000000000ULL | ++t->cookie,
    };
}

/* Write @d at the queue's tail and clear its record; no doorbell */
static uint32_t desc_post(Svm *t, unsigned qi, const struct svmdemo_desc *d)
{
    SvmQueue *q = &t->q[qi];
    uint32_t slot = q->tail;
    struct svmdemo_desc le = {
        .pasid = cpu_to_le32(d->pasid),
        .opcode = d->opcode,
        .rsvd0 = d->rsvd0,
        .flags = cpu_to_le16(d->flags),
        .src = cpu_to_le64(d->src),
        .dst = cpu_to_le64(d->dst),
        .len = cpu_to_le64(d->len),
        .operand = cpu_to_le64(d->operand),
        .cookie = cpu_to_le64(d->cookie),
        .cr_addr = cpu_to_le64(d->cr_addr),
        .rsvd1 = cpu_to_le64(d->rsvd1),
    };

    qtest_memwrite(t->qts, q->desc + slot * SVMDEMO_DESC_SIZE, &le,
                   sizeof(le));
    qtest_memset(t->qts, q->cmpl + slot * SVMDEMO_CMPL_SIZE, 0,
                 SVMDEMO_CMPL_SIZE);
    q->tail = (slot + 1) & (q->size - 1);
    return slot;
}

static void queue_doorbell(Svm *t, unsigned qi)
{
    q_wr(t, qi, SVMDEMO_Q_TAIL, t->q[qi].tail);
}

static uint32_t desc_submit(Svm *t, unsigned qi,
                            const struct svmdemo_desc *d)
{
    uint32_t slot = desc_post(t, qi, d);

    queue_doorbell(t, qi);
    return slot;
}

static void cmpl_decode(const void *raw, SvmCmpl *c)
{
    const struct svmdemo_cmpl *r = raw;

    c->status = le32_to_cpu(r->status);
    c->bytes_done = le32_to_cpu(r->bytes_done);
    c->result = le64_to_cpu(r->result);
    c->fault_addr = le64_to_cpu(r->fault_addr);
    c->cookie = le64_to_cpu(r->cookie);
}

static void cmpl_read_at(Svm *t, uint64_t gpa, SvmCmpl *c)
{
    struct svmdemo_cmpl raw;

    qtest_memread(t->qts, gpa, &raw, sizeof(raw));
    cmpl_decode(&raw, c);
}

static uint64_t cmpl_addr(Svm *t, unsigned qi, uint32_t slot)
{
    return t->q[qi].cmpl + slot * SVMDEMO_CMPL_SIZE;
}

static bool cmpl_done(Svm *t, unsigned qi, uint32_t slot)
{
    return qtest_readl(t->qts, cmpl_addr(t, qi, slot)) & SVMDEMO_CMPL_DONE;
}

/* Wait for the record of @slot, serving page requests meanwhile */
static SvmCmpl cmpl_wait(Svm *t, unsigned qi, uint32_t slot)
{
    SvmCmpl c;

    SVM_WAIT(t, cmpl_done(t, qi, slot));
    cmpl_read_at(t, cmpl_addr(t, qi, slot), &c);
    g_assert_cmphex(c.status & SVMDEMO_CMPL_RSVD, ==, 0);
    return c;
}

/* Run @d on queue @qi and return its completion record */
static SvmCmpl run_on(Svm *t, unsigned qi, const struct svmdemo_desc *d)
{
    SvmCmpl c = cmpl_wait(t, qi, desc_submit(t, qi, d));

    g_assert_cmphex(c.cookie, ==, d->cookie);
    return c;
}

static SvmCmpl run(Svm *t, const struct svmdemo_desc *d)
{
    return run_on(t, 0, d);
}

/* Run @d and check that it completes with @code; return the record */
static SvmCmpl run_expect(Svm *t, const struct svmdemo_desc *d,
                          unsigned code)
{
    SvmCmpl c = run(t, d);

    g_assert_cmphex(SVM_CODE(c), ==, code);
    return c;
}

/* A record for a descriptor that failed a check (docs 8.3) */
static void check_rejected(const SvmCmpl *c, unsigned code)
{
    g_assert_cmphex(c->status, ==, code | SVMDEMO_CMPL_DONE);
    g_assert_cmpuint(c->bytes_done, ==, 0);
    g_assert_cmphex(c->result, ==, 0);
    g_assert_cmphex(c->fault_addr, ==, 0);
}

/* A fault record: status, direction and address */
static void check_fault(const SvmCmpl *c, unsigned code, bool write,
                        uint64_t addr)
{
    g_assert_cmphex(c->status, ==, code | SVMDEMO_CMPL_DONE |
                    (write ? SVMDEMO_CMPL_FAULT_WRITE : 0));
    g_assert_cmphex(c->fault_addr, ==, addr);
}

static void check_success(const SvmCmpl *c, uint64_t len)
{
    g_assert_cmphex(c->status, ==, SVMDEMO_STS_SUCCESS | SVMDEMO_CMPL_DONE);
    g_assert_cmpuint(c->bytes_done, ==, len);
    g_assert_cmphex(c->fault_addr, ==, 0);
}

/* A populated read-write buffer of @len bytes at SVM_VA_BASE + @off */
static uint64_t sva_buf(Svm *t, uint64_t off, uint64_t len)
{
    vma_add(t, t->sva, SVM_VA_BASE + off, len,
            SVM_PROT_W | SVM_PROT_POPULATE);
    return SVM_VA_BASE + off;
}

/* ------------------------------------------------------------------ */
/* Fixture                                                            */
/* ------------------------------------------------------------------ */

static char *firmware_dir(void)
{
    const char *dir = g_getenv("SVMDEMO_FIRMWARE");

    if (dir && *dir) {
        return g_strdup(dir);
    }
    return g_build_filename(g_get_user_cache_dir(), "svmdemo", "firmware",
                            NULL);
}

static void mmconfig_enable(Svm *t)
{
    QPCIDevice *mch = qpci_device_find(t->bus, 0);

    g_assert(mch);
    qpci_config_writel(mch, MCH_HOST_BRIDGE_PCIEXBAR + 4, 0);
    qpci_config_writel(mch, MCH_HOST_BRIDGE_PCIEXBAR,
                       MCH_HOST_BRIDGE_PCIEXBAR_DEFAULT |
                       MCH_HOST_BRIDGE_PCIEXBAREN);
    g_free(mch);
}

/* The default domain: PASID 0 maps [0, SVM_IDMAP_END) 1:1 in 2 MiB pages */
static void dflt_domain_init(Svm *t)
{
    SvmMm *mm = &t->dflt;
    uint64_t pdpt, pd, pde[512];
    unsigned i;

    mm->pasid = 0;
    mm->did = SVM_DID_DEFAULT;
    mm->pml4 = svm_alloc(t, SVM_PG, SVM_PG);
    pdpt = svm_alloc(t, SVM_PG, SVM_PG);
    pd = svm_alloc(t, SVM_PG, SVM_PG);
    qtest_writeq(t->qts, mm->pml4, pdpt | SVM_PTE_TABLE);
    qtest_writeq(t->qts, pdpt, pd | SVM_PTE_TABLE);
    for (i = 0; i < ARRAY_SIZE(pde); i++) {
        pde[i] = cpu_to_le64(pte_make(i * 2 * MiB, 2, SVM_PROT_W));
    }
    qtest_memwrite(t->qts, pd, pde, sizeof(pde));
    pasid_entry_write(t, 0, mm->pml4, mm->did, true);
}

static void vtd_gcmd(Svm *t, uint32_t cmd, uint32_t sts)
{
    vtd_wr32(t, DMAR_GCMD_REG, cmd);
    g_assert_cmphex(vtd_rd32(t, DMAR_GSTS_REG) & sts, ==, sts);
}

/* Root, context and PASID tables, queues, translation on */
static void vtd_init(Svm *t, const SvmOpts *o)
{
    unsigned prq_order = o->flags & SVM_F_SMALL_PRQ ? 0 : SVM_PRQ_ORDER;
    uint64_t ce[4] = { 0 };

    t->root = svm_alloc(t, SVM_PG, SVM_PG);
    t->ctx = svm_alloc(t, SVM_PG, SVM_PG);
    t->pdir = svm_alloc(t, SVM_PG, SVM_PG);
    t->iq = svm_alloc(t, SVM_IQ_ENTRIES * SVM_IQ_DESC_SIZE, SVM_PG);
    t->iq_status = svm_alloc(t, SVM_PG, SVM_PG);
    t->prq_bytes = VTD_PQA_ENTRY_SIZE << (7 + prq_order);
    t->prq = svm_alloc(t, t->prq_bytes, SVM_PG);

    /* bus 0, devfn 0-127: the lower scalable-mode context table */
    qtest_writeq(t->qts, t->root, t->ctx | VTD_ROOT_ENTRY_P);
    ce[0] = t->pdir | VTD_CONTEXT_ENTRY_P;
    if (!(o->flags & SVM_F_NO_DTE)) {
        ce[0] |= VTD_SM_CONTEXT_ENTRY_DTE;
    }
    if (!(o->flags & SVM_F_NO_PRE)) {
        ce[0] |= VTD_SM_CONTEXT_ENTRY_PRE;
    }
    ce[0] = cpu_to_le64(ce[0]);
    /* ce[1]: RID_PASID 0 */
    qtest_memwrite(t->qts, t->ctx + SVM_DEVFN * VTD_CTX_ENTRY_SCALABLE_SIZE,
                   ce, sizeof(ce));
    dflt_domain_init(t);

    vtd_wr64(t, DMAR_RTADDR_REG, t->root | VTD_RTADDR_SMT);
    vtd_gcmd(t, VTD_GCMD_SRTP, VTD_GSTS_RTPS);
    vtd_wr64(t, DMAR_IQA_REG, t->iq | VTD_IQA_DW_MASK);
    vtd_wr64(t, DMAR_IQT_REG, 0);
    vtd_gcmd(t, VTD_GCMD_QIE, VTD_GSTS_QIES);
    qi_push(t, VTD_INV_DESC_CC | VTD_INV_DESC_CC_GLOBAL, 0);
    qi_push(t, VTD_INV_DESC_PC |
            SVM_QI_GRAN(VTD_INV_DESC_PASIDC_G_GLOBAL), 0);
    qi_push(t, VTD_INV_DESC_IOTLB | VTD_INV_DESC_IOTLB_GLOBAL, 0);
    qi_sync(t);

    vtd_wr32(t, DMAR_PECTL_REG, VTD_PR_PECTL_IM);
    vtd_wr64(t, DMAR_PQH_REG, 0);
    vtd_wr64(t, DMAR_PQT_REG, 0);
    vtd_wr64(t, DMAR_PQA_REG, t->prq | prq_order);
    vtd_gcmd(t, VTD_GCMD_QIE | VTD_GCMD_TE, VTD_GSTS_QIES | VTD_GSTS_TES);
}

static void pri_enable(Svm *t, uint32_t alloc)
{
    cfg_wr32(t, SVMDEMO_CFG_PRI + PCI_PRI_ALLOC_REQ, alloc);
    cfg_wr16(t, SVMDEMO_CFG_PRI + PCI_PRI_CTRL, PCI_PRI_CTRL_ENABLE);
}

/* PASID (with privileged mode), PRI and ATS, in Linux's order */
static void caps_enable(Svm *t, const SvmOpts *o)
{
    if (!(o->flags & SVM_F_NO_PASID)) {
        cfg_wr16(t, SVMDEMO_CFG_PASID + PCI_PASID_CTRL,
                 PCI_PASID_CTRL_ENABLE | PCI_PASID_CTRL_PRIV);
    }
    if (!(o->flags & SVM_F_NO_PRI)) {
        pri_enable(t, o->pri_alloc ? o->pri_alloc :
                   cfg_rd32(t, SVMDEMO_CFG_PRI + PCI_PRI_MAX_REQ));
    }
    if (!(o->flags & SVM_F_NO_ATS)) {
        cfg_wr16(t, SVMDEMO_CFG_ATS + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE);
    }
}

static Svm *svm_start(const SvmOpts *o)
{
    g_autofree char *fw = firmware_dir();
    Svm *t = g_new0(Svm, 1);
    unsigned i;

    t->qts = qtest_initf("-machine q35 -m %d -nodefaults -L %s "
                         "-bios qboot.rom -device intel-iommu,%s "
                         "-device svmdemo,addr=%02x.0%s",
                         SVM_RAM_MB, fw,
                         o->iommu ? o->iommu : SVM_IOMMU_OPTS, SVM_SLOT,
                         o->props ? o->props : "");
    t->bus = qpci_new_pc(t->qts, NULL);
    mmconfig_enable(t);
    t->dev = qpci_device_find(t->bus, SVM_DEVFN);
    g_assert(t->dev);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, SVMDEMO_REG_BAR, NULL);
    t->brk = SVM_GPA_BASE;
    t->groups = g_array_new(false, false, sizeof(SvmGroup));
    t->force_code = -1;

    vtd_init(t, o);
    caps_enable(t, o);
    t->nqueues = dev_rd32(t, SVMDEMO_NUM_QUEUES);
    for (i = 0; i < t->nqueues; i++) {
        queue_setup(t, i, SVM_RING);
    }
    t->sva = mm_new(t, SVM_PASID_A);
    return t;
}

static void svm_stop(Svm *t)
{
    unsigned i;

    for (i = 0; i < t->groups->len; i++) {
        g_array_free(group_get(t, i)->pages, true);
    }
    g_array_free(t->groups, true);
    for (i = 0; i < SVM_PRGI_NR; i++) {
        if (t->pending[i]) {
            g_array_free(t->pending[i], true);
        }
    }
    g_free(t->dev);
    qpci_free_pc(t->bus);
    qtest_quit(t->qts);
    g_free(t);
}

/* ------------------------------------------------------------------ */
/* Helpers for the tests                                              */
/* ------------------------------------------------------------------ */

/* Post @n descriptors on @qi, ring once, collect their records */
static void run_batch(Svm *t, unsigned qi, const struct svmdemo_desc *d,
                      unsigned n, SvmCmpl *c)
{
    uint32_t first = t->q[qi].tail;
    unsigned i;

    g_assert_cmpuint(n, <, t->q[qi].size);
    for (i = 0; i < n; i++) {
        desc_post(t, qi, &d[i]);
    }
    queue_doorbell(t, qi);
    for (i = 0; i < n; i++) {
        c[i] = cmpl_wait(t, qi, (first + i) & (t->q[qi].size - 1));
        g_assert_cmphex(c[i].cookie, ==, d[i].cookie);
    }
}

static void check_atc(Svm *t, uint64_t ats, uint64_t miss, uint64_t hit)
{
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, ats);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_MISS), ==, miss);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_HIT), ==, hit);
}

/*
 * The same for large pages, where how many lookups one entry serves is
 * the device's business: at least @hit.
 */
static void check_atc_large(Svm *t, uint64_t ats, uint64_t miss,
                            uint64_t hit)
{
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, ats);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_MISS), ==, miss);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_HIT), >=, hit);
}

static SvmCmpl fill(Svm *t, uint64_t va, uint64_t len, uint64_t pattern,
                    uint16_t flags)
{
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, len);

    d.operand = pattern;
    d.flags = flags;
    return run(t, &d);
}

static SvmCmpl read_crc(Svm *t, uint64_t va, uint64_t len, uint16_t flags)
{
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_CRC32C, va, 0, len);

    d.flags = flags;
    return run(t, &d);
}

/* Wait until queue @qi halted; return its ERR_CODE */
static unsigned queue_wait_error(Svm *t, unsigned qi)
{
    uint32_t sts;

    SVM_WAIT(t, (sts = queue_status(t, qi)) & SVMDEMO_Q_STATUS_ERROR);
    g_assert_cmphex(sts & (SVMDEMO_Q_STATUS_ENABLED |
                           SVMDEMO_Q_STATUS_DRAINING), ==, 0);
    g_assert(dev_rd32(t, SVMDEMO_ERR_QUEUE) & (1u << qi));
    g_assert(dev_rd32(t, SVMDEMO_ERR_CAUSE) & SVMDEMO_ERR_QUEUE_ERROR);
    g_assert(dev_rd32(t, SVMDEMO_INTR_STATUS) & SVMDEMO_INTR_ERROR);
    return (sts & SVMDEMO_Q_STATUS_ERR_CODE) >> SVMDEMO_Q_STATUS_ERR_SHIFT;
}

/* RESET a halted queue and check that only the other halted ones stay */
static void queue_recover(Svm *t, unsigned qi)
{
    uint32_t others = dev_rd32(t, SVMDEMO_ERR_QUEUE) & ~(1u << qi);

    queue_reset(t, qi);
    g_assert_cmphex(queue_status(t, qi), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_QUEUE), ==, others);
    dev_wr32(t, SVMDEMO_ERR_CAUSE, SVMDEMO_ERR_CAUSE_MASK);
}

/* A small FILL on queue @qi into a fresh buffer, checked */
static void check_queue_works(Svm *t, unsigned qi)
{
    struct svmdemo_desc d;
    uint64_t va;
    SvmCmpl c;

    if (!t->work_va) {
        t->work_va = sva_buf(t, 512 * MiB, SVM_WORK_PAGES * SVM_PG);
    }
    g_assert_cmpuint(t->nbuf, <, SVM_WORK_PAGES);
    va = t->work_va + t->nbuf++ * SVM_PG;
    d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 64);

    d.operand = 0x0101010101010101ULL * (qi + 1);
    c = run_on(t, qi, &d);
    check_success(&c, 64);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), qi + 1, 64));
}

static uint64_t compat_status(Svm *t)
{
    return dev_rd64(t, SVMDEMO_COMPAT_STATUS);
}

/* Run a compat command; return COMPAT_STATUS once it is not busy */
static uint64_t compat_run(Svm *t, uint64_t cmd)
{
    dev_wr64(t, SVMDEMO_COMPAT_CMD, cmd);
    SVM_WAIT(t, compat_status(t) != SVMDEMO_COMPAT_STATUS_BUSY);
    return compat_status(t);
}

static void compat_setup(Svm *t, uint32_t pasid, uint64_t addr,
                         uint64_t size, uint64_t crc)
{
    dev_wr32(t, SVMDEMO_COMPAT_PASID, pasid);
    dev_wr64(t, SVMDEMO_COMPAT_ADDR, addr);
    dev_wr64(t, SVMDEMO_COMPAT_SIZE, size);
    dev_wr64(t, SVMDEMO_COMPAT_CRC, crc);
    dev_wr64(t, SVMDEMO_COMPAT_OPT, 0);
}

/* ------------------------------------------------------------------ */
/* Registers                                                          */
/* ------------------------------------------------------------------ */

/* BARs, MSI, MSI-X and PCI Express capability of docs 1 */
static void check_identity_bars(Svm *t)
{
    uint16_t exp = qpci_config_readw(t->dev, SVMDEMO_CFG_EXP + PCI_EXP_FLAGS);
    uint16_t msi = qpci_config_readw(t->dev, SVMDEMO_CFG_MSI + PCI_MSI_FLAGS);
    uint8_t msix = qpci_find_capability(t->dev, PCI_CAP_ID_MSIX, 0);
    uint64_t size;

    g_assert_cmphex(qpci_config_readl(t->dev, PCI_BASE_ADDRESS_0) &
                    PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64);
    g_assert_cmphex(qpci_config_readl(t->dev, PCI_BASE_ADDRESS_2) &
                    PCI_BASE_ADDRESS_MEM_TYPE_MASK, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_32);
    qpci_iounmap(t->dev, qpci_iomap(t->dev, SVMDEMO_MSIX_BAR, &size));
    g_assert_cmpuint(size, ==, 4 * KiB);
    t->bar = qpci_iomap(t->dev, SVMDEMO_REG_BAR, &size);    /* moves it */
    g_assert_cmpuint(size, ==, SVMDEMO_BAR0_SIZE);

    g_assert_cmphex((exp & PCI_EXP_FLAGS_TYPE) >> 4, ==, PCI_EXP_TYPE_RC_END);
    g_assert_cmphex(exp & PCI_EXP_FLAGS_VERS, ==, 2);
    g_assert_cmphex(msi & (PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
                           PCI_MSI_FLAGS_QMASK), ==, PCI_MSI_FLAGS_64BIT);
    g_assert_cmphex(msix, ==, 0x40);
    g_assert_cmphex(qpci_config_readl(t->dev, msix + PCI_MSIX_TABLE), ==,
                    SVMDEMO_MSIX_BAR);
    g_assert_cmphex(qpci_config_readl(t->dev, msix + PCI_MSIX_PBA), ==,
                    0x800 | SVMDEMO_MSIX_BAR);
}

static void test_regs_identity(Svm *t)
{
    uint64_t ecap_need = VTD_ECAP_SMTS | VTD_ECAP_FLTS | VTD_ECAP_PASID |
                         VTD_ECAP_DT | VTD_ECAP_PRS | VTD_ECAP_PDS |
                         VTD_ECAP_NWFS;
    uint16_t pasid_cap = cfg_rd16(t, SVMDEMO_CFG_PASID + PCI_PASID_CAP);

    g_assert_cmphex(vtd_rd64(t, DMAR_ECAP_REG) & ecap_need, ==, ecap_need);

    g_assert_cmphex(qpci_config_readw(t->dev, PCI_VENDOR_ID), ==,
                    SVMDEMO_PCI_VENDOR_ID);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_DEVICE_ID), ==,
                    SVMDEMO_PCI_DEVICE_ID);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_REVISION_ID), ==,
                    SVMDEMO_PCI_REVISION);
    g_assert_cmphex(qpci_config_readw(t->dev, PCI_CLASS_DEVICE), ==,
                    SVMDEMO_PCI_CLASS);
    g_assert_cmphex(qpci_config_readb(t->dev, PCI_INTERRUPT_PIN), ==, 0);
    g_assert_cmphex(qpci_config_readb(t->dev, SVMDEMO_CFG_MSI), ==,
                    PCI_CAP_ID_MSI);
    g_assert_cmphex(qpci_config_readb(t->dev, SVMDEMO_CFG_EXP), ==,
                    PCI_CAP_ID_EXP);
    check_identity_bars(t);

    /* the extended capabilities, chained ATS -> PASID -> PRI */
    g_assert_cmphex(PCI_EXT_CAP_ID(cfg_rd32(t, SVMDEMO_CFG_ATS)), ==,
                    PCI_EXT_CAP_ID_ATS);
    g_assert_cmphex(PCI_EXT_CAP_NEXT(cfg_rd32(t, SVMDEMO_CFG_ATS)), ==,
                    SVMDEMO_CFG_PASID);
    g_assert_cmphex(PCI_EXT_CAP_ID(cfg_rd32(t, SVMDEMO_CFG_PASID)), ==,
                    PCI_EXT_CAP_ID_PASID);
    g_assert_cmphex(PCI_EXT_CAP_NEXT(cfg_rd32(t, SVMDEMO_CFG_PASID)), ==,
                    SVMDEMO_CFG_PRI);
    g_assert_cmphex(PCI_EXT_CAP_ID(cfg_rd32(t, SVMDEMO_CFG_PRI)), ==,
                    PCI_EXT_CAP_ID_PRI);
    g_assert_cmphex(cfg_rd16(t, SVMDEMO_CFG_ATS + PCI_ATS_CAP), ==,
                    PCI_ATS_CAP_PAGE_ALIGNED);
    g_assert_cmpuint((pasid_cap & PCI_PASID_CAP_WIDTH) >> 8, ==, 8);
    g_assert_cmphex(pasid_cap & (PCI_PASID_CAP_PRIV | PCI_PASID_CAP_EXEC),
                    ==, PCI_PASID_CAP_PRIV);
    g_assert_cmpuint(cfg_rd32(t, SVMDEMO_CFG_PRI + PCI_PRI_MAX_REQ), ==, 512);
    g_assert(cfg_rd16(t, SVMDEMO_CFG_PRI + PCI_PRI_STATUS) &
             PCI_PRI_STATUS_PASID);

    g_assert_cmphex(dev_rd64(t, SVMDEMO_COMPAT_ID), ==,
                    SVMDEMO_COMPAT_ID_VALUE);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_COMPAT_ID + 4), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_VERSION), ==, SVMDEMO_VERSION_1_0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_CAPS), ==,
                    SVMDEMO_CAPS_ATS | SVMDEMO_CAPS_PASID | SVMDEMO_CAPS_PRI |
                    SVMDEMO_CAPS_MSIX | SVMDEMO_CAPS_UNTRANSLATED |
                    SVMDEMO_CAPS_CR_USER | SVMDEMO_CAPS_FENCE);
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_NUM_QUEUES), ==, 4);
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_RING_SIZE_MAX), ==, 4096);
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_ATC_ENTRIES), ==, 256);
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_PRI_CAPACITY), ==, 512);
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_PASID_WIDTH), ==, 8);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_OPCODES), ==,
                    (1u << SVMDEMO_OP_NR) - 1);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_MAX_XFER), ==,
                    SVMDEMO_MAX_XFER_BYTES);
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_PRI_TIMEOUT), ==, 5000);
}

/* Reserved offsets read 0 and ignore writes; RO registers ignore writes */
static void test_regs_reserved(Svm *t)
{
    static const unsigned rsvd[] = {
        SVMDEMO_COMPAT_REG64_END, SVMDEMO_COMPAT_PASID + 4,
        SVMDEMO_COMPAT_END, SVMDEMO_CTRL + 4, SVMDEMO_ERR_QUEUE + 4,
        SVMDEMO_PASID_FLUSH + 4, SVMDEMO_CNT_END, SVMDEMO_QUEUE_BASE - 4,
        SVMDEMO_QREG(0, SVMDEMO_Q_IRQ_COALESCE + 4), SVMDEMO_QUEUE_END,
        SVMDEMO_BAR0_SIZE - 4,
    };
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(rsvd); i++) {
        dev_wr32(t, rsvd[i], UINT32_MAX);
        g_assert_cmphex(dev_rd32(t, rsvd[i]), ==, 0);
    }
    /* queues beyond NUM_QUEUES do not exist */
    q_wr(t, t->nqueues, SVMDEMO_Q_SIZE, 8);
    g_assert_cmphex(q_rd(t, t->nqueues, SVMDEMO_Q_SIZE), ==, 0);
    /* RO and WO registers */
    dev_wr32(t, SVMDEMO_VERSION, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_VERSION), ==, SVMDEMO_VERSION_1_0);
    check_queue_works(t, 0);
    dev_wr64(t, SVMDEMO_CNT(SVMDEMO_CNT_JOBS), 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 1);
    g_assert_cmphex(q_rd(t, 0, SVMDEMO_Q_CTRL), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_CTRL), ==, 0);
    q_wr(t, 0, SVMDEMO_Q_HEAD, 5);
    g_assert_cmphex(q_rd(t, 0, SVMDEMO_Q_HEAD), ==, 1);
    /* Q_DESC, Q_CMPL and Q_SIZE are locked while the queue is enabled */
    q_wr(t, 0, SVMDEMO_Q_SIZE, 4);
    q_wr(t, 0, SVMDEMO_Q_DESC_LO, 0);
    g_assert_cmphex(q_rd(t, 0, SVMDEMO_Q_SIZE), ==, SVM_RING);
    g_assert_cmphex(q_rd(t, 0, SVMDEMO_Q_DESC_LO), ==, (uint32_t)t->q[0].desc);
    /* counters are zeroed by CLEAR_COUNTERS, 64-bit and 32-bit halves */
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_CNT(SVMDEMO_CNT_BYTES)), ==, 64);
    g_assert_cmpuint(dev_rd32(t, SVMDEMO_CNT(SVMDEMO_CNT_BYTES) + 4), ==, 0);
    cnt_clear(t);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 0);
    g_assert_cmpuint(cnt_status(t, SVMDEMO_STS_SUCCESS), ==, 0);
}

/* 8-byte accesses to 32-bit registers, 4-byte halves of 64-bit ones */
static void test_regs_access(Svm *t)
{
    uint64_t buf = svm_alloc(t, SVM_PG, SVM_PG);
    uint64_t base = 0x0000001234567000ULL;
    uint8_t want[16];

    g_assert_cmphex(dev_rd64(t, SVMDEMO_VERSION), ==, SVMDEMO_VERSION_1_0 |
                    (uint64_t)dev_rd32(t, SVMDEMO_CAPS) << 32);
    /* one 8-byte write programs both halves of a ring base */
    queue_reset(t, 1);
    dev_wr64(t, SVMDEMO_QREG(1, SVMDEMO_Q_DESC_LO), base);
    g_assert_cmphex(q_rd(t, 1, SVMDEMO_Q_DESC_LO), ==, (uint32_t)base);
    g_assert_cmphex(q_rd(t, 1, SVMDEMO_Q_DESC_HI), ==, base >> 32);
    g_assert_cmphex(dev_rd64(t, SVMDEMO_QREG(1, SVMDEMO_Q_DESC_LO)), ==,
                    base);
    queue_setup(t, 1, SVM_RING);
    check_queue_works(t, 1);

    /* INTR_STATUS and ERR_CAUSE cleared by one 8-byte write */
    queue_reset(t, 2);
    q_wr(t, 2, SVMDEMO_Q_TAIL, 1);
    g_assert_cmphex(dev_rd64(t, SVMDEMO_INTR_STATUS), ==,
                    SVMDEMO_INTR_QUEUE(1) | SVMDEMO_INTR_ERROR |
                    (uint64_t)SVMDEMO_ERR_DOORBELL_DISABLED << 32);
    dev_wr64(t, SVMDEMO_INTR_STATUS, (uint64_t)SVMDEMO_ERR_CAUSE_MASK << 32 |
             SVMDEMO_INTR_QUEUE_MASK);
    g_assert_cmphex(dev_rd64(t, SVMDEMO_INTR_STATUS), ==, 0);

    /* a 4-byte write to either half of COMPAT_CMD starts the command */
    svm_pattern(want, sizeof(want));
    compat_setup(t, SVMDEMO_COMPAT_PASID_DISABLE, buf, sizeof(want), 0);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==, 0);
    qtest_memset(t->qts, buf, 0, sizeof(want));
    cnt_clear(t);
    dev_wr32(t, SVMDEMO_COMPAT_CMD + 4, 0);
    SVM_WAIT(t, compat_status(t) != SVMDEMO_COMPAT_STATUS_BUSY);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 1);
    g_assert(svm_mem_equals(t, buf, want, sizeof(want)));
    dev_wr64(t, SVMDEMO_COMPAT_CRC, svm_crc8(want, sizeof(want)));
    dev_wr32(t, SVMDEMO_COMPAT_CMD, SVMDEMO_COMPAT_CMD_READ);
    SVM_WAIT(t, compat_status(t) != SVMDEMO_COMPAT_STATUS_BUSY);
    g_assert_cmphex(compat_status(t), ==, SVMDEMO_STS_SUCCESS);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 2);
    /* and the status reads as two halves */
    g_assert_cmphex(dev_rd32(t, SVMDEMO_COMPAT_STATUS + 4), ==, 0);
}

/* Every register of docs 11 at its reset value */
static void check_reset_state(Svm *t)
{
    unsigned qi, reg, i;

    for (qi = 0; qi < t->nqueues; qi++) {
        for (reg = 0; reg < SVMDEMO_QUEUE_STRIDE; reg += 4) {
            g_assert_cmphex(q_rd(t, qi, reg), ==, 0);
        }
    }
    for (i = 0; i < SVMDEMO_CNT_NR; i++) {
        g_assert_cmpuint(cnt(t, i), ==, 0);
    }
    for (i = 0; i < SVMDEMO_CNT_STATUS_NR; i++) {
        g_assert_cmpuint(cnt_status(t, i), ==, 0);
    }
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_CAUSE), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_QUEUE), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_PASID_FLUSH), ==, 0);
    g_assert_cmphex(compat_status(t), ==, 0);
}

/* Start a compat WRITE and a queue job that both wait for page requests */
static uint32_t start_two_waiting_jobs(Svm *t, uint64_t va)
{
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVM_PG);
    uint32_t slot;

    vma_add(t, t->sva, va, 2 * SVM_PG, SVM_PROT_W);
    t->hold = true;
    d.operand = UINT64_MAX;
    slot = desc_submit(t, 1, &d);
    group_wait(t, 1);
    compat_setup(t, SVM_PASID_A, va + SVM_PG, SVM_PG, 0);
    dev_wr64(t, SVMDEMO_COMPAT_CMD, SVMDEMO_COMPAT_CMD_WRITE);
    group_wait(t, 2);
    g_assert_cmphex(compat_status(t), ==, SVMDEMO_COMPAT_STATUS_BUSY);
    return slot;
}

/* Function Level Reset with jobs in flight */
static void test_regs_flr(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    uint8_t exp = SVMDEMO_CFG_EXP;
    SvmOpts opts = { 0 };
    uint32_t slot;
    SvmCmpl c;
    unsigned i;

    g_assert(qpci_config_readl(t->dev, exp + PCI_EXP_DEVCAP) &
             PCI_EXP_DEVCAP_FLR);
    q_wr(t, 2, SVMDEMO_Q_IRQ_COALESCE, (50 << SVMDEMO_Q_IRQ_USECS_SHIFT) | 8);
    slot = start_two_waiting_jobs(t, va);
    qpci_config_writew(t->dev, exp + PCI_EXP_DEVCTL,
                       qpci_config_readw(t->dev, exp + PCI_EXP_DEVCTL) |
                       PCI_EXP_DEVCTL_BCR_FLR);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, SVMDEMO_REG_BAR, NULL);
    check_reset_state(t);

    /* the abandoned jobs never complete, their answers are ignored */
    group_answer(t, 0, SVM_RESP_SUCCESS);
    group_answer(t, 1, SVM_RESP_SUCCESS);
    svm_sleep_ms(20);
    g_assert(!cmpl_done(t, 1, slot));
    g_assert_cmphex(compat_status(t), ==, 0);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0, 2 * SVM_PG));

    /* the driver's reset_done: everything works again */
    t->hold = false;
    caps_enable(t, &opts);
    for (i = 0; i < t->nqueues; i++) {
        queue_setup(t, i, SVM_RING);
    }
    c = fill(t, va, SVM_PG, 0, 0);
    check_success(&c, SVM_PG);
    compat_setup(t, SVM_PASID_A, va + SVM_PG, SVM_PG, 0);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==, 0);
}

/* FLR returns the function to its power-on state: capabilities disabled */
static void test_regs_flr_caps(Svm *t)
{
    qpci_config_writew(t->dev, SVMDEMO_CFG_EXP + PCI_EXP_DEVCTL,
                       qpci_config_readw(t->dev, SVMDEMO_CFG_EXP +
                                         PCI_EXP_DEVCTL) |
                       PCI_EXP_DEVCTL_BCR_FLR);
    g_assert_false(cfg_rd16(t, SVMDEMO_CFG_ATS + PCI_ATS_CTRL) &
                   PCI_ATS_CTRL_ENABLE);
    g_assert_false(cfg_rd16(t, SVMDEMO_CFG_PASID + PCI_PASID_CTRL) &
                   PCI_PASID_CTRL_ENABLE);
    g_assert_false(cfg_rd16(t, SVMDEMO_CFG_PRI + PCI_PRI_CTRL) &
                   PCI_PRI_CTRL_ENABLE);
    g_assert_cmpuint(cfg_rd32(t, SVMDEMO_CFG_PRI + PCI_PRI_ALLOC_REQ), ==, 0);
}

/* system_reset: the same power-on state */
static void test_regs_system_reset(Svm *t)
{
    uint64_t buf = svm_alloc(t, SVM_PG, SVM_PG);
    uint8_t want[64];

    start_two_waiting_jobs(t, SVM_VA_BASE);
    qtest_system_reset(t->qts);
    qpci_device_enable(t->dev);
    t->bar = qpci_iomap(t->dev, SVMDEMO_REG_BAR, NULL);
    check_reset_state(t);
    /* COMPAT_PASID is back to "no PASID"; the IOMMU is off */
    svm_pattern(want, sizeof(want));
    dev_wr64(t, SVMDEMO_COMPAT_ADDR, buf);
    dev_wr64(t, SVMDEMO_COMPAT_SIZE, sizeof(want));
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==, 0);
    g_assert(svm_mem_equals(t, buf, want, sizeof(want)));
}

/* ------------------------------------------------------------------ */
/* Descriptor checks (docs 8.3) and statuses (9.2)                    */
/* ------------------------------------------------------------------ */

static void test_desc_reserved(Svm *t)
{
    static const unsigned rsvd1_bits[] = { 0, 17, 42, 63 };
    static const unsigned cr_offs[] = { 1, 8, SVMDEMO_CMPL_SIZE - 1 };
    uint64_t cr = sva_buf(t, 0, SVM_PG);
    struct svmdemo_desc d[64], base = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    SvmCmpl c[64];
    unsigned n = 0, i;

    /* a valid user record request: RESERVED must not write it */
    base.flags = SVMDEMO_DESC_F_CR_USER;
    base.cr_addr = cr;
    queue_setup(t, 0, 64);
    for (i = 0; i < 32; i++) {
        if (SVMDEMO_DESC_PASID_RSVD & (1u << i)) {
            d[n] = base;
            d[n++].pasid |= 1u << i;
        }
    }
    for (i = 0; i < 8; i++) {
        d[n] = base;
        d[n++].rsvd0 = 1u << i;
    }
    for (i = 0; i < 16; i++) {
        if (SVMDEMO_DESC_F_RSVD & (1u << i)) {
            d[n] = base;
            d[n++].flags |= 1u << i;
        }
    }
    for (i = 0; i < ARRAY_SIZE(rsvd1_bits); i++) {
        d[n] = base;
        d[n++].rsvd1 = 1ULL << rsvd1_bits[i];
    }
    for (i = 0; i < ARRAY_SIZE(cr_offs); i++) {
        d[n] = base;
        d[n++].cr_addr = cr + cr_offs[i];
    }
    /* RESERVED comes before every other check */
    d[n] = base;
    d[n].rsvd0 = 1;
    d[n++].opcode = UINT8_MAX;
    d[n] = base;
    d[n].rsvd1 = 1;
    d[n++].pasid = SVM_PV(0);
    d[n] = base;
    d[n].rsvd0 = 1;
    d[n++].flags |= SVMDEMO_DESC_F_PRIV;
    for (i = 0; i < n; i++) {
        d[i].cookie = base.cookie + i;
    }

    cnt_clear(t);
    run_batch(t, 0, d, n, c);
    for (i = 0; i < n; i++) {
        check_rejected(&c[i], SVMDEMO_STS_RESERVED);
    }
    g_assert(svm_mem_is(t, va_to_pa(t->sva, cr), 0, SVM_PG));
    g_assert_cmpuint(cnt_status(t, SVMDEMO_STS_RESERVED), ==, n);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ERRORS), ==, n);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, n);

    /* a misaligned cr_addr is no error without CR_USER */
    base.flags = 0;
    base.cr_addr = cr + 1;
    run_expect(t, &base, SVMDEMO_STS_SUCCESS);
}

static void test_desc_bad_opcode(Svm *t)
{
    static const uint8_t ops[] = { SVMDEMO_OP_NR, 0x80, UINT8_MAX };
    struct svmdemo_desc d;
    SvmCmpl c;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(ops); i++) {
        d = desc_new(t, ops[i], 0, 0, 0);
        c = run(t, &d);
        check_rejected(&c, SVMDEMO_STS_BAD_OPCODE);
    }
    /* BAD_OPCODE comes before BAD_PASID, PRIV and LENGTH */
    d = desc_new(t, SVMDEMO_OP_NR, 0, 0, 0);
    d.pasid = SVM_PV(0);
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_BAD_OPCODE);
    d = desc_new(t, SVMDEMO_OP_NR, 0, 0, SVMDEMO_MAX_XFER_BYTES + 1ULL);
    d.flags = SVMDEMO_DESC_F_PRIV;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_BAD_OPCODE);
    g_assert_cmpuint(cnt_status(t, SVMDEMO_STS_BAD_OPCODE), ==, 5);
}

static void test_desc_bad_pasid(Svm *t)
{
    uint32_t width = dev_rd32(t, SVMDEMO_PASID_WIDTH);
    uint32_t bad[] = { 0, 1u << width, SVMDEMO_DESC_PASID };
    struct svmdemo_desc d;
    SvmCmpl c;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        d = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
        d.pasid = SVM_PV(bad[i]);
        c = run(t, &d);
        check_rejected(&c, SVMDEMO_STS_BAD_PASID);
    }
    /* BAD_PASID comes before PRIV and LENGTH */
    d = desc_new(t, SVMDEMO_OP_FILL, 0, 0, SVMDEMO_MAX_XFER_BYTES + 1ULL);
    d.pasid = SVM_PV(0);
    d.flags = SVMDEMO_DESC_F_PRIV;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_BAD_PASID);
    /* the widest PASID that fits, and no PASID at all */
    d = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d.pasid = SVM_PV((1u << width) - 1);
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);
    d.pasid = (1u << width) - 1;
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);
}

/* PASID_VALID while the PASID or ATS capability is disabled */
static void test_desc_pasid_disabled(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 16);
    SvmCmpl c;

    d.operand = 0x5555555555555555ULL;
    cfg_wr16(t, SVMDEMO_CFG_PASID + PCI_PASID_CTRL, 0);
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_BAD_PASID);
    cfg_wr16(t, SVMDEMO_CFG_PASID + PCI_PASID_CTRL,
             PCI_PASID_CTRL_ENABLE | PCI_PASID_CTRL_PRIV);
    cfg_wr16(t, SVMDEMO_CFG_ATS + PCI_ATS_CTRL, 0);
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_BAD_PASID);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0, 16));
    cfg_wr16(t, SVMDEMO_CFG_ATS + PCI_ATS_CTRL, PCI_ATS_CTRL_ENABLE);
    c = run(t, &d);
    check_success(&c, 16);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0x55, 16));
}

static void test_desc_priv(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);
    uint64_t iova = svm_alloc(t, SVM_PG, SVM_PG);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 64);
    SvmCmpl c;

    d.operand = UINT64_MAX;
    d.flags = SVMDEMO_DESC_F_PRIV;
    cnt_clear(t);
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_PRIV);
    /* nothing was translated or written */
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, 0);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0, 64));
    /* without PASID too, and before LENGTH */
    d.pasid = 0;
    d.dst = iova;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_PRIV);
    g_assert(svm_mem_is(t, iova, 0, 64));
    d.len = SVMDEMO_MAX_XFER_BYTES + 1ULL;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_PRIV);
}

static void test_desc_length(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 2 * SVM_PG);
    uint64_t wrap = -(uint64_t)SVM_PG;          /* 2^64 - 4 KiB */
    static const uint8_t zeros[2 * SVM_PG];
    static const struct {
        uint8_t op;
        bool src_wraps;
        unsigned code;
    } cases[] = {
        { SVMDEMO_OP_COPY, true, SVMDEMO_STS_LENGTH },
        { SVMDEMO_OP_COPY, false, SVMDEMO_STS_LENGTH },
        { SVMDEMO_OP_COMPARE, true, SVMDEMO_STS_LENGTH },
        { SVMDEMO_OP_COMPARE, false, SVMDEMO_STS_LENGTH },
        { SVMDEMO_OP_CRC32C, true, SVMDEMO_STS_LENGTH },
        { SVMDEMO_OP_CRC32C, false, SVMDEMO_STS_SUCCESS },  /* no dst */
        { SVMDEMO_OP_READ_CRC8, true, SVMDEMO_STS_LENGTH },
        { SVMDEMO_OP_READ_CRC8, false, SVMDEMO_STS_SUCCESS },
        { SVMDEMO_OP_FILL, true, SVMDEMO_STS_SUCCESS },     /* no src */
        { SVMDEMO_OP_FILL, false, SVMDEMO_STS_LENGTH },
        { SVMDEMO_OP_WRITE_PATTERN, true, SVMDEMO_STS_SUCCESS },
        { SVMDEMO_OP_WRITE_PATTERN, false, SVMDEMO_STS_LENGTH },
    };
    struct svmdemo_desc d;
    SvmCmpl c;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(cases); i++) {
        d = desc_new(t, cases[i].op, va, va, 2 * SVM_PG);
        if (cases[i].src_wraps) {
            d.src = wrap;
        } else {
            d.dst = wrap;
        }
        d.operand = svm_crc8(zeros, sizeof(zeros));
        c = run_expect(t, &d, cases[i].code);
        if (cases[i].code != SVMDEMO_STS_SUCCESS) {
            check_rejected(&c, cases[i].code);
        }
    }
    /* too long */
    d = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVMDEMO_MAX_XFER_BYTES + 1ULL);
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_LENGTH);
    d.len = UINT64_MAX;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_LENGTH);
    /* MAX_XFER itself is accepted: it faults after the buffer */
    d = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVMDEMO_MAX_XFER_BYTES);
    d.flags = SVMDEMO_DESC_F_NO_PRI;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, va + 2 * SVM_PG);
    /* a range that ends exactly at 2^64 does not wrap */
    d = desc_new(t, SVMDEMO_OP_FILL, 0, -8ULL, 8);
    d.flags = SVMDEMO_DESC_F_NO_PRI;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, -8ULL);
    /* len 0 is allowed anywhere */
    d = desc_new(t, SVMDEMO_OP_COPY, UINT64_MAX, UINT64_MAX, 0);
    c = run(t, &d);
    check_success(&c, 0);
}

/* docs 8.3 step 5 applies to every opcode: NOOP too */
static void test_desc_noop_length(Svm *t)
{
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_NOOP, 0, 0,
                                     SVMDEMO_MAX_XFER_BYTES + 1ULL);
    SvmCmpl c = run(t, &d);

    g_assert_cmphex(SVM_CODE(c), ==, SVMDEMO_STS_LENGTH);
}

/* A random value of @n taken from @set */
#define SVM_PICK(set)   ((set)[g_test_rand_int_range(0, ARRAY_SIZE(set))])

/*
 * Random descriptors, in batches of 1 to 16 on every queue: random PASID
 * field, opcode, reserved bytes, flags, addresses (own memory, a
 * read-only page, a hole, kernel and MSI addresses, random), lengths and
 * user record addresses. Each completes (DONE) with a status the spec
 * defines and bytes_done <= len; the read-only page never changes; every
 * queue still works. --seed reproduces a run.
 */
static void test_desc_random(Svm *t)
{
    uint64_t own = sva_buf(t, 0, 16 * SVM_PG);
    uint64_t ro = SVM_VA_BASE + 64 * SVM_PG;
    uint64_t hole = SVM_VA_BASE + 128 * SVM_PG;
    const uint64_t addrs[] = {
        own, own + 13, own + 15 * SVM_PG, ro, ro + SVM_PG - 8, hole, 0,
        0xfee00000, 0xffff888000000000ULL, 0x0000800000000000ULL,
    };
    const uint64_t lens[] = {
        0, 1, 8, 64, SVM_PG, 16 * SVM_PG, SVMDEMO_MAX_XFER_BYTES,
        SVMDEMO_MAX_XFER_BYTES + 1ULL, UINT64_MAX,
    };
    const uint32_t pasids[] = {
        SVM_PV(t->sva->pasid), SVM_PV(t->sva->pasid), t->sva->pasid,
        SVM_PV(0), SVM_PV(0xfffff), SVM_PV(t->sva->pasid) | (1u << 24),
    };
    struct svmdemo_desc d[16];
    SvmCmpl c[16];
    uint8_t before[SVM_PG], after[SVM_PG];
    unsigned qi, round, i, n;

    vma_add(t, t->sva, ro, SVM_PG, SVM_PROT_POPULATE);
    svm_fill_random(before, sizeof(before), 7);
    qtest_memwrite(t->qts, va_to_pa(t->sva, ro), before, sizeof(before));
    for (qi = 0; qi < t->nqueues; qi++) {
        queue_setup(t, qi, 64);
    }
    for (round = 0; round < 40; round++) {
        qi = round % t->nqueues;
        n = g_test_rand_int_range(1, ARRAY_SIZE(d) + 1);
        for (i = 0; i < n; i++) {
            d[i] = desc_new(t, g_test_rand_int_range(0, 10) < 8 ?
                            g_test_rand_int_range(0, SVMDEMO_OP_NR + 1) :
                            g_test_rand_int_range(0, 256), 0, 0, 0);
            d[i].pasid = SVM_PICK(pasids);
            d[i].rsvd0 = g_test_rand_int_range(0, 8) ? 0 : 1;
            d[i].flags = g_test_rand_int_range(0, 8) ?
                         g_test_rand_int() & 0x3f :
                         g_test_rand_int() & 0xffff;
            d[i].flags &= ~SVMDEMO_DESC_F_FENCE;    /* desc/fence */
            d[i].src = g_test_rand_int_range(0, 8) ? SVM_PICK(addrs) :
                       ((uint64_t)g_test_rand_int() << 32) |
                       g_test_rand_int();
            d[i].dst = SVM_PICK(addrs);
            d[i].len = SVM_PICK(lens);
            d[i].operand = ((uint64_t)g_test_rand_int() << 32) |
                           g_test_rand_int();
            d[i].cr_addr = g_test_rand_int_range(0, 2) ?
                           own + SVMDEMO_CMPL_SIZE * i :
                           SVM_PICK(addrs);
        }
        run_batch(t, qi, d, n, c);
        for (i = 0; i < n; i++) {
            g_assert_cmpuint(SVM_CODE(c[i]), <, SVMDEMO_STS_NR);
            g_assert_cmpuint(c[i].bytes_done, <=, d[i].len);
        }
    }
    qtest_memread(t->qts, va_to_pa(t->sva, ro), after, sizeof(after));
    g_assert(!memcmp(before, after, sizeof(before)));
    for (qi = 0; qi < t->nqueues; qi++) {
        check_queue_works(t, qi);
    }
}

static void test_desc_fence(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 4 * SVM_PG);
    uint64_t pa = va_to_pa(t->sva, va);
    struct svmdemo_desc d[10];
    SvmCmpl c[10];
    unsigned i;

    qtest_memset(t->qts, pa + SVM_PG, 1, 1);    /* page 1 != page 0 */
    d[0] = desc_new(t, SVMDEMO_OP_FILL, 0, va + 3 * SVM_PG, 8);
    d[1] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d[1].flags = SVMDEMO_DESC_F_FENCE;          /* no error yet: runs */
    d[2] = desc_new(t, SVMDEMO_OP_COMPARE, va, va + SVM_PG, SVM_PG);
    d[3] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);       /* no FENCE */
    d[4] = desc_new(t, SVMDEMO_OP_FILL, 0, va + 2 * SVM_PG, SVM_PG);
    d[4].flags = SVMDEMO_DESC_F_FENCE;          /* error since: ABORTED */
    d[4].operand = UINT64_MAX;
    d[5] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d[5].flags = SVMDEMO_DESC_F_FENCE;          /* ABORTED does not count */
    d[6] = desc_new(t, SVMDEMO_OP_NR, 0, 0, 0);
    d[7] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d[7].flags = SVMDEMO_DESC_F_FENCE;
    d[8] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d[8].flags = SVMDEMO_DESC_F_FENCE;
    run_batch(t, 0, d, 9, c);

    check_success(&c[0], 8);
    check_success(&c[1], 0);
    g_assert_cmphex(SVM_CODE(c[2]), ==, SVMDEMO_STS_MISMATCH);
    check_success(&c[3], 0);
    check_rejected(&c[4], SVMDEMO_STS_ABORTED);
    g_assert(svm_mem_is(t, pa + 2 * SVM_PG, 0, SVM_PG));
    check_success(&c[5], 0);
    check_rejected(&c[6], SVMDEMO_STS_BAD_OPCODE);
    check_rejected(&c[7], SVMDEMO_STS_ABORTED);
    check_success(&c[8], 0);

    /* an error before ENABLE does not count */
    run_expect(t, &d[6], SVMDEMO_STS_BAD_OPCODE);
    q_wr(t, 0, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_DISABLE);
    g_assert_cmphex(queue_status(t, 0), ==, 0);
    queue_enable(t, 0);
    for (i = 7; i < 9; i++) {
        d[i].cookie++;
        c[i] = run(t, &d[i]);
        check_success(&c[i], 0);
    }
}

/* A page request nobody answers (pri-timeout-ms=100) */
static void test_desc_timeout(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVM_PG);
    gint64 start;
    SvmCmpl c;

    g_assert_cmpuint(dev_rd32(t, SVMDEMO_PRI_TIMEOUT), ==, 100);
    vma_add(t, t->sva, va, 2 * SVM_PG, SVM_PROT_W);
    t->hold = true;
    cnt_clear(t);
    start = g_get_monotonic_time();
    c = run(t, &d);
    g_assert_cmpint(g_get_monotonic_time() - start, >=, 100 * 1000);
    g_assert_cmpuint(t->groups->len, ==, 1);
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_TIMEOUT | SVMDEMO_CMPL_DONE);
    g_assert_cmphex(c.fault_addr, ==, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_TIMEOUT), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 1);
    g_assert_cmpuint(cnt_status(t, SVMDEMO_STS_TIMEOUT), ==, 1);
    /* the queue goes on */
    pt_map(t, t->sva, va + SVM_PG, va_to_pa(t->sva, va + SVM_PG), 1,
           SVM_PROT_W);
    c = fill(t, va + SVM_PG, 8, 0, 0);
    check_success(&c, 8);
}

static void test_desc_page_fault(Svm *t)
{
    uint64_t va = SVM_VA_BASE, hole = SVM_VA_BASE + GiB;
    uint64_t va2 = sva_buf(t, 2 * MiB, 2 * SVM_WINDOW);
    uint64_t irq_va = 0xfee00000;
    struct svmdemo_desc d;
    SvmCmpl c;

    vma_add(t, t->sva, va, 4 * SVM_PG, SVM_PROT_W);
    d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 4 * SVM_PG);
    d.flags = SVMDEMO_DESC_F_NO_PRI;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, va);
    g_assert_cmpuint(c.bytes_done, ==, 0);
    d = desc_new(t, SVMDEMO_OP_CRC32C, va + SVM_PG, 0, SVM_PG);
    d.flags = SVMDEMO_DESC_F_NO_PRI;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, false, va + SVM_PG);
    g_assert_cmpuint(t->groups->len, ==, 0);

    /* no VMA: the OS answers Invalid */
    d = desc_new(t, SVMDEMO_OP_FILL, 0, hole + 8, 8);
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, hole + 8);
    g_assert_cmpuint(t->groups->len, ==, 1);
    g_assert_cmpuint(group_get(t, 0)->code, ==, SVM_RESP_INVALID);

    /* the interrupt window is never translated, even when mapped */
    pt_map(t, t->sva, irq_va, svm_alloc(t, SVM_PG, SVM_PG), 1, SVM_PROT_W);
    d = desc_new(t, SVMDEMO_OP_FILL, 0, irq_va, 8);
    d.flags = SVMDEMO_DESC_F_NO_PRI;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, irq_va);

    /* a hole in the second window: the first one is done */
    pt_unmap(t, t->sva, va2 + SVM_WINDOW + 2 * SVM_PG, 1);
    d = desc_new(t, SVMDEMO_OP_FILL, 0, va2, 2 * SVM_WINDOW);
    d.flags = SVMDEMO_DESC_F_NO_PRI;
    d.operand = UINT64_MAX;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true,
                va2 + SVM_WINDOW + 2 * SVM_PG);
    g_assert_cmpuint(c.bytes_done, <=, SVM_WINDOW + 2 * SVM_PG);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va2), 0xff, c.bytes_done));
}

static void test_desc_perm(Svm *t)
{
    uint64_t ro = SVM_VA_BASE, rw = sva_buf(t, MiB, SVM_PG);
    struct svmdemo_desc d;
    SvmCmpl c;

    vma_add(t, t->sva, ro, 2 * SVM_PG, SVM_PROT_POPULATE);
    d = desc_new(t, SVMDEMO_OP_FILL, 0, ro + 16, 16);
    d.flags = SVMDEMO_DESC_F_NO_PRI;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PERM, true, ro + 16);
    /* with PRI: a write request, refused (read-only VMA) */
    d.flags = 0;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PERM, true, ro + 16);
    g_assert_cmpuint(t->groups->len, ==, 1);
    g_assert(group_get(t, 0)->write);
    /* reading is fine, copying into it is not */
    d = desc_new(t, SVMDEMO_OP_COPY, ro, rw, SVM_PG);
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);
    d = desc_new(t, SVMDEMO_OP_COPY, rw, ro + SVM_PG, SVM_PG);
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PERM, true, ro + SVM_PG);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, ro), 0, 2 * SVM_PG));
}

/* The IOMMU refuses translated requests: no DTE in the context entry */
static void test_desc_dma_error(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va + 64, 64);
    SvmCmpl c;

    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_DMA_ERROR, true, va + 64);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, 1);
    d = desc_new(t, SVMDEMO_OP_CRC32C, va, 0, 64);
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_DMA_ERROR, false, va);
    g_assert_cmpuint(cnt_status(t, SVMDEMO_STS_DMA_ERROR), ==, 2);
}

/* A translation to an address where nothing is */
static void test_desc_dma_error_nowhere(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 64);
    SvmCmpl c;

    pt_map(t, t->sva, va, SVM_PA_NOWHERE, 1, SVM_PROT_W);
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_DMA_ERROR, true, va);
}

/* ------------------------------------------------------------------ */
/* Opcodes (docs 8.1)                                                 */
/* ------------------------------------------------------------------ */

static void test_ops_fill(Svm *t)
{
    uint64_t len = 3 * SVM_WINDOW + 1000, off = 0x123;
    uint64_t va = sva_buf(t, 0, 4 * SVM_WINDOW);
    uint64_t pa = va_to_pa(t->sva, va);
    uint64_t pattern = 0x0123456789abcdefULL;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va + off, len);
    g_autofree uint8_t *want = g_malloc(len);
    SvmCmpl c;
    uint64_t i;

    qtest_memset(t->qts, pa, 0xee, 4 * SVM_WINDOW);
    for (i = 0; i < len; i++) {
        want[i] = pattern >> (8 * (i % 8));
    }
    d.operand = pattern;
    d.src = UINT64_MAX;                 /* unused: ignored */
    cnt_clear(t);
    c = run(t, &d);
    check_success(&c, len);
    g_assert_cmphex(c.result, ==, 0);
    g_assert(svm_mem_equals(t, pa + off, want, len));
    g_assert(svm_mem_is(t, pa, 0xee, off));
    g_assert(svm_mem_is(t, pa + off + len, 0xee, 64));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_BYTES), ==, len);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 1);
    g_assert_cmpuint(cnt_status(t, SVMDEMO_STS_SUCCESS), ==, 1);
}

static void test_ops_copy(Svm *t)
{
    uint64_t len = 150000;
    uint64_t src = sva_buf(t, 0, 3 * SVM_WINDOW);
    uint64_t dst = sva_buf(t, MiB, 3 * SVM_WINDOW);
    g_autofree uint8_t *data = g_malloc(len);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_COPY, src + 0x10,
                                     dst + 0x7f3, len);
    SvmCmpl c;

    svm_fill_random(data, len, 1);
    qtest_memwrite(t->qts, va_to_pa(t->sva, src) + 0x10, data, len);
    c = run(t, &d);
    check_success(&c, len);
    g_assert(svm_mem_equals(t, va_to_pa(t->sva, dst) + 0x7f3, data, len));
    g_assert(svm_mem_is(t, va_to_pa(t->sva, dst), 0, 0x7f3));
    g_assert(svm_mem_is(t, va_to_pa(t->sva, dst) + 0x7f3 + len, 0, 64));
}

static void test_ops_compare(Svm *t)
{
    uint64_t len = 100000;
    uint64_t a = sva_buf(t, 0, 2 * SVM_WINDOW);
    uint64_t b = sva_buf(t, MiB, 2 * SVM_WINDOW);
    g_autofree uint8_t *data = g_malloc(len);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_COMPARE, a, b, len);
    SvmCmpl c;

    svm_fill_random(data, len, 2);
    qtest_memwrite(t->qts, va_to_pa(t->sva, a), data, len);
    qtest_memwrite(t->qts, va_to_pa(t->sva, b), data, len);
    c = run(t, &d);
    check_success(&c, len);
    g_assert_cmphex(c.result, ==, 0);

    /* the offset of the first difference, in the second window */
    qtest_writeb(t->qts, va_to_pa(t->sva, b) + 70001, ~data[70001]);
    qtest_writeb(t->qts, va_to_pa(t->sva, b) + 90000, ~data[90000]);
    d.cookie++;
    c = run_expect(t, &d, SVMDEMO_STS_MISMATCH);
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_MISMATCH | SVMDEMO_CMPL_DONE);
    g_assert_cmpuint(c.result, ==, 70001);
    g_assert_cmpuint(c.bytes_done, <=, 70001);
    g_assert_cmphex(c.fault_addr, ==, 0);
    /* and in the first byte */
    qtest_writeb(t->qts, va_to_pa(t->sva, a), ~data[0]);
    d.cookie++;
    c = run_expect(t, &d, SVMDEMO_STS_MISMATCH);
    g_assert_cmpuint(c.result, ==, 0);
}

static void test_ops_crc32c(Svm *t)
{
    static const char check[] = "123456789";
    uint64_t len = 100000;
    uint64_t va = sva_buf(t, 0, 2 * SVM_WINDOW);
    g_autofree uint8_t *data = g_malloc(len);
    struct svmdemo_desc d;
    SvmCmpl c;

    qtest_memwrite(t->qts, va_to_pa(t->sva, va) + 5, check, 9);
    d = desc_new(t, SVMDEMO_OP_CRC32C, va + 5, 0, 9);
    c = run(t, &d);
    check_success(&c, 9);
    g_assert_cmphex(c.result, ==, 0xe3069283);
    g_assert_cmphex(svm_crc32c((const uint8_t *)check, 9), ==, 0xe3069283);

    svm_fill_random(data, len, 3);
    qtest_memwrite(t->qts, va_to_pa(t->sva, va), data, len);
    d = desc_new(t, SVMDEMO_OP_CRC32C, va, 0, len);
    c = run(t, &d);
    check_success(&c, len);
    g_assert_cmphex(c.result, ==, svm_crc32c(data, len));
    g_assert_cmphex(c.result & ~SVMDEMO_CRC32C_MASK, ==, 0);
    /* the CRC of nothing */
    d = desc_new(t, SVMDEMO_OP_CRC32C, va, 0, 0);
    c = run(t, &d);
    g_assert_cmphex(c.result, ==, 0);
}

static void test_ops_write_pattern(Svm *t)
{
    uint64_t len = 70000;
    uint64_t va = sva_buf(t, 0, 2 * SVM_WINDOW);
    g_autofree uint8_t *want = g_malloc(len);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_WRITE_PATTERN, 0, va + 3,
                                     len);
    SvmCmpl c;

    svm_pattern(want, len);
    c = run(t, &d);
    check_success(&c, len);
    g_assert(svm_mem_equals(t, va_to_pa(t->sva, va) + 3, want, len));
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0, 3));
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va) + 3 + len, 0, 64));
}

static void test_ops_read_crc8(Svm *t)
{
    uint64_t len = 5000;
    uint64_t va = sva_buf(t, 0, 2 * SVM_PG);
    uint8_t data[5000], crc;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_READ_CRC8, va, 0, len);
    SvmCmpl c;

    svm_fill_random(data, len, 4);
    crc = svm_crc8(data, len);
    qtest_memwrite(t->qts, va_to_pa(t->sva, va), data, len);
    d.operand = crc | 0xabcd00;             /* only bits 7:0 count */
    c = run(t, &d);
    check_success(&c, len);
    g_assert_cmphex(c.result, ==, crc);
    d.operand = crc ^ 1;
    d.cookie++;
    c = run_expect(t, &d, SVMDEMO_STS_MISMATCH);
    g_assert_cmphex(c.result, ==, crc);
    g_assert_cmphex(c.fault_addr, ==, 0);
}

static void test_ops_noop(Svm *t)
{
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_NOOP, UINT64_MAX, 1234, 0);
    SvmCmpl c;

    d.operand = UINT64_MAX;
    cnt_clear(t);
    c = run(t, &d);
    check_success(&c, 0);
    g_assert_cmphex(c.result, ==, 0);
    d.pasid = 0;
    d.cookie = UINT64_MAX;
    c = run(t, &d);
    check_success(&c, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 2);
}

/* Without PASID: IOVAs of the default domain, plain DMA */
static void test_ops_no_pasid(Svm *t)
{
    uint64_t a = svm_alloc(t, 2 * SVM_PG, SVM_PG);
    uint64_t b = svm_alloc(t, 2 * SVM_PG, SVM_PG);
    uint64_t cr = svm_alloc(t, SVM_PG, SVM_PG);
    uint8_t data[2 * SVM_PG];
    struct svmdemo_desc d;
    SvmCmpl c;

    svm_fill_random(data, sizeof(data), 5);
    qtest_memwrite(t->qts, a, data, sizeof(data));
    cnt_clear(t);
    d = desc_new(t, SVMDEMO_OP_COPY, a, b, sizeof(data));
    d.pasid = 0;
    /* the translation flags mean nothing without PASID */
    d.flags = SVMDEMO_DESC_F_NO_PRI | SVMDEMO_DESC_F_UNTRANSLATED |
              SVMDEMO_DESC_F_CR_USER;
    d.cr_addr = cr;
    c = run(t, &d);
    check_success(&c, sizeof(data));
    g_assert(svm_mem_equals(t, b, data, sizeof(data)));
    g_assert(svm_mem_is(t, cr, 0, SVM_PG));
    d = desc_new(t, SVMDEMO_OP_CRC32C, b, 0, sizeof(data));
    d.pasid = 0;
    c = run(t, &d);
    g_assert_cmphex(c.result, ==, svm_crc32c(data, sizeof(data)));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, 0);

    /* an IOVA the default domain does not map */
    d = desc_new(t, SVMDEMO_OP_FILL, 0, SVM_IOVA_HOLE + 8, 8);
    d.pasid = 0;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, SVM_IOVA_HOLE + 8);
    d = desc_new(t, SVMDEMO_OP_CRC32C, SVM_IOVA_HOLE, 0, 8);
    d.pasid = 0;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, false, SVM_IOVA_HOLE);
    /* the fault is at the first unmapped page */
    d = desc_new(t, SVMDEMO_OP_FILL, 0, SVM_IDMAP_END - SVM_PG, 2 * SVM_PG);
    d.pasid = 0;
    c = run(t, &d);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, SVM_IDMAP_END);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_REQ), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Completion records in user memory (docs 9, 9.1)                    */
/* ------------------------------------------------------------------ */

static void check_user_record(Svm *t, uint64_t cr_va, const SvmCmpl *ring)
{
    SvmCmpl u;

    cmpl_read_at(t, va_to_pa(t->sva, cr_va), &u);
    g_assert_cmphex(u.status, ==, ring->status);
    g_assert_cmpuint(u.bytes_done, ==, ring->bytes_done);
    g_assert_cmphex(u.result, ==, ring->result);
    g_assert_cmphex(u.fault_addr, ==, ring->fault_addr);
    g_assert_cmphex(u.cookie, ==, ring->cookie);
}

static void test_cr_user(Svm *t)
{
    uint64_t data = sva_buf(t, 0, SVM_PG), cr = sva_buf(t, MiB, SVM_PG);
    uint64_t lazy = SVM_VA_BASE + 2 * MiB;
    struct svmdemo_desc d;
    SvmCmpl c;

    qtest_memset(t->qts, va_to_pa(t->sva, data), 0x5a, SVM_PG);
    d = desc_new(t, SVMDEMO_OP_CRC32C, data, 0, SVM_PG);
    d.flags = SVMDEMO_DESC_F_CR_USER;
    d.cr_addr = cr + SVMDEMO_CMPL_SIZE;
    c = run(t, &d);
    check_success(&c, SVM_PG);
    check_user_record(t, d.cr_addr, &c);

    /* the same through the untranslated path */
    d.flags |= SVMDEMO_DESC_F_UNTRANSLATED;
    d.cr_addr = cr + 2 * SVMDEMO_CMPL_SIZE;
    d.cookie++;
    c = run(t, &d);
    check_success(&c, SVM_PG);
    check_user_record(t, d.cr_addr, &c);

    /* a record page that must be faulted in */
    vma_add(t, t->sva, lazy, SVM_PG, SVM_PROT_W);
    d.flags = SVMDEMO_DESC_F_CR_USER;
    d.cr_addr = lazy + 3 * SVMDEMO_CMPL_SIZE;
    d.cookie++;
    c = run(t, &d);
    check_success(&c, SVM_PG);
    check_user_record(t, d.cr_addr, &c);
    g_assert_cmpuint(t->groups->len, ==, 1);
    g_assert(group_get(t, 0)->write);
}

/* Failed checks write the user record too, except RESERVED and BAD_PASID */
static void test_cr_user_checks(Svm *t)
{
    uint64_t data = sva_buf(t, 0, SVM_PG), cr = sva_buf(t, MiB, SVM_PG);
    struct svmdemo_desc d;
    SvmCmpl c;

    qtest_memset(t->qts, va_to_pa(t->sva, data), 0x5a, SVM_PG);
    d = desc_new(t, SVMDEMO_OP_NR, 0, 0, 0);
    d.flags = SVMDEMO_DESC_F_CR_USER;
    d.cr_addr = cr + 4 * SVMDEMO_CMPL_SIZE;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_BAD_OPCODE);
    check_user_record(t, d.cr_addr, &c);
    d = desc_new(t, SVMDEMO_OP_FILL, 0, data, 8);
    d.flags = SVMDEMO_DESC_F_CR_USER | SVMDEMO_DESC_F_PRIV;
    d.cr_addr = cr + 5 * SVMDEMO_CMPL_SIZE;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_PRIV);
    check_user_record(t, d.cr_addr, &c);
    d.flags = SVMDEMO_DESC_F_CR_USER;
    d.len = SVMDEMO_MAX_XFER_BYTES + 1ULL;
    d.cr_addr = cr + 7 * SVMDEMO_CMPL_SIZE;
    d.cookie++;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_LENGTH);
    check_user_record(t, d.cr_addr, &c);
    d.flags = SVMDEMO_DESC_F_CR_USER | SVMDEMO_DESC_F_FENCE;
    d.len = 8;
    d.cr_addr = cr + 8 * SVMDEMO_CMPL_SIZE;
    d.cookie++;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_ABORTED);
    check_user_record(t, d.cr_addr, &c);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, data), 0x5a, 8));
    d.flags = SVMDEMO_DESC_F_CR_USER;
    d.pasid = SVM_PV(0);
    d.cr_addr = cr + 6 * SVMDEMO_CMPL_SIZE;
    d.cookie++;
    c = run(t, &d);
    check_rejected(&c, SVMDEMO_STS_BAD_PASID);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, d.cr_addr), 0,
                        SVMDEMO_CMPL_SIZE));
}

/* The IOMMU refuses the user record: the job takes the write's status */
static void test_cr_user_refused(Svm *t)
{
    uint64_t data = sva_buf(t, 0, SVM_PG), ro = SVM_VA_BASE + MiB;
    uint64_t hole = SVM_VA_BASE + GiB;
    struct svmdemo_desc d;
    uint8_t buf[SVM_PG];
    SvmCmpl c;

    vma_add(t, t->sva, ro, SVM_PG, SVM_PROT_POPULATE);
    svm_fill_random(buf, sizeof(buf), 6);
    qtest_memwrite(t->qts, va_to_pa(t->sva, data), buf, sizeof(buf));

    /* read-only record page, NO_PRI: PERM at cr_addr, data described */
    d = desc_new(t, SVMDEMO_OP_CRC32C, data, 0, SVM_PG);
    d.flags = SVMDEMO_DESC_F_CR_USER | SVMDEMO_DESC_F_NO_PRI;
    d.cr_addr = ro + SVMDEMO_CMPL_SIZE;
    c = run(t, &d);
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_PERM | SVMDEMO_CMPL_DONE |
                    SVMDEMO_CMPL_FAULT_WRITE | SVMDEMO_CMPL_CR_USER_FAILED);
    g_assert_cmphex(c.fault_addr, ==, d.cr_addr);
    g_assert_cmpuint(c.bytes_done, ==, SVM_PG);
    g_assert_cmphex(c.result, ==, svm_crc32c(buf, sizeof(buf)));

    /* the same with PRI: the OS refuses the write */
    d.flags = SVMDEMO_DESC_F_CR_USER;
    d.cookie++;
    c = run(t, &d);
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_PERM | SVMDEMO_CMPL_DONE |
                    SVMDEMO_CMPL_FAULT_WRITE | SVMDEMO_CMPL_CR_USER_FAILED);
    g_assert_cmphex(c.fault_addr, ==, d.cr_addr);

    /* no memory there at all */
    d.cr_addr = hole;
    d.cookie++;
    c = run(t, &d);
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_PAGE_FAULT |
                    SVMDEMO_CMPL_DONE | SVMDEMO_CMPL_FAULT_WRITE |
                    SVMDEMO_CMPL_CR_USER_FAILED);
    g_assert_cmphex(c.fault_addr, ==, hole);
    g_assert_cmphex(c.result, ==, svm_crc32c(buf, sizeof(buf)));

    /* a job that failed keeps its own status */
    d = desc_new(t, SVMDEMO_OP_READ_CRC8, data, 0, SVM_PG);
    d.operand = svm_crc8(buf, sizeof(buf)) ^ 1;
    d.flags = SVMDEMO_DESC_F_CR_USER | SVMDEMO_DESC_F_NO_PRI;
    d.cr_addr = ro;
    c = run(t, &d);
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_MISMATCH | SVMDEMO_CMPL_DONE |
                    SVMDEMO_CMPL_CR_USER_FAILED);
    g_assert_cmphex(c.result, ==, svm_crc8(buf, sizeof(buf)));
    g_assert_cmphex(c.fault_addr, ==, 0);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, ro), 0, SVM_PG));
}

/* The user record page never comes (pri-timeout-ms=100) */
static void test_cr_user_timeout(Svm *t)
{
    uint64_t cr = SVM_VA_BASE;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    SvmCmpl c;

    vma_add(t, t->sva, cr, SVM_PG, SVM_PROT_W);
    t->hold = true;
    d.flags = SVMDEMO_DESC_F_CR_USER;
    d.cr_addr = cr;
    c = run(t, &d);
    /*
     * The job had succeeded: it takes the status of the record's write;
     * TIMEOUT carries no address (docs 9).
     */
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_TIMEOUT |
                    SVMDEMO_CMPL_CR_USER_FAILED | SVMDEMO_CMPL_DONE);
    g_assert_cmphex(c.fault_addr, ==, 0);
}

/* ------------------------------------------------------------------ */
/* Queues (docs 7)                                                    */
/* ------------------------------------------------------------------ */

static void test_queue_bad_config(Svm *t)
{
    uint32_t max = dev_rd32(t, SVMDEMO_RING_SIZE_MAX);
    uint64_t desc = svm_alloc(t, max * SVMDEMO_DESC_SIZE, SVM_PG);
    uint64_t cmpl = svm_alloc(t, max * SVMDEMO_CMPL_SIZE, SVM_PG);
    const struct {
        uint64_t desc, cmpl;
        uint32_t size;
    } bad[] = {
        { desc, cmpl, 0 },
        { desc, cmpl, 1 },
        { desc, cmpl, 3 },
        { desc, cmpl, 2 * max },
        { desc, cmpl, UINT32_MAX },
        { desc + SVMDEMO_DESC_SIZE / 2, cmpl, SVM_RING },
        { desc, cmpl + SVMDEMO_CMPL_SIZE / 2, SVM_RING },
    };
    const uint32_t good[] = { SVMDEMO_RING_SIZE_MIN, max };
    unsigned i, qi = 1;

    cnt_clear(t);
    for (i = 0; i < ARRAY_SIZE(bad); i++) {
        queue_reset(t, qi);
        queue_program(t, qi, bad[i].desc, bad[i].cmpl, bad[i].size);
        q_wr(t, qi, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_ENABLE);
        g_assert_cmpuint(queue_wait_error(t, qi), ==,
                         SVMDEMO_QERR_BAD_CONFIG);
        /* the configuration is locked in ERROR */
        q_wr(t, qi, SVMDEMO_Q_SIZE, SVM_RING);
        g_assert_cmphex(q_rd(t, qi, SVMDEMO_Q_SIZE), ==, bad[i].size);
        /* ENABLE again does not leave ERROR either */
        q_wr(t, qi, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_ENABLE);
        g_assert(queue_status(t, qi) & SVMDEMO_Q_STATUS_ERROR);
        check_queue_works(t, 0);
        queue_recover(t, qi);
        g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS) &
                        SVMDEMO_INTR_ERROR, ==, 0);
    }
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ERRORS), ==, ARRAY_SIZE(bad));
    for (i = 0; i < ARRAY_SIZE(good); i++) {
        queue_reset(t, qi);
        queue_program(t, qi, desc, cmpl, good[i]);
        queue_enable(t, qi);
        check_queue_works(t, qi);
    }
}

static void test_queue_desc_fetch(Svm *t)
{
    unsigned qi = 1;

    queue_reset(t, qi);
    queue_program(t, qi, SVM_IOVA_HOLE, svm_alloc(t, SVM_PG, SVM_PG),
                  SVM_RING);
    queue_enable(t, qi);
    q_wr(t, qi, SVMDEMO_Q_TAIL, 1);
    g_assert_cmpuint(queue_wait_error(t, qi), ==, SVMDEMO_QERR_DESC_FETCH);
    g_assert_cmpuint(q_rd(t, qi, SVMDEMO_Q_HEAD), ==, 0);
    /* only the broken queue halted */
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_QUEUE), ==, 1u << qi);
    check_queue_works(t, 0);
    check_queue_works(t, 2);
    queue_recover(t, qi);
    queue_setup(t, qi, SVM_RING);
    check_queue_works(t, qi);
}

static void test_queue_cmpl_write(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 8);
    unsigned qi = 2;

    d.operand = UINT64_MAX;
    queue_reset(t, qi);
    queue_program(t, qi, svm_alloc(t, SVM_PG, SVM_PG), SVM_IOVA_HOLE,
                  SVM_RING);
    queue_enable(t, qi);
    cnt_clear(t);
    desc_submit(t, qi, &d);
    g_assert_cmpuint(queue_wait_error(t, qi), ==, SVMDEMO_QERR_CMPL_WRITE);
    /* the job ran, its completion did not count */
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0xff, 8));
    g_assert_cmpuint(q_rd(t, qi, SVMDEMO_Q_HEAD), ==, 0);
    g_assert_cmpuint(q_rd(t, qi, SVMDEMO_Q_COMPLETED), ==, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ERRORS), ==, 1);
    check_queue_works(t, 0);
    queue_recover(t, qi);
    queue_setup(t, qi, SVM_RING);
    check_queue_works(t, qi);
}

static void test_queue_bad_tail(Svm *t)
{
    unsigned qi = 3;

    q_wr(t, qi, SVMDEMO_Q_TAIL, SVM_RING);
    g_assert_cmpuint(queue_wait_error(t, qi), ==, SVMDEMO_QERR_BAD_TAIL);
    g_assert_cmpuint(q_rd(t, qi, SVMDEMO_Q_TAIL), ==, 0);
    check_queue_works(t, 0);
    queue_recover(t, qi);
    queue_enable(t, qi);
    check_queue_works(t, qi);
    /* SIZE - 1 is a valid TAIL: the zeroed ring runs NOOPs */
    q_wr(t, qi, SVMDEMO_Q_TAIL, SVM_RING - 1);
    SVM_WAIT(t, q_rd(t, qi, SVMDEMO_Q_HEAD) == SVM_RING - 1);
    g_assert_cmphex(queue_status(t, qi), ==, SVMDEMO_Q_STATUS_ENABLED);
    g_assert_cmpuint(q_rd(t, qi, SVMDEMO_Q_COMPLETED), ==, SVM_RING - 1);
}

static void test_queue_doorbell_disabled(Svm *t)
{
    unsigned qi = 1;

    queue_reset(t, qi);
    q_wr(t, qi, SVMDEMO_Q_TAIL, 1);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_CAUSE), ==,
                    SVMDEMO_ERR_DOORBELL_DISABLED);
    g_assert(dev_rd32(t, SVMDEMO_INTR_STATUS) & SVMDEMO_INTR_ERROR);
    /* ignored: no halt, nothing queued */
    g_assert_cmphex(queue_status(t, qi), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_QUEUE), ==, 0);
    g_assert_cmpuint(q_rd(t, qi, SVMDEMO_Q_TAIL), ==, 0);
    dev_wr32(t, SVMDEMO_ERR_CAUSE, SVMDEMO_ERR_DOORBELL_DISABLED);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_CAUSE), ==, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS) & SVMDEMO_INTR_ERROR,
                    ==, 0);
    queue_enable(t, qi);
    check_queue_works(t, qi);
}

/* Two queues halted, the two others run jobs side by side */
static void test_queue_isolation(Svm *t)
{
    uint64_t a = sva_buf(t, 0, SVM_WINDOW), b = sva_buf(t, MiB, SVM_WINDOW);
    struct svmdemo_desc da = desc_new(t, SVMDEMO_OP_FILL, 0, a, SVM_WINDOW);
    struct svmdemo_desc db = desc_new(t, SVMDEMO_OP_FILL, 0, b, SVM_WINDOW);
    uint32_t sa, sb;
    SvmCmpl c;

    q_wr(t, 1, SVMDEMO_Q_TAIL, SVM_RING);
    queue_reset(t, 2);
    queue_program(t, 2, SVM_IOVA_HOLE, t->q[2].cmpl, SVM_RING);
    queue_enable(t, 2);
    q_wr(t, 2, SVMDEMO_Q_TAIL, 1);
    g_assert_cmpuint(queue_wait_error(t, 1), ==, SVMDEMO_QERR_BAD_TAIL);
    g_assert_cmpuint(queue_wait_error(t, 2), ==, SVMDEMO_QERR_DESC_FETCH);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_QUEUE), ==, 0x6);

    da.operand = 0x1111111111111111ULL;
    db.operand = 0x3333333333333333ULL;
    sa = desc_submit(t, 0, &da);
    sb = desc_submit(t, 3, &db);
    c = cmpl_wait(t, 0, sa);
    check_success(&c, SVM_WINDOW);
    c = cmpl_wait(t, 3, sb);
    check_success(&c, SVM_WINDOW);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, a), 0x11, SVM_WINDOW));
    g_assert(svm_mem_is(t, va_to_pa(t->sva, b), 0x33, SVM_WINDOW));
    queue_recover(t, 1);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_QUEUE), ==, 0x4);
    queue_recover(t, 2);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_QUEUE), ==, 0);
}

/* RESET while the job waits for a page request: no record, no DMA */
static void test_queue_reset(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVM_PG);
    uint32_t slot;
    SvmCmpl c;

    vma_add(t, t->sva, va, 2 * SVM_PG, SVM_PROT_W);
    t->hold = true;
    d.operand = UINT64_MAX;
    slot = desc_submit(t, 0, &d);
    group_wait(t, 1);
    g_assert_cmphex(queue_status(t, 0), ==,
                    SVMDEMO_Q_STATUS_ENABLED | SVMDEMO_Q_STATUS_BUSY);
    queue_reset(t, 0);
    g_assert_cmphex(queue_status(t, 0), ==, 0);
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_HEAD), ==, 0);
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_TAIL), ==, 0);
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_COMPLETED), ==, 0);
    /* the base and size registers keep their values */
    g_assert_cmphex(q_rd(t, 0, SVMDEMO_Q_DESC_LO), ==, (uint32_t)t->q[0].desc);
    g_assert_cmphex(q_rd(t, 0, SVMDEMO_Q_CMPL_LO), ==, (uint32_t)t->q[0].cmpl);
    g_assert_cmphex(q_rd(t, 0, SVMDEMO_Q_SIZE), ==, SVM_RING);
    /* the answer comes too late: absorbed */
    group_answer(t, 0, SVM_RESP_SUCCESS);
    svm_sleep_ms(20);
    g_assert(!cmpl_done(t, 0, slot));
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0, SVM_PG));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 0);

    t->hold = false;
    queue_enable(t, 0);
    d.dst = va + SVM_PG;
    c = run(t, &d);
    check_success(&c, SVM_PG);
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_HEAD), ==, 1);
}

/* DISABLE drains what was posted and refuses new doorbells */
static void test_queue_drain(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    struct svmdemo_desc d[3];
    SvmCmpl c;
    unsigned i;

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W);
    t->hold = true;
    d[0] = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVM_PG);
    d[1] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d[2] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    for (i = 0; i < 3; i++) {
        desc_post(t, 0, &d[i]);
    }
    queue_doorbell(t, 0);
    group_wait(t, 1);
    q_wr(t, 0, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_DISABLE);
    g_assert_cmphex(queue_status(t, 0), ==, SVMDEMO_Q_STATUS_ENABLED |
                    SVMDEMO_Q_STATUS_BUSY | SVMDEMO_Q_STATUS_DRAINING);
    /* a doorbell while draining is ignored */
    desc_post(t, 0, &d[1]);
    queue_doorbell(t, 0);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_CAUSE), ==,
                    SVMDEMO_ERR_DOORBELL_DISABLED);
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_TAIL), ==, 3);

    group_answer(t, 0, SVM_RESP_SUCCESS);
    for (i = 0; i < 3; i++) {
        c = cmpl_wait(t, 0, i);
        g_assert_cmphex(SVM_CODE(c), ==, SVMDEMO_STS_SUCCESS);
    }
    SVM_WAIT(t, queue_status(t, 0) == 0);
    g_assert(!cmpl_done(t, 0, 3));
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_COMPLETED), ==, 3);
    /* an idle queue disables at once */
    t->hold = false;
    queue_enable(t, 0);
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_COMPLETED), ==, 0);
    check_queue_works(t, 0);
    q_wr(t, 0, SVMDEMO_Q_CTRL, SVMDEMO_Q_CTRL_DISABLE);
    g_assert_cmphex(queue_status(t, 0), ==, 0);
}

static void test_queue_wrap(Svm *t)
{
    struct svmdemo_desc d[3];
    SvmCmpl c[3];
    unsigned i;

    queue_setup(t, 0, 4);
    /* SIZE - 1 descriptors at once */
    for (i = 0; i < 3; i++) {
        d[i] = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    }
    run_batch(t, 0, d, 3, c);
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_HEAD), ==, 3);
    for (i = 0; i < 10; i++) {
        check_queue_works(t, 0);
        g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_HEAD), ==, (4 + i) % 4);
        g_assert_cmphex(queue_status(t, 0), ==, SVMDEMO_Q_STATUS_ENABLED);
    }
    g_assert_cmpuint(q_rd(t, 0, SVMDEMO_Q_COMPLETED), ==, 13);
}

/* Every queue at once, each with several jobs */
static void test_queue_concurrent(Svm *t)
{
    enum { JOBS = 8 };
    uint64_t va = sva_buf(t, 0, t->nqueues * JOBS * SVM_PG);
    uint64_t pa = va_to_pa(t->sva, va);
    unsigned qi, j;
    SvmCmpl c;

    for (qi = 0; qi < t->nqueues; qi++) {
        for (j = 0; j < JOBS; j++) {
            uint64_t off = (qi * JOBS + j) * SVM_PG;
            struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0,
                                             va + off, SVM_PG);

            d.operand = 0x0101010101010101ULL * (qi * JOBS + j + 1);
            desc_post(t, qi, &d);
        }
    }
    for (qi = 0; qi < t->nqueues; qi++) {
        queue_doorbell(t, qi);
    }
    for (qi = 0; qi < t->nqueues; qi++) {
        for (j = 0; j < JOBS; j++) {
            c = cmpl_wait(t, qi, j);
            check_success(&c, SVM_PG);
            g_assert(svm_mem_is(t, pa + (qi * JOBS + j) * SVM_PG,
                                qi * JOBS + j + 1, SVM_PG));
        }
        g_assert_cmpuint(q_rd(t, qi, SVMDEMO_Q_COMPLETED), ==, JOBS);
    }
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                    (1u << t->nqueues) - 1);
    for (qi = 0; qi < t->nqueues; qi++) {
        dev_wr32(t, SVMDEMO_INTR_STATUS, SVMDEMO_INTR_QUEUE(qi));
        g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                        ((1u << t->nqueues) - 1) & ~((2u << qi) - 1));
    }
}

/* ------------------------------------------------------------------ */
/* Interrupts (docs 6)                                                */
/* ------------------------------------------------------------------ */

static void msix_vector_set(Svm *t, unsigned v, uint64_t addr, uint32_t data,
                            bool masked)
{
    uint64_t off = t->dev->msix_table_off + v * PCI_MSIX_ENTRY_SIZE;
    QPCIBar bar = t->dev->msix_table_bar;

    qpci_io_writel(t->dev, bar, off + PCI_MSIX_ENTRY_LOWER_ADDR, addr);
    qpci_io_writel(t->dev, bar, off + PCI_MSIX_ENTRY_UPPER_ADDR, addr >> 32);
    qpci_io_writel(t->dev, bar, off + PCI_MSIX_ENTRY_DATA, data);
    qpci_io_writel(t->dev, bar, off + PCI_MSIX_ENTRY_VECTOR_CTRL,
                   masked ? PCI_MSIX_ENTRY_CTRL_MASKBIT : 0);
}

/* Which vectors are pending, as a bit mask */
static uint32_t msix_pending(Svm *t)
{
    uint32_t mask = 0;
    unsigned v;

    for (v = 0; v < SVMDEMO_MSIX_NR_VECS(t->nqueues); v++) {
        if (qpci_msix_pending(t->dev, v)) {
            mask |= 1u << v;
        }
    }
    return mask;
}

/* Masked MSI-X vectors: the pending bits show what was signalled */
static void test_irq_msix(Svm *t)
{
    unsigned err = SVMDEMO_MSIX_VEC_ERROR(t->nqueues);
    uint64_t msg = svm_alloc(t, SVM_PG, SVM_PG);
    struct svmdemo_desc d;
    unsigned v;

    qpci_msix_enable(t->dev);
    g_assert_cmpuint(qpci_msix_table_size(t->dev), ==,
                     SVMDEMO_MSIX_NR_VECS(t->nqueues));
    for (v = 0; v < SVMDEMO_MSIX_NR_VECS(t->nqueues); v++) {
        g_assert(qpci_msix_masked(t->dev, v));
    }
    g_assert_cmphex(msix_pending(t), ==, 0);

    check_queue_works(t, 2);
    g_assert_cmphex(msix_pending(t), ==, 1u << SVMDEMO_MSIX_VEC_QUEUE(2));
    /* NO_IRQ: the status bit, no interrupt */
    d = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d.flags = SVMDEMO_DESC_F_NO_IRQ;
    run_on(t, 3, &d);
    g_assert_cmphex(msix_pending(t), ==, 1u << SVMDEMO_MSIX_VEC_QUEUE(2));
    g_assert(dev_rd32(t, SVMDEMO_INTR_STATUS) & SVMDEMO_INTR_QUEUE(3));
    /* errors: the last vector */
    queue_reset(t, 1);
    q_wr(t, 1, SVMDEMO_Q_TAIL, 1);
    g_assert_cmphex(msix_pending(t), ==,
                    (1u << SVMDEMO_MSIX_VEC_QUEUE(2)) | (1u << err));
    /* compat commands: vector 0 */
    compat_setup(t, SVMDEMO_COMPAT_PASID_DISABLE, msg, 0, 0);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==, 0);
    g_assert_cmphex(msix_pending(t), ==, (1u << 0) |
                    (1u << SVMDEMO_MSIX_VEC_QUEUE(2)) | (1u << err));

    /* unmasking delivers the pending message (to memory, via the IOMMU) */
    msix_vector_set(t, 2, msg, 0xcafe, false);
    g_assert_cmphex(qtest_readl(t->qts, msg), ==, 0xcafe);
    g_assert(!qpci_msix_pending(t->dev, 2));
    qtest_writel(t->qts, msg, 0);
    check_queue_works(t, 2);
    g_assert_cmphex(qtest_readl(t->qts, msg), ==, 0xcafe);
    g_assert(!qpci_msix_pending(t->dev, 2));
    qpci_msix_disable(t->dev);
}

/* Enable plain MSI with message data 0x4d53 written to a fresh page */
static uint64_t msi_enable(Svm *t)
{
    uint64_t msg = svm_alloc(t, SVM_PG, SVM_PG);
    uint8_t cap = SVMDEMO_CFG_MSI;
    uint16_t flags = qpci_config_readw(t->dev, cap + PCI_MSI_FLAGS);

    g_assert(flags & PCI_MSI_FLAGS_64BIT);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_LO, msg);
    qpci_config_writel(t->dev, cap + PCI_MSI_ADDRESS_HI, msg >> 32);
    qpci_config_writew(t->dev, cap + PCI_MSI_DATA_64, 0x4d53);
    qpci_config_writew(t->dev, cap + PCI_MSI_FLAGS,
                       flags | PCI_MSI_FLAGS_ENABLE);
    return msg;
}

/* Plain MSI: one vector for everything */
static void test_irq_msi(Svm *t)
{
    uint64_t msg = msi_enable(t);
    struct svmdemo_desc d;

    check_queue_works(t, 2);
    g_assert_cmphex(qtest_readl(t->qts, msg), ==, 0x4d53);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                    SVMDEMO_INTR_QUEUE(2));
    /* NO_IRQ: status only */
    qtest_writel(t->qts, msg, 0);
    d = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    d.flags = SVMDEMO_DESC_F_NO_IRQ;
    run_on(t, 1, &d);
    svm_sleep_ms(10);
    g_assert_cmphex(qtest_readl(t->qts, msg), ==, 0);
    g_assert(dev_rd32(t, SVMDEMO_INTR_STATUS) & SVMDEMO_INTR_QUEUE(1));
    /* an error is signalled on the same vector */
    queue_reset(t, 3);
    q_wr(t, 3, SVMDEMO_Q_TAIL, 1);
    g_assert_cmphex(qtest_readl(t->qts, msg), ==, 0x4d53);
    /* the device signals every event, whatever INTR_STATUS held */
    qtest_writel(t->qts, msg, 0);
    check_queue_works(t, 2);
    g_assert_cmphex(qtest_readl(t->qts, msg), ==, 0x4d53);
}

/*
 * Queue 1 completes a NOOP while a FILL behind it waits for page group
 * @group: returns the FILL's slot.
 */
static uint32_t noop_then_waiting_fill(Svm *t, uint64_t va, unsigned group)
{
    struct svmdemo_desc noop = desc_new(t, SVMDEMO_OP_NOOP, 0, 0, 0);
    struct svmdemo_desc fill = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVM_PG);
    uint32_t first, slot;

    fill.operand = UINT64_MAX;
    first = desc_post(t, 1, &noop);
    slot = desc_post(t, 1, &fill);
    queue_doorbell(t, 1);
    group_wait(t, group + 1);
    g_assert(cmpl_done(t, 1, first));
    return slot;
}

/*
 * Q_IRQ_COALESCE (docs 6): a completion's interrupt is held while more
 * descriptors wait, and sent at the count, when the ring empties, or when
 * the delay runs out.
 */
static void test_irq_coalesce(Svm *t)
{
    uint64_t va = SVM_VA_BASE, msg;
    uint32_t slot;
    SvmCmpl c;

    q_wr(t, 1, SVMDEMO_Q_IRQ_COALESCE, UINT32_MAX);
    g_assert_cmphex(q_rd(t, 1, SVMDEMO_Q_IRQ_COALESCE), ==,
                    SVMDEMO_Q_IRQ_COUNT | SVMDEMO_Q_IRQ_USECS);
    msg = msi_enable(t);
    vma_add(t, t->sva, va, 2 * SVM_PG, SVM_PROT_W);
    t->hold = true;

    /* count 2, no delay: the NOOP's interrupt waits for the FILL */
    q_wr(t, 1, SVMDEMO_Q_IRQ_COALESCE, 2);
    slot = noop_then_waiting_fill(t, va, 0);
    svm_sleep_ms(20);
    g_assert_cmphex(qtest_readl(t->qts, msg), ==, 0);
    group_answer(t, 0, SVM_RESP_SUCCESS);
    c = cmpl_wait(t, 1, slot);
    check_success(&c, SVM_PG);
    SVM_WAIT(t, qtest_readl(t->qts, msg) == 0x4d53);

    /* count 255, 1 ms: the delay sends it while the FILL still waits */
    qtest_writel(t->qts, msg, 0);
    q_wr(t, 1, SVMDEMO_Q_IRQ_COALESCE,
         (1000 << SVMDEMO_Q_IRQ_USECS_SHIFT) | 255);
    slot = noop_then_waiting_fill(t, va + SVM_PG, 1);
    SVM_WAIT(t, qtest_readl(t->qts, msg) == 0x4d53);
    g_assert(!cmpl_done(t, 1, slot));
    group_answer(t, 1, SVM_RESP_SUCCESS);
    cmpl_wait(t, 1, slot);

    t->hold = false;
    q_wr(t, 1, SVMDEMO_Q_IRQ_COALESCE, 0);
}

static void test_irq_intr_status(Svm *t)
{
    uint64_t buf = svm_alloc(t, SVM_PG, SVM_PG);

    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==, 0);
    check_queue_works(t, 0);
    check_queue_works(t, 1);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                    SVMDEMO_INTR_QUEUE(0) | SVMDEMO_INTR_QUEUE(1));
    dev_wr32(t, SVMDEMO_INTR_STATUS, 0);
    dev_wr32(t, SVMDEMO_INTR_STATUS, SVMDEMO_INTR_QUEUE(0));
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                    SVMDEMO_INTR_QUEUE(1));
    /* ERROR follows ERR_CAUSE and cannot be cleared by itself */
    queue_reset(t, 2);
    q_wr(t, 2, SVMDEMO_Q_TAIL, 1);
    dev_wr32(t, SVMDEMO_INTR_STATUS, SVMDEMO_INTR_ERROR);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                    SVMDEMO_INTR_QUEUE(1) | SVMDEMO_INTR_ERROR);
    dev_wr32(t, SVMDEMO_ERR_CAUSE, SVMDEMO_ERR_DOORBELL_DISABLED);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                    SVMDEMO_INTR_QUEUE(1));
    /* compat completion */
    compat_setup(t, SVMDEMO_COMPAT_PASID_DISABLE, buf, 16, 0);
    compat_run(t, SVMDEMO_COMPAT_CMD_WRITE);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==,
                    SVMDEMO_INTR_QUEUE(1) | SVMDEMO_INTR_COMPAT_DONE);
    dev_wr32(t, SVMDEMO_INTR_STATUS, UINT32_MAX);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_INTR_STATUS), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Compatible block (docs 3)                                          */
/* ------------------------------------------------------------------ */

static void test_compat_write_read(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 2 * SVM_PG), len = 5000;
    uint64_t pa = va_to_pa(t->sva, va);
    uint8_t want[5000];

    svm_pattern(want, len);
    cnt_clear(t);
    compat_setup(t, SVM_PASID_A, va + 100, len, 0);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==,
                    SVMDEMO_STS_SUCCESS);
    g_assert(svm_mem_equals(t, pa + 100, want, len));
    g_assert(svm_mem_is(t, pa, 0, 100));
    g_assert(dev_rd32(t, SVMDEMO_INTR_STATUS) & SVMDEMO_INTR_COMPAT_DONE);

    /* READ checks CRC-8 (bits 7:0 of COMPAT_CRC) */
    dev_wr64(t, SVMDEMO_COMPAT_CRC, svm_crc8(want, len) | 0x1200);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_READ), ==,
                    SVMDEMO_STS_SUCCESS);
    dev_wr64(t, SVMDEMO_COMPAT_CRC, svm_crc8(want, len) ^ 0x80);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_READ), ==,
                    SVMDEMO_STS_MISMATCH);
    /* 64-bit registers written as 32-bit halves */
    dev_wr32(t, SVMDEMO_COMPAT_ADDR, (uint32_t)(va + SVM_PG));
    dev_wr32(t, SVMDEMO_COMPAT_ADDR + 4, (va + SVM_PG) >> 32);
    dev_wr32(t, SVMDEMO_COMPAT_SIZE, 10);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==,
                    SVMDEMO_STS_SUCCESS);
    g_assert(svm_mem_equals(t, pa + SVM_PG, want, 10));
    /* write-only registers read as 0 */
    g_assert_cmphex(dev_rd32(t, SVMDEMO_COMPAT_PASID), ==, 0);
    g_assert_cmphex(dev_rd64(t, SVMDEMO_COMPAT_SIZE), ==, 0);
    g_assert_cmphex(dev_rd64(t, SVMDEMO_COMPAT_CRC), ==, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 4);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_BYTES), ==, 3 * len + 10);
}

/* A command while one runs (waiting for a page request) is refused */
static void test_compat_busy(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    uint8_t want[SVM_PG];

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W);
    svm_pattern(want, SVM_PG);
    t->hold = true;
    cnt_clear(t);
    compat_setup(t, SVM_PASID_A, va, SVM_PG, 0);
    dev_wr64(t, SVMDEMO_COMPAT_CMD, SVMDEMO_COMPAT_CMD_WRITE);
    group_wait(t, 1);
    g_assert_cmphex(compat_status(t), ==, SVMDEMO_COMPAT_STATUS_BUSY);
    dev_wr64(t, SVMDEMO_COMPAT_CMD, SVMDEMO_COMPAT_CMD_READ);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_ERR_CAUSE), ==,
                    SVMDEMO_ERR_COMPAT_BUSY);
    g_assert_cmphex(compat_status(t), ==, SVMDEMO_COMPAT_STATUS_BUSY);
    group_answer(t, 0, SVM_RESP_SUCCESS);
    SVM_WAIT(t, compat_status(t) != SVMDEMO_COMPAT_STATUS_BUSY);
    g_assert_cmphex(compat_status(t), ==, SVMDEMO_STS_SUCCESS);
    g_assert(svm_mem_equals(t, va_to_pa(t->sva, va), want, SVM_PG));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_JOBS), ==, 1);
}

static void test_compat_priv(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);

    compat_setup(t, SVM_PASID_A, va, 64, 0);
    dev_wr64(t, SVMDEMO_COMPAT_OPT, SVMDEMO_COMPAT_OPT_PRIV);
    cnt_clear(t);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==,
                    SVMDEMO_STS_PRIV);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0, 64));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, 0);
    dev_wr64(t, SVMDEMO_COMPAT_OPT, 0);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==,
                    SVMDEMO_STS_SUCCESS);
}

static void test_compat_no_pasid(Svm *t)
{
    uint64_t iova = svm_alloc(t, SVM_PG, SVM_PG);
    uint8_t want[256];

    svm_pattern(want, sizeof(want));
    /* the reset value of COMPAT_PASID: no PASID */
    compat_setup(t, SVMDEMO_COMPAT_PASID_DISABLE, iova, sizeof(want), 0);
    dev_wr32(t, SVMDEMO_COMPAT_PASID, SVM_PASID_A);
    dev_wr32(t, SVMDEMO_COMPAT_PASID, UINT32_MAX);  /* >= 1 << 20 too */
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==,
                    SVMDEMO_STS_SUCCESS);
    g_assert(svm_mem_equals(t, iova, want, sizeof(want)));
    dev_wr64(t, SVMDEMO_COMPAT_ADDR, SVM_IOVA_HOLE);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==,
                    SVMDEMO_STS_PAGE_FAULT);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_READ), ==,
                    SVMDEMO_STS_PAGE_FAULT);
    /* commands other than 1 and 2 */
    g_assert_cmphex(compat_run(t, 0), ==, SVMDEMO_STS_BAD_OPCODE);
    g_assert_cmphex(compat_run(t, 3), ==, SVMDEMO_STS_BAD_OPCODE);
    g_assert_cmphex(compat_run(t, UINT64_MAX), ==, SVMDEMO_STS_BAD_OPCODE);
}

/* COMPAT_PASID = 1 << 20 drops the old PASID's ATC entries */
static void test_compat_pasid_disable(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 4 * SVM_PG);

    compat_setup(t, SVM_PASID_A, va, 4 * SVM_PG, 0);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==, 0);
    cnt_clear(t);
    dev_wr32(t, SVMDEMO_COMPAT_PASID, SVMDEMO_COMPAT_PASID_DISABLE);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 4);
    dev_wr32(t, SVMDEMO_COMPAT_PASID, SVM_PASID_A);
    g_assert_cmphex(compat_run(t, SVMDEMO_COMPAT_CMD_WRITE), ==, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_MISS), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_HIT), ==, 3);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATS_REQ), ==, 1);
}

/* ------------------------------------------------------------------ */
/* ATS and the ATC (docs 10.1, 10.3)                                  */
/* ------------------------------------------------------------------ */

/* One ATS request covers the rest of the window: one miss, then hits */
static void test_ats_4k(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 8 * SVM_PG);
    SvmCmpl c;

    cnt_clear(t);
    c = fill(t, va, 8 * SVM_PG, 0, 0);
    check_success(&c, 8 * SVM_PG);
    check_atc(t, 1, 1, 7);
    c = fill(t, va, 8 * SVM_PG, 0, 0);
    check_atc(t, 1, 1, 15);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_REQ), ==, 0);
}

/* 50 pages in 64 KiB windows: one ATS request per window */
static void test_ats_window(Svm *t)
{
    uint64_t len = 50 * SVM_PG;
    uint64_t va = sva_buf(t, 0, len);
    SvmCmpl c;

    cnt_clear(t);
    c = read_crc(t, va, len, 0);
    check_success(&c, len);
    check_atc(t, 4, 4, 46);
}

static void test_ats_2m(Svm *t)
{
    uint64_t va = SVM_VA_BASE + 2 * MiB;
    uint64_t pa = svm_alloc(t, 2 * MiB, 2 * MiB);
    uint64_t off = MiB - SVM_WINDOW / 2;
    SvmCmpl c;

    pt_map(t, t->sva, va, pa, 2, SVM_PROT_W);
    cnt_clear(t);
    c = fill(t, va + off, 2 * SVM_WINDOW, 0x2222222222222222ULL, 0);
    check_success(&c, 2 * SVM_WINDOW);
    /* one ATS request: the second window hits the 2 MiB entry */
    check_atc_large(t, 1, 1, 1);
    g_assert(svm_mem_is(t, pa + off, 0x22, 2 * SVM_WINDOW));
    g_assert(svm_mem_is(t, pa + off - 64, 0, 64));
    cnt_clear(t);
    c = read_crc(t, va + 2 * MiB - SVM_PG, SVM_PG, 0);
    check_success(&c, SVM_PG);
    check_atc(t, 0, 0, 1);
}

static void test_ats_1g(Svm *t)
{
    uint64_t va = SVM_VA_BASE + 4 * GiB;
    uint64_t off = 0x30001000;
    SvmCmpl c;

    pt_map(t, t->sva, va, SVM_HUGE_PA, 3, SVM_PROT_W);
    qtest_memset(t->qts, SVM_HUGE_PA + off - SVM_PG, 0, 4 * SVM_PG);
    cnt_clear(t);
    c = fill(t, va + off, 2 * SVM_PG, 0x4444444444444444ULL, 0);
    check_success(&c, 2 * SVM_PG);
    check_atc_large(t, 1, 1, 0);
    g_assert(svm_mem_is(t, SVM_HUGE_PA + off, 0x44, 2 * SVM_PG));
    g_assert(svm_mem_is(t, SVM_HUGE_PA + off - SVM_PG, 0, SVM_PG));
    /* elsewhere in the same 1 GiB page: a hit */
    cnt_clear(t);
    c = read_crc(t, va + 0x123000, SVM_PG, 0);
    check_success(&c, SVM_PG);
    check_atc(t, 0, 0, 1);
}

/* Read-only pages: PERM on write, until the OS makes them writable */
static void test_ats_perm(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    SvmCmpl c;

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_POPULATE);
    c = read_crc(t, va, SVM_PG, SVMDEMO_DESC_F_NO_PRI);
    check_success(&c, SVM_PG);
    c = fill(t, va, 8, 0, SVMDEMO_DESC_F_NO_PRI);
    check_fault(&c, SVMDEMO_STS_PERM, true, va);
    /* mprotect(PROT_WRITE) */
    vma_find(t->sva, va)->writable = true;
    pt_map(t, t->sva, va, va_to_pa(t->sva, va), 1, SVM_PROT_W);
    inval_range(t, t->sva, va, SVM_PG);
    c = fill(t, va, 8, UINT64_MAX, SVMDEMO_DESC_F_NO_PRI);
    check_success(&c, 8);
    /* and back: the ATC must not keep the writable entry */
    vma_find(t->sva, va)->writable = false;
    pt_map(t, t->sva, va, va_to_pa(t->sva, va), 1, 0);
    inval_range(t, t->sva, va, SVM_PG);
    c = fill(t, va + 8, 8, UINT64_MAX, SVMDEMO_DESC_F_NO_PRI);
    check_fault(&c, SVMDEMO_STS_PERM, true, va + 8);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va) + 8, 0, 8));
}

/* Supervisor-only pages are refused (U/S clear at any level) */
static void test_ats_user_supervisor(Svm *t)
{
    uint64_t kva = SVM_VA_BASE, uva = SVM_VA_BASE + 2 * MiB;
    uint64_t pde;
    SvmCmpl c;

    pt_map(t, t->sva, kva, svm_alloc(t, SVM_PG, SVM_PG), 1,
           SVM_PROT_W | SVM_PROT_KERNEL);
    c = fill(t, kva, 8, 0, SVMDEMO_DESC_F_NO_PRI);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, kva);
    c = read_crc(t, kva, 8, SVMDEMO_DESC_F_NO_PRI);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, false, kva);
    /* with PRI the OS refuses: not user memory */
    c = fill(t, kva, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, kva);
    g_assert_cmpuint(group_get(t, 0)->code, ==, SVM_RESP_INVALID);

    /* a user page under a supervisor-only page directory entry */
    sva_buf(t, 2 * MiB, SVM_PG);
    c = fill(t, uva, 8, 0, SVMDEMO_DESC_F_NO_PRI);
    check_success(&c, 8);
    pde = qtest_readq(t->qts, pt_slot(t, t->sva, uva, 2, false));
    qtest_writeq(t->qts, pt_slot(t, t->sva, uva, 2, false),
                 pde & ~VTD_FL_US);
    inval_range(t, t->sva, uva, SVM_PG);
    c = fill(t, uva, 8, 0, SVMDEMO_DESC_F_NO_PRI);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, uva);
}

/* Privileged requests never reach the IOMMU */
static void test_ats_priv(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    SvmCmpl c;

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W);
    cnt_clear(t);
    c = fill(t, va, 8, 0, SVMDEMO_DESC_F_PRIV);
    check_rejected(&c, SVMDEMO_STS_PRIV);
    c = read_crc(t, va, 8, SVMDEMO_DESC_F_PRIV | SVMDEMO_DESC_F_UNTRANSLATED);
    check_rejected(&c, SVMDEMO_STS_PRIV);
    check_atc(t, 0, 0, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_REQ), ==, 0);
    g_assert_cmpuint(t->groups->len, ==, 0);
}

/* Reads ask without write permission (NW): no dirty bit, no write grant */
static void test_ats_nwfs(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 2 * SVM_PG);
    uint64_t pte;
    SvmCmpl c;

    cnt_clear(t);
    c = read_crc(t, va, SVM_PG, 0);
    check_success(&c, SVM_PG);
    pte = pt_read(t, t->sva, va, 1);
    g_assert_cmphex(pte & (VTD_FL_A | VTD_FL_D), ==, VTD_FL_A);
    /* the ATC entry grants read only: a write misses */
    c = fill(t, va, 8, 0, 0);
    check_success(&c, 8);
    check_atc(t, 2, 2, 0);
    c = fill(t, va, 8, 0, 0);
    check_atc(t, 2, 2, 1);
    /* a write translated first sets the dirty bit */
    c = fill(t, va + SVM_PG, 8, 0, 0);
    pte = pt_read(t, t->sva, va + SVM_PG, 1);
    g_assert_cmphex(pte & (VTD_FL_A | VTD_FL_D), ==, VTD_FL_A | VTD_FL_D);
}

/*
 * A write to a page the device read before: the write's translation must
 * set the dirty bit (the page tables are the CPU's: Linux relies on it).
 */
static void test_ats_dirty(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);
    SvmCmpl c;

    c = read_crc(t, va, SVM_PG, 0);
    check_success(&c, SVM_PG);
    c = fill(t, va, 8, UINT64_MAX, 0);
    check_success(&c, 8);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0xff, 8));
    g_assert(pt_read(t, t->sva, va, 1) & VTD_FL_D);
}

/* atc-entries=2: a clock (second chance) replacement */
static void test_ats_atc_evict(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 3 * SVM_PG);
    const uint64_t a = va, b = va + SVM_PG, c = va + 2 * SVM_PG;
    static const struct {
        unsigned page;
        bool hit;
    } seq[] = {
        { 0, false }, { 1, false }, { 0, true }, /* a is referenced */
        { 2, false },                   /* evicts b, a had a second chance */
        { 0, true }, { 1, false },      /* evicts c */
        { 2, false },
    };
    uint64_t pages[] = { a, b, c };
    uint64_t hits = 0, misses = 0;
    unsigned i;

    g_assert_cmpuint(dev_rd32(t, SVMDEMO_ATC_ENTRIES), ==, 2);
    cnt_clear(t);
    for (i = 0; i < ARRAY_SIZE(seq); i++) {
        SvmCmpl r = read_crc(t, pages[seq[i].page], 8, 0);

        check_success(&r, 8);
        hits += seq[i].hit;
        misses += !seq[i].hit;
        check_atc(t, misses, misses, hits);
    }
    /* replacement is no invalidation */
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 0);
}

/* UNTRANSLATED: one ATS request per access, nothing cached */
static void test_ats_untranslated(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 8 * SVM_PG), lazy = SVM_VA_BASE + MiB;
    SvmCmpl c;

    cnt_clear(t);
    c = fill(t, va, 8 * SVM_PG, 0x7777777777777777ULL,
             SVMDEMO_DESC_F_UNTRANSLATED);
    check_success(&c, 8 * SVM_PG);
    check_atc(t, 8, 0, 0);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0x77, 8 * SVM_PG));
    /* page requests work the same way */
    vma_add(t, t->sva, lazy, 2 * SVM_PG, SVM_PROT_W);
    c = fill(t, lazy, 2 * SVM_PG, 0x7777777777777777ULL,
             SVMDEMO_DESC_F_UNTRANSLATED);
    check_success(&c, 2 * SVM_PG);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, lazy), 0x77, 2 * SVM_PG));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), >=, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_MISS), ==, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_HIT), ==, 0);
    /* NO_PRI too */
    c = fill(t, SVM_VA_BASE + GiB, 8, 0,
             SVMDEMO_DESC_F_UNTRANSLATED | SVMDEMO_DESC_F_NO_PRI);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, SVM_VA_BASE + GiB);
}

/* Any host write to the ATS, PASID or PRI capability drops the ATC */
static void test_ats_cap_write(Svm *t)
{
    static const unsigned regs[] = {
        SVMDEMO_CFG_ATS + PCI_ATS_CTRL,
        SVMDEMO_CFG_PASID + PCI_PASID_CTRL,
        SVMDEMO_CFG_PRI + PCI_PRI_CTRL,
    };
    uint64_t va = sva_buf(t, 0, 4 * SVM_PG);
    SvmCmpl c;
    unsigned i;

    for (i = 0; i < ARRAY_SIZE(regs); i++) {
        c = fill(t, va, 4 * SVM_PG, 0, 0);
        check_success(&c, 4 * SVM_PG);
        cnt_clear(t);
        cfg_wr16(t, regs[i], cfg_rd16(t, regs[i]));
        g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 4);
        c = read_crc(t, va, 4 * SVM_PG, 0);
        check_success(&c, 4 * SVM_PG);
        check_atc(t, 1, 1, 3);
    }
}

/* An IOMMU without device-IOTLB: the device refuses to translate */
static void test_ats_no_device_iotlb(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG), iova = svm_alloc(t, SVM_PG, SVM_PG);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, iova, 64);
    SvmCmpl c;

    g_assert_cmphex(vtd_rd64(t, DMAR_ECAP_REG) & VTD_ECAP_DT, ==, 0);
    c = fill(t, va, 64, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, va);
    c = read_crc(t, va, 64, SVMDEMO_DESC_F_UNTRANSLATED);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, false, va);
    /* no PASID: still fine */
    d.pasid = 0;
    d.operand = UINT64_MAX;
    c = run(t, &d);
    check_success(&c, 64);
    g_assert(svm_mem_is(t, iova, 0xff, 64));
}

/* ------------------------------------------------------------------ */
/* Invalidations (docs 10.2)                                          */
/* ------------------------------------------------------------------ */

static void test_inval_address(Svm *t)
{
    uint64_t va = sva_buf(t, 0, 16 * SVM_PG);
    SvmCmpl c;

    c = fill(t, va, 8 * SVM_PG, 0, 0);
    cnt_clear(t);
    inval_range(t, t->sva, va + 3 * SVM_PG, SVM_PG);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_INVAL), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 1);
    c = fill(t, va, 8 * SVM_PG, 0, 0);
    check_success(&c, 8 * SVM_PG);
    check_atc(t, 1, 1, 7);
    /* a 16 KiB range (S = 1) */
    inval_range(t, t->sva, va + 4 * SVM_PG, 4 * SVM_PG);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_INVAL), ==, 2);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 5);
    /* nothing cached there */
    inval_range(t, t->sva, va + 12 * SVM_PG, SVM_PG);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_INVAL), ==, 3);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 5);
    c = fill(t, va, 8 * SVM_PG, 0, 0);
    check_atc(t, 2, 2, 14);
}

/* Two PASIDs with 4 cached pages each */
static SvmMm *two_pasids(Svm *t, uint64_t *va)
{
    SvmMm *mm2 = mm_new(t, SVM_PASID_B);
    struct svmdemo_desc d;

    *va = sva_buf(t, 0, 4 * SVM_PG);
    vma_add(t, mm2, *va, 4 * SVM_PG, SVM_PROT_W | SVM_PROT_POPULATE);
    fill(t, *va, 4 * SVM_PG, 0, 0);
    d = desc_new(t, SVMDEMO_OP_FILL, 0, *va, 4 * SVM_PG);
    d.pasid = SVM_PV(SVM_PASID_B);
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);
    cnt_clear(t);
    return mm2;
}

static void run_pasid_b(Svm *t, uint64_t va, uint64_t len)
{
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_CRC32C, va, 0, len);

    d.pasid = SVM_PV(SVM_PASID_B);
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);
}

static void test_inval_pasid(Svm *t)
{
    uint64_t va;

    two_pasids(t, &va);
    inval_pasid(t, t->sva);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_INVAL), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 4);
    run_pasid_b(t, va, 4 * SVM_PG);
    check_atc(t, 0, 0, 4);
    read_crc(t, va, 4 * SVM_PG, 0);
    check_atc(t, 1, 1, 7);
}

static void test_inval_global(Svm *t)
{
    uint64_t va;

    two_pasids(t, &va);
    inval_global(t);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_INVAL), ==, 2);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 8);
    run_pasid_b(t, va, 4 * SVM_PG);
    read_crc(t, va, 4 * SVM_PG, 0);
    check_atc(t, 2, 2, 6);
    /* CTRL.FLUSH_ATC drops everything too, without an invalidation */
    dev_wr32(t, SVMDEMO_CTRL, SVMDEMO_CTRL_FLUSH_ATC);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 16);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_INVAL), ==, 2);
    run_pasid_b(t, va, 4 * SVM_PG);
    check_atc(t, 3, 3, 9);
}

/* A page moves: the device follows once (and only once) invalidated */
static void test_inval_remap(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);
    uint64_t pa1 = va_to_pa(t->sva, va), pa2 = svm_alloc(t, SVM_PG, SVM_PG);

    fill(t, va, 64, 0x1111111111111111ULL, 0);
    pt_map(t, t->sva, va, pa2, 1, SVM_PROT_W);
    /* not invalidated yet: the ATC still holds the old translation */
    fill(t, va, 64, 0x2222222222222222ULL, 0);
    g_assert(svm_mem_is(t, pa1, 0x22, 64));
    g_assert(svm_mem_is(t, pa2, 0, 64));
    inval_range(t, t->sva, va, SVM_PG);
    fill(t, va, 64, 0x3333333333333333ULL, 0);
    g_assert(svm_mem_is(t, pa2, 0x33, 64));
    g_assert(svm_mem_is(t, pa1, 0x22, 64));
}

/*
 * The stale-translation case (svmdemo_xlate_current()): a COPY waits for
 * a page request for its destination while its source is in the ATC; the
 * OS unmaps the source and invalidates before it answers. The device must
 * not copy from the old source pages: it faults at the first of them.
 */
static void test_inval_stale_copy(Svm *t)
{
    uint64_t src = sva_buf(t, 0, 3 * SVM_PG), dst = SVM_VA_BASE + MiB;
    uint64_t src_pa = va_to_pa(t->sva, src), dst_pa;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_COPY, src, dst,
                                     3 * SVM_PG);
    uint8_t data[3 * SVM_PG];
    SvmGroup *g;
    uint32_t slot;
    SvmCmpl c;

    svm_fill_random(data, sizeof(data), 7);
    qtest_memwrite(t->qts, src_pa, data, sizeof(data));
    dst_pa = vma_add(t, t->sva, dst, 3 * SVM_PG, SVM_PROT_W);
    pt_map(t, t->sva, dst, dst_pa, 1, SVM_PROT_W);  /* dst page 0 only */
    c = read_crc(t, src, sizeof(data), 0);          /* source cached */
    g_assert_cmphex(c.result, ==, svm_crc32c(data, sizeof(data)));

    t->hold = true;
    slot = desc_submit(t, 0, &d);
    g = group_wait(t, 1);
    g_assert(g->write);
    g_assert_cmpuint(g->pages->len, ==, 2);
    g_assert_cmphex(g_array_index(g->pages, uint64_t, 0), ==, dst + SVM_PG);

    /* munmap(src) and its invalidation, then the answer */
    vma_remove(t, t->sva, src);
    inval_range(t, t->sva, src, sizeof(data));
    group_answer(t, 0, SVM_RESP_SUCCESS);

    /* the device asks for the source again: gone */
    g = group_wait(t, 2);
    g_assert(g->read && !g->write);
    g_assert_cmpuint(g->code, ==, SVM_RESP_INVALID);
    group_answer(t, 1, g->code);
    c = cmpl_wait(t, 0, slot);
    /* nothing was copied from the unmapped source pages */
    g_assert(svm_mem_is(t, dst_pa + SVM_PG, 0, 2 * SVM_PG));
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, false, src + SVM_PG);
    g_assert_cmpuint(c.bytes_done, <=, SVM_PG);
    g_assert_cmphex(g_array_index(g->pages, uint64_t, 0), ==, src + SVM_PG);
}

/* Pages moved while a job waits mid-way: the rest uses the new ones */
static void test_inval_inflight(Svm *t)
{
    uint64_t va = SVM_VA_BASE, len = 3 * SVM_WINDOW;
    uint64_t pa = vma_add(t, t->sva, va, len, SVM_PROT_W);
    uint64_t w3 = va + 2 * SVM_WINDOW, new_pa;
    SvmGroup *g;
    uint32_t slot;
    SvmCmpl c;
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, len);

    pt_map_range(t, t->sva, va, pa, SVM_WINDOW, SVM_PROT_W);
    pt_map_range(t, t->sva, w3, pa + 2 * SVM_WINDOW, SVM_WINDOW, SVM_PROT_W);
    t->hold = true;
    d.operand = 0x6666666666666666ULL;
    slot = desc_submit(t, 0, &d);
    g = group_wait(t, 1);
    g_assert_cmpuint(g->pages->len, ==, SVM_WINDOW / SVM_PG);
    g_assert_cmphex(g_array_index(g->pages, uint64_t, 0), ==,
                    va + SVM_WINDOW);

    /* the third window moves to new pages */
    new_pa = svm_alloc(t, SVM_WINDOW, SVM_PG);
    pt_map_range(t, t->sva, w3, new_pa, SVM_WINDOW, SVM_PROT_W);
    inval_range(t, t->sva, w3, SVM_WINDOW);
    group_answer(t, 0, SVM_RESP_SUCCESS);
    c = cmpl_wait(t, 0, slot);
    check_success(&c, len);
    g_assert(svm_mem_is(t, pa, 0x66, 2 * SVM_WINDOW));
    g_assert(svm_mem_is(t, new_pa, 0x66, SVM_WINDOW));
    g_assert(svm_mem_is(t, pa + 2 * SVM_WINDOW, 0, SVM_WINDOW));
}

/* The PASID entry goes away (PASID-cache invalidation): jobs fault */
static void test_inval_pasid_teardown(Svm *t)
{
    uint64_t va = sva_buf(t, 0, SVM_PG);
    SvmCmpl c;

    c = fill(t, va, 8, 0, 0);
    check_success(&c, 8);
    pasid_entry_write(t, t->sva->pasid, 0, t->sva->did, false);
    inval_pasid_cache(t, t->sva);
    inval_pasid(t, t->sva);
    cnt_clear(t);
    c = fill(t, va, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, va);
    g_assert_cmpuint(t->groups->len, ==, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 1);
    /* and comes back */
    pasid_entry_write(t, t->sva->pasid, t->sva->pml4, t->sva->did, true);
    inval_pasid_cache(t, t->sva);
    c = fill(t, va, 8, 0, 0);
    check_success(&c, 8);
}

/* ------------------------------------------------------------------ */
/* PRI (docs 10.1)                                                    */
/* ------------------------------------------------------------------ */

static void check_group_pages(Svm *t, unsigned idx, uint64_t first,
                              unsigned n)
{
    SvmGroup *g = group_get(t, idx);
    unsigned i;

    g_assert_cmpuint(g->pages->len, ==, n);
    for (i = 0; i < n; i++) {
        g_assert_cmphex(g_array_index(g->pages, uint64_t, i), ==,
                        first + i * SVM_PG);
    }
}

/* One group for the missing pages, LPIG on the last request only */
static void test_pri_group(Svm *t)
{
    uint64_t va = SVM_VA_BASE, rd = SVM_VA_BASE + MiB;
    SvmCmpl c;

    vma_add(t, t->sva, va, 16 * SVM_PG, SVM_PROT_W);
    vma_add(t, t->sva, rd, 4 * SVM_PG, SVM_PROT_W);
    cnt_clear(t);
    c = fill(t, va, 16 * SVM_PG, 0x5a5a5a5a5a5a5a5aULL, 0);
    check_success(&c, 16 * SVM_PG);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0x5a, 16 * SVM_PG));
    g_assert_cmpuint(t->groups->len, ==, 1);
    check_group_pages(t, 0, va, 16);
    g_assert(group_get(t, 0)->write);
    g_assert_cmpuint(group_get(t, 0)->pasid, ==, SVM_PASID_A);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_REQ), ==, 16);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 0);
    /* a translation request for a missing page is no DMA remapping fault */
    g_assert_cmphex(vtd_rd32(t, DMAR_FSTS_REG), ==, 0);

    /* reads ask for read access only */
    c = read_crc(t, rd, 4 * SVM_PG, 0);
    check_success(&c, 4 * SVM_PG);
    check_group_pages(t, 1, rd, 4);
    g_assert(group_get(t, 1)->read && !group_get(t, 1)->write);
    /* the pages are present now: no more requests */
    c = fill(t, va, 16 * SVM_PG, 0, 0);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), ==, 2);
}

/* A job into never-touched memory: one group for the whole buffer */
static void test_pri_lookahead(Svm *t)
{
    uint64_t va = SVM_VA_BASE, len = MiB;
    SvmCmpl c;

    vma_add(t, t->sva, va, len, SVM_PROT_W);
    cnt_clear(t);
    c = fill(t, va, len, 0x3c3c3c3c3c3c3c3cULL, 0);
    check_success(&c, len);
    g_assert_cmpuint(t->groups->len, ==, 1);
    check_group_pages(t, 0, va, len / SVM_PG);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), ==, 1);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0x3c, len));
}

/* pri_alloc = 4: groups never exceed the allocation */
static void test_pri_alloc_limit(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    SvmCmpl c;
    unsigned i;

    g_assert_cmpuint(cfg_rd32(t, SVMDEMO_CFG_PRI + PCI_PRI_ALLOC_REQ), ==, 4);
    vma_add(t, t->sva, va, 16 * SVM_PG, SVM_PROT_W);
    c = fill(t, va, 16 * SVM_PG, 0, 0);
    check_success(&c, 16 * SVM_PG);
    g_assert_cmpuint(t->groups->len, ==, 4);
    for (i = 0; i < 4; i++) {
        check_group_pages(t, i, va + i * 4 * SVM_PG, 4);
    }
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), ==, 4);
}

/* pri_alloc = 8 shared by two queues: the second gets what is left */
static void test_pri_shared_alloc(Svm *t)
{
    uint64_t a = SVM_VA_BASE, b = SVM_VA_BASE + MiB;
    struct svmdemo_desc da = desc_new(t, SVMDEMO_OP_FILL, 0, a, 6 * SVM_PG);
    struct svmdemo_desc db = desc_new(t, SVMDEMO_OP_FILL, 0, b, 6 * SVM_PG);
    uint32_t sa, sb;
    SvmCmpl c;

    vma_add(t, t->sva, a, 6 * SVM_PG, SVM_PROT_W);
    vma_add(t, t->sva, b, 6 * SVM_PG, SVM_PROT_W);
    t->hold = true;
    sa = desc_submit(t, 0, &da);
    group_wait(t, 1);
    sb = desc_submit(t, 1, &db);
    group_wait(t, 2);
    check_group_pages(t, 0, a, 6);
    check_group_pages(t, 1, b, 2);
    g_assert_cmpuint(group_get(t, 0)->prgi, !=, group_get(t, 1)->prgi);
    /* answered in reverse order */
    group_answer(t, 1, SVM_RESP_SUCCESS);
    group_wait(t, 3);
    check_group_pages(t, 2, b + 2 * SVM_PG, 2);
    group_answer(t, 0, SVM_RESP_SUCCESS);
    c = cmpl_wait(t, 0, sa);
    check_success(&c, 6 * SVM_PG);
    group_answer(t, 2, SVM_RESP_SUCCESS);
    group_wait(t, 4);
    check_group_pages(t, 3, b + 4 * SVM_PG, 2);
    group_answer(t, 3, SVM_RESP_SUCCESS);
    c = cmpl_wait(t, 1, sb);
    check_success(&c, 6 * SVM_PG);
}

/* Invalid and Failure responses */
static void test_pri_refused(Svm *t)
{
    uint64_t ro = SVM_VA_BASE, rw = SVM_VA_BASE + MiB;
    SvmCmpl c;

    vma_add(t, t->sva, ro, SVM_PG, SVM_PROT_POPULATE);
    vma_add(t, t->sva, rw, SVM_PG, SVM_PROT_W);
    cnt_clear(t);
    /* Invalid: PERM if the page was present read-only */
    c = fill(t, ro, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PERM, true, ro);
    g_assert_cmpuint(group_get(t, 0)->code, ==, SVM_RESP_INVALID);
    /* Failure */
    t->force_code = SVM_RESP_FAILURE;
    c = fill(t, rw, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, rw);
    c = fill(t, ro, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PERM, true, ro);
    c = read_crc(t, rw, 8, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, false, rw);
    /* Invalid for a page the OS could have mapped */
    t->force_code = SVM_RESP_INVALID;
    c = fill(t, rw, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, rw);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 5);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), ==, 5);
    /* and then it works */
    t->force_code = -1;
    c = fill(t, rw, 8, 0, 0);
    check_success(&c, 8);
}

/* Success without mapping anything: 4 rounds, then PAGE_FAULT */
static void test_pri_rounds(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    SvmCmpl c;

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W);
    t->force_code = SVM_RESP_SUCCESS;
    cnt_clear(t);
    c = fill(t, va, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, va);
    g_assert_cmpuint(t->groups->len, ==, 4);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), ==, 4);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 0);
}

/* Responses to an unknown index or for another PASID are ignored */
static void test_pri_unknown_index(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    SvmMm *mm2 = mm_new(t, SVM_PASID_B);
    struct svmdemo_desc d;
    unsigned prgi;
    uint32_t slot;
    SvmCmpl c;

    /* PASID B is known to the device */
    vma_add(t, mm2, va, SVM_PG, SVM_PROT_W | SVM_PROT_POPULATE);
    run_pasid_b(t, va, SVM_PG);

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W);
    t->hold = true;
    d = desc_new(t, SVMDEMO_OP_FILL, 0, va, SVM_PG);
    slot = desc_submit(t, 0, &d);
    prgi = group_wait(t, 1)->prgi;
    page_response(t, SVM_PASID_A, (prgi + 7) % SVM_PRGI_NR,
                  SVM_RESP_SUCCESS);
    page_response(t, SVM_PASID_B, prgi, SVM_RESP_SUCCESS);
    page_response(t, SVM_PASID_A + 10, prgi, SVM_RESP_SUCCESS);
    svm_sleep_ms(30);
    g_assert(!cmpl_done(t, 0, slot));
    group_answer(t, 0, SVM_RESP_SUCCESS);
    c = cmpl_wait(t, 0, slot);
    check_success(&c, SVM_PG);
}

/* pri-timeout-ms=500: a late response is absorbed, PRI goes on */
static void test_pri_late_response(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    uint32_t slot;
    SvmCmpl c;

    vma_add(t, t->sva, va, 2 * SVM_PG, SVM_PROT_W);
    t->hold = true;
    cnt_clear(t);
    c = fill(t, va, 8, 0, 0);
    g_assert_cmphex(SVM_CODE(c), ==, SVMDEMO_STS_TIMEOUT);
    group_answer(t, 0, SVM_RESP_SUCCESS);

    /* a new group; the stale index once more: ignored */
    slot = desc_submit(t, 0, &(struct svmdemo_desc) {
        .pasid = SVM_PV(SVM_PASID_A), .opcode = SVMDEMO_OP_FILL,
        .dst = va + SVM_PG, .len = 8, .cookie = 1,
    });
    group_wait(t, 2);
    g_assert_cmpuint(group_get(t, 1)->prgi, !=, group_get(t, 0)->prgi);
    page_response(t, SVM_PASID_A, group_get(t, 0)->prgi, SVM_RESP_SUCCESS);
    svm_sleep_ms(20);
    g_assert(!cmpl_done(t, 0, slot));
    group_answer(t, 1, SVM_RESP_SUCCESS);
    c = cmpl_wait(t, 0, slot);
    check_success(&c, 8);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_TIMEOUT), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 1);
}

/* A 128-entry page request queue and a 256-page job: overflow, retry */
static void test_pri_overflow(Svm *t)
{
    uint64_t va = SVM_VA_BASE, len = MiB;
    unsigned max_group = t->prq_bytes / VTD_PQA_ENTRY_SIZE - 1;
    SvmCmpl c;
    unsigned i;

    vma_add(t, t->sva, va, len, SVM_PROT_W);
    cnt_clear(t);
    c = fill(t, va, len, 0x9999999999999999ULL, 0);
    check_success(&c, len);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0x99, len));
    g_assert_cmpuint(t->prq_overflows, >=, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_OVERFLOW), >=, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_TIMEOUT), ==, 0);
    for (i = 0; i < t->groups->len; i++) {
        g_assert_cmpuint(group_get(t, i)->pages->len, <=, max_group);
    }
    /* the group size limit was halved from 2048 (at least 16) to fit */
    i = group_get(t, 0)->pages->len;
    g_assert(i == 16 || i == 32 || i == 64);
    g_assert_cmphex(vtd_rd32(t, DMAR_PRS_REG) & VTD_PR_STATUS_PRO, ==, 0);
}

/* Nobody empties the page request queue (pri-timeout-ms=300): TIMEOUT */
static void test_pri_overflow_timeout(Svm *t)
{
    uint64_t va = SVM_VA_BASE, len = MiB;
    SvmCmpl c;

    vma_add(t, t->sva, va, len, SVM_PROT_W);
    t->prq_off = true;
    c = fill(t, va, len, 0, 0);
    g_assert_cmphex(c.status, ==, SVMDEMO_STS_TIMEOUT | SVMDEMO_CMPL_DONE);
    g_assert(vtd_rd32(t, DMAR_PRS_REG) & VTD_PR_STATUS_PRO);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_OVERFLOW), >=, 2);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_TIMEOUT), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 1);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_GROUP), ==, 0);
    /* the OS catches up: page requests flow again */
    t->prq_off = false;
    prq_service(t);
    g_assert_cmphex(vtd_rd32(t, DMAR_PRS_REG), ==, 0);
    c = fill(t, va, 8 * SVM_PG, 0x1818181818181818ULL, 0);
    check_success(&c, 8 * SVM_PG);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0x18, 8 * SVM_PG));
}

/* PASID_FLUSH while a job of the PASID waits for a page request */
static void test_pri_pasid_flush(Svm *t)
{
    uint64_t va = SVM_VA_BASE, cached = sva_buf(t, MiB, 2 * SVM_PG);
    uint32_t slot;
    SvmCmpl c;

    fill(t, cached, 2 * SVM_PG, 0, 0);
    vma_add(t, t->sva, va, 2 * SVM_PG, SVM_PROT_W);
    t->hold = true;
    slot = desc_submit(t, 0, &(struct svmdemo_desc) {
        .pasid = SVM_PV(SVM_PASID_A), .opcode = SVMDEMO_OP_FILL,
        .dst = va, .len = 8, .operand = UINT64_MAX, .cookie = 2,
    });
    group_wait(t, 1);
    cnt_clear(t);
    dev_wr32(t, SVMDEMO_PASID_FLUSH, SVM_PASID_A);
    SVM_WAIT(t, !(dev_rd32(t, SVMDEMO_PASID_FLUSH) &
                  SVMDEMO_PASID_FLUSH_BUSY));
    g_assert_cmphex(dev_rd32(t, SVMDEMO_PASID_FLUSH), ==, SVM_PASID_A);
    c = cmpl_wait(t, 0, slot);
    check_rejected(&c, SVMDEMO_STS_ABORTED);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_INVAL), ==, 2);
    /* the answer is too late, nothing is written */
    group_answer(t, 0, SVM_RESP_SUCCESS);
    g_assert(svm_mem_is(t, va_to_pa(t->sva, va), 0, SVM_PG));

    /* the PASID is usable again */
    t->hold = false;
    c = fill(t, va + SVM_PG, 8, 0, 0);
    check_success(&c, 8);
    c = fill(t, cached, 8, 0, 0);
    check_success(&c, 8);
    /* bits 31:20 are ignored */
    dev_wr32(t, SVMDEMO_PASID_FLUSH, 0xfff00000 | SVM_PASID_B);
    g_assert_cmphex(dev_rd32(t, SVMDEMO_PASID_FLUSH), ==, SVM_PASID_B);

    /* a compat command is aborted the same way */
    t->hold = true;
    compat_setup(t, SVM_PASID_A, va + 2 * SVM_PG, SVM_PG, 0);
    vma_add(t, t->sva, va + 2 * SVM_PG, SVM_PG, SVM_PROT_W);
    dev_wr64(t, SVMDEMO_COMPAT_CMD, SVMDEMO_COMPAT_CMD_WRITE);
    group_wait(t, t->groups->len + 1);
    dev_wr32(t, SVMDEMO_PASID_FLUSH, SVM_PASID_A);
    SVM_WAIT(t, compat_status(t) != SVMDEMO_COMPAT_STATUS_BUSY);
    g_assert_cmphex(compat_status(t), ==, SVMDEMO_STS_ABORTED);
}

/* PRI disabled: no page request, the job faults at once */
static void test_pri_disabled(Svm *t)
{
    uint64_t va = SVM_VA_BASE, ro = SVM_VA_BASE + MiB;
    SvmCmpl c;

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W);
    vma_add(t, t->sva, ro, SVM_PG, SVM_PROT_POPULATE);
    c = fill(t, va, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, va);
    c = fill(t, ro, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PERM, true, ro);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_REQ), ==, 0);
    g_assert_cmphex(vtd_rd64(t, DMAR_PQT_REG), ==, 0);
    /* enabled later: page requests flow */
    pri_enable(t, 32);
    c = fill(t, va, 8, 0, 0);
    check_success(&c, 8);
    g_assert_cmpuint(t->groups->len, ==, 1);
}

/* No PRE in the context entry: the IOMMU refuses the page request */
static void test_pri_pre_clear(Svm *t)
{
    uint64_t va = SVM_VA_BASE, frcd;
    SvmCmpl c;

    vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W);
    c = fill(t, va, 8, 0, 0);
    check_fault(&c, SVMDEMO_STS_PAGE_FAULT, true, va);
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_PRI_FAIL), ==, 1);
    g_assert_cmpuint(t->groups->len, ==, 0);
    g_assert(vtd_rd32(t, DMAR_FSTS_REG) & VTD_FSTS_PPF);
    frcd = vtd_rd64(t, DMAR_FRCD_REG_0_2);
    g_assert(frcd & VTD_FRCD_F);
    g_assert_cmphex((frcd >> 32) & 0xff, ==, VTD_FR_SM_PRE_ABS);
    g_assert_cmphex(VTD_FRCD_SID(frcd), ==, SVM_SID);
}

/* ------------------------------------------------------------------ */
/* Several PASIDs                                                     */
/* ------------------------------------------------------------------ */

/* The same VA in two address spaces; the ATC keeps them apart */
static void test_pasid_isolation(Svm *t)
{
    uint64_t va = SVM_VA_BASE;
    SvmMm *mm2 = mm_new(t, SVM_PASID_B);
    uint64_t pa1 = vma_add(t, t->sva, va, SVM_PG, SVM_PROT_W |
                           SVM_PROT_POPULATE);
    uint64_t pa2 = vma_add(t, mm2, va, SVM_PG, SVM_PROT_W);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 64);

    cnt_clear(t);
    d.operand = 0x1111111111111111ULL;
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);
    d.pasid = SVM_PV(SVM_PASID_B);
    d.operand = 0x2222222222222222ULL;
    d.cookie++;
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);     /* page request for B */
    g_assert_cmpuint(group_get(t, 0)->pasid, ==, SVM_PASID_B);
    g_assert(svm_mem_is(t, pa1, 0x11, 64));
    g_assert(svm_mem_is(t, pa2, 0x22, 64));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_HIT), ==, 0);
    d.pasid = SVM_PV(SVM_PASID_A);
    d.operand = 0x3333333333333333ULL;
    d.cookie++;
    run_expect(t, &d, SVMDEMO_STS_SUCCESS);
    g_assert(svm_mem_is(t, pa1, 0x33, 64));
    g_assert(svm_mem_is(t, pa2, 0x22, 64));
    g_assert_cmpuint(cnt(t, SVMDEMO_CNT_ATC_HIT), ==, 1);
}

/* A PASID in another PASID table (directory entry > 0) */
static void test_pasid_dir(Svm *t)
{
    uint32_t pasid = (1u << dev_rd32(t, SVMDEMO_PASID_WIDTH)) - 1;
    SvmMm *mm = mm_new(t, pasid);
    uint64_t va = SVM_VA_BASE;
    uint64_t pa = vma_add(t, mm, va, 2 * SVM_PG, SVM_PROT_W);
    struct svmdemo_desc d = desc_new(t, SVMDEMO_OP_FILL, 0, va, 2 * SVM_PG);
    SvmCmpl c;

    g_assert_cmpuint(VTD_PASID_DIR_INDEX(pasid), >, 0);
    d.pasid = SVM_PV(pasid);
    d.operand = 0x4242424242424242ULL;
    c = run(t, &d);
    check_success(&c, 2 * SVM_PG);
    g_assert(svm_mem_is(t, pa, 0x42, 2 * SVM_PG));
    g_assert_cmpuint(group_get(t, 0)->pasid, ==, pasid);
}

/* ------------------------------------------------------------------ */
/* Registration                                                       */
/* ------------------------------------------------------------------ */

typedef struct SvmCase {
    const char *path;
    void (*fn)(Svm *t);
    SvmOpts opts;
} SvmCase;

#define PRI_TIMEOUT_100     ",pri-timeout-ms=100"

static const SvmCase svm_cases[] = {
    { "regs/identity", test_regs_identity },
    { "regs/reserved", test_regs_reserved },
    { "regs/access", test_regs_access },
    { "regs/flr", test_regs_flr },
    { "regs/flr-caps", test_regs_flr_caps },
    { "regs/system-reset", test_regs_system_reset },

    { "desc/reserved", test_desc_reserved },
    { "desc/bad-opcode", test_desc_bad_opcode },
    { "desc/bad-pasid", test_desc_bad_pasid },
    { "desc/pasid-disabled", test_desc_pasid_disabled },
    { "desc/priv", test_desc_priv },
    { "desc/length", test_desc_length },
    { "desc/noop-length", test_desc_noop_length },
    { "desc/fence", test_desc_fence },
    { "desc/random", test_desc_random },
    { "desc/timeout", test_desc_timeout, { .props = PRI_TIMEOUT_100 } },
    { "desc/page-fault", test_desc_page_fault },
    { "desc/perm", test_desc_perm },
    { "desc/dma-error", test_desc_dma_error, { .flags = SVM_F_NO_DTE } },
    { "desc/dma-error-nowhere", test_desc_dma_error_nowhere },

    { "ops/fill", test_ops_fill },
    { "ops/copy", test_ops_copy },
    { "ops/compare", test_ops_compare },
    { "ops/crc32c", test_ops_crc32c },
    { "ops/write-pattern", test_ops_write_pattern },
    { "ops/read-crc8", test_ops_read_crc8 },
    { "ops/noop", test_ops_noop },
    { "ops/no-pasid", test_ops_no_pasid },

    { "cr/user", test_cr_user },
    { "cr/user-checks", test_cr_user_checks },
    { "cr/user-refused", test_cr_user_refused },
    { "cr/user-timeout", test_cr_user_timeout,
      { .props = PRI_TIMEOUT_100 } },

    { "queue/bad-config", test_queue_bad_config },
    { "queue/desc-fetch", test_queue_desc_fetch },
    { "queue/cmpl-write", test_queue_cmpl_write },
    { "queue/bad-tail", test_queue_bad_tail },
    { "queue/doorbell-disabled", test_queue_doorbell_disabled },
    { "queue/isolation", test_queue_isolation },
    { "queue/reset", test_queue_reset },
    { "queue/drain", test_queue_drain },
    { "queue/wrap", test_queue_wrap },
    { "queue/concurrent", test_queue_concurrent },

    { "irq/msix", test_irq_msix },
    { "irq/msi", test_irq_msi },
    { "irq/intr-status", test_irq_intr_status },
    { "irq/coalesce", test_irq_coalesce },

    { "compat/write-read", test_compat_write_read },
    { "compat/busy", test_compat_busy },
    { "compat/priv", test_compat_priv },
    { "compat/no-pasid", test_compat_no_pasid },
    { "compat/pasid-disable", test_compat_pasid_disable },

    { "ats/4k", test_ats_4k },
    { "ats/window", test_ats_window },
    { "ats/2m", test_ats_2m },
    { "ats/1g", test_ats_1g },
    { "ats/perm", test_ats_perm },
    { "ats/user-supervisor", test_ats_user_supervisor },
    { "ats/priv", test_ats_priv },
    { "ats/nwfs", test_ats_nwfs },
    { "ats/dirty", test_ats_dirty },
    { "ats/atc-evict", test_ats_atc_evict, { .props = ",atc-entries=2" } },
    { "ats/untranslated", test_ats_untranslated },
    { "ats/cap-write", test_ats_cap_write },
    { "ats/no-device-iotlb", test_ats_no_device_iotlb,
      { .iommu = SVM_IOMMU_NO_DEVTLB } },

    { "inval/address", test_inval_address },
    { "inval/pasid", test_inval_pasid },
    { "inval/global", test_inval_global },
    { "inval/remap", test_inval_remap },
    { "inval/stale-copy", test_inval_stale_copy },
    { "inval/inflight", test_inval_inflight },
    { "inval/pasid-teardown", test_inval_pasid_teardown },

    { "pri/group", test_pri_group },
    { "pri/lookahead", test_pri_lookahead },
    { "pri/alloc-limit", test_pri_alloc_limit, { .pri_alloc = 4 } },
    { "pri/shared-alloc", test_pri_shared_alloc, { .pri_alloc = 8 } },
    { "pri/refused", test_pri_refused },
    { "pri/rounds", test_pri_rounds },
    { "pri/unknown-index", test_pri_unknown_index },
    { "pri/late-response", test_pri_late_response,
      { .props = ",pri-timeout-ms=500" } },
    { "pri/overflow", test_pri_overflow, { .flags = SVM_F_SMALL_PRQ } },
    { "pri/overflow-timeout", test_pri_overflow_timeout,
      { .flags = SVM_F_SMALL_PRQ, .props = ",pri-timeout-ms=300" } },
    { "pri/pasid-flush", test_pri_pasid_flush },
    { "pri/disabled", test_pri_disabled, { .flags = SVM_F_NO_PRI } },
    { "pri/pre-clear", test_pri_pre_clear, { .flags = SVM_F_NO_PRE } },

    { "pasid/isolation", test_pasid_isolation },
    { "pasid/directory", test_pasid_dir },
};

static void svm_case_run(const void *data)
{
    const SvmCase *c = data;
    Svm *t = svm_start(&c->opts);

    c->fn(t);
    svm_stop(t);
}

int main(int argc, char **argv)
{
    g_autofree char *fw = firmware_dir();
    g_autofree char *rom = g_build_filename(fw, "qboot.rom", NULL);
    unsigned i;

    g_test_init(&argc, &argv, NULL);
    if (!g_file_test(rom, G_FILE_TEST_EXISTS)) {
        g_test_message("%s not found (set SVMDEMO_FIRMWARE): skipped", rom);
        return g_test_run();
    }
    for (i = 0; i < ARRAY_SIZE(svm_cases); i++) {
        g_autofree char *path = g_strdup_printf("svmdemo/%s",
                                                svm_cases[i].path);

        qtest_add_data_func(path, &svm_cases[i], svm_case_run);
    }
    return g_test_run();
}
