// SPDX-License-Identifier: MIT
/*
 * util.c - byte helpers for mm/, which cannot count on a C library:
 * mm_memset() and mm_memcpy().
 *
 * Hosted builds (the host port, its sanitizer builds and the drop-in
 * malloc: no KMA_KERNEL, __STDC_HOSTED__) call the C library's memset and
 * memcpy, which are the fastest there and which the sanitizers check.
 *
 * Kernel builds fill and copy themselves, and never call memset/memcpy
 * (kernel/string.c's memset and memcpy are these functions):
 *  - x86-64: below MM_REP_MIN bytes, unaligned 8-byte moves (the first and
 *    last 8 bytes overlap the rest, so there is no byte loop); from
 *    MM_REP_MIN on, rep stosq / rep movsq on the 8-byte-aligned middle.
 *    The quadword forms rather than stosb/movsb: as fast on CPUs with fast
 *    strings (ERMS), and an eighth of the iterations under QEMU TCG, which
 *    runs a rep string instruction one element per step.
 *  - elsewhere (AArch64; also the portable fallback): bytes up to 8-byte
 *    alignment, an unrolled loop of 32 bytes of aligned 64-bit words (two
 *    ldp/stp pairs of general registers on AArch64; -mstrict-align allows
 *    no unaligned access, -mgeneral-regs-only no SIMD), then words and
 *    bytes. mm_memcpy() moves bytes when @d and @s differ in alignment
 *    modulo 8 (krealloc copies between objects that are both aligned).
 * HIDE() keeps the compilers from recognising these loops as memset or
 * memcpy and calling them (gcc does so even with -ffreestanding).
 *
 * No state, no locks.
 */
#include "heap.h"

#if !defined(KMA_KERNEL) && __STDC_HOSTED__
#include <string.h>

/**
 * mm_memset - fill @n bytes at @p with @c.
 * @p: destination. @c: byte value. @n: count.
 */
void mm_memset(void *p, int c, size_t n)
{
	memset(p, c, n);
}

/**
 * mm_memcpy - copy @n bytes from @s to @d (no overlap).
 * @d: destination. @s: source. @n: count.
 */
void mm_memcpy(void *d, const void *s, size_t n)
{
	memcpy(d, s, n);
}

#else /* kernel */

/* No code: makes @x opaque, so no loop over it becomes a library call. */
#define HIDE(x)		__asm__("" : "+r"(x))

#define REPEAT8(c)	(0x0101010101010101ULL * (unsigned char)(c))

#ifdef __x86_64__

#define MM_REP_MIN	128

typedef uint64_t __attribute__((may_alias, aligned(1))) u64_un;
typedef uint32_t __attribute__((may_alias, aligned(1))) u32_un;

/**
 * mm_memset - fill @n bytes at @p with @c.
 * @p: destination. @c: byte value. @n: count.
 */
void mm_memset(void *p, int c, size_t n)
{
	unsigned char *b = p;
	uint64_t v = REPEAT8(c);
	size_t i;

	if (n < 8) {
		if (n >= 4) {
			*(u32_un *)b = (uint32_t)v;
			*(u32_un *)(b + n - 4) = (uint32_t)v;
		} else if (n) {		/* 1..3: bytes 0, n/2 and n-1 */
			b[0] = (unsigned char)c;
			b[n / 2] = (unsigned char)c;
			b[n - 1] = (unsigned char)c;
		}
		return;
	}
	*(u64_un *)b = v;
	*(u64_un *)(b + n - 8) = v;
	if (n <= 16)
		return;
	if (n >= MM_REP_MIN) {
		/* The first 8 bytes are stored: start at 8-byte alignment. */
		size_t head = -(uintptr_t)b & 7, words = (n - head) / 8;
		void *q = b + head;

		__asm__ __volatile__("rep stosq"
				     : "+D"(q), "+c"(words)
				     : "a"(v)
				     : "memory");
		return;
	}
	for (i = 8; i < n - 8; i += 8) {
		*(u64_un *)(b + i) = v;
		HIDE(i);
	}
}

/**
 * mm_memcpy - copy @n bytes from @s to @d (no overlap).
 * @d: destination. @s: source. @n: count.
 */
void mm_memcpy(void *d, const void *s, size_t n)
{
	unsigned char *db = d;
	const unsigned char *sb = s;
	uint64_t first, last;
	size_t i;

	if (n < 8) {
		if (n >= 4) {
			uint32_t a = *(const u32_un *)sb;
			uint32_t z = *(const u32_un *)(sb + n - 4);

			*(u32_un *)db = a;
			*(u32_un *)(db + n - 4) = z;
		} else if (n) {		/* 1..3: bytes 0, n/2 and n-1 */
			unsigned char a = sb[0], m = sb[n / 2], z = sb[n - 1];

			db[0] = a;
			db[n / 2] = m;
			db[n - 1] = z;
		}
		return;
	}
	first = *(const u64_un *)sb;
	last = *(const u64_un *)(sb + n - 8);
	if (n >= MM_REP_MIN) {
		/* first is stored below: start at 8-byte alignment of @d. */
		size_t head = -(uintptr_t)db & 7, words = (n - head) / 8;
		void *dq = db + head;
		const void *sq = sb + head;

		__asm__ __volatile__("rep movsq"
				     : "+D"(dq), "+S"(sq), "+c"(words)
				     :
				     : "memory");
	} else {
		for (i = 8; i + 8 < n; i += 8) {
			*(u64_un *)(db + i) = *(const u64_un *)(sb + i);
			HIDE(i);
		}
	}
	*(u64_un *)db = first;
	*(u64_un *)(db + n - 8) = last;
}

#else /* AArch64 and any other kernel target */

typedef uint64_t __attribute__((may_alias)) word_t;

/**
 * mm_memset - fill @n bytes at @p with @c.
 * @p: destination. @c: byte value. @n: count.
 */
void mm_memset(void *p, int c, size_t n)
{
	unsigned char *b = p;
	uint64_t v = REPEAT8(c);
	word_t *w;

	for (; n && ((uintptr_t)b & 7); n--) {
		*b++ = (unsigned char)c;
		HIDE(n);
	}
	w = (word_t *)b;
	for (; n >= 32; n -= 32) {
		w[0] = v;
		w[1] = v;
		w[2] = v;
		w[3] = v;
		w += 4;
		HIDE(w);
	}
	for (; n >= 8; n -= 8) {
		*w++ = v;
		HIDE(w);
	}
	for (b = (unsigned char *)w; n; n--) {
		*b++ = (unsigned char)c;
		HIDE(n);
	}
}

/**
 * mm_memcpy - copy @n bytes from @s to @d (no overlap).
 * @d: destination. @s: source. @n: count.
 */
void mm_memcpy(void *d, const void *s, size_t n)
{
	unsigned char *db = d;
	const unsigned char *sb = s;

	if ((((uintptr_t)db ^ (uintptr_t)sb) & 7) == 0) {
		word_t *dw;
		const word_t *sw;

		for (; n && ((uintptr_t)db & 7); n--) {
			*db++ = *sb++;
			HIDE(n);
		}
		dw = (word_t *)db;
		sw = (const word_t *)sb;
		for (; n >= 32; n -= 32) {
			uint64_t a = sw[0], b = sw[1], c = sw[2], e = sw[3];

			dw[0] = a;
			dw[1] = b;
			dw[2] = c;
			dw[3] = e;
			dw += 4;
			sw += 4;
			HIDE(dw);
		}
		for (; n >= 8; n -= 8) {
			*dw++ = *sw++;
			HIDE(dw);
		}
		db = (unsigned char *)dw;
		sb = (const unsigned char *)sw;
	}
	for (; n; n--) {
		*db++ = *sb++;
		HIDE(n);
	}
}

#endif /* __x86_64__ */
#endif /* kernel */
