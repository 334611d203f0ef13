/* SPDX-License-Identifier: MIT */
/*
 * bitops.h - the bitmap word of mm/ and its bit operations, without
 * compiler runtime helpers.
 *
 * Every bitmap in mm/ (span slots, page-heap free lists, frame blocks,
 * CPU-cache class sets) is an array of kma_bitword_t, the native machine
 * word: 64 bits on x86-64, AArch64 and 64-bit hosts, 32 bits on 32-bit
 * Arm and -m32 hosts. Loads, stores, shifts, bit counts and atomic
 * read-modify-writes of one word are then single instructions (or one
 * LDREX/STREX loop) on every target: a 32-bit target never needs an
 * 8-byte atomic (which Cortex-M has only as a library call) nor a 64-bit
 * ctz (__ctzdi2).
 *
 * Bit n of a bitmap is bit kma_bit(n) of word kma_word(n).
 *
 * kma_popcount(): __builtin_popcountl() is one instruction where the
 * target has one (x86-64 with -mpopcnt, AArch64 with SIMD, any hosted
 * build), but where it has none in the registers a kernel may use
 * (AArch64 with -mgeneral-regs-only, x86-64 without -mpopcnt, 32-bit Arm)
 * the compilers call __popcountdi2 or __popcountsi2, which a kernel linked
 * with -nostdlib does not have. So kernel builds count with shifts and
 * masks there (about 12 instructions; the counts are on slow paths:
 * sweeps, reclaims, validators).
 *
 * No state.
 */
#ifndef KMA_MM_BITOPS_H
#define KMA_MM_BITOPS_H

#include <stdint.h>

typedef unsigned long kma_bitword_t;

#define KMA_BITS_PER_WORD	(__SIZEOF_LONG__ * 8)
#define KMA_WORD_SHIFT		(__SIZEOF_LONG__ == 8 ? 6 : 5)
#define KMA_WORD_ONES		(~(kma_bitword_t)0)
/* Words of a bitmap of @nbits bits. */
#define KMA_BITWORDS(nbits)						\
	(((nbits) + KMA_BITS_PER_WORD - 1) / KMA_BITS_PER_WORD)

_Static_assert(sizeof(kma_bitword_t) * 8 == KMA_BITS_PER_WORD &&
	       (1UL << KMA_WORD_SHIFT) == KMA_BITS_PER_WORD,
	       "kma_bitword_t is the native word");

/* Index of the word that holds bit @n. */
static inline unsigned long kma_word(unsigned long n)
{
	return n >> KMA_WORD_SHIFT;
}

/* Mask of bit @n within its word. */
static inline kma_bitword_t kma_bit(unsigned long n)
{
	return (kma_bitword_t)1 << (n & (KMA_BITS_PER_WORD - 1));
}

/* Bits 0 .. @n - 1 of a word; @n < KMA_BITS_PER_WORD. */
static inline kma_bitword_t kma_low_bits(unsigned int n)
{
	return ((kma_bitword_t)1 << n) - 1;
}

/* Index of the lowest set bit; @x != 0. */
static inline unsigned int kma_ctz(kma_bitword_t x)
{
	return (unsigned int)__builtin_ctzl(x);
}

/* Index of the highest set bit; @x != 0. */
static inline unsigned int kma_fls(kma_bitword_t x)
{
	return KMA_BITS_PER_WORD - 1 - (unsigned int)__builtin_clzl(x);
}

static inline unsigned int kma_popcount(kma_bitword_t x)
{
#if !defined(KMA_KERNEL) || defined(__POPCNT__) || \
	(defined(__aarch64__) && defined(__ARM_NEON))
	return (unsigned int)__builtin_popcountl(x);
#else
	/* The masks 0x55.., 0x33.., 0x0f.., 0x01.. of the word's width. */
	x = x - ((x >> 1) & (KMA_WORD_ONES / 3));
	x = (x & (KMA_WORD_ONES / 5)) + ((x >> 2) & (KMA_WORD_ONES / 5));
	x = (x + (x >> 4)) & (KMA_WORD_ONES / 17);
	return (unsigned int)((x * (KMA_WORD_ONES / 255)) >>
			      (KMA_BITS_PER_WORD - 8));
#endif
}

#endif /* KMA_MM_BITOPS_H */
