// SPDX-License-Identifier: MIT
/*
 * kmem_cache_test.c - object caches on one CPU: geometry and alignment,
 * constructors (run once per object, constructed state kept across frees),
 * the shared fast path (LIFO reuse, kfree() of a cache's object), bulk
 * calls, every misuse and limit reported, destroy with objects left, and
 * exact frame accounting across create and destroy.
 *
 * Runs on the host and inside the kernels (no libc).
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/slab.h>
#include <kma/frame.h>
#include "test_report.h"
#include "test_mm.h"
#include "../mm/heap.h"

#define NOBJ	1000

static void *objs[NOBJ];

/* Fill @n bytes of @p with a pattern of @seed; check it. */
static void fill(void *p, size_t n, uint32_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(seed * 31 + i);
}

static bool check(const void *p, size_t n, uint32_t seed)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (uint8_t)(seed * 31 + i))
			return false;
	return true;
}

static bool check_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/*
 * Every size and alignment: objects aligned, disjoint (each keeps its
 * own pattern while all are live), spans within the tail bound, and
 * every frame back after destroy.
 */
static void test_kmem_cache_geometry(struct ktest *t)
{
	static const struct { uint32_t size, align; unsigned long flags; }
	cases[] = {
		{ 1, 0, 0 }, { 8, 0, 0 }, { 24, 0, 0 }, { 40, 0, 0 },
		{ 24, 64, 0 }, { 100, 128, 0 }, { 200, 0, 0 },
		{ 33, 0, KMA_SLAB_HWCACHE_ALIGN }, { 12, 0, KMA_SLAB_HWCACHE_ALIGN },
		{ 700, 0, 0 }, { 1500, 512, 0 }, { 3000, 0, 0 },
		{ 4000, 4096, 0 }, { 5000, 0, 0 }, { 12345, 0, 0 },
		{ 30000, 0, 0 }, { 32768, 0, 0 },
	};
	uint64_t before = test_mm_free_frames();
	unsigned int k, i;

	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct kma_kmem_cache *c;
		uint32_t align, n = NOBJ, span;
		size_t usable;

		c = kma_kmem_cache_create("geometry", cases[k].size,
					  cases[k].align, cases[k].flags, NULL);
		KT_ASSERT_NOT_NULL(t, c);
		usable = kma_kmem_cache_size(c);
		KT_EXPECT_GE(t, usable, cases[k].size);
		align = cases[k].align > 8 ? cases[k].align : 8;
		if (cases[k].flags && cases[k].size > 32)
			align = 64;
		KT_EXPECT_EQ(t, c->size % align, 0);
		span = c->pages * (uint32_t)PAGE_SIZE;
		KT_EXPECT_EQ(t, c->objs, span / c->size);
		KT_EXPECT_LE(t, (span - c->objs * c->size) * 8, span);
		if (cases[k].size > 4096)
			n = 64;
		for (i = 0; i < n; i++) {
			objs[i] = kma_kmem_cache_alloc(c, GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, objs[i]);
			KT_EXPECT_EQ(t, (uintptr_t)objs[i] % align, 0);
			fill(objs[i], usable, i);
		}
		for (i = 0; i < n; i++)
			if (!check(objs[i], usable, i))
				ktest_fail(t, __FILE__, __LINE__,
					   "size %u: object %u overwritten",
					   (unsigned int)cases[k].size, i);
		KT_EXPECT_EQ(t, kmalloc_validate(), 0);
		for (i = 0; i < n; i++)
			kma_kmem_cache_free(c, objs[i]);
		KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
	}
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

/* The fast path: the object freed last comes back first, from kfree too. */
static void test_kmem_cache_lifo(struct ktest *t)
{
	struct kma_kmem_cache *c = kma_kmem_cache_create("lifo", 96, 0, 0,
							  NULL);
	void *p, *q;

	KT_ASSERT_NOT_NULL(t, c);
	p = kma_kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	kma_kmem_cache_free(c, p);
	q = kma_kmem_cache_alloc(c, GFP_KERNEL);
	KT_EXPECT(t, q == p);
	kfree(q);			/* kfree() takes a cache's objects */
	q = kma_kmem_cache_alloc(c, __GFP_ZERO);
	KT_EXPECT(t, q == p);
	KT_EXPECT(t, check_zero(q, 96));
	KT_EXPECT_EQ(t, ksize(q), 96);
	kma_kmem_cache_free(c, q);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
}

static unsigned int ctor_calls;

struct ctor_obj {
	uint64_t magic;		/* the first word: kept while free */
	uint32_t id;
	uint8_t bytes[52];
};

static void obj_ctor(void *p)
{
	struct ctor_obj *o = p;
	unsigned int i;

	ctor_calls++;
	o->magic = 0x5eed5eed5eed5eedULL;
	o->id = ctor_calls;
	for (i = 0; i < sizeof(o->bytes); i++)
		o->bytes[i] = (uint8_t)i;
}

static bool constructed(const struct ctor_obj *o)
{
	unsigned int i;

	if (o->magic != 0x5eed5eed5eed5eedULL || !o->id)
		return false;
	for (i = 0; i < sizeof(o->bytes); i++)
		if (o->bytes[i] != (uint8_t)i)
			return false;
	return true;
}

/*
 * A constructor runs once per object, when its span is built; the
 * objects come back constructed after kmem_cache_free() and kfree(),
 * from the CPU cache and after a drain through the central and the spans.
 */
static void test_kmem_cache_ctor(struct ktest *t)
{
	uint64_t before = test_mm_free_frames();
	struct kma_kmem_cache *c;
	unsigned int i, calls, bad = 0;

	ctor_calls = 0;
	c = kma_kmem_cache_create("ctor", sizeof(struct ctor_obj), 0, 0,
				  obj_ctor);
	KT_ASSERT_NOT_NULL(t, c);
	KT_EXPECT_EQ(t, kma_kmem_cache_size(c), sizeof(struct ctor_obj));
	for (i = 0; i < NOBJ; i++) {
		objs[i] = kma_kmem_cache_alloc(c, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, objs[i]);
		bad += !constructed(objs[i]);
	}
	KT_EXPECT_EQ(t, bad, 0);
	/* Whole spans were built: the calls are a multiple of a span's. */
	KT_EXPECT_GE(t, ctor_calls, NOBJ);
	KT_EXPECT_EQ(t, ctor_calls % c->objs, 0);
	calls = ctor_calls;
	for (i = 0; i < NOBJ; i++) {
		if (i & 1)
			kfree(objs[i]);
		else
			kma_kmem_cache_free(c, objs[i]);
	}
	for (i = 0; i < NOBJ; i++) {
		objs[i] = kma_kmem_cache_alloc(c, GFP_KERNEL);
		bad += !objs[i] || !constructed(objs[i]);
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, ctor_calls, calls);	/* no span built again */
	for (i = 0; i < NOBJ; i++)
		kma_kmem_cache_free(c, objs[i]);
	test_mm_quiesce();		/* through the central and the spans */
	for (i = 0; i < NOBJ; i++) {
		objs[i] = kma_kmem_cache_alloc(c, GFP_KERNEL);
		bad += !objs[i] || !constructed(objs[i]);
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	report_capture_begin();
	kma_kmem_cache_free(c, kma_kmem_cache_alloc(c, __GFP_ZERO));
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "__GFP_ZERO with a constructor");
	for (i = 0; i < NOBJ; i++)
		kma_kmem_cache_free(c, objs[i]);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

/* Bulk calls: all or nothing, every object usable. */
static void test_kmem_cache_bulk(struct ktest *t)
{
	struct kma_kmem_cache *c = kma_kmem_cache_create("bulk", 256, 0, 0,
							  NULL);
	unsigned int i, bad = 0;

	KT_ASSERT_NOT_NULL(t, c);
	KT_EXPECT_EQ(t, kma_kmem_cache_alloc_bulk(c, GFP_KERNEL, NOBJ, objs),
		     NOBJ);
	for (i = 0; i < NOBJ; i++)
		fill(objs[i], 256, i);
	for (i = 0; i < NOBJ; i++)
		bad += !check(objs[i], 256, i);
	KT_EXPECT_EQ(t, bad, 0);
	kma_kmem_cache_free_bulk(c, NOBJ, objs);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
}

/* Every misuse is reported before it can hand an object out twice. */
static void test_kmem_cache_misuse(struct ktest *t)
{
	struct kma_kmem_cache *a = kma_kmem_cache_create("a", 64, 0, 0, NULL);
	struct kma_kmem_cache *b = kma_kmem_cache_create("b", 64, 0, 0,
							  obj_ctor);
	char *p, *q, *k;

	KT_ASSERT_NOT_NULL(t, a);
	KT_ASSERT_NOT_NULL(t, b);
	p = kma_kmem_cache_alloc(a, GFP_KERNEL);
	q = kma_kmem_cache_alloc(b, GFP_KERNEL);
	k = kmalloc(64, GFP_KERNEL);
	KT_ASSERT(t, p && q && k);

	report_capture_begin();
	kma_kmem_cache_free(b, p);		/* another cache's object */
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "another cache");
	kma_kmem_cache_free(a, k);		/* a kmalloc() object */
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "another cache");
	kma_kmem_cache_free(a, p + 8);		/* interior */
	KT_EXPECT_REPORT(t, MM_ERR_INTERIOR_FREE, "not the start");
	kma_kmem_cache_free(a, (void *)&ctor_calls);	/* not the heap */
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "not a heap address");
	kma_kmem_cache_free(a, p);
	kma_kmem_cache_free(a, p);		/* double, in the CPU cache */
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	kfree(p);				/* and through kfree() */
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	kma_kmem_cache_free(b, q);
	kfree(q);				/* constructor cache, kfree() */
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	kma_kmem_cache_free(b, q);
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	report_capture_end();

	/* The heap and both caches still work; one object each, once. */
	KT_EXPECT(t, kma_kmem_cache_alloc(a, GFP_KERNEL) == p);
	objs[0] = kma_kmem_cache_alloc(a, GFP_KERNEL);
	KT_EXPECT(t, objs[0] && objs[0] != p);
	KT_EXPECT(t, kma_kmem_cache_alloc(b, GFP_KERNEL) == q);
	KT_EXPECT(t, constructed((void *)q));
	objs[1] = kma_kmem_cache_alloc(b, GFP_KERNEL);
	KT_EXPECT(t, objs[1] && objs[1] != q);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	kfree(k);

	/* Destroy with objects left: reported, the cache stays usable. */
	report_capture_begin();
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(a), -1);
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "2 objects");
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(b), -1);
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "still allocated");
	report_capture_end();
	k = kma_kmem_cache_alloc(a, GFP_KERNEL);
	KT_EXPECT(t, (k) != NULL);
	kma_kmem_cache_free(a, k);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	kma_kmem_cache_free(a, p);
	kma_kmem_cache_free(a, objs[0]);
	kma_kmem_cache_free(b, q);
	kma_kmem_cache_free(b, objs[1]);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(a), 0);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(b), 0);
}

/* Bad arguments and running out of caches are reported; NULL returned. */
static void test_kmem_cache_limits(struct ktest *t)
{
	static struct kma_kmem_cache *all[KMA_MAX_KMEM_CACHES + 1];
	unsigned int i, n = 0;

	report_capture_begin();
	KT_EXPECT_NULL(t, kma_kmem_cache_create("z", 0, 0, 0, NULL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "not in 1..");
	KT_EXPECT_NULL(t, kma_kmem_cache_create("big", 40000, 0, 0, NULL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "not in 1..");
	KT_EXPECT_NULL(t, kma_kmem_cache_create("a3", 64, 3, 0, NULL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_ALIGN, "power of two");
	KT_EXPECT_NULL(t, kma_kmem_cache_create("a8k", 64, 8192, 0, NULL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_ALIGN, "power of two");
	KT_EXPECT_NULL(t, kma_kmem_cache_create("fl", 64, 0, 0x1, NULL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "unsupported flags");
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy((void *)objs), -1);
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "not a live cache");
	report_capture_end();

	for (i = 0; i <= KMA_MAX_KMEM_CACHES; i++) {
		report_capture_begin();
		all[i] = kma_kmem_cache_create("many", 16 + 8 * i, 0, 0, NULL);
		report_capture_end();
		if (!all[i])
			break;
		n++;
	}
	KT_EXPECT_EQ(t, n, KMA_MAX_KMEM_CACHES);
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT(t, report_msg_has("KMA_MAX_KMEM_CACHES"));
	for (i = 0; i < n; i++) {
		void *p = kma_kmem_cache_alloc(all[i], GFP_KERNEL);

		KT_EXPECT(t, (p) != NULL);
		kma_kmem_cache_free(all[i], p);
		KT_EXPECT_EQ(t, kma_kmem_cache_destroy(all[i]), 0);
	}
	/* Destroyed: a cache's slot serves the next one. */
	all[0] = kma_kmem_cache_create("again", 48, 0, 0, NULL);
	KT_EXPECT(t, (all[0]) != NULL);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(all[0]), 0);
}

/*
 * Caches made and destroyed many times over, more than there are slots:
 * every frame comes back each time.
 */
static void test_kmem_cache_churn(struct ktest *t)
{
	uint64_t before = test_mm_free_frames();
	unsigned int round, i;

	for (round = 0; round < 3 * KMA_MAX_KMEM_CACHES; round++) {
		struct kma_kmem_cache *c;

		c = kma_kmem_cache_create("churn", 8 + 24 * round,
					  round & 1 ? 64 : 0, 0,
					  round % 3 ? NULL : obj_ctor);
		KT_ASSERT_NOT_NULL(t, c);
		for (i = 0; i < 300; i++)
			KT_ASSERT_NOT_NULL(t, objs[i] =
				kma_kmem_cache_alloc(c, GFP_KERNEL));
		for (i = 0; i < 300; i++)
			kma_kmem_cache_free(c, objs[i]);
		KT_ASSERT_EQ(t, kma_kmem_cache_destroy(c), 0);
	}
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

static struct ktest_case kmem_cache_cases[] = {
	KTEST_CASE(test_kmem_cache_geometry),
	KTEST_CASE(test_kmem_cache_lifo),
	KTEST_CASE(test_kmem_cache_ctor),
	KTEST_CASE(test_kmem_cache_bulk),
	KTEST_CASE(test_kmem_cache_misuse),
	KTEST_CASE(test_kmem_cache_limits),
	KTEST_CASE(test_kmem_cache_churn),
	{}
};
KTEST_SUITE(slab, kmem_cache_cases);
