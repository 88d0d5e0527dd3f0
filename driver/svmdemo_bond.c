// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: SVA bonds. Every address space that opens the device is bound
 * to it once: one struct svmdemo_bond, one PASID, shared by all the files
 * that address space opens (like uacce's uacce_mm). The bond is bound
 * while it has open files; the last one to close quiesces the PASID in
 * the device and only then unbinds it. Bonds are found by PASID.
 */

#include <linux/iommu.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "svmdemo.h"
#include "svmdemo_compat.h"

static void svmdemo_bond_free(struct kref *ref)
{
	struct svmdemo_bond *bond = container_of(ref, struct svmdemo_bond, ref);

	WARN_ON(bond->sva);
	mmdrop(bond->mm);
	kfree(bond->nr_ring);
	kfree(bond);
}

void svmdemo_bond_put(struct svmdemo_bond *bond)
{
	kref_put(&bond->ref, svmdemo_bond_free);
}

static struct svmdemo_bond *svmdemo_bond_new(struct svmdemo_dev *sdev,
					     struct mm_struct *mm,
					     struct iommu_sva *sva, u32 pasid)
{
	struct svmdemo_bond *bond;
	int ret;

	bond = kzalloc_obj(*bond);
	if (!bond)
		return ERR_PTR(-ENOMEM);
	bond->nr_ring = kcalloc(sdev->nr_queues, sizeof(*bond->nr_ring),
				GFP_KERNEL);
	if (!bond->nr_ring) {
		kfree(bond);
		return ERR_PTR(-ENOMEM);
	}
	ret = xa_insert(&sdev->bonds, pasid, bond, GFP_KERNEL);
	if (ret) {
		kfree(bond->nr_ring);
		kfree(bond);
		return ERR_PTR(ret);
	}
	kref_init(&bond->ref);
	INIT_LIST_HEAD(&bond->files);
	bond->sdev = sdev;
	bond->mm = mm;
	mmgrab(mm);
	bond->pasid = pasid;
	bond->sva = sva;
	sdev->nr_bonds++;
	return bond;
}

/**
 * svmdemo_bond_get - the bond of an address space, bound now if need be
 * @sdev: device; sdev->lock held, not dead
 * @mm: the caller's address space
 *
 * Binding takes all of the mm's locks and fails with -EINTR when a signal
 * or io_uring task work is pending; nothing was done then, so the caller
 * may restart.
 *
 * Return: the bond with a new reference, or an ERR_PTR.
 */
struct svmdemo_bond *svmdemo_bond_get(struct svmdemo_dev *sdev,
				      struct mm_struct *mm)
{
	struct svmdemo_bond *bond;
	struct iommu_sva *sva;
	u32 pasid;

	lockdep_assert_held(&sdev->lock);

	/* The IOMMU hands out one bond per mm and device, refcounted. */
	sva = iommu_sva_bind_device(&sdev->pdev->dev, mm);
	if (IS_ERR_OR_NULL(sva))
		return sva ? ERR_CAST(sva) : ERR_PTR(-ENODEV);
	pasid = iommu_sva_get_pasid(sva);
	if (pasid == IOMMU_PASID_INVALID) {
		iommu_sva_unbind_device(sva);
		return ERR_PTR(-ENODEV);
	}
	bond = xa_load(&sdev->bonds, pasid);
	if (bond) {
		/* Another file of @mm holds the bond: share it. */
		iommu_sva_unbind_device(sva);
		if (WARN_ON(bond->mm != mm))
			return ERR_PTR(-EBUSY);
		kref_get(&bond->ref);
		return bond;
	}
	bond = svmdemo_bond_new(sdev, mm, sva, pasid);
	if (IS_ERR(bond))
		iommu_sva_unbind_device(sva);
	return bond;
}

/* Stop the PASID's DMA in the device, then give the PASID back. */
static void svmdemo_bond_unbind(struct svmdemo_bond *bond)
{
	struct svmdemo_dev *sdev = bond->sdev;

	lockdep_assert_held(&sdev->lock);

	if (!bond->sva)
		return;
	svmdemo_hw_flush_pasid(sdev, bond);
	svmdemo_vtd_flush_faults(sdev->pdev);
	iommu_sva_unbind_device(bond->sva);
	bond->sva = NULL;
	xa_erase(&sdev->bonds, bond->pasid);
	sdev->nr_bonds--;
	if (bond->mm_pinned) {
		bond->mm_pinned = false;
		mmput_async(bond->mm);
	}
}

/* A new file @ctx of @bond; sdev->lock held. */
void svmdemo_bond_add_file(struct svmdemo_bond *bond, struct svmdemo_ctx *ctx)
{
	lockdep_assert_held(&bond->sdev->lock);

	list_add_tail(&ctx->node, &bond->files);
	bond->sdev->nr_files++;
}

/**
 * svmdemo_bond_remove_file - a file of the bond is released
 * @bond: the file's bond
 * @ctx: the file's context; sdev->lock held
 *
 * The file's queued jobs become NOOPs (their completions free them). The
 * last file of the bond quiesces its PASID and unbinds it; a job of
 * another file of the same address space runs on to its end.
 */
void svmdemo_bond_remove_file(struct svmdemo_bond *bond,
			      struct svmdemo_ctx *ctx)
{
	struct svmdemo_dev *sdev = bond->sdev;

	lockdep_assert_held(&sdev->lock);

	list_del_init(&ctx->node);
	sdev->nr_files--;
	if (!bond->sva)
		return;		/* remove() unbound it already */
	svmdemo_hw_withdraw_ctx(sdev, ctx);
	if (list_empty(&bond->files))
		svmdemo_bond_unbind(bond);
}

/**
 * svmdemo_bonds_pin_mms - keep the bound address spaces until unbound
 * @sdev: device being removed, not yet marked dead; sdev->lock held
 *
 * A process that sees its jobs fail with -ENODEV may exit while remove()
 * unbinds its PASID; VT-d's mm release notifier then tears the PASID
 * entry down at the same time as the unbind (svmdemo_compat.h). So the
 * pins are taken before the device is marked dead, which the files read
 * without the lock. Holding mm_users keeps exit_mmap() and that notifier
 * back until svmdemo_bond_unbind() is done; an mm already past its last
 * mmput() cannot be pinned and is skipped.
 */
void svmdemo_bonds_pin_mms(struct svmdemo_dev *sdev)
{
	struct svmdemo_bond *bond;
	unsigned long pasid;

	lockdep_assert_held(&sdev->lock);
	xa_for_each(&sdev->bonds, pasid, bond)
		if (!bond->mm_pinned)
			bond->mm_pinned = svmdemo_vtd_pin_mm(bond->mm);
}

/**
 * svmdemo_bonds_unbind - quiesce and unbind every bond
 * @sdev: device being removed, already marked dead, queues stopped
 *
 * The files stay open; their later calls fail with -ENODEV and sleepers
 * are woken so that they notice.
 */
void svmdemo_bonds_unbind(struct svmdemo_dev *sdev)
{
	struct svmdemo_bond *bond;
	struct svmdemo_ctx *ctx;
	unsigned long pasid;

	mutex_lock(&sdev->lock);
	xa_for_each(&sdev->bonds, pasid, bond) {
		svmdemo_bond_unbind(bond);
		list_for_each_entry(ctx, &bond->files, node)
			wake_up_all(&ctx->wq);
	}
	mutex_unlock(&sdev->lock);
}
