/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fixture most svmdemo tests share: a file open on the device, and
 * what SVMDEMO_IOC_INFO says about it. Include after kselftest_harness.h.
 */
#ifndef SVM_FIXTURE_H
#define SVM_FIXTURE_H

#include "svmdemo_test.h"

FIXTURE(svm)
{
	int fd;
	struct svmdemo_info info;
};

FIXTURE_SETUP(svm)
{
	self->fd = svm_open();
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", SVM_DEV, strerror(errno));
	ASSERT_EQ(0, svm_get_info(self->fd, &self->info));
	ASSERT_NE(0U, self->info.pasid);
}

FIXTURE_TEARDOWN(svm)
{
	close(self->fd);
}

#endif /* SVM_FIXTURE_H */
