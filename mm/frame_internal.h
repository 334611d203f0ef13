/* SPDX-License-Identifier: MIT */
/*
 * frame_internal.h - the frame allocator's private structures, shared by
 * mm/frame.c (zone, buddy, runs, hot-add), mm/frame_pcp.c (per-CPU
 * caches) and mm/frame_check.c (misuse reports, validator, stats).
 *
 * Lock order (outer first):
 *   1. frame_pcp.lock  (one per CPU; at most one held at a time)
 *   2. frame_zone.lock
 * Both are taken with interrupts disabled.
 *
 * frame_pcp.lock protects the cache's @count and @pfns[]: its own CPU
 * takes it on every cached alloc/free (uncontended, the cache line stays
 * local), another CPU only to drain a cache when the zone has run dry.
 *
 * frame_zone.lock protects the free lists, the free_max and inited
 * bitmaps, nr_free[], free_frames, managed, max_hint, the map copy, and
 * every per-frame state change that involves FREE or RUN blocks.
 *
 * The per-frame byte (meta[]) is written with atomic byte stores: the
 * zone lock covers transitions into and out of FREE and RUN; a CPU cache
 * moves order-0 frames between ALLOC and CACHED under its own lock with
 * a compare-and-swap, so that two racing frees of one frame cannot both
 * succeed.
 */
#ifndef KMA_MM_FRAME_INTERNAL_H
#define KMA_MM_FRAME_INTERNAL_H

#include <kma/port.h>
#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma/spinlock.h>
#include "bitops.h"
#include "lockdep.h"

#define MAX_ORDER		FRAME_MAX_ORDER
#define BLOCK_FRAMES		(1UL << MAX_ORDER)	/* frames per max block */
#define PFN_NONE		(~0ULL)

/* Per-CPU cache of order-0 frames. */
#define PCP_CAP			128
#define PCP_BATCH		32

/* Map entries kept free in the zone's map copy for frame_add_memory(). */
#define ZONE_MAP_SPARE		64

/*
 * Per-frame byte: 0 for a frame that is not the head of a block (a tail
 * or interior frame, or a frame the zone does not manage); for a head,
 * the block's kind and order.
 */
#define META_ORDER_MASK		0x0f
#define META_KIND_MASK		0x70
#define META_FREE		0x10	/* in a free list / free_max bitmap */
#define META_CACHED		0x20	/* order 0, in a CPU cache */
#define META_ALLOC		0x30	/* handed out by frame_alloc*() */
#define META_RUN		0x40	/* one piece of a frame_alloc_run() */
#define META_RUN_START		0x80	/* with RUN: the run's first piece */

_Static_assert(MAX_ORDER <= META_ORDER_MASK, "order must fit the meta byte");

/* Node of a free list, kept in the first bytes of a free block. */
struct frame_node {
	struct frame_node *next;
	struct frame_node *prev;
};

struct frame_pcp {
	spinlock_t lock;
	/* protected by lock: */
	uint32_t count;
	uint64_t refills;
	uint64_t drains;
	uint64_t pfns[PCP_CAP];
} __attribute__((aligned(64)));

/*
 * Invariants (checked by frame_zone_validate()):
 *   managed       == free_frames + cached + allocated
 *   free_frames   == sum over o of nr_free[o] << o
 *   nr_free[MAX]  == popcount(free_max)
 *   cached        == sum over CPUs of pcp[cpu].count
 *   frame f is in a block <=> map.type_at(f) == MEMMAP_USABLE
 *   inited(b) == 0 => block b is wholly free (free_max(b)) or wholly
 *                     unmanaged, and its meta bytes are not looked at
 */
struct frame_zone {
	spinlock_t lock;

	/* constant after frame_zone_create(): */
	uint64_t base_pfn;	/* first frame of the span, block aligned */
	uint64_t nr_frames;	/* span length, a multiple of BLOCK_FRAMES */
	uint64_t nr_blocks;
	uint64_t nr_words;	/* of each bitmap */
	uint8_t *meta;		/* one byte per frame of the span */
	kma_bitword_t *free_max; /* bit per block: free max-order block */
	kma_bitword_t *inited;	/* bit per block: meta bytes valid */
	kma_bitword_t *used;	/* bit per half block (2 MiB), under lock:
				 * a frame in it has left the zone (see
				 * __zone_take()) */
	unsigned int nr_cpus;
	struct frame_pcp *pcp;
	phys_addr_t meta_base;	/* the carved metadata range */
	uint64_t metadata_bytes;

	/* protected by lock: */
	struct frame_node free_list[MAX_ORDER];	/* orders 0 .. MAX-1 */
	uint64_t nr_free[MAX_ORDER + 1];
	uint64_t free_frames;	/* in lists and free_max, not in caches */
	uint64_t managed;
	uint64_t max_hint;	/* no free_max word below this is non-zero */
	uint64_t zone_locks;
	uint64_t inited_blocks;
	struct memmap map;	/* copy of the sanitized map, kept current */
};

/* z->used: one bit per 2^USED_SHIFT frames (2 MiB with 4 KiB frames). */
#define USED_SHIFT	(MAX_ORDER - 1)

bool __zone_take(struct frame_zone *z, uint64_t pfn, uint64_t nr);

static inline uint8_t *meta_ptr(struct frame_zone *z, uint64_t pfn)
{
	return &z->meta[pfn - z->base_pfn];
}

static inline uint8_t meta_get(struct frame_zone *z, uint64_t pfn)
{
	return __atomic_load_n(meta_ptr(z, pfn), __ATOMIC_RELAXED);
}

static inline void meta_set(struct frame_zone *z, uint64_t pfn, uint8_t v)
{
	__atomic_store_n(meta_ptr(z, pfn), v, __ATOMIC_RELAXED);
}

static inline bool meta_cas(struct frame_zone *z, uint64_t pfn, uint8_t old,
			    uint8_t new)
{
	return __atomic_compare_exchange_n(meta_ptr(z, pfn), &old, new, false,
					   __ATOMIC_ACQ_REL,
					   __ATOMIC_RELAXED);
}

static inline bool pfn_in_zone(const struct frame_zone *z, uint64_t pfn)
{
	return pfn - z->base_pfn < z->nr_frames;
}

static inline uint64_t pfn_block(const struct frame_zone *z, uint64_t pfn)
{
	return (pfn - z->base_pfn) >> MAX_ORDER;
}

/*
 * Bit @blk of a block bitmap. A block number fits a word on every target
 * (a 32-bit one addresses at most 2^32 blocks of 4 MiB even with 64-bit
 * physical addresses), so the bitmaps are indexed in words.
 */
static inline bool bit_test(const kma_bitword_t *map, uint64_t blk)
{
	unsigned long b = (unsigned long)blk;

	return (__atomic_load_n(&map[kma_word(b)], __ATOMIC_ACQUIRE) &
		kma_bit(b)) != 0;
}

static inline void bit_assign(kma_bitword_t *map, uint64_t blk, bool on)
{
	unsigned long b = (unsigned long)blk;
	kma_bitword_t w = __atomic_load_n(&map[kma_word(b)], __ATOMIC_RELAXED);
	kma_bitword_t m = kma_bit(b);

	__atomic_store_n(&map[kma_word(b)], on ? (w | m) : (w & ~m),
			 __ATOMIC_RELEASE);
}

/* Whether the meta bytes of @pfn's block may be read. */
static inline bool block_inited(const struct frame_zone *z, uint64_t pfn)
{
	return bit_test(z->inited, pfn_block(z, pfn));
}

static inline void zone_lock(struct frame_zone *z)
{
	spin_lock(&z->lock);
	z->zone_locks++;
}

static inline void zone_unlock(struct frame_zone *z)
{
	spin_unlock(&z->lock);
}

static inline unsigned long zone_lock_irqsave(struct frame_zone *z)
{
	unsigned long flags = port_irq_save();

	zone_lock(z);
	return flags;
}

static inline void zone_unlock_irqrestore(struct frame_zone *z,
					  unsigned long flags)
{
	zone_unlock(z);
	port_irq_restore(flags);
}

/* frame.c: buddy core, zone lock held. */
uint64_t __zone_alloc(struct frame_zone *z, unsigned int order,
		      uint64_t limit_pfn);
void __zone_free_block(struct frame_zone *z, uint64_t pfn, unsigned int order);

uint64_t run_mismatch(struct frame_zone *z, uint64_t pfn, uint64_t nr,
		      unsigned int *order);

/* frame_pcp.c */
uint64_t pcp_alloc(struct frame_zone *z);
void pcp_free(struct frame_zone *z, uint64_t pfn);
uint64_t zone_cache_counts(struct frame_zone *z, uint64_t *refills,
			   uint64_t *drains);

/* frame_check.c: report why a free was refused, zone lock held. */
void __frame_report_bad_free(struct frame_zone *z, phys_addr_t pa,
			     uint64_t nr_or_order, bool run);

/*
 * Cheap checks before a free touches a meta byte: true if the free
 * cannot be valid (the caller then reports it with
 * __frame_report_bad_free()).
 */
static inline bool frame_free_args_bad(struct frame_zone *z, phys_addr_t pa,
				       unsigned int order)
{
	uint64_t pfn = pa >> FRAME_SHIFT;

	return (pa & (FRAME_SIZE - 1)) || order > MAX_ORDER ||
	       !pfn_in_zone(z, pfn) || (pfn & ((1ULL << order) - 1)) ||
	       !block_inited(z, pfn);
}

#endif /* KMA_MM_FRAME_INTERNAL_H */
