// SPDX-License-Identifier: MIT
/*
 * memmap_fuzz.c - libFuzzer harness for the memory map against the
 * shadow model of tests/memmap_model.c (make fuzz; make test replays
 * fuzz/corpus/memmap/).
 *
 * The first byte picks one of four windows (the top one ends a byte
 * short of 2^64, and there a range may run past the top); then 4-byte
 * operations: memmap_add() of [a, b) with a type (0 and unknown ones
 * included: stored as reserved), until an operation with the top bit set, which sanitizes;
 * after it, memmap_set_range() of [a, b) with a type or a hole.
 * Boundaries are on the model's 16-byte granules. Checked: the sanitized
 * map and the map after every set_range() equal the model's entries
 * exactly, and memmap_type_at() agrees with the model at the bytes the
 * operations name. A mismatch aborts.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include "memmap_model.h"

#define TOP	(~0ULL)
#define MAXOPS	120

static struct memmap_region table[1024];
static struct memmap_region want[MODEL_NU];

static void mismatch(const struct memmap *m, size_t nw, const char *when)
{
	size_t i;

	fprintf(stderr, "memmap_fuzz: %s: the map differs from the model\n",
		when);
	for (i = 0; i < m->nr; i++)
		fprintf(stderr, "  got  0x%llx+0x%llx type %u\n",
			(unsigned long long)m->regions[i].base,
			(unsigned long long)m->regions[i].size,
			m->regions[i].type);
	for (i = 0; i < nw; i++)
		fprintf(stderr, "  want 0x%llx+0x%llx type %u\n",
			(unsigned long long)want[i].base,
			(unsigned long long)want[i].size, want[i].type);
	abort();
}

static void compare(const struct memmap *m, phys_addr_t win, uint64_t limit,
		    const char *when)
{
	size_t nw = model_expect(want, win, limit, true), i;

	if (m->nr != nw)
		mismatch(m, nw, when);
	for (i = 0; i < nw; i++)
		if (m->regions[i].base != want[i].base ||
		    m->regions[i].size != want[i].size ||
		    m->regions[i].type != want[i].type)
			mismatch(m, nw, when);
}

/* A boundary in the window from two bytes: granule, 256 or frame. */
static uint64_t point(const uint8_t *b)
{
	unsigned int v = (unsigned int)b[0] | (unsigned int)b[1] << 8;

	switch (v >> 14) {
	case 0:
		return (uint64_t)(v % (MODEL_WIN / FRAME_SIZE + 1)) *
		       FRAME_SIZE;
	case 1:
		return (uint64_t)(v % (MODEL_WIN / 256 + 1)) * 256;
	default:
		return (uint64_t)(v % (MODEL_NU + 1)) * MODEL_UNIT;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static const phys_addr_t windows[] = {
		0, 0x7fff0000ULL, 0x123400000ULL, TOP - MODEL_WIN + 1,
	};
	struct memmap m;
	phys_addr_t win;
	uint64_t limit;
	size_t pos = 1, ops = 0;
	bool sanitized = false;

	if (!n)
		return 0;
	win = windows[d[0] & 3];
	limit = win == TOP - MODEL_WIN + 1 ? MODEL_WIN - 1 : MODEL_WIN;
	memmap_init(&m, table, 1024);
	model_reset();
	while (pos + 5 <= n && ops++ < MAXOPS) {
		const uint8_t *op = d + pos;
		uint64_t a = point(op + 1), b = point(op + 3);
		uint32_t type = op[0] & 0x1f;	/* unknown types too */

		pos += 5;
		model_range(&a, &b, limit);
		if (!sanitized && (op[0] & 0x80)) {
			if (memmap_sanitize(&m))
				abort();
			compare(&m, win, limit, "sanitize");
			model_load(want, model_expect(want, win, limit, true),
				   win);
			sanitized = true;
			continue;
		}
		if (!sanitized) {
			uint64_t sz = b - a;

			/* Now and then a range running past 2^64. */
			if (win == TOP - MODEL_WIN + 1 && (op[0] & 0x60) == 0x60) {
				sz = TOP;
				b = limit;
			}
			memmap_add(&m, win + a, sz, type);
			model_paint(a, b, model_norm(type), false);
			continue;
		}
		if (type >= MEMMAP_TYPE_NR)
			type = MEMMAP_RESERVED;	/* set_range takes known ones */
		if (memmap_set_range(&m, win + a, b - a, type))
			abort();
		model_set_range(a, b, type, win, limit, want);
		compare(&m, win, limit, "set_range");
		if (a < limit && memmap_type_at(&m, win + a) != model_at(a))
			abort();
	}
	if (!sanitized) {
		if (memmap_sanitize(&m))
			abort();
		compare(&m, win, limit, "sanitize");
	}
	return 0;
}
