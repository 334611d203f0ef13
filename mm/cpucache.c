// SPDX-License-Identifier: MIT
/*
 * cpucache.c - the per-CPU object caches: a LIFO of free objects per span
 * class in front of the spans (struct objcache), and the span each class
 * refills from (Go's mcache).
 *
 * Owns: caches[] (one struct cpu_cache per CPU slot, in the image so that
 * a premature call finds capacity 0 and takes the slow path, which
 * reports it), the slot arrays behind them and the central batch arrays,
 * both allocated by cpucache_init().
 *
 * Sizing, by bytes: a class of object size z starts with a capacity of
 * cap = clamp(CACHE_CLASS_BYTES / z, CACHE_MIN_OBJS, CACHE_MAX_OBJS)
 * objects per CPU, and at least CACHE_FLOW_OBJS (32) up to 4 KiB, so that
 * a CPU that only frees or only allocates a class, which moves its whole
 * cache under one lock, moves 32 objects or more per lock; it moves
 * batch = cap / 2 at a time otherwise, to or from its central, whose
 * batches hold at most XFER_BYTES (and XFER_MAX_OBJS, whole batches, at
 * least two). With the generated classes and the default budgets that is
 * at most 3.6 MiB of free objects per CPU (sum of cap * z over the
 * classes), and all centrals together hold at most
 * 129 MiB (1024 objects of each class below 4 KiB, 4 MiB of each above;
 * 406 KiB of pointers, allocated at mm_init()): a batch of 1000 objects
 * of up to 4 KiB passes through a central without touching a span.
 *
 * Capacity follows traffic: a free that finds its cache full grows the
 * cache by as many batches as allocations of the class found it empty
 * since it last grew (what the working set lacked), instead of handing a
 * batch to the central; a CPU that only frees a class (the consumer of a
 * producer/consumer pair) never misses, so it keeps handing its batches
 * back to the producer. A class grows up to
 * capmax = min(CACHE_GROW_MAX_OBJS, min(CACHE_GROW_CLASS_BYTES,
 * cache_grow_bytes) / z) objects (never below cap, a multiple of batch),
 * while the CPU's growth over the starting capacities stays within
 * cache_grow_bytes (CACHE_GROW_BYTES, 4 MiB, as a thread cache of
 * tcmalloc, or less so that all CPUs together grow by at most 1/128 of
 * the memory the frame allocator spans: 512 KiB each for 8 CPUs in
 * 512 MiB; below CACHE_GROW_MIN_BYTES no growth at all, as for 8 CPUs in
 * 128 MiB, where the larger slot arrays and the memory held would cost
 * the contiguity multi-MiB runs need); past that budget it takes the
 * capacity it needs back, in whole batches, from the other class that
 * grew by the most bytes (the fewest flushes per byte; the objects above
 * the shrunk capacity go to its central or spans). So a working
 * set that frees up to capmax objects of a class on one CPU comes back
 * from the cache alone after one round, and one CPU holds at most the
 * starting 3.6 MiB plus cache_grow_bytes. Growth decays: at the end of
 * each decay period (kmalloc_decay_tick(), heap.cache_gen) a CPU, at its
 * next slow path, puts every grown class that missed on no allocation
 * during the period back to its starting capacity (cache_decay()); a
 * class served wholly from its grown cache also shrinks then, and grows
 * again at its next round, one batch move per miss. Slot arrays are sized
 * for capmax: under 512 KiB of pointers per CPU with the default budgets
 * (KMA_CACHE_GROW_BYTES=0 gives the fixed capacities and 32 KiB).
 * A drain (memory pressure, scavenge, CPU offline) puts every capacity
 * back to its start. Caches and central batches are given back on
 * memory pressure and by kmalloc_scavenge().
 *
 * Paths (interrupts off, this CPU's cache only):
 *  - alloc, cache empty: take a batch from the central, else carve one
 *    from this CPU's span of the class (span_take_batch(): one bitmap
 *    store per window, no lock), trading the spans it runs dry with the
 *    central in one swap (or, once the cache has grown, keeping them to
 *    the next refill, cache_carve()); when no free of the class found the
 *    cache full since its last refill (this CPU only allocates the
 *    class), as many batches as the cache holds, under one lock;
 *  - free, cache full: give the top batch to the central (one lock),
 *    or, when the central is full, back to the objects' spans
 *    (span_free_obj(): one atomic OR each); when no allocation of the
 *    class missed since the cache last gave objects away (this CPU only
 *    frees the class), the whole cache, under one lock;
 *  - an object whose tag is gone when it goes back to its span (it was
 *    written after its free) is reported and left out (see OBJ_TAG_KEY
 *    in heap.h).
 *
 * Memory pressure, scavenging, CPU offline, a host thread's exit:
 * cache_drain() gives every object (whole batches to the central) and
 * the span back; kmalloc_reclaim() empties the centrals' batches and
 * gives empty spans to the page heap.
 */
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "heap.h"

/*
 * Build-time tunables (-DKMA_CACHE_CLASS_BYTES=..., -DKMA_XFER_BYTES=...):
 * a smaller budget trades batch speed for memory held in caches.
 */
#ifndef KMA_CACHE_CLASS_BYTES
#define KMA_CACHE_CLASS_BYTES	(64u << 10)
#endif
#ifndef KMA_XFER_BYTES
#define KMA_XFER_BYTES		(4096u << 10)
#endif
#define CACHE_CLASS_BYTES	KMA_CACHE_CLASS_BYTES
#define CACHE_MIN_OBJS		4u
#define CACHE_FLOW_OBJS		32u	/* at least, up to CACHE_FLOW_SIZE */
#define CACHE_FLOW_SIZE		4096u
#define CACHE_MAX_OBJS		128u
#define XFER_BYTES		KMA_XFER_BYTES
#define XFER_MAX_OBJS		1024u

#define CACHE_GROW_MIN_BYTES	(256u << 10)
#define CACHE_GROW_CLASS_BYTES	(4u << 20)
#define CACHE_GROW_MAX_OBJS	1024u
_Static_assert(CACHE_GROW_MAX_OBJS <= CACHE_KEPT_MAX,
	       "a refill runs at most CACHE_KEPT_MAX spans dry");

struct span empty_span = { .xowner = -1 };

struct objcache_row objcache_rows[PORT_MAX_CPUS];
uint16_t size_oc[SC_MAX_SIZE >> 3];

struct cpu_cache caches[PORT_MAX_CPUS] = {
	[0 ... PORT_MAX_CPUS - 1] = {
		.alloc = { [0 ... NR_SPC - 1] = &empty_span },
	},
};
unsigned int heap_ncpus;
uint32_t cache_grow_bytes;
static size_t cache_meta_frames;

static uint32_t spc_cap(unsigned int spc);

/* Objects a central's batches may hold: XFER_BYTES, whole batches. */
static uint32_t spc_xfer_cap(unsigned int spc)
{
	uint32_t batch = spc_cap(spc) / 2, n = XFER_BYTES / spc_size(spc);

	if (n > XFER_MAX_OBJS)
		n = XFER_MAX_OBJS;
	n -= n % batch;
	return n > 2 * batch ? n : 2 * batch;
}

static uint32_t spc_cap(unsigned int spc)
{
	uint32_t cap = CACHE_CLASS_BYTES / spc_size(spc);

	if (cap < CACHE_MIN_OBJS)
		cap = CACHE_MIN_OBJS;
	if (cap < CACHE_FLOW_OBJS && spc_size(spc) <= CACHE_FLOW_SIZE)
		cap = CACHE_FLOW_OBJS;
	if (cap > CACHE_MAX_OBJS)
		cap = CACHE_MAX_OBJS;
	return cap;
}

/* The most a CPU cache of @spc grows to (see the top of the file). */
static uint32_t spc_capmax(unsigned int spc)
{
	uint32_t cap = spc_cap(spc), batch = cap / 2, n;

	if (!cache_grow_bytes)
		return cap;
	n = (CACHE_GROW_CLASS_BYTES < cache_grow_bytes ?
	     CACHE_GROW_CLASS_BYTES : cache_grow_bytes) / spc_size(spc);
	if (n > CACHE_GROW_MAX_OBJS)
		n = CACHE_GROW_MAX_OBJS;
	n -= n % batch;
	return n > cap ? n : cap;
}

/**
 * cache_class_ptrs - pointers class @spc's CPU caches (capmax per CPU)
 * and central batches need. cache_grow_bytes and heap_ncpus are set.
 * @spc: span class.
 */
size_t cache_class_ptrs(unsigned int spc)
{
	return (size_t)spc_capmax(spc) * heap_ncpus + spc_xfer_cap(spc);
}

/**
 * cache_class_setup - size class @spc's central and give it its batch
 * array, the first spc_xfer_cap() pointers of @p; CPU k's cache slots
 * follow, capmax of them at @p + xfer_cap + k * capmax. The CPUs' caches
 * themselves are set by cpucache_init() (the fixed classes) or by each
 * CPU when it first uses the class (cache_attach(), an object cache's).
 * @spc: span class.
 * @p: cache_class_ptrs(@spc) pointers.
 */
void cache_class_setup(unsigned int spc, void **p)
{
	struct central *c = &centrals[spc];
	uint32_t cap = spc_cap(spc);

	c->cache_cap = cap;
	c->cache_capmax = spc_capmax(spc);
	c->xfer_cap = spc_xfer_cap(spc);
	c->xfer = p;
	c->nxfer = 0;
	c->taken = 0;
	c->nempty = 0;
	/* Last: loops over every class skip one whose batch is 0. */
	__atomic_store_n(&c->batch, cap / 2, __ATOMIC_RELEASE);
}

/**
 * cache_class_clear - class @spc (an object cache's) is gone: its central
 * loses its batch array. Every CPU cache of the class is detached.
 * @spc: span class.
 */
void cache_class_clear(unsigned int spc)
{
	struct central *c = &centrals[spc];

	__atomic_store_n(&c->batch, 0, __ATOMIC_RELEASE);
	c->xfer = NULL;
	c->xfer_cap = 0;
	c->cache_cap = 0;
	c->cache_capmax = 0;
}

/*
 * The capacity a CPU cache of @spc starts with: 0 while the debug mode
 * is on (debug.c: every allocation and free takes the slow path).
 */
static uint32_t cache_cap_now(unsigned int spc)
{
	return debug_on() ? 0 : centrals[spc].cache_cap;
}

/* Class @spc's cache slots for @cpu (see cache_class_setup()). */
static void **cache_slots(unsigned int spc, unsigned int cpu)
{
	struct central *c = &centrals[spc];

	return c->xfer + c->xfer_cap + (size_t)cpu * c->cache_capmax;
}

/*
 * @cpu's cache of object cache class @spc is detached (all NULL): attach
 * it, if the cache is live. This CPU only, interrupts off.
 */
static bool cache_attach(unsigned int cpu, unsigned int spc)
{
	struct objcache *oc = objcache_of(cpu, spc);

	if (spc < SPC_KCACHE || !kcache_attach_begin(spc))
		return false;
	oc->lo = cache_slots(spc, cpu);
	oc->top = oc->lo;
	oc->hi = oc->lo + cache_cap_now(spc);
	return true;
}

/**
 * cpucache_init - size every fixed class's CPU caches and central
 * batches, and give them their slot arrays (one frame run).
 * @ncpus: CPU slots to provide for.
 *
 * Return: 0, or -1 if the frames cannot be had.
 */
int cpucache_init(unsigned int ncpus)
{
	size_t ptrs = 0, npages;
	unsigned int spc, cpu, i;
	struct frame_stats st;
	phys_addr_t pa;
	uint64_t share;
	size_t grow, n = ncpus ? ncpus : 1;
	void **p;

	/*
	 * 1/128 of the frames shared by the CPUs, at most CACHE_GROW_BYTES
	 * each; the division in words (a 64-bit one is a helper call on a
	 * 32-bit target): below the cap, the share fits a size_t.
	 */
	_Static_assert((uint64_t)CACHE_GROW_BYTES <
		       (uint64_t)SIZE_MAX / PORT_MAX_CPUS,
		       "cpucache_init() divides in size_t");
	frame_get_stats(&st);
	share = st.span_frames * FRAME_SIZE / 128;
	if (share > (uint64_t)CACHE_GROW_BYTES * n)
		grow = CACHE_GROW_BYTES;
	else
		grow = (size_t)share / n;
	if (grow < CACHE_GROW_MIN_BYTES)
		grow = 0;	/* small machine: fixed capacities */
	cache_grow_bytes = (uint32_t)grow;
	heap_ncpus = ncpus;

	for (spc = 1; spc < SPC_KCACHE; spc++)
		ptrs += cache_class_ptrs(spc);
	npages = (ptrs * sizeof(void *) + PAGE_SIZE - 1) >> PAGE_SHIFT;
	pa = frame_alloc_run(npages);
	if (pa == FRAME_NONE) {
		heap_ncpus = 0;
		return -1;
	}
	p = port_phys_to_virt(pa);
	cache_meta_frames = npages;
	for (i = 0; i < SC_MAX_SIZE >> 3; i++)
		size_oc[i] = OC_OFF(sc_of_size((i + 1) << 3));
	for (spc = 1; spc < SPC_KCACHE; spc++) {
		cache_class_setup(spc, p);
		for (cpu = 0; cpu < ncpus; cpu++) {
			struct objcache *oc = objcache_of(cpu, spc);

			oc->lo = cache_slots(spc, cpu);
			oc->top = oc->lo;
			oc->hi = oc->lo + cache_cap_now(spc);
		}
		p += cache_class_ptrs(spc);
	}
	return 0;
}

/**
 * cache_check_tags - check the tags of @n free objects on their way back
 * to their spans: an object whose tag is gone was written after its free
 * (or freed twice after such a write); it is reported and left out.
 * @objs: the objects, compacted in place.
 * @n: how many.
 *
 * Return: objects kept.
 */
uint32_t cache_check_tags(void **objs, uint32_t n)
{
	uint32_t i, k = 0;

	for (i = 0; i < n; i++) {
		uintptr_t va = (uintptr_t)objs[i];

		if (likely(obj_tag_kind(objs[i]) < OBJ_TAG_KINDS)) {
			objs[k++] = objs[i];
			continue;
		}
		kmalloc_report_obj(MM_ERR_CORRUPT, "kfree", va, span_of(va),
				   "free object in a CPU cache was written "
				   "after its free; left out");
	}
	return k;
}

/*
 * Whether @s (the owner's) has a free slot in its window, after moving
 * the window on or sweeping the frees in if need be.
 */
static bool span_ready(struct span *s)
{
	if (s->alloc_cache || span_refill_cache(s))
		return true;
	if (!span_has_frees(s))
		return false;
	span_sweep(s);
	return s->alloc_cache != 0;
}

/*
 * Let go of @s, a current span of this CPU that left c->alloc[], and of
 * the spans run dry it kept (its ->next chain, see cache_carve()), each
 * swept and placed by its central. Interrupts off.
 */
static void cache_uncache_spans(struct span *s)
{
	struct span *next;

	for (; s; s = next) {
		next = s->next;
		s->next = NULL;
		central_uncache_span(s);
	}
}

/*
 * The span @c allocates class @spc from, with a free slot in its window:
 * the current one (refilled or swept), else one from the central.
 */
struct span *cache_span(struct cpu_cache *c, unsigned int spc,
			unsigned int cpu)
{
	struct span *s = c->alloc[spc];

	if (s != &empty_span) {
		if (span_ready(s))
			return s;
		c->alloc[spc] = &empty_span;
		cache_handover_fence();
		cache_uncache_spans(s);
	}
	s = central_cache_span(spc, cpu);
	if (s)
		c->alloc[spc] = s;
	return s;
}

/*
 * Carve up to @max objects of class @spc into @out for @c: from its
 * current span, and when that runs dry from spans the central gives in
 * one swap (central_swap_spans(): as many as @max needs, for the spans
 * run dry so far), or new ones (central_cache_span()). The spans run dry
 * go back together at the end, so a refill of a class with few objects
 * per span takes about two locks, not two per span; or, when @keep (the
 * cache has grown: memory is plentiful), they stay with this CPU, chained
 * through the new current span's ->next, until the next refill, whose
 * swap sweeps them first and takes back those that frees refilled with
 * no lock: a CPU that allocates and frees a working set of the class in
 * turns (a batch) reuses its own spans, one lock per refill, and the
 * frees into them move no span between the central's lists. Kept spans
 * stay LIST_CACHED, owned by this CPU, and go back with the current span
 * (cache_uncache_spans()). Interrupts off, this CPU.
 */
static uint32_t cache_carve(struct cpu_cache *c, unsigned int spc,
			    unsigned int cpu, void **out, uint32_t max,
			    bool keep)
{
	uint32_t per = spc_pages(spc) * PAGE_SIZE / spc_size(spc), n = 0;
	struct span *s = c->alloc[spc], *dry = NULL, *got = NULL;
	bool swapped = false;

	if (s != &empty_span) {		/* the spans the last refill kept */
		dry = s->next;
		s->next = NULL;
		/* Out of c->alloc[] until the end: spans run dry go to
		 * the central meanwhile. */
		c->alloc[spc] = &empty_span;
		cache_handover_fence();
	}

	while (n < max) {
		if (s != &empty_span && span_ready(s)) {
			n += span_take_batch(s, out + n, max - n);
			continue;
		}
		if (s != &empty_span) {
			s->next = dry;		/* on no list: ->next is ours */
			dry = s;
		}
		if (!got && !swapped) {	/* one swap per refill */
			got = central_swap_spans(spc, cpu, dry,
						 (max - n + per - 1) / per);
			dry = NULL;
			swapped = true;
		}
		if (got) {
			s = got;
			got = got->next;
			s->next = NULL;
			continue;
		}
		s = central_cache_span(spc, cpu);
		if (!s) {
			s = &empty_span;
			break;			/* out of memory */
		}
	}
	while (got) {			/* more than needed after all */
		struct span *t = got;

		got = t->next;
		t->next = dry;
		dry = t;
	}
	c->alloc[spc] = s;
	if (dry && keep && s != &empty_span)
		s->next = dry;
	else if (dry)
		central_swap_spans(spc, cpu, dry, 0);
	return n;
}

/*
 * Fill @c's empty cache of @spc: one batch, or, when this CPU only
 * allocates the class, the whole cache. False when out of memory.
 */
static bool cache_fill(struct cpu_cache *c, unsigned int spc, unsigned int cpu)
{
	struct objcache *oc = objcache_of(cpu, spc);
	uint32_t want = centrals[spc].batch, n, nb = 1;
	bool grown;

	/*
	 * The cache was refilled before and no free of the class found it
	 * full since: this CPU only allocates the class (the producer of a
	 * pair), and the whole cache is refilled, from the central's batches
	 * under one lock, then from spans (cache_carve(): a swap per refill).
	 * A first refill (after a drain: a new thread on the host) is one
	 * batch: a short-lived thread that allocates a few objects of many
	 * classes takes no more than it may use.
	 */
	if (!(c->spilled[kma_word(spc)] & kma_bit(spc)) &&
	    (c->refilled[kma_word(spc)] & kma_bit(spc)))
		nb = (uint32_t)(oc->hi - oc->lo) / want;
	if (!nb)
		nb = 1;
	c->spilled[kma_word(spc)] &= ~kma_bit(spc);
	c->refilled[kma_word(spc)] |= kma_bit(spc);
	n = central_get_batch(spc, oc->lo, nb);
	/*
	 * From spans, the whole cache only once it has grown (memory is
	 * plentiful: see cache_grow_bytes), else one batch: on a small
	 * machine every CPU's caches full of objects carved from spans
	 * would pin enough of them to break up the contiguous runs large
	 * allocations need.
	 */
	grown = (uint32_t)(oc->hi - oc->lo) > centrals[spc].cache_cap;
	if (!grown)
		nb = 1;
	if (n < nb * want)
		n += cache_carve(c, spc, cpu, oc->lo + n, nb * want - n,
				 grown);
	oc->top = oc->lo + n;
	/* What the working set lacked, in batches (see cache_grow()). */
	nb = n > want ? n / want : 1;
	c->miss[spc] = c->miss[spc] + nb < UINT16_MAX ?
		       (uint16_t)(c->miss[spc] + nb) : UINT16_MAX;
	return n > 0;
}

/**
 * cache_alloc_slow - an object of class @spc when the fast path found the
 * cache empty (or its top object untagged). Interrupts are off.
 * @spc: span class.
 * @cpu: the calling CPU.
 *
 * Return: the object, or NULL when out of memory.
 */
__attribute__((noinline)) void *cache_alloc_slow(unsigned int spc,
						 unsigned int cpu)
{
	struct cpu_cache *c = cpu_cache_of(cpu);
	struct objcache *oc = objcache_of(cpu, spc);
	bool pressed = false;
	void *p;

	if (unlikely(!heap_ncpus)) {
		mm_report(MM_ERR_BAD_SIZE, 0, spc,
			  "kmalloc before mm_init() on cpu %u", cpu);
		return NULL;
	}
	lockdep_assert_irqs_off();
	lockdep_assert_this_cpu(cpu);
	kmalloc_cpu_poll(cpu);
	cache_decay_poll(c, cpu);
	/*
	 * Capacity 0: the debug mode (every cache), or an object cache's
	 * class this CPU has not attached (all NULL). One compare for both.
	 */
	if (unlikely(oc->hi == oc->lo)) {
		if (debug_on())
			return debug_alloc(spc, cpu);
		if (!oc->hi && !cache_attach(cpu, spc))
			return NULL;	/* an object cache that is gone */
	}
	c->used[kma_word(spc)] |= kma_bit(spc);
	for (;;) {
		p = objcache_pop(oc);
		if (p)
			return p;
		if (cache_fill(c, spc, cpu))
			continue;
		if (pressed)
			return NULL;
		kmalloc_pressure((size_t)spc_pages(spc) * PAGE_SIZE);
		pressed = true;
		/* The ladder drained this CPU: an object cache's class is
		 * detached (and its cache may be gone meanwhile). */
		if (unlikely(!oc->hi) && !cache_attach(cpu, spc))
			return NULL;
	}
}

/**
 * cache_alloc_irqoff - an object of class @spc from @cpu's cache.
 * @spc: span class. @cpu: the calling CPU, interrupts off.
 *
 * Return: the object (its first word zero), or NULL.
 */
void *cache_alloc_irqoff(unsigned int spc, unsigned int cpu)
{
	void *p = objcache_pop(objcache_of(cpu, spc));

	return p ? p : cache_alloc_slow(spc, cpu);
}

/*
 * Objects [@from, @from + @n) of class @spc, out of @c's cache @oc
 * already (its top below or above them), leave the CPU: a whole
 * batch to the central, or, when it holds enough (or @n is not a whole
 * batch), checked and back to the spans. Counted in c->flushed, which
 * the page heap reads before it grows (heap_reclaim_due()).
 */
static void cache_flush(struct cpu_cache *c, const struct objcache *oc,
			unsigned int spc, void **from, uint32_t n)
{
	uint32_t b = centrals[spc].batch, nb = n / b, k = 0;

	lockdep_assert_left(oc->lo, oc->top, from, n);

	WRITE_ONCE(c->flushed, c->flushed + (uint64_t)n * spc_size(spc));
	if (nb && n == nb * b)
		k = central_put_batch(spc, from, nb);
	n -= k * b;			/* the central took the last k batches */
	if (n)
		span_free_batch(from, cache_check_tags(from, n));
}

/*
 * Shrink @cpu's cache of @spc to @cap objects (a multiple of the batch,
 * at least the starting capacity): the objects above it go to the
 * central or back to their spans, a batch at a time, and the capacity
 * given up leaves the CPU's account of growth.
 */
static void cache_shrink(struct cpu_cache *c, unsigned int cpu,
			 unsigned int spc, uint32_t cap)
{
	struct objcache *oc = objcache_of(cpu, spc);
	uint32_t b = centrals[spc].batch, had = (uint32_t)(oc->hi - oc->lo);

	while (oc->top > oc->lo + cap) {
		uint32_t n = (uint32_t)(oc->top - (oc->lo + cap));

		if (n > b)
			n = b;
		oc->top -= n;
		cache_handover_fence();
		cache_flush(c, oc, spc, oc->top, n);
	}
	oc->hi = oc->lo + cap;
	c->grown -= (had - cap) * spc_size(spc);
}

/*
 * Take capacity back for @need bytes of growth from the class of @c,
 * other than @except, that grew by the most bytes: whole batches of it,
 * as many as cover @need, down to its starting capacity at most (the
 * fewest flushes per byte freed: a class of large objects gives its
 * budget back in a few batches, one of small objects in many). False if
 * no other class has grown.
 */
static bool cache_steal(struct cpu_cache *c, unsigned int cpu,
			unsigned int except, uint32_t need)
{
	unsigned int spc, best = 0, end = spc_end();
	uint32_t most = 0, cap = 0, b, z, k;

	for (spc = 1; spc < end; spc++) {
		struct objcache *oc = objcache_of(cpu, spc);
		uint32_t n = (uint32_t)(oc->hi - oc->lo), grown;

		if (spc == except || n <= centrals[spc].cache_cap)
			continue;
		grown = (n - centrals[spc].cache_cap) * spc_size(spc);
		if (grown > most) {
			most = grown;
			best = spc;
			cap = n;
		}
	}
	if (!best)
		return false;
	b = centrals[best].batch;
	z = spc_size(best);
	k = (need + b * z - 1) / (b * z) * b;	/* objects, whole batches */
	if (k > cap - centrals[best].cache_cap)
		k = cap - centrals[best].cache_cap;
	cache_shrink(c, cpu, best, cap - k);
	return true;
}

/*
 * A free found @oc full: grow it by as many batches as allocations of
 * the class found it empty since it last grew (what the working set
 * lacked), within the class's limit and the CPU's budget, taking
 * capacity from other classes when the budget is spent. False if the
 * cache stays full.
 */
static bool cache_grow(unsigned int spc, unsigned int cpu,
		       struct objcache *oc)
{
	struct cpu_cache *c = cpu_cache_of(cpu);
	uint32_t b = centrals[spc].batch, z = spc_size(spc);
	uint32_t room = centrals[spc].cache_capmax -
			(uint32_t)(oc->hi - oc->lo);
	uint32_t g = (uint32_t)c->miss[spc] * b;

	c->miss[spc] = 0;
	if (g > room)
		g = room;
	while (g && c->grown + g * z > cache_grow_bytes) {
		if (cache_steal(c, cpu, spc,
				c->grown + g * z - cache_grow_bytes))
			continue;
		g = (cache_grow_bytes - c->grown) / z / b * b;
	}
	if (!g)
		return false;
	oc->hi += g;
	c->grown += g * z;
	return true;
}

/*
 * cache_decay - a decay period ended (kmalloc_decay_tick()): every class
 * of @c that grew but found its cache empty on no allocation during the
 * period goes back to its starting capacity, so capacity a CPU gained
 * for a working set it no longer has is given back within two periods;
 * so does the CPU's large cache if no allocation took from it
 * (large_cache_decay()). Interrupts off, this CPU.
 */
void cache_decay(struct cpu_cache *c, unsigned int cpu)
{
	unsigned int spc, end = spc_end();

	for (spc = 1; c->grown && spc < end; spc++) {
		struct objcache *oc = objcache_of(cpu, spc);

		if ((uint32_t)(oc->hi - oc->lo) > centrals[spc].cache_cap &&
		    !(c->used[kma_word(spc)] & kma_bit(spc)))
			cache_shrink(c, cpu, spc, centrals[spc].cache_cap);
	}
	for (spc = 0; spc < KMA_BITWORDS(NR_SPC); spc++)
		c->used[spc] = 0;
	c->decay_seen = __atomic_load_n(&heap.cache_gen, __ATOMIC_RELAXED);
	large_cache_decay(cpu);
}

/**
 * cache_free_slow - push @p on a full cache: first make room by giving
 * the oldest batch to the central, or back to the spans. Interrupts off.
 * @spc: span class of @p.
 * @cpu: the calling CPU.
 * @p: an object checked by kfree() (its slot is out, it has no tag).
 */
__attribute__((noinline)) void cache_free_slow(unsigned int spc,
					       unsigned int cpu, void *p)
{
	struct objcache *oc = objcache_of(cpu, spc);
	struct cpu_cache *c = cpu_cache_of(cpu);
	uint32_t b = centrals[spc].batch, n, i;
	bool refilled;

	lockdep_assert_irqs_off();
	lockdep_assert_this_cpu(cpu);
	kmalloc_cpu_poll(cpu);		/* a drain empties the cache */
	cache_decay_poll(c, cpu);
	/*
	 * Capacity 0: the debug mode, or an object cache's class this CPU
	 * has not used since its last drain (attach it; a cache being
	 * destroyed: straight to the span).
	 */
	if (unlikely(oc->hi == oc->lo)) {
		if (debug_on()) {
			debug_free(spc, cpu, p);
			return;
		}
		if (!oc->hi && !cache_attach(cpu, spc)) {
			span_free_obj(span_of((uintptr_t)p), (uintptr_t)p);
			return;
		}
	}
	if (oc->top != oc->hi || cache_grow(spc, cpu, oc)) {
		objcache_push(oc, p);
		return;
	}
	/*
	 * No allocation of the class missed here since the cache last gave
	 * objects away: this CPU only frees the class (the consumer of a
	 * producer/consumer pair), and the whole cache goes to the central
	 * under one lock. Otherwise the bottom batch leaves, the objects
	 * freed longest ago: those freed last stay and come back first
	 * (LIFO), as they would have without the spill.
	 */
	refilled = c->refilled[kma_word(spc)] & kma_bit(spc);
	c->refilled[kma_word(spc)] &= ~kma_bit(spc);
	c->spilled[kma_word(spc)] |= kma_bit(spc);
	n = objcache_count(oc);
	oc->top = oc->lo;	/* out of the cache before they leave */
	cache_handover_fence();
	if (!refilled && n % b == 0) {
		cache_flush(c, oc, spc, oc->lo, n);
	} else {
		cache_flush(c, oc, spc, oc->lo, b);
		for (i = 0; i < n - b; i++)
			oc->lo[i] = oc->lo[i + b];
		cache_handover_fence();	/* moved before they show */
		oc->top = oc->lo + n - b;
	}
	objcache_push(oc, p);
}

/**
 * cache_drain - give every object of @cpu's cache back, whole batches to
 * their central while it has room and the rest to their spans, and the
 * spans back to their centrals: a thread that exits (host) or a CPU that
 * goes offline leaves its objects where the next one takes them a batch
 * per lock; the pressure ladder's and the scavenger's reclaim, which
 * follows, empties the centrals' batches into the spans.
 * @cpu: the calling CPU, or one that is not using the allocator.
 */
void cache_drain(unsigned int cpu)
{
	struct cpu_cache *c = cpu_cache_of(cpu);
	unsigned long flags = port_irq_save();
	unsigned int spc, end = spc_end();

	tiny_retire(c);
	port_irq_restore(flags);
	large_cache_drain(cpu);
	flags = port_irq_save();
	for (spc = 1; spc < end; spc++) {
		struct objcache *oc = objcache_of(cpu, spc);
		struct span *s = c->alloc[spc];
		uint32_t n, b;

		if (oc->hi) {
			n = objcache_count(oc);
			b = centrals[spc].batch;
			oc->top = oc->lo;
			cache_handover_fence();
			/* Whole batches to the central while it has room
			 * (cheap for the next CPU or thread to take), the
			 * rest to the spans. */
			if (n >= b)
				cache_flush(c, oc, spc, oc->lo + n % b, n - n % b);
			if (n % b)
				cache_flush(c, oc, spc, oc->lo, n % b);
			oc->hi = oc->lo + cache_cap_now(spc);
			/* An object cache's class is attached again at its
			 * next use: the cache may be gone by then. */
			if (spc >= SPC_KCACHE) {
				oc->lo = oc->top = oc->hi = NULL;
				kcache_detach(spc);
			}
		}
		if (s == &empty_span)
			continue;
		c->alloc[spc] = &empty_span;
		cache_handover_fence();
		cache_uncache_spans(s);
	}
	c->grown = 0;
	for (spc = 0; spc < NR_SPC; spc++)
		c->miss[spc] = 0;
	/* The traffic seen so far is forgotten with the objects. */
	for (spc = 0; spc < KMA_BITWORDS(NR_SPC); spc++)
		c->refilled[spc] = c->spilled[spc] = 0;
	port_irq_restore(flags);
}

/*
 * Every central's batches (or, @idle_only, those of centrals nobody took
 * a batch from since the last such call) into their spans, and every
 * central's empty spans, swept, to the page heap.
 */
static void reclaim(bool idle_only)
{
	unsigned int spc, end = spc_end();

	for (spc = 1; spc < end; spc++) {
		struct central *c = &centrals[spc];

		if (!__atomic_load_n(&c->batch, __ATOMIC_ACQUIRE))
			continue;	/* an object cache's class, unused */
		if (!idle_only || !READ_ONCE(c->taken))
			central_drain_batches(spc);
		if (idle_only)
			WRITE_ONCE(c->taken, 0);
		central_reclaim(spc);
	}
}

/**
 * kmalloc_reclaim - empty every central's batches into their spans and
 * give every empty span to the page heap.
 */
void kmalloc_reclaim(void)
{
	reclaim(false);
}

/**
 * kmalloc_reclaim_idle - what the page heap takes back before it grows
 * (heap_reclaim_due()): the batches of every central none of whose
 * batches was taken since the last call go back to their spans (a class
 * in use keeps its batches: a class whose working set moves through its
 * central would otherwise carve its spans anew after every reclaim), and
 * every central's empty spans, swept, go to the page heap.
 */
void kmalloc_reclaim_idle(void)
{
	reclaim(true);
}

/* See kmalloc.h. */
void *kmalloc_cpu_row(unsigned int cpu)
{
	return objcache_row(cpu);
}

/**
 * cache_meta_bytes - bytes of the CPU caches' and centrals' slot arrays.
 */
uint64_t cache_meta_bytes(void)
{
	return cache_meta_frames * PAGE_SIZE + sizeof(objcache_rows);
}

/**
 * cache_objs_held - free objects of @spc sitting in CPU caches and
 * central batches (a snapshot unless the heap is quiescent).
 * @spc: span class.
 */
uint64_t cache_objs_held(unsigned int spc)
{
	uint64_t n = READ_ONCE(centrals[spc].nxfer);
	unsigned int cpu;

	for (cpu = 0; cpu < heap_ncpus; cpu++)
		n += objcache_count(objcache_of(cpu, spc));
	return n;
}
