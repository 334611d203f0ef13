// SPDX-License-Identifier: MIT
/*
 * frame_testlib.c - see frame_testlib.h.
 *
 * The static pool is used only when the global allocator is not up
 * (a kernel running tests before frame_init()); one tmem may hold it at a
 * time, which the sequential test runner guarantees.
 */
#include <kma/port.h>
#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include "frame_testlib.h"

#define TMEM_ALIGN	(FRAME_SIZE << FRAME_MAX_ORDER)	/* 4 MiB */

/*
 * TMEM_POOL_FRAMES=0 (a kernel whose RAM cannot hold 20 MiB of .bss, and
 * whose tests always run with the frame allocator up): no pool.
 */
#ifndef TMEM_POOL_FRAMES
#define TMEM_POOL_FRAMES	TMEM_MAX_FRAMES
#endif

static uint8_t tmem_pool[TMEM_POOL_FRAMES ?
			 TMEM_POOL_FRAMES * FRAME_SIZE + TMEM_ALIGN : 1]
	__attribute__((aligned(4096)));
static bool tmem_pool_busy;

bool tmem_get(struct tmem *t, size_t frames)
{
	t->z = NULL;
	t->base = FRAME_NONE;
	t->frames = frames;
	t->from_global = frame_ready();
	if (frames > TMEM_MAX_FRAMES)
		return false;
	if (t->from_global) {
		t->base = frame_alloc_run(frames);
		return t->base != FRAME_NONE;
	}
	if (tmem_pool_busy || frames > TMEM_POOL_FRAMES)
		return false;
	tmem_pool_busy = true;
	t->base = (port_virt_to_phys(tmem_pool) + TMEM_ALIGN - 1) &
		  ~(phys_addr_t)(TMEM_ALIGN - 1);
	return true;
}

void tmem_put(struct tmem *t)
{
	if (t->from_global && t->base == FRAME_NONE)
		;	/* tmem_get() could not borrow it: nothing to give */
	else if (t->from_global)
		frame_free_run(t->base, t->frames);
	else
		tmem_pool_busy = false;
	t->z = NULL;
}

void tmem_map_reset(struct tmem *t)
{
	memmap_init(&t->map, t->regions, TMAP_CAP);
}

void tmem_add(struct tmem *t, uint64_t off, uint64_t size, uint32_t type)
{
	memmap_add(&t->map, t->base + off, size, type);
}

bool tmem_zone(struct tmem *t)
{
	if (memmap_sanitize(&t->map))
		return false;
	t->z = frame_zone_create(&t->map);
	if (!t->z)
		return false;
	frame_zone_get_stats(t->z, &t->boot);
	return true;
}

void tmem_std_map(struct tmem *t)
{
	uint64_t size = (uint64_t)t->frames * FRAME_SIZE;

	tmem_map_reset(t);
	tmem_add(t, 0, TMAP_HOLE + 0x800, MEMMAP_USABLE);
	tmem_add(t, TMAP_RESERVED, 0x3000, MEMMAP_RESERVED);
	tmem_add(t, TMAP_KERNEL, 0x5000, MEMMAP_KERNEL);
	tmem_add(t, TMAP_HOLE + 0x40000, size - TMAP_HOLE - 0x40000,
		 MEMMAP_USABLE);
	tmem_add(t, TMAP_BAD, 0x1000, MEMMAP_BAD);
}

bool tmem_usable(const struct tmem *t, phys_addr_t pa)
{
	return memmap_type_at(&t->map, pa) == MEMMAP_USABLE &&
	       memmap_type_at(&t->map, pa + FRAME_SIZE - 1) == MEMMAP_USABLE;
}

bool tstats_equal(struct ktest *t, const struct frame_stats *a,
		  const struct frame_stats *b)
{
	unsigned int o;
	bool same = a->managed == b->managed && a->free == b->free &&
		    a->cached == b->cached;

	for (o = 0; o <= FRAME_MAX_ORDER; o++)
		same = same && a->per_order[o] == b->per_order[o];
	if (!same) {
		ktest_log(t, "stats differ: managed %llu/%llu free %llu/%llu "
			  "cached %llu/%llu", (unsigned long long)a->managed,
			  (unsigned long long)b->managed,
			  (unsigned long long)a->free,
			  (unsigned long long)b->free,
			  (unsigned long long)a->cached,
			  (unsigned long long)b->cached);
		for (o = 0; o <= FRAME_MAX_ORDER; o++)
			if (a->per_order[o] != b->per_order[o])
				ktest_log(t, "  order %u: %llu vs %llu", o,
					  (unsigned long long)a->per_order[o],
					  (unsigned long long)b->per_order[o]);
	}
	return same;
}
