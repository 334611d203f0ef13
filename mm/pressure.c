// SPDX-License-Identifier: MIT
/*
 * pressure.c - the memory pressure ladder: what the allocator gives back,
 * and in which order, when an allocation fails. Every layer that can run
 * out (the object caches, large objects, huge objects) calls
 * kmalloc_pressure() once and retries; nothing else drains or scavenges
 * on a failure.
 *
 * Owns: drain_req[], the drain requests one CPU posts to the others,
 * in_pressure[] (a CPU already climbing the ladder does not start again)
 * and in_poll[] (a CPU answering a request does not answer it again from
 * the slow paths its own drain takes: the request is cleared only once
 * the drain is done, and the drain frees tiny blocks through
 * cache_free_slow(), which polls); each is touched by its own CPU only,
 * with interrupts off or from its own tick.
 *
 * The rungs, cheapest first:
 *   (0) where the embedding can add memory (the host's drop-in malloc:
 *       more of its reserved address space), its grow hook
 *       (kmalloc_set_grow_hook()); if it added some, the ladder stops
 *       there and the caller retries: growing is cheaper than draining;
 *   (a) this CPU's caches (objects, cached spans, large spans, the tiny
 *       block) go back to their spans and centrals;
 *   (b) every other CPU is asked to do the same: drain_req[cpu] is set
 *       and the port kicks the CPU (port_cpu_kick(): a signal on the host;
 *       kernels may send an IPI or do nothing), which answers in
 *       kmalloc_cpu_poll() from its next allocator slow path, its timer
 *       tick or the kick; the ladder waits for the answers a bounded time
 *       (PRESSURE_WAIT_POLLS) and goes on without the late ones, whose
 *       requests stay posted;
 *   (c) the centrals' batches go back to their spans and every empty span
 *       to the page heap;
 *   (d) the page heap's free chunks go back to the frame allocator;
 *   (e) the frame allocator's per-CPU caches go back to its buddy lists.
 *
 * Memory ordering of a request: the requester sets drain_req[cpu] with a
 * release store after its own rungs; the target reads it (acquire), drains
 * its caches and clears it with a release store; the requester's acquire
 * load of 0 then orders the target's drain before the requester's next
 * rungs, so the objects the target gave back are seen by (c) and (d).
 *
 * Locks: none held across the ladder; each rung takes the locks of the
 * layer it empties. Called with interrupts enabled.
 */
#include <kma/frame.h>
#include "heap.h"

#define PRESSURE_WAIT_POLLS	(1u << 22)

static bool (*grow_hook)(size_t need);
static uint8_t drain_req[PORT_MAX_CPUS];
static uint8_t in_pressure[PORT_MAX_CPUS];
static uint8_t in_poll[PORT_MAX_CPUS];
uint64_t pressure_runs, pressure_kicks, pressure_late, pressure_grows;

/*
 * Whether @cpu's caches may hold anything, or (@kspc nonzero) its cache
 * of that object cache's class is attached, or @kspc is ~0u (racy: a
 * hint for (b)).
 */
static bool cpu_holds_memory(unsigned int cpu, unsigned int kspc)
{
	struct cpu_cache *c = cpu_cache_of(cpu);
	unsigned int spc;

	if (kspc == ~0u || (kspc && READ_ONCE(objcache_of(cpu, kspc)->hi)))
		return true;
	if (READ_ONCE(c->tiny_block))
		return true;
	for (spc = 1; spc < spc_end(); spc++)
		if (objcache_count(objcache_of(cpu, spc)) ||
		    READ_ONCE(c->alloc[spc]) != &empty_span)
			return true;
	return large_cache_holds(cpu);
}

/**
 * kmalloc_cpu_poll - answer a drain request posted to this CPU.
 * @cpu: the calling CPU, outside any allocator call (a timer tick, a
 *       kick, or the start of an allocator slow path).
 *
 * Costs one load when nothing is asked.
 */
void kmalloc_cpu_poll(unsigned int cpu)
{
	if (likely(!__atomic_load_n(&drain_req[cpu], __ATOMIC_ACQUIRE)) ||
	    in_poll[cpu])
		return;
	in_poll[cpu] = 1;
	cache_drain(cpu);
	frame_drain_cpu(cpu);
	__atomic_store_n(&drain_req[cpu], 0, __ATOMIC_RELEASE);
	in_poll[cpu] = 0;
}

/* @cpu's caches were drained another way (CPU offline): no request. */
void pressure_answered(unsigned int cpu)
{
	__atomic_store_n(&drain_req[cpu], 0, __ATOMIC_RELEASE);
}

/*
 * Rung (b): ask the other CPUs, wait a bounded time for the answers. Also
 * used by kma_kmem_cache_destroy(), which asks the CPUs attached to its
 * class @spc too (0: none), and by kmalloc_set_debug(), which asks every
 * CPU (@spc ~0u).
 */
void pressure_drain_others(unsigned int me, unsigned int spc)
{
	unsigned int cpu, waiting = 0;
	uint32_t polls;

	for (cpu = 0; cpu < heap_ncpus; cpu++) {
		if (cpu == me || !cpu_holds_memory(cpu, spc))
			continue;
		__atomic_store_n(&drain_req[cpu], 1, __ATOMIC_RELEASE);
		port_cpu_kick(cpu);
		pressure_kicks++;
		waiting++;
	}
	for (polls = 0; waiting && polls < PRESSURE_WAIT_POLLS; polls++) {
		waiting = 0;
		for (cpu = 0; cpu < heap_ncpus; cpu++)
			if (cpu != me && __atomic_load_n(&drain_req[cpu],
							 __ATOMIC_ACQUIRE))
				waiting++;
		cpu_relax();
	}
	pressure_late += waiting;
}

/**
 * kmalloc_set_grow_hook - install rung (0) of the pressure ladder.
 * @fn: adds at least @need bytes of memory to the frame allocator
 *      (frame_add_memory()) and returns true, or returns false; called
 *      with interrupts enabled and no allocator lock held. NULL removes.
 */
void kmalloc_set_grow_hook(bool (*fn)(size_t need))
{
	__atomic_store_n(&grow_hook, fn, __ATOMIC_RELEASE);
}

/**
 * kmalloc_pressure - climb the ladder once (rungs (0) to (e) above);
 * called by an allocation that failed, before its retry.
 * @need: bytes the failed allocation needed from the page heap or the
 *        frame allocator (for the grow hook).
 */
void kmalloc_pressure(size_t need)
{
	bool (*grow)(size_t) = __atomic_load_n(&grow_hook, __ATOMIC_ACQUIRE);
	unsigned long irq = port_irq_save();
	unsigned int cpu = port_cpu_id();

	port_irq_restore(irq);
	if (grow && grow(need)) {
		pressure_grows++;
		return;
	}
	if (in_pressure[cpu])
		return;
	in_pressure[cpu] = 1;
	pressure_runs++;
	cache_drain(cpu);				/* (a) */
	__atomic_store_n(&drain_req[cpu], 0, __ATOMIC_RELAXED);
	pressure_drain_others(cpu, 0);			/* (b) */
	kmalloc_reclaim();				/* (c) */
	heap_scavenge(0);				/* (d) */
	frame_drain_all();				/* (e) */
	in_pressure[cpu] = 0;
}
