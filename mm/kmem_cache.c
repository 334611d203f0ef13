// SPDX-License-Identifier: MIT
/*
 * kmem_cache.c - object caches (the SLAB interface): objects of one exact
 * size and alignment, on spans of their own, built by an optional
 * constructor.
 *
 * Owns: kcaches[] (one slot per cache, KMA_MAX_KMEM_CACHES of them) and
 * the span classes SPC_KCACHE + i behind them. A cache *is* a span
 * class: its geometry (slot stride, span pages, index magic) is chosen
 * when it is made, and from then on its spans, its central and every
 * CPU's object cache of the class work as a size class's do. So
 * kmem_cache_alloc() is kmalloc()'s fast path without the size lookup (a
 * pop from this CPU's LIFO of the class), and kmem_cache_free() is
 * kfree()'s with one more check: the span's class is the cache's.
 *
 * Constructors. A free object carries its tag in its first word (see
 * OBJ_TAG_KEY in heap.h), which would destroy a constructed object's
 * first word: a constructor cache keeps that word beside each object
 * (at save_off, 8 bytes added to the slot) from the object's free to its
 * next allocation. Its spans never take kfree()'s generic fast path
 * (their fast magic is 0): every free of one goes through
 * kma_kmem_cache_free()'s fast path or kcache_free_slow(), which save the
 * word first. The constructor runs over every object of a span when the
 * span is built (span_init_small(), kcache_construct()), before any of
 * them is handed out.
 *
 * Per-CPU caches of a cache's class are attached by each CPU itself, at
 * its first use of the class (cache_attach(), cpucache.c), and detached
 * by every drain of that CPU, so that no CPU ever writes another's
 * cache. kcache_lock orders attaching against destroying: a CPU attaches
 * only to a LIVE cache, and counts itself in @attached.
 *
 * Destroying: the cache goes DYING (no CPU attaches any more), this CPU
 * drains its caches and every other CPU is asked to (the pressure
 * ladder's request, pressure_drain_others()); the central's batches go
 * back to their spans and every empty span to the page heap. Spans left
 * hold objects still allocated (or held by a CPU that did not answer):
 * that is reported with their count and the cache goes back to LIVE,
 * usable as before. Otherwise the cache is gone: its slot is FREE again
 * at once, or, while a CPU that did not answer in time is still
 * attached, ORPHAN until that CPU's next drain (the request stays
 * posted) detaches it.
 *
 * Locking: kcache_lock guards every cache's @state and @attached, and
 * the choice of a free slot; it is taken with interrupts off (the drain
 * takes it in detaching) and before the frame allocator's locks.
 */
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "heap.h"

struct kma_kmem_cache kcaches[KMA_MAX_KMEM_CACHES];
unsigned int kcache_end = SPC_KCACHE;	/* grows under kcache_lock */
static uint32_t kcache_attached[KMA_MAX_KMEM_CACHES];	/* kcache_lock */
static spinlock_t kcache_lock = SPINLOCK_INIT_RANK("kmem_cache",
						   KMA_LOCK_RANK_KCACHE);

/* The most objects a span may hold, at least (SLAB-like batches). */
static uint32_t kcache_min_objs(uint32_t size)
{
	if (size <= 512)
		return 1;
	return size <= PAGE_SIZE ? 8 : 4;
}

/*
 * Choose the span of @c's class: the fewest pages (up to SC_MAX_PAGES)
 * with a tail of at most an eighth of the span and at least
 * kcache_min_objs() objects, else the least tail. Within
 * SPAN_MAX_OBJS objects, and pages * 4096 * size <= 2^32, which keeps
 * the index magic exact (see sizeclass.h).
 */
static void kcache_geometry(struct kma_kmem_cache *c)
{
	uint32_t z = c->size, p, best = 0, best_tail = 0, best_span = 1;

	for (p = 1; p <= SC_MAX_PAGES; p++) {
		uint32_t span = p * (uint32_t)PAGE_SIZE, n = span / z;
		uint32_t tail = span - n * z;

		if (!n)
			continue;
		if (n > SPAN_MAX_OBJS || (uint64_t)span * z > (1ULL << 32))
			break;
		if (tail * 8 <= span && n >= kcache_min_objs(z)) {
			best = p;
			break;
		}
		if (!best || (uint64_t)tail * best_span <
			     (uint64_t)best_tail * span) {
			best = p;
			best_tail = tail;
			best_span = span;
		}
	}
	c->pages = (uint16_t)best;
	c->objs = (uint16_t)(best * PAGE_SIZE / z);
	c->magic = 0xffffffffu / z + 1;
}

/*
 * Whether the index magic of @c is exact: at each slot's first byte the
 * index is the slot and the start test passes, at its second and last
 * the index is the slot and the test fails. That covers every offset:
 * within a slot off * magic grows with off, so an index right at both
 * ends is right between, and the low half, growing too, stays at or
 * above magic past the second byte.
 */
static bool kcache_magic_ok(const struct kma_kmem_cache *c)
{
	uint32_t k;

	for (k = 0; k < c->objs; k++) {
		uint32_t off = k * c->size;
		uint64_t at = (uint64_t)off * c->magic;
		uint64_t after = (uint64_t)(off + 1) * c->magic;
		uint64_t end = (uint64_t)(off + c->size - 1) * c->magic;

		if ((at >> 32) != k || (uint32_t)at >= c->magic ||
		    (after >> 32) != k || (uint32_t)after < c->magic ||
		    (end >> 32) != k || (uint32_t)end < c->magic)
			return false;
	}
	return true;
}

static uint32_t round_up32(uint32_t v, uint32_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* See slab.h. */
struct kma_kmem_cache *kma_kmem_cache_create(const char *name, size_t size,
					     size_t align, unsigned long flags,
					     void (*ctor)(void *))
{
	struct kma_kmem_cache *c = NULL;
	unsigned long irq;
	uint32_t o, a, i;
	size_t ptrs, frames;
	phys_addr_t pa;

	if (!name)
		name = "(unnamed)";
	if (!heap_ncpus) {
		mm_report(MM_ERR_BAD_SIZE, 0, size,
			  "kmem_cache_create(%s) before mm_init()", name);
		return NULL;
	}
	if (!size || size > SC_MAX_SIZE) {
		mm_report(MM_ERR_BAD_SIZE, 0, size,
			  "kmem_cache_create(%s): size %zu not in 1..%u", name,
			  size, SC_MAX_SIZE);
		return NULL;
	}
	if ((align & (align - 1)) || align > PAGE_SIZE) {
		mm_report(MM_ERR_BAD_ALIGN, 0, align,
			  "kmem_cache_create(%s): alignment %zu is not a power "
			  "of two up to %lu", name, align, PAGE_SIZE);
		return NULL;
	}
	if (flags & ~KMA_SLAB_HWCACHE_ALIGN) {
		mm_report(MM_ERR_BAD_SIZE, 0, flags,
			  "kmem_cache_create(%s): unsupported flags 0x%lx", name,
			  flags & ~KMA_SLAB_HWCACHE_ALIGN);
		return NULL;
	}
	o = round_up32((uint32_t)size, 8);
	a = align > 8 ? (uint32_t)align : 8;
	if (flags & KMA_SLAB_HWCACHE_ALIGN) {
		uint32_t line = 64;

		while (o <= line / 2)		/* small objects: half lines */
			line /= 2;
		if (line > a)
			a = line;
	}

	irq = spin_lock_irqsave(&kcache_lock);
	for (i = 0; i < KMA_MAX_KMEM_CACHES; i++) {
		if (kcaches[i].state == KCACHE_FREE && !kcache_attached[i]) {
			c = &kcaches[i];
			c->state = KCACHE_DYING;	/* taken, not live */
			break;
		}
	}
	spin_unlock_irqrestore(&kcache_lock, irq);
	if (!c) {
		mm_report(MM_ERR_BAD_SIZE, 0, KMA_MAX_KMEM_CACHES,
			  "kmem_cache_create(%s): all %u caches in use "
			  "(KMA_MAX_KMEM_CACHES)", name, KMA_MAX_KMEM_CACHES);
		return NULL;
	}

	for (i = 0; i + 1 < KMA_KMEM_CACHE_NAME && name[i]; i++)
		c->name[i] = name[i];
	c->name[i] = '\0';
	c->object_size = (uint32_t)size;
	c->align = a;
	c->ctor = ctor;
	c->save_off = ctor ? o : 0;
	c->size = round_up32(ctor ? o + 8 : o, a);
	c->spc = (uint16_t)(SPC_KCACHE + (c - kcaches));
	c->oc_off = OC_OFF(c->spc);
	kcache_geometry(c);
	if (!kcache_magic_ok(c)) {		/* not reached: see above */
		mm_report(MM_ERR_CORRUPT, 0, c->size,
			  "kmem_cache_create(%s): no exact index for size %u",
			  name, (unsigned int)c->size);
		goto fail;
	}

	ptrs = cache_class_ptrs(c->spc);
	frames = (ptrs * sizeof(void *) + FRAME_SIZE - 1) / FRAME_SIZE;
	pa = mm_fault(MM_FAULT_META) ? FRAME_NONE : frame_alloc_run(frames);
	if (pa == FRAME_NONE) {
		kmalloc_pressure(frames * FRAME_SIZE);
		pa = frame_alloc_run(frames);
	}
	if (pa == FRAME_NONE) {
		mm_report(MM_ERR_BAD_SIZE, 0, frames,
			  "kmem_cache_create(%s): out of memory", name);
		goto fail;
	}
	c->arrays_pa = pa;
	c->arrays_frames = frames;
	cache_class_setup(c->spc, port_phys_to_virt(pa));
	irq = spin_lock_irqsave(&kcache_lock);
	if (kcache_end < c->spc + 1u)
		__atomic_store_n(&kcache_end, c->spc + 1u, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&kcache_lock, irq);
	__atomic_store_n(&c->state, KCACHE_LIVE, __ATOMIC_RELEASE);
	return c;
fail:
	irq = spin_lock_irqsave(&kcache_lock);
	c->state = KCACHE_FREE;
	spin_unlock_irqrestore(&kcache_lock, irq);
	return NULL;
}

/**
 * kcache_construct - a span of an object cache's class is built: run the
 * constructor over each object, keep its first word (constructor caches)
 * and tag it fresh. Called by span_init_small().
 * @s: the span, geometry set.
 * @spc: its class.
 */
void kcache_construct(struct span *s, unsigned int spc)
{
	const struct kma_kmem_cache *c = kcache_of(spc);
	uint32_t i;

	for (i = 0; i < s->nobjs; i++) {
		void *p = (void *)(s->base + (uintptr_t)i * s->size);

		if (c->ctor) {
			c->ctor(p);
			*(obj_word_t *)((char *)p + c->save_off) =
				*(obj_word_t *)p;
		}
		obj_tag_set(p, OBJ_FRESH);
	}
}

/*
 * cache_attach() under kcache_lock: whether CPU slots may attach to the
 * cache of class @spc (it is live), and if so count one more.
 */
bool kcache_attach_begin(unsigned int spc)
{
	unsigned int k = spc - SPC_KCACHE;
	unsigned long irq = spin_lock_irqsave(&kcache_lock);
	bool ok = kcaches[k].state == KCACHE_LIVE;

	if (ok)
		kcache_attached[k]++;
	spin_unlock_irqrestore(&kcache_lock, irq);
	return ok;
}

/* Give a gone cache's slot arrays back; kcache_lock held. */
static void kcache_release(struct kma_kmem_cache *c)
{
	lockdep_assert_held(&kcache_lock);
	cache_class_clear(c->spc);
	frame_free_run(c->arrays_pa, c->arrays_frames);
	c->arrays_pa = 0;
	c->arrays_frames = 0;
	c->state = KCACHE_FREE;
}

/*
 * A drain detached a CPU's cache of class @spc: one fewer attached; the
 * last detach of a cache destroyed meanwhile frees its slot.
 */
void kcache_detach(unsigned int spc)
{
	unsigned int k = spc - SPC_KCACHE;
	unsigned long irq = spin_lock_irqsave(&kcache_lock);

	if (!--kcache_attached[k] && kcaches[k].state == KCACHE_ORPHAN)
		kcache_release(&kcaches[k]);
	spin_unlock_irqrestore(&kcache_lock, irq);
}

static __attribute__((noinline, cold)) void
kcache_report_gone(const struct kma_kmem_cache *c, const char *fn)
{
	mm_report(MM_ERR_INVALID_FREE, 0, c->spc,
		  "%s(%s): the cache was destroyed", fn, c->name);
}

/* __GFP_ZERO: zero the object, unless constructed (reported). */
static __attribute__((noinline)) void *
kcache_zero(struct kma_kmem_cache *c, void *p)
{
	if (c->ctor)
		mm_report(MM_ERR_BAD_SIZE, (uintptr_t)p, c->spc,
			  "kmem_cache_alloc(%s): __GFP_ZERO with a constructor, "
			  "ignored", c->name);
	else
		mm_memset(p, 0, c->object_size);
	return p;
}

/* A constructed object's first word back, after the pop cleared it. */
static inline void kcache_restore(const struct kma_kmem_cache *c, void *p)
{
	if (c->save_off)
		*(obj_word_t *)p = *(obj_word_t *)((char *)p + c->save_off);
}

/* The cache's CPU cache was empty (or detached): refill, pop, restore. */
static __attribute__((noinline)) void *
kcache_alloc_empty(struct kma_kmem_cache *c, gfp_t flags, unsigned long irq)
{
	void *p = cache_alloc_slow(c->spc, port_cpu_id());

	port_irq_restore(irq);
	if (!p) {
		if (__atomic_load_n(&c->state, __ATOMIC_ACQUIRE) !=
		    KCACHE_LIVE)
			kcache_report_gone(c, "kmem_cache_alloc");
		return NULL;
	}
	kcache_restore(c, p);
	return flags & __GFP_ZERO ? kcache_zero(c, p) : p;
}

/* See slab.h. The fast path: a pop from this CPU's cache of the class. */
void *kma_kmem_cache_alloc(struct kma_kmem_cache *c, gfp_t flags)
{
	unsigned long irq;
	void *p = kmalloc_fast_pop(c->oc_off, &irq);

	if (unlikely(!p))
		return kcache_alloc_empty(c, flags, irq);
	kcache_restore(c, p);
	if (unlikely(flags & __GFP_ZERO))
		return kcache_zero(c, p);
	return p;
}

/*
 * kcache_fast_check - the checks of kmem_cache_free()'s fast path: @va
 * is the start of a slot of a span of @c's class and carries no object
 * tag (kfree_fast_check() with the class checked against the cache's).
 * Sets *@tag and *@diff as that does.
 */
static inline bool kcache_fast_check(const struct kma_kmem_cache *c,
				     uintptr_t va, uintptr_t *tag,
				     uintptr_t *diff)
{
	uintptr_t off = va - heap.va_base;
	struct span *s;

	if (unlikely(off >= heap.va_len))
		return false;
	s = pagemap_at(off);		/* the no span if none: class 0 */
	if (unlikely(READ_ONCE(s->spc) != c->spc ||
		     !fast_slot_start((uint32_t)(va - s->base), c->magic)))
		return false;
	*tag = fast_tag_of(va);
	*diff = *(const obj_word_t *)va ^ *tag;
	return likely(fast_untagged_diff(*diff));
}

/*
 * kcache_free_fast - kmem_cache_free()'s fast path: push @va on this
 * CPU's cache of @c's class if it is a live object of @c and the cache
 * has room, a constructed object's first word kept beside it; with the
 * interrupt handling of the build (as kfree_fast(), heap.h). False if
 * the slow path must take @va, which is then as it was.
 */
#ifdef KMA_RCS
static inline bool kcache_free_fast(const struct kma_kmem_cache *c,
				    uintptr_t va)
{
	uintptr_t tag, diff;

	if (!kcache_fast_check(c, va, &tag, &diff))
		return false;
	if (c->save_off)
		*(obj_word_t *)(va + c->save_off) = diff ^ tag;
	return objcache_rcs_push(c->oc_off, va, tag, diff, true);
}
#else
static inline bool kcache_free_fast(const struct kma_kmem_cache *c,
				    uintptr_t va)
{
	unsigned long irq;
	struct objcache *oc;
	uintptr_t tag, diff;
	bool done = false;
	void **top;

	irq = port_irq_save();
	oc = objcache_at(this_cpu_row(), c->oc_off);
	top = oc->top;
	if (likely(kcache_fast_check(c, va, &tag, &diff) && top != oc->hi)) {
		if (c->save_off)
			*(obj_word_t *)(va + c->save_off) = diff ^ tag;
		fast_tag_set((void *)va, tag);
		*top = (void *)va;
		__asm__ __volatile__("" ::: "memory");
		oc->top = top + 1;
		done = true;
	}
	port_irq_restore(irq);
	return done;
}
#endif

/**
 * kcache_free_slow - free @va to cache @c when the fast path did not take
 * it: the CPU cache is full or detached, or @va is not a live object of
 * @c, which is classified and reported.
 * @c: the cache.
 * @va: the object.
 * @fn: the caller's name, for reports.
 * @site: the caller's caller (the debug mode keeps it).
 */
__attribute__((noinline)) void kcache_free_slow(struct kma_kmem_cache *c,
						uintptr_t va, const char *fn,
						uintptr_t site)
{
	struct span *s = span_of(va);
	unsigned long irq;
	unsigned int cpu;

	if (!s || READ_ONCE(s->xstate) != SPAN_SMALL ||
	    READ_ONCE(s->spc) != c->spc) {
		if (s && READ_ONCE(s->xstate) == SPAN_SMALL)
			kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
					   "object of another cache or size "
					   "class");
		else if (!s)
			kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, NULL,
					   "not a heap address");
		else
			kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
					   "not an object of a cache");
		return;
	}
	if (!small_obj_live(s, va)) {
		report_bad_small(fn, s, va, span_obj_index(s, va));
		return;
	}
	if (c->save_off)
		*(obj_word_t *)(va + c->save_off) = *(obj_word_t *)va;
	irq = port_irq_save();
	cpu = port_cpu_id();
	debug_free_site[cpu] = site;
	cache_free_slow(c->spc, cpu, (void *)va);
	port_irq_restore(irq);
}

/* kmem_cache_free()'s slow path, tail-called: the caller is its. */
static __attribute__((noinline)) void
kcache_free_slow_caller(struct kma_kmem_cache *c, void *p)
{
	kcache_free_slow(c, (uintptr_t)p, "kmem_cache_free",
			 (uintptr_t)__builtin_return_address(0));
}

/* See slab.h. */
void kma_kmem_cache_free(struct kma_kmem_cache *c, void *p)
{
	if ((uintptr_t)p <= (uintptr_t)ZERO_SIZE_PTR)
		return;
	if (likely(kcache_free_fast(c, (uintptr_t)p)))
		return;
	kcache_free_slow_caller(c, p);
}

/* See slab.h. */
size_t kma_kmem_cache_alloc_bulk(struct kma_kmem_cache *c, gfp_t flags,
				 size_t n, void **p)
{
	size_t i;

	for (i = 0; i < n; i++) {
		p[i] = kma_kmem_cache_alloc(c, flags);
		if (!p[i]) {
			kma_kmem_cache_free_bulk(c, i, p);
			return 0;
		}
	}
	return n;
}

/* See slab.h. */
void kma_kmem_cache_free_bulk(struct kma_kmem_cache *c, size_t n, void **p)
{
	size_t i;

	for (i = 0; i < n; i++)
		kma_kmem_cache_free(c, p[i]);
}

/* See slab.h. */
int kma_kmem_cache_destroy(struct kma_kmem_cache *c)
{
	unsigned int spc, cpu;
	uint64_t live, spans;
	unsigned long irq;

	if (!c)
		return 0;
	spc = c->spc;
	irq = spin_lock_irqsave(&kcache_lock);
	if (c < kcaches || c >= kcaches + KMA_MAX_KMEM_CACHES ||
	    c->state != KCACHE_LIVE) {
		spin_unlock_irqrestore(&kcache_lock, irq);
		mm_report(MM_ERR_INVALID_FREE, (uintptr_t)c, 0,
			  "kmem_cache_destroy(%p): not a live cache",
			  (void *)c);
		return -1;
	}
	__atomic_store_n(&c->state, KCACHE_DYING, __ATOMIC_RELEASE);
	spin_unlock_irqrestore(&kcache_lock, irq);

	/* Objects freed into the debug mode's quarantine are free too. */
	kmalloc_debug_flush();
	irq = port_irq_save();
	cpu = port_cpu_id();
	port_irq_restore(irq);
	cache_drain(cpu);
	pressure_drain_others(cpu, spc);
	central_drain_batches(spc);
	central_reclaim(spc);

	live = central_objs_out(spc, &spans);
	irq = spin_lock_irqsave(&kcache_lock);
	if (spans) {
		c->state = KCACHE_LIVE;
		spin_unlock_irqrestore(&kcache_lock, irq);
		mm_report(MM_ERR_INVALID_FREE, 0, spc,
			  "kmem_cache_destroy(%s): %llu objects in %llu spans "
			  "still allocated (or held by a CPU that did not "
			  "answer); the cache stays", c->name,
			  (unsigned long long)live, (unsigned long long)spans);
		return -1;
	}
	if (!kcache_attached[spc - SPC_KCACHE])
		kcache_release(c);
	else		/* the last CPU to detach releases it */
		c->state = KCACHE_ORPHAN;
	spin_unlock_irqrestore(&kcache_lock, irq);
	return 0;
}

/* See slab.h. */
size_t kma_kmem_cache_size(const struct kma_kmem_cache *c)
{
	return c->save_off ? c->save_off : c->size;
}

/* See slab.h. */
const char *kma_kmem_cache_name(const struct kma_kmem_cache *c)
{
	return c->name;
}
