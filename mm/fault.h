/* SPDX-License-Identifier: MIT */
/*
 * fault.h - fault injection at the heap's internal allocation sites
 * (fail-nth, as Linux's fail-nth and failslab), compiled in with
 * KMA_FAULT_INJECT: the host and demo-kernel test builds; never in
 * libkma.a or the drop-in, where mm_fault() is a constant false.
 *
 * Sites, each before the frame allocation it stands for:
 *  - MM_FAULT_META: a fixalloc page of span descriptors or tiny-block
 *    state, a kmem_cache's per-CPU cache arrays;
 *  - MM_FAULT_CHUNK: a 2 MiB heap chunk, the frames of every span;
 *  - MM_FAULT_HUGE: a huge object's frames;
 *  - MM_FAULT_DEBUG: the debug mode's metadata, a span's per-object
 *    records and the quarantine ring.
 * (mm_init()'s own allocations, the page map and the per-CPU slot arrays,
 * fail mm_init() as a whole and are not sites.)
 * With fail-nth n set, the n-th site reached
 * (any site, any CPU) fails as if the frame allocator had no memory;
 * the caller must then return NULL or fall back cleanly, leaking
 * nothing.
 */
#ifndef KMA_MM_FAULT_H
#define KMA_MM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

enum mm_fault_site {
	MM_FAULT_META,
	MM_FAULT_CHUNK,
	MM_FAULT_HUGE,
	MM_FAULT_DEBUG,
	MM_FAULT_NR
};

#ifdef KMA_FAULT_INJECT
bool mm_fault(enum mm_fault_site site);

/**
 * mm_fault_set_nth - arm fail-nth: the @n-th site reached from now fails
 * (once, or with @every_after every site from the n-th on); @n 0
 * disarms. Resets the count of sites reached.
 * @n: 1-based.
 * @every_after: keep failing after the n-th (memory "runs out" there).
 */
void mm_fault_set_nth(uint64_t n, bool every_after);

/**
 * mm_fault_set_nth_at - mm_fault_set_nth() counting only the sites of
 * kind @site (MM_FAULT_NR: every kind, as mm_fault_set_nth()), so that a
 * sweep reaches each site of that kind in turn however the number of
 * sites of the other kinds varies from run to run.
 * @site: the kind counted and failed.
 * @n: 1-based; 0 disarms.
 * @every_after: keep failing after the n-th.
 */
void mm_fault_set_nth_at(enum mm_fault_site site, uint64_t n,
			 bool every_after);

/** mm_fault_reached - sites counted since mm_fault_set_nth(_at)(). */
uint64_t mm_fault_reached(void);

/** mm_fault_injected - failures injected at @site since boot. */
uint64_t mm_fault_injected(enum mm_fault_site site);
#else
static inline bool mm_fault(enum mm_fault_site site)
{
	(void)site;
	return false;
}
#endif

#endif /* KMA_MM_FAULT_H */
