// SPDX-License-Identifier: GPL-2.0
/*
 * svm_runner_probe: the VM runner's own test (qemu-scripts/host/runner-selftest.sh),
 * not part of the suite. Each test makes the device DMA to an IOVA that
 * nobody mapped, so that the IOMMU refuses it: inside a window of expected
 * refusals, inside one that its test never closes because it is killed,
 * and outside any window. The runner must accept the first two and fail
 * the run on the third.
 *
 * The driver is unbound first: the probe drives the device's compatible
 * block through sysfs (resource0, config), so nothing of the driver is
 * involved.
 */
#include <signal.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"
#include "svmdemo_hw.h"

#define UNMAPPED_IOVA	0x7f00beef0000ULL

FIXTURE(probe)
{
	uint8_t *bar;		/* BAR0, mapped from sysfs */
};

/* The device's sysfs directory, with the svmdemo driver let go of it. */
static int probe_device(char *dir, size_t len)
{
	char bdf[64], drv[PATH_MAX + 16];

	if (svm_pci_addr(bdf, sizeof(bdf)))
		return -ENODEV;
	snprintf(dir, len, "/sys/bus/pci/devices/%s", bdf);
	snprintf(drv, sizeof(drv), "%s/driver", dir);
	if (!access(drv, F_OK))
		return write_str("/sys/bus/pci/drivers/svmdemo/unbind", bdf);
	return 0;
}

FIXTURE_SETUP(probe)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	uint16_t cmd;
	int fd;

	ASSERT_EQ(0, probe_device(dir, sizeof(dir)));
	/* Memory decoding and bus mastering, as a driver would enable. */
	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, pread(fd, &cmd, 2, 4));
	cmd |= 0x6;
	ASSERT_EQ(2, pwrite(fd, &cmd, 2, 4));
	close(fd);
	snprintf(path, sizeof(path), "%s/resource0", dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd);
	self->bar = mmap(NULL, SVMDEMO_BAR0_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	close(fd);
	ASSERT_NE(MAP_FAILED, self->bar);
}

FIXTURE_TEARDOWN(probe)
{
	munmap(self->bar, SVMDEMO_BAR0_SIZE);
}

/* MMIO: one 64-bit access each, never merged or elided by the compiler. */
static void reg64_write(uint8_t *bar, unsigned int off, uint64_t val)
{
	__atomic_store_n((uint64_t *)(bar + off), val, __ATOMIC_SEQ_CST);
}

static uint64_t reg64_read(uint8_t *bar, unsigned int off)
{
	return __atomic_load_n((uint64_t *)(bar + off), __ATOMIC_SEQ_CST);
}

/*
 * A compatible WRITE of 64 bytes to an IOVA of the function's default
 * domain that nobody mapped; the device reports PAGE_FAULT.
 */
static uint64_t refused_dma(uint8_t *bar)
{
	double end = now_s() + 10;
	uint64_t st;

	reg64_write(bar, SVMDEMO_COMPAT_SIZE, 64);
	reg64_write(bar, SVMDEMO_COMPAT_ADDR, UNMAPPED_IOVA);
	reg64_write(bar, SVMDEMO_COMPAT_CMD, SVMDEMO_COMPAT_CMD_WRITE);
	do {
		st = reg64_read(bar, SVMDEMO_COMPAT_STATUS);
	} while (st == SVMDEMO_COMPAT_STATUS_BUSY && now_s() < end);
	return st;
}

TEST_F(probe, expected)
{
	svm_expect_failures_open(_metadata);
	EXPECT_EQ((uint64_t)SVMDEMO_STS_PAGE_FAULT, refused_dma(self->bar));
	svm_expect_failures_close(_metadata);
}

/* Never closes its window: the runner closes it at the result line. */
TEST_F_SIGNAL(probe, expected_then_killed, SIGKILL)
{
	svm_expect_failures_open(_metadata);
	EXPECT_EQ((uint64_t)SVMDEMO_STS_PAGE_FAULT, refused_dma(self->bar));
	kill(getpid(), SIGKILL);
}

/* Right after a killed test, whose result line may still be on its way. */
TEST_F(probe, unexpected)
{
	svm_expect_failures_none(_metadata);
	EXPECT_EQ((uint64_t)SVMDEMO_STS_PAGE_FAULT, refused_dma(self->bar));
}

TEST_HARNESS_MAIN
