// SPDX-License-Identifier: MIT
/*
 * sizeclass_test.c - the size-class tables against their rules.
 *
 * Every rule is recomputed here from the tables' own numbers, never
 * copied from the generator: sizes and their alignment, powers of two,
 * span choice, tail waste and the several-objects minimum above 2 KiB,
 * the waste bound, the size-to-class lookup
 * for every size from 1 to SC_MAX_SIZE and the object-index multiply for
 * every byte of every span. Negative controls feed the same checkers
 * broken values and require them to object. No libc: runs on the host and
 * in the kernels. No locks, no allocation.
 */
#include <kma/kmalloc.h>
#include <ktest.h>
#include "../mm/sizeclass.h"

#define PAGE		4096u
/*
 * Largest span: 32768-byte objects, 4 to a span, meet pages * size <= 2^20
 * (the exact-magic bound) with equality.
 */
#define MAX_SPAN_PAGES	32u
/* The heap's per-span bitmaps (SPAN_MAX_OBJS in mm/heap.h). */
#define MAX_SPAN_OBJS	512u
/*
 * Classes above MID_FROM bytes, up to MULTI_FROM, get spans of at least
 * MID_OBJS objects; classes above MULTI_FROM bytes (a page holds one
 * object at most) get spans of at least MIN_SPAN bytes with at least
 * MIN_OBJS objects, so a batch of them costs one central or page-heap
 * call, not one per few objects.
 */
#define MID_FROM	512u
#define MID_OBJS	8u
#define MULTI_FROM	2048u
#define MIN_OBJS	4u
#define MIN_SPAN	32768u
/* Design bound on max waste from 128 bytes up: 1/5 of a span. */
#define WASTE_DIV	5u

static uint32_t tail_of(uint32_t pages, uint32_t size)
{
	uint32_t span = pages * PAGE;

	return span - span / size * size;
}

/* Fewest objects a span of @size-byte objects must hold. */
static uint32_t min_objs(uint32_t size)
{
	uint32_t n = (MIN_SPAN + size - 1) / size;

	if (size <= MID_FROM)
		return 1;
	if (size <= MULTI_FROM)
		return MID_OBJS;
	return n > MIN_OBJS ? n : MIN_OBJS;
}

/*
 * Smallest span (pages) whose tail is at most 1/8 of it and that holds
 * at least min_objs(size) objects.
 */
static uint32_t min_pages(uint32_t size)
{
	uint32_t p = 1;

	while (tail_of(p, size) * 8 > p * PAGE ||
	       p * PAGE / size < min_objs(size))
		p++;
	return p;
}

typedef uint32_t (*index_fn)(unsigned int cls, uint32_t off);

/* Offsets in class @c's span where @fn differs from off / size. */
static uint32_t index_mismatches(unsigned int c, index_fn fn,
				 uint32_t *first)
{
	uint32_t size = sc_size[c], span = sc_pages[c] * PAGE;
	uint32_t off, idx = 0, rem = 0, bad = 0;

	for (off = 0; off < span; off++) {
		if (fn(c, off) != idx && !bad++)
			*first = off;
		if (++rem == size) {	/* idx == off / size, no division */
			rem = 0;
			idx++;
		}
	}
	return bad;
}

static uint32_t index_magic_low(unsigned int cls, uint32_t off)
{
	return (uint32_t)(((uint64_t)off * (sc_magic[cls] - 1)) >> 32);
}

static uint32_t index_magic_high(unsigned int cls, uint32_t off)
{
	return (uint32_t)(((uint64_t)off * (sc_magic[cls] + sc_magic[cls] / 16)) >>
			  32);
}

static void test_sizeclass_sizes(struct ktest *t)
{
	unsigned int c;

	struct kmalloc_stats *st = NULL;

	KT_ASSERT_GE(t, SC_NR, 2);
	KT_ASSERT_LE(t, SC_NR, 256);	/* lookups hold uint8_t */
	/* kmalloc_get_stats() reports classes 1..SC_NR (SC_NR: tiny) */
	KT_EXPECT_LT(t, SC_NR, sizeof(st->cls) / sizeof(st->cls[0]));
	KT_EXPECT_EQ(t, sc_size[0], 0);
	KT_EXPECT_EQ(t, sc_size[SC_NR - 1], SC_MAX_SIZE);
	KT_EXPECT_EQ(t, sc_size[1], 8);
	for (c = 1; c < SC_NR; c++) {
		uint32_t s = sc_size[c];

		KT_EXPECT_GT(t, s, sc_size[c - 1]);
		KT_EXPECT_EQ(t, s % 8, 0);
		if (s >= 16)
			KT_EXPECT_EQ(t, s % 16, 0);
		if (s > SC_SMALL_MAX)	/* the 128-byte lookup step */
			KT_EXPECT_EQ(t, s % 128, 0);
	}
}

static void test_sizeclass_powers_of_two(struct ktest *t)
{
	uint32_t p;
	unsigned int c;

	for (p = 8; p <= SC_MAX_SIZE; p *= 2) {
		for (c = 1; c < SC_NR && sc_size[c] != p; c++)
			;
		KT_ASSERT_LT(t, c, SC_NR);
		if (p <= PAGE) {
			/* objects at base + k * p, base page aligned */
			KT_EXPECT_EQ(t, PAGE % p, 0);
		} else {
			/*
			 * Several objects at base + k * p, no tail: aligned
			 * when the heap places the span at a multiple of p.
			 */
			KT_EXPECT_GE(t, sc_objs[c], MIN_OBJS);
			KT_EXPECT_EQ(t, sc_pages[c] * PAGE % p, 0);
		}
	}
}

static void test_sizeclass_spans(struct ktest *t)
{
	uint32_t maxpg = 0;
	unsigned int c;

	KT_EXPECT_EQ(t, sc_pages[0], 0);
	KT_EXPECT_EQ(t, sc_objs[0], 0);
	for (c = 1; c < SC_NR; c++) {
		uint32_t s = sc_size[c], pg = sc_pages[c];

		KT_EXPECT_GE(t, pg, 1);
		KT_EXPECT_LE(t, pg, MAX_SPAN_PAGES);
		if (pg > maxpg)
			maxpg = pg;
		/* exact magic: off < 2^32 / size for every off in the span */
		KT_EXPECT_LE(t, (uint64_t)pg * s, 1u << 20);
		KT_EXPECT_EQ(t, sc_objs[c], pg * PAGE / s);
		KT_EXPECT_LE(t, sc_objs[c], MAX_SPAN_OBJS);
		KT_EXPECT_LE(t, tail_of(pg, s) * 8, pg * PAGE);
		if (s > MULTI_FROM) {
			KT_EXPECT_GE(t, sc_objs[c], MIN_OBJS);
			KT_EXPECT_GE(t, pg * PAGE, MIN_SPAN);
		}
		KT_EXPECT_EQ(t, pg, min_pages(s));
		/* a class with the same span and count would be merged */
		if (c > 1 && sc_pages[c - 1] == pg)
			KT_EXPECT_NE(t, sc_objs[c - 1], sc_objs[c]);
	}
	KT_EXPECT_EQ(t, maxpg, SC_MAX_PAGES);
}

static void test_sizeclass_waste(struct ktest *t)
{
	unsigned int c;

	for (c = 1; c < SC_NR; c++) {
		uint32_t s = sc_size[c], prev = sc_size[c - 1];
		uint32_t span = sc_pages[c] * PAGE;
		uint32_t worst = (s - prev - 1) * sc_objs[c] +
				 tail_of(sc_pages[c], s);

		if (s < 128)
			KT_EXPECT_LE(t, s - prev - 1, 15);
		else
			KT_EXPECT_LE(t, worst * WASTE_DIV, span);
	}
}

static void test_sizeclass_lookup(struct ktest *t)
{
	uint32_t n, bad = 0, first = 0;
	unsigned int c = 1, want = 0;

	KT_EXPECT_EQ(t, sc_index8[0], 1);
	for (n = 1; n <= SC_MAX_SIZE; n++) {
		while (c < SC_NR && sc_size[c] < n)
			c++;
		if (sc_of_size(n) != c && !bad++) {
			first = n;
			want = c;
		}
	}
	if (bad)
		ktest_log(t, "first wrong size %u: class %u, want %u",
			  (unsigned int)first,
			  sc_of_size(first), want);
	KT_EXPECT_EQ(t, bad, 0);
}

static void test_sizeclass_obj_index(struct ktest *t)
{
	uint32_t bad, first = 0;
	unsigned int c;

	KT_EXPECT_EQ(t, sc_magic[0], 0);
	for (c = 1; c < SC_NR; c++) {
		bad = index_mismatches(c, sc_obj_index, &first);
		if (bad)
			ktest_log(t, "class %u (size %u): offset %u gives %u",
				  c,
				  (unsigned int)sc_size[c], (unsigned int)first,
				  (unsigned int)sc_obj_index(c, first));
		KT_EXPECT_EQ(t, bad, 0);
	}
}

/*
 * kfree()'s fast path tells a slot start from any other offset with the
 * same product: (off * magic) mod 2^32 < magic exactly when size divides
 * off (mm/heap.h, kfree_fast_push()), for every offset of every span
 * (the page map sends other offsets to other spans).
 */
static uint32_t start_mismatches(unsigned int c, uint32_t magic,
				 uint32_t *first)
{
	uint32_t size = sc_size[c], span = sc_pages[c] * PAGE;
	uint32_t off, rem = 0, bad = 0;

	for (off = 0; off < span; off++) {
		bool start = (uint32_t)((uint64_t)off * magic) < magic;

		if (start != (rem == 0) && !bad++)
			*first = off;
		if (++rem == size)
			rem = 0;
	}
	return bad;
}

static void test_sizeclass_slot_start(struct ktest *t)
{
	uint32_t bad, first = 0;
	unsigned int c;

	for (c = 1; c < SC_NR; c++) {
		bad = start_mismatches(c, sc_magic[c], &first);
		if (bad)
			ktest_log(t, "class %u (size %u): offset %u misjudged",
				  c,
				  (unsigned int)sc_size[c], (unsigned int)first);
		KT_EXPECT_EQ(t, bad, 0);
		/* the check can fail: one less rejects the slot at size */
		KT_EXPECT_GT(t, start_mismatches(c, sc_magic[c] - 1, &first),
			     0);
		KT_EXPECT_EQ(t, first, sc_size[c]);
	}
}

/* The checkers must reject broken values. */
static void test_sizeclass_negative(struct ktest *t)
{
	uint32_t first = 0;
	unsigned int c;

	/* 4352 bytes in one page: the tail is the whole page */
	KT_EXPECT_GT(t, tail_of(1, 4352) * 8, PAGE);
	KT_EXPECT_GT(t, min_pages(4352), 1);
	/* one 4096 or 32768-byte object per span is no longer enough */
	KT_EXPECT_EQ(t, tail_of(1, 4096), 0);
	KT_EXPECT_EQ(t, min_pages(4096), 8);
	KT_EXPECT_EQ(t, min_pages(32768), 32);
	/* 2048 bytes take 8 to a span, 512 bytes fit 8 in a page */
	KT_EXPECT_EQ(t, min_pages(2048), 4);
	KT_EXPECT_EQ(t, min_pages(512), 1);
	KT_EXPECT_EQ(t, min_pages(1024), 2);
	/*
	 * A multiplier one too small is wrong at off == size, one much too
	 * large (by 1/16) at the end of the span; a class with one object per
	 * span would have only index 0 and could not tell.
	 */
	for (c = 1; c < SC_NR; c++) {
		if (sc_objs[c] < 2)
			continue;
		KT_EXPECT_GT(t, index_mismatches(c, index_magic_low, &first),
			     0);
		KT_EXPECT_EQ(t, first, sc_size[c]);
		KT_EXPECT_GT(t, index_mismatches(c, index_magic_high, &first),
			     0);
	}
}

static struct ktest_case sizeclass_cases[] = {
	KTEST_CASE(test_sizeclass_sizes),
	KTEST_CASE(test_sizeclass_powers_of_two),
	KTEST_CASE(test_sizeclass_spans),
	KTEST_CASE(test_sizeclass_waste),
	KTEST_CASE(test_sizeclass_lookup),
	KTEST_CASE(test_sizeclass_obj_index),
	KTEST_CASE(test_sizeclass_slot_start),
	KTEST_CASE(test_sizeclass_negative),
	{}
};
KTEST_SUITE(sizeclass, sizeclass_cases);
