// SPDX-License-Identifier: MIT
/*
 * util_test.c - mm_memset() and mm_memcpy() (mm/util.c), and the memset,
 * memcpy and memmove the code calls (kernel/string.c in the kernels, the
 * C library on the host), against byte-by-byte references: every size
 * from 0 to MAXN bytes at every destination (and source) alignment 0..15,
 * with guard bytes on both sides that must stay untouched, and memmove
 * over overlapping ranges in both directions.
 *
 * The references use volatile accesses so that no compiler turns them
 * into calls to the functions under test. No libc, no allocation: runs on
 * the host and in the kernels. State: the static buffers, one case at a
 * time.
 */
#include <ktest.h>
#include "../mm/heap.h"

void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);

#define MAXN	300u
#define ALIGNS	16u
#define GUARD	16u
#define BUF	(GUARD + ALIGNS + MAXN + GUARD)
/* The bytes a case of @n bytes can touch, with the guards. */
#define SPAN(n)	(GUARD + ALIGNS + (n) + GUARD)

static unsigned char src[BUF] __attribute__((aligned(64)));
static unsigned char dst[BUF] __attribute__((aligned(64)));
static unsigned char ref[BUF] __attribute__((aligned(64)));

/* Whether memset/memcpy returned something other than their destination. */
static bool bad_return;

/* @len bytes of a pattern that differs from every fill value, per @seed. */
static void fill(unsigned char *b, unsigned int seed, unsigned int len)
{
	volatile unsigned char *v = b;
	unsigned int i;

	for (i = 0; i < len; i++)
		v[i] = (unsigned char)(i * 7u + seed * 61u + 1u);
}

static void copy_ref(unsigned char *d, const unsigned char *s, size_t n)
{
	volatile unsigned char *v = d;
	const volatile unsigned char *w = s;
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = w[i];
}

/* First index below @len where dst and ref differ, or -1. */
static long first_diff(unsigned int len)
{
	const volatile unsigned char *a = dst, *b = ref;
	unsigned int i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return (long)i;
	return -1;
}

typedef void set_fn(void *p, int c, size_t n);
typedef void cpy_fn(void *d, const void *s, size_t n);

static void check_set(struct ktest *t, set_fn *fn)
{
	static const int vals[] = { 0, 0xa5, -1 };
	unsigned int v, n, da;
	long bad;

	for (v = 0; v < sizeof(vals) / sizeof(vals[0]); v++)
		for (n = 0; n <= MAXN; n++)
			for (da = 0; da < ALIGNS; da++) {
				volatile unsigned char *r = ref;
				unsigned int i;

				fill(dst, 1, SPAN(n));
				copy_ref(ref, dst, SPAN(n));
				for (i = 0; i < n; i++)
					r[GUARD + da + i] = (unsigned char)vals[v];
				fn(dst + GUARD + da, vals[v], n);
				bad = first_diff(SPAN(n));
				if (bad >= 0) {
					ktest_fail(t, __FILE__, __LINE__,
						   "fill 0x%x, %u bytes at +%u: byte %ld",
						   vals[v] & 0xff, n, da,
						   bad - (long)(GUARD + da));
					return;
				}
			}
	t->checks++;
}

static void check_cpy(struct ktest *t, cpy_fn *fn)
{
	unsigned int n, da, sa;
	long bad;

	fill(src, 2, BUF);
	for (n = 0; n <= MAXN; n++)
		for (da = 0; da < ALIGNS; da++)
			for (sa = 0; sa < ALIGNS; sa++) {
				fill(dst, 1, SPAN(n));
				copy_ref(ref, dst, SPAN(n));
				copy_ref(ref + GUARD + da, src + GUARD + sa, n);
				fn(dst + GUARD + da, src + GUARD + sa, n);
				bad = first_diff(SPAN(n));
				if (bad >= 0) {
					ktest_fail(t, __FILE__, __LINE__,
						   "%u bytes, +%u from +%u: byte %ld",
						   n, da, sa,
						   bad - (long)(GUARD + da));
					return;
				}
			}
	t->checks++;
}

static void call_memset(void *p, int c, size_t n)
{
	if (memset(p, c, n) != p)
		bad_return = true;
}

static void call_memcpy(void *d, const void *s, size_t n)
{
	if (memcpy(d, s, n) != d)
		bad_return = true;
}

static void test_mm_memset(struct ktest *t)
{
	check_set(t, mm_memset);
}

static void test_mm_memcpy(struct ktest *t)
{
	check_cpy(t, mm_memcpy);
}

static void test_memset(struct ktest *t)
{
	bad_return = false;
	check_set(t, call_memset);
	KT_EXPECT(t, !bad_return);
}

static void test_memcpy(struct ktest *t)
{
	bad_return = false;
	check_cpy(t, call_memcpy);
	KT_EXPECT(t, !bad_return);
}

/*
 * memmove inside one buffer (dst): every size at every pair of offsets
 * 0..ALIGNS-1, so the source lies before, after and on the destination.
 */
static void test_memmove(struct ktest *t)
{
	unsigned int n, da, sa;
	long bad;

	for (n = 0; n <= MAXN; n++)
		for (da = 0; da < ALIGNS; da++)
			for (sa = 0; sa < ALIGNS; sa++) {
				void *r;

				fill(dst, 3, SPAN(n));
				copy_ref(ref, dst, SPAN(n));
				/* src holds the bytes to move, unmoved. */
				copy_ref(src, dst + GUARD + sa, n);
				copy_ref(ref + GUARD + da, src, n);
				r = memmove(dst + GUARD + da, dst + GUARD + sa, n);
				bad = first_diff(SPAN(n));
				if (bad >= 0 || r != dst + GUARD + da) {
					ktest_fail(t, __FILE__, __LINE__,
						   "%u bytes, +%u from +%u: byte %ld",
						   n, da, sa,
						   bad - (long)(GUARD + da));
					return;
				}
			}
	t->checks++;
}

static struct ktest_case util_cases[] = {
	KTEST_CASE(test_mm_memset),
	KTEST_CASE(test_mm_memcpy),
	KTEST_CASE(test_memset),
	KTEST_CASE(test_memcpy),
	KTEST_CASE(test_memmove),
	{}
};
KTEST_SUITE(util, util_cases);
