// SPDX-License-Identifier: MIT
/*
 * stress_test.c - the smp_stress KTAP suite (kernels only): the workload
 * of stress.c on every CPU at once, with the timer handlers allocating,
 * then exact accounting: every frame is back in the frame allocator.
 *
 * Cases, in order (later ones read what earlier ones left in the statics):
 *   stress_baseline     quiesce the heap and count free frames
 *   stress_all_cpus     the workload; every object intact, every post
 *                       received, no allocation failed
 *   stress_irq_allocs   the timer handlers allocated, and some of their
 *                       ticks landed inside the workload's kmalloc/kfree
 *   stress_frames_back  quiesce again: free frames equal the baseline,
 *                       kmalloc_validate() and frame_validate() are clean
 *
 * Command line: stress_iters=N rounds per CPU (default 1000), also the
 * floor; the run goes on (at most STRESS_EXTRA_NS more) until each CPU's
 * timer handler has hit the allocator at least once.
 *
 * State: base_free, irq_before[] and res are written by the boot CPU
 * between smp_call_all() calls.
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include "kernel.h"

#define STRESS_ITERS_DEFAULT	1000
#define STRESS_EXTRA_NS		5000000000ULL

static uint64_t base_free;
static bool have_base;
static uint64_t irq_allocs0, irq_in_mm0, irq_fails0;
static struct stress_result res;
static bool ran;

static uint64_t free_frames(void)
{
	struct frame_stats fs;

	kernel_mm_quiesce();
	frame_get_stats(&fs);
	return fs.free;
}

static void irq_totals(uint64_t *allocs, uint64_t *in_mm, uint64_t *fails)
{
	unsigned int i;

	*allocs = *in_mm = *fails = 0;
	for (i = 0; i < kernel_nr_online(); i++) {
		*allocs += __atomic_load_n(&kcpus[i].irq_allocs,
					   __ATOMIC_RELAXED);
		*in_mm += __atomic_load_n(&kcpus[i].irq_in_mm,
					  __ATOMIC_RELAXED);
		*fails += __atomic_load_n(&kcpus[i].irq_fails,
					  __ATOMIC_RELAXED);
	}
}

static void stress_baseline(struct ktest *t)
{
	kernel_irq_alloc_set(0);
	base_free = free_frames();
	have_base = true;
	KT_EXPECT_GT(t, base_free, 0);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	ktest_log(t, "%llu free frames before the stress",
		  (unsigned long long)base_free);
}

/* Every CPU has been interrupted inside the allocator at least once. */
static bool irq_hit_everywhere(void)
{
	unsigned int i;

	for (i = 0; i < kernel_nr_online(); i++)
		if (!__atomic_load_n(&kcpus[i].irq_in_mm, __ATOMIC_RELAXED))
			return false;
	return true;
}

static void stress_all_cpus(struct ktest *t)
{
	unsigned int iters = (unsigned int)cmdline_get_u64("stress_iters",
							   STRESS_ITERS_DEFAULT);
	struct stress_result more;
	uint64_t t0;

	irq_totals(&irq_allocs0, &irq_in_mm0, &irq_fails0);
	kernel_irq_alloc_set(1);
	stress_run(iters, &res);
	t0 = arch_time_ns();
	while (kernel_timer_hz && !irq_hit_everywhere() &&
	       arch_time_ns() - t0 < STRESS_EXTRA_NS) {
		stress_run(iters / 4 + 1, &more);
		res.allocs += more.allocs;
		res.fails += more.fails;
		res.bytes += more.bytes;
		res.large += more.large;
		res.huge += more.huge;
		res.sent += more.sent;
		res.received += more.received;
		res.bad += more.bad;
		res.ns += more.ns;
	}
	kernel_irq_alloc_set(0);
	ran = true;
	ktest_log(t, "%u CPUs: %llu allocations (%llu large, %llu huge, %llu MiB), %llu passed between CPUs, %llu ms",
		  res.cpus, (unsigned long long)res.allocs,
		  (unsigned long long)res.large, (unsigned long long)res.huge,
		  (unsigned long long)(res.bytes >> 20),
		  (unsigned long long)res.sent,
		  (unsigned long long)(res.ns / 1000000));
	{
		struct kmalloc_stats st;

		kmalloc_get_stats(&st);
		ktest_log(t, "pressure ladder: %llu runs, %llu drain requests, %llu not answered in time",
			  (unsigned long long)st.pressure_runs,
			  (unsigned long long)st.pressure_kicks,
			  (unsigned long long)st.pressure_late);
	}
	KT_EXPECT_EQ(t, res.cpus, kernel_nr_online());
	KT_EXPECT_EQ(t, res.bad, 0);
	KT_EXPECT_EQ(t, res.fails, 0);
	KT_EXPECT_GE(t, res.allocs, (uint64_t)iters * res.cpus);
	KT_EXPECT_GT(t, res.large, 0);
	KT_EXPECT_GT(t, res.huge, 0);
	KT_EXPECT_EQ(t, res.received, res.sent);
	if (res.cpus > 1)
		KT_EXPECT_GT(t, res.sent, 0);
}

static void stress_irq_allocs(struct ktest *t)
{
	uint64_t allocs, in_mm, fails;
	unsigned int i;

	KT_ASSERT(t, ran);
	if (!kernel_timer_hz) {
		ktest_log(t, "timer off (timer_hz=0): no interrupt allocations");
		return;
	}
	irq_totals(&allocs, &in_mm, &fails);
	ktest_log(t, "timer handlers: %llu allocations, %llu ticks inside the allocator, %llu failures",
		  (unsigned long long)(allocs - irq_allocs0),
		  (unsigned long long)(in_mm - irq_in_mm0),
		  (unsigned long long)(fails - irq_fails0));
	for (i = 0; i < kernel_nr_online(); i++)
		ktest_log(t, "cpu %u: %llu ticks, %llu irq allocations, %llu inside the allocator",
			  i, (unsigned long long)kcpus[i].ticks,
			  (unsigned long long)kcpus[i].irq_allocs,
			  (unsigned long long)kcpus[i].irq_in_mm);
	KT_EXPECT_GT(t, allocs - irq_allocs0, 0);
	KT_EXPECT_GT(t, in_mm - irq_in_mm0, 0);
	KT_EXPECT_EQ(t, fails - irq_fails0, 0);
}

static void stress_frames_back(struct ktest *t)
{
	uint64_t now;

	KT_ASSERT(t, have_base && ran);
	now = free_frames();
	KT_EXPECT_EQ(t, now, base_free);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, frame_validate(), 0);
}

static struct ktest_case smp_stress_cases[] = {
	KTEST_CASE(stress_baseline),
	KTEST_CASE(stress_all_cpus),
	KTEST_CASE(stress_irq_allocs),
	KTEST_CASE(stress_frames_back),
	{ 0 },
};

KTEST_SUITE(smp_stress, smp_stress_cases);
