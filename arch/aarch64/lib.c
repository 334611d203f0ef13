// SPDX-License-Identifier: MIT
/*
 * lib.c - compiler support routines the AArch64 kernel provides itself.
 *
 * libgcc's __popcountdi2 for AArch64 uses the SIMD unit (cnt/addv), which
 * the kernel keeps disabled (CPACR_EL1.FPEN traps it: nothing saves the
 * FP registers across interrupts). Objects are linked before libgcc, so
 * these general-register versions take precedence. No state.
 */
#include <stdint.h>

int __popcountdi2(int64_t a);
int __popcountsi2(int32_t a);

/**
 * __popcountdi2 - number of set bits in a 64-bit value.
 * @a: the value.
 *
 * Return: 0..64.
 */
int __popcountdi2(int64_t a)
{
	uint64_t x = (uint64_t)a;

	x = x - ((x >> 1) & 0x5555555555555555ULL);
	x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (int)((x * 0x0101010101010101ULL) >> 56);
}

/**
 * __popcountsi2 - number of set bits in a 32-bit value.
 * @a: the value.
 *
 * Return: 0..32.
 */
int __popcountsi2(int32_t a)
{
	return __popcountdi2((int64_t)(uint32_t)a);
}
