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

/* One line: jobs handed to each queue since probe. */
static ssize_t queue_jobs_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct svmdemo_dev *sdev = to_svmdemo(dev);
	unsigned int i;
	int len = 0;
	u64 n;

	for (i = 0; i < sdev->nr_queues; i++) {
		struct svmdemo_queue *q = &sdev->queues[i];

		spin_lock_irq(&q->lock);
		n = q->posted;
		spin_unlock_irq(&q->lock);
		len += sysfs_emit_at(buf, len, "%s%llu", i ? " " : "", n);
	}
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(queue_jobs);

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

/* One line: the count of completions for each status code 0..15. */
static ssize_t status_counts_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct svmdemo_dev *sdev = to_svmdemo(dev);
	unsigned int s;
	int len = 0;

	for (s = 0; s < SVMDEMO_CNT_STATUS_NR; s++)
		len += sysfs_emit_at(buf, len, "%s%llu", s ? " " : "",
				     (u64)lo_hi_readq(sdev->regs +
						      SVMDEMO_CNT_STATUS(s)));
	len += sysfs_emit_at(buf, len, "\n");
	return len;
}
static DEVICE_ATTR_RO(status_counts);

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
	&dev_attr_queue_jobs.attr,
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
	&dev_attr_status_counts.attr,
	NULL
};

static const struct attribute_group svmdemo_counter_group = {
	.name = "counters",
	.attrs = svmdemo_counter_attrs,
};

const struct attribute_group *svmdemo_groups[] = {
	&svmdemo_info_group,
	&svmdemo_counter_group,
	NULL
};
