// SPDX-License-Identifier: MIT
/*
 * frame_pcp.c - per-CPU caches of single frames.
 *
 * Owns: struct frame_pcp, one per CPU slot of a zone (see
 * frame_internal.h for the lock order).
 *
 * A cache is a stack of up to PCP_CAP order-0 frames. Its own CPU, with
 * interrupts off, takes the cache's lock (uncontended: no other CPU takes
 * it in the common case, so the line stays in this CPU's cache and no
 * shared lock is touched), pops or pushes a frame, and flips the frame's
 * meta byte between ALLOC and CACHED. An empty cache refills PCP_BATCH
 * frames under one zone lock; a full one drains its PCP_BATCH oldest
 * frames under one zone lock.
 *
 * The lock exists for the rare remote case: when the zone runs dry, the
 * allocating CPU drains the other CPUs' caches (frame_zone_drain_all())
 * so that no allocation fails while free frames sit in a cache.
 *
 * Invariants, under pcp->lock:
 *   for i < count: meta(pfns[i]) == CACHED|0, and pfns[i] is in no other
 *   cache and no free list.
 * A frame in a cache counts as free (frame_stats.free and .cached), and
 * a second free of it is reported as a double free: its byte says CACHED.
 */
#include <kma/port.h>
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "frame_internal.h"

/* This CPU's cache, or NULL for a CPU id the zone has no slot for. */
static inline struct frame_pcp *pcp_this(struct frame_zone *z)
{
	unsigned int cpu = port_cpu_id();

	return cpu < z->nr_cpus ? &z->pcp[cpu] : NULL;
}

/* Move @n frames from the bottom of @p to the zone. pcp->lock held. */
static void __pcp_drain(struct frame_zone *z, struct frame_pcp *p,
			uint32_t n)
{
	uint32_t i;

	lockdep_assert_held(&p->lock);
	if (!n)
		return;
	zone_lock(z);
	for (i = 0; i < n; i++)
		__zone_free_block(z, p->pfns[i], 0);
	zone_unlock(z);
	for (i = n; i < p->count; i++)
		p->pfns[i - n] = p->pfns[i];
	p->count -= n;
	p->drains++;
}

/* Fill an empty @p with up to PCP_BATCH frames. pcp->lock held. */
static void __pcp_refill(struct frame_zone *z, struct frame_pcp *p)
{
	uint64_t pfn;

	lockdep_assert_held(&p->lock);
	zone_lock(z);
	while (p->count < PCP_BATCH) {
		pfn = __zone_alloc(z, 0, PFN_NONE);
		if (pfn == PFN_NONE)
			break;
		meta_set(z, pfn, META_CACHED);
		__zone_take(z, pfn, 1);
		p->pfns[p->count++] = pfn;
	}
	zone_unlock(z);
	p->refills++;
}

/**
 * pcp_alloc - take one frame from this CPU's cache, refilling it.
 * @z: the zone.
 *
 * Return: a frame number (head byte ALLOC|0), or PFN_NONE if neither the
 * cache nor the zone had one (the caller then drains other caches).
 */
uint64_t pcp_alloc(struct frame_zone *z)
{
	unsigned long flags = port_irq_save();
	struct frame_pcp *p = pcp_this(z);
	uint64_t pfn = PFN_NONE;

	if (p) {
		spin_lock(&p->lock);
		if (!p->count)
			__pcp_refill(z, p);
		if (p->count) {
			pfn = p->pfns[--p->count];
			meta_set(z, pfn, META_ALLOC);
		}
		spin_unlock(&p->lock);
	}
	port_irq_restore(flags);
	return pfn;
}

/**
 * pcp_free - put one allocated order-0 frame into this CPU's cache.
 * @z: the zone.
 * @pfn: a frame of the zone whose block's meta bytes are valid.
 *
 * If the frame is not ALLOC|0 the free is reported and ignored.
 */
void pcp_free(struct frame_zone *z, uint64_t pfn)
{
	unsigned long flags = port_irq_save();
	struct frame_pcp *p = pcp_this(z);

	if (!p) {
		zone_lock(z);
		if (meta_cas(z, pfn, META_ALLOC, 0))
			__zone_free_block(z, pfn, 0);
		else
			__frame_report_bad_free(z, (phys_addr_t)pfn <<
						FRAME_SHIFT, 0, false);
		zone_unlock(z);
		port_irq_restore(flags);
		return;
	}
	spin_lock(&p->lock);
	if (meta_cas(z, pfn, META_ALLOC, META_CACHED)) {
		if (p->count == PCP_CAP)
			__pcp_drain(z, p, PCP_BATCH);
		p->pfns[p->count++] = pfn;
		spin_unlock(&p->lock);
	} else {
		spin_unlock(&p->lock);
		zone_lock(z);
		__frame_report_bad_free(z, (phys_addr_t)pfn << FRAME_SHIFT, 0,
					false);
		zone_unlock(z);
	}
	port_irq_restore(flags);
}

/**
 * frame_zone_drain_cpu - move every frame of @cpu's cache to the zone.
 * @z: the zone.
 * @cpu: any CPU slot; its owner may be running (the cache lock is taken).
 *
 * Return: frames moved.
 */
unsigned int frame_zone_drain_cpu(struct frame_zone *z, unsigned int cpu)
{
	struct frame_pcp *p;
	unsigned long flags;
	uint32_t n;

	if (cpu >= z->nr_cpus)
		return 0;
	p = &z->pcp[cpu];
	flags = port_irq_save();
	spin_lock(&p->lock);
	n = p->count;
	__pcp_drain(z, p, n);
	spin_unlock(&p->lock);
	port_irq_restore(flags);
	return n;
}

/**
 * frame_zone_drain_all - drain every CPU's cache of @z, one at a time.
 * @z: the zone.
 *
 * Return: frames moved.
 */
unsigned int frame_zone_drain_all(struct frame_zone *z)
{
	unsigned int cpu, n = 0;

	for (cpu = 0; cpu < z->nr_cpus; cpu++)
		n += frame_zone_drain_cpu(z, cpu);
	return n;
}

/**
 * zone_cache_counts - frames in all caches of @z, with their counters.
 * @z: the zone (no lock held; each cache lock is taken in turn).
 * @refills: set to the sum of refill batches (may be NULL).
 * @drains: set to the sum of drain batches (may be NULL).
 *
 * Return: the sum of the cache counts.
 */
uint64_t zone_cache_counts(struct frame_zone *z, uint64_t *refills,
			   uint64_t *drains)
{
	uint64_t n = 0, r = 0, d = 0;
	unsigned int cpu;
	unsigned long flags;

	for (cpu = 0; cpu < z->nr_cpus; cpu++) {
		struct frame_pcp *p = &z->pcp[cpu];

		flags = port_irq_save();
		spin_lock(&p->lock);
		n += p->count;
		r += p->refills;
		d += p->drains;
		spin_unlock(&p->lock);
		port_irq_restore(flags);
	}
	if (refills)
		*refills = r;
	if (drains)
		*drains = d;
	return n;
}
