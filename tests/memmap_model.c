// SPDX-License-Identifier: MIT
/*
 * memmap_model.c - the shadow model of a memory map (memmap_model.h).
 *
 * Owns: model[], the window's granules. No locks (single-threaded).
 */
#include "memmap_model.h"

static uint8_t model[MODEL_NU];

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
	size_t i;

	for (i = 0; i < MODEL_NU; i++)
		model[i] = 0;
}

void model_paint(uint64_t lo, uint64_t hi, uint32_t type, bool force)
{
	uint64_t i;

	if (lo >= hi)
		return;		/* an empty range covers no granule */
	for (i = lo / MODEL_UNIT; i < (hi + MODEL_UNIT - 1) / MODEL_UNIT; i++)
		if (force || !model[i] ||
		    model_rank(type) > model_rank(model[i]))
			model[i] = (uint8_t)type;
}

size_t model_expect(struct memmap_region *out, phys_addr_t win,
		    uint64_t limit, bool trim)
{
	uint64_t nu = (limit + MODEL_UNIT - 1) / MODEL_UNIT, i = 0;
	size_t n = 0;

	while (i < nu) {
		uint64_t j = i;

		while (j < nu && model[j] == model[i])
			j++;
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
