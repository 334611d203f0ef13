// SPDX-License-Identifier: MIT
/*
 * lockdep_test.c - the lock rules of -DKMA_LOCKDEP builds (every test
 * build) report what breaks them: a ranked lock taken under a lock of a
 * higher rank, or of the same rank at a higher address; a function's
 * required lock not held; interrupts on where they must be off (kernels);
 * another CPU's structure touched. Every other suite runs with the
 * checks on, so the allocator's own locking is checked by all of them.
 *
 * Runs on the host and inside the kernels (no libc).
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/spinlock.h>
#include <kma/port.h>
#include "test_report.h"
#include "../mm/lockdep.h"

#ifdef KMA_LOCKDEP

static spinlock_t outer = SPINLOCK_INIT_RANK("test-outer", 10);
static spinlock_t inner = SPINLOCK_INIT_RANK("test-inner", 40);
static spinlock_t same[2] = {
	SPINLOCK_INIT_RANK("test-same-0", 30),
	SPINLOCK_INIT_RANK("test-same-1", 30),
};
static spinlock_t unranked = SPINLOCK_INIT("test-unranked");

/* The documented order passes; the reverse is reported, naming both. */
static void test_lockdep_order(struct ktest *t)
{
	unsigned long f;

	report_capture_begin();
	f = spin_lock_irqsave(&outer);
	spin_lock(&inner);
	spin_unlock(&inner);
	spin_unlock_irqrestore(&outer, f);
	KT_EXPECT_EQ(t, report_cap.count, 0);

	f = spin_lock_irqsave(&inner);
	spin_lock(&outer);			/* out of order */
	KT_EXPECT_REPORT(t, MM_ERR_LOCK, "lock order: taking test-outer "
			 "(rank 10) while holding test-inner (rank 40)");
	spin_unlock(&outer);
	spin_unlock_irqrestore(&inner, f);

	/* Same rank: ascending addresses only. */
	f = spin_lock_irqsave(&same[0]);
	spin_lock(&same[1]);
	spin_unlock(&same[1]);
	spin_unlock_irqrestore(&same[0], f);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	f = spin_lock_irqsave(&same[1]);
	spin_lock(&same[0]);
	KT_EXPECT_REPORT(t, MM_ERR_LOCK, "while holding test-same-1");
	spin_unlock(&same[0]);
	spin_unlock_irqrestore(&same[1], f);

	/* Unranked locks are not checked. */
	f = spin_lock_irqsave(&inner);
	spin_lock(&unranked);
	spin_unlock(&unranked);
	spin_unlock_irqrestore(&inner, f);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 0);
}

/* A function that needs a lock says so when called without it. */
static void test_lockdep_assert_held(struct ktest *t)
{
	unsigned long f;

	report_capture_begin();
	f = spin_lock_irqsave(&inner);
	lockdep_assert_held(&inner);
	spin_unlock_irqrestore(&inner, f);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	lockdep_assert_held(&inner);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_LOCK, "needs test-inner held");
}

/* Interrupts off where required (kernels; the host has none). */
static void test_lockdep_irqs_off(struct ktest *t)
{
	unsigned long f;

	report_capture_begin();
	f = port_irq_save();
	lockdep_assert_irqs_off();
	port_irq_restore(f);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	lockdep_assert_irqs_off();
	report_capture_end();
#ifdef KMA_KERNEL
	KT_EXPECT_REPORT(t, MM_ERR_LOCK, "needs interrupts off");
#else
	KT_EXPECT_EQ(t, report_cap.count, 0);
#endif
}

/* A CPU's caches touched from another CPU are reported. */
static void test_lockdep_this_cpu(struct ktest *t)
{
	unsigned long f = port_irq_save();
	unsigned int me = port_cpu_id();

	report_capture_begin();
	lockdep_assert_this_cpu(me);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	lockdep_assert_this_cpu(me + 1);
	report_capture_end();
	port_irq_restore(f);
	KT_EXPECT_REPORT(t, MM_ERR_LOCK, "touches cpu");
}

/*
 * Objects handed on while the cache still counts them are reported: a
 * fork() child draining the cache would free them a second time.
 */
static void test_lockdep_left(struct ktest *t)
{
	void *slot[8] = { 0 };

	report_capture_begin();
	lockdep_assert_left(slot, slot + 2, slot + 2, 4);	/* above top */
	lockdep_assert_left(slot + 4, slot + 8, slot, 4);	/* below lo */
	lockdep_assert_left(slot, slot, slot, 8);		/* top lowered */
	KT_EXPECT_EQ(t, report_cap.count, 0);
	lockdep_assert_left(slot, slot + 8, slot, 4);		/* still in */
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_LOCK, "still in the cache");
	report_capture_begin();
	lockdep_assert_left(slot, slot + 3, slot + 2, 4);	/* one still in */
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_LOCK, "still in the cache");
}

static struct ktest_case lockdep_cases[] = {
	KTEST_CASE(test_lockdep_order),
	KTEST_CASE(test_lockdep_assert_held),
	KTEST_CASE(test_lockdep_irqs_off),
	KTEST_CASE(test_lockdep_this_cpu),
	KTEST_CASE(test_lockdep_left),
	{}
};
KTEST_SUITE(lockdep, lockdep_cases);

#endif /* KMA_LOCKDEP */
