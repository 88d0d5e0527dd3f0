// SPDX-License-Identifier: GPL-2.0
/*
 * svm_lifecycle: the module and the device come and go under a user.
 * 50 insmod/rmmod cycles (times SVMDEMO_STRESS), each with a process
 * keeping the device busy in between: rmmod is refused while it holds the
 * device; in every other cycle the driver is unbound from the PCI function
 * under it (its calls then fail with ENODEV, its jobs end cleanly) before
 * the module goes. (Probe failures: svm_fail_nth, on a kernel with fault
 * injection.) No memory may leak, the kernel log stays clean, and the module is left
 * loaded as the VM's init loaded it.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#define CYCLES		50
#define PCI_DRV		"/sys/bus/pci/drivers/svmdemo"
#define SLAB_BOUND_KB	(4 << 10)
#define AVAIL_BOUND_KB	(32 << 10)

static char bdf[64];

/* Back to the state init left: module loaded, device bound. */
static void restore(void)
{
	char path[128];

	if (!svm_module_loaded())
		svm_module_load("");
	snprintf(path, sizeof(path), PCI_DRV "/%s", bdf);
	if (access(path, F_OK))
		write_str(PCI_DRV "/bind", bdf);
	wait_path(SVM_DEV, true, 5);
}

/*
 * The device went away under the user: it exits at once, while remove()
 * may still be unbinding its PASID (the driver keeps the mm alive until
 * the unbind is over: docs/reliability.md, item 3).
 */
static int gone(int ctl)
{
	(void)ctl;
	return 1;
}

/*
 * The busy user: jobs in flight all the time until told to stop (a byte
 * on @ctl) or the device goes away. Exit status: 0 fine, 1 the device
 * went away cleanly (ENODEV), >= 10 something was wrong.
 */
static int busy_user(int ctl)
{
	uint8_t *buf = map_anon(1 << 20, PROT_READ | PROT_WRITE);
	struct svmdemo_job jobs[16], out[16];
	struct svmdemo_submit s = {
		.jobs = (uintptr_t)jobs, .count = 16,
		.flags = SVMDEMO_SUBMIT_ASYNC,
	};
	struct svmdemo_wait w = {
		.jobs = (uintptr_t)out, .count = 16, .timeout_ms = 1000,
	};
	int fd = svm_open();
	char c = 'R';

	if (fd < 0 || !buf)
		return 10;
	write(ctl, &c, 1);	/* ready */
	fcntl(ctl, F_SETFL, O_NONBLOCK);
	for (;;) {
		for (int i = 0; i < 16; i++)
			jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL,
					  buf + i * 65536, 65536, i);
		if (ioctl(fd, SVMDEMO_IOC_SUBMIT, &s))
			return errno == ENODEV ? gone(ctl) : 11;
		for (unsigned int got = 0; got < 16;) {
			if (ioctl(fd, SVMDEMO_IOC_WAIT, &w))
				return errno == ENODEV ? gone(ctl) : 12;
			for (unsigned int i = 0; i < w.completed; i++)
				if (out[i].result && out[i].result != -ENODEV &&
				    out[i].result != -ECANCELED)
					return 13;
			got += w.completed;
		}
		if (read(ctl, &c, 1) == 1) {
			/* 'S': stop; 'Q': the unbind is over (we missed it). */
			close(fd);
			return c == 'Q';
		}
	}
}

static void sanity(struct __test_metadata *_metadata)
{
	uint64_t v = 0;
	int fd;

	ASSERT_TRUE(wait_path(SVM_DEV, true, 5));
	fd = svm_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, svm_fill(fd, &v, sizeof(v), 0x0102030405060708));
	ASSERT_EQ(0x0102030405060708ULL, v);
	close(fd);
}

FIXTURE(life)
{
	int kfd;
};

FIXTURE_SETUP(life)
{
	ASSERT_TRUE(svm_module_loaded());
	ASSERT_EQ(0, svm_pci_addr(bdf, sizeof(bdf)));
	self->kfd = kmsg_open();
}

FIXTURE_TEARDOWN(life)
{
	char first[512];

	restore();
	EXPECT_EQ(0, kmsg_bad(self->kfd, first, sizeof(first)))
		TH_LOG("kernel log: %s", first);
	close(self->kfd);
}

TEST_F_TIMEOUT(life, insmod_rmmod_cycles_with_a_busy_user, 3600)
{
	unsigned int cycles = CYCLES * stress_factor(), unbinds = 0;
	struct mem_snap m0, m1;
	double t0 = now_s();

	sanity(_metadata);
	mem_snap(&m0);
	for (unsigned int c = 0; c < cycles; c++) {
		int ctl[2], status, ret;
		char ready;
		pid_t pid;

		ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM, 0, ctl));
		pid = fork();
		ASSERT_LE(0, pid);
		if (!pid) {
			close(ctl[0]);
			_exit(busy_user(ctl[1]));
		}
		close(ctl[1]);
		ASSERT_EQ(1, read(ctl[0], &ready, 1)) TH_LOG("cycle %u", c);

		/* Busy: the module cannot go. */
		ret = svm_module_unload();
		ASSERT_TRUE(ret == -EBUSY || ret == -EAGAIN)
			TH_LOG("cycle %u: rmmod while in use: %d", c, ret);
		if (c & 1) {
			/* The driver leaves the device under the user. */
			ASSERT_EQ(0, write_str(PCI_DRV "/unbind", bdf))
				TH_LOG("cycle %u: unbind", c);
			unbinds++;
			ASSERT_TRUE(wait_path(SVM_DEV, false, 5));
			/* Unless the user saw ENODEV and exited already. */
			send(ctl[0], "Q", 1, MSG_NOSIGNAL);
		} else {
			ASSERT_EQ(1, write(ctl[0], "S", 1));
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFEXITED(status)) TH_LOG("cycle %u: %#x", c, status);
		ASSERT_EQ((c & 1) ? 1 : 0, WEXITSTATUS(status))
			TH_LOG("cycle %u: user exit %d", c, WEXITSTATUS(status));
		close(ctl[0]);

		ASSERT_EQ(0, svm_module_unload()) TH_LOG("cycle %u: rmmod", c);
		ASSERT_FALSE(svm_module_loaded());
		ASSERT_EQ(0, svm_module_load("")) TH_LOG("cycle %u: insmod", c);
		sanity(_metadata);
	}
	mem_snap(&m1);
	TH_LOG("%u cycles (%u with the driver unbound under a busy user) in %.1fs",
	       cycles, unbinds, now_s() - t0);
	TH_LOG("Slab %+ld kB, SUnreclaim %+ld kB, MemAvailable %+ld kB",
	       m1.slab_kb - m0.slab_kb, m1.sunreclaim_kb - m0.sunreclaim_kb,
	       m1.avail_kb - m0.avail_kb);
	EXPECT_GT(SLAB_BOUND_KB, m1.sunreclaim_kb - m0.sunreclaim_kb);
	EXPECT_GT(AVAIL_BOUND_KB, m0.avail_kb - m1.avail_kb);
}

TEST_HARNESS_MAIN
