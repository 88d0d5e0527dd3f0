// SPDX-License-Identifier: GPL-2.0
/*
 * host_memcpy: the host's memcpy bandwidth for the buffer sizes of
 * svm_bench's copy rows, measured the same way (pre-touched 2 MiB aligned
 * buffers, the same pair copied again and again for SECONDS). Built with
 * the host's compiler by 'make bench' and run just before the VM boots.
 *
 *   host_memcpy [SECONDS]   prints a JSON object
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *map_buf(size_t len)
{
	size_t align = 2UL << 20, span = len + align;
	uint8_t *p = mmap(NULL, span, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint8_t *a;

	if (p == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	a = (uint8_t *)(((uintptr_t)p + align - 1) & ~(align - 1));
	madvise(a, len, MADV_HUGEPAGE);
	memset(a, 0x5a, len);
	return a;
}

int main(int argc, char **argv)
{
	static const size_t sizes[] = { 4096, 64 << 10, 1 << 20, 16 << 20 };
	static const char *const names[] = { "4k", "64k", "1m", "16m" };
	double secs = argc > 1 ? atof(argv[1]) : 0.5;
	unsigned int i;

	printf("{");
	for (i = 0; i < 4; i++) {
		size_t len = sizes[i];
		void *src = map_buf(len), *dst = map_buf(len);
		long long bytes = 0;
		double t0 = now(), t;

		do {
			memcpy(dst, src, len);
			__asm__ volatile("" : : "r"(dst) : "memory");
			bytes += len;
			t = now() - t0;
		} while (t < secs);
		printf("%s\n  \"host_memcpy%s_Bps\": %.6g", i ? "," : "",
		       names[i], bytes / t);
	}
	printf("\n}\n");
	return 0;
}
