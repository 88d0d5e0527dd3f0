/* SPDX-License-Identifier: GPL-2.0 */
/*
 * svmdemo: the kernel-version dependent bits, in one place.
 *
 * The driver is written against Linux 7.x. Older interfaces are detected
 * by Kbuild (feature probes of the kernel headers, not version numbers,
 * since distributions backport) and bridged here; each block names the
 * change it hides so that it can go once older kernels no longer matter.
 */
#ifndef _SVMDEMO_COMPAT_H
#define _SVMDEMO_COMPAT_H

#include <linux/iommu.h>
#include <linux/pci.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

/*
 * SVA enabling. Kernels with iommu_dev_enable_feature() (up to 6.15)
 * needed the IOPF and SVA features enabled before iommu_sva_bind_device();
 * since then the IOMMU driver enables what SVA needs (ATS, PASID, PRI) by
 * itself. Note that some stable 6.12 kernels (6.12.69 and later) refuse
 * SVA on x86 altogether ("iommu: disable SVA when CONFIG_X86 is set");
 * binding then fails with -EOPNOTSUPP.
 */
#ifdef SVMDEMO_HAVE_IOMMU_DEV_FEATURE
static inline int svmdemo_sva_enable(struct device *dev)
{
	int ret;

	ret = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	if (ret)
		return ret;
	ret = iommu_dev_enable_feature(dev, IOMMU_DEV_FEAT_SVA);
	if (ret)
		iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_IOPF);
	return ret;
}

static inline void svmdemo_sva_disable(struct device *dev)
{
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_SVA);
	iommu_dev_disable_feature(dev, IOMMU_DEV_FEAT_IOPF);
}
#else
static inline int svmdemo_sva_enable(struct device *dev)
{
	return 0;
}

static inline void svmdemo_sva_disable(struct device *dev)
{
}
#endif

/*
 * pcim_iomap_region() appeared in 6.11; before it, requesting and mapping
 * a BAR took pcim_iomap_regions() and pcim_iomap_table().
 */
#ifdef SVMDEMO_HAVE_PCIM_IOMAP_REGION
static inline void __iomem *svmdemo_iomap_bar(struct pci_dev *pdev, int bar,
					      const char *name)
{
	return pcim_iomap_region(pdev, bar, name);
}
#else
static inline void __iomem *svmdemo_iomap_bar(struct pci_dev *pdev, int bar,
					      const char *name)
{
	int ret = pcim_iomap_regions(pdev, BIT(bar), name);

	if (ret)
		return IOMEM_ERR_PTR(ret);
	return pcim_iomap_table(pdev)[bar];
}
#endif

/*
 * Work-arounds for two bugs of VT-d's PASID teardown in Linux 7.x
 * (docs/reliability.md, items 1 and 3; the fixes are in patches/linux/).
 * Compiled in unless the module is built with VTD_WORKAROUNDS=0, which
 * shows a kernel's own behaviour: the bug, or that its fix works.
 *
 * svmdemo_vtd_flush_faults(): when a process exits, VT-d's mm release
 * leaves its PASID entry all zero instead of fault-disabled, so the
 * unbind does not drain the page requests of the PASID and frees fault
 * groups whose work is still queued. Flush the fault queue first.
 *
 * svmdemo_vtd_pin_mm(): mm release and an unbind tearing the same PASID
 * entry down at once trip a WARN in intel_pasid_tear_down_entry(). An
 * mm_users reference held across the unbind keeps the mm release back.
 */
#ifdef SVMDEMO_VTD_WORKAROUNDS
static inline void svmdemo_vtd_flush_faults(struct pci_dev *pdev)
{
	if (pdev->pri_enabled)
		iopf_queue_flush_dev(&pdev->dev);
}

static inline bool svmdemo_vtd_pin_mm(struct mm_struct *mm)
{
	return mmget_not_zero(mm);
}
#else
static inline void svmdemo_vtd_flush_faults(struct pci_dev *pdev)
{
}

static inline bool svmdemo_vtd_pin_mm(struct mm_struct *mm)
{
	return false;
}
#endif

/* The typed allocators kzalloc_obj() and friends are new in 7.x. */
#ifndef kzalloc_obj
#define kzalloc_obj(obj)	kzalloc(sizeof(obj), GFP_KERNEL)
#endif

/*
 * io_uring task work. Since 6.19 the callback of
 * io_uring_cmd_complete_in_task() takes a struct io_tw_req and a token
 * that says whether the task is going away (the work then runs from a
 * fallback worker, without the task's mm); before, it took the command
 * and issue flags. svmdemo_uring_tw() is the callback either way and
 * calls svmdemo_uring_task_work() (svmdemo_uring.c). Only for files that
 * include <linux/io_uring/cmd.h> first.
 */
#ifdef _LINUX_IO_URING_CMD_H
void svmdemo_uring_task_work(struct io_uring_cmd *ioucmd,
			     unsigned int issue_flags, bool task_dead);

#ifdef SVMDEMO_HAVE_IO_TW_REQ
static inline void svmdemo_uring_tw(struct io_tw_req tw_req, io_tw_token_t tw)
{
	svmdemo_uring_task_work(io_uring_cmd_from_tw(tw_req),
				IO_URING_CMD_TASK_WORK_ISSUE_FLAGS, tw.cancel);
}
#else
static inline void svmdemo_uring_tw(struct io_uring_cmd *ioucmd,
				    unsigned int issue_flags)
{
	svmdemo_uring_task_work(ioucmd, issue_flags,
				current->flags & PF_EXITING);
}
#endif
#endif /* _LINUX_IO_URING_CMD_H */

#endif /* _SVMDEMO_COMPAT_H */
