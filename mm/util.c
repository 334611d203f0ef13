// SPDX-License-Identifier: MIT
/*
 * util.c - byte helpers for mm/, which cannot count on a C library.
 * No state, no locks.
 */
#include "heap.h"

typedef uint64_t __attribute__((may_alias)) word_t;

/**
 * mm_memset - fill @n bytes at @p with @c.
 * @p: destination. @c: byte value. @n: count.
 */
void mm_memset(void *p, int c, size_t n)
{
	unsigned char *b = p;
	uint64_t v = 0x0101010101010101ULL * (unsigned char)c;

	while (n && ((uintptr_t)b & 7)) {
		*b++ = (unsigned char)c;
		n--;
	}
	for (; n >= 8; n -= 8, b += 8)
		*(word_t *)b = v;
	while (n--)
		*b++ = (unsigned char)c;
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
		while (n && ((uintptr_t)db & 7)) {
			*db++ = *sb++;
			n--;
		}
		for (; n >= 8; n -= 8, db += 8, sb += 8)
			*(word_t *)db = *(const word_t *)sb;
	}
	while (n--)
		*db++ = *sb++;
}
