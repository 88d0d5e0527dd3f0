/*
 * svmdemo: a PCIe accelerator with ATS, PASID and PRI for SVM experiments
 *
 * Internal definitions shared by the register front end (svmdemo.c), the
 * queue engine (svmdemo-queue.c) and the translation engine
 * (svmdemo-xlate.c). The programming interface is in svmdemo_hw.h, shared
 * with the guest driver and the tests; its semantics are specified in
 * docs/device.md of the svmdemo project.
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

/*
 * The programming interface (registers, descriptor, completion record,
 * opcodes, status codes) is shared with the driver and the tests.
 */
#include "hw/misc/svmdemo_hw.h"

typedef struct svmdemo_desc SvmdemoDesc;
typedef struct svmdemo_cmpl SvmdemoCmpl;

/* Internal job outcomes, never written to a completion record */
#define SVMDEMO_STS_DISCARD             0x100   /* queue reset: no record */
#define SVMDEMO_STS_PRI_REFUSED         0x101   /* group response not success */

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
    SvmdemoDesc d;              /* the descriptor, in host byte order */
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
