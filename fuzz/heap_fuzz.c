// SPDX-License-Identifier: MIT
/*
 * heap_fuzz.c - libFuzzer harness for the object heap against a shadow
 * model (make fuzz; make test replays fuzz/corpus/heap/).
 *
 * The input is a program of operations on 64 slots: kmalloc, kzalloc,
 * kmalloc_aligned, krealloc and kfree with sizes and alignments from the
 * input (every class, large and huge objects, alignments up to 2 MiB),
 * and a quiesce. The shadow keeps each live object's size and fill byte.
 * Checked after every operation: alignment (8 or 16 bytes, or the asked
 * one), ksize() at least the size, kzalloc's zeroes, the contents of an
 * object intact until its free (and across krealloc up to the smaller
 * size), no two live objects overlapping. At the end of an input every
 * object is freed and, after a quiesce, every frame is back (exact
 * accounting); the validators run after every 64th input (walking
 * every frame, they would set the pace). Any misuse report aborts (the
 * host port's default), which libFuzzer records as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kma_host.h>
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include "test_mm.h"

#define SLOTS	64

struct shadow {
	unsigned char *p;
	size_t size;
	unsigned char fill;
};

static struct shadow slot[SLOTS];
static uint64_t base_free, inputs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (kma_host_init(48u << 20))
		abort();
	base_free = test_mm_free_frames();
	return 0;
}

static void die(const char *what, int i)
{
	fprintf(stderr, "heap_fuzz: slot %d: %s\n", i, what);
	abort();
}

/* Sizes: mostly small, sometimes large, rarely huge. */
static size_t size_of(const uint8_t *b)
{
	unsigned int v = (unsigned int)b[0] | (unsigned int)b[1] << 8;
	size_t n;

	switch (b[2] & 7) {
	case 0:
		n = (v & 0xff) + 1;
		break;
	case 1: case 2: case 3:
		n = (v & 0x7fff) + 1;			/* up to 32 KiB */
		break;
	case 4: case 5:
		n = ((size_t)v << 4) + 1;		/* up to 1 MiB */
		break;
	case 6:
		n = ((size_t)(v & 0x3ff) << 12) + (b[2] >> 3);	/* 4 MiB */
		break;
	default:
		n = (size_t)(b[2] >> 3) << 18 | (v & 0xfff);	/* 8 MiB */
		break;
	}
	return n ? n : 1;
}

static void check_live(int i)
{
	struct shadow *s = &slot[i];
	size_t k, step = s->size > 4096 ? s->size / 64 : 1;

	if (!s->p)
		return;
	for (k = 0; k < s->size; k += step)
		if (s->p[k] != s->fill)
			die("contents changed", i);
	if (s->p[s->size - 1] != s->fill)
		die("last byte changed", i);
}

/* Every byte of small objects; of larger ones, the bytes check_live()
 * reads (a stride of a 64th, and the last). */
static void fill(int i)
{
	struct shadow *s = &slot[i];
	size_t k, step = s->size > 4096 ? s->size / 64 : 1;

	for (k = 0; k < s->size; k += step)
		s->p[k] = s->fill;
	s->p[s->size - 1] = s->fill;
}

static void check_new(int i, size_t align)
{
	struct shadow *s = &slot[i];
	uintptr_t a = (uintptr_t)s->p;
	int j;

	if (a % (align > 8 ? align : 8))
		die("misaligned", i);
	if (s->size >= 16 && align <= 16 && a % 16)
		die("not 16-byte aligned", i);
	if (ksize(s->p) < s->size)
		die("ksize below the size", i);
	for (j = 0; j < SLOTS; j++) {
		uintptr_t b = (uintptr_t)slot[j].p;

		if (j == i || !b)
			continue;
		if (a < b + slot[j].size && b < a + s->size)
			die("overlaps another live object", i);
	}
}

static void drop(int i)
{
	check_live(i);
	kfree(slot[i].p);
	slot[i].p = NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t pos = 0, k;
	int i;

	while (pos + 4 <= n) {
		const uint8_t *op = d + pos;
		struct shadow *s;
		size_t size, align;
		unsigned char *q;

		pos += 4;
		i = op[0] % SLOTS;
		s = &slot[i];
		switch ((op[0] >> 6) & 3) {
		case 0:				/* kmalloc or kzalloc */
			if (s->p)
				drop(i);
			size = size_of(op + 1);
			s->p = (op[3] & 1) ? kzalloc(size, GFP_KERNEL) :
					     kmalloc(size, GFP_KERNEL);
			if (!s->p)
				break;		/* out of memory is allowed */
			s->size = size;
			if (op[3] & 1)
				for (k = 0; k < size; k += size > 4096 ? 509 : 1)
					if (s->p[k])
						die("kzalloc not zero", i);
			check_new(i, 8);
			s->fill = op[1] | 1;
			fill(i);
			break;
		case 1:				/* kmalloc_aligned */
			if (s->p)
				drop(i);
			size = size_of(op + 1);
			align = (size_t)1 << (op[3] % 22);	/* to 2 MiB */
			s->p = kmalloc_aligned(size, align, GFP_KERNEL);
			if (!s->p)
				break;
			s->size = size;
			check_new(i, align);
			s->fill = op[2] | 1;
			fill(i);
			break;
		case 2:				/* krealloc */
			if (!s->p)
				break;
			check_live(i);
			size = size_of(op + 1);
			q = krealloc(s->p, size, GFP_KERNEL);
			if (!q)
				break;		/* the old object stays */
			for (k = 0; k < (size < s->size ? size : s->size);
			     k += s->size > 4096 ? s->size / 64 : 1)
				if (q[k] != s->fill)
					die("krealloc lost contents", i);
			s->p = q;
			s->size = size;
			check_new(i, 8);
			fill(i);
			break;
		default:			/* kfree, or quiesce */
			if (s->p)
				drop(i);
			else if (op[1] == 0xff)
				(void)test_mm_free_frames();
			break;
		}
	}
	for (i = 0; i < SLOTS; i++)
		if (slot[i].p)
			drop(i);
	/* The validators walk every frame: every 64th input (the first
	 * included, so a replay of one input runs them). */
	if (!(inputs++ & 63) && (kmalloc_validate() || frame_validate()))
		die("validator", -1);
	if (test_mm_free_frames() != base_free)
		die("frames not all back after freeing everything", -1);
	return 0;
}
