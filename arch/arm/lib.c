// SPDX-License-Identifier: MIT
/*
 * lib.c - the compiler support routines the 32-bit Arm kernel provides
 * itself: it links no libgcc and no compiler-rt, so every helper the
 * compilers call is here, in ARM state, without FP/SIMD, and visible in
 * the tree. ARCH=armv7m links it too, as Thumb-2 (its 32-bit division
 * is the Cortex-M3's UDIV as well). What calls them: 64-bit division and remainder
 * (__aeabi_uldivmod and __aeabi_ldivmod, entered through aeabi.S; the
 * printf formatter,
 * arch_time_ns(), statistics), and 64-bit count of trailing zeros
 * (__ctzdi2: the bitmap searches of mm/), and clang's memory helpers
 * (__aeabi_memcpy() and friends, over kernel/string.c). 32-bit division
 * is the Cortex-A15's UDIV/SDIV, inline.
 *
 * No state.
 */
#include <stddef.h>
#include <stdint.h>

uint64_t arm_udivmod64(uint64_t n, uint64_t d, uint64_t *rem);
int64_t arm_sdivmod64(int64_t n, int64_t d, int64_t *rem);
int __ctzdi2(uint64_t a);

/* Leading zeros of a non-zero 64-bit value, from 32-bit CLZ. */
static int clz64(uint64_t x)
{
	uint32_t hi = (uint32_t)(x >> 32);

	return hi ? __builtin_clz(hi) : 32 + __builtin_clz((uint32_t)x);
}

/**
 * arm_udivmod64 - unsigned 64-bit division with remainder.
 * @n: dividend.
 * @d: divisor; 0 gives quotient ~0 and remainder @n (the ABI leaves
 *     division by zero to the implementation).
 * @rem: set to @n % @d.
 *
 * Both within 32 bits: one UDIV. Otherwise shift and subtract, one step
 * per bit of the quotient (at most 64).
 *
 * Return: @n / @d.
 */
uint64_t arm_udivmod64(uint64_t n, uint64_t d, uint64_t *rem)
{
	uint64_t q = 0;
	int shift;

	if (!d) {
		*rem = n;
		return ~0ULL;
	}
	if (!(n >> 32) && !(d >> 32)) {
		*rem = (uint32_t)n % (uint32_t)d;
		return (uint32_t)n / (uint32_t)d;
	}
	if (d > n) {
		*rem = n;
		return 0;
	}
	shift = clz64(d) - clz64(n);
	d <<= shift;
	for (; shift >= 0; shift--) {
		q <<= 1;
		if (n >= d) {
			n -= d;
			q |= 1;
		}
		d >>= 1;
	}
	*rem = n;
	return q;
}

/**
 * arm_sdivmod64 - signed 64-bit division with remainder, C's rules (the
 * quotient rounds toward zero, the remainder has @n's sign).
 * @n: dividend.
 * @d: divisor; 0 as in arm_udivmod64().
 * @rem: set to @n % @d.
 *
 * Return: @n / @d.
 */
int64_t arm_sdivmod64(int64_t n, int64_t d, int64_t *rem)
{
	uint64_t un = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
	uint64_t ud = d < 0 ? 0 - (uint64_t)d : (uint64_t)d;
	uint64_t q, r;

	q = arm_udivmod64(un, ud, &r);
	*rem = n < 0 ? (int64_t)(0 - r) : (int64_t)r;
	return (n < 0) != (d < 0) ? (int64_t)(0 - q) : (int64_t)q;
}

/**
 * __ctzdi2 - trailing zero bits of a 64-bit value.
 * @a: the value, not 0 (as for __builtin_ctzll()).
 *
 * Return: 0..63.
 */
int __ctzdi2(uint64_t a)
{
	uint32_t lo = (uint32_t)a;

	return lo ? __builtin_ctz(lo) : 32 + __builtin_ctz((uint32_t)(a >> 32));
}

/*
 * The run-time ABI's memory helpers, which clang calls for structure
 * copies and clears (gcc calls memcpy() and memset()). The 4 and 8
 * variants only promise aligned arguments. Note the argument orders:
 * __aeabi_memset(dest, n, c) and __aeabi_memclr(dest, n).
 */
void *memset(void *d, int c, size_t n);
void *memcpy(void *restrict d, const void *restrict s, size_t n);
void *memmove(void *d, const void *s, size_t n);

void __aeabi_memcpy(void *d, const void *s, size_t n);
void __aeabi_memcpy4(void *d, const void *s, size_t n);
void __aeabi_memcpy8(void *d, const void *s, size_t n);
void __aeabi_memmove(void *d, const void *s, size_t n);
void __aeabi_memmove4(void *d, const void *s, size_t n);
void __aeabi_memmove8(void *d, const void *s, size_t n);
void __aeabi_memset(void *d, size_t n, int c);
void __aeabi_memset4(void *d, size_t n, int c);
void __aeabi_memset8(void *d, size_t n, int c);
void __aeabi_memclr(void *d, size_t n);
void __aeabi_memclr4(void *d, size_t n);
void __aeabi_memclr8(void *d, size_t n);

/** __aeabi_memcpy - memcpy() without a result. */
void __aeabi_memcpy(void *d, const void *s, size_t n)
{
	memcpy(d, s, n);
}

/** __aeabi_memcpy4 - __aeabi_memcpy() of 4-byte aligned buffers. */
void __aeabi_memcpy4(void *d, const void *s, size_t n)
{
	memcpy(d, s, n);
}

/** __aeabi_memcpy8 - __aeabi_memcpy() of 8-byte aligned buffers. */
void __aeabi_memcpy8(void *d, const void *s, size_t n)
{
	memcpy(d, s, n);
}

/** __aeabi_memmove - memmove() without a result. */
void __aeabi_memmove(void *d, const void *s, size_t n)
{
	memmove(d, s, n);
}

/** __aeabi_memmove4 - __aeabi_memmove() of 4-byte aligned buffers. */
void __aeabi_memmove4(void *d, const void *s, size_t n)
{
	memmove(d, s, n);
}

/** __aeabi_memmove8 - __aeabi_memmove() of 8-byte aligned buffers. */
void __aeabi_memmove8(void *d, const void *s, size_t n)
{
	memmove(d, s, n);
}

/** __aeabi_memset - memset() with the length before the byte. */
void __aeabi_memset(void *d, size_t n, int c)
{
	memset(d, c, n);
}

/** __aeabi_memset4 - __aeabi_memset() of a 4-byte aligned buffer. */
void __aeabi_memset4(void *d, size_t n, int c)
{
	memset(d, c, n);
}

/** __aeabi_memset8 - __aeabi_memset() of an 8-byte aligned buffer. */
void __aeabi_memset8(void *d, size_t n, int c)
{
	memset(d, c, n);
}

/** __aeabi_memclr - zero @n bytes at @d. */
void __aeabi_memclr(void *d, size_t n)
{
	memset(d, 0, n);
}

/** __aeabi_memclr4 - __aeabi_memclr() of a 4-byte aligned buffer. */
void __aeabi_memclr4(void *d, size_t n)
{
	memset(d, 0, n);
}

/** __aeabi_memclr8 - __aeabi_memclr() of an 8-byte aligned buffer. */
void __aeabi_memclr8(void *d, size_t n)
{
	memset(d, 0, n);
}
