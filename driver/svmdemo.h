/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmdemo: driver-internal state shared by the driver's files.
 *
 * Where a job goes, by file:
 *   svmdemo_cdev.c  file operations: open(), release(), the ioctls,
 *                   read(), poll(), fdinfo
 *   svmdemo_bond.c  one SVA bond (PASID) per address space, shared by its
 *                   files: bind, quiesce and unbind
 *   svmdemo_job.c   jobs: checks, life cycle, accounting, completion
 *   svmdemo_uring.c io_uring commands: one job per SQE, one CQE per job
 *   svmdemo_queue.c one queue's ring: writes descriptors, rings the
 *                   doorbell, reaps completions in the queue interrupt
 *   svmdemo_hw.c    the device: probe, error interrupt, PASID flush,
 *                   all queues up and down
 *   svmdemo_main.c  module init, PCI probe/remove, interrupt vectors
 *   svmdemo_sysfs.c /sys/class/svmdemo/svmdemoN: device info, counters
 *   svmdemo_trace.h tracepoints svmdemo_submit, _complete, _fault
 *
 * Lifetimes:
 *  - struct svmdemo_dev lives as long as its embedded char device
 *    (@cdev_dev): probe holds one reference, every open file (through
 *    its struct svmdemo_ctx) holds one. The last put frees it, after
 *    remove() has stopped the hardware and unbound every PASID.
 *  - struct svmdemo_bond (one per address space bound to the device) is
 *    refcounted by @ref: every file context of that address space holds
 *    one. It is bound while it has open files; the last release() (or
 *    remove()) quiesces its PASID in the device and unbinds it.
 *  - struct svmdemo_ctx (one per open file) is refcounted by @ref: the
 *    file holds one reference and every job holds one. A job handed to
 *    the device is owned by its queue slot until the device completes it
 *    or the queue is reset, so a closed file, a killed waiter or a removed
 *    device never leaves the device writing into freed memory.
 */
#ifndef _SVMDEMO_H
#define _SVMDEMO_H

#include <linux/cdev.h>
#include <linux/device.h>
#include <linux/interrupt.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/spinlock.h>
#include <linux/atomic.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <linux/svmdemo.h>

#include "svmdemo_hw.h"

#define SVMDEMO_NAME		"svmdemo"
#define SVMDEMO_MAX_DEVICES	64
/* Largest count of one SVMDEMO_IOC_SUBMIT or SVMDEMO_IOC_WAIT. */
#define SVMDEMO_MAX_JOBS	256
/* Asynchronous jobs per file, in flight plus not yet reaped. */
#define SVMDEMO_MAX_ASYNC	4096

struct io_uring_cmd;
struct svmdemo_bond;
struct svmdemo_ctx;
struct svmdemo_dev;

/* Module parameter (svmdemo_main.c): device time budget for one wait. */
extern unsigned int svmdemo_job_timeout_ms;

/**
 * struct svmdemo_batch - the jobs of one synchronous SVMDEMO_IOC_SUBMIT
 * @remaining: jobs not completed yet; ctx->lock. The submitter sleeps on
 *	ctx->wq until it is 0. Lives on the submitter's stack: a submitter
 *	that stops waiting detaches every job from it under ctx->lock.
 */
struct svmdemo_batch {
	unsigned int remaining;
};

/* Who waits for a job (struct svmdemo_kjob.kind). */
enum svmdemo_kjob_kind {
	SVMDEMO_KJOB_SYNC,	/* a synchronous SVMDEMO_IOC_SUBMIT */
	SVMDEMO_KJOB_ASYNC,	/* SVMDEMO_IOC_WAIT, read() */
	SVMDEMO_KJOB_URING,	/* an io_uring command */
	SVMDEMO_KJOB_BARRIER,	/* nobody: the fence barrier of a batch */
};

/**
 * struct svmdemo_kjob - the kernel side of one job
 * @uj: the job as user space gave it; outputs are filled on completion.
 * @ctx: owning file context; the job holds a reference.
 * @node: ctx->done while a completed asynchronous job waits to be reaped;
 *	ctx->lock.
 * @batch: synchronous submitter waiting for this job, or NULL (async job,
 *	or the submitter gave up: then the completion frees the job);
 *	ctx->lock.
 * @ucmd: io_uring command waiting for this job; ctx->lock. NULL while
 *	the command is being issued, and for good once the completion took
 *	it or the command was cancelled (@orphan).
 * @orphan: io_uring command cancelled: the completion frees the job.
 * @cqe32: the io_uring command's ring has 32-byte CQEs; constant.
 * @uptr: SVMDEMO_URING_CMD_JOB: user address of the job, for the outputs.
 * @done: the device completed the job; ctx->lock.
 * @kind: enum svmdemo_kjob_kind; set before submission, then constant.
 * @queue: queue the job was posted to; set under the queue lock.
 * @slot: ring slot of the job; set under the queue lock.
 * @abort_err: non-zero once the job was withdrawn from its ring (file
 *	closed: -ECANCELED, device removed: -ENODEV); the device runs a NOOP
 *	in its place and the job completes with this result. Queue lock.
 * @cookie: descriptor cookie: sequence number << 32 | ring slot, or the
 *	user's cookie for a job with a user completion record.
 */
struct svmdemo_kjob {
	struct svmdemo_job uj;
	struct svmdemo_ctx *ctx;
	struct list_head node;
	struct svmdemo_batch *batch;
	struct io_uring_cmd *ucmd;
	bool orphan;
	bool cqe32;
	u64 uptr;
	bool done;
	u8 kind;
	u16 queue;
	u32 slot;
	int abort_err;
	u64 cookie;
};

/**
 * struct svmdemo_queue - one hardware queue
 * @sdev: owning device.
 * @id: queue index.
 * @regs: this queue's register window in BAR0.
 * @size: entries in both rings (power of 2).
 * @descs: descriptor ring (DMA coherent, device reads).
 * @descs_dma: its bus address.
 * @cmpls: completion ring (DMA coherent, device writes).
 * @cmpls_dma: its bus address.
 * @lock: protects everything below, and the rings' contents.
 * @enabled: the queue accepts jobs; cleared for good by remove().
 * @head: next slot to reap (the driver's view of the device's HEAD).
 * @tail: next slot to fill; written to Q_TAIL as the doorbell.
 * @seq: cookie sequence number, bumped per job.
 * @slots: job of every slot between @head and @tail, else NULL.
 * @space_wq: submitters waiting for a free slot.
 * @posted: jobs handed to this queue (statistics).
 */
struct svmdemo_queue {
	struct svmdemo_dev *sdev;
	unsigned int id;
	void __iomem *regs;
	u32 size;
	struct svmdemo_desc *descs;
	dma_addr_t descs_dma;
	struct svmdemo_cmpl *cmpls;
	dma_addr_t cmpls_dma;

	spinlock_t lock;	/* protects the fields below */
	bool enabled;
	u32 head;
	u32 tail;
	u32 rung;		/* the tail last written to the doorbell */
	u32 seq;
	struct svmdemo_kjob **slots;
	wait_queue_head_t space_wq;
	u64 posted;
};

/**
 * struct svmdemo_dev - one svmdemo PCI function
 * @pdev: the PCI device.
 * @regs: BAR0.
 * @id: instance number N of /dev/svmdemoN (IDA).
 * @id_released: @id went back to the IDA when the char device was
 *	deleted; open files may keep this structure for longer.
 * @cdev_dev: the char device's struct device; its refcount is the
 *	lifetime of this structure (see the top of this file).
 * @cdev: the char device.
 * @hw_version: VERSION register.
 * @hw_caps: CAPS register.
 * @caps: SVMDEMO_CAP_* reported to user space.
 * @opcodes: OPCODES register, restricted to the opcodes the driver knows.
 * @max_len: MAX_XFER register.
 * @hw_queues: NUM_QUEUES register (the error vector follows their vectors).
 * @nr_queues: queues in use (at most @hw_queues).
 * @ring_size: entries per queue ring.
 * @queues: @nr_queues queues.
 * @nr_vecs: interrupt vectors allocated.
 * @msix: one MSI-X vector per queue plus an error vector; else one MSI
 *	vector serves everything.
 * @next_queue: round robin for the default queue of new files.
 * @lock: serialises open, release and remove; protects @dead, @bonds,
 *	@nr_bonds, @nr_files, the bonds' @sva, @files and @mm_pinned, and
 *	PASID_FLUSH.
 * @dead: remove() has started; nothing touches the hardware any more.
 * @bonds: bound address spaces (struct svmdemo_bond), by PASID.
 * @nr_bonds: entries in @bonds.
 * @nr_files: open files.
 * @ring_share: ring slots the jobs of one PASID may hold in one queue.
 * @nr_inflight: jobs in the rings, all files (sysfs jobs_in_flight).
 * @nr_submitted: jobs handed to the queues since probe.
 * @nr_completed: jobs completed since probe.
 */
struct svmdemo_dev {
	struct pci_dev *pdev;
	void __iomem *regs;
	int id;
	bool id_released;
	struct device cdev_dev;
	struct cdev cdev;

	u32 hw_version;
	u32 hw_caps;
	u64 caps;
	u64 opcodes;
	u64 max_len;
	unsigned int hw_queues;
	unsigned int nr_queues;
	unsigned int ring_size;
	struct svmdemo_queue *queues;
	unsigned int nr_vecs;
	bool msix;
	atomic_t next_queue;

	struct mutex lock;	/* see @lock above */
	bool dead;
	struct xarray bonds;
	unsigned int nr_bonds;
	unsigned int nr_files;

	unsigned int ring_share;
	atomic_t nr_inflight;
	atomic64_t nr_submitted;
	atomic64_t nr_completed;
};

/**
 * struct svmdemo_bond - one address space bound to the device: one PASID
 * @ref: see the top of this file.
 * @sdev: the device (every file of the bond holds a reference on it).
 * @mm: the address space; pinned with mmgrab(). Only callers with
 *	current->mm == @mm may use the bond's files.
 * @pasid: the PASID the IOMMU gave @mm; constant.
 * @sva: the IOMMU's bond; sdev->lock. NULL once unbound.
 * @mm_pinned: remove() holds an mm_users reference on @mm until it has
 *	unbound @sva; sdev->lock.
 * @files: the open files of @mm (struct svmdemo_ctx.node); sdev->lock.
 * @nr_ring: ring slots this PASID's jobs hold in each queue (fair
 *	share); entry q under the lock of queue q.
 */
struct svmdemo_bond {
	struct kref ref;
	struct svmdemo_dev *sdev;
	struct mm_struct *mm;
	u32 pasid;
	struct iommu_sva *sva;
	bool mm_pinned;
	struct list_head files;
	unsigned int *nr_ring;
};

/**
 * struct svmdemo_ctx - one open file
 * @ref: see the top of this file.
 * @sdev: the device; the context holds a reference on @sdev->cdev_dev.
 * @bond: the file's address space and PASID; the context holds a
 *	reference.
 * @queue: default queue of this file; constant.
 * @node: entry in bond->files; sdev->lock.
 * @wq: woken on every completion of this file's jobs and on remove().
 * @lock: protects the fields below and the jobs' @batch, @done, @node.
 * @done: completed asynchronous jobs not yet reaped.
 * @nr_async: asynchronous jobs in flight or on @done.
 * @nr_done: jobs on @done.
 * @nr_inflight: jobs handed to the device and not completed (any kind).
 * @closed: release() ran: completions free their job at once.
 * @stats: per-file counters, shown in /proc/PID/fdinfo; ctx->lock.
 */
struct svmdemo_ctx {
	struct kref ref;
	struct svmdemo_dev *sdev;
	struct svmdemo_bond *bond;
	unsigned int queue;
	struct list_head node;
	wait_queue_head_t wq;

	spinlock_t lock;	/* protects the fields below */
	struct list_head done;
	unsigned int nr_async;
	unsigned int nr_done;
	unsigned int nr_inflight;
	bool closed;
	struct {
		u64 submitted;
		u64 completed;
		u64 bytes;
		u64 errors;
		u64 faults;
		u64 uring;
	} stats;
};

/* svmdemo_cdev.c */
int svmdemo_cdev_init(void);
void svmdemo_cdev_exit(void);
struct svmdemo_dev *svmdemo_dev_alloc(struct pci_dev *pdev);
void svmdemo_dev_put(struct svmdemo_dev *sdev);
int svmdemo_cdev_add(struct svmdemo_dev *sdev);
void svmdemo_cdev_del(struct svmdemo_dev *sdev);
bool svmdemo_ctx_mm_ok(const struct svmdemo_ctx *ctx);
void svmdemo_ctx_put(struct svmdemo_ctx *ctx);
struct svmdemo_queue *svmdemo_pick_queue(struct svmdemo_ctx *ctx, u32 flags,
					 u32 queue);

/* svmdemo_bond.c */
struct svmdemo_bond *svmdemo_bond_get(struct svmdemo_dev *sdev,
				      struct mm_struct *mm);
void svmdemo_bond_put(struct svmdemo_bond *bond);
void svmdemo_bond_add_file(struct svmdemo_bond *bond,
			   struct svmdemo_ctx *ctx);
void svmdemo_bond_remove_file(struct svmdemo_bond *bond,
			      struct svmdemo_ctx *ctx);
void svmdemo_bonds_pin_mms(struct svmdemo_dev *sdev);
void svmdemo_bonds_unbind(struct svmdemo_dev *sdev);

/* svmdemo_job.c */
int svmdemo_job_validate(const struct svmdemo_dev *sdev,
			 const struct svmdemo_job *job);
int svmdemo_job_result(u32 code, u32 opcode);
struct svmdemo_kjob *svmdemo_kjob_alloc(struct svmdemo_ctx *ctx,
					const struct svmdemo_job *uj,
					enum svmdemo_kjob_kind kind,
					struct svmdemo_batch *batch);
void svmdemo_kjob_free(struct svmdemo_kjob *job);
int svmdemo_jobs_post(struct svmdemo_ctx *ctx, struct svmdemo_queue *q,
		      struct svmdemo_kjob **kjobs, unsigned int count,
		      bool nonblock, bool fence, unsigned int *posted);
void svmdemo_job_complete(struct svmdemo_kjob *job);
int svmdemo_jobs_reserve(struct svmdemo_ctx *ctx, struct svmdemo_batch *batch,
			 unsigned int count, bool async);
void svmdemo_jobs_unreserve(struct svmdemo_ctx *ctx,
			    struct svmdemo_batch *batch, unsigned int n,
			    bool async);
int svmdemo_batch_wait(struct svmdemo_ctx *ctx, struct svmdemo_batch *batch,
		       struct svmdemo_kjob **kjobs, unsigned int posted,
		       unsigned int timeout_ms, int ret);
int svmdemo_jobs_reap(struct svmdemo_ctx *ctx, struct svmdemo_job __user *ujobs,
		      unsigned int max, long timeout, unsigned int *pending);
void svmdemo_jobs_release(struct svmdemo_ctx *ctx);

/* svmdemo_uring.c */
int svmdemo_uring_cmd(struct io_uring_cmd *ioucmd, unsigned int issue_flags);
void svmdemo_uring_job_done(struct svmdemo_kjob *job,
			    struct io_uring_cmd *ioucmd);

/* svmdemo_sysfs.c: attributes of the char device */
extern const struct attribute_group *svmdemo_groups[];

/* svmdemo_hw.c */
int svmdemo_hw_probe(struct svmdemo_dev *sdev);
int svmdemo_hw_init(struct svmdemo_dev *sdev);
void svmdemo_hw_stop(struct svmdemo_dev *sdev);
void svmdemo_hw_drain(struct svmdemo_dev *sdev);
void svmdemo_hw_fini(struct svmdemo_dev *sdev);
void svmdemo_hw_free(struct svmdemo_dev *sdev);
irqreturn_t svmdemo_error_irq(int irq, void *data);
irqreturn_t svmdemo_shared_irq(int irq, void *data);
void svmdemo_hw_flush_pasid(struct svmdemo_dev *sdev,
			    struct svmdemo_bond *bond);

/* svmdemo_queue.c */
u64 svmdemo_queue_opcodes(u32 hw_ops);
int svmdemo_queue_init(struct svmdemo_dev *sdev, struct svmdemo_queue *q);
void svmdemo_queue_stop(struct svmdemo_queue *q);
void svmdemo_queue_drain(struct svmdemo_queue *q);
void svmdemo_queue_fini(struct svmdemo_queue *q);
void svmdemo_queue_reap(struct svmdemo_queue *q);
void svmdemo_queue_reset(struct svmdemo_queue *q, int err);
bool svmdemo_queue_holds(struct svmdemo_queue *q, struct svmdemo_bond *bond);
irqreturn_t svmdemo_queue_irq(int irq, void *data);
int svmdemo_queue_submit(struct svmdemo_queue *q, struct svmdemo_kjob **jobs,
			 unsigned int count, bool nonblock, bool fence,
			 unsigned int *posted);
void svmdemo_hw_withdraw_ctx(struct svmdemo_dev *sdev,
			     struct svmdemo_ctx *ctx);
void svmdemo_hw_withdraw(struct svmdemo_kjob *job, int err);

#endif /* _SVMDEMO_H */
