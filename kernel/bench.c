// SPDX-License-Identifier: MIT
/*
 * bench.c - bench=1: the cost of kmalloc/kfree in the kernels, on the
 * boot CPU with every timer stopped, per size class.
 *
 * For each class size: BENCH_PAIRS kmalloc+kfree pairs (the CPU cache's
 * fast path), then BENCH_ROUNDS batches of BENCH_BATCH allocations
 * followed by their frees (16 for objects above 32 KiB) (spans taken from and given back to the
 * central lists). Each figure is elapsed arch_time_ns() divided by the
 * operations; under QEMU -icount shift=0 one nanosecond is one guest
 * instruction, so the figures are instruction counts (tools/
 * bench-kernel.sh). Lock figures are central and page-heap lock
 * acquisitions per 1000 operations of the batches, from
 * kmalloc_get_stats().
 *
 * State: batch[] and the stats buffers, boot CPU only.
 */
#include <kmalloc.h>
#include "kernel.h"

#define BENCH_PAIRS	2000
#define BENCH_BATCH	1000
#define BENCH_ROUNDS	4

static void *batch[BENCH_BATCH];
static struct kmalloc_stats st0, st1;

static void timer_off(void *arg)
{
	(void)arg;
	arch_timer_stop();
}

static void timer_on(void *arg)
{
	(void)arg;
	arch_timer_start(kernel_timer_hz, kernel_timer_handler);
}

/* Hundredths of @ns / @ops, for "%llu.%02llu". */
static void per_op(uint64_t ns, uint64_t ops, unsigned long long *whole,
		   unsigned long long *frac)
{
	uint64_t h = ns * 100 / ops;

	*whole = h / 100;
	*frac = h % 100;
}

static void bench_size(uint32_t size, gfp_t gfp)
{
	uint64_t t0, t_pair, t_alloc = 0, t_free = 0, cl, hl;
	unsigned long long w[3], f[3];
	unsigned int i, r, nb = size > (32u << 10) ? 16 : BENCH_BATCH;
	uint64_t ops = (uint64_t)BENCH_ROUNDS * nb;

	t0 = arch_time_ns();
	for (i = 0; i < BENCH_PAIRS; i++)
		kfree(kmalloc(size, gfp));
	t_pair = arch_time_ns() - t0;
	kmalloc_get_stats(&st0);
	for (r = 0; r < BENCH_ROUNDS; r++) {
		t0 = arch_time_ns();
		for (i = 0; i < nb; i++)
			batch[i] = kmalloc(size, gfp);
		t_alloc += arch_time_ns() - t0;
		t0 = arch_time_ns();
		for (i = 0; i < nb; i++)
			kfree(batch[i]);
		t_free += arch_time_ns() - t0;
	}
	kmalloc_get_stats(&st1);
	cl = st1.central_locks - st0.central_locks;
	hl = st1.heap_locks - st0.heap_locks;
	per_op(t_pair, BENCH_PAIRS, &w[0], &f[0]);
	per_op(t_alloc, ops, &w[1], &f[1]);
	per_op(t_free, ops, &w[2], &f[2]);
	printk("bench: %6u%s %8llu.%02llu %8llu.%02llu %8llu.%02llu %6llu %6llu\n",
	       size, gfp & GFP_NOSCAN ? "t" : " ", w[0], f[0], w[1], f[1],
	       w[2], f[2],
	       (unsigned long long)(cl * 1000 / (2 * ops)),
	       (unsigned long long)(hl * 1000 / (2 * ops)));
}

/**
 * kernel_bench - print the per-class cost table (see the file comment).
 */
void kernel_bench(void)
{
	unsigned int i;

	if (kernel_timer_hz)
		smp_call_all(timer_off, NULL);
	kernel_mm_quiesce();
	kmalloc_get_stats(&st0);
	printk("bench: kmalloc/kfree on cpu %u of %u, timers off, ns per operation\n",
	       port_cpu_id(), kernel_nr_online());
	printk("bench: %7s %11s %11s %11s %6s %6s\n", "size", "pair",
	       "alloc", "free", "clk/1k", "hlk/1k");
	bench_size(8, GFP_NOSCAN);
	for (i = 1; i <= st0.nr_classes && i < 72; i++)
		if (st0.cls[i].size > 16 || i == 1)
			bench_size(st0.cls[i].size, GFP_KERNEL);
	bench_size(64 << 10, GFP_KERNEL);
	bench_size(2 << 20, GFP_KERNEL);
	kernel_mm_quiesce();
	if (kernel_timer_hz)
		smp_call_all(timer_on, NULL);
	printk("bench: done\n");
}
