// SPDX-License-Identifier: MIT
/*
 * fault_test.c - KTAP suite "fault": fail-nth sweeps over the heap's
 * internal allocation sites (mm/fault.h), on the host and in the kernels.
 *
 * A scenario allocates what makes the heap reach every site: objects of
 * many classes (new spans, so new chunks and span descriptors), tiny
 * blocks, large and huge objects, an aligned huge object, a krealloc()
 * that grows past a chunk, a kmem_cache; then frees everything. The debug
 * sweeps run a smaller one (a few objects of each class, no huge object)
 * with every debug option on, the quarantine flushed at its end. (The
 * quarantine ring, the debug kind's other site, is taken once, by the
 * first kmalloc_set_debug() with a quarantine: no sweep reaches it
 * again.) For n = 1, 2, ... the
 * n-th site reached fails. Each run must survive (an allocation may
 * return NULL, nothing may crash or be reported), and afterwards the
 * heap validates clean and, once quiesced, every frame is back (no leak).
 * The sweep ends at the first n the scenario no longer reaches.
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/slab.h>
#include <kma/frame.h>
#include <kma/port.h>
#include "test_report.h"
#include "test_mm.h"
#include "../mm/heap.h"

#ifdef KMA_FAULT_INJECT

#define NOBJ	600
static void *objs[NOBJ];

/*
 * Returns the number of allocations that came back NULL. @debug: the
 * debug mode is on (a smaller run).
 */
static unsigned int scenario(bool debug)
{
	/*
	 * Two objects of 1 MiB (HUGE_MIN, the largest the heap itself
	 * serves) need more than one chunk: every run grows the heap (the
	 * chunk site) even when a live object of an earlier suite pins a
	 * chunk that the small spans would otherwise fit in.
	 */
	static const size_t big[] = {
		40u << 10, 200u << 10, 1u << 20, 1u << 20, 3u << 20, 5u << 20,
	};
	unsigned int nobj = debug ? 3 * 13 : NOBJ;
	unsigned int nbig = debug ? 2 : sizeof(big) / sizeof(big[0]);
	unsigned int i, nulls = 0;
	void *b[sizeof(big) / sizeof(big[0])], *al = NULL, *r, *p;
	void *kc_obj = NULL;
	struct kmem_cache *kc;

	kc = kmem_cache_create("fault", 200, 0, 0, NULL);
	if (kc) {
		kc_obj = kmem_cache_alloc(kc, GFP_KERNEL);
		nulls += !kc_obj;
	} else {
		nulls++;
	}
	for (i = 0; i < nobj; i++) {
		/* 8 B to 32 KiB over the classes, spans for each. */
		objs[i] = kmalloc((size_t)8 << (i % 13), GFP_KERNEL);
		nulls += !objs[i];
	}
	for (i = 0; i < nbig; i++) {
		b[i] = kmalloc(big[i], GFP_KERNEL);
		nulls += !b[i];
	}
	p = kmalloc(24, GFP_NOSCAN);			/* tiny */
	nulls += !p;
	if (!debug) {
		al = kmalloc_aligned((5u << 20) + 1, 8192, GFP_KERNEL);
		nulls += !al;
	}
	r = kmalloc(1000, GFP_KERNEL);
	if (r && !debug) {
		void *q = krealloc(r, 3u << 20, GFP_KERNEL);

		if (q)
			r = q;
		else
			nulls++;
	} else if (!r) {
		nulls++;
	}
	kfree(r);
	kfree(al);
	kfree(p);
	for (i = 0; i < nbig; i++)
		kfree(b[i]);
	for (i = 0; i < nobj; i++)
		kfree(objs[i]);
	if (kc) {
		if (kc_obj)
			kmem_cache_free(kc, kc_obj);
		kmem_cache_destroy(kc);
	}
	if (debug)
		kmalloc_debug_flush();
	return nulls;
}

/*
 * One sweep over the sites of kind @site (MM_FAULT_NR: every site): n =
 * 1, 2, ... until the scenario no longer reaches the n-th; @every_after:
 * every such site from the n-th on fails too. Adds to *@nulls, *@leaks
 * and *@bad; returns the last n.
 */
static uint64_t sweep_at(struct ktest *t, enum mm_fault_site site,
			 bool every_after, bool debug, uint64_t *nulls,
			 uint64_t *leaks, uint64_t *bad)
{
	uint64_t base, after, n, reached = 0;

	if (debug && kmalloc_set_debug(KMA_DEBUG_ALL, 256u << 10)) {
		ktest_log(t, "kmalloc_set_debug() failed");
		(*bad)++;
		return 0;
	}
	scenario(debug);		/* warm: metadata the heap keeps */
	base = test_mm_free_frames();
	for (n = 1; n < 10000; n++) {
		report_capture_begin();
		mm_fault_set_nth_at(site, n, every_after);
		*nulls += scenario(debug);
		reached = mm_fault_reached();
		mm_fault_set_nth(0, false);
		report_capture_end();
		if (report_cap.count) {
			ktest_log(t, "n=%llu: %u report(s), last: %s",
				  (unsigned long long)n, report_cap.count,
				  report_cap.last_msg);
			(*bad)++;
		}
		if (kmalloc_validate() || frame_validate())
			(*bad)++;
		after = test_mm_free_frames();
		if (after != base) {
			ktest_log(t, "n=%llu: %lld frames not back",
				  (unsigned long long)n,
				  (long long)(base - after));
			(*leaks)++;
			base = after;
		}
		if (reached < n)
			break;		/* the scenario no longer reaches n */
	}
	if (debug)
		KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
	KT_EXPECT_LT(t, n, 10000);
	return n;
}

/*
 * The sweep over every site (fail-nth as Linux's), then one over each
 * kind of site alone: how many sites of the other kinds a run reaches
 * varies (metadata pages come and go with the order of frees), so only
 * a sweep of one kind is sure to fail each of its sites in turn, and
 * every kind must be reached. With @debug, the kinds of the ordinary
 * sweep are not swept alone again: only the debug kind is.
 */
static void sweep(struct ktest *t, bool every_after, bool debug)
{
	uint64_t hits0[MM_FAULT_NR], n, nulls = 0, leaks = 0, bad = 0;
	unsigned int s, kinds = 0, nkinds = debug ? 1 : MM_FAULT_DEBUG;
	unsigned int first = debug ? MM_FAULT_DEBUG : 0;

	n = sweep_at(t, MM_FAULT_NR, every_after, debug, &nulls, &leaks,
		     &bad);
	KT_EXPECT_GT(t, n, 3);
	ktest_log(t, "%s%s: every site: n = 1..%llu", every_after ?
		  "every site from the n-th" : "the n-th site",
		  debug ? ", debug mode" : "", (unsigned long long)n);
	for (s = first; s < first + nkinds; s++) {
		hits0[s] = mm_fault_injected((enum mm_fault_site)s);
		n = sweep_at(t, (enum mm_fault_site)s, every_after, debug,
			     &nulls, &leaks, &bad);
		kinds += mm_fault_injected((enum mm_fault_site)s) != hits0[s];
		ktest_log(t, "  site kind %u alone: n = 1..%llu", s,
			  (unsigned long long)n);
	}
	ktest_log(t, "%llu NULL returns, %u of %u site kinds failed, %llu "
		  "leaks, %llu runs with reports or an invalid heap",
		  (unsigned long long)nulls, kinds, nkinds,
		  (unsigned long long)leaks, (unsigned long long)bad);
	KT_EXPECT_EQ(t, kinds, nkinds);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, leaks, 0);
	/*
	 * The NULL paths ran. (Not required with @debug: a span whose
	 * records could not be made is only untracked, and whether the
	 * smaller run reaches a site of another kind depends on what the
	 * heap holds already.)
	 */
	if (every_after && !debug)
		KT_EXPECT_GT(t, nulls, 0);
}

/* One failure at a time: the heap falls back (pressure ladder, retry). */
static void test_fault_nth(struct ktest *t)
{
	sweep(t, false, false);
}

/* Memory runs out from the n-th site on: allocations return NULL. */
static void test_fault_nth_and_after(struct ktest *t)
{
	sweep(t, true, false);
}

/*
 * The same with every debug option on: a span without records goes
 * untracked, a quarantine without its ring leaves the debug mode off
 * (kmalloc_set_debug() returns -1), and nothing leaks.
 */
static void test_fault_nth_debug(struct ktest *t)
{
	sweep(t, false, true);
	sweep(t, true, true);
}

static struct ktest_case fault_cases[] = {
	KTEST_CASE(test_fault_nth),
	KTEST_CASE(test_fault_nth_and_after),
	KTEST_CASE(test_fault_nth_debug),
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
