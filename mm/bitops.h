/* SPDX-License-Identifier: MIT */
/*
 * bitops.h - bit counting for mm/ without compiler runtime helpers.
 *
 * __builtin_popcountll() is one instruction where the target has one
 * (x86-64 with -mpopcnt, AArch64 with SIMD, any hosted build), but where
 * it has none in the registers a kernel may use (AArch64 with
 * -mgeneral-regs-only, x86-64 without -mpopcnt) GCC calls libgcc's
 * __popcountdi2, which a kernel linked with -nostdlib does not have. So
 * kernel builds count with shifts and masks there (about 12 instructions;
 * the counts are on slow paths: sweeps, reclaims, validators).
 *
 * No state.
 */
#ifndef KMA_MM_BITOPS_H
#define KMA_MM_BITOPS_H

#include <stdint.h>

static inline unsigned int mm_popcount64(uint64_t x)
{
#if !defined(KMA_KERNEL) || defined(__POPCNT__) || \
	(defined(__aarch64__) && defined(__ARM_NEON))
	return (unsigned int)__builtin_popcountll(x);
#else
	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (unsigned int)((x * 0x0101010101010101ULL) >> 56);
#endif
}

#endif /* KMA_MM_BITOPS_H */
