/* SPDX-License-Identifier: MIT */
/*
 * heap.h - internal structures of the object heap (mm/ only).
 *
 * See mm/kmalloc.c for the design essay. This header holds the shapes:
 * spans, the page heap, centrals, CPU caches, fixalloc.
 *
 * Lock order (outer first):
 *	central->lock		(one per span class)
 *	  heap.lock		(the page heap, fixalloc, the page map)
 *	    frame allocator locks
 * CPU caches take no lock: only their own CPU touches them, with
 * interrupts disabled, or in the restartable sections of a KMA_RCS
 * build's fast paths (rcs.c).
 */
#ifndef KMA_MM_HEAP_H
#define KMA_MM_HEAP_H

#include <kma/port.h>
#include <kma/spinlock.h>
#include <kma/kmalloc.h>
#include <kma/slab.h>
#include <kma/mm_report.h>
#include "bitops.h"
#include "fault.h"
#include "lockdep.h"
#include "sizeclass.h"

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define CHUNK_ORDER	9			/* heap grows by 2 MiB */
#define CHUNK_SHIFT	(PAGE_SHIFT + CHUNK_ORDER)
#define CHUNK_SIZE	(1UL << CHUNK_SHIFT)
#define CHUNK_PAGES	(1U << CHUNK_ORDER)

/* Objects above this go straight to the frame allocator (Go: large). */
#define HUGE_MIN	(CHUNK_SIZE / 2)

#define SPAN_MAX_OBJS	512
#define SPAN_WORDS	KMA_BITWORDS(SPAN_MAX_OBJS)

/*
 * Span classes: the size classes, one for tiny blocks, then one per
 * object cache (kmem_cache.c): KMA_MAX_KMEM_CACHES of them, a build-time
 * setting (each costs a row entry per CPU, 24 bytes, and a central).
 */
#define SPC_TINY	SC_NR
#define SPC_KCACHE	(SC_NR + 1)		/* the first cache's class */
#ifndef KMA_MAX_KMEM_CACHES
#define KMA_MAX_KMEM_CACHES	16
#endif
#define NR_SPC		(SPC_KCACHE + KMA_MAX_KMEM_CACHES)
#define TINY_BLOCK	16
_Static_assert(NR_SPC <= 256, "a span's class is a byte");

/*
 * Word loads and stores that may race: relaxed atomics, one plain load
 * or store of a naturally aligned word. On Arm, where GCC gives atomic
 * accesses no offset addressing (one more instruction per field), they
 * are volatile accesses instead (the Linux kernel's idiom, the same
 * instruction), but under ThreadSanitizer, which would report those.
 */
#if defined(__SANITIZE_THREAD__)
#define KMA_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define KMA_TSAN 1
#endif
#endif
#if defined(KMA_TSAN) || !defined(__arm__) && !defined(__aarch64__)
#define READ_ONCE(x)	__atomic_load_n(&(x), __ATOMIC_RELAXED)
#define WRITE_ONCE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)
#else
#define READ_ONCE(x)	(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#endif
/*
 * Objects or spans leave a CPU's cache (the store that hides them) before
 * they are handed to a central, a span or the page heap. In a host
 * process fork() may copy memory between any two stores of another
 * thread, whose caches the child then drains (host_cpu_fork_child()):
 * what the copy shows both in the cache and handed over would be freed
 * twice, what it shows in neither is only lost. The fence keeps the
 * compiler (the drop-in is built with LTO) and the CPU from moving the
 * hiding store after the hand-over's; a compiler barrier on x86.
 */
#define cache_handover_fence()	__atomic_thread_fence(__ATOMIC_RELEASE)
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)

/*
 * States of a span:
 *
 *   FREE  -- heap_alloc_span() -->  SMALL (class spans) or LARGE
 *   SMALL -- heap_free_span()  -->  FREE  (when every object is free)
 *   LARGE -- heap_free_span()  -->  FREE
 *   FREE  -- scavenger         -->  (chunk returned to the frame allocator)
 *   HUGE: an object from frame_alloc_run(), outside the chunks; freed
 *         straight back to the frame allocator.
 *
 * Where a SMALL span is (span->xlist):
 *   LIST_CACHED   held by one CPU cache (span->xowner), which allocates
 *                 from it without locks;
 *   LIST_PARTIAL  on its central's partial list: has free slots, or frees
 *                 waiting to be swept;
 *   LIST_FULL     on its central's full list: no free slot at last sweep
 *                 and no free since (the first free moves it to partial).
 */
enum span_state {
	SPAN_DEAD = 0,
	SPAN_FREE,
	SPAN_SMALL,
	SPAN_LARGE,
	SPAN_HUGE,
};

enum span_list {
	LIST_NONE = 0,
	LIST_CACHED,
	LIST_PARTIAL,
	LIST_FULL,
	LIST_HEAP,
};

struct tiny_meta;
struct obj_debug;

/**
 * struct span - a run of pages with one purpose.
 *
 * Object slot states (SMALL spans), as the span sees them:
 *   out(i)  = alloc_bits[i] && !xfree_bits[i]: handed out by the span, to
 *             a caller or to a CPU cache or central batch (struct objcache);
 *   free(i) = otherwise.
 * alloc_cache bit k says slot fi + k (fi = freeindex, the scan cursor)
 * is free and not yet handed out; taking it sets its alloc bit.
 *
 * Invariants (at a sweep, checked by the validator on quiescent spans):
 *   nalloc == popcount(alloc_bits), nalloc <= nobjs
 *   no bit at or beyond nobjs is set in alloc_bits or xfree_bits
 *   xfree_bits is a subset of alloc_bits
 */
struct span {
	/* Fixed while the span is in use. */
	uintptr_t base;			/* virtual address of the first page */
	uint32_t npages;
	uint8_t xstate;			/* enum span_state (atomic) */
	uint8_t spc;			/* span class, 0 for LARGE/HUGE/FREE;
				 * READ_ONCE: looked at by racing frees */
	uint16_t nobjs;
	uint32_t size;			/* object size (LARGE: bytes asked) */
	uint32_t magic;			/* (off * magic) >> 32 == off / size */
	uint32_t xfmagic;		/* magic for kfree()'s fast path: set
				 * only while SMALL and not tiny, else 0
				 * (which fails the fast check); atomic */
	uint32_t oc_off;		/* byte offset of the class's objcache
				 * in a row; valid while xfmagic is set */

	/*
	 * Owner-only: the CPU cache holding the span, or the central under
	 * its lock when no cache holds it.
	 */
	kma_bitword_t alloc_cache;	/* free slots from freeindex on, bit 0
					 * first (one bitmap word's worth) */
	uint32_t freeindex;
	uint32_t hwm;			/* slots below were handed out once */
	uint32_t nalloc;		/* allocated at the last sweep */
	int32_t xowner;			/* CPU caching it, or -1 (atomic) */
	uint8_t xlist;			/* enum span_list (atomic) */
	/* FREE spans, heap.lock: pages given back to the host; the decay
	 * period in which the span became free (pageheap.c, decay.c). */
	uint8_t released;
	/* Every byte reads zero (fresh frames, frame_alloc_fresh()): FREE
	 * spans under heap.lock; a LARGE or HUGE span from its allocation
	 * until large_take_zeroed() reads and clears it. */
	uint8_t zeroed;
	uint32_t idle_epoch;

	/* List linkage: central lock (SMALL) or heap lock (FREE). */
	struct span *next, *prev;

	struct tiny_meta *tiny;		/* SPC_TINY spans only */
	struct obj_debug *dbg;		/* debug mode's per-slot records
					 * (debug.c): set by the owner with
					 * release, read with acquire */

	/*
	 * Owner writes (taking slots, sweeping); freers read (atomic loads,
	 * xfree_bits first). One spare word:
	 * a bogus pointer in the tail of a span can index slot nobjs, whose
	 * bits are always clear.
	 */
	kma_bitword_t alloc_bits[SPAN_WORDS + 1];
	/* Any CPU sets (atomic or); the sweeper takes (atomic exchange). */
	kma_bitword_t xfree_bits[SPAN_WORDS + 1];
	uint8_t huge_order;		/* HUGE: buddy order (>= 1), or 0xff:
					   a run; 0 for every other span */
};

/*
 * struct tiny_meta - per 16-byte block of a tiny span (see tiny_alloc()).
 * starts: bit k set if a piece starts at byte k (the filling CPU writes).
 * end:    first byte after the last piece (the filling CPU writes).
 * xstate: low 16 bits: pieces freed (atomic or, any CPU); high 16 bits:
 *         the final starts mask, published when the owner moves on.
 *         The block is free again when both halves are equal.
 */
struct tiny_meta {
	uint16_t starts[PAGE_SIZE / TINY_BLOCK];
	uint8_t end[PAGE_SIZE / TINY_BLOCK];
	uint32_t xstate[PAGE_SIZE / TINY_BLOCK];
};

/* A list of spans (doubly linked, for O(1) removal). */
struct span_list_head {
	struct span *first;
	uint64_t nr;
};

/*
 * Push @s on @h. Caller holds the lock of the list's owner. (h->first is
 * written with WRITE_ONCE(): central_swap_spans() peeks at a partial
 * list's first without the lock.)
 */
static inline void span_list_add(struct span_list_head *h, struct span *s)
{
	s->prev = NULL;
	s->next = h->first;
	if (h->first)
		h->first->prev = s;
	WRITE_ONCE(h->first, s);
	h->nr++;
}

/* Unlink @s from @h. Caller holds the lock of the list's owner. */
static inline void span_list_del(struct span_list_head *h, struct span *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		WRITE_ONCE(h->first, s->next);
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
	h->nr--;
}

/**
 * struct central - shared spans and batches of free objects of one span
 * class (Go's mcentral, with tcmalloc's transfer cache).
 * @lock:    protects everything below but the read-only fields.
 * @partial: spans with free slots or unswept frees.
 * @full:    spans with no free slot and no free since the last sweep.
 * @nspans:  spans of the class, in lists or cached.
 * @nempty:  spans kept on @partial although empty (central.c).
 * @xfer:    free objects in whole batches, moved to and from CPU caches
 *           @batch at a time (each carries an object tag);
 * @nxfer:   objects in @xfer;
 * @nlocks:  lock acquisitions (statistics).
 * Read-only after mm_init(): @batch (objects a CPU cache takes or gives
 * at once), @cache_cap (a CPU cache's starting capacity), @cache_capmax
 * (the most it grows to, a multiple of @batch; see cpucache.c), @xfer_cap.
 */
struct central {
	spinlock_t lock;
	struct span_list_head partial;
	struct span_list_head full;
	uint64_t nspans;
	uint32_t nempty;
	void **xfer;
	uint32_t nxfer;
	uint32_t xfer_cap;
	uint32_t batch;
	uint32_t cache_cap;
	uint32_t cache_capmax;
	uint32_t taken;			/* a batch was taken since the last
					   kmalloc_reclaim_idle() (lock
					   held to set, read racily) */
	uint64_t nlocks;
} __attribute__((aligned(64)));

/**
 * struct objcache - one CPU's LIFO of free objects of one class (the
 * per-CPU object cache in front of the spans, as tcmalloc's per-CPU
 * caches and Linux's sheaves).
 * @top: one past the hottest object; @lo when the cache is empty.
 * @lo:  the slot array, allocated at mm_init(); lo[0 .. top - lo - 1]
 *       are the objects held, oldest first.
 * @hi:  lo + capacity: the cache is full when @top reaches it.
 *
 * All three are NULL before mm_init(): the cache is both empty and full,
 * so every operation takes the slow path, which reports the premature
 * call. Pointers rather than counts make the pop and the push a compare,
 * a load or store and a pointer bump.
 *
 * Touched only by its CPU with interrupts disabled, or in a restartable
 * section of the fast paths (KMA_RCS, rcs.c: redone from its start if an
 * interrupt lands inside). Drains of another CPU's cache require that
 * CPU to be quiescent. Every object held has
 * its span's slot out (see struct span) and carries an object tag.
 */
struct objcache {
	void **top;
	void **lo;
	void **hi;
};

/* Objects @oc holds. */
static inline uint32_t objcache_count(const struct objcache *oc)
{
	return (uint32_t)(READ_ONCE(oc->top) - oc->lo);
}

/*
 * Every CPU's object caches, one per span class (tiny: whole 16-byte
 * blocks for the tiny allocator), as one row per CPU. Rows are a power
 * of two apart, so the fast path finds this CPU's row with one shift,
 * and a class's cache is found by its byte offset in the row
 * (oc_off_of_size(), struct span's oc_off), with no multiply.
 */
#define OC_ROW_SHIFT	(NR_SPC * 24 <= 2048 ? 11 : NR_SPC * 24 <= 4096 ? 12 : 13)
struct objcache_row {
	struct objcache oc[NR_SPC];
} __attribute__((aligned(1 << OC_ROW_SHIFT)));
_Static_assert(sizeof(struct objcache_row) == 1u << OC_ROW_SHIFT,
	       "span classes must fit an objcache row");
extern struct objcache_row objcache_rows[PORT_MAX_CPUS];

/* Byte offset of class @spc's cache in a row. */
#define OC_OFF(spc)	((uint16_t)((spc) * sizeof(struct objcache)))

static inline struct objcache *objcache_row(unsigned int cpu)
{
	return (struct objcache *)((char *)objcache_rows +
				   ((uintptr_t)cpu << OC_ROW_SHIFT));
}

/* The cache at byte offset @off of @row. */
static inline struct objcache *objcache_at(struct objcache *row,
					   unsigned int off)
{
	return (struct objcache *)((char *)row + off);
}

/*
 * This CPU's row, interrupts off: one load from the per-CPU area where the
 * port keeps it (port_cpu_row(), port.h), else from the CPU id.
 */
static inline struct objcache *this_cpu_row(void)
{
#ifdef port_cpu_row
	return (struct objcache *)port_cpu_row();
#else
	return objcache_row(port_cpu_id());
#endif
}

static inline struct objcache *objcache_of(unsigned int cpu, unsigned int spc)
{
	return &objcache_rows[cpu].oc[spc];
}

/*
 * Bytes of object capacity one CPU's caches may grow by over their
 * starting capacities (cpucache.c): at most CACHE_GROW_BYTES, and at most
 * 1/128 of the memory the frame allocator spans shared by the CPUs, or
 * nothing if that is under 256 KiB (cache_grow_bytes, set at mm_init());
 * -DKMA_CACHE_GROW_BYTES=0 keeps the capacities fixed.
 */
#ifndef KMA_CACHE_GROW_BYTES
#define KMA_CACHE_GROW_BYTES	(4u << 20)
#endif
#define CACHE_GROW_BYTES	KMA_CACHE_GROW_BYTES
extern uint32_t cache_grow_bytes;

/* Most spans a refill can run dry: one per object of the largest refill. */
#define CACHE_KEPT_MAX	1024u

/**
 * struct cpu_cache - one CPU's allocation state besides its object
 * caches (Go's mcache).
 * @alloc: the span each class refills from, never NULL (&empty_span);
 *         through its ->next, the spans the last refill ran dry and kept
 *         (cache_carve(), at most CACHE_KEPT_MAX), LIST_CACHED and owned
 *         by this CPU too.
 * @miss: per class, allocations that found the cache empty since the
 *        cache last grew (saturating): a full cache grows by that many
 *        batches, so only a class this CPU allocates from grows, and by
 *        what it lacked.
 * @used: bit per class: an allocation found the cache empty since the
 *        last decay period ended; a grown class without it shrinks back
 *        to its starting capacity when this CPU sees the period's end.
 * @grown: bytes of object capacity the CPU's caches hold above their
 *         starting capacities (at most CACHE_GROW_BYTES, cpucache.c).
 * @decay_seen: the last decay period (heap.cache_gen) this CPU acted on.
 * @refilled: bit per class: an allocation found the cache empty since
 *            the cache last gave objects away (clear: this CPU only
 *            frees the class, and a full cache goes to the central whole).
 * @spilled: bit per class: a free found the cache full since it was last
 *           refilled (clear, with @refilled set: this CPU only allocates
 *           the class, and an empty cache is refilled whole). A drain
 *           clears both bit sets.
 * @flushed: bytes of objects that left this CPU's caches for the centrals
 *           or the spans, ever (read racily by heap_reclaim_due()).
 * Touched only by its CPU with interrupts disabled; no lock.
 */
struct cpu_cache {
	struct span *alloc[NR_SPC];
	uint16_t miss[NR_SPC];
	kma_bitword_t used[KMA_BITWORDS(NR_SPC)];
	uint32_t grown;
	uint32_t decay_seen;
	uint64_t flushed;
	kma_bitword_t refilled[KMA_BITWORDS(NR_SPC)];
	kma_bitword_t spilled[KMA_BITWORDS(NR_SPC)];
	uintptr_t tiny_block;		/* current tiny block, or 0 */
	struct span *tiny_span;
	uint32_t tiny_idx;
	uint32_t tiny_off;
} __attribute__((aligned(64)));

/*
 * Object tags. A free object of a SMALL span (in a CPU cache, a central
 * batch, or free in its span) carries p ^ OBJ_TAG_KEY ^ kind in its first
 * word: OBJ_FRESH from the span's creation until it is first handed out,
 * OBJ_FREED from its kfree() on; handing it out clears the word. So
 * kfree() of an object whose tag is intact is a double free (or a free of
 * a slot never handed out), reported before the object can be handed out
 * twice, and one whose tag is gone when it leaves a CPU cache was
 * written after its free (or freed twice after such a write): it is
 * reported and dropped rather than handed out. The key is a sign-extended
 * 32-bit constant (one immediate operand on x86-64) with no low bits
 * set; it makes tags of 64-bit addresses non-canonical, so live data
 * matches one only if it is written there on purpose. A free object whose
 * tag was overwritten and that is then freed again is not caught here:
 * that is a write after free, for the debug mode.
 */
#define OBJ_TAG_KEY	((uintptr_t)(intptr_t)(int32_t)0xa5c3e1d0)
#define OBJ_FREED	0u
#define OBJ_FRESH	1u
#define OBJ_TAG_KINDS	2u

typedef uintptr_t __attribute__((may_alias)) obj_word_t;

/* The tag kind @p carries, or a value >= OBJ_TAG_KINDS if none. */
static inline uintptr_t obj_tag_kind(const void *p)
{
	return *(const obj_word_t *)p ^ (uintptr_t)p ^ OBJ_TAG_KEY;
}

static inline void obj_tag_set(void *p, uintptr_t kind)
{
	*(obj_word_t *)p = (uintptr_t)p ^ OBJ_TAG_KEY ^ kind;
}

/*
 * The misuse checks of the fast paths. A measurement build may empty
 * them (-DKMA_MEASURE_UNCHECKED, made only by tools/bench-checks.sh to
 * publish what the checks cost): such a build catches no double free and
 * is never installed or tested.
 *   fast_slot_start(): @off is the start of a slot of a span whose fast
 *     magic is @fmagic (0: not a span kfree() may take fast);
 *   fast_tag_of(), fast_untagged_as(): @va carries no object tag (is
 *     not free already), the tag computed once for the check and for
 *     fast_tag_set(), the free's tag write; fast_untagged_diff(): the
 *     same check given the object's first word xor the tag;
 *   fast_tag_freed() / fast_untag(): tag an object a free caches, clear
 *     the tag of one an allocation hands out.
 */
#ifndef KMA_MEASURE_UNCHECKED
static inline bool fast_slot_start(uint32_t off, uint32_t fmagic)
{
	return (uint32_t)((uint64_t)off * fmagic) < fmagic;
}

/* The tag a free writes (OBJ_FREED), computed once for check and write. */
static inline uintptr_t fast_tag_of(uintptr_t va)
{
	uintptr_t tag = va ^ OBJ_TAG_KEY ^ OBJ_FREED;

	__asm__("" : "+r"(tag));	/* kept whole, not re-associated */
	return tag;
}

static inline bool fast_untagged_as(uintptr_t va, uintptr_t tag)
{
	return (*(const obj_word_t *)va ^ tag) >= OBJ_TAG_KINDS;
}

/* The same, given the object's first word xor the tag. */
static inline bool fast_untagged_diff(uintptr_t diff)
{
	return diff >= OBJ_TAG_KINDS;
}

static inline void fast_tag_set(void *p, uintptr_t tag)
{
	*(obj_word_t *)p = tag;
}

static inline void fast_tag_freed(void *p)
{
	obj_tag_set(p, OBJ_FREED);
}

static inline void fast_untag(void *p)
{
	*(obj_word_t *)p = 0;
}
#else
static inline bool fast_slot_start(uint32_t off, uint32_t fmagic)
{
	return fmagic != 0;
}

static inline uintptr_t fast_tag_of(uintptr_t va)
{
	return 0;
}

static inline bool fast_untagged_as(uintptr_t va, uintptr_t tag)
{
	return true;
}

static inline bool fast_untagged_diff(uintptr_t diff)
{
	return true;
}

static inline void fast_tag_set(void *p, uintptr_t tag)
{
}

static inline void fast_tag_freed(void *p)
{
}

static inline void fast_untag(void *p)
{
}
#endif

/*
 * objcache_pop - the hottest object of @oc, its tag cleared (so that a
 * kfree() of it is not taken for a double free), or NULL when @oc is
 * empty. The tag is not checked here: the validator and the paths that
 * move objects in batches check it (a lost tag means the object was
 * written after its free).
 */
static inline void *objcache_pop(struct objcache *oc)
{
	void **top = oc->top;
	void *p;

	if (unlikely(top == oc->lo))
		return NULL;
	p = *--top;
	oc->top = top;
	/*
	 * The cache never holds an untagged object, even halfway: a fork()
	 * child drains the caches of threads caught at any instruction.
	 */
	__asm__ __volatile__("" ::: "memory");
	fast_untag(p);
	return p;
}

/* Push @p, tagged, on @oc, which has room. */
static inline void objcache_push(struct objcache *oc, void *p)
{
	void **top = oc->top;

	fast_tag_freed(p);
	*top = p;
	__asm__ __volatile__("" ::: "memory");
	oc->top = top + 1;
}

/**
 * struct fixalloc - fixed-size metadata objects carved from frames.
 * Each frame starts with a struct fixpage header; objects follow. Pages
 * with a free object are on @partial. Wholly free pages are given back by
 * fixalloc_trim(). Protected by heap.lock.
 */
struct fixpage;
struct fixalloc {
	uint32_t size;
	uint32_t per_page;
	struct fixpage *partial;
	uint64_t pages;
	uint64_t inuse;
};

/* One 2 MiB region of the page map (pagemap.c). */
/*
 * Span kinds of the page heap: a chunk holds the spans of size classes or
 * large objects, not both (pageheap.c), so that large objects coming and
 * going free whole chunks instead of holes between class spans.
 */
#define HEAP_KIND_SMALL	0
#define HEAP_KIND_LARGE	1
#define HEAP_KINDS	2

struct pagemap_region {
	uint16_t used;			/* pages of the region mapped */
	uint8_t chunk;			/* 1 if the region is a heap chunk */
	uint8_t kind;			/* a chunk's span kind (pageheap.c) */
};

/**
 * struct mheap - the page heap, one per system.
 * @lock: protects every field below except the read-only ones, and the
 *        page map's entries (read without it by kfree()).
 */
struct mheap {
	spinlock_t lock;

	/* Read-only after init. */
	phys_addr_t pa_base;		/* 2 MiB aligned */
	uintptr_t va_base;		/* port_phys_to_virt(pa_base) */
	uintptr_t va_len;		/* bytes the page map covers */
	uintptr_t *map;			/* the page map (pagemap.c): one
					   entry per page, the page's span
					   minus pagemap_no_span() (0: none),
					   that span just below the map */
	struct pagemap_region *regions;	/* one per 2 MiB */
	size_t nregions;
	size_t map_frames;		/* frames holding map and regions */

	/* Free spans by page count; [CHUNK_PAGES] holds whole chunks. */
	struct span_list_head free[HEAP_KINDS][CHUNK_PAGES + 1];
	kma_bitword_t free_mask[HEAP_KINDS][KMA_BITWORDS(CHUNK_PAGES + 1)];

	struct fixalloc span_fa;
	struct fixalloc tiny_fa;

	uint64_t sys_bytes;		/* chunks held */
	uint64_t reserve;		/* chunks kept whatever the scavenger
					 * and the decay say (heap_reserve()) */
	uint64_t idle_bytes;		/* in free spans */
	uint64_t released_bytes;	/* returned by the scavenger, total */
	unsigned long resident_free;	/* freed large memory not released
					 * (an estimate; atomic, no lock) */
	unsigned long resident_low;	/* its lowest since the last decay
					 * period's end (atomic) */
	uint32_t decay_epoch;		/* decay periods ended (heap.lock) */
	unsigned long decay_ms;		/* decay period, 0: off
					 * (atomic) */
	unsigned long decay_last;	/* last period's end, ms, modulo
					 * ULONG_MAX + 1 (atomic) */
	uint32_t cache_gen;		/* periods ended, for the CPU caches
					   (atomic) */
	uint64_t reclaim_mark;		/* sum of the CPUs' flushed bytes at
					   the last reclaim before a growth */
	unsigned long large_bytes;	/* live large and huge objects: */
	uint64_t large_objs;
	unsigned long huge_bytes;	/* word-sized (see heap_count()) */
	uint64_t meta_frames;		/* frames used by fixalloc */
	uint64_t scavenge_threshold;
	uint64_t nlocks;
};

extern struct mheap heap;
extern struct central centrals[NR_SPC];

/*
 * struct kma_kmem_cache - an object cache (kmem_cache.c): span class
 * @spc, whose geometry is chosen when the cache is made. Every field but
 * @state is written before the cache is published (the release store of
 * @state = KCACHE_LIVE) and fixed until it is gone; @state changes under
 * kcache_lock and is read with acquire loads.
 * @size: the slot stride: the object size rounded up to the alignment,
 *        plus the word a constructor cache keeps beside each free object.
 * @save_off: constructor caches: the offset of that word (a free object
 *            carries its tag in its first word, whose constructed value
 *            is kept there meanwhile); 0 otherwise.
 */
enum kcache_state {
	KCACHE_FREE = 0,	/* the slot serves the next create */
	KCACHE_LIVE,
	KCACHE_DYING,		/* being made or destroyed: no CPU attaches */
	KCACHE_ORPHAN,		/* destroyed; freed at the last CPU's detach */
};

struct kma_kmem_cache {
	char name[KMA_KMEM_CACHE_NAME];
	uint32_t object_size;
	uint32_t size;
	uint32_t align;
	uint32_t save_off;
	uint32_t magic;
	uint16_t pages;
	uint16_t objs;
	uint16_t spc;
	uint16_t oc_off;
	uint32_t state;
	void (*ctor)(void *);
	phys_addr_t arrays_pa;		/* the class's slot arrays */
	size_t arrays_frames;
};
extern struct kma_kmem_cache kcaches[KMA_MAX_KMEM_CACHES];

static inline struct kma_kmem_cache *kcache_of(unsigned int spc)
{
	return &kcaches[spc - SPC_KCACHE];
}

/*
 * One past the highest span class ever in use: the fixed classes, then
 * every object cache slot made so far (kcache_end only grows; loops over
 * classes stop here instead of at NR_SPC).
 */
extern unsigned int kcache_end;

static inline unsigned int spc_end(void)
{
	return __atomic_load_n(&kcache_end, __ATOMIC_ACQUIRE);
}

/* Geometry of span class @spc: object size, span pages, index magic. */
static inline uint32_t spc_size(unsigned int spc)
{
	if (spc < SC_NR)
		return sc_size[spc];
	return spc == SPC_TINY ? TINY_BLOCK : kcache_of(spc)->size;
}

static inline uint32_t spc_pages(unsigned int spc)
{
	if (spc < SC_NR)
		return sc_pages[spc];
	return spc == SPC_TINY ? 1 : kcache_of(spc)->pages;
}

static inline uint32_t spc_magic(unsigned int spc)
{
	if (spc < SC_NR)
		return sc_magic[spc];
	return spc == SPC_TINY ? sc_magic[sc_of_size(TINY_BLOCK)] :
				 kcache_of(spc)->magic;
}

/* debug.c */
extern unsigned int kma_debug_flags;
extern uintptr_t debug_free_site[PORT_MAX_CPUS];

/* Whether the debug mode is on (a relaxed load; slow paths only). */
static inline bool debug_on(void)
{
	return READ_ONCE(kma_debug_flags) != 0;
}
void *debug_alloc(unsigned int spc, unsigned int cpu);
void *debug_kmalloc(size_t size, uintptr_t site);
void debug_span_free(struct span *s);
size_t debug_obj_size(const struct span *s, uintptr_t va);
void debug_describe(uintptr_t va, char *buf, size_t len);
void debug_free(unsigned int spc, unsigned int cpu, void *p);
bool debug_quarantined(uintptr_t va, uintptr_t *site, unsigned int *cpu);
int debug_init(void);

/* kmem_cache.c */
void kcache_construct(struct span *s, unsigned int spc);
bool kcache_attach_begin(unsigned int spc);
void kcache_detach(unsigned int spc);
void kcache_free_slow(struct kma_kmem_cache *c, uintptr_t va,
		      const char *fn, uintptr_t site);

/* pageheap.c */
int heap_init(struct memmap *m);
struct span *heap_alloc_span(uint32_t npages, uint32_t align, bool large);
void heap_free_span(struct span *s, bool large);
bool heap_grow_large(struct span *s, size_t size);
size_t heap_scavenge(uint64_t keep);
int heap_reserve(uint64_t bytes);
unsigned int heap_validate(void);

/* fixalloc.c (heap.lock held) */
void fixalloc_init(struct fixalloc *fa, uint32_t size);
void *heap_meta_alloc(struct fixalloc *fa);
void heap_meta_free(struct fixalloc *fa, void *p);
void fixalloc_trim(struct fixalloc *fa);

/* pagemap.c (heap.lock held, but for pagemap_init) */
int pagemap_init(phys_addr_t lo, phys_addr_t hi);
void pagemap_set(uintptr_t va, uint32_t npages, struct span *s, bool mapped);
bool pagemap_covers(uintptr_t va, size_t bytes);
void pagemap_set_chunk(uintptr_t va, bool chunk);
unsigned int pagemap_chunk_kind(uintptr_t va);
void pagemap_set_chunk_kind(uintptr_t va, unsigned int kind);
unsigned int pagemap_validate(uint64_t *chunks);
unsigned int heap_corrupt(uintptr_t addr, const char *what);

/*
 * heap_count - add @delta to a byte count that heap.lock guards and
 * heap_retain_limit() reads without it (an atomic store, so the unlocked
 * read is not a data race). heap.lock held. The counts are of memory
 * live at once, which fits the address space: a machine word, whose
 * atomic store is one instruction on every target (no 8-byte atomic on
 * a 32-bit one).
 */
static inline void heap_count(unsigned long *field, long delta)
{
	__atomic_store_n(field, *field + (unsigned long)delta,
			 __ATOMIC_RELAXED);
}

uint64_t heap_decay(void);

/* large.c */
uint64_t heap_retain_limit(void);
bool heap_keep_resident(size_t bytes);
void heap_reuse_resident(size_t bytes);
void *large_alloc(size_t size, gfp_t flags);

/*
 * Whether the pages of the LARGE or HUGE span @s, just allocated, read as
 * zero (fresh frames: kzalloc() and calloc() skip their memset, Go's
 * needzero); the mark goes, since the caller is about to write them.
 */
static inline bool large_take_zeroed(struct span *s)
{
	bool z = s->zeroed;

	s->zeroed = 0;
	return z;
}
void large_free(struct span *s);
void huge_free(struct span *s);
void large_cache_drain(unsigned int cpu);
void large_cache_decay(unsigned int cpu);
bool large_cache_holds(unsigned int cpu);
struct span *heap_huge_alloc(size_t bytes);
struct span *heap_huge_alloc_aligned(size_t bytes, size_t align);

/* kmalloc.c and cpucache.c: CPU caches and reports */
extern struct cpu_cache caches[PORT_MAX_CPUS];
extern struct span empty_span;
extern unsigned int heap_ncpus;

static inline struct cpu_cache *cpu_cache_of(unsigned int cpu)
{
	return &caches[cpu];
}

/* cpucache.c */
int cpucache_init(unsigned int ncpus);
void *cache_alloc_slow(unsigned int spc, unsigned int cpu);
void cache_free_slow(unsigned int spc, unsigned int cpu, void *p);
void *cache_alloc_irqoff(unsigned int spc, unsigned int cpu);
void cache_drain(unsigned int cpu);
void cache_decay(struct cpu_cache *c, unsigned int cpu);
struct span *cache_span(struct cpu_cache *c, unsigned int spc,
			unsigned int cpu);
size_t cache_class_ptrs(unsigned int spc);
void cache_class_setup(unsigned int spc, void **p);
void cache_class_clear(unsigned int spc);

/* Act on the end of a decay period once per CPU (one load otherwise). */
static inline void cache_decay_poll(struct cpu_cache *c, unsigned int cpu)
{
	if (unlikely(c->decay_seen !=
		     __atomic_load_n(&heap.cache_gen, __ATOMIC_RELAXED)))
		cache_decay(c, cpu);
}
void kmalloc_reclaim(void);
void kmalloc_reclaim_idle(void);

/* pressure.c */
void kmalloc_pressure(size_t need);
void pressure_answered(unsigned int cpu);
extern uint64_t pressure_runs, pressure_kicks, pressure_late, pressure_grows;
uint64_t cache_objs_held(unsigned int spc);
uint32_t cache_check_tags(void **objs, uint32_t n);
uint64_t cache_meta_bytes(void);

void kfree_small_slow(struct span *s, uintptr_t va);
bool small_obj_live(const struct span *s, uintptr_t va);
void report_bad_small(const char *fn, struct span *s, uintptr_t va,
		      int32_t idx);
void pressure_drain_others(unsigned int me, unsigned int spc);

/* Whether class @spc is in use: a fixed class, or a live object cache's. */
static inline bool spc_active(unsigned int spc)
{
	return spc < SPC_KCACHE ||
	       __atomic_load_n(&centrals[spc].batch, __ATOMIC_ACQUIRE);
}
void kfree_slow(const void *p, uintptr_t site);
void kmalloc_report_obj(enum mm_error err, const char *fn, uintptr_t va,
			struct span *s, const char *what);

/* guard.c */
extern unsigned int guard_interval;
bool guard_owns(uintptr_t va);
bool guard_due(unsigned int cpu);
void guard_refilled(unsigned int cpu, uint32_t n);
void *guard_alloc(size_t size, uintptr_t site);
void guard_free(uintptr_t va, uintptr_t site);
size_t guard_size(uintptr_t va);

/* tiny.c */
void *tiny_alloc(size_t size);
void tiny_retire(struct cpu_cache *c);
void tiny_free(const char *fn, struct span *s, uintptr_t va);
size_t tiny_size(struct span *s, uintptr_t va);

/*
 * Just below the page map's first entry lies its "no span", an all-zero
 * struct span; an entry holds the page's span minus the no span's
 * address, so that a page with no span (entry 0, the map's state when
 * fresh) reads as the no span and kfree()'s fast path needs no NULL
 * test: its fast magic is 0, which no slot passes. The span is the entry
 * plus the map's address, already in a register, and the constant
 * between the two folds into the displacements of the span's loads.
 */
#define PAGEMAP_NO_SPAN_OFF	((sizeof(struct span) + 63) & ~(size_t)63)

static inline struct span *pagemap_no_span(void)
{
	return (struct span *)((uintptr_t)heap.map - PAGEMAP_NO_SPAN_OFF);
}

/* The entry of the page at byte offset @off from heap.va_base. */
static inline uintptr_t *pagemap_slot(uintptr_t off)
{
	return &heap.map[off >> PAGE_SHIFT];
}

static inline uintptr_t pagemap_entry(const struct span *s)
{
	return s ? (uintptr_t)s - (uintptr_t)pagemap_no_span() : 0;
}

/* The span of the page at byte offset @off in the map; never NULL. */
static inline struct span *pagemap_at(uintptr_t off)
{
	uintptr_t *map = heap.map;
	/* Unordered: the reader's next loads depend on the entry. */
	uintptr_t e = READ_ONCE(map[off >> PAGE_SHIFT]);

	return (struct span *)(e + (uintptr_t)map - PAGEMAP_NO_SPAN_OFF);
}

/**
 * span_of - the span holding virtual address @va, or NULL. Lock-free: one
 * load from the flat page map after a bounds check.
 * @va: any address.
 */
static inline struct span *span_of(uintptr_t va)
{
	uintptr_t off = va - heap.va_base;
	struct span *s;

	if (unlikely(off >= heap.va_len))
		return NULL;
	s = pagemap_at(off);
	return s != pagemap_no_span() ? s : NULL;
}

/* span.c */
void span_init_small(struct span *s, unsigned int spc);
bool span_refill_cache(struct span *s);
uint32_t span_take_batch(struct span *s, void **out, uint32_t max);
void span_sweep(struct span *s);
bool span_has_frees(const struct span *s);
uint32_t span_live_objs(const struct span *s);
void span_free_obj(struct span *s, uintptr_t va);
void span_free_batch(void *const *objs, uint32_t n);

/*
 * kfree_fast_check - the checks of kfree()'s fast path: @va is the start
 * of a slot of a SMALL (not tiny) span and carries no object tag. Sets
 * *@sp to the span, *@tag to the tag a free writes and *@diff to @va's
 * first word xor *@tag (for putting the word back). Return: false if the
 * slow path must classify @va.
 */
static inline bool kfree_fast_check(uintptr_t va, struct span **sp,
				    uintptr_t *tag, uintptr_t *diff)
{
	uintptr_t off = va - heap.va_base;
	struct span *s;

	if (unlikely(off >= heap.va_len))
		return false;
	s = pagemap_at(off);		/* the no span if none: fmagic 0 */
	if (unlikely(!fast_slot_start((uint32_t)(va - s->base),
				      READ_ONCE(s->xfmagic))))
		return false;
	*sp = s;
	*tag = fast_tag_of(va);
	*diff = *(const obj_word_t *)va ^ *tag;
	return likely(fast_untagged_diff(*diff));
}

/**
 * kfree_fast_push - kfree()'s fast path: push @va on its class's cache
 * in @row if it is the start of a slot of a SMALL (not tiny) span, carries
 * no object tag, and the cache has room. Interrupts off (or @row this
 * thread's own).
 * @row: this CPU's row of object caches (objcache_row()); a row of empty
 *       caches (all NULL) takes nothing.
 * @va: any address.
 *
 * Return: true if @va was pushed; false if the caller must take the slow
 * path, which classifies @va, reports misuse and makes room.
 */
static inline bool kfree_fast_push(struct objcache *row, uintptr_t va)
{
	uintptr_t tag, diff;
	struct objcache *oc;
	struct span *s;
	void **top;

	if (!kfree_fast_check(va, &s, &tag, &diff))
		return false;
	/* xfmagic is only set on SMALL spans, whose oc_off is set. */
	oc = objcache_at(row, READ_ONCE(s->oc_off));
	top = oc->top;
	if (unlikely(top == oc->hi))
		return false;
	fast_tag_set((void *)va, tag);
	*top = (void *)va;
	__asm__ __volatile__("" ::: "memory");
	oc->top = top + 1;
	return true;
}

/*
 * The fast paths of kmalloc() and kfree() on this CPU's caches, with the
 * interrupt handling their build uses: a restartable section (KMA_RCS,
 * rcs.c; interrupts stay enabled) or interrupts masked around the same
 * work.
 *   kmalloc_fast_pop(): the hottest object of the cache at byte offset
 *     @off of this CPU's row, its tag cleared; or NULL, the cache empty,
 *     with interrupts disabled and their previous state in *@irq, for the
 *     slow path to restore;
 *   kfree_fast(): kfree_fast_push() on this CPU's row (false: nothing
 *     done, interrupts as they were; the slow path must take @va).
 */
#ifdef KMA_RCS
_Static_assert(__builtin_offsetof(struct objcache, top) == 0 &&
	       __builtin_offsetof(struct objcache, lo) == sizeof(void *) &&
	       __builtin_offsetof(struct objcache, hi) == 2 * sizeof(void *),
	       "port_rcs_pop() and port_rcs_push() read {top, lo, hi}");

/*
 * Push @va with its tag @tag on this CPU's cache at @off; @diff is @va's
 * first word xor @tag. The tag goes in before the push publishes (see
 * objcache_push()); when the cache is full, a redone section may have
 * written it, and the slow path would take it for a double free: the
 * word is put back if @keep_word (a constructed object's, which its
 * cache saves), else overwritten with a value that is no tag (the
 * object is being freed: its contents are no one's), which keeps fewer
 * registers live across the section. Return: false if full.
 */
static inline bool objcache_rcs_push(unsigned int off, uintptr_t va,
				     uintptr_t tag, uintptr_t diff,
				     bool keep_word)
{
	if (likely(port_rcs_push(off, (void *)va, tag)))
		return true;
	if (keep_word) {
		__asm__("" : "+r"(diff));	/* not folded into the load */
		*(obj_word_t *)va = diff ^ tag;
	} else {
		*(obj_word_t *)va = ~tag;
	}
	return false;
}

static inline void *kmalloc_fast_pop(unsigned int off, unsigned long *irq)
{
	void *p = port_rcs_pop(off);

	if (unlikely(!p)) {
		*irq = port_irq_save();
		return NULL;
	}
	fast_untag(p);
	return p;
}

static inline bool kfree_fast(uintptr_t va)
{
	uintptr_t tag, diff;
	struct span *s;

	if (!kfree_fast_check(va, &s, &tag, &diff))
		return false;
	return objcache_rcs_push(READ_ONCE(s->oc_off), va, tag, diff, false);
}
#else
static inline void *kmalloc_fast_pop(unsigned int off, unsigned long *irq)
{
	void *p;

	*irq = port_irq_save();
	p = objcache_pop(objcache_at(this_cpu_row(), off));
	if (likely(p))
		port_irq_restore(*irq);
	return p;
}

static inline bool kfree_fast(uintptr_t va)
{
	unsigned long irq = port_irq_save();
	bool done = kfree_fast_push(this_cpu_row(), va);

	port_irq_restore(irq);
	return done;
}
#endif

/* rcs.c */
extern unsigned long rcs_restarts;
bool rcs_section(unsigned int i, uintptr_t *start, uintptr_t *end);

/*
 * size_oc[(n - 1) >> 3] is the byte offset in a row of object caches
 * (OC_OFF()) of the class of a request of n bytes, 1 <= n <= SC_MAX_SIZE:
 * sc_of_size() as one table load (8 KiB, filled by cpucache_init(); all
 * zero before, and class 0's caches are empty).
 */
extern uint16_t size_oc[SC_MAX_SIZE >> 3];

static inline unsigned int oc_off_of_size(size_t n)
{
	return size_oc[(n - 1) >> 3];
}

/**
 * span_slot_out - whether slot @idx is out (handed out by the span), as
 * far as the span's bitmaps go. Any CPU. xfree_bits is read first: a
 * sweep clears alloc bits before it clears the xfree bits it folded.
 * @s: the span.
 * @idx: slot index, at most nobjs.
 */
static inline bool span_slot_out(const struct span *s, uint32_t idx)
{
	kma_bitword_t f = __atomic_load_n(&s->xfree_bits[kma_word(idx)],
					  __ATOMIC_ACQUIRE);
	kma_bitword_t a = __atomic_load_n(&s->alloc_bits[kma_word(idx)],
					  __ATOMIC_RELAXED);

	return ((a & ~f) >> (idx & (KMA_BITS_PER_WORD - 1))) & 1;
}

/**
 * span_obj_index - slot of @va in SMALL span @s, or -1 if @va is not the
 * start of a slot. (off * magic) >> 32 is off / size, and its low 32 bits
 * are below magic exactly when size divides off (checked for every class
 * and offset by tests/sizeclass_test.c).
 */
static inline int32_t span_obj_index(const struct span *s, uintptr_t va)
{
	uint64_t prod = (uint64_t)(uint32_t)(va - s->base) * s->magic;

	if (unlikely((uint32_t)prod >= s->magic))
		return -1;
	return (int32_t)(prod >> 32);
}

/* central.c */
uint32_t central_get_batch(unsigned int spc, void **out, uint32_t nb);
uint32_t central_put_batch(unsigned int spc, void *const *objs, uint32_t nb);
void central_drain_batches(unsigned int spc);
struct span *central_cache_span(unsigned int spc, unsigned int cpu);
void central_uncache_span(struct span *s);
struct span *central_swap_spans(unsigned int spc, unsigned int cpu,
				struct span *dry, uint32_t nwant);
void central_free_notify(unsigned int spc, uintptr_t va);
void central_free_notify_many(unsigned int spc, const uintptr_t *vas,
			      uint32_t n);
void central_reclaim(unsigned int spc);
uint64_t central_objs_out(unsigned int spc, uint64_t *spans);
void central_debug_forget(unsigned int spc);
unsigned int central_validate(unsigned int spc);

/* util.c */
void mm_memset(void *p, int c, size_t n);
void mm_memcpy(void *d, const void *s, size_t n);

#endif /* KMA_MM_HEAP_H */
