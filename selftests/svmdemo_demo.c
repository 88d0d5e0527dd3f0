// SPDX-License-Identifier: GPL-2.0
/*
 * svmdemo_demo: the narrative of 'make demo'. A process opens the device
 * (its mm is bound, it gets a PASID), has the device write a pattern into
 * memory it never touched (the device faults the pages in through PRI),
 * checks it with the device's CRC-8 and on the CPU, and shows the device
 * counters before and after. Prints PASS or FAIL and exits accordingly.
 */
#include <stdbool.h>

#include "svmdemo_test.h"

static const char *const names[] = {
	"jobs", "ats_requests", "atc_hits", "atc_misses", "pri_requests",
	"pri_groups", "invalidations", "errors",
};

#define NR_COUNTERS ARRAY_SIZE(names)

static void read_all(long long *v)
{
	for (size_t i = 0; i < NR_COUNTERS; i++)
		v[i] = svm_counter(names[i]);
}

int main(void)
{
	long long before[NR_COUNTERS], after[NR_COUNTERS];
	size_t len = 1 << 20, i;
	struct svmdemo_info info;
	struct svmdemo_job j;
	bool ok = true;
	uint8_t *buf;
	int fd;

	fd = svm_open();
	if (fd < 0) {
		printf("open %s: %s\nFAIL\n", SVM_DEV, strerror(errno));
		return 1;
	}
	if (svm_get_info(fd, &info)) {
		printf("SVMDEMO_IOC_INFO failed\nFAIL\n");
		return 1;
	}
	printf("pid %d opened %s: PASID %u, %u queues of %u, caps %#llx\n",
	       getpid(), SVM_DEV, info.pasid, info.nr_queues, info.ring_size,
	       (unsigned long long)info.caps);

	buf = map_anon(len, PROT_READ | PROT_WRITE);
	if (!buf)
		return 1;
	read_all(before);
	printf("device writes a pattern into 1 MiB the CPU never touched...\n");
	j = svm_job(SVMDEMO_OPCODE_WRITE_PATTERN, NULL, buf, len, 0);
	if (svm_run(fd, &j)) {
		printf("  job failed: %s (status %#x at %#llx)\n",
		       strerror(-j.result), j.status,
		       (unsigned long long)j.fault_addr);
		ok = false;
	}
	for (i = 0; ok && i < len; i++)
		ok = buf[i] == ref_pattern(i);
	printf("  CPU check of the pattern: %s\n", ok ? "ok" : "WRONG");

	j = svm_job(SVMDEMO_OPCODE_READ_CRC8, buf, NULL, len,
		    ref_crc8(buf, len));
	if (svm_run(fd, &j))
		ok = false;
	printf("device CRC-8 of the buffer: %#llx, CPU: %#x\n",
	       (unsigned long long)j.result_value, ref_crc8(buf, len));
	read_all(after);

	printf("\n%-16s %12s %12s %10s\n", "counter", "before", "after",
	       "delta");
	for (i = 0; i < NR_COUNTERS; i++)
		printf("%-16s %12lld %12lld %10lld\n", names[i], before[i],
		       after[i], after[i] - before[i]);
	/* The untouched pages must have come in through page requests. */
	if (after[4] <= before[4]) {
		printf("no page requests were sent\n");
		ok = false;
	}
	close(fd);
	printf("\nsvmdemo demo: %s\n", ok ? "PASS" : "FAIL");
	return ok ? 0 : 1;
}
