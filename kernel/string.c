// SPDX-License-Identifier: MIT
/*
 * string.c - memset, memcpy, memmove and memcmp for the kernels, which
 * have no C library. The compilers emit calls to these for structure
 * assignments and initialisers even in freestanding code, and gcc turns
 * loops that look like them into calls, so none of them may contain such
 * a loop: memset and memcpy are mm/util.c's mm_memset and mm_memcpy (rep
 * stosq/movsq on x86-64, unrolled word loops on AArch64, neither of which
 * calls out), memmove copies with volatile byte accesses where the ranges
 * overlap. No state.
 */
#include <stddef.h>
#include <stdint.h>

void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* mm/util.c (declared in mm/heap.h, which is mm/'s own). */
void mm_memset(void *p, int c, size_t n);
void mm_memcpy(void *d, const void *s, size_t n);

/**
 * memset - fill @n bytes at @d with @c.
 * @d: destination. @c: byte. @n: count.
 *
 * Return: @d.
 */
void *memset(void *d, int c, size_t n)
{
	mm_memset(d, c, n);
	return d;
}

/**
 * memcpy - copy @n bytes from @s to @d; the ranges must not overlap.
 * @d: destination. @s: source. @n: count.
 *
 * Return: @d.
 */
void *memcpy(void *restrict d, const void *restrict s, size_t n)
{
	mm_memcpy(d, s, n);
	return d;
}

/**
 * memmove - copy @n bytes from @s to @d; the ranges may overlap.
 * @d: destination. @s: source. @n: count.
 *
 * Return: @d.
 */
void *memmove(void *d, const void *s, size_t n)
{
	volatile unsigned char *p = d;
	const unsigned char *q = s;

	if ((uintptr_t)p + n <= (uintptr_t)q ||
	    (uintptr_t)q + n <= (uintptr_t)p) {
		mm_memcpy(d, s, n);		/* disjoint */
	} else if (p <= q) {
		while (n--)
			*p++ = *q++;
	} else {
		while (n--)
			p[n] = q[n];
	}
	return d;
}

/**
 * memcmp - compare @n bytes.
 * @a: first. @b: second. @n: count.
 *
 * Return: <0, 0 or >0 as the first differing byte of @a is smaller,
 * equal or greater.
 */
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *p = a, *q = b;

	for (; n; n--, p++, q++)
		if (*p != *q)
			return *p - *q;
	return 0;
}
