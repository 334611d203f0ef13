// SPDX-License-Identifier: MIT
/*
 * kmalloc_test.c - the object heap on one CPU: classes, alignment,
 * zeroing, krealloc, a random workload against a shadow model, exact
 * frame accounting, out-of-memory, the tiny allocator, and every misuse.
 *
 * Runs on the host and inside the kernels (no libc). Each case starts
 * from a quiesced heap (this CPU's cache drained, everything scavenged)
 * and the accounting cases compare free frame counts before and after.
 */
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma/port.h>
#include "test_report.h"
#include "test_mm.h"
#include "../mm/heap.h"

static struct ktest_rng rng = { 0x9e3779b97f4a7c15ULL };

static uint64_t rnd(void)
{
	return ktest_rand(&rng);
}

static void fill(void *p, size_t n, uint8_t seed)
{
	uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
}

static bool check(const void *p, size_t n, uint8_t seed)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i] != (uint8_t)(seed + i * 7))
			return false;
	return true;
}

static void test_kmalloc_zero_size(struct ktest *t)
{
	void *p = kmalloc(0, GFP_KERNEL);

	KT_EXPECT(t, p == ZERO_SIZE_PTR);
	KT_EXPECT_EQ(t, ksize(p), 0);
	kfree(p);
	kfree(NULL);
	KT_EXPECT_EQ(t, ksize(NULL), 0);
}

/* Every class: fill three spans' worth plus one, check, free. */
static void test_kmalloc_every_class(struct ktest *t)
{
	static void *objs[3 * SPAN_MAX_OBJS + 1];
	uint64_t before = test_mm_free_frames();
	unsigned int cls;

	for (cls = 1; cls < SC_NR; cls++) {
		uint32_t size = sc_size[cls], n = 3 * sc_objs[cls] + 1, i;

		for (i = 0; i < n; i++) {
			objs[i] = kmalloc(size, GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, objs[i]);
			KT_ASSERT_EQ(t, ksize(objs[i]), size);
			fill(objs[i], size < 64 ? size : 64, (uint8_t)i);
		}
		for (i = 0; i < n; i++)
			KT_ASSERT(t, check(objs[i], size < 64 ? size : 64,
					   (uint8_t)i));
		KT_ASSERT_EQ(t, kmalloc_validate(), 0);
		for (i = 0; i < n; i++)
			kfree(objs[i]);
	}
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

static void test_kmalloc_alignment(struct ktest *t)
{
	size_t size;

	for (size = 1; size <= 40000; size += size < 512 ? 1 : 97) {
		void *p = kmalloc(size, GFP_KERNEL);
		uintptr_t a = (uintptr_t)p;
		size_t need = size >= 16 ? 16 : 8;

		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_EQ(t, a % need, 0);
		KT_EXPECT_GE(t, ksize(p), size);
		kfree(p);
	}
	/* Power-of-two sizes are naturally aligned, up to 4 MiB; hold a
	 * few at once so they cannot all land on a lucky address. */
	for (size = 8; size <= (PAGE_SIZE << FRAME_MAX_ORDER); size *= 2) {
		void *p[3];
		int i;

		for (i = 0; i < 3; i++) {
			p[i] = kmalloc(size, GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, p[i]);
			KT_EXPECT_EQ(t, (uintptr_t)p[i] % size, 0);
		}
		for (i = 0; i < 3; i++)
			kfree(p[i]);
	}
}

static void test_kmalloc_aligned_variant(struct ktest *t)
{
	size_t align, size;

	for (align = 1; align <= CHUNK_SIZE; align *= 2) {
		for (size = 1; size <= 3 * align && size < 300000;
		     size = size * 3 + 1) {
			void *p = kmalloc_aligned(size, align, GFP_KERNEL);

			KT_ASSERT_NOT_NULL(t, p);
			KT_EXPECT_EQ(t, (uintptr_t)p % align, 0);
			KT_EXPECT_GE(t, ksize(p), size);
			fill(p, size, 3);
			KT_EXPECT(t, check(p, size, 3));
			kfree(p);
		}
	}
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/*
 * Sizes beyond the frame allocator's largest block (4 MiB) with an
 * alignment above a page: served by a run, never NULL while memory is
 * free.
 */
static void test_kmalloc_aligned_beyond_block(struct ktest *t)
{
	static const struct {
		size_t size, align;
	} c[] = {
		{ (5u << 20), 8192 },
		{ (4u << 20) + 1, CHUNK_SIZE },
		{ (6u << 20) + 12345, 65536 },
		{ (8u << 20), CHUNK_SIZE },
		{ (4u << 20) + PAGE_SIZE, 2 * PAGE_SIZE },
	};
	unsigned int i;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		char *p = kmalloc_aligned(c[i].size, c[i].align, GFP_KERNEL);

		KT_ASSERT_NOT_NULL(t, p);
		KT_EXPECT_EQ(t, (uintptr_t)p % c[i].align, 0);
		KT_EXPECT_GE(t, ksize(p), c[i].size);
		p[0] = 1;
		p[c[i].size - 1] = 2;
		kfree(p);
	}
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

static void test_kmalloc_kzalloc_reused(struct ktest *t)
{
	static void *objs[600];
	static const size_t sizes[] = { 8, 24, 100, 1024, 5000, 40000 };
	unsigned int k, i;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		/* Dirty a span's worth, free, then kzalloc over it. */
		for (i = 0; i < 600; i++) {
			objs[i] = kmalloc(sizes[k], GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, objs[i]);
			mm_memset(objs[i], 0xa5, sizes[k]);
		}
		for (i = 0; i < 600; i++)
			kfree(objs[i]);
		for (i = 0; i < 600; i++) {
			uint8_t *p = kzalloc(sizes[k], GFP_KERNEL);
			size_t j;

			KT_ASSERT_NOT_NULL(t, p);
			for (j = 0; j < sizes[k]; j++)
				if (p[j])
					break;
			KT_ASSERT_EQ(t, j, sizes[k]);
			objs[i] = p;
		}
		for (i = 0; i < 600; i++)
			kfree(objs[i]);
	}
	{
		uint32_t *a = kcalloc(1000, sizeof(uint32_t), GFP_KERNEL);

		KT_ASSERT_NOT_NULL(t, a);
		for (i = 0; i < 1000; i++)
			KT_ASSERT_EQ(t, a[i], 0);
		kfree(a);
	}
}

static void test_kmalloc_krealloc(struct ktest *t)
{
	static const size_t steps[] = {
		8, 100, 5000, 32768, 40000, 3 << 20, 100, 17, 0
	};
	size_t prev = 8, i;
	uint8_t *p = kmalloc(8, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	fill(p, 8, 9);
	for (i = 1; steps[i]; i++) {
		size_t keep = prev < steps[i] ? prev : steps[i];
		uint8_t *q = krealloc(p, steps[i], GFP_KERNEL);

		KT_ASSERT_NOT_NULL(t, q);
		KT_ASSERT(t, check(q, keep, 9));
		KT_EXPECT_GE(t, ksize(q), steps[i]);
		fill(q, steps[i], 9);
		p = q;
		prev = steps[i];
	}
	p = krealloc(p, 0, GFP_KERNEL);
	KT_EXPECT(t, p == ZERO_SIZE_PTR);
	p = krealloc(NULL, 50, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, p);
	KT_EXPECT_EQ(t, p[49], 0);
	kfree(p);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

#define SHADOW_SLOTS 1500

struct shadow {
	uint8_t *p;
	size_t size;
	uint8_t seed;
};

static size_t random_size(void)
{
	uint64_t r = rnd();

	switch (r % 16) {
	case 0:
		return 32769 + (r >> 8) % 100000;	/* large */
	case 1:
		/* Now and then a huge one: a few live at a time. */
		return (r % 1024 == 1) ? (1 << 20) + (r >> 8) % (3 << 20) :
		       4096 + (r >> 8) % 28672;
	default:
		return 1 + (r >> 8) % (r % 3 ? 256 : 4096);
	}
}

static bool no_overlap(struct shadow *sh, unsigned int n)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		if (!sh[i].p)
			continue;
		for (j = i + 1; j < n; j++) {
			if (!sh[j].p)
				continue;
			if (sh[i].p < sh[j].p + sh[j].size &&
			    sh[j].p < sh[i].p + sh[i].size)
				return false;
		}
	}
	return true;
}

static void test_kmalloc_shadow_random(struct ktest *t)
{
	static struct shadow sh[SHADOW_SLOTS];
	uint64_t before = test_mm_free_frames();
	unsigned int phase, i, k;

	for (phase = 0; phase < 4; phase++) {
		for (k = 0; k < 20000; k++) {
			struct shadow *s = &sh[rnd() % SHADOW_SLOTS];

			if (s->p) {
				KT_ASSERT(t, check(s->p, s->size, s->seed));
				if (rnd() % 4 == 0) {
					size_t n = random_size();
					size_t keep = n < s->size ? n : s->size;
					uint8_t *q = krealloc(s->p, n, GFP_KERNEL);

					KT_ASSERT_NOT_NULL(t, q);
					KT_ASSERT(t, check(q, keep, s->seed));
					s->p = q;
					s->size = n;
					fill(q, n, s->seed);
					continue;
				}
				kfree(s->p);
				s->p = NULL;
				continue;
			}
			s->size = random_size();
			s->seed = (uint8_t)rnd();
			s->p = kmalloc(s->size,
				       (rnd() % 8 == 0 && s->size < 16) ?
				       GFP_NOSCAN : GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, s->p);
			fill(s->p, s->size, s->seed);
		}
		KT_ASSERT(t, no_overlap(sh, SHADOW_SLOTS));
		for (i = 0; i < SHADOW_SLOTS; i++)
			if (sh[i].p)
				KT_ASSERT(t, check(sh[i].p, sh[i].size,
						   sh[i].seed));
		KT_ASSERT_EQ(t, kmalloc_validate(), 0);
	}
	for (i = 0; i < SHADOW_SLOTS; i++) {
		kfree(sh[i].p);
		sh[i].p = NULL;
	}
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

/* Exhaust memory with one size; free; the same count fits again. */
static unsigned long fill_until_null(size_t size)
{
	void *head = NULL, *p;
	unsigned long n = 0;

	while ((p = kmalloc(size, GFP_KERNEL))) {
		*(void **)p = head;
		head = p;
		n++;
	}
	while (head) {
		p = *(void **)head;
		kfree(head);
		head = p;
	}
	return n;
}

/*
 * Ballast: on a machine with much memory, take all but about 128 MiB
 * straight from the frame allocator (untouched 4 MiB blocks, chained
 * through their first word) so that exhausting the heap stays quick.
 */
static phys_addr_t ballast_take(void)
{
	phys_addr_t head = FRAME_NONE, pa;
	struct frame_stats fs;

	frame_get_stats(&fs);
	while (fs.free > (128ULL << 20) / FRAME_SIZE + (1 << FRAME_MAX_ORDER)) {
		pa = frame_alloc(FRAME_MAX_ORDER);
		if (pa == FRAME_NONE)
			break;
		*(phys_addr_t *)port_phys_to_virt(pa) = head;
		head = pa;
		fs.free -= 1 << FRAME_MAX_ORDER;
	}
	return head;
}

static void ballast_give(phys_addr_t head)
{
	while (head != FRAME_NONE) {
		phys_addr_t next = *(phys_addr_t *)port_phys_to_virt(head);

		frame_free(head, FRAME_MAX_ORDER);
		head = next;
	}
}

static void test_kmalloc_oom_recovers(struct ktest *t)
{
	static const size_t sizes[] = { 1024, 32768, 256 << 10, 3 << 20 };
	phys_addr_t ballast;
	uint64_t before;
	unsigned int k;

	test_mm_quiesce();
	ballast = ballast_take();
	before = test_mm_free_frames();
	report_capture_begin();
	for (k = 0; k < 4; k++) {
		unsigned long a = fill_until_null(sizes[k]);
		unsigned long b;

		KT_EXPECT_EQ(t, test_mm_free_frames(), before);
		b = fill_until_null(sizes[k]);
		ktest_log(t, "size %zu: %lu then %lu objects", sizes[k], a, b);
		KT_EXPECT_GT(t, a, 0);
		KT_EXPECT_EQ(t, a, b);
		KT_EXPECT_EQ(t, test_mm_free_frames(), before);
	}
	report_capture_end();
	ballast_give(ballast);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

static void test_kmalloc_tiny(struct ktest *t)
{
	uint64_t before = test_mm_free_frames();
	uint8_t *a = kmalloc(3, GFP_NOSCAN);
	uint8_t *b = kmalloc(4, GFP_NOSCAN);
	uint8_t *c = kmalloc(2, GFP_NOSCAN);
	uint8_t *d = kmalloc(8, GFP_NOSCAN);
	static uint8_t *many[5000];
	unsigned int i;

	KT_ASSERT(t, a && b && c && d);
	/* a at 0, b at 4 (4-aligned), c at 8; d, a multiple of 8, is an
	 * object of the 8-byte class (half a block either way). */
	KT_EXPECT_EQ(t, b - a, 4);
	KT_EXPECT_EQ(t, c - a, 8);
	KT_EXPECT_EQ(t, (uintptr_t)d % 8, 0);
	KT_EXPECT_EQ(t, span_of((uintptr_t)a)->spc, SPC_TINY);
	KT_EXPECT_EQ(t, span_of((uintptr_t)d)->spc, sc_of_size(8));
	KT_EXPECT_EQ(t, ksize(a), 4);
	KT_EXPECT_EQ(t, ksize(b), 4);
	kfree(b);
	kfree(a);
	kfree(c);
	kfree(d);
	/* Its pieces all freed, the CPU's block is filled again in place. */
	KT_EXPECT(t, kmalloc(1, GFP_NOSCAN) == a);
	kfree(a);
	for (i = 0; i < 5000; i++) {
		size_t n = 1 + rnd() % 15;

		many[i] = kmalloc(n, GFP_NOSCAN);
		KT_ASSERT_NOT_NULL(t, many[i]);
		mm_memset(many[i], (int)i, n);
		KT_ASSERT_GE(t, ksize(many[i]), n);
	}
	for (i = 0; i < 5000; i++)
		kfree(many[i]);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

static void test_kmalloc_stats(struct ktest *t)
{
	static void *objs[1000];
	struct kmalloc_stats a, b;
	unsigned int cls = sc_of_size(96), i;

	test_mm_quiesce();
	kmalloc_get_stats(&a);
	for (i = 0; i < 1000; i++)
		objs[i] = kmalloc(96, GFP_KERNEL);
	kmalloc_get_stats(&b);
	KT_EXPECT_EQ(t, b.cls[cls].objs_in_use - a.cls[cls].objs_in_use, 1000);
	KT_EXPECT_GE(t, b.cls[cls].objs_total, 1000);
	KT_EXPECT_GT(t, b.heap_sys, 0);
	KT_EXPECT_EQ(t, b.heap_sys, b.heap_inuse + b.heap_idle);
	for (i = 0; i < 1000; i++)
		kfree(objs[i]);
	test_mm_quiesce();
	kmalloc_get_stats(&b);
	KT_EXPECT_EQ(t, b.cls[cls].objs_in_use, a.cls[cls].objs_in_use);
	kmalloc_dump_meminfo();
	kmalloc_dump_slabinfo();
}

/* --- misuse: each reported exactly once, heap intact afterwards --- */

static void heap_still_works(struct ktest *t)
{
	void *p = kmalloc(64, GFP_KERNEL), *q = kmalloc(100000, GFP_KERNEL);

	KT_EXPECT(t, p && q);
	kfree(p);
	kfree(q);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/*
 * The page API: blocks of 2^order pages, aligned to their size, zeroed on
 * request, given back exactly; misuse reported like frame_free()'s; the
 * only metadata is the frame allocator's (none added per block).
 */
static void test_pages_api(struct ktest *t)
{
	static unsigned long pg[256];
	struct frame_stats a, b;
	unsigned int order, i;
	unsigned long p;

	test_mm_quiesce();
	frame_get_stats(&a);
	for (order = 0; order <= 4; order++) {
		size_t bytes = (size_t)PAGE_SIZE << order;
		unsigned char *q;

		p = __get_free_pages(GFP_KERNEL, order);
		KT_ASSERT_NE(t, p, 0);
		KT_EXPECT_EQ(t, p % bytes, 0);
		mm_memset((void *)p, 0x5a, bytes);
		free_pages(p, order);
		p = __get_free_pages(GFP_KERNEL | __GFP_ZERO, order);
		KT_ASSERT_NE(t, p, 0);
		q = (unsigned char *)p;
		KT_EXPECT(t, q[0] == 0 && q[bytes / 2] == 0 && q[bytes - 1] == 0);
		free_pages(p, order);
	}
	p = get_zeroed_page(GFP_KERNEL);
	KT_ASSERT_NE(t, p, 0);
	KT_EXPECT_EQ(t, *(unsigned long *)p, 0);
	KT_EXPECT_EQ(t, (unsigned long)(uintptr_t)page_address(virt_to_page(
			(void *)p)), p);
	free_page(p);
	__free_pages(alloc_pages(GFP_KERNEL, 2), 2);
	free_pages(0, 3);			/* nothing */
	/* 256 pages: 256 frames, no metadata beyond the frame allocator's. */
	for (i = 0; i < 256; i++) {
		pg[i] = __get_free_page(GFP_KERNEL);
		KT_ASSERT_NE(t, pg[i], 0);
	}
	frame_get_stats(&b);
	KT_EXPECT_EQ(t, a.free - b.free, 256);
	KT_EXPECT_EQ(t, b.metadata_bytes, a.metadata_bytes);
	KT_EXPECT_LE(t, b.metadata_bytes * 100, b.managed * FRAME_SIZE);
	for (i = 0; i < 256; i++)
		free_page(pg[i]);
	/* Misuse: a wrong order and a second free are reported, ignored. */
	p = __get_free_pages(GFP_KERNEL, 1);
	KT_ASSERT_NE(t, p, 0);
	report_capture_begin();
	free_pages(p, 0);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_WRONG_ORDER, "");
	free_pages(p, 1);
	report_capture_begin();
	free_pages(p, 1);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_DOUBLE_FREE);
	report_capture_begin();
	KT_EXPECT_EQ(t, __get_free_pages(GFP_KERNEL, FRAME_MAX_ORDER + 1), 0);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "order");
	test_mm_quiesce();
	frame_get_stats(&b);
	KT_EXPECT_EQ(t, b.free, a.free);
}

static void test_misuse_double_free_cached(struct ktest *t)
{
	void *p = kmalloc(48, GFP_KERNEL);

	report_capture_begin();
	kfree(p);
	kfree(p);		/* still in this CPU's span, unswept */
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "kfree(");
	KT_EXPECT(t, report_msg_has("already freed"));
	KT_EXPECT(t, report_msg_has("class"));
	heap_still_works(t);
}

static void test_misuse_double_free_swept(struct ktest *t)
{
	void *p = kmalloc(48, GFP_KERNEL);

	kfree(p);
	test_mm_quiesce();		/* the free is swept in */
	report_capture_begin();
	kfree(p);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT(t, report_cap.last_error == MM_ERR_DOUBLE_FREE ||
		     report_cap.last_error == MM_ERR_INVALID_FREE);
	heap_still_works(t);
}

static void test_misuse_interior(struct ktest *t)
{
	char *p = kmalloc(100, GFP_KERNEL);
	char *l = kmalloc(100000, GFP_KERNEL);

	report_capture_begin();
	kfree(p + 8);
	KT_EXPECT_REPORT(t, MM_ERR_INTERIOR_FREE, "not the start of an object");
	report_cap.count = 0;
	kfree(l + 4096);
	KT_EXPECT_REPORT(t, MM_ERR_INTERIOR_FREE, "large object");
	report_cap.count = 0;
	KT_EXPECT_EQ(t, ksize(p + 1), 0);
	KT_EXPECT_REPORT(t, MM_ERR_INTERIOR_FREE, "ksize(");
	report_cap.count = 0;
	KT_EXPECT(t, krealloc(p + 1, 200, GFP_KERNEL) == NULL);
	KT_EXPECT_REPORT(t, MM_ERR_INTERIOR_FREE, "krealloc(");
	report_capture_end();
	/* The real objects are untouched and still free normally. */
	KT_EXPECT_EQ(t, ksize(p), 112);
	kfree(p);
	kfree(l);
	heap_still_works(t);
}

static int static_object;

static void test_misuse_foreign(struct ktest *t)
{
	int local;
	char *p, *never;

	test_mm_quiesce();		/* p gets a fresh span */
	p = kmalloc(256, GFP_KERNEL);
	report_capture_begin();
	kfree(&static_object);		/* kernel image / program data */
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "not a heap address");
	report_cap.count = 0;
	kfree(&local);			/* stack */
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "not a heap address");
	report_cap.count = 0;
	kfree(heap.map);			/* allocator metadata */
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "not a heap address");
	report_cap.count = 0;
	kfree(span_of((uintptr_t)p));	/* a span descriptor */
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "not a heap address");
	report_cap.count = 0;
	/* A slot of p's span that was never handed out. */
	never = (char *)span_of((uintptr_t)p)->base +
		(span_of((uintptr_t)p)->nobjs - 1) * 256;
	if (never != p) {
		kfree(never);
		KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "never allocated");
		report_cap.count = 0;
	}
	KT_EXPECT_EQ(t, ksize(&local), 0);
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "ksize(");
	report_capture_end();
	kfree(p);
	heap_still_works(t);
}

static void test_misuse_large_double(struct ktest *t)
{
	void *l = kmalloc(200000, GFP_KERNEL);
	void *h = kmalloc(3 << 20, GFP_KERNEL);

	KT_ASSERT(t, l && h);
	kfree(l);
	kfree(h);
	report_capture_begin();
	kfree(l);
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT(t, report_cap.last_error == MM_ERR_INVALID_FREE ||
		     report_cap.last_error == MM_ERR_DOUBLE_FREE);
	report_cap.count = 0;
	kfree(h);
	KT_EXPECT_EQ(t, report_cap.count, 1);
	report_capture_end();
	heap_still_works(t);
}

static void test_misuse_tiny(struct ktest *t)
{
	uint8_t *a = kmalloc(4, GFP_NOSCAN), *b = kmalloc(4, GFP_NOSCAN);

	report_capture_begin();
	kfree(a + 1);
	KT_EXPECT_REPORT(t, MM_ERR_INTERIOR_FREE, "tiny piece");
	report_cap.count = 0;
	kfree(a);
	kfree(a);
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "tiny piece already freed");
	report_capture_end();
	kfree(b);
	/* The piece allocated last, taken back by its free, freed again. */
	a = kmalloc(4, GFP_NOSCAN);
	b = kmalloc(4, GFP_NOSCAN);
	KT_ASSERT(t, a && b && b == a + 4);
	report_capture_begin();
	kfree(b);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	kfree(b);
	KT_EXPECT_REPORT(t, MM_ERR_INVALID_FREE, "freed already");
	report_capture_end();
	/* Taken back, its place is the next piece's. */
	KT_EXPECT(t, kmalloc(4, GFP_NOSCAN) == b);
	kfree(b);
	kfree(a);
	heap_still_works(t);
}

static void test_misuse_sizes(struct ktest *t)
{
	report_capture_begin();
	KT_EXPECT_NULL(t, kmalloc_array((size_t)1 << (sizeof(size_t) * 4),
				     (size_t)1 << (sizeof(size_t) * 4), 0));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "overflows");
	report_cap.count = 0;
	KT_EXPECT_NULL(t, kmalloc((size_t)-1, GFP_KERNEL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_SIZE, "too large");
	report_cap.count = 0;
	KT_EXPECT_NULL(t, kmalloc_aligned(64, 48, GFP_KERNEL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_ALIGN, "bad alignment");
	report_cap.count = 0;
	KT_EXPECT_NULL(t, kmalloc_aligned(64, (size_t)1 << 30, GFP_KERNEL));
	KT_EXPECT_REPORT(t, MM_ERR_BAD_ALIGN, "bad alignment");
	report_capture_end();
	heap_still_works(t);
}

static void test_validator_catches_corruption(struct ktest *t)
{
	uint64_t *p = kmalloc(64, GFP_KERNEL);
	struct span *s;

	/* p's span goes to its central, with free slots (partial). */
	kmalloc_drain_cpu(port_cpu_id());
	kmalloc_reclaim();
	s = span_of((uintptr_t)p);
	KT_ASSERT_EQ(t, s->xlist, LIST_PARTIAL);
	s->nalloc++;				/* counts no longer add up */
	report_capture_begin();
	KT_EXPECT_GT(t, kmalloc_validate(), 0);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_CORRUPT);
	KT_EXPECT(t, report_msg_has("breaks"));
	s->nalloc--;
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	kfree(p);
}

/* A freed object is what the next allocation of its class gets (LIFO). */
static void test_kmalloc_lifo_reuse(struct ktest *t)
{
	static const size_t sizes[] = { 16, 64, 1000, 4096, 32768 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		void *a = kmalloc(sizes[i], GFP_KERNEL);
		void *b = kmalloc(sizes[i], GFP_KERNEL);

		KT_ASSERT(t, a && b);
		kfree(a);
		kfree(b);
		KT_EXPECT(t, kmalloc(sizes[i], GFP_KERNEL) == b);
		KT_EXPECT(t, kmalloc(sizes[i], GFP_KERNEL) == a);
		kfree(a);
		kfree(b);
	}
}

/* krealloc() grows a large object in place when the pages after it are free. */
static void test_kmalloc_krealloc_in_place(struct ktest *t)
{
	unsigned char *l, *m;
	unsigned int i;

	test_mm_quiesce();		/* a fresh chunk: free pages follow */
	l = kmalloc(40000, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, l);
	for (i = 0; i < 40000; i++)
		l[i] = (unsigned char)(i * 7);
	m = krealloc(l, 200000, __GFP_ZERO);
	KT_ASSERT_NOT_NULL(t, m);
	KT_EXPECT(t, m == l);
	KT_EXPECT_GE(t, ksize(m), 200000);
	for (i = 0; i < 40000 && m[i] == (unsigned char)(i * 7); i++)
		;
	KT_EXPECT_EQ(t, i, 40000);
	for (i = 40960; i < 200000 && !m[i]; i++)
		;
	KT_EXPECT_EQ(t, i, 200000);
	kfree(m);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/* A large object freed then asked for again comes back from the CPU. */
static void test_kmalloc_large_reuse(struct ktest *t)
{
	void *l = kmalloc(100000, GFP_KERNEL), *m;

	KT_ASSERT_NOT_NULL(t, l);
	kfree(l);
	m = kmalloc(100000, GFP_KERNEL);
	KT_EXPECT(t, m == l);
	kfree(m);
	report_capture_begin();
	kfree(m);		/* in this CPU's large cache: reported */
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT(t, report_cap.last_error == MM_ERR_INVALID_FREE ||
		     report_cap.last_error == MM_ERR_DOUBLE_FREE);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

static uint64_t heap_locks_now(void)
{
	static struct kmalloc_stats st;

	kmalloc_get_stats(&st);
	return st.heap_locks;
}

/*
 * A huge object (from the frame allocator) freed then asked for again, a
 * buddy block and a run: from this CPU's large cache, with no shared lock,
 * where the machine is large enough for the CPU caches to grow (else given
 * back at once); a second free of it is reported; every frame comes back
 * at the drain.
 */
static void test_kmalloc_huge_reuse(struct ktest *t)
{
	static const size_t sizes[] = { 2u << 20, (3u << 20) + 100 };
	uint64_t frames, locks;
	unsigned long irq;
	unsigned int i;
	bool cached;
	void *h, *m;

	test_mm_quiesce();
	frames = test_mm_free_frames();
	for (i = 0; i < 2; i++) {
		test_mm_quiesce();	/* this CPU's large cache empty */
		cached = cache_grow_bytes >=
			 ((sizes[i] + PAGE_SIZE - 1) & ~(size_t)(PAGE_SIZE - 1));
		h = kmalloc(sizes[i], GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, h);
		/* No timer tick (the decay takes the heap lock) in between. */
		irq = port_irq_save();
		kfree(h);
		locks = heap_locks_now();
		m = kmalloc(sizes[i], GFP_ATOMIC);
		locks = heap_locks_now() - locks;
		port_irq_restore(irq);
		KT_ASSERT_NOT_NULL(t, m);
		if (cached) {
			KT_EXPECT(t, m == h);
			KT_EXPECT_EQ(t, locks, 0);
		} else {
			KT_EXPECT(t, locks > 0);
		}
		KT_EXPECT_EQ(t, ksize(m), (sizes[i] + PAGE_SIZE - 1) &
					  ~(size_t)(PAGE_SIZE - 1));
		kfree(m);
		report_capture_begin();
		kfree(m);	/* in this CPU's large cache, or gone */
		report_capture_end();
		KT_EXPECT_EQ(t, report_cap.count, 1);
		KT_EXPECT(t, report_cap.last_error == MM_ERR_INVALID_FREE ||
			     report_cap.last_error == MM_ERR_DOUBLE_FREE);
	}
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	test_mm_quiesce();
	KT_EXPECT_EQ(t, test_mm_free_frames(), frames);
}

/*
 * Rounds of a batch of 32 KiB objects allocated, then freed, on one CPU.
 * Where the CPU caches grow, a refill keeps the spans it runs dry, chained
 * to the current span, and the next round's refill takes back those its
 * frees refilled (cache_carve()). Checked: a chain is there after some
 * round once the cache has grown, every object distinct with its contents
 * intact until
 * its free, the validator clean (it walks the kept spans), and every
 * frame back after the drain.
 */
static void test_kmalloc_batch_rounds(struct ktest *t)
{
	static unsigned char *objs[600];	/* more than the cache and
						 * the central's batches */
	const size_t size = 32768;
	unsigned int spc = sc_of_size(size), r, i, n = 600;
	struct objcache *oc;
	bool grown = false, kept = false;
	uint64_t frames;
	unsigned long irq;

	frames = test_mm_free_frames();
	for (r = 0; r < 6; r++) {
		for (i = 0; i < n; i++) {
			objs[i] = kmalloc(size, GFP_KERNEL);
			KT_ASSERT_NOT_NULL(t, objs[i]);
			objs[i][0] = (unsigned char)i;
			objs[i][size - 1] = (unsigned char)(i + r);
		}
		irq = port_irq_save();
		oc = objcache_of(port_cpu_id(), spc);
		grown = (uint32_t)(oc->hi - oc->lo) > centrals[spc].cache_cap;
		kept |= caches[port_cpu_id()].alloc[spc] != &empty_span &&
			caches[port_cpu_id()].alloc[spc]->next;
		port_irq_restore(irq);
		for (i = 0; i < n; i++) {
			KT_EXPECT_EQ(t, objs[i][0], (unsigned char)i);
			KT_EXPECT_EQ(t, objs[i][size - 1],
				     (unsigned char)(i + r));
			if (i)
				KT_EXPECT(t, objs[i] != objs[i - 1]);
		}
		KT_EXPECT_EQ(t, kmalloc_validate(), 0);
		for (i = 0; i < n; i++)
			kfree(objs[i]);
	}
	if (grown)		/* kept at the end of some round */
		KT_EXPECT(t, kept);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), frames);
}

/*
 * Fill this CPU's cache of p's class past its capacity so that p moves
 * on in a batch (to the central or back to its span), then free p again:
 * still a double free, wherever it sits.
 */
static void test_misuse_double_free_batched(struct ktest *t)
{
	static void *objs[600];
	unsigned int spc = sc_of_size(200), n, i;
	void *p;

	test_mm_quiesce();
	n = 2 * centrals[spc].cache_cap + 1;
	KT_ASSERT_LE(t, n, 600);
	p = kmalloc(200, GFP_KERNEL);
	for (i = 0; i < n; i++)
		objs[i] = kmalloc(200, GFP_KERNEL);
	kfree(p);
	for (i = 0; i < n; i++)
		kfree(objs[i]);
	report_capture_begin();
	kfree(p);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	test_mm_quiesce();	/* p went back to its span once (or further) */
	report_capture_begin();
	kfree(p);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT(t, report_cap.last_error == MM_ERR_DOUBLE_FREE ||
		     report_cap.last_error == MM_ERR_INVALID_FREE);
	heap_still_works(t);
}

/*
 * A write into a freed object sitting in a CPU cache is reported when the
 * object goes back to its span (a drain moves it with its batch to the
 * central, the reclaim that follows to the span), and the object is left
 * out.
 */
static void test_misuse_write_after_free(struct ktest *t)
{
	uint64_t *p = kmalloc(64, GFP_KERNEL);

	KT_ASSERT_NOT_NULL(t, p);
	kfree(p);
	p[0] = 0x1234;			/* use after free */
	report_capture_begin();
	test_mm_quiesce();		/* drain, then reclaim */
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_CORRUPT, "written after its free");
	KT_EXPECT(t, report_msg_has("class"));
	/* a freed object's tag is its own: a copy elsewhere is not a tag */
	p = kmalloc(64, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	kfree(p);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/* This CPU's capacity for @spc objects. */
static uint32_t cache_capacity(unsigned int cpu, unsigned int spc)
{
	struct objcache *oc = objcache_of(cpu, spc);

	return (uint32_t)(oc->hi - oc->lo);
}

/* Bytes this CPU's caches hold above their starting capacities. */
static uint64_t grown_bytes(unsigned int cpu)
{
	uint64_t sum = 0;
	unsigned int spc;

	for (spc = 1; spc < NR_SPC; spc++) {
		struct objcache *oc = objcache_of(cpu, spc);
		uint32_t cap = (uint32_t)(oc->hi - oc->lo);

		if (cap > centrals[spc].cache_cap)
			sum += (uint64_t)(cap - centrals[spc].cache_cap) *
			       spc_size(spc);
	}
	return sum;
}

/*
 * A CPU cache grows with its traffic, by what it lacked: after one round
 * of 900 objects of 64 B allocated and freed on one CPU, as many as the
 * CPU's growth budget allows (all of them with 1 MiB or more; capacity
 * 128 to start, 1024 at most) stay in its cache and come back from it in
 * the next round with no central lock. Then classes from 1 KiB to
 * 32 KiB grow past the CPU's growth budget: capacity is taken back from
 * other classes, the bytes grown stay within the budget and match the
 * CPU's account, and a drain puts every capacity back to its start.
 */
static void test_kmalloc_cache_grows(struct ktest *t)
{
	static const uint32_t sizes[] = { 1024, 2048, 4096, 8192, 16384,
					  32768 };
	static void *objs[1000];
	uint32_t cap[sizeof(sizes) / sizeof(sizes[0])];
	unsigned int cpu, spc, k, i, r, b, want;
	unsigned long irq;
	struct objcache *oc;
	uint64_t locks;

	test_mm_quiesce();
	cpu = port_cpu_id();
	spc = sc_of_size(64);
	oc = objcache_of(cpu, spc);
	KT_EXPECT_EQ(t, (uint32_t)(oc->hi - oc->lo), centrals[spc].cache_cap);
	KT_EXPECT_EQ(t, grown_bytes(cpu), 0);
	/* One round: the cache grows by every batch the allocations lacked. */
	for (r = 0; r < 1; r++) {
		for (i = 0; i < 900; i++)
			KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(64, GFP_KERNEL));
		for (i = 900; i-- > 0;)
			kfree(objs[i]);
	}
	if (!cache_grow_bytes) {
		KT_EXPECT_LE(t, objcache_count(oc), centrals[spc].cache_cap);
		return;
	}
	/* As many as the budget lets the class grow to, at most 900. */
	b = centrals[spc].batch;
	want = centrals[spc].cache_cap + cache_grow_bytes / (b * 64) * b;
	if (want > centrals[spc].cache_capmax)
		want = centrals[spc].cache_capmax;
	if (want > 900)
		want = 900;
	KT_EXPECT_GT(t, want, centrals[spc].cache_cap);
	KT_EXPECT_GE(t, objcache_count(oc), want);
	KT_EXPECT_LE(t, (uint32_t)(oc->hi - oc->lo),
		     centrals[spc].cache_capmax);
	locks = __atomic_load_n(&centrals[spc].nlocks, __ATOMIC_RELAXED);
	for (i = 0; i < want; i++)
		KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(64, GFP_KERNEL));
	KT_EXPECT_EQ(t, __atomic_load_n(&centrals[spc].nlocks,
					__ATOMIC_RELAXED), locks);
	for (i = 0; i < want; i++)
		kfree(objs[i]);

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		for (r = 0; r < 60; r++) {
			for (i = 0; i < 200; i++)
				KT_ASSERT_NOT_NULL(t, objs[i] =
						   kmalloc(sizes[k], GFP_KERNEL));
			for (i = 0; i < 200; i++)
				kfree(objs[i]);
		}
		irq = port_irq_save();
		KT_EXPECT_LE(t, grown_bytes(cpu), cache_grow_bytes);
		KT_EXPECT_EQ(t, grown_bytes(cpu), cpu_cache_of(cpu)->grown);
		port_irq_restore(irq);
		cap[k] = cache_capacity(cpu, sc_of_size(sizes[k]));
		KT_EXPECT_GT(t, cap[k], centrals[sc_of_size(sizes[k])].cache_cap);
	}
	/* Classes grown before gave capacity back to the later ones. */
	for (k = 0, i = 0; k + 1 < sizeof(sizes) / sizeof(sizes[0]); k++)
		i += cache_capacity(cpu, sc_of_size(sizes[k])) < cap[k];
	KT_EXPECT_GT(t, i, 0);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	test_mm_quiesce();
	KT_EXPECT_EQ(t, grown_bytes(cpu), 0);
	KT_EXPECT_EQ(t, cpu_cache_of(cpu)->grown, 0);
}

/* Objects of @size allocated, then freed in reverse: @n of them. */
static void cache_round(struct ktest *t, size_t size, unsigned int n)
{
	static void *objs[1000];
	unsigned int i;

	for (i = 0; i < n; i++)
		KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(size, GFP_KERNEL));
	while (n-- > 0)
		kfree(objs[n]);
}

/*
 * Grown capacity decays: at the end of a decay period, a class that
 * grew and found its cache empty on no allocation since the period
 * before goes back to its starting capacity at the CPU's next slow path,
 * while a class that kept missing keeps its growth; the CPU's account
 * of growth stays exact. The periods' ends are made by hand here, as
 * kmalloc_decay_tick() makes them (heap.cache_gen), under a period too
 * long for the kernels' timers to end one meanwhile; release_test checks
 * that kmalloc_decay_tick() ends them.
 */
static void test_kmalloc_cache_decays(struct ktest *t)
{
	const uint64_t period = 1ULL << 40;
	unsigned int cpu, s64, s1k;
	uint64_t old_ms;
	unsigned long irq;

	old_ms = READ_ONCE(heap.decay_ms);
	kmalloc_set_decay_ms(period);
	test_mm_quiesce();
	cpu = port_cpu_id();
	s64 = sc_of_size(64);
	s1k = sc_of_size(1024);
	cache_round(t, 64, 900);
	cache_round(t, 1024, 200);
	if (!cache_grow_bytes) {	/* fixed capacities on this machine */
		KT_EXPECT_EQ(t, cache_capacity(cpu, s64),
			     centrals[s64].cache_cap);
		kmalloc_set_decay_ms(old_ms);
		return;
	}
	KT_EXPECT_GT(t, cache_capacity(cpu, s64), centrals[s64].cache_cap);
	KT_EXPECT_GT(t, cache_capacity(cpu, s1k), centrals[s1k].cache_cap);

	/* Period 1: both classes missed; nothing shrinks. */
	__atomic_fetch_add(&heap.cache_gen, 1, __ATOMIC_RELAXED);
	cache_round(t, 4096, 1);	/* a slow path on this CPU */
	KT_EXPECT_GT(t, cache_capacity(cpu, s64), centrals[s64].cache_cap);
	KT_EXPECT_GT(t, cache_capacity(cpu, s1k), centrals[s1k].cache_cap);

	/* Period 2: only 1 KiB missed (a round beyond its capacity). */
	cache_round(t, 1024, 1000);
	__atomic_fetch_add(&heap.cache_gen, 1, __ATOMIC_RELAXED);
	cache_round(t, 8192, 1);
	KT_EXPECT_EQ(t, cache_capacity(cpu, s64), centrals[s64].cache_cap);
	KT_EXPECT_GT(t, cache_capacity(cpu, s1k), centrals[s1k].cache_cap);
	irq = port_irq_save();
	KT_EXPECT_EQ(t, grown_bytes(cpu), cpu_cache_of(cpu)->grown);
	port_irq_restore(irq);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	kmalloc_set_decay_ms(old_ms);
	test_mm_quiesce();
}

/* Whether the large object at @p sits freed in a CPU's large cache. */
static bool large_cached(void *p)
{
	struct span *s = span_of((uintptr_t)p);

	return s && READ_ONCE(s->xstate) == SPAN_DEAD;
}

/*
 * A CPU's large cache decays: at the first slow path after a decay
 * period's end, its spans go back if no allocation took one from it
 * during the period; one taken keeps the cache a period more. Periods
 * ended by hand, as in test_kmalloc_cache_decays().
 */
static void test_kmalloc_large_cache_decays(struct ktest *t)
{
	const uint64_t period = 1ULL << 40;
	uint64_t old_ms = READ_ONCE(heap.decay_ms);
	void *a, *b;

	kmalloc_set_decay_ms(period);
	test_mm_quiesce();
	a = kmalloc(100000, GFP_KERNEL);
	b = kmalloc(200000, GFP_KERNEL);
	KT_ASSERT(t, a && b);
	kfree(b);
	kfree(a);
	KT_EXPECT(t, large_cached(a) && large_cached(b));

	/* Period 1: a is taken back (and freed again) within it. */
	KT_EXPECT(t, kmalloc(100000, GFP_KERNEL) == a);
	kfree(a);
	__atomic_fetch_add(&heap.cache_gen, 1, __ATOMIC_RELAXED);
	cache_round(t, 2048, 1);	/* a slow path on this CPU */
	KT_EXPECT(t, large_cached(a) && large_cached(b));

	/* Period 2: nothing taken; both go back. */
	__atomic_fetch_add(&heap.cache_gen, 1, __ATOMIC_RELAXED);
	cache_round(t, 512, 1);
	KT_EXPECT(t, !large_cached(a) && !large_cached(b));
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	kmalloc_set_decay_ms(old_ms);
	test_mm_quiesce();
}

/*
 * Before the page heap grows it takes back what the centrals and spans
 * hold once enough has been freed (heap_reclaim_due()): 8 MiB of 1 KiB
 * objects freed, then 8 MiB of 64 B objects allocated, reuse the pages
 * of the spans the first emptied; without that the heap grows by the
 * whole 8 MiB again.
 */
static void test_kmalloc_reclaim_before_grow(struct ktest *t)
{
	enum { N1K = 8192, N64 = 8 * 16384 };
	static struct kmalloc_stats st_buf;
	struct kmalloc_stats *st = &st_buf;
	void **objs = kmalloc(N64 * sizeof(void *), GFP_KERNEL);
	uint64_t sys_freed;
	unsigned int i;

	KT_ASSERT_NOT_NULL(t, objs);
	test_mm_quiesce();
	for (i = 0; i < N1K; i++)
		KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(1024, GFP_KERNEL));
	for (i = 0; i < N1K; i++)
		kfree(objs[i]);
	kmalloc_get_stats(st);
	sys_freed = st->heap_sys;
	for (i = 0; i < N64; i++)
		KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(64, GFP_KERNEL));
	kmalloc_get_stats(st);
	ktest_log(t, "heap %llu KiB after the 1 KiB objects' free, %llu KiB "
		  "with the 64 B objects", (unsigned long long)sys_freed >> 10,
		  (unsigned long long)st->heap_sys >> 10);
	KT_EXPECT_LE(t, st->heap_sys, sys_freed + (3u << 20));
	for (i = 0; i < N64; i++)
		kfree(objs[i]);
	kfree(objs);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	test_mm_quiesce();
}

/*
 * kmalloc_reserve(): the heap takes its chunks at the call and keeps them
 * through a scavenge; allocations that fit take none from the frame
 * allocator; 0 ends the reserve and the chunks go back; a reserve the
 * memory cannot hold fails and leaves the reserve as it was.
 */
static void test_kmalloc_reserve(struct ktest *t)
{
	enum { N = 512 };
	static struct kmalloc_stats st_buf;
	struct kmalloc_stats *st = &st_buf;
	struct frame_stats fs;
	void **objs = kmalloc(N * sizeof(void *), GFP_KERNEL);
	uint64_t base, want, sys;
	unsigned int i;

	KT_ASSERT_NOT_NULL(t, objs);
	test_mm_quiesce();
	kmalloc_get_stats(st);
	base = st->heap_sys;
	want = base + 2 * (uint64_t)CHUNK_SIZE;
	KT_ASSERT_EQ(t, kmalloc_reserve(want), 0);
	kmalloc_get_stats(st);
	KT_EXPECT_GE(t, st->heap_sys, want);
	test_mm_quiesce();
	kmalloc_get_stats(st);
	KT_EXPECT_GE(t, st->heap_sys, want);	/* kept through a scavenge */
	sys = st->heap_sys;
	for (i = 0; i < N; i++)			/* 512 KiB of the reserve */
		KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(1024, GFP_KERNEL));
	kmalloc_get_stats(st);
	KT_EXPECT_EQ(t, st->heap_sys, sys);	/* no growth */
	for (i = 0; i < N; i++)
		kfree(objs[i]);
	test_mm_quiesce();
	kmalloc_get_stats(st);
	KT_EXPECT_GE(t, st->heap_sys, want);

	/* More than the frame allocator holds: refused, reserve kept. */
	frame_get_stats(&fs);
	KT_EXPECT_NE(t, kmalloc_reserve(want + (fs.managed << FRAME_SHIFT)),
		     0);
	test_mm_quiesce();
	kmalloc_get_stats(st);
	KT_EXPECT_GE(t, st->heap_sys, want);
	KT_EXPECT_LT(t, st->heap_sys, want + CHUNK_SIZE);

	KT_EXPECT_EQ(t, kmalloc_reserve(0), 0);
	test_mm_quiesce();
	kmalloc_get_stats(st);
	KT_EXPECT_LE(t, st->heap_sys, base);	/* the reserve went back */
	kfree(objs);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/*
 * Free @p, then allocate @size with no decay tick in between (interrupts
 * off), free that too, and return where it was (NULL on failure).
 */
static void *free_then_alloc(struct ktest *t, void *p, size_t size)
{
	unsigned long irq = port_irq_save();
	void *m;

	kfree(p);
	m = kmalloc(size, GFP_ATOMIC);
	port_irq_restore(irq);
	KT_EXPECT_NOT_NULL(t, m);
	kfree(m);
	return m;
}

/*
 * A CPU's large cache serves a request of up to an eighth fewer pages
 * than a cached span (the size classes' waste bound) with that span,
 * with no heap lock; one more than an eighth smaller goes elsewhere,
 * and so does a LARGE request against a cached HUGE span (where HUGE
 * spans are cached: cache_grow_bytes).
 */
static void test_kmalloc_large_cache_fit(struct ktest *t)
{
	const size_t big = 200 * PAGE_SIZE - 100;	/* LARGE, 200 pages */
	const size_t near = 180 * PAGE_SIZE;		/* within an eighth */
	const size_t far = 170 * PAGE_SIZE;		/* beyond */
	const size_t huge1 = (1u << 20) + 4096;		/* HUGE, 257 pages */
	const size_t large1 = 250 * PAGE_SIZE;		/* LARGE */
	uint64_t locks;
	unsigned long irq;
	void *h, *m;

	test_mm_quiesce();
	h = kmalloc(big, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, h);
	irq = port_irq_save();		/* no decay tick in between */
	kfree(h);
	locks = heap_locks_now();
	m = kmalloc(near, GFP_ATOMIC);
	locks = heap_locks_now() - locks;
	port_irq_restore(irq);
	KT_EXPECT(t, m == h);
	KT_EXPECT_EQ(t, locks, 0);
	KT_EXPECT_GE(t, ksize(m), near);
	mm_memset(m, 0x5a, ksize(m));
	KT_EXPECT(t, free_then_alloc(t, m, far) != h);

	test_mm_quiesce();
	if (cache_grow_bytes >= huge1 + PAGE_SIZE) {
		h = kmalloc(huge1, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, h);
		KT_EXPECT(t, free_then_alloc(t, h, large1) != h);
	} else {
		ktest_log(t, "no HUGE spans in the large cache here");
	}
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	test_mm_quiesce();
}

static struct ktest_case kmalloc_cases[] = {
	KTEST_CASE(test_kmalloc_zero_size),
	KTEST_CASE(test_kmalloc_every_class),
	KTEST_CASE(test_kmalloc_alignment),
	KTEST_CASE(test_kmalloc_aligned_variant),
	KTEST_CASE(test_kmalloc_aligned_beyond_block),
	KTEST_CASE(test_kmalloc_kzalloc_reused),
	KTEST_CASE(test_kmalloc_krealloc),
	KTEST_CASE(test_kmalloc_shadow_random),
	KTEST_CASE(test_kmalloc_oom_recovers),
	KTEST_CASE(test_kmalloc_tiny),
	KTEST_CASE(test_kmalloc_stats),
	KTEST_CASE(test_misuse_double_free_cached),
	KTEST_CASE(test_misuse_double_free_swept),
	KTEST_CASE(test_misuse_interior),
	KTEST_CASE(test_misuse_foreign),
	KTEST_CASE(test_misuse_large_double),
	KTEST_CASE(test_misuse_tiny),
	KTEST_CASE(test_misuse_sizes),
	KTEST_CASE(test_validator_catches_corruption),
	KTEST_CASE(test_kmalloc_lifo_reuse),
	KTEST_CASE(test_kmalloc_cache_grows),
	KTEST_CASE(test_kmalloc_cache_decays),
	KTEST_CASE(test_kmalloc_large_cache_decays),
	KTEST_CASE(test_kmalloc_reclaim_before_grow),
	KTEST_CASE(test_kmalloc_reserve),
	KTEST_CASE(test_kmalloc_large_reuse),
	KTEST_CASE(test_kmalloc_huge_reuse),
	KTEST_CASE(test_kmalloc_large_cache_fit),
	KTEST_CASE(test_kmalloc_batch_rounds),
	KTEST_CASE(test_kmalloc_krealloc_in_place),
	KTEST_CASE(test_misuse_double_free_batched),
	KTEST_CASE(test_pages_api),
	KTEST_CASE(test_misuse_write_after_free),
	{}
};
KTEST_SUITE(kmalloc, kmalloc_cases);
