// SPDX-License-Identifier: MIT
/*
 * arch_test.c - KTAP checks of the ARMv7-M port itself (kernel only):
 * PRIMASK as kma's interrupt mask (nesting, what port_irq_save()
 * returns), SysTick as the clock (monotonic, in step with the ticks),
 * the SysTick handler allocating and freeing with nothing lost, the
 * boot memory map being exactly the linker's heap region, and
 * semihosting having answered without a stepped-over BKPT.
 *
 * State: none shared; each case restores what it changes (the timer
 * handler's allocations are switched off again).
 */
#include <ktest.h>
#include <kma/memmap.h>
#include <kma/kmalloc.h>
#include "armv7m.h"
#include "test_mm.h"

#define WAIT_NS		2000000000ULL
#define IRQ_TICKS	20
#define MAX_SPINS	1000000

static uint32_t primask(void)
{
	uint32_t v;

	__asm__ __volatile__("mrs %0, primask" : "=r"(v));
	return v & 1;
}

/* A 64-bit counter of the tick handler, read in one piece (masked). */
static uint64_t read_masked(const uint64_t *v)
{
	unsigned long flags = port_irq_save();
	uint64_t x = *(const volatile uint64_t *)v;

	port_irq_restore(flags);
	return x;
}

static void test_armv7m_primask(struct ktest *t)
{
	unsigned long outer, inner;

	KT_ASSERT_EQ(t, primask(), 0);		/* tests run unmasked */
	outer = port_irq_save();
	KT_EXPECT_EQ(t, outer & 1, 0);
	KT_EXPECT_EQ(t, primask(), 1);
	inner = port_irq_save();
	KT_EXPECT_EQ(t, inner & 1, 1);
	port_irq_restore(inner);
	KT_EXPECT_EQ(t, primask(), 1);		/* still the outer's mask */
	port_irq_restore(outer);
	KT_EXPECT_EQ(t, primask(), 0);
	KT_EXPECT_EQ(t, port_cpu_id(), 0);
	KT_EXPECT(t, this_kcpu() == &kcpus[0]);
}

/*
 * The clock never goes back, moves while interrupts are masked (a
 * pending SysTick period is counted), and agrees with the tick count:
 * n ticks of a 100 Hz timer take n * 10 ms, give or take one tick.
 */
static void test_armv7m_clock(struct ktest *t)
{
	uint64_t t0, prev, now, ticks0, ticks, period;
	unsigned long flags;
	unsigned int backwards = 0, spins = 0, tries;

	if (!kernel_timer_hz) {
		ktest_log(t, "timer off (timer_hz=0)");
		return;
	}
	period = 1000000000ULL / kernel_timer_hz;
	/*
	 * Masked from just after a tick for one and a half periods: the
	 * clock runs on, the period that ended while masked counted from
	 * its pending bit, and no tick is taken meanwhile. Two period ends
	 * while masked stall the clock (vectors.c): without -icount the
	 * host may stop QEMU's CPU thread that long, so up to three tries.
	 */
	for (tries = 1; tries <= 3; tries++) {
		ticks0 = read_masked(&kcpus[0].ticks);
		while (read_masked(&kcpus[0].ticks) == ticks0)
			arch_cpu_idle();
		flags = port_irq_save();
		ticks0 = kcpus[0].ticks;
		t0 = arch_time_ns();
		for (spins = 0; spins < MAX_SPINS; spins++) {
			now = arch_time_ns();
			if (now - t0 >= period + period / 2)
				break;
		}
		ticks = kcpus[0].ticks;
		port_irq_restore(flags);
		if (spins < MAX_SPINS)
			break;
	}
	if (tries > 1)
		ktest_log(t, "masked stretch: %u tries", tries);
	KT_EXPECT_LT(t, spins, MAX_SPINS);
	KT_EXPECT_EQ(t, ticks - ticks0, 0);

	ticks0 = read_masked(&kcpus[0].ticks);
	t0 = prev = arch_time_ns();
	do {
		now = arch_time_ns();
		backwards += now < prev;
		prev = now;
		ticks = read_masked(&kcpus[0].ticks);
	} while (ticks - ticks0 < 10 && now - t0 < WAIT_NS);
	ktest_log(t, "%llu ticks in %llu us",
		  (unsigned long long)(ticks - ticks0),
		  (unsigned long long)((now - t0) / 1000));
	KT_EXPECT_EQ(t, backwards, 0);
	KT_ASSERT_EQ(t, ticks - ticks0, 10);
	KT_EXPECT_GE(t, now - t0, 9 * period);
	KT_EXPECT_LE(t, now - t0, 11 * period);
}

/*
 * The SysTick handler allocates and frees (kernel/main.c's timer hook):
 * it makes allocations, none fails, and every frame comes back.
 */
static void test_armv7m_irq_alloc(struct ktest *t)
{
	uint64_t a0, f0, ticks0, free0, t0;
	struct kcpu *c = &kcpus[0];

	if (!kernel_timer_hz) {
		ktest_log(t, "timer off (timer_hz=0)");
		return;
	}
	test_mm_quiesce();
	free0 = test_mm_free_frames();
	a0 = read_masked(&c->irq_allocs);
	f0 = read_masked(&c->irq_fails);
	ticks0 = read_masked(&c->ticks);
	kernel_irq_alloc_set(1);
	t0 = arch_time_ns();
	while (read_masked(&c->ticks) - ticks0 <
	       IRQ_TICKS && arch_time_ns() - t0 < WAIT_NS)
		arch_cpu_idle();
	kernel_irq_alloc_set(0);
	ktest_log(t, "%llu allocations from SysTick",
		  (unsigned long long)(c->irq_allocs - a0));
	KT_EXPECT_GE(t, c->irq_allocs - a0, 2 * IRQ_TICKS);
	KT_EXPECT_EQ(t, c->irq_fails - f0, 0);
	KT_EXPECT_EQ(t, c->irq_depth, 0);
	test_mm_quiesce();
	KT_EXPECT_EQ(t, test_mm_free_frames(), free0);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/* The usable RAM is the linker's heap region, nothing more or less. */
static void test_armv7m_memmap(struct ktest *t)
{
	uintptr_t hs = (uintptr_t)__heap_start, he = (uintptr_t)__heap_end;
	const struct memmap_region *r;
	unsigned int usable = 0;

	for_each_memmap_region(&boot_map, r) {
		if (r->type != MEMMAP_USABLE && r->type != MEMMAP_METADATA)
			continue;
		usable++;
		KT_EXPECT_GE(t, r->base, hs);
		KT_EXPECT_LE(t, r->base + r->size, he);
	}
	KT_EXPECT_GE(t, usable, 1);
	KT_EXPECT_EQ(t, kernel_fw_ram, he - hs);
	KT_EXPECT_EQ(t, hs % (FRAME_SIZE << 10), 0);	/* 4 MiB */
}

/* Semihosting gave the command line (we are running the suites). */
static void test_armv7m_semihosting(struct ktest *t)
{
	KT_EXPECT(t, armv7m_semihosting);
	KT_EXPECT_EQ(t, armv7m_faults_skipped(), 0);
}

static struct ktest_case armv7m_cases[] = {
	KTEST_CASE(test_armv7m_primask),
	KTEST_CASE(test_armv7m_clock),
	KTEST_CASE(test_armv7m_irq_alloc),
	KTEST_CASE(test_armv7m_memmap),
	KTEST_CASE(test_armv7m_semihosting),
	{}
};
KTEST_SUITE(armv7m, armv7m_cases);
