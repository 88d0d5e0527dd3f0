// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo: sysfs attributes of /sys/class/svmdemo/svmdemoN.
 *
 * Read-only: what the device is (version, caps, queues), what the driver
 * does with it (open files, PASIDs bound, jobs in flight and counted) and
 * the device's counters (docs/device.md, section 5) in counters/. The
 * attributes belong to the char device,
 * which remove() deletes before anything else: sysfs drains the readers
 * then, so a show() never touches a device that is going away.
 */

#include <linux/device.h>
#include <linux/io.h>
#include <linux/io-64-nonatomic-lo-hi.h>
#include <linux/sysfs.h>

#include "svmdemo.h"

static struct svmdemo_dev *to_svmdemo(struct device *dev)
{
	return container_of(dev, struct svmdemo_dev, cdev_dev);
}

#define SVMDEMO_INFO_ATTR(_name, _fmt, _expr)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct svmdemo_dev *sdev = to_svmdemo(dev);			\
									\
	return sysfs_emit(buf, _fmt "\n", _expr);			\
}									\
static DEVICE_ATTR_RO(_name)

SVMDEMO_INFO_ATTR(hw_version, "%#x", sdev->hw_version);
SVMDEMO_INFO_ATTR(hw_caps, "%#x", sdev->hw_caps);
SVMDEMO_INFO_ATTR(caps, "%#llx", sdev->caps);
SVMDEMO_INFO_ATTR(opcodes, "%#llx", sdev->opcodes);
SVMDEMO_INFO_ATTR(nr_queues, "%u", sdev->nr_queues);
SVMDEMO_INFO_ATTR(ring_size, "%u", sdev->ring_size);
SVMDEMO_INFO_ATTR(max_len, "%llu", sdev->max_len);
SVMDEMO_INFO_ATTR(irq_mode, "%s", sdev->msix ? "msix" : "msi");
SVMDEMO_INFO_ATTR(ring_share, "%u", sdev->ring_share);
SVMDEMO_INFO_ATTR(jobs_in_flight, "%d", atomic_read(&sdev->nr_inflight));
SVMDEMO_INFO_ATTR(jobs_submitted, "%lld",
		  (long long)atomic64_read(&sdev->nr_submitted));
SVMDEMO_INFO_ATTR(jobs_completed, "%lld",
		  (long long)atomic64_read(&sdev->nr_completed));

/* Open files, and the PASIDs they hold bound (one per address space). */
static ssize_t open_files_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct svmdemo_dev *sdev = to_svmdemo(dev);
	unsigned int n;

	mutex_lock(&sdev->lock);
	n = sdev->nr_files;
	mutex_unlock(&sdev->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(open_files);

static ssize_t pasids_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct svmdemo_dev *sdev = to_svmdemo(dev);
	unsigned int n;

	mutex_lock(&sdev->lock);
	n = sdev->nr_bonds;
	mutex_unlock(&sdev->lock);
	return sysfs_emit(buf, "%u\n", n);
}
static DEVICE_ATTR_RO(pasids);

#define SVMDEMO_COUNTER_ATTR(_name, _reg)				\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	struct svmdemo_dev *sdev = to_svmdemo(dev);			\
									\
	return sysfs_emit(buf, "%llu\n",				\
			  (u64)lo_hi_readq(sdev->regs +		\
					   SVMDEMO_CNT(_reg)));		\
}									\
static DEVICE_ATTR_RO(_name)

SVMDEMO_COUNTER_ATTR(jobs, SVMDEMO_CNT_JOBS);
SVMDEMO_COUNTER_ATTR(bytes, SVMDEMO_CNT_BYTES);
SVMDEMO_COUNTER_ATTR(ats_requests, SVMDEMO_CNT_ATS_REQ);
SVMDEMO_COUNTER_ATTR(atc_hits, SVMDEMO_CNT_ATC_HIT);
SVMDEMO_COUNTER_ATTR(atc_misses, SVMDEMO_CNT_ATC_MISS);
SVMDEMO_COUNTER_ATTR(pri_requests, SVMDEMO_CNT_PRI_REQ);
SVMDEMO_COUNTER_ATTR(pri_groups, SVMDEMO_CNT_PRI_GROUP);
SVMDEMO_COUNTER_ATTR(pri_failures, SVMDEMO_CNT_PRI_FAIL);
SVMDEMO_COUNTER_ATTR(pri_timeouts, SVMDEMO_CNT_PRI_TIMEOUT);
SVMDEMO_COUNTER_ATTR(pri_overflows, SVMDEMO_CNT_PRI_OVERFLOW);
SVMDEMO_COUNTER_ATTR(invalidations, SVMDEMO_CNT_INVAL);
SVMDEMO_COUNTER_ATTR(atc_invalidations, SVMDEMO_CNT_ATC_INVAL);
SVMDEMO_COUNTER_ATTR(errors, SVMDEMO_CNT_ERRORS);

/*
 * Attribute @_name of group @_group: @_show() reads entry @_idx (a queue,
 * a status code) of the device.
 */
#define SVMDEMO_INDEX_ATTR(_group, _name, _idx, _show)			\
static ssize_t _group##_##_name##_show(struct device *dev,		\
				       struct device_attribute *attr,	\
				       char *buf)			\
{									\
	return _show(to_svmdemo(dev), _idx, buf);			\
}									\
static struct device_attribute dev_attr_##_group##_##_name =		\
	__ATTR(_name, 0444, _group##_##_name##_show, NULL)

/* queue_jobs/N: jobs handed to queue N since probe. */
static ssize_t svmdemo_queue_jobs(struct svmdemo_dev *sdev, unsigned int i,
				  char *buf)
{
	struct svmdemo_queue *q = &sdev->queues[i];
	u64 n;

	spin_lock_irq(&q->lock);
	n = q->posted;
	spin_unlock_irq(&q->lock);
	return sysfs_emit(buf, "%llu\n", n);
}

SVMDEMO_INDEX_ATTR(queue_jobs, 0, 0, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 1, 1, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 2, 2, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 3, 3, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 4, 4, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 5, 5, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 6, 6, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 7, 7, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 8, 8, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 9, 9, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 10, 10, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 11, 11, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 12, 12, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 13, 13, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 14, 14, svmdemo_queue_jobs);
SVMDEMO_INDEX_ATTR(queue_jobs, 15, 15, svmdemo_queue_jobs);
static_assert(SVMDEMO_MAX_QUEUES == 16);

/* status_counts/<status>: completions with that status code. */
static ssize_t svmdemo_status_count(struct svmdemo_dev *sdev, unsigned int s,
				    char *buf)
{
	return sysfs_emit(buf, "%llu\n",
			  (u64)lo_hi_readq(sdev->regs + SVMDEMO_CNT_STATUS(s)));
}

#define SVMDEMO_STATUS_ATTR(name, s) \
	SVMDEMO_INDEX_ATTR(status_counts, name, s, svmdemo_status_count)
SVMDEMO_STATUS_ATTR(success, SVMDEMO_STS_SUCCESS);
SVMDEMO_STATUS_ATTR(page_fault, SVMDEMO_STS_PAGE_FAULT);
SVMDEMO_STATUS_ATTR(perm, SVMDEMO_STS_PERM);
SVMDEMO_STATUS_ATTR(priv, SVMDEMO_STS_PRIV);
SVMDEMO_STATUS_ATTR(bad_opcode, SVMDEMO_STS_BAD_OPCODE);
SVMDEMO_STATUS_ATTR(reserved, SVMDEMO_STS_RESERVED);
SVMDEMO_STATUS_ATTR(length, SVMDEMO_STS_LENGTH);
SVMDEMO_STATUS_ATTR(bad_pasid, SVMDEMO_STS_BAD_PASID);
SVMDEMO_STATUS_ATTR(mismatch, SVMDEMO_STS_MISMATCH);
SVMDEMO_STATUS_ATTR(aborted, SVMDEMO_STS_ABORTED);
SVMDEMO_STATUS_ATTR(timeout, SVMDEMO_STS_TIMEOUT);
SVMDEMO_STATUS_ATTR(dma_error, SVMDEMO_STS_DMA_ERROR);

/*
 * latency/<h>_p<pct>_us: the pct-th percentile of the device's latency
 * histogram h (docs/device.md 5.1) since probe, as the largest time of its
 * bucket in microseconds; 65536 stands for that much or more, 0 for no
 * samples. @idx is h * 100 + pct.
 */
static ssize_t svmdemo_latency(struct svmdemo_dev *sdev, unsigned int idx,
			       char *buf)
{
	unsigned int h = idx / 100, pct = idx % 100, b;
	u64 n[SVMDEMO_HIST_BUCKETS], total = 0, sum = 0;

	/* One read of each bucket: both passes see the same histogram. */
	for (b = 0; b < SVMDEMO_HIST_BUCKETS; b++) {
		n[b] = lo_hi_readq(sdev->regs + SVMDEMO_HIST(h, b));
		total += n[b];
	}
	if (!total)
		return sysfs_emit(buf, "0\n");
	for (b = 0; b < SVMDEMO_HIST_BUCKETS - 1; b++) {
		sum += n[b];
		if (sum * 100 >= total * pct)
			break;
	}
	if (b == SVMDEMO_HIST_BUCKETS - 1)
		return sysfs_emit(buf, "%llu\n",
				  svmdemo_hist_upper(b - 1) + 1);
	return sysfs_emit(buf, "%llu\n", svmdemo_hist_upper(b));
}

#define SVMDEMO_LATENCY_ATTR(name, h, pct) \
	SVMDEMO_INDEX_ATTR(latency, name, (h) * 100 + (pct), svmdemo_latency)
SVMDEMO_LATENCY_ATTR(pri_p50_us, SVMDEMO_HIST_PRI, 50);
SVMDEMO_LATENCY_ATTR(pri_p99_us, SVMDEMO_HIST_PRI, 99);
SVMDEMO_LATENCY_ATTR(ats_p50_us, SVMDEMO_HIST_ATS, 50);
SVMDEMO_LATENCY_ATTR(ats_p99_us, SVMDEMO_HIST_ATS, 99);

static struct attribute *svmdemo_latency_attrs[] = {
	&dev_attr_latency_pri_p50_us.attr,
	&dev_attr_latency_pri_p99_us.attr,
	&dev_attr_latency_ats_p50_us.attr,
	&dev_attr_latency_ats_p99_us.attr,
	NULL
};

static const struct attribute_group svmdemo_latency_group = {
	.name = "latency",
	.attrs = svmdemo_latency_attrs,
};

static struct attribute *svmdemo_info_attrs[] = {
	&dev_attr_hw_version.attr,
	&dev_attr_hw_caps.attr,
	&dev_attr_caps.attr,
	&dev_attr_opcodes.attr,
	&dev_attr_nr_queues.attr,
	&dev_attr_ring_size.attr,
	&dev_attr_max_len.attr,
	&dev_attr_irq_mode.attr,
	&dev_attr_ring_share.attr,
	&dev_attr_jobs_in_flight.attr,
	&dev_attr_jobs_submitted.attr,
	&dev_attr_jobs_completed.attr,
	&dev_attr_open_files.attr,
	&dev_attr_pasids.attr,
	NULL
};

static const struct attribute_group svmdemo_info_group = {
	.attrs = svmdemo_info_attrs,
};

static struct attribute *svmdemo_counter_attrs[] = {
	&dev_attr_jobs.attr,
	&dev_attr_bytes.attr,
	&dev_attr_ats_requests.attr,
	&dev_attr_atc_hits.attr,
	&dev_attr_atc_misses.attr,
	&dev_attr_pri_requests.attr,
	&dev_attr_pri_groups.attr,
	&dev_attr_pri_failures.attr,
	&dev_attr_pri_timeouts.attr,
	&dev_attr_pri_overflows.attr,
	&dev_attr_invalidations.attr,
	&dev_attr_atc_invalidations.attr,
	&dev_attr_errors.attr,
	NULL
};

static const struct attribute_group svmdemo_counter_group = {
	.name = "counters",
	.attrs = svmdemo_counter_attrs,
};

static struct attribute *svmdemo_queue_jobs_attrs[] = {
	&dev_attr_queue_jobs_0.attr, &dev_attr_queue_jobs_1.attr,
	&dev_attr_queue_jobs_2.attr, &dev_attr_queue_jobs_3.attr,
	&dev_attr_queue_jobs_4.attr, &dev_attr_queue_jobs_5.attr,
	&dev_attr_queue_jobs_6.attr, &dev_attr_queue_jobs_7.attr,
	&dev_attr_queue_jobs_8.attr, &dev_attr_queue_jobs_9.attr,
	&dev_attr_queue_jobs_10.attr, &dev_attr_queue_jobs_11.attr,
	&dev_attr_queue_jobs_12.attr, &dev_attr_queue_jobs_13.attr,
	&dev_attr_queue_jobs_14.attr, &dev_attr_queue_jobs_15.attr,
	NULL
};

/* Only the queues the driver uses. */
static umode_t svmdemo_queue_jobs_visible(struct kobject *kobj,
					  struct attribute *attr, int n)
{
	struct svmdemo_dev *sdev = to_svmdemo(kobj_to_dev(kobj));

	return n < sdev->nr_queues ? attr->mode : 0;
}

static const struct attribute_group svmdemo_queue_jobs_group = {
	.name = "queue_jobs",
	.attrs = svmdemo_queue_jobs_attrs,
	.is_visible = svmdemo_queue_jobs_visible,
};

static struct attribute *svmdemo_status_attrs[] = {
	&dev_attr_status_counts_success.attr,
	&dev_attr_status_counts_page_fault.attr,
	&dev_attr_status_counts_perm.attr,
	&dev_attr_status_counts_priv.attr,
	&dev_attr_status_counts_bad_opcode.attr,
	&dev_attr_status_counts_reserved.attr,
	&dev_attr_status_counts_length.attr,
	&dev_attr_status_counts_bad_pasid.attr,
	&dev_attr_status_counts_mismatch.attr,
	&dev_attr_status_counts_aborted.attr,
	&dev_attr_status_counts_timeout.attr,
	&dev_attr_status_counts_dma_error.attr,
	NULL
};

static const struct attribute_group svmdemo_status_group = {
	.name = "status_counts",
	.attrs = svmdemo_status_attrs,
};

const struct attribute_group *svmdemo_groups[] = {
	&svmdemo_info_group,
	&svmdemo_counter_group,
	&svmdemo_queue_jobs_group,
	&svmdemo_status_group,
	&svmdemo_latency_group,
	NULL
};
