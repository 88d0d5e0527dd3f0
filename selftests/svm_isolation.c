// SPDX-License-Identifier: GPL-2.0
/*
 * svm_isolation: a job reaches only the memory of the process that opened
 * the file. An attacker process tries to make the device read or write
 * the memory of a victim process that uses the device at the same time:
 * with the victim's virtual addresses, with the victim's file received
 * over SCM_RIGHTS (also after the victim exited), with a file inherited
 * across fork() and exec(), by guessing or planting the victim's PASID in
 * every field, with the privileged bit, with kernel addresses, the MSI
 * window and unmapped addresses. Every attempt must fail, nothing may
 * leak into the attacker's buffers, and the victim checks after each test
 * that its memory is unchanged. Each test runs twice (FIXTURE_VARIANT):
 * the attacker submits its jobs with SVMDEMO_IOC_SUBMIT, then with
 * io_uring commands. Two processes using the same virtual addresses each
 * see only their own data.
 */
#include <poll.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <liburing.h>

#include "kselftest_harness.h"
#include "svmdemo_test.h"

#define VICTIM_VA	((uint8_t *)0x7d0000000000UL)
#define VICTIM_LEN	(64UL << 10)
#define EXEC_ENV	"SVM_ISOLATION_EXEC_FD"

/* After exec(), the inherited file belongs to an address space gone. */
__attribute__((constructor)) static void exec_child(void)
{
	const char *s = getenv(EXEC_ENV);
	struct svmdemo_info info;
	uint64_t v = 5;
	int fd, bad = 0;

	if (!s)
		return;
	fd = atoi(s);
	if (ioctl(fd, SVMDEMO_IOC_INFO, &info) != -1 || errno != EPERM)
		bad |= 1;
	if (svm_fill(fd, &v, sizeof(v), 0) != -EPERM || v != 5)
		bad |= 2;
	_exit(bad);
}

/* ---- the victim ---- */

struct victim_hello {
	uint32_t pasid;
	uint32_t crc;
	int err;
};

static uint8_t victim_byte(size_t i)
{
	return (i * 7 + 3) ^ (i >> 9);
}

static void send_fd(int sock, int fd)
{
	char c = 'F';
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	sendmsg(sock, &msg, 0);
}

static int recv_fd(int sock)
{
	char c;
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = &c, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &msg, 0) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&msg);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * The victim maps VICTIM_VA, fills it, makes the device work on it (so
 * that its translations sit in the device's ATC), then serves commands:
 * 'C' check the memory, 'J' run another job on it, 'S' send its file,
 * 'X' close its file, 'Q' quit.
 */
static void victim_main(int sock)
{
	struct victim_hello h = { 0 };
	struct svmdemo_info info;
	uint8_t *v;
	char cmd;
	int fd;

	v = mmap(VICTIM_VA, VICTIM_LEN, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	fd = svm_open();
	if (v != VICTIM_VA || fd < 0 || svm_get_info(fd, &info)) {
		h.err = 1;
		write(sock, &h, sizeof(h));
		_exit(1);
	}
	for (size_t i = 0; i < VICTIM_LEN / 2; i++)
		v[i] = victim_byte(i);
	if (svm_copy(fd, v + VICTIM_LEN / 2, v, VICTIM_LEN / 2))
		h.err = 2;
	h.pasid = info.pasid;
	h.crc = ref_crc32c(v, VICTIM_LEN);
	write(sock, &h, sizeof(h));

	while (read(sock, &cmd, 1) == 1) {
		char ok = 1;

		switch (cmd) {
		case 'C':
			ok = ref_crc32c(v, VICTIM_LEN) == h.crc;
			break;
		case 'J': {
			struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_CRC32C, v,
						       NULL, VICTIM_LEN, 0);

			ok = fd >= 0 && !svm_run(fd, &j) &&
			     j.result_value == h.crc;
			break;
		}
		case 'S':
			send_fd(sock, fd);
			continue;
		case 'X':
			close(fd);
			fd = -1;
			break;
		case 'Q':
			_exit(ref_crc32c(v, VICTIM_LEN) == h.crc ? 0 : 3);
		}
		write(sock, &ok, 1);
	}
	_exit(4);
}

FIXTURE(iso)
{
	pid_t victim;
	int sock;
	struct victim_hello hello;
	int fd;			/* the attacker's own file */
	struct svmdemo_info info;
	uint8_t *mine;		/* the attacker's buffer */
	int kfd;
};

/* How the attacker submits jobs: 0 once they ran, or the refusal. */
FIXTURE_VARIANT(iso)
{
	int (*submit)(int fd, struct svmdemo_job *jobs, unsigned int n);
};

FIXTURE_VARIANT_ADD(iso, ioctl)
{
	.submit = svm_submit,
};

FIXTURE_VARIANT_ADD(iso, uring)
{
	.submit = svm_submit_uring,
};

/* One job through @submit: its result, or the refusal. */
static int run_one(int (*submit)(int, struct svmdemo_job *, unsigned int),
		   int fd, struct svmdemo_job *job)
{
	int ret;

	job->result = 1;
	ret = submit(fd, job, 1);
	return ret ? ret : job->result;
}

static bool victim_says(struct __test_metadata *_metadata, int sock, char cmd)
{
	char ok = 0;

	ASSERT_EQ(1, write(sock, &cmd, 1));
	ASSERT_EQ(1, read(sock, &ok, 1));
	return ok;
}

/* Fills in the fixture's victim, sock and hello. */
static void victim_start(struct __test_metadata *_metadata, pid_t *victim,
			 int *sock, struct victim_hello *hello)
{
	int sv[2];

	ASSERT_EQ(0, socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv));
	*victim = fork();
	ASSERT_LE(0, *victim);
	if (!*victim) {
		close(sv[0]);
		victim_main(sv[1]);
	}
	close(sv[1]);
	*sock = sv[0];
	ASSERT_EQ((ssize_t)sizeof(*hello),
		  read(*sock, hello, sizeof(*hello)));
	ASSERT_EQ(0, hello->err);
}

FIXTURE_SETUP(iso)
{
	self->kfd = kmsg_open();
	victim_start(_metadata, &self->victim, &self->sock, &self->hello);
	self->fd = svm_open();
	ASSERT_LE(0, self->fd);
	ASSERT_EQ(0, svm_get_info(self->fd, &self->info));
	ASSERT_NE(self->hello.pasid, self->info.pasid);
	self->mine = map_anon(VICTIM_LEN, PROT_READ | PROT_WRITE);
	ASSERT_NE(NULL, self->mine);
	memset(self->mine, 0xa5, VICTIM_LEN);
}

FIXTURE_TEARDOWN(iso)
{
	char first[512];
	int status = -1;

	/* The victim's memory is what it was, and it can still use it. */
	EXPECT_TRUE(victim_says(_metadata, self->sock, 'C'));
	EXPECT_TRUE(victim_says(_metadata, self->sock, 'J'));
	write(self->sock, "Q", 1);
	EXPECT_EQ(self->victim, waitpid(self->victim, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("victim status %#x", status);
	close(self->sock);
	close(self->fd);
	EXPECT_EQ(0, kmsg_bad(self->kfd, first, sizeof(first)))
		TH_LOG("kernel log: %s", first);
	close(self->kfd);
}

static bool mine_intact(const uint8_t *p)
{
	for (size_t i = 0; i < VICTIM_LEN; i++)
		if (p[i] != 0xa5)
			return false;
	return true;
}

/* Each flag combination an attacker might hope helps. */
static const uint32_t attack_flags[] = {
	0, SVMDEMO_JOB_NO_PRI, SVMDEMO_JOB_UNTRANSLATED,
	SVMDEMO_JOB_NO_PRI | SVMDEMO_JOB_UNTRANSLATED,
};

/* Read and write [addr, addr + len) every way; all must fail. */
static void attack_range(struct __test_metadata *_metadata,
			 int (*submit)(int, struct svmdemo_job *, unsigned int),
			 int fd, uint8_t *mine, uint64_t addr, uint64_t len,
			 int want_errno)
{
	for (size_t k = 0; k < ARRAY_SIZE(attack_flags); k++) {
		void *a = (void *)(uintptr_t)addr;
		struct svmdemo_job j[4] = {
			svm_job(SVMDEMO_OPCODE_FILL, NULL, a, len, 0x4141414141414141),
			svm_job(SVMDEMO_OPCODE_COPY, a, mine, len, 0),
			svm_job(SVMDEMO_OPCODE_CRC32C, a, NULL, len, 0),
			svm_job(SVMDEMO_OPCODE_WRITE_PATTERN, NULL, a, len, 0),
		};

		for (int i = 0; i < 4; i++) {
			j[i].flags = attack_flags[k];
			j[i].result = 1;
		}
		ASSERT_EQ(want_errno, submit(fd, j, 4));
		if (want_errno)
			continue;
		for (int i = 0; i < 4; i++) {
			EXPECT_TRUE(j[i].result == -EFAULT ||
				    j[i].result == -EACCES)
				TH_LOG("job %d at %#lx, flags %#x: result %d",
				       i, (unsigned long)addr, j[i].flags,
				       j[i].result);
			EXPECT_EQ(0ULL, j[i].bytes_done);
		}
		EXPECT_EQ(0ULL, j[2].result_value) TH_LOG("CRC leaked");
		ASSERT_TRUE(mine_intact(mine)) TH_LOG("data leaked from %#lx",
						      (unsigned long)addr);
	}
}

static void attack_uring(struct __test_metadata *_metadata, int fd,
			 uint64_t addr, int want_res)
{
	struct svmdemo_job job = svm_job(SVMDEMO_OPCODE_FILL, NULL,
					 (void *)(uintptr_t)addr, 4096, 1);
	struct svmdemo_uring_cmd *uc;
	struct io_uring_cqe *cqe;
	struct io_uring_sqe *sqe;
	struct io_uring ring;

	ASSERT_EQ(0, io_uring_queue_init(4, &ring, 0));
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_rw(IORING_OP_URING_CMD, sqe, fd, NULL, 0, 0);
	sqe->cmd_op = SVMDEMO_URING_CMD_JOB;
	uc = (void *)sqe->cmd;
	memset(uc, 0, sizeof(*uc));
	uc->job = (uintptr_t)&job;
	ASSERT_EQ(1, io_uring_submit(&ring));
	ASSERT_EQ(0, io_uring_wait_cqe(&ring, &cqe));
	EXPECT_EQ(want_res, cqe->res) TH_LOG("uring_cmd on %#lx", (unsigned long)addr);
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

TEST_F(iso, victim_virtual_addresses_fault_in_the_attacker)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, VICTIM_VA,
				       PAGE_SZ, 0x4242424242424242);
	struct svmdemo_submit s = {
		.jobs = (uintptr_t)&j, .count = 1, .flags = SVMDEMO_SUBMIT_ASYNC,
	};
	struct svmdemo_wait w = {
		.jobs = (uintptr_t)&j, .count = 1, .timeout_ms = 10000,
	};
	uint8_t *p;

	attack_range(_metadata, variant->submit, self->fd, self->mine, (uintptr_t)VICTIM_VA,
		     VICTIM_LEN, 0);
	attack_range(_metadata, variant->submit, self->fd, self->mine,
		     (uintptr_t)VICTIM_VA + VICTIM_LEN - 64, 64, 0);
	/* Asynchronously, on every queue. */
	for (unsigned int q = 0; q < self->info.nr_queues; q++) {
		s.flags = SVMDEMO_SUBMIT_ASYNC | SVMDEMO_SUBMIT_QUEUE;
		s.queue = q;
		ASSERT_EQ(0, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
		ASSERT_EQ(0, ioctl(self->fd, SVMDEMO_IOC_WAIT, &w));
		EXPECT_EQ(-EFAULT, j.result);
	}
	attack_uring(_metadata, self->fd, (uintptr_t)VICTIM_VA, -EFAULT);
	ASSERT_TRUE(victim_says(_metadata, self->sock, 'C'));

	/* Our own page at the same address: only ours changes. */
	p = mmap(VICTIM_VA, PAGE_SZ, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	ASSERT_EQ(VICTIM_VA, p);
	ASSERT_EQ(0, svm_fill(self->fd, p, PAGE_SZ, 0x4343434343434343));
	EXPECT_EQ(0x43, p[PAGE_SZ - 1]);
	ASSERT_TRUE(victim_says(_metadata, self->sock, 'C'));
	munmap(p, PAGE_SZ);
}

static void expect_eperm_everywhere(struct __test_metadata *_metadata,
				    int fd, uint8_t *mine)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, VICTIM_VA,
				       PAGE_SZ, 0x4444444444444444);
	struct svmdemo_job jm = svm_job(SVMDEMO_OPCODE_FILL, NULL, mine,
					PAGE_SZ, 0x4444444444444444);
	struct svmdemo_submit s = { .jobs = (uintptr_t)&j, .count = 1 };
	struct svmdemo_wait w = { .jobs = (uintptr_t)&j, .count = 1 };
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	struct svmdemo_info info;
	char buf[sizeof(struct svmdemo_job)];
	void *m;

	EXPECT_EQ(-EPERM, svm_get_info(fd, &info));
	EXPECT_EQ(-1, ioctl(fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EPERM, errno);
	s.flags = SVMDEMO_SUBMIT_ASYNC;
	EXPECT_EQ(-1, ioctl(fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(-EPERM, svm_submit(fd, &jm, 1));
	EXPECT_EQ(-1, ioctl(fd, SVMDEMO_IOC_WAIT, &w));
	EXPECT_EQ(EPERM, errno);
	EXPECT_EQ(1, poll(&pfd, 1, 0));
	EXPECT_NE(0, pfd.revents & POLLERR);
	EXPECT_EQ(-1, read(fd, buf, sizeof(buf)));
	m = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, m);
	attack_uring(_metadata, fd, (uintptr_t)VICTIM_VA, -EPERM);
	attack_uring(_metadata, fd, (uintptr_t)mine, -EPERM);
	EXPECT_TRUE(mine_intact(mine));
}

TEST_F(iso, victim_file_received_over_scm_rights_is_refused)
{
	int vfd;

	ASSERT_EQ(1, write(self->sock, "S", 1));
	vfd = recv_fd(self->sock);
	ASSERT_LE(0, vfd);
	expect_eperm_everywhere(_metadata, vfd, self->mine);
	ASSERT_TRUE(victim_says(_metadata, self->sock, 'C'));
	/* The victim closes its copy: ours still does nothing. */
	ASSERT_TRUE(victim_says(_metadata, self->sock, 'X'));
	expect_eperm_everywhere(_metadata, vfd, self->mine);
	close(vfd);
	/* Teardown's 'J' needs a file again. */
	ASSERT_EQ(1, write(self->sock, "Q", 1));
	waitpid(self->victim, NULL, 0);
	close(self->sock);
	/* A new victim for the teardown checks. */
	victim_start(_metadata, &self->victim, &self->sock, &self->hello);
}

TEST_F(iso, victim_file_kept_after_the_victim_exited_is_refused)
{
	int vfd, status;

	ASSERT_EQ(1, write(self->sock, "S", 1));
	vfd = recv_fd(self->sock);
	ASSERT_LE(0, vfd);
	ASSERT_EQ(1, write(self->sock, "Q", 1));
	ASSERT_EQ(self->victim, waitpid(self->victim, &status, 0));
	ASSERT_EQ(0, status);
	/* Its mm is gone; ours is a different one. */
	expect_eperm_everywhere(_metadata, vfd, self->mine);
	close(vfd);
	close(self->sock);
	victim_start(_metadata, &self->victim, &self->sock, &self->hello);
}

TEST_F(iso, inherited_file_after_fork_and_exec_is_refused)
{
	struct svmdemo_job jobs[8];
	struct svmdemo_submit s = {
		.jobs = (uintptr_t)jobs, .count = 8, .flags = SVMDEMO_SUBMIT_ASYNC,
	};
	struct svmdemo_wait w = {
		.jobs = (uintptr_t)jobs, .count = 8, .timeout_ms = 10000,
	};
	unsigned int reaped = 0;
	int status, fd;
	pid_t pid;

	/* Our asynchronous jobs: the child must not be able to reap them. */
	for (int i = 0; i < 8; i++) {
		jobs[i] = svm_job(SVMDEMO_OPCODE_FILL, NULL,
				  self->mine + i * PAGE_SZ, PAGE_SZ,
				  0x5050505050505050);
		jobs[i].cookie = i;
	}
	ASSERT_EQ(0, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		uint8_t *copy = map_anon(VICTIM_LEN, PROT_READ | PROT_WRITE);

		memset(copy, 0xa5, VICTIM_LEN);
		expect_eperm_everywhere(_metadata, self->fd, copy);
		_exit(_metadata->exit_code == KSFT_PASS ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, status);
	while (reaped < 8) {
		ASSERT_EQ(0, ioctl(self->fd, SVMDEMO_IOC_WAIT, &w));
		for (unsigned int i = 0; i < w.completed; i++) {
			EXPECT_EQ(0, jobs[i].result)
				TH_LOG("job %u", i);
		}
		reaped += w.completed;
	}
	EXPECT_EQ(0x50, self->mine[8 * PAGE_SZ - 1]);

	/* exec(): a file without O_CLOEXEC, in a new address space. */
	fd = open(SVM_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char env[64];
		char *const argv[] = { "svm_isolation", NULL };
		char *const envp[] = { env, NULL };

		snprintf(env, sizeof(env), EXEC_ENV "=%d", fd);
		execve("/proc/self/exe", argv, envp);
		_exit(99);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("exec'd child: %#x", status);
	close(fd);
}

TEST_F(iso, guessed_or_planted_pasids_do_not_reach_the_victim)
{
	uint32_t vp = self->hello.pasid;
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, VICTIM_VA,
				       PAGE_SZ, 0x4545454545454545);
	struct svmdemo_submit s = { .jobs = (uintptr_t)&j, .count = 1 };
	int fds[64], n = 0;

	/* Every reserved field: refused before anything runs. */
	j.reserved[1] = vp;
	EXPECT_EQ(-EINVAL, variant->submit(self->fd, &j, 1));
	j.reserved[1] = 0;
	j.reserved[0] = vp;
	EXPECT_EQ(-EINVAL, variant->submit(self->fd, &j, 1));
	j.reserved[0] = 0;
	j.flags = vp << 8;
	EXPECT_EQ(-EINVAL, variant->submit(self->fd, &j, 1));
	j.flags = 0;
	s.reserved[0] = vp;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.reserved[0] = 0;
	s.__pad = vp;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.__pad = 0;
	s.flags = SVMDEMO_SUBMIT_QUEUE;
	s.queue = vp | 0x100;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	/* Where it is accepted (opaque cookie), it is only a cookie. */
	j.cookie = vp;
	j.operand = vp;
	EXPECT_EQ(-EFAULT, run_one(variant->submit, self->fd, &j));

	/* More files, here and in other processes: never the victim's PASID. */
	for (n = 0; n < 64; n++) {
		struct svmdemo_info info;

		fds[n] = svm_open();
		ASSERT_LE(0, fds[n]);
		ASSERT_EQ(0, svm_get_info(fds[n], &info));
		EXPECT_EQ(self->info.pasid, info.pasid);
	}
	while (n--)
		close(fds[n]);
	for (int i = 0; i < 16; i++) {
		int status;
		pid_t pid = fork();

		ASSERT_LE(0, pid);
		if (!pid) {
			struct svmdemo_info info;
			int fd = svm_open();

			if (fd < 0 || svm_get_info(fd, &info))
				_exit(2);
			_exit(info.pasid == vp || info.pasid == self->info.pasid);
		}
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		EXPECT_EQ(0, status) TH_LOG("child %d got the PASID of another", i);
	}
}

TEST_F(iso, privileged_bit_is_refused)
{
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, VICTIM_VA,
				       PAGE_SZ, 0x4747474747474747);
	struct svmdemo_job jm = svm_job(SVMDEMO_OPCODE_COPY, VICTIM_VA,
					self->mine, PAGE_SZ, 0);

	for (size_t k = 0; k < ARRAY_SIZE(attack_flags); k++) {
		j.flags = attack_flags[k] | SVMDEMO_JOB_PRIVILEGED;
		jm.flags = attack_flags[k] | SVMDEMO_JOB_PRIVILEGED;
		EXPECT_EQ(-EPERM, variant->submit(self->fd, &j, 1));
		EXPECT_EQ(-EPERM, variant->submit(self->fd, &jm, 1));
	}
	EXPECT_TRUE(mine_intact(self->mine));
}

/*
 * The addresses of @n kernel symbols, 0 where not found, from one pass
 * over /proc/kallsyms: the kernel formats every line of it on each read,
 * which takes seconds under TCG, and the data symbols are near its end.
 */
static void ksyms(const char *const syms[], uint64_t addrs[], size_t n)
{
	char line[256], name[128], type;
	unsigned long long addr;
	size_t found = 0, i;
	FILE *f = fopen("/proc/kallsyms", "r");

	memset(addrs, 0, n * sizeof(addrs[0]));
	if (!f)
		return;
	while (found < n && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3)
			continue;
		for (i = 0; i < n; i++)
			if (!addrs[i] && !strcmp(name, syms[i])) {
				addrs[i] = addr;
				found++;
			}
	}
	fclose(f);
}

TEST_F(iso, kernel_addresses_are_refused)
{
	static const char *const syms[] = { "jiffies_64", "init_task", "init_mm" };
	uint64_t addrs[] = {
		0xffff888000000000ULL, 0xffff888000100000ULL,
		0xffffc90000000000ULL, 0xffffffff81000000ULL,
		0xffffffffff600000ULL,	/* vsyscall */
		0, 0, 0,		/* syms[] */
	};
	uint8_t *vdso = (uint8_t *)getauxval(AT_SYSINFO_EHDR);
	struct svmdemo_job j;
	uint8_t before[64];

	ksyms(syms, addrs + ARRAY_SIZE(addrs) - ARRAY_SIZE(syms), ARRAY_SIZE(syms));
	for (size_t i = 0; i < ARRAY_SIZE(addrs); i++) {
		if (!addrs[i])
			continue;
		attack_range(_metadata, variant->submit, self->fd, self->mine, addrs[i], 64, 0);
		attack_range(_metadata, variant->submit, self->fd, self->mine,
			     addrs[i] & ~(PAGE_SZ - 1), PAGE_SZ, 0);
	}
	/* The vDSO is ours to read, never to write. */
	if (vdso) {
		memcpy(before, vdso, sizeof(before));
		j = svm_job(SVMDEMO_OPCODE_FILL, NULL, vdso, 64, 0);
		EXPECT_TRUE(run_one(variant->submit, self->fd, &j) < 0);
		EXPECT_EQ(0, memcmp(before, vdso, sizeof(before)));
		j = svm_job(SVMDEMO_OPCODE_COPY, vdso, self->mine, 64, 0);
		if (run_one(variant->submit, self->fd, &j) == 0) {
			EXPECT_EQ(0, memcmp(before, self->mine, sizeof(before)))
				TH_LOG("the vDSO read back differs");
		} else {
			EXPECT_TRUE(mine_intact(self->mine));
		}
		memset(self->mine, 0xa5, 64);
	}
	ASSERT_TRUE(victim_says(_metadata, self->sock, 'C'));
}

/* The device still works after a refused job. */
static void device_still_works(struct __test_metadata *_metadata, int fd)
{
	unsigned long long v = 0;

	ASSERT_EQ(0, svm_fill(fd, &v, sizeof(v), 0x0123456789abcdef));
	ASSERT_EQ(0x0123456789abcdefULL, v);
}

static void expect_refused(struct __test_metadata *_metadata,
			   int (*submit)(int, struct svmdemo_job *,
					 unsigned int),
			   int fd, uint64_t addr, size_t len)
{
	struct svmdemo_job rd = svm_job(SVMDEMO_OPCODE_CRC32C,
					(void *)(uintptr_t)addr, NULL, len, 0);
	struct svmdemo_job wr = svm_job(SVMDEMO_OPCODE_FILL, NULL,
					(void *)(uintptr_t)addr, len, 0);

	EXPECT_EQ(-EFAULT, run_one(submit, fd, &rd)) TH_LOG("read of %#lx", addr);
	EXPECT_EQ((__u64)addr, rd.fault_addr);
	EXPECT_EQ(0ULL, rd.bytes_done);
	EXPECT_EQ(-EFAULT, run_one(submit, fd, &wr)) TH_LOG("write of %#lx", addr);
	EXPECT_EQ(0ULL, wr.bytes_done);
	device_still_works(_metadata, fd);
}

TEST_F(iso, msi_window_is_refused)
{
	expect_refused(_metadata, variant->submit, self->fd, 0xfee00000, 64);
	expect_refused(_metadata, variant->submit, self->fd, 0xfeeff000, 4096);
}

/*
 * Pages that were mapped and touched, then unmapped: far below where
 * mmap() places anything (an io_uring ring set up later must not take
 * their place).
 */
#define GONE_VA		((void *)0x200000000UL)

TEST_F(iso, unmapped_addresses_are_refused)
{
	uint8_t *p = mmap(GONE_VA, 2 * PAGE_SZ, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			  -1, 0);

	ASSERT_EQ(GONE_VA, p);
	memset(p, 0x5a, 2 * PAGE_SZ);
	ASSERT_EQ(0, munmap(p, 2 * PAGE_SZ));
	expect_refused(_metadata, variant->submit, self->fd, (uintptr_t)p, 2 * PAGE_SZ);
	expect_refused(_metadata, variant->submit, self->fd, 0x1000, 64);
}

TEST_F(iso, fault_fast_without_pri_on_untouched_memory)
{
	uint8_t *p = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, p, PAGE_SZ, 1);

	ASSERT_NE(NULL, p);
	j.flags = SVMDEMO_JOB_NO_PRI;
	EXPECT_EQ(-EFAULT, run_one(variant->submit, self->fd, &j));
	EXPECT_EQ((__u64)(uintptr_t)p, j.fault_addr);
	p[0] = 1;	/* now present: the same job succeeds */
	j = svm_job(SVMDEMO_OPCODE_FILL, NULL, p, PAGE_SZ, 0x0202020202020202);
	j.flags = SVMDEMO_JOB_NO_PRI;
	EXPECT_EQ(0, run_one(variant->submit, self->fd, &j));
	EXPECT_EQ(2, p[PAGE_SZ - 1]);
	munmap(p, PAGE_SZ);
}

TEST_F(iso, bad_requests_get_einval_and_run_nothing)
{
	unsigned long long v = 7;
	struct svmdemo_job j = svm_job(SVMDEMO_OPCODE_FILL, NULL, &v,
				       sizeof(v), 0);
	struct svmdemo_submit s = { .jobs = (uintptr_t)&j, .count = 1 };

	j.opcode = SVMDEMO_OPCODE_MAX;
	EXPECT_EQ(-EINVAL, variant->submit(self->fd, &j, 1));
	j.opcode = SVMDEMO_OPCODE_FILL;
	j.flags = 1U << 31;
	EXPECT_EQ(-EINVAL, variant->submit(self->fd, &j, 1));
	j.flags = 0;
	j.reserved[1] = 1;
	EXPECT_EQ(-EINVAL, variant->submit(self->fd, &j, 1));
	j.reserved[1] = 0;
	j.dst = ~0UL - 3;	/* wraps */
	EXPECT_EQ(-EINVAL, variant->submit(self->fd, &j, 1));
	j.dst = (uintptr_t)&v;
	s.reserved[0] = 1;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.reserved[0] = 0;
	s.count = 0;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EINVAL, errno);
	s.count = 1;
	s.jobs = 8;
	EXPECT_EQ(-1, ioctl(self->fd, SVMDEMO_IOC_SUBMIT, &s));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(7ULL, v);
	device_still_works(_metadata, self->fd);
}

TEST_F(iso, forked_child_cannot_use_parent_file)
{
	uint8_t *shared = mmap(NULL, PAGE_SZ, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	uint8_t *priv = map_anon(PAGE_SZ, PROT_READ | PROT_WRITE);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, shared);
	ASSERT_NE(NULL, priv);
	memset(priv, 'P', PAGE_SZ);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		struct svmdemo_info info;
		int fd, bad = 0;

		/* The inherited file belongs to the parent's mm. */
		if (svm_get_info(self->fd, &info) != -EPERM)
			bad |= 1;
		if (svm_fill(self->fd, priv, PAGE_SZ, 0) != -EPERM)
			bad |= 2;
		/*
		 * Its own file: another PASID, and COW keeps it off the
		 * parent's copy of the page.
		 */
		fd = svm_open();
		if (fd < 0 || svm_get_info(fd, &info))
			_exit(100);
		if (info.pasid == 0 || info.pasid == self->info.pasid)
			bad |= 4;
		if (svm_fill(fd, priv, PAGE_SZ, 0x4343434343434343))
			bad |= 8;
		if (priv[0] != 'C' || priv[PAGE_SZ - 1] != 'C')
			bad |= 16;
		shared[0] = 1;
		close(fd);
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	EXPECT_EQ(1, shared[0]);
	for (size_t i = 0; i < PAGE_SZ; i++)
		ASSERT_EQ('P', priv[i]) TH_LOG("child wrote the parent's page");
	device_still_works(_metadata, self->fd);
	munmap(shared, PAGE_SZ);
	munmap(priv, PAGE_SZ);
}

#define SAME_VA		((void *)0x7e0000000000UL)
#define SAME_LEN	(256UL << 10)
#define ROUNDS		40

/* Fill the fixed-address buffer with this process's byte, check it. */
static int fill_rounds(uint8_t mine)
{
	uint8_t *buf = mmap(SAME_VA, SAME_LEN, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE,
			    -1, 0);
	int fd = svm_open();
	uint64_t pat = 0x0101010101010101ULL * mine;

	if (buf != SAME_VA || fd < 0)
		return 100;
	for (int r = 0; r < ROUNDS; r++) {
		size_t off = (r * 4096 + 13 * mine) % (SAME_LEN / 2);

		if (svm_fill(fd, buf + off, SAME_LEN / 2, pat))
			return 101;
		for (size_t i = off; i < off + SAME_LEN / 2; i += 511)
			if (buf[i] != mine)
				return 102;
		if (svm_copy(fd, buf, buf + SAME_LEN / 2, SAME_LEN / 2))
			return 103;
		for (size_t i = 0; i < SAME_LEN; i += 509)
			if (buf[i] != mine && buf[i] != 0)
				return 104;
	}
	close(fd);
	return 0;
}

TEST(two_processes_same_addresses_see_only_their_data)
{
	pid_t pid[2];
	int status;

	for (int k = 0; k < 2; k++) {
		pid[k] = fork();
		ASSERT_LE(0, pid[k]);
		if (pid[k] == 0)
			_exit(fill_rounds(0x41 + k));
	}
	for (int k = 0; k < 2; k++) {
		ASSERT_EQ(pid[k], waitpid(pid[k], &status, 0));
		ASSERT_TRUE(WIFEXITED(status));
		EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("process %d", k);
	}
}

TEST_HARNESS_MAIN
