/* SPDX-License-Identifier: MIT */
/*
 * frame_testlib.h - test memory and frame allocator instances for tests.
 *
 * Tests never exhaust the live allocator. They borrow a few MiB of
 * physical memory (a run from the global frame allocator, or, in a kernel
 * that runs tests before frame_init(), a static pool), lay a synthetic
 * map with holes and reservations over it, and build their own zone.
 * The same tests thus run on the host and inside the kernels.
 */
#ifndef KMA_FRAME_TESTLIB_H
#define KMA_FRAME_TESTLIB_H

#include <kma/frame.h>
#include <kma/memmap.h>
#include <ktest.h>

#define TMEM_MAX_FRAMES	4096		/* 16 MiB */
#define TMAP_CAP	64

/**
 * struct tmem - borrowed physical memory and a map over it.
 * @base: first byte (frame aligned).
 * @frames: length in frames.
 * @from_global: taken with frame_alloc_run() (else: the static pool).
 * @map: the test's map; @regions its table.
 * @z: the zone built over @map, or NULL.
 * @boot: stats of @z right after creation.
 */
struct tmem {
	phys_addr_t base;
	size_t frames;
	bool from_global;
	struct memmap map;
	struct memmap_region regions[TMAP_CAP];
	struct frame_zone *z;
	struct frame_stats boot;
};

/**
 * tmem_get - borrow test memory.
 * @t: filled in.
 * @frames: at most %TMEM_MAX_FRAMES; with 1024 or more the base is 4 MiB
 *          aligned (a max-order block).
 *
 * Return: false if no memory could be had.
 */
bool tmem_get(struct tmem *t, size_t frames);

/**
 * tmem_put - give the memory back (a zone over it just stops being used).
 * @t: from tmem_get().
 */
void tmem_put(struct tmem *t);

/**
 * tmem_map_reset - start an empty map over the memory.
 * @t: the test memory.
 */
void tmem_map_reset(struct tmem *t);

/**
 * tmem_add - add [base + @off, base + @off + @size) of @type to the map.
 * @t: the test memory.
 * @off: offset from its base.
 * @size: bytes.
 * @type: memmap type.
 */
void tmem_add(struct tmem *t, uint64_t off, uint64_t size, uint32_t type);

/**
 * tmem_zone - sanitize the map, build the zone, record its boot stats.
 * @t: the test memory with its map.
 *
 * Return: false if sanitizing or creation failed.
 */
bool tmem_zone(struct tmem *t);

/**
 * tmem_std_map - the standard test map: usable RAM with an unaligned end,
 * a reserved range, a "kernel image", a hole and a bad frame (TMAP_*).
 * @t: the test memory.
 */
void tmem_std_map(struct tmem *t);

#define TMAP_RESERVED	0x10000ULL	/* 3 frames reserved */
#define TMAP_KERNEL	0x20000ULL	/* 5 frames kernel */
#define TMAP_HOLE	0x400000ULL	/* hole of 256 KiB minus a bit */
#define TMAP_BAD	0x600000ULL	/* one bad frame */

/* Frame @pa of the test memory as a bit index into a bitmap. */
static inline size_t tmem_idx(const struct tmem *t, phys_addr_t pa)
{
	return (size_t)((pa - t->base) >> FRAME_SHIFT);
}

/**
 * tmem_usable - is the frame at @pa usable in the test's own map?
 * @t: the test memory.
 * @pa: frame address.
 */
bool tmem_usable(const struct tmem *t, phys_addr_t pa);

/**
 * tstats_equal - compare two snapshots (managed, free, cached, per order),
 * logging the differences.
 * @t: the test case, for the log.
 * @a: one snapshot.
 * @b: the other.
 *
 * Return: true if equal.
 */
bool tstats_equal(struct ktest *t, const struct frame_stats *a,
		  const struct frame_stats *b);

#endif
