// SPDX-License-Identifier: MIT
/*
 * memmap_model.c - the shadow model of a memory map (memmap_model.h).
 *
 * Owns: model[], the window's granules, and rank_of[], model_rank() of
 * every byte value, filled on the first model_reset(). No locks
 * (single-threaded).
 *
 * The model stays one byte per granule, read and written naively; only
 * the loops are cheap: a forced paint and a reset are memset(), a paint
 * by rank looks ranks up in rank_of[], and reading back runs compares
 * eight granules at a time.
 */
#include "memmap_model.h"

static uint8_t model[MODEL_NU];
static uint8_t rank_of[256];
static bool rank_ready;

/* The rank table of docs/ARCHITECTURE.md, typed in again on purpose. */
unsigned int model_rank(uint32_t type)
{
	static const uint32_t order[] = {
		MEMMAP_USABLE, MEMMAP_ACPI_RECLAIM, MEMMAP_BOOTINFO,
		MEMMAP_MODULE, MEMMAP_INITRD, MEMMAP_DTB, MEMMAP_PAGETABLE,
		MEMMAP_TRAMPOLINE, MEMMAP_METADATA, MEMMAP_HOTPLUG,
		MEMMAP_KERNEL, MEMMAP_FIRMWARE, MEMMAP_RESERVED,
		MEMMAP_ACPI_NVS, MEMMAP_BAD,
	};
	unsigned int i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (order[i] == type)
			return i + 1;
	return 0;
}

uint32_t model_norm(uint32_t type)
{
	return model_rank(type) ? type : MEMMAP_RESERVED;
}

void model_reset(void)
{
	unsigned int t;

	if (!rank_ready) {
		for (t = 0; t < 256; t++)
			rank_of[t] = (uint8_t)model_rank(t);
		rank_ready = true;
	}
	__builtin_memset(model, 0, sizeof(model));
}

void model_paint(uint64_t lo, uint64_t hi, uint32_t type, bool force)
{
	uint64_t i, end = (hi + MODEL_UNIT - 1) / MODEL_UNIT;
	unsigned int r = model_rank(type);

	if (lo >= hi)
		return;		/* an empty range covers no granule */
	if (force) {
		__builtin_memset(model + lo / MODEL_UNIT, (uint8_t)type,
		       end - lo / MODEL_UNIT);
		return;
	}
	for (i = lo / MODEL_UNIT; i < end; i++)
		if (!model[i] || r > rank_of[model[i]])
			model[i] = (uint8_t)type;
}

/* The end of the run of granules equal to model[@i], at most @nu. */
static uint64_t run_end(uint64_t i, uint64_t nu)
{
	uint64_t v = model[i] * 0x0101010101010101ULL, w;
	uint64_t j = i + 1;

	while (j < nu && (j & 7) && model[j] == model[i])
		j++;
	if (j < nu && model[j] != model[i])
		return j;
	while (j + 8 <= nu) {
		__builtin_memcpy(&w, model + j, 8);
		if (w != v)
			break;
		j += 8;
	}
	while (j < nu && model[j] == model[i])
		j++;
	return j;
}

size_t model_expect(struct memmap_region *out, phys_addr_t win,
		    uint64_t limit, bool trim)
{
	uint64_t nu = (limit + MODEL_UNIT - 1) / MODEL_UNIT, i = 0;
	size_t n = 0;

	while (i < nu) {
		uint64_t j = run_end(i, nu);

		if (model[i]) {
			phys_addr_t b = win + i * MODEL_UNIT;
			phys_addr_t e = win + (j * MODEL_UNIT < limit ?
					       j * MODEL_UNIT : limit);

			if (model[i] == MEMMAP_USABLE && trim) {
				/* Round up without wrapping past 2^64. */
				if (b & (FRAME_SIZE - 1))
					b = (b | (FRAME_SIZE - 1)) == ~0ULL ?
					    e : (b | (FRAME_SIZE - 1)) + 1;
				e &= ~(phys_addr_t)(FRAME_SIZE - 1);
			}
			if (e > b) {
				out[n].base = b;
				out[n].size = e - b;
				out[n].type = model[i];
				n++;
			}
		}
		i = j;
	}
	return n;
}

void model_load(const struct memmap_region *r, size_t n, phys_addr_t win)
{
	size_t k;

	model_reset();
	for (k = 0; k < n; k++)
		model_paint(r[k].base - win, r[k].base - win + r[k].size,
			    r[k].type, true);
}

void model_set_range(uint64_t lo, uint64_t hi, uint32_t type,
		     phys_addr_t win, uint64_t limit,
		     struct memmap_region *scratch)
{
	model_paint(lo, hi, type, true);
	model_load(scratch, model_expect(scratch, win, limit, true), win);
}

void model_range(uint64_t *a, uint64_t *b, uint64_t limit)
{
	uint64_t x;

	if (*a > *b) {
		x = *a;
		*a = *b;
		*b = x;
	}
	if (*b > limit)
		*b = limit;
	if (*a > *b)
		*a = *b;
}

uint32_t model_at(uint64_t off)
{
	return model[off / MODEL_UNIT];
}
