// SPDX-License-Identifier: MIT
/*
 * main.c - the demo kernel's init order, on the boot CPU.
 *
 * kmain() brings the arch up, reads the command line, starts the timer
 * and the other CPUs, runs what the command line asks for (the KTAP
 * suites, the demo) and ends the run through arch_halt() with status 0
 * only if everything passed.
 *
 * Command line (Linux manner, see cmdline.c):
 *   ktest=FILTER       run the KTAP suites matching FILTER ("all" = every
 *                      suite; comma list, '*' suffix for a prefix)
 *   demo=0|1           print the demo report (default 1 without ktest=
 *                      and bench=); demo_iters=N rounds per CPU
 *   timer_hz=N         per-CPU timer rate (default 100, 0 = no timer)
 *   maxcpus=N          start at most N CPUs (nosmp = maxcpus=1)
 *   expect_cpus=N      the boot test checks N CPUs came online
 *   expect_mem=SIZE    the boot test checks the firmware reported SIZE
 *                      of RAM (less at most the legacy hole below 1 MiB)
 *   mem=SIZE           use no memory at or above physical SIZE
 *   crash=pf|ud|panic  fault on purpose after boot (checks the exception
 *                      report and the runner's failure detection)
 *
 *   stress_iters=N     rounds per CPU of the smp_stress suite
 *   bench=1            instruction-count workload on the boot CPU
 *   bench=xcpu         instruction counts of frees on another CPU than
 *                      the allocating one, against the same CPU (CPUs 0
 *                      and 1; tools/bench-xcpu.sh)
 *
 * Timer interrupt: each tick counts itself in kcpu.ticks and, while
 * kernel_irq_alloc_set(1) is in force, allocates and frees a tiny
 * GFP_NOSCAN object, a small one of a rotating size and every 16th tick a
 * large one, checking a fill pattern before freeing (a damaged pattern
 * panics). A tick that lands while the interrupted thread code is inside
 * the allocator (kcpu.in_mm) counts in kcpu.irq_in_mm. On CPU 0 a tick
 * also runs kernel_tick_hook, a test's work, if one is set.
 *
 * Globals written here before other CPUs start and read-only afterwards:
 * kernel_timer_handler, kernel_timer_hz. irq_alloc_on and kernel_tick_hook
 * are atomic.
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "kernel.h"


static int irq_alloc_on;			/* atomic */
void (*kernel_tick_hook)(void);			/* atomic */

void kernel_irq_alloc_set(int on)
{
	__atomic_store_n(&irq_alloc_on, on, __ATOMIC_RELEASE);
}

static const uint32_t irq_small_sizes[] = { 24, 100, 512, 1500, 4096, 9000 };

/* One object: allocate, fill, check, free. Interrupt context. */
static void irq_alloc_one(struct kcpu *c, size_t size, gfp_t gfp)
{
	uint8_t *p = kmalloc(size, gfp | GFP_ATOMIC);
	uint8_t seed = (uint8_t)(c->ticks * 31 + size);
	size_t i, n = size < 256 ? size : 256;

	if (!p) {
		c->irq_fails++;
		return;
	}
	c->irq_allocs++;
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i);
	p[size - 1] = seed;
	for (i = 0; i < n - (n == size); i++)
		if (p[i] != (uint8_t)(seed + i))
			panic("irq alloc: %zu-byte object %p damaged at %zu",
			      size, (void *)p, i);
	if (p[size - 1] != seed)
		panic("irq alloc: %zu-byte object %p damaged at its end",
		      size, (void *)p);
	kfree(p);
}

/* Timer interrupt: count the tick, allocate from interrupt context. */
static void kernel_timer_tick(void)
{
	struct kcpu *c = this_kcpu();
	unsigned int n = (unsigned int)++c->ticks;
	void (*hook)(void) = __atomic_load_n(&kernel_tick_hook,
					     __ATOMIC_ACQUIRE);

	kmalloc_cpu_poll(port_cpu_id());	/* the pressure ladder's drain */
	if (port_cpu_id() == 0)			/* the heap's decay clock */
		kmalloc_decay_tick(c->ticks * 1000 / kernel_timer_hz);
	if (hook && port_cpu_id() == 0)
		hook();
	if (!__atomic_load_n(&irq_alloc_on, __ATOMIC_ACQUIRE))
		return;
	if (__atomic_load_n(&c->in_mm, __ATOMIC_RELAXED))
		c->irq_in_mm++;
	irq_alloc_one(c, 1 + n % 15, GFP_NOSCAN);
	irq_alloc_one(c, irq_small_sizes[n % 6], GFP_KERNEL);
	if (n % 16 == 0)
		irq_alloc_one(c, 40000 + (n % 7) * 20000, GFP_KERNEL);
}

static void kernel_start_timer(void)
{
	kernel_timer_hz = (unsigned int)cmdline_get_u64("timer_hz", 100);
	if (!kernel_timer_hz)
		return;
	kernel_timer_handler = kernel_timer_tick;
	if (arch_timer_start(kernel_timer_hz, kernel_timer_handler))
		printk("timer: cannot run at %u Hz\n", kernel_timer_hz);
}

/* crash=: make the exception and panic paths visible on demand. */
static void kernel_crash(void)
{
	const char *how = cmdline_get("crash");

	if (!how)
		return;
	if (ktest_streq(how, "pf"))
		(void)*(volatile uint64_t *)(uintptr_t)0x7ff0000000ULL;
	if (ktest_streq(how, "ud"))
		__builtin_trap();
	panic("crash=%s requested on the command line", how);
}

static int kernel_run_tests(void)
{
	const char *filter = cmdline_get("ktest");

	if (!filter)
		return 0;
	if (ktest_streq(filter, "all") || !*filter)
		filter = NULL;
	return ktest_run(filter) ? 1 : 0;
}

/* bench=1 or bench=xcpu: which benchmark, if any. */
static const char *kernel_bench_mode(void)
{
	const char *mode = cmdline_get("bench");

	if (mode && ktest_streq(mode, "xcpu"))
		return mode;
	return cmdline_get_u64("bench", 0) ? "1" : NULL;
}

__noreturn void kmain(void)
{
	const char *bench;
	unsigned int i;
	uint64_t t0;
	int status;

	for (i = 0; i < PORT_MAX_CPUS; i++)
		kcpus[i].cache_row = kmalloc_cpu_row(i);
	arch_early_init();
	t0 = arch_time_ns();
	printk("kma: demo kernel, command line \"%s\"\n", arch_cmdline());
	printk("cpu: %u CPU(s) described by firmware\n", arch_nr_cpus());
	kernel_mem_init();
	kernel_start_timer();
	arch_irq_enable();
	printk("smp: %u CPU(s) online\n", arch_cpus_start());
	kernel_crash();
	status = kernel_run_tests();
	bench = kernel_bench_mode();
	if (bench && ktest_streq(bench, "1"))
		kernel_bench();
	if (bench && ktest_streq(bench, "xcpu"))
		kernel_bench_xcpu();
	if (cmdline_get_u64("demo", !cmdline_get("ktest") && !bench))
		status |= kernel_demo();
	printk("kma: done in %llu ms, status %d\n",
	       (unsigned long long)((arch_time_ns() - t0) / 1000000), status);
	arch_halt(status);
}
