// SPDX-License-Identifier: MIT
/*
 * guard_test.c - sampled guard pages on the host port: a guarded object
 * ends at a page boundary; a write past it, a read after its free and a
 * write into its alignment slack are reported with its sites (the port's
 * SIGSEGV handler hands the fault to kma_guard_fault(), which reports and
 * lets the access complete); double and interior frees are reported;
 * sampling takes about one allocation in the interval, and none when off.
 *
 * Runs on the host (the SIGSEGV handler of arch/host/port.c) and inside
 * the kernels (their page-fault handlers), no libc. The suite runs on
 * one CPU; each case leaves sampling off.
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include "test_report.h"
#include "test_mm.h"
#include "../mm/heap.h"

/* A guarded object of @size: every refill samples, and this one refills. */
static void *guarded(struct ktest *t, size_t size)
{
	void *p;

	KT_EXPECT_EQ(t, kmalloc_set_guard(1), 0);
	kmalloc_drain_cpu(port_cpu_id());
	p = kmalloc(size, GFP_KERNEL);
	KT_EXPECT(t, p && guard_owns((uintptr_t)p));
	return p;
}

static void guard_off(void)
{
	kmalloc_set_guard(0);
	kmalloc_drain_cpu(port_cpu_id());
}

static void test_guard_object_ends_at_page(struct ktest *t)
{
	uint8_t *p = guarded(t, 100), *q = guarded(t, 128);

	KT_ASSERT(t, p && q);
	KT_EXPECT_EQ(t, (uintptr_t)p % 16, 0);
	KT_EXPECT_EQ(t, ((uintptr_t)p + 112) % PAGE_SIZE, 0);
	KT_EXPECT_EQ(t, ((uintptr_t)q + 128) % PAGE_SIZE, 0);
	KT_EXPECT_EQ(t, ksize(p), 100);
	mm_memset(p, 0x5a, 100);
	mm_memset(q, 0x5a, 128);
	report_capture_begin();
	kfree(p);
	kfree(q);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 0);
	guard_off();
}

static void test_guard_overflow_faults(struct ktest *t)
{
	volatile uint8_t *p = guarded(t, 128);

	KT_ASSERT_NOT_NULL(t, (void *)p);
	report_capture_begin();
	p[128] = 1;			/* the guard page: faults, reported */
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_OUT_OF_BOUNDS, "1 bytes past the end");
	KT_EXPECT(t, report_msg_has("allocated by"));
	report_capture_begin();
	kfree((void *)p);		/* still a live object */
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 0);
	guard_off();
}

static void test_guard_slack_checked_at_free(struct ktest *t)
{
	uint8_t *p = guarded(t, 100);

	KT_ASSERT_NOT_NULL(t, p);
	p[101] = 7;			/* in the slack: no fault */
	report_capture_begin();
	kfree(p);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_OUT_OF_BOUNDS, "written 2 bytes past");
	guard_off();
}

static void test_guard_use_after_free_faults(struct ktest *t)
{
	volatile uint8_t *p = guarded(t, 64);
	uint8_t v;

	KT_ASSERT_NOT_NULL(t, (void *)p);
	p[0] = 3;
	kfree((void *)p);
	report_capture_begin();
	v = p[0];			/* its page is gone: faults */
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_USE_AFTER_FREE, "offset 0 of freed");
	KT_EXPECT(t, report_msg_has("freed by"));
	(void)v;
	guard_off();
}

static void test_guard_bad_frees(struct ktest *t)
{
	uint8_t *p = guarded(t, 64);

	KT_ASSERT_NOT_NULL(t, p);
	report_capture_begin();
	kfree(p + 8);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_INTERIOR_FREE, "inside a guarded object");
	kfree(p);
	report_capture_begin();
	kfree(p);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	KT_EXPECT(t, report_msg_has("freed by"));
	guard_off();
}

/*
 * One in about 16 refilled allocations, never more than the pool; none
 * with sampling off.
 */
static void test_guard_sampling_rate(struct ktest *t)
{
	enum { N = 4000 };
	static void *objs[N];
	unsigned int i, n = 0;

	KT_EXPECT_EQ(t, kmalloc_set_guard(16), 0);
	kmalloc_drain_cpu(port_cpu_id());
	for (i = 0; i < N; i++) {
		objs[i] = kmalloc(512, GFP_KERNEL);
		n += guard_owns((uintptr_t)objs[i]);
	}
	ktest_log(t, "%u of %u allocations guarded at interval 16", n, N);
	KT_EXPECT_GT(t, n, 8);
	KT_EXPECT_LT(t, n, N / 8);
	for (i = 0; i < N; i++)
		kfree(objs[i]);
	guard_off();
	for (i = 0, n = 0; i < N; i++) {
		objs[i] = kmalloc(512, GFP_KERNEL);
		n += guard_owns((uintptr_t)objs[i]);
	}
	KT_EXPECT_EQ(t, n, 0);
	for (i = 0; i < N; i++)
		kfree(objs[i]);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/* See test_mm.h. */
void test_guard_start_option(struct ktest *t, unsigned int interval)
{
	unsigned int i, limit = 2 * interval + 2048, seen = 0, first = 0;
	void **head = NULL, **p;

	ktest_log(t, "guard interval %u, expected %u", kmalloc_guard(),
		  interval);
	KT_EXPECT_EQ(t, kmalloc_guard(), interval);
	if (!interval)
		return;
	/*
	 * Objects held, so that every refill counts down: after the first
	 * guarded one, the next comes @interval allocations later, give or
	 * take a refill's batch.
	 */
	kmalloc_drain_cpu(port_cpu_id());
	for (i = 0; i < limit && seen < 2; i++) {
		p = kmalloc(64, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		if (guard_owns((uintptr_t)p) && !seen++)
			first = i;
		*p = head;
		head = p;
	}
	ktest_log(t, "guarded objects at allocations %u and %u", first,
		  i - 1);
	KT_EXPECT_EQ(t, seen, 2);
	KT_EXPECT_GE(t, i - 1 - first, interval / 2);
	KT_EXPECT_LE(t, i - 1 - first, interval + 1024);
	while (head) {
		p = *head;
		kfree(head);
		head = p;
	}
	guard_off();
}

static struct ktest_case guard_cases[] = {
	KTEST_CASE(test_guard_object_ends_at_page),
	KTEST_CASE(test_guard_overflow_faults),
	KTEST_CASE(test_guard_slack_checked_at_free),
	KTEST_CASE(test_guard_use_after_free_faults),
	KTEST_CASE(test_guard_bad_frees),
	KTEST_CASE(test_guard_sampling_rate),
	{}
};
KTEST_SUITE(guard, guard_cases);
