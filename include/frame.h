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

#include <port.h>
#include <memmap.h>

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
 * struct frame_stats - counts, in frames.
 * @managed:     frames handed over by the map (minus metadata).
 * @free:        free frames, in the buddy lists and the CPU caches.
 * @cached:      of those, frames sitting in per-CPU caches.
 * @per_order:   free blocks per order, as /proc/buddyinfo.
 * @metadata_bytes: bytes of metadata the allocator uses.
 */
struct frame_stats {
	uint64_t managed;
	uint64_t free;
	uint64_t cached;
	uint64_t per_order[FRAME_MAX_ORDER + 1];
	uint64_t metadata_bytes;
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

#endif /* KMA_FRAME_H */
