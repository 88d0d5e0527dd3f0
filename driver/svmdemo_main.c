// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: module init and the PCI driver (probe, remove, interrupt
 * vectors) of the svmdemo Shared Virtual Memory demo device.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/string_choices.h>

#include "svmdemo.h"
#include "svmdemo_compat.h"

#define CREATE_TRACE_POINTS
#include "svmdemo_trace.h"

unsigned int svmdemo_job_timeout_ms = 30000;
module_param_named(job_timeout_ms, svmdemo_job_timeout_ms, uint, 0644);
MODULE_PARM_DESC(job_timeout_ms,
		 "Longest wait for the device in a synchronous submit, in ms (default 30000)");

static bool msix = true;
module_param(msix, bool, 0444);
MODULE_PARM_DESC(msix, "Use MSI-X when the device has it; else one MSI vector (default on)");

/* ---- interrupt vectors ---- */

static void svmdemo_irq_free(struct svmdemo_dev *sdev, unsigned int nr_queues,
			     bool error_vec)
{
	struct pci_dev *pdev = sdev->pdev;
	unsigned int i;

	if (!sdev->msix) {
		if (error_vec)
			pci_free_irq(pdev, 0, sdev);
		return;
	}
	if (error_vec)
		pci_free_irq(pdev, SVMDEMO_MSIX_VEC_ERROR(sdev->hw_queues), sdev);
	for (i = 0; i < nr_queues; i++)
		pci_free_irq(pdev, SVMDEMO_MSIX_VEC_QUEUE(i), &sdev->queues[i]);
}

/*
 * MSI-X: one vector per queue plus the error vector, as the device numbers
 * them. Otherwise one MSI vector serves everything.
 */
static int svmdemo_irq_alloc(struct svmdemo_dev *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	unsigned int nvec = SVMDEMO_MSIX_NR_VECS(sdev->hw_queues);
	int ret = -ENODEV;

	if (msix && (sdev->hw_caps & SVMDEMO_CAPS_MSIX))
		ret = pci_alloc_irq_vectors(pdev, nvec, nvec, PCI_IRQ_MSIX);
	if (ret > 0) {
		sdev->msix = true;
		sdev->caps |= SVMDEMO_CAP_MSIX;
	} else {
		ret = pci_alloc_irq_vectors(pdev, SVMDEMO_MSI_NR_VECS,
					    SVMDEMO_MSI_NR_VECS, PCI_IRQ_MSI);
		if (ret < 0) {
			dev_err(&pdev->dev, "no MSI-X or MSI vectors: %d\n",
				ret);
			return ret;
		}
	}
	sdev->nr_vecs = ret;
	return 0;
}

static int svmdemo_irq_request(struct svmdemo_dev *sdev)
{
	struct pci_dev *pdev = sdev->pdev;
	unsigned int i;
	int ret;

	if (!sdev->msix)
		return pci_request_irq(pdev, 0, NULL, svmdemo_shared_irq, sdev,
				       SVMDEMO_NAME "%d", sdev->id);

	for (i = 0; i < sdev->nr_queues; i++) {
		ret = pci_request_irq(pdev, SVMDEMO_MSIX_VEC_QUEUE(i), NULL,
				      svmdemo_queue_irq, &sdev->queues[i],
				      SVMDEMO_NAME "%d-q%u", sdev->id, i);
		if (ret)
			goto err_free;
	}
	ret = pci_request_irq(pdev, SVMDEMO_MSIX_VEC_ERROR(sdev->hw_queues),
			      NULL, svmdemo_error_irq, sdev,
			      SVMDEMO_NAME "%d-err", sdev->id);
	if (ret)
		goto err_free;
	return 0;

err_free:
	svmdemo_irq_free(sdev, i, false);
	return ret;
}

/* ---- PCI driver ---- */

/* Enable the function, map its registers and allow 64-bit bus mastering. */
static void __iomem *svmdemo_pci_setup(struct pci_dev *pdev)
{
	struct device *dev = &pdev->dev;
	void __iomem *regs;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return IOMEM_ERR_PTR(dev_err_probe(dev, ret,
						   "cannot enable device\n"));
	regs = svmdemo_iomap_bar(pdev, SVMDEMO_REG_BAR, SVMDEMO_NAME);
	if (IS_ERR(regs))
		return IOMEM_ERR_PTR(dev_err_probe(dev, PTR_ERR(regs),
						   "cannot map BAR%d\n",
						   SVMDEMO_REG_BAR));
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return IOMEM_ERR_PTR(dev_err_probe(dev, ret, "no 64-bit DMA\n"));
	pci_set_master(pdev);
	return regs;
}

static int svmdemo_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct device *dev = &pdev->dev;
	struct svmdemo_dev *sdev;
	void __iomem *regs;
	int ret;

	regs = svmdemo_pci_setup(pdev);
	if (IS_ERR(regs))
		return PTR_ERR(regs);
	sdev = svmdemo_dev_alloc(pdev);
	if (IS_ERR(sdev))
		return PTR_ERR(sdev);
	sdev->regs = regs;
	pci_set_drvdata(pdev, sdev);

	ret = svmdemo_hw_probe(sdev);
	if (ret)
		goto err_put;
	ret = svmdemo_sva_enable(dev);
	if (ret) {
		dev_err(dev, "cannot enable SVA: %d\n", ret);
		goto err_put;
	}
	ret = svmdemo_irq_alloc(sdev);
	if (ret)
		goto err_sva;
	ret = svmdemo_hw_init(sdev);
	if (ret)
		goto err_vectors;
	ret = svmdemo_irq_request(sdev);
	if (ret)
		goto err_hw;
	ret = svmdemo_cdev_add(sdev);
	if (ret)
		goto err_irq;

	dev_info(dev,
		 "%s: version %u.%u, %u queues of %u, %s; PASID %s, ATS %s, PRI %s\n",
		 dev_name(&sdev->cdev_dev), sdev->hw_version >> 16,
		 sdev->hw_version & 0xffff, sdev->nr_queues, sdev->ring_size,
		 sdev->msix ? "MSI-X" : "MSI", str_on_off(pdev->pasid_enabled),
		 str_on_off(pdev->ats_enabled), str_on_off(pdev->pri_enabled));
	return 0;

err_irq:
	svmdemo_irq_free(sdev, sdev->nr_queues, true);
err_hw:
	svmdemo_hw_stop(sdev);
	svmdemo_hw_drain(sdev);
	svmdemo_hw_fini(sdev);
err_vectors:
	pci_free_irq_vectors(pdev);
err_sva:
	svmdemo_sva_disable(dev);
err_put:
	svmdemo_dev_put(sdev);
	return ret;
}

/*
 * Teardown in the order of uacce_remove(): no new opens, later calls fail,
 * the queues stop and withdraw their jobs, every PASID is quiesced and
 * unbound, the rings drain, then the resources go. Open files keep struct
 * svmdemo_dev until they are closed.
 */
static void svmdemo_remove(struct pci_dev *pdev)
{
	struct svmdemo_dev *sdev = pci_get_drvdata(pdev);

	svmdemo_cdev_del(sdev);

	/*
	 * Pin the bound mms before the files can see the device dead: a
	 * process that gets -ENODEV and exits must not reach exit_mmap()
	 * while its PASID is unbound below (svmdemo_bonds_pin_mms()).
	 */
	mutex_lock(&sdev->lock);
	svmdemo_bonds_pin_mms(sdev);
	WRITE_ONCE(sdev->dead, true);
	mutex_unlock(&sdev->lock);

	svmdemo_hw_stop(sdev);
	svmdemo_bonds_unbind(sdev);
	svmdemo_hw_drain(sdev);

	svmdemo_irq_free(sdev, sdev->nr_queues, true);
	pci_free_irq_vectors(pdev);
	svmdemo_hw_fini(sdev);
	svmdemo_sva_disable(&pdev->dev);
	svmdemo_dev_put(sdev);
}

static const struct pci_device_id svmdemo_ids[] = {
	{ PCI_DEVICE(SVMDEMO_PCI_VENDOR_ID, SVMDEMO_PCI_DEVICE_ID) },
	{ }
};
MODULE_DEVICE_TABLE(pci, svmdemo_ids);

static struct pci_driver svmdemo_pci_driver = {
	.name		= SVMDEMO_NAME,
	.id_table	= svmdemo_ids,
	.probe		= svmdemo_probe,
	.remove		= svmdemo_remove,
};

static int __init svmdemo_init(void)
{
	int ret;

	ret = svmdemo_cdev_init();
	if (ret)
		return ret;
	ret = pci_register_driver(&svmdemo_pci_driver);
	if (ret)
		svmdemo_cdev_exit();
	return ret;
}
module_init(svmdemo_init);

static void __exit svmdemo_exit(void)
{
	pci_unregister_driver(&svmdemo_pci_driver);
	svmdemo_cdev_exit();
}
module_exit(svmdemo_exit);

MODULE_DESCRIPTION("svmdemo Shared Virtual Memory (SVA/PASID) demo device");
MODULE_LICENSE("GPL");
