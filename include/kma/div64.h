/* SPDX-License-Identifier: MIT */
/*
 * div64.h - 64-bit division without a compiler runtime helper.
 *
 * On a 32-bit target the compilers turn a 64-bit `/` or `%` into a call
 * (__aeabi_uldivmod on Arm, __udivdi3 elsewhere) that a kernel linked
 * without libgcc does not have. kma_div64() divides in words when both
 * operands fit one and by shift and subtract otherwise (64 steps: for
 * slow paths only, such as formatting a number or a dump). On a 64-bit
 * target it is the native division.
 *
 * No state.
 */
#ifndef KMA_DIV64_H
#define KMA_DIV64_H

#include <stdint.h>
#include <stddef.h>

/**
 * kma_div64 - @n / @d, and @n % @d in *@rem if @rem is not NULL.
 * @n: dividend.
 * @d: divisor, not 0.
 * @rem: where the remainder goes, or NULL.
 *
 * Return: the quotient.
 */
static inline uint64_t kma_div64(uint64_t n, uint64_t d, uint64_t *rem)
{
#if __SIZEOF_LONG__ >= 8
	if (rem)
		*rem = n % d;
	return n / d;
#else
	uint64_t q = 0, r = 0;
	unsigned int i;

	if (!(n >> 32) && !(d >> 32)) {
		unsigned long n32 = (unsigned long)n, d32 = (unsigned long)d;

		if (rem)
			*rem = n32 % d32;
		return n32 / d32;
	}
	for (i = 0; i < 64; i++) {
		unsigned int carry = (unsigned int)(r >> 63);

		r = (r << 1) | (n >> 63);
		n <<= 1;
		q <<= 1;
		if (carry || r >= d) {
			r -= d;
			q |= 1;
		}
	}
	if (rem)
		*rem = r;
	return q;
#endif
}

#endif /* KMA_DIV64_H */
