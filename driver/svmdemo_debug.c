// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: debug-only paths for the robustness selftests.
 *
 *  - SVMDEMO_DBG_IOC_RAW and SVMDEMO_DBG_IOC_RING (<linux/svmdemo_debug.h>)
 *    hand the device descriptors and queue configurations that the driver
 *    never produces. Refused (-ENOTTY) unless the module parameter debug
 *    is set. They borrow an idle queue: while it is borrowed the queue
 *    runs private rings with its error interrupt held off, and afterwards
 *    it is reset and enabled on the driver's rings again.
 *  - The module parameter fail_probe = N makes the next probe fail at its
 *    step N (enum svmdemo_probe_step), once, to exercise every unwinding
 *    path of probe.
 */

#include <linux/bitfield.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/svmdemo_debug.h>

#include "svmdemo.h"

static bool debug;
module_param(debug, bool, 0600);
MODULE_PARM_DESC(debug,
		 "Allow the debug-only ioctls of <linux/svmdemo_debug.h> (default off)");

static unsigned int fail_probe;
module_param(fail_probe, uint, 0600);
MODULE_PARM_DESC(fail_probe,
		 "Fail the next probe once at this step, 1..10 (default 0: never)");

static_assert(sizeof(struct svmdemo_dbg_desc) == 104);
static_assert(sizeof(struct svmdemo_dbg_raw) == 24);
static_assert(sizeof(struct svmdemo_dbg_ring) == 24);

/* Entries of the private rings; more than SVMDEMO_DBG_MAX_DESCS. */
#define SVMDEMO_DBG_RING_SIZE		64
#define SVMDEMO_DBG_TIMEOUT_MS		10000
#define SVMDEMO_DBG_REACT_US		(2 * USEC_PER_SEC)
#define SVMDEMO_DBG_ENABLE_US		1000
/* IOVAs the default domain never maps: the DMA API allocates low. */
#define SVMDEMO_DBG_IOVA_UNMAPPED	0x00007f00dead0000ULL
#define SVMDEMO_DBG_IOVA_WIDE		0xdead00000000f000ULL

/**
 * svmdemo_debug_fail_probe - injected probe failure
 * @step: the probe step about to run
 *
 * Return: -ENOMEM once when the module parameter fail_probe names @step
 * (the parameter is then cleared), else 0.
 */
int svmdemo_debug_fail_probe(enum svmdemo_probe_step step)
{
	if (READ_ONCE(fail_probe) != step)
		return 0;
	WRITE_ONCE(fail_probe, 0);
	pr_info("svmdemo: injected probe failure at step %u\n", step);
	return -ENOMEM;
}

struct svmdemo_dbg_rings {
	struct svmdemo_desc *descs;
	dma_addr_t descs_dma;
	struct svmdemo_cmpl *cmpls;
	dma_addr_t cmpls_dma;
};

static int svmdemo_dbg_rings_alloc(struct svmdemo_dev *sdev,
				   struct svmdemo_dbg_rings *r)
{
	struct device *dev = &sdev->pdev->dev;

	r->descs = dma_alloc_coherent(dev, SVMDEMO_DBG_RING_SIZE *
				      sizeof(*r->descs), &r->descs_dma,
				      GFP_KERNEL);
	r->cmpls = dma_alloc_coherent(dev, SVMDEMO_DBG_RING_SIZE *
				      sizeof(*r->cmpls), &r->cmpls_dma,
				      GFP_KERNEL);
	return r->descs && r->cmpls ? 0 : -ENOMEM;
}

static void svmdemo_dbg_rings_free(struct svmdemo_dev *sdev,
				   struct svmdemo_dbg_rings *r)
{
	struct device *dev = &sdev->pdev->dev;

	if (r->descs)
		dma_free_coherent(dev, SVMDEMO_DBG_RING_SIZE * sizeof(*r->descs),
				  r->descs, r->descs_dma);
	if (r->cmpls)
		dma_free_coherent(dev, SVMDEMO_DBG_RING_SIZE * sizeof(*r->cmpls),
				  r->cmpls, r->cmpls_dma);
}

static void svmdemo_dbg_program(struct svmdemo_queue *q, u64 descs, u64 cmpls,
				u32 size)
{
	writel(SVMDEMO_Q_CTRL_RESET, q->regs + SVMDEMO_Q_CTRL);
	writel(lower_32_bits(descs), q->regs + SVMDEMO_Q_DESC_LO);
	writel(upper_32_bits(descs), q->regs + SVMDEMO_Q_DESC_HI);
	writel(lower_32_bits(cmpls), q->regs + SVMDEMO_Q_CMPL_LO);
	writel(upper_32_bits(cmpls), q->regs + SVMDEMO_Q_CMPL_HI);
	writel(size, q->regs + SVMDEMO_Q_SIZE);
	writel(SVMDEMO_Q_CTRL_ENABLE, q->regs + SVMDEMO_Q_CTRL);
}

static unsigned int svmdemo_dbg_err_irq(struct svmdemo_dev *sdev)
{
	return pci_irq_vector(sdev->pdev, sdev->msix ?
			      SVMDEMO_MSIX_VEC_ERROR(sdev->hw_queues) : 0);
}

/*
 * Borrow an idle queue: the driver stops posting to it and its error
 * interrupt is held off (a halt we provoke is ours to clean up).
 */
static int svmdemo_dbg_borrow(struct svmdemo_dev *sdev, unsigned int queue,
			      struct svmdemo_queue **qp)
{
	struct svmdemo_queue *q;
	int ret = 0;

	lockdep_assert_held(&sdev->lock);

	if (queue >= sdev->nr_queues)
		return -EINVAL;
	q = &sdev->queues[array_index_nospec(queue, sdev->nr_queues)];
	spin_lock_irq(&q->lock);
	if (!q->enabled || q->head != q->tail)
		ret = -EBUSY;
	else
		q->enabled = false;
	spin_unlock_irq(&q->lock);
	if (ret)
		return ret;
	disable_irq(svmdemo_dbg_err_irq(sdev));
	*qp = q;
	return 0;
}

/* Reset the queue and give it back to the driver on its own rings. */
static void svmdemo_dbg_return(struct svmdemo_dev *sdev, struct svmdemo_queue *q)
{
	u32 status;
	int ret;

	spin_lock_irq(&q->lock);
	svmdemo_dbg_program(q, q->descs_dma, q->cmpls_dma, q->size);
	ret = readl_poll_timeout_atomic(q->regs + SVMDEMO_Q_STATUS, status,
					status & (SVMDEMO_Q_STATUS_ENABLED |
						  SVMDEMO_Q_STATUS_ERROR),
					1, SVMDEMO_DBG_ENABLE_US);
	q->head = 0;
	q->tail = 0;
	q->enabled = !ret && (status & SVMDEMO_Q_STATUS_ENABLED);
	spin_unlock_irq(&q->lock);
	if (!q->enabled)
		dev_err(&sdev->pdev->dev,
			"debug: queue %u does not enable again: status %#x\n",
			q->id, status);
	/* A held-off error interrupt now finds nothing halted. */
	enable_irq(svmdemo_dbg_err_irq(sdev));
}

/*
 * The PASID a raw descriptor runs under: the caller's, unless the device
 * must refuse the one it names. Without PASID_VALID nothing may move
 * (the default domain holds the driver's rings): the length becomes 0
 * unless the device must refuse the length itself.
 */
static void svmdemo_dbg_sanitize(struct svmdemo_ctx *ctx, u32 width,
				 struct svmdemo_dbg_desc *u)
{
	u32 pasid = FIELD_GET(SVMDEMO_DESC_PASID, u->pasid);

	if (u->pasid & SVMDEMO_DESC_PASID_VALID) {
		if (pasid && (width >= 20 || pasid < BIT(width))) {
			u->pasid &= ~SVMDEMO_DESC_PASID;
			u->pasid |= FIELD_PREP(SVMDEMO_DESC_PASID, ctx->bond->pasid);
		}
	} else if (u->len <= ctx->sdev->max_len) {
		u->len = 0;
	}
	u->pasid_used = u->pasid;
}

static void svmdemo_dbg_desc_write(struct svmdemo_desc *d,
				   const struct svmdemo_dbg_desc *u)
{
	d->pasid = cpu_to_le32(u->pasid);
	d->opcode = u->opcode;
	d->rsvd0 = u->rsvd0;
	d->flags = cpu_to_le16(u->flags);
	d->src = cpu_to_le64(u->src);
	d->dst = cpu_to_le64(u->dst);
	d->len = cpu_to_le64(u->len);
	d->operand = cpu_to_le64(u->operand);
	d->cookie = cpu_to_le64(u->cookie);
	d->cr_addr = cpu_to_le64(u->cr_addr);
	d->rsvd1 = cpu_to_le64(u->rsvd1);
}

static int svmdemo_dbg_raw(struct svmdemo_ctx *ctx,
			   struct svmdemo_dbg_raw __user *ureq)
{
	struct svmdemo_dev *sdev = ctx->sdev;
	struct svmdemo_dbg_rings r = { };
	struct svmdemo_dbg_desc *u;
	struct svmdemo_dbg_raw req;
	struct svmdemo_queue *q;
	unsigned int i, done = 0;
	u32 width, head, status;
	int ret, poll;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (!req.count || req.count > SVMDEMO_DBG_MAX_DESCS)
		return -EINVAL;
	u = memdup_array_user(u64_to_user_ptr(req.descs), req.count,
			      sizeof(*u));
	if (IS_ERR(u))
		return PTR_ERR(u);
	ret = svmdemo_dbg_rings_alloc(sdev, &r);
	if (ret)
		goto out_free;

	mutex_lock(&sdev->lock);
	if (sdev->dead || !ctx->bond->sva) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = svmdemo_dbg_borrow(sdev, req.queue, &q);
	if (ret)
		goto out_unlock;

	width = readl(sdev->regs + SVMDEMO_PASID_WIDTH);
	for (i = 0; i < req.count; i++) {
		svmdemo_dbg_sanitize(ctx, width, &u[i]);
		svmdemo_dbg_desc_write(&r.descs[i], &u[i]);
	}
	svmdemo_dbg_program(q, r.descs_dma, r.cmpls_dma, SVMDEMO_DBG_RING_SIZE);
	/* writel() orders the ring writes before the doorbell. */
	writel(req.count, q->regs + SVMDEMO_Q_TAIL);

	poll = readl_poll_timeout(q->regs + SVMDEMO_Q_HEAD, head,
				  head == req.count ||
				  (readl(q->regs + SVMDEMO_Q_STATUS) &
				   SVMDEMO_Q_STATUS_ERROR),
				  20, (req.timeout_ms ?: SVMDEMO_DBG_TIMEOUT_MS) *
				  USEC_PER_MSEC);
	/* The records below HEAD are complete; read them after HEAD. */
	dma_rmb();
	for (i = 0; i < req.count; i++) {
		const struct svmdemo_cmpl *c = &r.cmpls[i];

		status = le32_to_cpu(READ_ONCE(c->status));
		if (!(status & SVMDEMO_CMPL_DONE))
			continue;
		done++;
		u[i].status = status;
		u[i].bytes_done = le32_to_cpu(c->bytes_done);
		u[i].result = le64_to_cpu(c->result);
		u[i].fault_addr = le64_to_cpu(c->fault_addr);
		u[i].cookie_out = le64_to_cpu(c->cookie);
	}
	/* The reset stops whatever still runs: no DMA into freed rings. */
	svmdemo_dbg_return(sdev, q);
	mutex_unlock(&sdev->lock);

	ret = poll ? -ETIMEDOUT : 0;
	if (copy_to_user(u64_to_user_ptr(req.descs), u,
			 array_size(req.count, sizeof(*u))) ||
	    put_user(done, &ureq->completed))
		ret = -EFAULT;
	goto out_free;

out_unlock:
	mutex_unlock(&sdev->lock);
out_free:
	svmdemo_dbg_rings_free(sdev, &r);
	kfree(u);
	return ret;
}

/* Misprogram the borrowed queue as @mode says and kick it. */
static void svmdemo_dbg_ring_break(struct svmdemo_queue *q,
				   struct svmdemo_dbg_rings *r, u32 mode)
{
	u64 descs = r->descs_dma, cmpls = r->cmpls_dma;
	u32 size = SVMDEMO_DBG_RING_SIZE, tail = 1;

	/* Slot 0: a NOOP without PASID. */
	memset(&r->descs[0], 0, sizeof(r->descs[0]));
	switch (mode) {
	case SVMDEMO_DBG_RING_BAD_SIZE:
		size = 3;
		break;
	case SVMDEMO_DBG_RING_MISALIGNED:
		descs += SVMDEMO_CMPL_SIZE;
		break;
	case SVMDEMO_DBG_RING_DESC_UNMAPPED:
		descs = SVMDEMO_DBG_IOVA_UNMAPPED;
		break;
	case SVMDEMO_DBG_RING_DESC_WIDE:
		descs = SVMDEMO_DBG_IOVA_WIDE;
		break;
	case SVMDEMO_DBG_RING_CMPL_UNMAPPED:
		cmpls = SVMDEMO_DBG_IOVA_UNMAPPED;
		break;
	case SVMDEMO_DBG_RING_BAD_TAIL:
		tail = size + 3;
		break;
	case SVMDEMO_DBG_RING_DOORBELL_DISABLED:
		writel(SVMDEMO_Q_CTRL_RESET, q->regs + SVMDEMO_Q_CTRL);
		writel(1, q->regs + SVMDEMO_Q_TAIL);
		return;
	}
	svmdemo_dbg_program(q, descs, cmpls, size);
	/* A queue that refused ENABLE is in ERROR already. */
	if (mode != SVMDEMO_DBG_RING_BAD_SIZE &&
	    mode != SVMDEMO_DBG_RING_MISALIGNED)
		writel(tail, q->regs + SVMDEMO_Q_TAIL);
}

static int svmdemo_dbg_ring(struct svmdemo_ctx *ctx,
			    struct svmdemo_dbg_ring __user *ureq)
{
	struct svmdemo_dev *sdev = ctx->sdev;
	struct svmdemo_dbg_rings r = { };
	struct svmdemo_dbg_ring req;
	struct svmdemo_queue *q;
	u32 cause;
	int ret;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.__pad || !req.mode || req.mode >= SVMDEMO_DBG_RING_NR)
		return -EINVAL;
	ret = svmdemo_dbg_rings_alloc(sdev, &r);
	if (ret)
		goto out_free;

	mutex_lock(&sdev->lock);
	if (sdev->dead) {
		ret = -ENODEV;
		goto out_unlock;
	}
	ret = svmdemo_dbg_borrow(sdev, req.queue, &q);
	if (ret)
		goto out_unlock;

	svmdemo_dbg_ring_break(q, &r, req.mode);
	if (req.mode == SVMDEMO_DBG_RING_DOORBELL_DISABLED)
		ret = readl_poll_timeout(sdev->regs + SVMDEMO_ERR_CAUSE, cause,
					 cause & SVMDEMO_ERR_DOORBELL_DISABLED,
					 10, SVMDEMO_DBG_REACT_US);
	else
		ret = readl_poll_timeout(q->regs + SVMDEMO_Q_STATUS,
					 req.q_status,
					 req.q_status & SVMDEMO_Q_STATUS_ERROR,
					 10, SVMDEMO_DBG_REACT_US);
	req.q_status = readl(q->regs + SVMDEMO_Q_STATUS);
	req.err_cause = readl(sdev->regs + SVMDEMO_ERR_CAUSE);
	req.err_queue = readl(sdev->regs + SVMDEMO_ERR_QUEUE);
	/* Ours alone; a queue error is left for the error handler. */
	if (req.err_cause & SVMDEMO_ERR_DOORBELL_DISABLED)
		writel(SVMDEMO_ERR_DOORBELL_DISABLED,
		       sdev->regs + SVMDEMO_ERR_CAUSE);
	svmdemo_dbg_return(sdev, q);
	mutex_unlock(&sdev->lock);

	if (ret)
		ret = -ETIMEDOUT;
	if (copy_to_user(ureq, &req, sizeof(req)))
		ret = -EFAULT;
	goto out_free;

out_unlock:
	mutex_unlock(&sdev->lock);
out_free:
	svmdemo_dbg_rings_free(sdev, &r);
	return ret;
}

/**
 * svmdemo_debug_ioctl - the debug-only ioctls
 * @ctx: file context, already checked to belong to the caller's mm
 * @cmd: ioctl number none of the regular ioctls matched
 * @arg: user argument
 *
 * Return: -ENOTTY unless debug is set and @cmd is a debug ioctl, else its
 * result.
 */
long svmdemo_debug_ioctl(struct svmdemo_ctx *ctx, unsigned int cmd,
			 void __user *arg)
{
	if (!READ_ONCE(debug))
		return -ENOTTY;
	switch (cmd) {
	case SVMDEMO_DBG_IOC_RAW:
		return svmdemo_dbg_raw(ctx, arg);
	case SVMDEMO_DBG_IOC_RING:
		return svmdemo_dbg_ring(ctx, arg);
	default:
		return -ENOTTY;
	}
}
