// SPDX-License-Identifier: MIT
/*
 * debug_test.c - the heap's debug mode, switched on and off at run time
 * on the host and in the kernels: option parsing, the quarantine (a stale
 * pointer freed again after its memory would have gone to another class
 * is reported with the first free's caller), poisoning (a write after
 * free reported when the object leaves the quarantine), init_on_alloc and
 * init_on_free, redzones and allocation sites, constructor caches left
 * constructed, and every frame back once the mode is off again.
 *
 * Runs on the host and inside the kernels (no libc).
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/slab.h>
#include <kma/frame.h>
#include "test_report.h"
#include "test_mm.h"

#define N 1000

static void *objs[N], *others[N];

static void debug_on_or_fail(struct ktest *t, unsigned int flags)
{
	KT_ASSERT_EQ(t, kmalloc_set_debug(flags, 0), 0);
	KT_ASSERT_EQ(t, kmalloc_debug(), flags);
}

/* See test_mm.h. */
void test_debug_start_options(struct ktest *t, const char *spec)
{
	unsigned int flags = 0;
	uint64_t qbytes = 0;
	void *p, *q;

	if (spec)
		KT_ASSERT_EQ(t, kmalloc_parse_debug(spec, &flags, &qbytes), 0);
	ktest_log(t, "debug options %s: 0x%x", spec ? spec : "(none)",
		  kmalloc_debug());
	KT_EXPECT_EQ(t, kmalloc_debug(), flags);
	if (!(flags & KMA_DEBUG_QUARANTINE))
		return;
	p = kmalloc(40, GFP_KERNEL);
	kfree(p);
	q = kmalloc(40, GFP_KERNEL);
	KT_EXPECT(t, q != p);
	kfree(q);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
}

static void test_debug_parse(struct ktest *t)
{
	unsigned int f;
	uint64_t q;

	KT_EXPECT_EQ(t, kmalloc_parse_debug("quarantine,poison", &f, &q), 0);
	KT_EXPECT_EQ(t, f, KMA_DEBUG_QUARANTINE | KMA_DEBUG_POISON);
	KT_EXPECT_EQ(t, q, 0);
	KT_EXPECT_EQ(t, kmalloc_parse_debug("quarantine=4M,init_on_alloc",
					    &f, &q), 0);
	KT_EXPECT_EQ(t, f, KMA_DEBUG_QUARANTINE | KMA_DEBUG_INIT_ON_ALLOC);
	KT_EXPECT_EQ(t, q, 4u << 20);
	KT_EXPECT_EQ(t, kmalloc_parse_debug("all", &f, &q), 0);
	KT_EXPECT_EQ(t, f, KMA_DEBUG_ALL);
	KT_EXPECT_EQ(t, kmalloc_parse_debug("redzone,track", &f, &q), 0);
	KT_EXPECT_EQ(t, f, KMA_DEBUG_REDZONE | KMA_DEBUG_TRACK);
	report_capture_begin();
	KT_EXPECT_EQ(t, kmalloc_parse_debug("quarantine,bogus", &f, &q), -1);
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "unknown option \"bogus\"");
	KT_EXPECT_EQ(t, kmalloc_parse_debug("quarantine=12Q", &f, &q), -1);
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "bad size");
	KT_EXPECT_EQ(t, kmalloc_parse_debug("poison=1", &f, &q), -1);
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "unknown option");
	KT_EXPECT_EQ(t, kmalloc_set_debug(0x100, 0), -1);
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "unknown options");
	report_capture_end();
	KT_EXPECT_EQ(t, kmalloc_debug(), 0);
}

/*
 * The fourth known bug: a stale pointer freed again after its span could
 * have been emptied and reused for another class. Without the debug mode
 * that free lands on whatever object now sits there. With the quarantine
 * the first free keeps the object out of its span, so the span cannot be
 * reused and the second free is a double free, reported with the first
 * free's caller; the other objects stay intact.
 */
static void test_debug_quarantine_stale_free(struct ktest *t)
{
	unsigned int i, bad = 0;
	char *p;

	debug_on_or_fail(t, KMA_DEBUG_QUARANTINE | KMA_DEBUG_POISON);
	p = kmalloc(48, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	kfree(p);
	/* Everything else goes back and the heap is scavenged. */
	test_mm_quiesce();
	for (i = 0; i < N; i++) {
		others[i] = kmalloc(32, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, others[i]);
		((uint64_t *)others[i])[0] = i;
		((uint64_t *)others[i])[3] = ~(uint64_t)i;
	}
	report_capture_begin();
	kfree(p);			/* the stale pointer */
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "in quarantine");
	KT_EXPECT(t, report_msg_has("freed by"));
	for (i = 0; i < N; i++)
		bad += ((uint64_t *)others[i])[0] != i ||
		       ((uint64_t *)others[i])[3] != ~(uint64_t)i;
	KT_EXPECT_EQ(t, bad, 0);
	for (i = 0; i < N; i++)
		kfree(others[i]);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
}

/* A write after free is reported when the object leaves the quarantine. */
static void test_debug_poison_write_after_free(struct ktest *t)
{
	char *p;

	debug_on_or_fail(t, KMA_DEBUG_QUARANTINE | KMA_DEBUG_POISON);
	p = kmalloc(100, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	kfree(p);
	p[50] = 1;			/* after its free */
	report_capture_begin();
	kmalloc_debug_flush();
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_CORRUPT, "written after its free");
	KT_EXPECT(t, report_msg_has("freed by"));
	/* Left out: never handed out again while the mode is on. */
	for (unsigned int i = 0; i < N; i++) {
		objs[i] = kmalloc(100, GFP_KERNEL);
		KT_EXPECT(t, objs[i] != p);
	}
	for (unsigned int i = 0; i < N; i++)
		kfree(objs[i]);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
}

/*
 * The fast paths take the slow ones: a freed object does not come back at
 * once (it waits in the quarantine), then the mode goes off and the
 * object freed last comes back first again.
 */
static void test_debug_delays_reuse(struct ktest *t)
{
	void *p, *q;

	debug_on_or_fail(t, KMA_DEBUG_QUARANTINE);
	p = kmalloc(64, GFP_KERNEL);
	kfree(p);
	q = kmalloc(64, GFP_KERNEL);
	KT_EXPECT(t, q != p);
	kfree(q);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
	p = kmalloc(64, GFP_KERNEL);
	kfree(p);
	KT_EXPECT(t, kmalloc(64, GFP_KERNEL) == p);
	kfree(p);
}

/* init_on_alloc: every object comes zeroed; init_on_free zeroes at free. */
static void test_debug_init(struct ktest *t)
{
	unsigned int i, j, nonzero = 0;
	uint8_t *p;

	debug_on_or_fail(t, KMA_DEBUG_INIT_ON_ALLOC);
	for (i = 0; i < 64; i++) {
		p = kmalloc(200, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		for (j = 0; j < 200; j++)
			nonzero += p[j] != 0;
		for (j = 0; j < 200; j++)
			p[j] = 0xff;
		kfree(p);
	}
	KT_EXPECT_EQ(t, nonzero, 0);
	debug_on_or_fail(t, KMA_DEBUG_INIT_ON_FREE | KMA_DEBUG_QUARANTINE);
	p = kmalloc(200, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	for (j = 0; j < 200; j++)
		p[j] = 0xff;
	kfree(p);
	for (j = 8; j < 200; j++)	/* past the tag word, in quarantine */
		nonzero += p[j] != 0;
	KT_EXPECT_EQ(t, nonzero, 0);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
}

/*
 * redzone: bytes past what was asked are a guard zone, checked at the
 * free (the report names the size asked and, with track, the caller
 * that allocated); ksize() is what was asked; a power of two keeps its
 * natural alignment.
 */
static void test_debug_redzone_track(struct ktest *t)
{
	uint8_t *p, *q;

	debug_on_or_fail(t, KMA_DEBUG_REDZONE | KMA_DEBUG_TRACK |
			 KMA_DEBUG_QUARANTINE);
	p = kmalloc(100, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, ksize(p), 100);
	p[99] = 1;			/* the last byte asked: fine */
	report_capture_begin();
	kfree(p);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	p = kmalloc(100, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	p[100] = 1;			/* one past the end */
	kfree(p);
	KT_EXPECT_REPORT(t, MM_ERR_CORRUPT, "written past its end (100 "
			 "bytes asked");
	KT_EXPECT(t, report_msg_has("allocated by"));
	q = kmalloc(64, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, q);
	KT_EXPECT_EQ(t, (uintptr_t)q % 64, 0);
	KT_EXPECT_EQ(t, ksize(q), 64);
	q[70] = 1;
	kfree(q);
	KT_EXPECT_REPORT(t, MM_ERR_CORRUPT, "64 bytes asked");
	/* A double free names where the object was allocated, too. */
	q = kmalloc(200, GFP_KERNEL);
	kfree(q);
	kfree(q);
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "allocated by");
	report_capture_end();
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
}

static unsigned int ctor_runs;

static void ctor(void *p)
{
	uint64_t *w = p;
	unsigned int i;

	for (i = 0; i < 8; i++)
		w[i] = 0xc0de0000u + i;
	ctor_runs++;
}

/*
 * Constructor caches in the debug mode: objects are neither poisoned nor
 * zeroed, come back constructed; a double free is reported; every frame
 * comes back when the mode is off and the cache gone.
 */
static void test_debug_cache_and_frames(struct ktest *t)
{
	uint64_t before = test_mm_free_frames();
	struct kma_kmem_cache *c;
	unsigned int i, j, bad = 0;

	debug_on_or_fail(t, KMA_DEBUG_ALL);
	c = kma_kmem_cache_create("debug", 64, 0, 0, ctor);
	KT_ASSERT_NOT_NULL(t, c);
	for (i = 0; i < N; i++) {
		uint64_t *w = kma_kmem_cache_alloc(c, GFP_KERNEL);

		KT_ASSERT_NOT_NULL(t, w);
		for (j = 0; j < 8; j++)
			bad += w[j] != 0xc0de0000u + j;
		objs[i] = w;
		others[i] = kmalloc(8 + i % 700, GFP_KERNEL);
	}
	for (i = 0; i < N; i++) {
		kma_kmem_cache_free(c, objs[i]);
		kfree(others[i]);
	}
	for (i = 0; i < N; i++) {
		uint64_t *w = kma_kmem_cache_alloc(c, GFP_KERNEL);

		KT_ASSERT_NOT_NULL(t, w);
		for (j = 0; j < 8; j++)
			bad += w[j] != 0xc0de0000u + j;
		objs[i] = w;
	}
	KT_EXPECT_EQ(t, bad, 0);
	report_capture_begin();
	kma_kmem_cache_free(c, objs[0]);
	kma_kmem_cache_free(c, objs[0]);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "in quarantine");
	for (i = 1; i < N; i++)
		kma_kmem_cache_free(c, objs[i]);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

/*
 * A cache destroyed while the quarantine holds objects freed to it: they
 * are free, so the destroy succeeds with no report.
 */
static void test_debug_destroy_with_quarantine(struct ktest *t)
{
	uint64_t before = test_mm_free_frames();
	struct kma_kmem_cache *c;
	unsigned int i;

	debug_on_or_fail(t, KMA_DEBUG_QUARANTINE);
	c = kma_kmem_cache_create("debug-q", 200, 0, 0, NULL);
	KT_ASSERT_NOT_NULL(t, c);
	for (i = 0; i < 16; i++) {
		objs[i] = kma_kmem_cache_alloc(c, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, objs[i]);
	}
	for (i = 0; i < 16; i++)
		kma_kmem_cache_free(c, objs[i]);
	report_capture_begin();
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 0);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

static struct ktest_case debug_cases[] = {
	KTEST_CASE(test_debug_parse),
	KTEST_CASE(test_debug_quarantine_stale_free),
	KTEST_CASE(test_debug_poison_write_after_free),
	KTEST_CASE(test_debug_delays_reuse),
	KTEST_CASE(test_debug_init),
	KTEST_CASE(test_debug_redzone_track),
	KTEST_CASE(test_debug_cache_and_frames),
	KTEST_CASE(test_debug_destroy_with_quarantine),
	{}
};
KTEST_SUITE(debug, debug_cases);
