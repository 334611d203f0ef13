// SPDX-License-Identifier: MIT
/*
 * kmalloc_bench.c - kmalloc/kfree cost on the host port, by size class.
 *
 *   kmalloc_bench ns       ns per pair, per size (LIFO pairs and batches)
 *   kmalloc_bench icount   run under callgrind: one stats dump per
 *                          measured loop (tools/bench-kmalloc.sh reads them)
 *
 * Patterns: "pair" = p = kmalloc(n); kfree(p); repeated. "batch" = 1000
 * allocations, then 1000 frees in reverse order. Shared-lock acquisitions
 * (central and page heap locks) are counted per 1000 operations.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#else
/* Without valgrind's headers the icount mode cannot mark its loops. */
#define CALLGRIND_ZERO_STATS		do { } while (0)
#define CALLGRIND_DUMP_STATS_AT(s)	((void)(s))
#endif
#include <kma_host.h>
#include <kma/kmalloc.h>
#include "../../mm/sizeclass.h"

#define BATCH 1000

static void *volatile sink;

static __attribute__((noinline)) void pairs(size_t n, unsigned long iters)
{
	unsigned long i;

	for (i = 0; i < iters; i++) {
		void *p = kmalloc(n, GFP_KERNEL);

		sink = p;
		kfree(p);
	}
}

static __attribute__((noinline)) void batches(size_t n, unsigned long rounds)
{
	static void *objs[BATCH];
	unsigned long r;
	int i;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < BATCH; i++)
			objs[i] = kmalloc(n, GFP_KERNEL);
		for (i = BATCH - 1; i >= 0; i--)
			kfree(objs[i]);
	}
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static uint64_t locks(void)
{
	static struct kmalloc_stats st;

	kmalloc_get_stats(&st);
	return st.central_locks + st.heap_locks;
}

int main(int argc, char **argv)
{
	bool icount = argc > 1 && !strcmp(argv[1], "icount");
	unsigned int cls;
	char name[64];

	if (kma_host_init(512UL << 20))
		return 1;
	if (!icount)
		printf("%8s %12s %12s %14s\n", "size", "pair ns", "batch ns/op",
		       "locks/1000 op");
	for (cls = 1; cls < SC_NR; cls++) {
		size_t n = sc_size[cls];
		unsigned long iters = icount ? 20000 : 2000000;
		double t0, t1, t2;
		uint64_t l0, l1;

		pairs(n, 1000);			/* warm up */
		batches(n, 2);
		if (icount) {
			CALLGRIND_ZERO_STATS;
			pairs(n, iters);
			snprintf(name, sizeof(name), "pair %zu %lu", n, iters);
			CALLGRIND_DUMP_STATS_AT(name);
			batches(n, 20);
			snprintf(name, sizeof(name), "batch %zu %lu", n,
				 20UL * BATCH);
			CALLGRIND_DUMP_STATS_AT(name);
			continue;
		}
		t0 = now_ns();
		pairs(n, iters);
		t1 = now_ns();
		l0 = locks();
		batches(n, iters / BATCH);
		l1 = locks();
		t2 = now_ns();
		printf("%8zu %12.2f %12.2f %14.3f\n", n, (t1 - t0) / iters,
		       (t2 - t1) / (2.0 * iters / BATCH * BATCH),
		       (l1 - l0) * 1000.0 / (2.0 * (iters / BATCH) * BATCH));
	}
	return 0;
}
