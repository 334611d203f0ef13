// SPDX-License-Identifier: MIT
/*
 * decay.c - memory that stays free for a whole period goes back (the
 * time-based decay; as Go's background scavenger and jemalloc's dirty
 * decay, driven by the embedder's clock).
 *
 * Owns: heap.decay_ms (the period) and heap.decay_last (the end of the
 * last period), both atomic. What a period measures lives with what it
 * measures: each free span's idle_epoch and released flag and
 * heap.decay_epoch (pageheap.c, heap.lock), and heap.resident_low
 * (large.c, atomic: the lowest estimate, over the period, of freed large
 * memory kept resident in the frame allocator).
 *
 * kmalloc_decay_tick() ends a period when decay_ms have passed since the
 * last end; one caller wins the end (compare-and-swap of decay_last).
 * Both are machine words, so that the compare-and-swap is one on every
 * target (no 8-byte atomic on a 32-bit one): times are kept modulo
 * ULONG_MAX + 1 and compared by difference, which is exact for periods
 * below ULONG_MAX ms (49 days on a 32-bit target; longer ones are cut
 * to that) and ticks that come more often than that.
 * At the end:
 *  - heap_decay(): every free span of the page heap that was already free
 *    when the period began goes back: a whole chunk to the frame
 *    allocator, the pages of a span of 64 KiB and more to the host (once
 *    per span); spans freed or merged during the period wait for the next
 *    end. So memory idle for between one and two periods goes back, and
 *    memory reused within a period stays resident;
 *  - if freed huge objects stayed resident in the frame allocator through
 *    the whole period (heap.resident_low > 0), every free frame block of
 *    64 KiB and more is released to the host (frame_release_free(); pages
 *    released before cost a system call again, not a fault). The frame
 *    allocator keeps no ages, so this part goes by amount.
 *
 *  - heap.cache_gen counts the period's end for the CPU caches: each CPU,
 *    at its next allocator slow path, gives back the capacity its classes
 *    grew by if they found their cache empty on no allocation during the
 *    period (cache_decay(), cpucache.c); the objects above it go to the
 *    centrals and the spans.
 *
 * Not covered: objects within the CPU caches' starting capacities and
 * the centrals' batches, the per-CPU large-span caches, partly used
 * spans, a CPU that makes no slow call; the pressure ladder and
 * kmalloc_scavenge() reach those.
 */
#include <kma/frame.h>
#include "heap.h"

/* Free frame blocks of at least 64 KiB go back at a period's end. */
#define DECAY_FRAME_ORDER	4

uint64_t kmalloc_decay_tick(uint64_t now_ms)
{
	unsigned long period = READ_ONCE(heap.decay_ms);
	unsigned long last = READ_ONCE(heap.decay_last);
	unsigned long now = (unsigned long)now_ms;	/* see below */
	unsigned long low;
	uint64_t done;

	if (!period || now - last < period)
		return 0;
	if (!__atomic_compare_exchange_n(&heap.decay_last, &last, now,
					 false, __ATOMIC_RELAXED,
					 __ATOMIC_RELAXED))
		return 0;		/* another caller ends this period */
	done = heap_decay();
	__atomic_fetch_add(&heap.cache_gen, 1, __ATOMIC_RELAXED);
	low = __atomic_exchange_n(&heap.resident_low,
				  __atomic_load_n(&heap.resident_free,
						  __ATOMIC_RELAXED),
				  __ATOMIC_RELAXED);
	if (low) {
		done += frame_release_free(DECAY_FRAME_ORDER);
		__atomic_store_n(&heap.resident_free, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&heap.resident_low, 0, __ATOMIC_RELAXED);
	}
	return done;
}

void kmalloc_set_decay_ms(uint64_t ms)
{
	WRITE_ONCE(heap.decay_ms, ms < ~0UL ? (unsigned long)ms : ~0UL);
}
