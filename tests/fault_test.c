// SPDX-License-Identifier: MIT
/*
 * fault_test.c - KTAP suite "fault": fail-nth sweeps over the heap's
 * internal allocation sites (mm/fault.h), on the host and in the kernels.
 *
 * A scenario allocates what makes the heap reach every site: objects of
 * many classes (new spans, so new chunks and span descriptors), tiny
 * blocks, large and huge objects, an aligned huge object, a krealloc()
 * that grows past a chunk; then frees everything. For n = 1, 2, ... the
 * n-th site reached fails. Each run must survive (an allocation may
 * return NULL, nothing may crash or be reported), and afterwards the
 * heap validates clean and, once quiesced, every frame is back (no leak).
 * The sweep ends at the first n the scenario no longer reaches.
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma/port.h>
#include "test_report.h"
#include "test_mm.h"
#include "../mm/heap.h"

#ifdef KMA_FAULT_INJECT

#define NOBJ	600
static void *objs[NOBJ];

/* Returns the number of allocations that came back NULL. */
static unsigned int scenario(void)
{
	static const size_t big[] = {
		40u << 10, 200u << 10, 3u << 20, 5u << 20,
	};
	unsigned int i, nulls = 0;
	void *b[4], *al, *r, *p;

	for (i = 0; i < NOBJ; i++) {
		/* 8 B to 32 KiB over the classes, spans for each. */
		objs[i] = kmalloc((size_t)8 << (i % 13), GFP_KERNEL);
		nulls += !objs[i];
	}
	for (i = 0; i < 4; i++) {
		b[i] = kmalloc(big[i], GFP_KERNEL);
		nulls += !b[i];
	}
	p = kmalloc(24, GFP_NOSCAN);			/* tiny */
	nulls += !p;
	al = kmalloc_aligned((5u << 20) + 1, 8192, GFP_KERNEL);
	nulls += !al;
	r = kmalloc(1000, GFP_KERNEL);
	if (r) {
		void *q = krealloc(r, 3u << 20, GFP_KERNEL);

		if (q)
			r = q;
		else
			nulls++;
	} else {
		nulls++;
	}
	kfree(r);
	kfree(al);
	kfree(p);
	for (i = 0; i < 4; i++)
		kfree(b[i]);
	for (i = 0; i < NOBJ; i++)
		kfree(objs[i]);
	return nulls;
}

/*
 * One sweep: n = 1, 2, ... until the scenario no longer reaches the n-th
 * site; @every_after: every site from the n-th on fails too.
 */
static void sweep(struct ktest *t, bool every_after)
{
	uint64_t base, after, n, reached = 0, nulls = 0, leaks = 0, bad = 0;
	uint64_t hits0[MM_FAULT_NR], sites = 0;
	unsigned int s;

	for (s = 0; s < MM_FAULT_NR; s++)
		hits0[s] = mm_fault_injected((enum mm_fault_site)s);
	scenario();			/* warm: metadata the heap keeps */
	base = test_mm_free_frames();
	for (n = 1; n < 10000; n++) {
		report_capture_begin();
		mm_fault_set_nth(n, every_after);
		nulls += scenario();
		reached = mm_fault_reached();
		mm_fault_set_nth(0, false);
		report_capture_end();
		if (report_cap.count) {
			ktest_log(t, "n=%llu: %u report(s), last: %s",
				  (unsigned long long)n, report_cap.count,
				  report_cap.last_msg);
			bad++;
		}
		if (kmalloc_validate() || frame_validate())
			bad++;
		after = test_mm_free_frames();
		if (after != base) {
			ktest_log(t, "n=%llu: %lld frames not back",
				  (unsigned long long)n,
				  (long long)(base - after));
			leaks++;
			base = after;
		}
		if (reached < n)
			break;		/* the scenario no longer reaches n */
	}
	for (s = 0; s < MM_FAULT_NR; s++)
		sites += mm_fault_injected((enum mm_fault_site)s) != hits0[s];
	ktest_log(t, "%s: n = 1..%llu, %llu NULL returns, %llu of %u site "
		  "kinds failed, %llu leaks, %llu runs with reports or an "
		  "invalid heap", every_after ? "every site from the n-th" :
		  "the n-th site", (unsigned long long)n,
		  (unsigned long long)nulls, (unsigned long long)sites,
		  (unsigned int)MM_FAULT_NR, (unsigned long long)leaks,
		  (unsigned long long)bad);
	KT_EXPECT_LT(t, n, 10000);
	KT_EXPECT_GT(t, n, 3);
	KT_EXPECT_EQ(t, sites, MM_FAULT_NR);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, leaks, 0);
	if (every_after)
		KT_EXPECT_GT(t, nulls, 0);	/* the NULL paths ran */
}

/* One failure at a time: the heap falls back (pressure ladder, retry). */
static void test_fault_nth(struct ktest *t)
{
	sweep(t, false);
}

/* Memory runs out from the n-th site on: allocations return NULL. */
static void test_fault_nth_and_after(struct ktest *t)
{
	sweep(t, true);
}

static struct ktest_case fault_cases[] = {
	KTEST_CASE(test_fault_nth),
	KTEST_CASE(test_fault_nth_and_after),
	{ 0 }
};
#else
static void test_fault_off(struct ktest *t)
{
	ktest_log(t, "built without KMA_FAULT_INJECT");
}

static struct ktest_case fault_cases[] = {
	KTEST_CASE(test_fault_off),
	{ 0 }
};
#endif

KTEST_SUITE(fault, fault_cases);
