// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: the device as a whole (docs/device.md, sections 3, 5 and 10):
 * identification and sizing at probe, the error and shared interrupts,
 * PASID flushes, and bringing all queues up and down. One queue's ring is
 * svmdemo_queue.c's.
 */

#include <linux/bitfield.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "svmdemo.h"

static unsigned int ring_size = 256;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size,
		 "Descriptors per queue ring, a power of 2 capped by the device (default 256)");

static unsigned int max_queues = SVMDEMO_MAX_QUEUES;
module_param(max_queues, uint, 0444);
MODULE_PARM_DESC(max_queues, "Use at most this many hardware queues (default: all)");

/* How long the device may take to stop the DMA of one PASID. */
#define SVMDEMO_FLUSH_POLL_US		10
#define SVMDEMO_FLUSH_TIMEOUT_US	(2 * USEC_PER_SEC)

/**
 * svmdemo_hw_flush_pasid - stop all DMA of a PASID before it is unbound
 * @sdev: device; sdev->lock held
 * @bond: the PASID's bond, whose files withdrew their queued jobs
 *
 * PASID_FLUSH stops the descriptor of that PASID that is executing and
 * drops the PASID's ATC entries and notifiers in the device; if the
 * device does not confirm, the queues holding jobs of @bond are reset.
 * Afterwards the PASID can be unbound.
 */
void svmdemo_hw_flush_pasid(struct svmdemo_dev *sdev, struct svmdemo_bond *bond)
{
	void __iomem *reg = sdev->regs + SVMDEMO_PASID_FLUSH;
	unsigned int i;
	u32 val;
	int ret;

	lockdep_assert_held(&sdev->lock);

	writel(FIELD_PREP(SVMDEMO_PASID_FLUSH_PASID, bond->pasid), reg);
	ret = readl_poll_timeout(reg, val,
				 !(val & SVMDEMO_PASID_FLUSH_BUSY) ||
				 val == U32_MAX,
				 SVMDEMO_FLUSH_POLL_US, SVMDEMO_FLUSH_TIMEOUT_US);
	if (!ret)
		return;

	dev_err(&sdev->pdev->dev,
		"PASID %u does not quiesce, resetting its queues\n",
		bond->pasid);
	for (i = 0; i < sdev->nr_queues; i++)
		if (svmdemo_queue_holds(&sdev->queues[i], bond))
			svmdemo_queue_reset(&sdev->queues[i], -ECANCELED);
}

/* ---- interrupts (threaded handlers) ---- */

static void svmdemo_handle_errors(struct svmdemo_dev *sdev)
{
	struct device *dev = &sdev->pdev->dev;
	u32 cause, halted, status;
	unsigned int i;

	cause = readl(sdev->regs + SVMDEMO_ERR_CAUSE);
	if (!cause || cause == U32_MAX)
		return;
	writel(cause, sdev->regs + SVMDEMO_ERR_CAUSE);

	if (cause & SVMDEMO_ERR_DOORBELL_DISABLED)
		dev_warn_ratelimited(dev, "doorbell written on a disabled queue\n");
	if (cause & SVMDEMO_ERR_COMPAT_BUSY)
		dev_dbg(dev, "compatible command written while busy\n");
	if (!(cause & SVMDEMO_ERR_QUEUE_ERROR))
		return;

	halted = readl(sdev->regs + SVMDEMO_ERR_QUEUE);
	for (i = 0; i < sdev->nr_queues; i++) {
		struct svmdemo_queue *q = &sdev->queues[i];

		if (!(halted & BIT(i)))
			continue;
		status = readl(q->regs + SVMDEMO_Q_STATUS);
		dev_err_ratelimited(dev, "queue %u halted, error %u: resetting it\n",
				    i, (u32)FIELD_GET(SVMDEMO_Q_STATUS_ERR_CODE,
						      status));
		svmdemo_queue_reset(q, -ECANCELED);
	}
}

irqreturn_t svmdemo_error_irq(int irq, void *data)
{
	svmdemo_handle_errors(data);
	return IRQ_HANDLED;
}

/* MSI: one vector for every queue and the errors. */
irqreturn_t svmdemo_shared_irq(int irq, void *data)
{
	struct svmdemo_dev *sdev = data;
	unsigned int i;
	u32 status;

	status = readl(sdev->regs + SVMDEMO_INTR_STATUS);
	if (status == U32_MAX)
		return IRQ_NONE;	/* the device is gone */
	if (status)
		writel(status, sdev->regs + SVMDEMO_INTR_STATUS);

	/* The DONE bits in memory are authoritative: look at every queue. */
	for (i = 0; i < sdev->nr_queues; i++)
		svmdemo_queue_reap(&sdev->queues[i]);
	if (status & SVMDEMO_INTR_ERROR)
		svmdemo_handle_errors(sdev);
	return IRQ_HANDLED;
}

/* ---- setup and teardown ---- */

/**
 * svmdemo_hw_probe - identify the device and size the queues
 * @sdev: device with BAR0 mapped
 *
 * Return: 0, or -ENODEV for a device this driver cannot drive.
 */
int svmdemo_hw_probe(struct svmdemo_dev *sdev)
{
	struct device *dev = &sdev->pdev->dev;
	void __iomem *regs = sdev->regs;
	u32 id, nq, rmax;

	id = readl(regs + SVMDEMO_COMPAT_ID);
	if (id != SVMDEMO_COMPAT_ID_VALUE) {
		dev_err(dev, "unexpected identification %#x\n", id);
		return -ENODEV;
	}
	sdev->hw_version = readl(regs + SVMDEMO_VERSION);
	if (FIELD_GET(SVMDEMO_VERSION_MAJOR, sdev->hw_version) != 1) {
		dev_err(dev, "unsupported device version %#x\n",
			sdev->hw_version);
		return -ENODEV;
	}
	sdev->hw_caps = readl(regs + SVMDEMO_CAPS);

	nq = readl(regs + SVMDEMO_NUM_QUEUES);
	if (!nq || nq > SVMDEMO_MAX_QUEUES) {
		dev_err(dev, "bad number of queues %u\n", nq);
		return -ENODEV;
	}
	sdev->hw_queues = nq;
	sdev->nr_queues = clamp(max_queues, 1U, nq);

	rmax = readl(regs + SVMDEMO_RING_SIZE_MAX);
	if (rmax < SVMDEMO_RING_SIZE_MIN || !is_power_of_2(rmax)) {
		dev_err(dev, "bad maximum ring size %u\n", rmax);
		return -ENODEV;
	}
	sdev->ring_size = roundup_pow_of_two(clamp(ring_size,
						   SVMDEMO_RING_SIZE_MIN,
						   rmax));
	/* Half the usable ring, but at least one slot. */
	sdev->ring_share = max(1U, (sdev->ring_size - 1) / 2);

	sdev->opcodes = svmdemo_queue_opcodes(readl(regs + SVMDEMO_OPCODES));
	sdev->max_len = readl(regs + SVMDEMO_MAX_XFER);

	if (sdev->hw_caps & SVMDEMO_CAPS_ATS)
		sdev->caps |= SVMDEMO_CAP_ATS;
	if (sdev->hw_caps & SVMDEMO_CAPS_PRI)
		sdev->caps |= SVMDEMO_CAP_PRI;
	if (sdev->hw_caps & SVMDEMO_CAPS_UNTRANSLATED)
		sdev->caps |= SVMDEMO_CAP_UNTRANSLATED;
	if (sdev->hw_caps & SVMDEMO_CAPS_CR_USER)
		sdev->caps |= SVMDEMO_CAP_CR_USER;
	if (sdev->hw_caps & SVMDEMO_CAPS_FENCE)
		sdev->caps |= SVMDEMO_CAP_FENCE;
	sdev->caps |= SVMDEMO_CAP_URING_CMD;
	if (!(sdev->hw_caps & SVMDEMO_CAPS_PASID))
		dev_warn(dev, "no PASID support: opening the device will fail\n");
	return 0;
}

/**
 * svmdemo_hw_init - allocate the rings and enable every queue
 * @sdev: probed device
 *
 * On failure everything is undone but the queue array, which
 * svmdemo_hw_free() releases with the device.
 *
 * Return: 0 or a negative errno.
 */
int svmdemo_hw_init(struct svmdemo_dev *sdev)
{
	unsigned int i;
	int ret = 0;

	sdev->queues = kcalloc(sdev->nr_queues, sizeof(*sdev->queues),
			       GFP_KERNEL);
	if (!sdev->queues)
		return -ENOMEM;
	for (i = 0; i < sdev->nr_queues; i++) {
		struct svmdemo_queue *q = &sdev->queues[i];

		q->sdev = sdev;
		q->id = i;
		q->regs = sdev->regs + SVMDEMO_QREG(i, 0);
		q->size = sdev->ring_size;
		spin_lock_init(&q->lock);
		init_waitqueue_head(&q->space_wq);
	}

	for (i = 0; i < sdev->nr_queues && !ret; i++)
		ret = svmdemo_queue_init(sdev, &sdev->queues[i]);
	if (ret) {
		svmdemo_hw_stop(sdev);
		svmdemo_hw_drain(sdev);
		svmdemo_hw_fini(sdev);
	}
	return ret;
}

/**
 * svmdemo_hw_stop - stop accepting jobs and withdraw the queued ones
 * @sdev: device being removed (or failing probe)
 *
 * Submitters see disabled queues from now on. Queued jobs become NOOPs
 * that complete with -ENODEV; a job the device is executing is stopped by
 * the PASID flush of svmdemo_bonds_unbind(), and svmdemo_hw_drain() waits
 * for the rings to empty.
 */
void svmdemo_hw_stop(struct svmdemo_dev *sdev)
{
	unsigned int i;

	for (i = 0; i < sdev->nr_queues; i++)
		svmdemo_queue_stop(&sdev->queues[i]);
}

/**
 * svmdemo_hw_drain - empty the rings of stopped queues and reset them
 * @sdev: device after svmdemo_hw_stop(), interrupts still requested
 */
void svmdemo_hw_drain(struct svmdemo_dev *sdev)
{
	unsigned int i;

	for (i = 0; i < sdev->nr_queues; i++)
		svmdemo_queue_drain(&sdev->queues[i]);
	writel(SVMDEMO_CTRL_FLUSH_ATC, sdev->regs + SVMDEMO_CTRL);
}

/**
 * svmdemo_hw_fini - free the rings of stopped queues
 * @sdev: device, after svmdemo_hw_drain() and with its interrupts freed
 */
void svmdemo_hw_fini(struct svmdemo_dev *sdev)
{
	unsigned int i;

	for (i = 0; i < sdev->nr_queues; i++)
		svmdemo_queue_fini(&sdev->queues[i]);
}

/**
 * svmdemo_hw_free - free the queue structures
 * @sdev: device whose last reference is gone
 *
 * The queue structures outlive remove() so that a call racing with it
 * still finds a (disabled) queue to look at.
 */
void svmdemo_hw_free(struct svmdemo_dev *sdev)
{
	unsigned int i;

	if (!sdev->queues)
		return;
	for (i = 0; i < sdev->nr_queues; i++)
		kfree(sdev->queues[i].slots);
	kfree(sdev->queues);
	sdev->queues = NULL;
}
