// SPDX-License-Identifier: MIT
/*
 * rcs_test.c - the rcs KTAP suite (kernels built with KMA_RCS): the
 * restartable sections of kmalloc()'s and kfree()'s fast paths (mm/rcs.c)
 * under real interrupts.
 *
 * Cases:
 *   rcs_table       every section is listed with a short, non-empty
 *                   range; kma_rcs_fixup() moves a PC inside one to its
 *                   start, and leaves its end and the address before it
 *   rcs_interrupts  CPU 0 allocates and frees in a loop while its timer
 *                   handler (at RCS_HZ meanwhile) allocates objects of
 *                   the same classes and keeps them for a few ticks:
 *                   ticks land inside the
 *                   sections and send them back (counted), and no object
 *                   is handed to both (each owner's fill pattern is intact
 *                   when it frees)
 *
 * A kernel without KMA_RCS masks interrupts in its fast paths and has no
 * sections: the suite reports that and checks nothing more.
 *
 * State: kept[], kept_size[], kept_next, tick_damaged and tick_fails are
 * touched only by CPU 0's timer hook, and read by the test on CPU 0 after
 * it has cleared the hook.
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include "kernel.h"
#include "../mm/heap.h"

#define RCS_KEPT	8
#define RCS_WAIT_NS	5000000000ULL
#define RCS_WANT	20		/* restarts to see before stopping */
#define RCS_HZ		2000		/* CPU 0's timer rate meanwhile */
#define OWNER_TICK	0x7ac0u
#define OWNER_TEST	0x7e50u

static const size_t rcs_sizes[] = { 24, 100, 512 };

static void *kept[RCS_KEPT];
static size_t kept_size[RCS_KEPT];
static unsigned int kept_next, tick_damaged, tick_fails;

/* First and last word of @p: its address and its owner. */
static void rcs_fill(void *p, size_t n, uintptr_t owner)
{
	uintptr_t *w = p;

	w[0] = (uintptr_t)p ^ owner;
	w[n / sizeof(*w) - 1] = (uintptr_t)p + owner;
}

static bool rcs_intact(const void *p, size_t n, uintptr_t owner)
{
	const uintptr_t *w = p;

	return w[0] == ((uintptr_t)p ^ owner) &&
	       w[n / sizeof(*w) - 1] == (uintptr_t)p + owner;
}

/* CPU 0's timer interrupt: replace the oldest kept object. */
static void rcs_tick(void)
{
	unsigned int i = kept_next++ % RCS_KEPT;
	size_t n = rcs_sizes[kept_next % 3];

	if (kept[i]) {
		if (!rcs_intact(kept[i], kept_size[i], OWNER_TICK))
			tick_damaged++;
		kfree(kept[i]);
	}
	kept[i] = kmalloc(n, GFP_ATOMIC);
	if (!kept[i]) {
		tick_fails++;
		return;
	}
	kept_size[i] = n;
	rcs_fill(kept[i], n, OWNER_TICK);
}

static void rcs_table(struct ktest *t)
{
	uintptr_t start, end, pc;
	unsigned int i;
	unsigned long before = __atomic_load_n(&rcs_restarts,
					       __ATOMIC_RELAXED);

	for (i = 0; rcs_section(i, &start, &end); i++) {
		KT_EXPECT_LT(t, start, end);
		KT_EXPECT_LT(t, end - start, 64);
		pc = end - 1;
		KT_EXPECT(t, kma_rcs_fixup(&pc));
		KT_EXPECT_EQ(t, pc, start);
		pc = start;
		KT_EXPECT(t, kma_rcs_fixup(&pc));
		KT_EXPECT_EQ(t, pc, start);
		pc = end;
		KT_EXPECT(t, !kma_rcs_fixup(&pc));
		KT_EXPECT_EQ(t, pc, end);
		pc = start - 1;
		KT_EXPECT(t, !kma_rcs_fixup(&pc));
		KT_EXPECT_EQ(t, pc, start - 1);
	}
#ifdef KMA_RCS
	/* kmalloc()'s pop and kfree()'s push, once each at least. */
	KT_EXPECT_GE(t, i, 2);
	KT_EXPECT_EQ(t, __atomic_load_n(&rcs_restarts, __ATOMIC_RELAXED) -
		     before, 2 * i);
#else
	KT_EXPECT_EQ(t, i, 0);
	ktest_log(t, "built without KMA_RCS: interrupts are masked instead");
	(void)before;
#endif
}

static void rcs_interrupts(struct ktest *t)
{
	void *hold[4];
	size_t hold_size[4];
	unsigned long r0, restarts = 0;
	unsigned int i, rounds = 0, bad = 0, fails = 0;
	uint64_t t0;

	if (!rcs_section(0, &(uintptr_t){ 0 }, &(uintptr_t){ 0 })) {
		ktest_log(t, "no restartable sections in this kernel");
		return;
	}
	KT_ASSERT(t, port_cpu_id() == 0);
	if (!kernel_timer_hz) {
		ktest_log(t, "timer off (timer_hz=0): no interrupts to land");
		return;
	}
	r0 = __atomic_load_n(&rcs_restarts, __ATOMIC_RELAXED);
	__atomic_store_n(&kernel_tick_hook, rcs_tick, __ATOMIC_RELEASE);
	/* More ticks, more of them inside a section (the decay clock runs
	 * fast meanwhile: it counts ticks). */
	if (RCS_HZ > kernel_timer_hz)
		arch_timer_start(RCS_HZ, kernel_timer_handler);
	t0 = arch_time_ns();
	while (restarts < RCS_WANT && arch_time_ns() - t0 < RCS_WAIT_NS) {
		for (i = 0; i < 4; i++) {
			hold_size[i] = rcs_sizes[(rounds + i) % 3];
			hold[i] = kmalloc(hold_size[i], GFP_KERNEL);
			if (!hold[i]) {
				fails++;
				continue;
			}
			rcs_fill(hold[i], hold_size[i], OWNER_TEST);
		}
		for (i = 0; i < 4; i++) {
			if (!hold[i])
				continue;
			if (!rcs_intact(hold[i], hold_size[i], OWNER_TEST))
				bad++;
			kfree(hold[i]);
		}
		/* Mostly fast paths: pairs with nothing in between. */
		for (i = 0; i < 16; i++)
			kfree(kmalloc(rcs_sizes[i % 3], GFP_KERNEL));
		rounds++;
		restarts = __atomic_load_n(&rcs_restarts,
					   __ATOMIC_RELAXED) - r0;
	}
	if (RCS_HZ > kernel_timer_hz)
		arch_timer_start(kernel_timer_hz, kernel_timer_handler);
	__atomic_store_n(&kernel_tick_hook, NULL, __ATOMIC_RELEASE);
	for (i = 0; i < RCS_KEPT; i++) {
		if (!kept[i])
			continue;
		if (!rcs_intact(kept[i], kept_size[i], OWNER_TICK))
			tick_damaged++;
		kfree(kept[i]);
		kept[i] = NULL;
	}
	ktest_log(t, "%u rounds, %u ticks of the hook, %lu fast paths sent back",
		  rounds, kept_next, restarts);
	KT_EXPECT_GT(t, restarts, 0);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, fails, 0);
	KT_EXPECT_EQ(t, tick_damaged, 0);
	KT_EXPECT_EQ(t, tick_fails, 0);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

static struct ktest_case rcs_cases[] = {
	KTEST_CASE(rcs_table),
	KTEST_CASE(rcs_interrupts),
	{ 0 },
};

KTEST_SUITE(rcs, rcs_cases);
