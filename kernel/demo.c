// SPDX-License-Identifier: MIT
/*
 * demo.c - what `make run` shows after the boot report: the CPUs found,
 * a short allocator workload on every CPU (stress.c) with the timer
 * handlers allocating, the heap's meminfo and slabinfo while a few
 * objects of every size class are held, and the frame allocator's counts
 * after everything was given back.
 *
 * State: held[] is written and read by the boot CPU only.
 */
#include <kma/frame.h>
#include <kma/kmalloc.h>
#include "kernel.h"

#define DEMO_ITERS	300
#define DEMO_PER_CLASS	3

static struct kmalloc_stats demo_stats;
static void *held[72 * DEMO_PER_CLASS + 2];

static void demo_cpus(void)
{
	unsigned int i, n = kernel_nr_online();

	printk("demo: %u of %u CPU(s) online\n", n, arch_nr_cpus());
	for (i = 0; i < n; i++)
		printk("demo:   cpu %u: hardware id 0x%x, %llu timer ticks\n",
		       i,
		       (unsigned int)kcpus[i].hwid, (unsigned long long)kcpus[i].ticks);
}

static unsigned int demo_workload(void)
{
	struct stress_result r;
	uint64_t a0 = 0, m0 = 0, a1 = 0, m1 = 0;
	unsigned int i, n = kernel_nr_online();

	for (i = 0; i < n; i++) {
		a0 += kcpus[i].irq_allocs;
		m0 += kcpus[i].irq_in_mm;
	}
	kernel_irq_alloc_set(1);
	stress_run((unsigned int)cmdline_get_u64("demo_iters", DEMO_ITERS), &r);
	kernel_irq_alloc_set(0);
	for (i = 0; i < n; i++) {
		a1 += kcpus[i].irq_allocs;
		m1 += kcpus[i].irq_in_mm;
	}
	printk("demo: workload on %u CPU(s) at once: %llu objects allocated, filled, checked and freed (%llu large, %llu huge, %llu MiB) in %llu ms\n",
	       r.cpus, (unsigned long long)r.allocs,
	       (unsigned long long)r.large, (unsigned long long)r.huge,
	       (unsigned long long)(r.bytes >> 20),
	       (unsigned long long)(r.ns / 1000000));
	printk("demo: %llu objects freed by another CPU than the one that allocated them; %llu damaged, %llu allocations failed\n",
	       (unsigned long long)r.received, (unsigned long long)r.bad,
	       (unsigned long long)r.fails);
	printk("demo: timer interrupts allocated and freed %llu objects meanwhile, %llu times while the interrupted code was inside kmalloc/kfree\n",
	       (unsigned long long)(a1 - a0), (unsigned long long)(m1 - m0));
	return (unsigned int)(r.bad + r.fails);
}

/* Hold a few objects of every class, a large and a huge one. */
static unsigned int demo_hold(void)
{
	unsigned int i, k, n = 0;

	kmalloc_get_stats(&demo_stats);
	for (i = 1; i <= demo_stats.nr_classes && i < 72; i++)
		for (k = 0; k < DEMO_PER_CLASS; k++)
			held[n++] = kmalloc(demo_stats.cls[i].size, GFP_KERNEL);
	held[n++] = kmalloc(200 << 10, GFP_KERNEL);
	held[n++] = kmalloc(3 << 20, GFP_KERNEL);
	printk("demo: holding %u objects (%u of each of %llu classes, one of 200 KiB, one of 3 MiB):\n",
	       n, DEMO_PER_CLASS, (unsigned long long)demo_stats.nr_classes);
	return n;
}

/**
 * kernel_demo - the `make run` report after boot.
 *
 * Return: 0 if the workload found nothing wrong and every frame came
 * back, else non-zero.
 */
int kernel_demo(void)
{
	struct frame_stats before, after;
	unsigned int bad, i, n;

	demo_cpus();
	kernel_mm_quiesce();
	frame_get_stats(&before);
	bad = demo_workload();
	n = demo_hold();
	kmalloc_dump_meminfo();
	kmalloc_dump_slabinfo();
	for (i = 0; i < n; i++)
		kfree(held[i]);
	kernel_mm_quiesce();
	frame_get_stats(&after);
	printk("demo: all freed, caches drained, heap scavenged: %llu free frames, %llu before the workload\n",
	       (unsigned long long)after.free,
	       (unsigned long long)before.free);
	frame_dump();
	bad += after.free != before.free;
	bad += kmalloc_validate() + frame_validate();
	printk("demo: %s\n", bad ? "PROBLEMS FOUND" : "all checks passed");
	return bad ? 1 : 0;
}
