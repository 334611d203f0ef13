// SPDX-License-Identifier: MIT
/*
 * frame_fuzz.c - libFuzzer harness for the frame allocator against a
 * shadow of which frames each live block holds (make fuzz; make test
 * replays fuzz/corpus/frame/).
 *
 * The input is a program on 32 slots: frame_alloc(order), frame_alloc_run
 * (n), their frees with the right order or length, and misuse: a second
 * free, a free with another order, a free of a block's second frame, a
 * run freed as a block. Checked: a new block is aligned to its order,
 * lies in managed memory and overlaps no live block (the shadow is the
 * slots' ranges: a new block is compared with each live one, the same
 * check as a mark per frame at 32 comparisons instead of up to 3000
 * marks); every misuse is reported (one report,
 * through a hook that lets the allocator go on) and changes nothing; a
 * correct free is not reported. At the end of an input everything is
 * freed, and after a drain every frame is back (exact accounting); the
 * validator runs after every 64th input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kma_host.h>
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include "test_mm.h"
#include <kma/mm_report.h>

#define SLOTS	32
#define MEM	(48u << 20)

struct blk {
	phys_addr_t pa;
	uint64_t frames;	/* 0: free slot */
	int order;		/* -1: a run */
};

static struct blk slot[SLOTS];
static uint64_t nframes, base_free, inputs;
static unsigned int reports;

static void hook(const struct mm_report *r)
{
	(void)r;
	reports++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (kma_host_init(MEM))
		abort();
	nframes = MEM / FRAME_SIZE;
	base_free = test_mm_free_frames();
	mm_set_report_hook(hook);
	return 0;
}

static void die(const char *what, int i)
{
	fprintf(stderr, "frame_fuzz: slot %d: %s\n", i, what);
	abort();
}

/* Slot @i's new block lies in memory and apart from every live block. */
static void check_new(int i)
{
	const struct blk *b = &slot[i];
	uint64_t f = (b->pa - HOST_PHYS_BASE) / FRAME_SIZE;
	int j;

	if (f + b->frames > nframes)
		die("block outside memory", i);
	for (j = 0; j < SLOTS; j++)
		if (j != i && slot[j].frames &&
		    b->pa < slot[j].pa + slot[j].frames * FRAME_SIZE &&
		    slot[j].pa < b->pa + b->frames * FRAME_SIZE)
			die("block overlaps a live one", i);
}

static void release(int i)
{
	struct blk *b = &slot[i];

	if (b->order < 0)
		frame_free_run(b->pa, b->frames);
	else
		frame_free(b->pa, (unsigned int)b->order);
	b->frames = 0;
}

/* A misuse must be reported once and leave everything as it was. */
static void expect_report(unsigned int before, int i, const char *what)
{
	if (reports != before + 1)
		die(what, i);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t pos = 0;
	int i;

	reports = 0;
	while (pos + 3 <= n) {
		const uint8_t *op = d + pos;
		struct blk *b;
		unsigned int before = reports, o;
		phys_addr_t pa;

		pos += 3;
		i = op[0] % SLOTS;
		b = &slot[i];
		switch (op[0] >> 5) {
		case 0: case 1: case 2:		/* allocate a block */
			if (b->frames)
				release(i);
			o = op[1] % (FRAME_MAX_ORDER + 1);
			pa = frame_alloc(o);
			if (pa == FRAME_NONE)
				break;
			if (pa % (FRAME_SIZE << o))
				die("block not aligned to its order", i);
			*b = (struct blk){ pa, 1ULL << o, (int)o };
			check_new(i);
			break;
		case 3:				/* allocate a run */
			if (b->frames)
				release(i);
			o = ((unsigned int)op[1] | (unsigned int)op[2] << 8) %
			    3000 + 1;
			pa = frame_alloc_run(o);
			if (pa == FRAME_NONE)
				break;
			if (pa % (FRAME_SIZE * ((o & -o) < 1024 ? (o & -o) :
							      1024)))
				die("run not aligned as promised", i);
			*b = (struct blk){ pa, o, -1 };
			check_new(i);
			break;
		case 4: case 5:			/* correct free */
			if (b->frames)
				release(i);
			break;
		default:			/* misuse, then a correct free */
			if (!b->frames)
				break;
			if ((op[1] & 3) == 0 && b->order > 0) {
				frame_free(b->pa, (unsigned int)b->order - 1);
				expect_report(before, i, "wrong order not reported");
			} else if ((op[1] & 3) == 1 && b->frames > 1) {
				frame_free(b->pa + FRAME_SIZE, 0);
				expect_report(before, i, "interior free not reported");
			} else if ((op[1] & 3) == 2 && b->order < 0 &&
				   b->frames > 1) {
				frame_free(b->pa, 0);
				expect_report(before, i, "run freed as a block not reported");
			} else {
				struct blk old = *b;

				release(i);
				before = reports;
				if (old.order < 0)
					frame_free_run(old.pa, old.frames);
				else
					frame_free(old.pa, (unsigned int)old.order);
				expect_report(before, i, "double free not reported");
				before = reports;
			}
			before = reports;
			if (b->frames)
				release(i);
			break;
		}
		if (reports != before)
			die("a correct call was reported", i);
	}
	for (i = 0; i < SLOTS; i++)
		if (slot[i].frames)
			release(i);
	if (!(inputs++ & 63) && frame_validate())
		die("validator", -1);
	if (test_mm_free_frames() != base_free)
		die("frames not all back", -1);
	return 0;
}
