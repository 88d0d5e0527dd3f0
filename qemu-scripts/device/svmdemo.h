/*
 * svmdemo: a PCIe accelerator with ATS, PASID and PRI for SVM experiments
 *
 * Internal definitions shared by the device's parts: the register front
 * end (svmdemo.c), the queue engine (svmdemo-queue.c) and the translation
 * engine: the ATC (svmdemo-atc.c), ATS (svmdemo-ats.c), PRI page groups
 * (svmdemo-pri.c), per-PASID contexts and the IOMMU's notifiers
 * (svmdemo-pasid.c) and data movement (svmdemo-dma.c). The programming
 * interface is in svmdemo_hw.h, shared with the guest driver and the
 * tests; its semantics are specified in docs/device.md of the svmdemo
 * project.
 *
 * Locking. SvmdemoState.lock protects the device's state: registers,
 * queues, the ATC, page groups, PASID contexts, counters. When both are
 * held the BQL comes first: register accesses and the IOMMU's
 * invalidation and page group response notifiers run with the BQL and
 * take the lock. The engine threads run with the lock alone and take the
 * BQL only for what QEMU needs it for: DMA through the IOMMU's
 * untranslated path (rings, jobs without PASID), the first translated
 * request of an access, ATS and PRI requests, MSI, and registering IOMMU
 * notifiers. They make those calls in a "BQL section" with the lock
 * dropped (svmdemo_bql_begin(), svmdemo_bql_end()), because each of them
 * can come back into the device: a page request invalidates, a DMA can
 * reach the IOMMU's invalidation queue registers. A queue's ring state is
 * written with both locks held and can be read with either.
 *
 * Data moves between mapped guest RAM with no lock held. Such an access
 * is pinned (SvmdemoQueue.pin): an invalidation overlapping it waits until
 * it has ended, so the IOMMU's invalidation completes only when no access
 * still uses the old translation. A translation looked up before any
 * wait is checked again after it (svmdemo_atc_current()).
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_SVMDEMO_H
#define HW_SVMDEMO_H

#include "hw/pci/pci_device.h"
#include "qemu/thread.h"
#include "qemu/timer.h"
#include "qemu/units.h"
#include "qom/object.h"
#include "hw/misc/svmdemo-atc.h"

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
 * How many times in a row a translation is looked up again because an
 * invalidation ran while it was looked up or waited for: a guest that
 * invalidates without end gets a fault instead of a stuck job.
 */
#define SVMDEMO_STALE_ROUNDS            16
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
    /*
     * The IOMMU accepted a translated request of this job while the ATC
     * had generation @checked_gen (svmdemo-dma.c): until an invalidation,
     * the job's other accesses go straight to RAM.
     */
    bool checked;
    uint64_t checked_gen;
} SvmdemoJob;

/* The ranges of one access made with no lock held */
#define SVMDEMO_PIN_ANY                 UINT32_MAX      /* any PASID */
typedef struct SvmdemoPin {
    unsigned nr;                /* ranges pinned: 0, 1 or 2 */
    uint32_t pasid;
    uint64_t start[2];
    uint64_t last[2];
} SvmdemoPin;

typedef struct SvmdemoQueue {
    SvmdemoState *s;
    unsigned idx;               /* == num_queues for the compat engine */
    QemuThread thread;
    QemuCond cond;              /* work arrived / exit (waited with lock) */
    uint8_t *buf[2];            /* SVMDEMO_WINDOW bytes each */
    IOMMUTLBEntry *ats_res;     /* SVMDEMO_ATS_RES_MAX ATS results */
    uint64_t *missing;          /* SVMDEMO_ATS_RES_MAX pages to request */

    /* Ring state: written with the BQL and lock, read with either. */
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
    uint64_t gen;               /* bumped on every reset */
    uint32_t irq_coalesce;      /* Q_IRQ_COALESCE */

    /* Everything below is protected by the lock. */
    bool fence_err;             /* an error since the last FENCE */
    bool running;               /* a job is executing */
    bool discard;               /* queue reset: stop, write no completion */
    bool pasid_abort;           /* PASID flushed: stop with ABORTED */
    bool cur_has_pasid;
    uint32_t cur_pasid;
    SvmdemoPin pin;             /* the access in flight without the lock */
    uint32_t irq_held;          /* completions whose interrupt waits */
    QEMUTimer *irq_timer;       /* sends a held interrupt (coalescing) */

    bool compat_pending;        /* compat engine only */
    SvmdemoJob compat_job;
    bool exiting;
} SvmdemoQueue;

typedef struct SvmdemoPasidCtx {
    SvmdemoState *s;
    uint32_t pasid;
    IOMMUNotifier iotlb_n;
    IOMMUPRINotifier pri_n;
    bool pri_registered;
    QLIST_ENTRY(SvmdemoPasidCtx) next;
} SvmdemoPasidCtx;

typedef struct SvmdemoPrg {
    int64_t sent_ns;            /* first request sent (QEMU_CLOCK_REALTIME) */
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

    QemuMutex lock;
    /* Everything below is protected by the lock (but see SvmdemoQueue). */
    SvmdemoQueue queues[SVMDEMO_MAX_QUEUES + 1];    /* + compat engine */
    QemuCond idle_cond;         /* a job stopped running */
    QemuCond pin_cond;          /* a pinned access ended */
    uint32_t irq_pending;       /* vectors to notify (svmdemo_irq_send()) */

    uint64_t compat_reg[SVMDEMO_COMPAT_REG64_END / 8];
    uint32_t compat_pasid;
    uint32_t compat_status;

    uint32_t intr_status;
    uint32_t err_cause;
    uint32_t pasid_flush;

    uint64_t cnt[SVMDEMO_CNT_NR];
    uint64_t cnt_status[SVMDEMO_CNT_STATUS_NR];
    uint64_t hist[SVMDEMO_HIST_NR][SVMDEMO_HIST_BUCKETS];

    /* translation engine */
    SvmdemoAtc atc;
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

/* svmdemo-irq.c: interrupts */
void svmdemo_irq_init(SvmdemoState *s);
void svmdemo_irq_exit(SvmdemoState *s);
void svmdemo_irq_queue(SvmdemoState *s, unsigned q);
void svmdemo_irq_completion(SvmdemoQueue *q);
void svmdemo_irq_compat(SvmdemoState *s);
void svmdemo_raise_error(SvmdemoState *s, uint32_t cause);
void svmdemo_irq_send(SvmdemoState *s);

/* svmdemo.c: register front end, locking */
void svmdemo_bql_begin(SvmdemoState *s);
void svmdemo_bql_end(SvmdemoState *s);
void svmdemo_set_engine_thread(SvmdemoState *s);
void svmdemo_wait_idle(SvmdemoState *s);
void svmdemo_hist_add(SvmdemoState *s, enum svmdemo_hist h, int64_t start_ns);

/* svmdemo-queue.c: queue engine */
void svmdemo_queues_init(SvmdemoState *s);
void svmdemo_queues_exit(SvmdemoState *s);
void svmdemo_queue_abort(SvmdemoQueue *q);
void svmdemo_queue_ctrl(SvmdemoQueue *q, uint32_t val);
void svmdemo_queue_doorbell(SvmdemoQueue *q, uint32_t tail);
bool svmdemo_compat_submit(SvmdemoState *s, uint64_t cmd);
void svmdemo_queue_halt(SvmdemoQueue *q, uint8_t err_code);

/* svmdemo-job.c: descriptor checks, pins, the operations */
void svmdemo_crc8_init(void);
void svmdemo_job_run(SvmdemoQueue *q, SvmdemoJob *job);
bool svmdemo_job_stopped(SvmdemoQueue *q, uint32_t *status);
bool svmdemo_bql_begin_job(SvmdemoQueue *q);
void svmdemo_pin(SvmdemoQueue *q, uint32_t pasid, uint64_t start,
                 uint64_t len);
void svmdemo_unpin(SvmdemoQueue *q);
void svmdemo_pins_wait(SvmdemoState *s, uint32_t pasid, uint64_t start,
                       uint64_t last);

/* svmdemo-pasid.c: per-PASID contexts and the IOMMU's notifiers */
void svmdemo_xlate_init(SvmdemoState *s);
void svmdemo_xlate_exit(SvmdemoState *s);
void svmdemo_xlate_reset(SvmdemoState *s);
bool svmdemo_pasid_usable(SvmdemoState *s, uint32_t pasid);
SvmdemoPasidCtx *svmdemo_pasid_find(SvmdemoState *s, uint32_t pasid);
SvmdemoPasidCtx *svmdemo_pasid_get(SvmdemoState *s, uint32_t pasid);
void svmdemo_pasid_release_all(SvmdemoState *s);
void svmdemo_pasid_flush(SvmdemoState *s, uint32_t pasid);
bool svmdemo_pasid_busy(SvmdemoState *s, uint32_t pasid);
unsigned svmdemo_atc_drop(SvmdemoState *s, uint32_t pasid, uint64_t start,
                          uint64_t last);
void svmdemo_atc_flush_all(SvmdemoState *s);

/* svmdemo-pri.c: page groups */
void svmdemo_pri_notify(IOMMUPRINotifier *n, IOMMUPRIResponse *resp);
void svmdemo_prg_release_pasid(SvmdemoState *s, uint32_t pasid);
uint32_t svmdemo_pri_fault_in(SvmdemoQueue *q, SvmdemoJob *job,
                              const uint64_t *pages, unsigned npages,
                              bool is_write);

/* svmdemo-ats.c: translating an access */
uint32_t svmdemo_translate(SvmdemoQueue *q, SvmdemoJob *job, uint64_t addr,
                           uint64_t len, uint64_t ahead, bool is_write,
                           bool use_atc, SvmdemoAtcEntry *out);

/* svmdemo-dma.c: data movement */
uint32_t svmdemo_dma(SvmdemoQueue *q, SvmdemoJob *job, uint64_t addr,
                     void *buf, uint64_t len, uint64_t ahead, bool is_write,
                     bool use_atc);
uint32_t svmdemo_dma_copy(SvmdemoQueue *q, SvmdemoJob *job, uint64_t src,
                          uint64_t dst, void *buf, uint64_t len,
                          uint64_t ahead, bool use_atc);
#endif
