// SPDX-License-Identifier: MIT
/*
 * guard.c - sampled guard pages (as KFENCE and GWP-ASan): now and then a
 * kmalloc() is served from a pool where the object ends at a page
 * boundary next to an inaccessible page, and its page becomes
 * inaccessible when it is freed, so an overflow past the end or a use
 * after free faults at the access and is reported with the object's
 * allocation and free sites.
 *
 * Owns: the pool (GUARD_SLOTS object pages, each followed by a guard
 * page, one frame run taken at the first kmalloc_set_guard()), the slot
 * records slots[] and the ring of free slots, all under guard_lock; the
 * interval guard_interval (written by kmalloc_set_guard(), read racily by
 * the slow paths); each CPU's countdown guard_left[cpu] (its own CPU,
 * interrupts off).
 *
 * Invariants: an object page is accessible exactly while its slot is
 * LIVE, and a guard page never is, unless a fault there was reported:
 * the page is then opened for good, so that the access can complete,
 * and its slot is tainted (never used again). A FREE or FREED slot that
 * is not tainted is on the ring, in the order it was freed, so a freed
 * object's page stays inaccessible for as long as possible.
 * The bytes between the end of an object and its page's end (alignment
 * slack) hold GUARD_FILL, checked when the object is freed.
 *
 * Sampling costs the fast paths nothing: only an allocation that finds
 * its CPU cache empty counts down, by the objects the refill brings, so
 * about one allocation in guard_interval is guarded, chosen among those
 * served by refills (an object freed and taken again on the same CPU is
 * never sampled).
 *
 * The port makes pages inaccessible and accessible again
 * (port_guard_protect(), optional: without it kmalloc_set_guard()
 * reports and fails) and sends faults in the pool to kma_guard_fault().
 */
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "heap.h"

#ifndef KMA_GUARD_SLOTS
#define KMA_GUARD_SLOTS		64u
#endif
#define GUARD_SLOTS		KMA_GUARD_SLOTS
#define GUARD_PAGES		(2u * GUARD_SLOTS + 1)	/* a guard page first */
#define GUARD_FILL		0xaa

enum guard_state { SLOT_FREE, SLOT_LIVE, SLOT_FREED };

struct guard_slot {
	uintptr_t obj;			/* the object, while LIVE or FREED */
	uintptr_t alloc_site, free_site;
	uint32_t size;			/* bytes asked */
	uint8_t state;
	uint8_t tainted;		/* a fault opened one of its pages */
	uint8_t alloc_cpu, free_cpu;
};

static spinlock_t guard_lock = SPINLOCK_INIT_RANK("guard",
						  KMA_LOCK_RANK_LEAF);
static struct guard_slot slots[GUARD_SLOTS];
static uint16_t ring[GUARD_SLOTS];	/* free slots, oldest first */
static uint32_t ring_head, ring_count;
static uintptr_t pool_base, pool_end;	/* read racily by guard_owns() */
static phys_addr_t pool_pa;
unsigned int guard_interval;
int32_t guard_left[PORT_MAX_CPUS];

static uintptr_t slot_page(uint32_t i)
{
	return pool_base + (2 * (uintptr_t)i + 1) * PAGE_SIZE;
}

/* The slot whose object page or following guard page holds @va. */
static uint32_t slot_of(uintptr_t va)
{
	return (uint32_t)((va - pool_base - PAGE_SIZE) / (2 * PAGE_SIZE));
}

/*
 * The object's alignment: a power of two is naturally aligned (as
 * kmalloc() gives it), any other size to 8 bytes below 16, else 16.
 */
static uint32_t guard_align(size_t size)
{
	if (!(size & (size - 1)))
		return (uint32_t)size;
	return size < 16 ? 8 : 16;
}

/** guard_owns - whether @va is in the guarded pool. */
bool guard_owns(uintptr_t va)
{
	return va - READ_ONCE(pool_base) <
	       READ_ONCE(pool_end) - READ_ONCE(pool_base);
}

/*
 * The pool's frames, protected, then installed under the lock unless
 * another caller was first. Called without the lock: the frame
 * allocator's locks rank below it, and the first port_guard_protect() of
 * a range may allocate (a kernel splits large pages of its direct map);
 * the pool is not published yet, so nothing else touches its pages.
 */
static int guard_pool_init(void)
{
	unsigned long flags;
	phys_addr_t pa;
	uintptr_t va;
	uint32_t i;

	pa = frame_alloc_run(GUARD_PAGES);
	if (pa == FRAME_NONE) {
		mm_report(MM_ERR_BAD_SIZE, 0, GUARD_PAGES,
			  "guard: no %u frames for the pool", GUARD_PAGES);
		return -1;
	}
	va = (uintptr_t)port_phys_to_virt(pa);
	if (port_guard_protect((void *)va, (size_t)GUARD_PAGES * PAGE_SIZE,
			       false)) {
		(void)port_guard_protect((void *)va,
				   (size_t)GUARD_PAGES * PAGE_SIZE, true);
		frame_free_run(pa, GUARD_PAGES);
		mm_report(MM_ERR_BAD_SIZE, va, GUARD_PAGES,
			  "guard: the port cannot protect the pool");
		return -1;
	}
	flags = spin_lock_irqsave(&guard_lock);
	if (pool_base) {			/* someone else's pool */
		spin_unlock_irqrestore(&guard_lock, flags);
		(void)port_guard_protect((void *)va,
				   (size_t)GUARD_PAGES * PAGE_SIZE, true);
		frame_free_run(pa, GUARD_PAGES);
		return 0;
	}
	for (i = 0; i < GUARD_SLOTS; i++)
		ring[i] = (uint16_t)i;
	ring_head = 0;
	ring_count = GUARD_SLOTS;
	pool_pa = pa;
	WRITE_ONCE(pool_base, va);
	WRITE_ONCE(pool_end, va + (uintptr_t)GUARD_PAGES * PAGE_SIZE);
	spin_unlock_irqrestore(&guard_lock, flags);
	return 0;
}

/* See kmalloc.h. */
int kmalloc_set_guard(unsigned int interval)
{
	unsigned int cpu;

	if (interval && !PORT_GUARD_PAGES) {
		mm_report(MM_ERR_BAD_SIZE, 0, interval,
			  "guard: this port cannot protect pages");
		return -1;
	}
	if (interval && !READ_ONCE(pool_base) && guard_pool_init())
		return -1;
	for (cpu = 0; cpu < PORT_MAX_CPUS; cpu++)
		WRITE_ONCE(guard_left[cpu], 0);
	WRITE_ONCE(guard_interval, interval);
	return 0;
}

/* See kmalloc.h. */
unsigned int kmalloc_guard(void)
{
	return READ_ONCE(guard_interval);
}

/**
 * guard_due - count an allocation that found @cpu's cache empty: true
 * when it is the one to guard. Interrupts off, this CPU.
 * @cpu: the calling CPU.
 */
bool guard_due(unsigned int cpu)
{
	if (guard_left[cpu] > 0)
		return false;
	guard_left[cpu] = (int32_t)READ_ONCE(guard_interval);
	return true;
}

/**
 * guard_refilled - @cpu's cache took @n objects: they count down.
 * @cpu: the calling CPU (interrupts off).
 * @n: objects the refill brought.
 */
void guard_refilled(unsigned int cpu, uint32_t n)
{
	guard_left[cpu] -= (int32_t)n;
}

/**
 * guard_alloc - a guarded object of @size bytes, or NULL (size above a
 * page, or every slot in use or tainted: the caller takes an ordinary
 * object).
 * @size: bytes asked, 1 .. PAGE_SIZE.
 * @site: the caller, for reports.
 */
void *guard_alloc(size_t size, uintptr_t site)
{
	uint32_t a = guard_align(size), span, i;
	struct guard_slot *g;
	unsigned long flags;
	uintptr_t page;

	if (!size || size > PAGE_SIZE)
		return NULL;
	span = (uint32_t)((size + a - 1) & ~(size_t)(a - 1));
	flags = spin_lock_irqsave(&guard_lock);
	if (!ring_count) {
		spin_unlock_irqrestore(&guard_lock, flags);
		return NULL;
	}
	i = ring[ring_head];
	ring_head = (ring_head + 1) % GUARD_SLOTS;
	ring_count--;
	page = slot_page(i);
	if (port_guard_protect((void *)page, PAGE_SIZE, true)) {
		slots[i].tainted = 1;		/* never again */
		spin_unlock_irqrestore(&guard_lock, flags);
		return NULL;
	}
	g = &slots[i];
	g->obj = page + PAGE_SIZE - span;
	g->size = (uint32_t)size;
	g->alloc_site = site;
	g->alloc_cpu = (uint8_t)port_cpu_id();
	g->free_site = 0;
	g->state = SLOT_LIVE;
	mm_memset((void *)page, 0, PAGE_SIZE - span + size);
	mm_memset((void *)(g->obj + size), GUARD_FILL, span - size);
	spin_unlock_irqrestore(&guard_lock, flags);
	return (void *)g->obj;
}

/* "allocated by X on cpu N[, freed by Y on cpu M]" into @buf. */
static void guard_sites(const struct guard_slot *g, char *buf, size_t n)
{
	if (g->free_site)
		mm_snprintf(buf, n, "allocated by %p on cpu %u, freed by %p "
			    "on cpu %u", (void *)g->alloc_site, g->alloc_cpu,
			    (void *)g->free_site, g->free_cpu);
	else
		mm_snprintf(buf, n, "allocated by %p on cpu %u",
			    (void *)g->alloc_site, g->alloc_cpu);
}

/**
 * guard_free - free a guarded object (kfree() found @va in the pool):
 * checked, its slack checked, its page made inaccessible.
 * @va: the pointer given to kfree().
 * @site: kfree()'s caller.
 */
void guard_free(uintptr_t va, uintptr_t site)
{
	uint32_t i = slot_of(va), k;
	struct guard_slot *g = &slots[i];
	char sites[96];
	unsigned long flags;
	uintptr_t end;

	flags = spin_lock_irqsave(&guard_lock);
	if (va < pool_base + PAGE_SIZE || g->state != SLOT_LIVE ||
	    va != g->obj) {
		enum mm_error err = MM_ERR_INVALID_FREE;
		const char *what = "not a guarded object";

		if (va >= pool_base + PAGE_SIZE && g->state == SLOT_FREED &&
		    va == g->obj) {
			err = MM_ERR_DOUBLE_FREE;
			what = "guarded object already freed";
		} else if (va >= pool_base + PAGE_SIZE &&
			   g->state == SLOT_LIVE && va > g->obj &&
			   va < g->obj + g->size) {
			err = MM_ERR_INTERIOR_FREE;
			what = "inside a guarded object";
		}
		guard_sites(g, sites, sizeof(sites));
		spin_unlock_irqrestore(&guard_lock, flags);
		mm_report(err, va, g->size, "kfree(%p): %s (%s)", (void *)va,
			  what, g->state == SLOT_FREE ? "slot unused" : sites);
		return;
	}
	end = slot_page(i) + PAGE_SIZE;
	for (k = 0; g->obj + g->size + k < end; k++)
		if (((volatile uint8_t *)(g->obj + g->size))[k] != GUARD_FILL)
			break;
	g->free_site = site;
	g->free_cpu = (uint8_t)port_cpu_id();
	g->state = SLOT_FREED;
	if (g->obj + g->size + k < end) {
		guard_sites(g, sites, sizeof(sites));
		spin_unlock_irqrestore(&guard_lock, flags);
		mm_report(MM_ERR_OUT_OF_BOUNDS, g->obj + g->size + k, g->size,
			  "kfree(%p): written %u bytes past its end (size %u, "
			  "%s)", (void *)va, (unsigned int)k + 1,
			  (unsigned int)g->size, sites);
		flags = spin_lock_irqsave(&guard_lock);
	}
	if (port_guard_protect((void *)slot_page(i), PAGE_SIZE, false))
		g->tainted = 1;
	if (!g->tainted) {
		ring[(ring_head + ring_count) % GUARD_SLOTS] = (uint16_t)i;
		ring_count++;
	}
	spin_unlock_irqrestore(&guard_lock, flags);
}

/**
 * guard_size - the size asked for a live guarded object, or 0.
 * @va: a pointer in the pool.
 */
size_t guard_size(uintptr_t va)
{
	struct guard_slot *g = &slots[slot_of(va)];
	unsigned long flags = spin_lock_irqsave(&guard_lock);
	size_t n = va >= pool_base + PAGE_SIZE && g->state == SLOT_LIVE &&
		   va == g->obj ? g->size : 0;

	spin_unlock_irqrestore(&guard_lock, flags);
	return n;
}

/* Take slot @i off the ring of free slots (a tainted one). Lock held. */
static void ring_remove(uint32_t i)
{
	uint32_t k;

	for (k = 0; k < ring_count; k++)
		if (ring[(ring_head + k) % GUARD_SLOTS] == i)
			break;
	if (k == ring_count)
		return;
	for (; k + 1 < ring_count; k++)
		ring[(ring_head + k) % GUARD_SLOTS] =
			ring[(ring_head + k + 1) % GUARD_SLOTS];
	ring_count--;
}

/* See kmalloc.h. */
bool kma_guard_fault(uintptr_t addr)
{
	uint32_t i, page_off;
	struct guard_slot *g;
	char sites[96];
	unsigned long flags;
	uintptr_t page;

	if (!guard_owns(addr))
		return false;
	flags = spin_lock_irqsave(&guard_lock);
	page_off = (uint32_t)((addr - pool_base) / PAGE_SIZE);
	if (page_off == 0 || !(page_off & 1)) {
		/* A guard page: past the end of the slot before it. */
		i = page_off ? page_off / 2 - 1 : 0;
		g = &slots[i];
		guard_sites(g, sites, sizeof(sites));
		page = addr & ~(uintptr_t)(PAGE_SIZE - 1);
		if (page_off && g->state != SLOT_FREE)
			mm_report(MM_ERR_OUT_OF_BOUNDS, addr, g->size,
				  "guard: access at %p, %u bytes past the end "
				  "of %p (size %u, %s%s)", (void *)addr,
				  (unsigned int)(addr - g->obj - g->size + 1),
				  (void *)g->obj, (unsigned int)g->size, sites,
				  g->state == SLOT_LIVE ? "" : ", freed");
		else
			mm_report(MM_ERR_OUT_OF_BOUNDS, addr, 0,
				  "guard: access at %p, in a guard page of "
				  "no object", (void *)addr);
	} else {
		i = page_off / 2;
		g = &slots[i];
		guard_sites(g, sites, sizeof(sites));
		page = slot_page(i);
		if (g->state == SLOT_FREED)
			mm_report(MM_ERR_USE_AFTER_FREE, addr, g->size,
				  "guard: access at %p, offset %d of freed "
				  "object %p (size %u, %s)", (void *)addr,
				  (int)(addr - g->obj), (void *)g->obj,
				  (unsigned int)g->size, sites);
		else
			mm_report(MM_ERR_OUT_OF_BOUNDS, addr, 0,
				  "guard: access at %p, in an unused guarded "
				  "page", (void *)addr);
	}
	/*
	 * Let the access complete: the page opens for good and the slot is
	 * never used again (the pool has one slot less); a live object
	 * stays live until its kfree().
	 */
	if (!g->tainted && g->state != SLOT_LIVE)
		ring_remove(i);
	g->tainted = 1;
	(void)port_guard_protect((void *)page, PAGE_SIZE, true);
	spin_unlock_irqrestore(&guard_lock, flags);
	return true;
}
