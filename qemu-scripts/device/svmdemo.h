/*
 * svmdemo: a PCIe accelerator with ATS, PASID and PRI for SVM experiments
 *
 * Internal definitions shared by the register front end (svmdemo.c), the
 * queue engine (svmdemo-queue.c) and the translation engine
 * (svmdemo-xlate.c). The register layout is specified in docs/device.md of
 * the svmdemo project; the guest driver's driver/svmdemo_regs.h uses the
 * same names and values.
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_SVMDEMO_H
#define HW_SVMDEMO_H

#include "hw/pci/pci_device.h"
#include "qemu/thread.h"
#include "qemu/units.h"
#include "qom/object.h"

#define TYPE_SVMDEMO "svmdemo"
OBJECT_DECLARE_SIMPLE_TYPE(SvmdemoState, SVMDEMO)

/* PCI identity */
#define SVMDEMO_PCI_VENDOR_ID           0x1234
#define SVMDEMO_PCI_DEVICE_ID           0x0b11
#define SVMDEMO_PCI_REVISION            0x01
#define SVMDEMO_PCI_CLASS               0x1200  /* processing accelerator */
#define SVMDEMO_BAR0_SIZE               0x1000
#define SVMDEMO_MSIX_BAR                2

/* Config space layout */
#define SVMDEMO_CFG_MSI                 0x50
#define SVMDEMO_CFG_EXP                 0x80
#define SVMDEMO_CFG_ATS                 0x100
#define SVMDEMO_CFG_PASID               0x110
#define SVMDEMO_CFG_PRI                 0x120

/* Compatible block */
#define SVMDEMO_COMPAT_CMD              0x00
#define SVMDEMO_COMPAT_CMD_WRITE        1
#define SVMDEMO_COMPAT_CMD_READ         2
#define SVMDEMO_COMPAT_ID_VALUE         0x0b1c5111
#define SVMDEMO_COMPAT_ADDR             0x08
#define SVMDEMO_COMPAT_STATUS           0x08
#define SVMDEMO_COMPAT_STATUS_BUSY      0x80
#define SVMDEMO_COMPAT_CRC              0x10
#define SVMDEMO_COMPAT_SIZE             0x18
#define SVMDEMO_COMPAT_OPT              0x20
#define SVMDEMO_COMPAT_OPT_PRIV         BIT_ULL(0)
#define SVMDEMO_COMPAT_REG64_END        0x28
#define SVMDEMO_COMPAT_PASID            0x50
#define SVMDEMO_COMPAT_PASID_DISABLE    BIT(20)

/* Global registers */
#define SVMDEMO_VERSION                 0x100
#define SVMDEMO_VERSION_1_0             0x00010000
#define SVMDEMO_CAPS                    0x104
#define SVMDEMO_CAPS_ATS                BIT(0)
#define SVMDEMO_CAPS_PASID              BIT(1)
#define SVMDEMO_CAPS_PRI                BIT(2)
#define SVMDEMO_CAPS_MSIX               BIT(3)
#define SVMDEMO_CAPS_UNTRANSLATED       BIT(4)
#define SVMDEMO_CAPS_CR_USER            BIT(5)
#define SVMDEMO_CAPS_FENCE              BIT(6)
#define SVMDEMO_NUM_QUEUES              0x108
#define SVMDEMO_MAX_QUEUES              16
#define SVMDEMO_RING_SIZE_MAX           0x10c
#define SVMDEMO_RING_SIZE_MIN           2
#define SVMDEMO_RING_SIZE_LIMIT         32768
#define SVMDEMO_ATC_ENTRIES             0x110
#define SVMDEMO_PRI_CAPACITY            0x114
#define SVMDEMO_PASID_WIDTH             0x118
#define SVMDEMO_OPCODES                 0x11c
#define SVMDEMO_MAX_XFER                0x120
#define SVMDEMO_MAX_XFER_BYTES          (1ULL << 30)
#define SVMDEMO_PRI_TIMEOUT             0x124
#define SVMDEMO_CTRL                    0x128
#define SVMDEMO_CTRL_CLEAR_COUNTERS     BIT(0)
#define SVMDEMO_CTRL_FLUSH_ATC          BIT(1)
#define SVMDEMO_INTR_STATUS             0x130
#define SVMDEMO_INTR_QUEUE_MASK         MAKE_64BIT_MASK(0, 16)
#define SVMDEMO_INTR_COMPAT_DONE        BIT(30)
#define SVMDEMO_INTR_ERROR              BIT(31)
#define SVMDEMO_ERR_CAUSE               0x134
#define SVMDEMO_ERR_QUEUE_ERROR         BIT(0)
#define SVMDEMO_ERR_DOORBELL_DISABLED   BIT(1)
#define SVMDEMO_ERR_COMPAT_BUSY         BIT(2)
#define SVMDEMO_ERR_CAUSE_MASK          MAKE_64BIT_MASK(0, 3)
#define SVMDEMO_ERR_QUEUE               0x138
#define SVMDEMO_PASID_FLUSH             0x140
#define SVMDEMO_PASID_FLUSH_BUSY        BIT(31)
#define SVMDEMO_GLOBAL_END              0x200

/* Counters */
enum {
    SVMDEMO_CNT_JOBS,
    SVMDEMO_CNT_BYTES,
    SVMDEMO_CNT_ATS_REQ,
    SVMDEMO_CNT_ATC_HIT,
    SVMDEMO_CNT_ATC_MISS,
    SVMDEMO_CNT_PRI_REQ,
    SVMDEMO_CNT_PRI_GROUP,
    SVMDEMO_CNT_PRI_FAIL,
    SVMDEMO_CNT_INVAL,
    SVMDEMO_CNT_ERRORS,
    SVMDEMO_CNT_ATC_INVAL,
    SVMDEMO_CNT_PRI_TIMEOUT,
    SVMDEMO_CNT_PRI_OVERFLOW,
    SVMDEMO_CNT_NR,
};
#define SVMDEMO_CNT_BASE                0x200
#define SVMDEMO_CNT_STATUS_BASE         0x280
#define SVMDEMO_CNT_STATUS_NR           16
#define SVMDEMO_CNT_END                 0x300

/* Queue registers */
#define SVMDEMO_QUEUE_BASE              0x400
#define SVMDEMO_QUEUE_STRIDE            0x40
#define SVMDEMO_QUEUE_END               0x800
#define SVMDEMO_Q_DESC_LO               0x00
#define SVMDEMO_Q_DESC_HI               0x04
#define SVMDEMO_Q_CMPL_LO               0x08
#define SVMDEMO_Q_CMPL_HI               0x0c
#define SVMDEMO_Q_SIZE                  0x10
#define SVMDEMO_Q_HEAD                  0x14
#define SVMDEMO_Q_TAIL                  0x18
#define SVMDEMO_Q_CTRL                  0x1c
#define SVMDEMO_Q_CTRL_ENABLE           BIT(0)
#define SVMDEMO_Q_CTRL_DISABLE          BIT(1)
#define SVMDEMO_Q_CTRL_RESET            BIT(2)
#define SVMDEMO_Q_STATUS                0x20
#define SVMDEMO_Q_STATUS_ENABLED        BIT(0)
#define SVMDEMO_Q_STATUS_BUSY           BIT(1)
#define SVMDEMO_Q_STATUS_DRAINING       BIT(2)
#define SVMDEMO_Q_STATUS_ERROR          BIT(3)
#define SVMDEMO_Q_STATUS_ERR_CODE_SHIFT 8
#define SVMDEMO_Q_COMPLETED             0x24

#define SVMDEMO_QERR_NONE               0
#define SVMDEMO_QERR_BAD_CONFIG         1
#define SVMDEMO_QERR_DESC_FETCH         2
#define SVMDEMO_QERR_CMPL_WRITE         3
#define SVMDEMO_QERR_BAD_TAIL           4

/* Descriptor */
#define SVMDEMO_DESC_SIZE               64
#define SVMDEMO_DESC_PASID_MASK         MAKE_64BIT_MASK(0, 20)
#define SVMDEMO_DESC_PASID_RSVD         MAKE_64BIT_MASK(20, 11)
#define SVMDEMO_DESC_PASID_VALID        BIT(31)

enum {
    SVMDEMO_OP_NOOP = 0,
    SVMDEMO_OP_FILL = 1,
    SVMDEMO_OP_COPY = 2,
    SVMDEMO_OP_COMPARE = 3,
    SVMDEMO_OP_CRC32C = 4,
    SVMDEMO_OP_WRITE_PATTERN = 5,
    SVMDEMO_OP_READ_CRC8 = 6,
    SVMDEMO_OP_NR,
};

#define SVMDEMO_WRITE_PATTERN_MOD       251
#define SVMDEMO_CRC8_POLY               0xab
#define SVMDEMO_CRC8_INIT               0xff

#define SVMDEMO_DESC_F_UNTRANSLATED     BIT(0)
#define SVMDEMO_DESC_F_NO_PRI           BIT(1)
#define SVMDEMO_DESC_F_PRIV             BIT(2)
#define SVMDEMO_DESC_F_CR_USER          BIT(3)
#define SVMDEMO_DESC_F_FENCE            BIT(4)
#define SVMDEMO_DESC_F_NO_IRQ           BIT(5)
#define SVMDEMO_DESC_F_RSVD             MAKE_64BIT_MASK(6, 10)

/* Descriptor as it sits in guest memory (little-endian) */
typedef struct QEMU_PACKED SvmdemoDesc {
    uint32_t pasid;
    uint8_t opcode;
    uint8_t rsvd0;
    uint16_t flags;
    uint64_t src;
    uint64_t dst;
    uint64_t len;
    uint64_t operand;
    uint64_t cookie;
    uint64_t cr_addr;
    uint64_t rsvd1;
} SvmdemoDesc;

/* Completion record */
#define SVMDEMO_CMPL_SIZE               32
#define SVMDEMO_CMPL_FAULT_WRITE        BIT(8)
#define SVMDEMO_CMPL_CR_USER_FAILED     BIT(9)
#define SVMDEMO_CMPL_DONE               BIT(31)

typedef struct QEMU_PACKED SvmdemoCmpl {
    uint32_t status;
    uint32_t bytes_done;
    uint64_t result;
    uint64_t fault_addr;
    uint64_t cookie;
} SvmdemoCmpl;

enum {
    SVMDEMO_STS_SUCCESS = 0x00,
    SVMDEMO_STS_PAGE_FAULT = 0x01,
    SVMDEMO_STS_PERM = 0x02,
    SVMDEMO_STS_PRIV = 0x03,
    SVMDEMO_STS_BAD_OPCODE = 0x04,
    SVMDEMO_STS_RESERVED = 0x05,
    SVMDEMO_STS_LENGTH = 0x06,
    SVMDEMO_STS_BAD_PASID = 0x07,
    SVMDEMO_STS_MISMATCH = 0x08,
    SVMDEMO_STS_ABORTED = 0x09,
    SVMDEMO_STS_TIMEOUT = 0x0a,
    SVMDEMO_STS_DMA_ERROR = 0x0b,
    SVMDEMO_STS_NR,
    /* internal: the queue was reset, write no completion */
    SVMDEMO_STS_DISCARD = 0x100,
    /* internal: the page group response was not success */
    SVMDEMO_STS_PRI_REFUSED = 0x101,
};

/* Engine limits */
#define SVMDEMO_WINDOW                  (64 * KiB)
#define SVMDEMO_PAGE_SIZE               4096
#define SVMDEMO_WINDOW_PAGES            (SVMDEMO_WINDOW / SVMDEMO_PAGE_SIZE)
#define SVMDEMO_PRI_ROUNDS              4
/*
 * A miss that needs page requests looks this far ahead in the job's buffer
 * (in 4 KiB pages) for other missing pages, so that one page group covers
 * them all (up to the PRI allocation). 2048 is the most Linux allocates
 * (its page request queue depth).
 */
#define SVMDEMO_PRI_SPAN_PAGES          2048
/*
 * Page group size limit after the IOMMU's page request queue overflowed:
 * halved at each overflow down to SVMDEMO_PRI_GROUP_MIN, grown back by
 * SVMDEMO_PRI_GROUP_STEP per group answered, and the sender backs off
 * SVMDEMO_PRI_BACKOFF_MS (or until a response) before it sends again.
 */
#define SVMDEMO_PRI_GROUP_MIN           16
#define SVMDEMO_PRI_GROUP_STEP          64
#define SVMDEMO_PRI_BACKOFF_MS          1
#define SVMDEMO_ATS_RES_MAX             (SVMDEMO_PRI_SPAN_PAGES + 1)
#define SVMDEMO_PRGI_NR                 512

/* One decoded job (descriptor or compat command) and its outcome */
typedef struct SvmdemoJob {
    SvmdemoDesc d;              /* host-endian copy of the descriptor */
    bool has_pasid;
    uint32_t pasid;
    /* outcome */
    uint32_t status;
    uint64_t bytes_done;
    uint64_t result;
    uint64_t fault_addr;
    bool fault_write;
} SvmdemoJob;

typedef struct SvmdemoQueue {
    SvmdemoState *s;
    unsigned idx;               /* == num_queues for the compat engine */
    QemuThread thread;
    QemuCond cond;              /* work arrived / exit (waited with BQL) */
    uint8_t *buf[2];            /* SVMDEMO_WINDOW bytes each */
    IOMMUTLBEntry *ats_res;     /* SVMDEMO_ATS_RES_MAX ATS results */
    uint64_t *missing;          /* SVMDEMO_ATS_RES_MAX pages to request */

    /* Everything below is protected by the BQL. */
    uint64_t desc_base;
    uint64_t cmpl_base;
    uint32_t size;
    uint32_t head;
    uint32_t tail;
    uint32_t completed;
    bool enabled;
    bool draining;
    bool error;
    uint8_t err_code;
    bool fence_err;             /* an error since the last FENCE */

    bool running;               /* a job is executing */
    bool discard;               /* queue reset: stop, write no completion */
    bool pasid_abort;           /* PASID flushed: stop with ABORTED */
    bool cur_has_pasid;
    uint32_t cur_pasid;
    uint64_t gen;               /* bumped on every reset */

    bool compat_pending;        /* compat engine only */
    SvmdemoJob compat_job;
    bool exiting;
} SvmdemoQueue;

typedef struct SvmdemoAtcEntry {
    bool valid;
    uint32_t pasid;
    uint64_t iova;              /* aligned to addr_mask + 1 */
    uint64_t addr_mask;
    uint64_t translated_addr;
    AddressSpace *target_as;    /* where translated_addr lives */
    int perm;                   /* IOMMUAccessFlags */
    bool referenced;            /* used since the clock hand passed */
    uint64_t gen;               /* a copy's inval_gen when looked up */
    uint8_t shift;              /* log2(addr_mask + 1) */
    int32_t hnext;              /* next entry in the hash bucket, or -1 */
} SvmdemoAtcEntry;

/* ATC lookup: hash buckets on (PASID, iova >> entry size) */
#define SVMDEMO_ATC_HASH_BITS           12

typedef struct SvmdemoPasidCtx {
    SvmdemoState *s;
    uint32_t pasid;
    IOMMUNotifier iotlb_n;
    IOMMUPRINotifier pri_n;
    bool pri_registered;
    QLIST_ENTRY(SvmdemoPasidCtx) next;
} SvmdemoPasidCtx;

typedef struct SvmdemoPrg {
    bool in_use;
    bool done;                  /* response arrived */
    bool stale;                 /* waiter gave up; the response frees it */
    int code;                   /* IOMMUPRIResponseCode */
    uint32_t pasid;
    uint32_t nreq;              /* requests counted in pri_outstanding */
} SvmdemoPrg;

struct SvmdemoState {
    PCIDevice parent_obj;

    MemoryRegion mmio;

    /* properties */
    uint32_t num_queues;
    uint32_t ring_size_max;
    uint32_t atc_entries;
    uint32_t pri_capacity;
    uint32_t pri_timeout_ms;
    uint8_t pasid_width;
    bool pasid_exec;
    bool pasid_priv;

    /* Everything below is protected by the BQL. */
    SvmdemoQueue queues[SVMDEMO_MAX_QUEUES + 1];    /* + compat engine */
    QemuCond idle_cond;         /* a job stopped running */

    uint64_t compat_reg[SVMDEMO_COMPAT_REG64_END / 8];
    uint32_t compat_pasid;
    uint32_t compat_status;

    uint32_t intr_status;
    uint32_t err_cause;
    uint32_t pasid_flush;

    uint64_t cnt[SVMDEMO_CNT_NR];
    uint64_t cnt_status[SVMDEMO_CNT_STATUS_NR];

    /* translation engine */
    SvmdemoAtcEntry *atc;
    int32_t *atc_hash;          /* 1 << SVMDEMO_ATC_HASH_BITS chain heads */
    uint32_t atc_hand;          /* clock hand: next replacement candidate */
    uint32_t atc_shift_cnt[64]; /* valid entries per entry size */
    uint64_t atc_shifts;        /* bit n: some valid entry has shift n */
    /*
     * Bumped by every invalidation and flush (never by a replacement): a
     * translation looked up while it had one value may be used only
     * while it still has it (svmdemo_xlate_current()).
     */
    uint64_t inval_gen;
    QLIST_HEAD(, SvmdemoPasidCtx) pasids;
    SvmdemoPrg prg[SVMDEMO_PRGI_NR];
    uint32_t prg_next;
    uint32_t pri_outstanding;
    uint32_t pri_group_max;     /* page group size limit (overflows) */
    QemuCond pri_cond;          /* a page group response or slot arrived */
};

static inline SvmdemoQueue *svmdemo_compat_queue(SvmdemoState *s)
{
    return &s->queues[s->num_queues];
}

/* svmdemo.c: register front end, interrupts */
void svmdemo_irq_queue(SvmdemoState *s, unsigned q);
void svmdemo_irq_compat(SvmdemoState *s);
void svmdemo_raise_error(SvmdemoState *s, uint32_t cause);

/* svmdemo-queue.c: queue engine */
void svmdemo_queues_init(SvmdemoState *s);
void svmdemo_queues_exit(SvmdemoState *s);
void svmdemo_queue_reset(SvmdemoQueue *q);
void svmdemo_queue_ctrl(SvmdemoQueue *q, uint32_t val);
void svmdemo_queue_doorbell(SvmdemoQueue *q, uint32_t tail);
bool svmdemo_compat_submit(SvmdemoState *s, uint64_t cmd);
void svmdemo_queue_halt(SvmdemoQueue *q, uint8_t err_code);

/* svmdemo-xlate.c: translation engine (ATS, ATC, PRI) */
void svmdemo_xlate_init(SvmdemoState *s);
void svmdemo_xlate_exit(SvmdemoState *s);
void svmdemo_xlate_reset(SvmdemoState *s);
bool svmdemo_pasid_usable(SvmdemoState *s, uint32_t pasid);
uint32_t svmdemo_dma(SvmdemoQueue *q, SvmdemoJob *job, uint64_t addr,
                     void *buf, uint64_t len, uint64_t ahead, bool is_write,
                     bool use_atc);
uint32_t svmdemo_dma_copy(SvmdemoQueue *q, SvmdemoJob *job, uint64_t src,
                          uint64_t dst, void *buf, uint64_t len,
                          uint64_t ahead, bool use_atc);
void svmdemo_atc_flush_all(SvmdemoState *s);
void svmdemo_pasid_flush(SvmdemoState *s, uint32_t pasid);
void svmdemo_pasid_release_all(SvmdemoState *s);
bool svmdemo_pasid_busy(SvmdemoState *s, uint32_t pasid);
bool svmdemo_job_stopped(SvmdemoQueue *q, uint32_t *status);

#endif
