/* SPDX-License-Identifier: MIT */
/*
 * frame.h - the physical frame allocator (the allocator's mmap).
 *
 * Manages 4 KiB frames handed over by a sanitized memory map: blocks of
 * 2^order naturally aligned frames (order 0 .. FRAME_MAX_ORDER), runs of
 * any number of contiguous frames beyond that, allocations below a
 * physical limit, and per-CPU caches of single frames. Every misuse (double
 * free, wrong order, misaligned, tail frame, reserved frame, hole, never
 * managed) is reported through mm_report() and ignored.
 *
 * All functions may be called with interrupts disabled; none sleeps.
 */
#ifndef KMA_FRAME_H
#define KMA_FRAME_H

#include <kma/port.h>
#include <kma/memmap.h>

/* libkma.a: these names stay global, the rest is made local. */
#ifdef KMA_BUILD_LIB
#pragma GCC visibility push(default)
#endif

/* Largest buddy order: 2^10 frames = 4 MiB. */
#define FRAME_MAX_ORDER	10

/* Returned by the allocation functions when nothing fits. */
#define FRAME_NONE	((phys_addr_t)-1)

/**
 * frame_init - bring up the global frame allocator.
 * @m: a sanitized map (see memmap_sanitize()). Metadata is carved from
 *     its usable memory; the map is updated to show it as
 *     %MEMMAP_METADATA, which is why it is not const.
 *
 * Cost grows with the number of regions and of max-order blocks, not of
 * frames.
 *
 * Return: 0, or -1 if there is no usable memory for the metadata.
 */
int frame_init(struct memmap *m);

/**
 * frame_alloc - allocate 2^@order naturally aligned frames.
 * @order: 0 .. %FRAME_MAX_ORDER.
 *
 * Order 0 is served from this CPU's cache without a shared lock when it
 * can be.
 *
 * Return: physical address of the first frame, or %FRAME_NONE.
 */
phys_addr_t frame_alloc(unsigned int order);

/**
 * frame_alloc_fresh - frame_alloc(), and whether the block reads as zero.
 * @order: 0 .. %FRAME_MAX_ORDER.
 * @zero: set to true if no frame of the block has been handed out before
 *        (since frame_init()) and the port says fresh memory reads as
 *        zero (%PORT_FRESH_MEMORY_ZERO: the host; a kernel whose RAM may
 *        hold anything after a reset says no). The heap skips zeroing
 *        such memory for kzalloc() and calloc() (Go's needzero).
 *
 * Return: physical address of the first frame, or %FRAME_NONE.
 */
phys_addr_t frame_alloc_fresh(unsigned int order, bool *zero);

/**
 * frame_alloc_below - allocate 2^@order frames that end at or below @limit.
 * @order: 0 .. %FRAME_MAX_ORDER.
 * @limit: every byte of the block lies below this physical address
 *         (e.g. 1 MiB for a real-mode trampoline, 4 GiB for 32-bit DMA).
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_alloc_below(unsigned int order, phys_addr_t limit);

/**
 * frame_free - give back a block from frame_alloc() or frame_alloc_below().
 * @pa: its physical address.
 * @order: the order it was allocated with.
 */
void frame_free(phys_addr_t pa, unsigned int order);

/**
 * frame_alloc_run - allocate @nr physically contiguous frames, any count
 * (for runs larger than 2^%FRAME_MAX_ORDER frames).
 * @nr: number of frames, at least 1.
 *
 * Return: physical address aligned to at least the largest order that
 * divides the run, or %FRAME_NONE.
 */
phys_addr_t frame_alloc_run(size_t nr);

/**
 * frame_alloc_run_fresh - frame_alloc_run(), and whether the run reads as
 * zero (see frame_alloc_fresh()).
 * @nr: number of frames, at least 1.
 * @zero: set to true if the run is known to read as zero.
 *
 * Return: as frame_alloc_run().
 */
phys_addr_t frame_alloc_run_fresh(size_t nr, bool *zero);

/**
 * frame_free_run - give back a run from frame_alloc_run().
 * @pa: its physical address.
 * @nr: the count it was allocated with.
 */
void frame_free_run(phys_addr_t pa, size_t nr);

/**
 * frame_drain_cpu - return @cpu's cached frames to the shared pool.
 * @cpu: a CPU that is not running the allocator (offline, or the caller).
 */
void frame_drain_cpu(unsigned int cpu);

/**
 * frame_drain_all - drain every CPU's frame cache (quiescent system or
 * memory pressure from the caller's own CPU).
 */
void frame_drain_all(void);

/**
 * frame_release_free - give the pages of free blocks of at least
 * 2^@min_order frames back to the host (port_mem_release()); each listed
 * block keeps its first frame, which holds its list node. For the heap's
 * time-based decay; nothing on ports that give nothing back.
 * @min_order: smallest block order to release.
 *
 * Return: bytes passed to port_mem_release().
 */
uint64_t frame_release_free(unsigned int min_order);

/**
 * struct frame_stats - counts, in frames.
 * @managed:     frames handed over by the map (minus metadata).
 * @free:        free frames, in the buddy lists and the CPU caches.
 * @cached:      of those, frames sitting in per-CPU caches.
 * @per_order:   free blocks per order, as /proc/buddyinfo.
 * @metadata_bytes: bytes of metadata the allocator uses.
 * @span_frames: frames covered by the per-frame state (the managed span,
 *               rounded out to 2^%FRAME_MAX_ORDER frames).
 * @zone_locks:  zone lock acquisitions so far (batching shows here).
 * @pcp_refills: per-CPU cache refills from the zone.
 * @pcp_drains:  per-CPU cache drains (batches) into the zone.
 * @inited_blocks: max-order blocks whose per-frame state has been
 *               initialised so far (lazily: init touches at most two per
 *               usable region; the rest as blocks are first split).
 */
struct frame_stats {
	uint64_t managed;
	uint64_t free;
	uint64_t cached;
	uint64_t per_order[FRAME_MAX_ORDER + 1];
	uint64_t metadata_bytes;
	uint64_t span_frames;
	uint64_t zone_locks;
	uint64_t pcp_refills;
	uint64_t pcp_drains;
	uint64_t inited_blocks;
};

/**
 * frame_get_stats - snapshot the counters.
 * @st: filled in.
 */
void frame_get_stats(struct frame_stats *st);

/**
 * frame_dump - print buddyinfo-style counts, totals and metadata size.
 */
void frame_dump(void);

/**
 * frame_add_memory - hand memory over after frame_init() (hot-add).
 * @base: first byte; rounded up to a frame.
 * @size: length; the end is rounded down to a frame.
 *
 * The range must lie inside the span that the init map described with
 * %MEMMAP_USABLE or %MEMMAP_HOTPLUG entries (the per-frame state was
 * sized for that span at init, so nothing is allocated here), and may
 * cover only %MEMMAP_HOTPLUG entries and holes of that map. The caller
 * guarantees the memory exists and is in the direct map.
 *
 * Return: 0, or -1 (reported as %MM_ERR_BAD_MAP) if the range is outside
 * the span, overlaps memory the map gave another type, or is empty.
 */
int frame_add_memory(phys_addr_t base, uint64_t size);

/**
 * frame_validate - check every invariant of the global allocator.
 *
 * Walks the free lists and the per-frame state of the whole span, so it
 * costs O(frames): for tests, on a quiescent allocator. Each broken
 * invariant is reported as %MM_ERR_CORRUPT.
 *
 * Return: the number of problems found.
 */
unsigned int frame_validate(void);

/**
 * frame_ready - whether frame_init() has succeeded.
 */
bool frame_ready(void);

/*
 * Instances. The global allocator is one struct frame_zone; tests and
 * special users build more over maps of their own. Each function below
 * is the instance form of the global function of the same name, with
 * the same contract. A zone lives in the metadata it carves from its map
 * (nothing to free: a zone is dropped by taking its memory back).
 */
struct frame_zone;

/**
 * frame_zone_create - build an allocator over a sanitized map.
 * @m: the map; metadata is carved from its usable memory and marked
 *     %MEMMAP_METADATA in it (one more table entry is needed).
 *
 * Return: the zone, or NULL if the map has no usable memory or no room
 * for the metadata (reported).
 */
struct frame_zone *frame_zone_create(struct memmap *m);

/** frame_lock_all - take every lock of the global allocator (fork). */
void frame_lock_all(void);

/** frame_unlock_all - release what frame_lock_all() took. */
void frame_unlock_all(void);

/** frame_fork_child - re-initialise every lock in a fork() child. */
void frame_fork_child(void);

/** frame_global_zone - the zone behind frame_alloc() etc. (or NULL). */
struct frame_zone *frame_global_zone(void);

phys_addr_t frame_zone_alloc(struct frame_zone *z, unsigned int order);
phys_addr_t frame_zone_alloc_below(struct frame_zone *z, unsigned int order,
				   phys_addr_t limit);
void frame_zone_free(struct frame_zone *z, phys_addr_t pa, unsigned int order);
phys_addr_t frame_zone_alloc_run(struct frame_zone *z, size_t nr);
phys_addr_t frame_zone_alloc_fresh(struct frame_zone *z, unsigned int order,
				   bool *zero);
phys_addr_t frame_zone_alloc_run_fresh(struct frame_zone *z, size_t nr,
				       bool *zero);
void frame_zone_free_run(struct frame_zone *z, phys_addr_t pa, size_t nr);
unsigned int frame_zone_drain_cpu(struct frame_zone *z, unsigned int cpu);
unsigned int frame_zone_drain_all(struct frame_zone *z);
int frame_zone_add_memory(struct frame_zone *z, phys_addr_t base,
			  uint64_t size);
void frame_zone_get_stats(struct frame_zone *z, struct frame_stats *st);
void frame_zone_dump(struct frame_zone *z);
unsigned int frame_zone_validate(struct frame_zone *z);

#ifdef KMA_BUILD_LIB
#pragma GCC visibility pop
#endif

#endif /* KMA_FRAME_H */
