// SPDX-License-Identifier: MIT
/*
 * central.c - the shared spans of each span class (Go's mcentral).
 *
 * Owns: centrals[spc]: the partial and full lists and the spans on them,
 * and the batches of free objects CPU caches exchange (xfer; tcmalloc's
 * transfer cache, Linux's barn of sheaves): a CPU cache that fills up
 * gives the central one batch, one that runs dry takes one, so a shared
 * lock is taken once per batch, not per object.
 *
 * Locking: central->lock protects both lists, nspans, nempty, xfer and
 * nxfer, and the owner-only fields (freeindex, alloc_bits, alloc_cache,
 * nalloc) of every span on a list. It is held only to move a span or a
 * batch between lists, never while sweeping a span's bitmaps or calling
 * span_free_obj() (which may take it) or the page heap. A span off every
 * list belongs, owner fields included, to whoever took it off: a CPU cache
 * (LIST_CACHED, xowner its CPU) or, in transit (LIST_NONE), the CPU that
 * took it off to sweep it and place it again or give it to the page heap.
 *
 * A span on the partial list has a free slot or frees not yet swept
 * (xfree_bits): whoever takes it sweeps it and finds a free slot. A span
 * on the full list has neither when it was placed; the first free to
 * arrive moves it to partial.
 *
 * The handshake with kfree() on other CPUs: a free sets its slot's bit in
 * xfree_bits (sequentially consistent), then reads xowner and xlist. A
 * span changing hands writes xowner/xlist (sequentially consistent), then
 * looks at xfree_bits. Either the freeing CPU sees the span uncached and
 * full and moves it to partial under the lock (central_free_notify()), or
 * the releasing side sees the free and puts the span on partial itself.
 * No free is ever stranded on a full span.
 */
#include <kma/mm_report.h>
#include "heap.h"

struct central centrals[NR_SPC];

/*
 * Power-of-two classes above a page hold one object per span: the span
 * is placed at a multiple of the size so the object is naturally aligned.
 */
static uint32_t spc_align(unsigned int spc)
{
	uint32_t size = spc_size(spc);

	if (spc < SC_NR && size > PAGE_SIZE && !(size & (size - 1)))
		return size / PAGE_SIZE;
	return 1;
}

/*
 * Put a swept span in transit (LIST_NONE) on its list. Lock held. A free
 * that raced in after the sweep makes a full span partial: its setter
 * either sees LIST_FULL and calls central_free_notify(), which finds the
 * span on partial and leaves it, or is seen here (the seq_cst store of
 * xlist and the load of the bitmap against the free's seq_cst OR and load
 * of xlist).
 */
static void __central_place(struct central *c, struct span *s)
{
	lockdep_assert_held(&c->lock);
	if (s->nalloc == s->nobjs) {
		__atomic_store_n(&s->xlist, LIST_FULL, __ATOMIC_SEQ_CST);
		if (!span_has_frees(s)) {
			span_list_add(&c->full, s);
			return;
		}
	}
	__atomic_store_n(&s->xlist, LIST_PARTIAL, __ATOMIC_SEQ_CST);
	span_list_add(&c->partial, s);
}

/*
 * Empty spans a central keeps on its partial list rather than give back
 * to the page heap at once, so that a class whose objects come and go in
 * batches does not carve and free spans for each batch: up to
 * CENTRAL_KEEP_BYTES of them (at least one). central_reclaim() gives
 * them all back.
 */
#define CENTRAL_KEEP_BYTES	(128u << 10)

/*
 * A swept span in transit goes on a list, or, empty, leaves the central
 * (unless the central keeps it, see above; always with @release): true
 * when the caller must give it to the page heap, after the lock.
 */
static bool __central_settle(struct central *c, struct span *s, bool release)
{
	lockdep_assert_held(&c->lock);
	if (s->nalloc == 0 && (release || (c->nempty &&
	    (c->nempty + 1) * s->npages * PAGE_SIZE > CENTRAL_KEEP_BYTES))) {
		c->nspans--;
		return true;
	}
	if (s->nalloc == 0)
		c->nempty++;
	__central_place(c, s);
	return false;
}

/* __central_settle() with the lock taken and the page heap called. */
static void central_settle(struct central *c, struct span *s, bool release)
{
	bool give;

	spin_lock(&c->lock);
	c->nlocks++;
	give = __central_settle(c, s, release);
	spin_unlock(&c->lock);
	if (give)
		heap_free_span(s, false);	/* nobody else can reach it */
}

/**
 * central_get_batch - take up to @nb batches of free objects for a CPU
 * cache, under one lock. Interrupts are off.
 * @spc: span class.
 * @out: receives the objects (tagged).
 * @nb: batches wanted, at least 1.
 *
 * Return: objects taken, 0 when the central holds no batch.
 */
uint32_t central_get_batch(unsigned int spc, void **out, uint32_t nb)
{
	struct central *c = &centrals[spc];
	uint32_t n;

	if (!READ_ONCE(c->nxfer))
		return 0;
	spin_lock(&c->lock);
	c->nlocks++;
	n = c->nxfer < nb * c->batch ? c->nxfer : nb * c->batch;
	WRITE_ONCE(c->nxfer, c->nxfer - n);	/* peeked at without the lock */
	WRITE_ONCE(c->taken, 1);
	mm_memcpy(out, &c->xfer[c->nxfer], n * sizeof(void *));
	spin_unlock(&c->lock);
	return n;
}

/**
 * central_put_batch - give the central up to @nb whole batches of free
 * objects from a CPU cache, under one lock. Interrupts are off.
 * @spc: span class.
 * @objs: @nb * centrals[spc].batch objects, tagged; when the central has
 *        room for fewer batches it takes the last ones.
 * @nb: batches offered, at least 1.
 *
 * Return: batches taken, as many as the central has room for (the
 * caller gives the others back to their spans).
 */
uint32_t central_put_batch(unsigned int spc, void *const *objs, uint32_t nb)
{
	struct central *c = &centrals[spc];
	uint32_t room, k;

	if (READ_ONCE(c->nxfer) + c->batch > c->xfer_cap)
		return 0;
	spin_lock(&c->lock);
	c->nlocks++;
	room = c->xfer_cap >= c->nxfer ? (c->xfer_cap - c->nxfer) / c->batch : 0;
	k = nb < room ? nb : room;
	mm_memcpy(&c->xfer[c->nxfer], objs + (size_t)(nb - k) * c->batch,
		  (size_t)k * c->batch * sizeof(void *));
	WRITE_ONCE(c->nxfer, c->nxfer + k * c->batch);
	spin_unlock(&c->lock);
	return k;
}

/**
 * central_drain_batches - give every object of @spc's batches back to
 * its span (memory pressure, scavenging, tests).
 * @spc: span class.
 */
void central_drain_batches(unsigned int spc)
{
	struct central *c = &centrals[spc];
	void *buf[32];			/* 256 bytes of stack at most */
	unsigned long flags;
	uint32_t n;

	for (;;) {
		flags = spin_lock_irqsave(&c->lock);
		c->nlocks++;
		n = c->nxfer < 32 ? c->nxfer : 32;
		WRITE_ONCE(c->nxfer, c->nxfer - n);
		mm_memcpy(buf, &c->xfer[c->nxfer], n * sizeof(void *));
		spin_unlock_irqrestore(&c->lock, flags);
		if (!n)
			return;
		span_free_batch(buf, cache_check_tags(buf, n));
	}
}

/**
 * central_cache_span - give CPU @cpu a span of class @spc with a free slot.
 * @spc: span class.
 * @cpu: the calling CPU (interrupts are off).
 *
 * Takes a partial span, or a new span from the page heap. The partial
 * span is swept by @cpu, its new owner, after the lock is dropped.
 *
 * Return: the span, now LIST_CACHED and owned by @cpu, its ->next NULL
 * (a CPU cache chains its kept spans there), or NULL when out of memory.
 */
struct span *central_cache_span(unsigned int spc, unsigned int cpu)
{
	struct central *c = &centrals[spc];
	struct span *s;

	for (;;) {
		spin_lock(&c->lock);
		c->nlocks++;
		s = c->partial.first;
		if (!s)
			break;
		span_list_del(&c->partial, s);
		if (s->nalloc == 0 && c->nempty)
			c->nempty--;		/* kept empty, now used */
		__atomic_store_n(&s->xlist, LIST_CACHED, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->xowner, (int32_t)cpu, __ATOMIC_SEQ_CST);
		spin_unlock(&c->lock);
		span_sweep(s);
		s->next = NULL;
		if (s->nalloc < s->nobjs)
			return s;
		/* Not reached while the partial list's rule holds. */
		central_uncache_span(s);
	}
	spin_unlock(&c->lock);

	s = heap_alloc_span(spc_pages(spc), spc_align(spc), false);
	if (!s)
		return NULL;
	if (spc == SPC_TINY) {
		unsigned long flags = spin_lock_irqsave(&heap.lock);

		s->tiny = heap_meta_alloc(&heap.tiny_fa);
		spin_unlock_irqrestore(&heap.lock, flags);
		if (!s->tiny) {
			heap_free_span(s, false);
			return NULL;
		}
	}
	span_init_small(s, spc);
	s->next = NULL;
	__atomic_store_n(&s->xlist, LIST_CACHED, __ATOMIC_RELAXED);
	__atomic_store_n(&s->xowner, (int32_t)cpu, __ATOMIC_RELEASE);
	spin_lock(&c->lock);
	c->nlocks++;
	c->nspans++;
	spin_unlock(&c->lock);
	return s;
}

/**
 * central_swap_spans - give back the spans a CPU cache ran dry (as
 * central_uncache_span() does one) and take up to @nwant partial spans,
 * under one lock: a CPU cache carving many objects of a class with few
 * per span takes a lock per refill, not two per span.
 * @spc: span class.
 * @cpu: the calling CPU (interrupts are off).
 * @dry: spans of class @spc held by @cpu, linked through ->next, or NULL.
 * @nwant: spans wanted (0: give back only).
 *
 * A dry span that frees have made usable again counts as taken: it stays
 * the CPU's, swept, and never sees the lock or a list. The lock is taken
 * only to place the others and to take partial spans; none come from the
 * page heap (central_cache_span() does that). Empty spans given back
 * that the central does not keep go to the page heap after the lock.
 *
 * Return: the spans taken, linked through ->next, each now LIST_CACHED,
 * owned by @cpu and swept (one may be full after all: the partial list's
 * rule makes that rare; the caller gives it back); NULL if none.
 */
struct span *central_swap_spans(unsigned int spc, unsigned int cpu,
				struct span *dry, uint32_t nwant)
{
	struct central *c = &centrals[spc];
	struct span *s, *next, *got = NULL, **tail = &got, *give = NULL;
	struct span *back = NULL, **keep_end;

	/* A dry span that frees refilled is kept: no lock, no list. */
	for (s = dry; s; s = next) {
		next = s->next;
		span_sweep(s);
		if (nwant && s->nalloc < s->nobjs) {
			*tail = s;
			tail = &s->next;
			nwant--;
			continue;
		}
		__atomic_store_n(&s->xowner, -1, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->xlist, LIST_NONE, __ATOMIC_SEQ_CST);
		s->next = back;
		back = s;
	}
	*tail = NULL;
	keep_end = tail;		/* the partial spans follow */
	if (!back && (!nwant || !READ_ONCE(c->partial.first)))
		return got;
	spin_lock(&c->lock);
	c->nlocks++;
	for (s = back; s; s = next) {	/* in transit: ->next is ours */
		next = s->next;
		if (__central_settle(c, s, false)) {
			s->next = give;
			give = s;
		}
	}
	while (nwant && (s = c->partial.first)) {
		span_list_del(&c->partial, s);
		if (s->nalloc == 0 && c->nempty)
			c->nempty--;		/* kept empty, now used */
		__atomic_store_n(&s->xlist, LIST_CACHED, __ATOMIC_SEQ_CST);
		__atomic_store_n(&s->xowner, (int32_t)cpu, __ATOMIC_SEQ_CST);
		*tail = s;
		tail = &s->next;
		nwant--;
	}
	*tail = NULL;
	spin_unlock(&c->lock);
	for (s = give; s; s = next) {
		next = s->next;
		s->next = NULL;
		heap_free_span(s, false);	/* nobody else can reach it */
	}
	for (s = *keep_end; s; s = s->next)
		span_sweep(s);
	return got;
}

/**
 * central_uncache_span - a CPU cache lets go of @s.
 * @s: a span the calling CPU holds (interrupts are off).
 *
 * The span is swept (by the caller, still its owner, without the lock);
 * an empty span goes back to the page heap, the others to partial or
 * full. Frees that arrive after the sweep stay in xfree_bits for the
 * next owner's sweep (see __central_place()).
 */
void central_uncache_span(struct span *s)
{
	struct central *c = &centrals[READ_ONCE(s->spc)];

	span_sweep(s);
	__atomic_store_n(&s->xowner, -1, __ATOMIC_SEQ_CST);
	__atomic_store_n(&s->xlist, LIST_NONE, __ATOMIC_SEQ_CST);
	central_settle(c, s, false);
}

/* central_free_notify()'s move, for one object. Lock held. */
static void __central_notify(struct central *c, unsigned int spc,
			     uintptr_t va)
{
	struct span *s = span_of(va);

	lockdep_assert_held(&c->lock);
	if (s && READ_ONCE(s->xstate) == SPAN_SMALL &&
	    READ_ONCE(s->spc) == spc &&
	    __atomic_load_n(&s->xlist, __ATOMIC_SEQ_CST) == LIST_FULL) {
		span_list_del(&c->full, s);
		__atomic_store_n(&s->xlist, LIST_PARTIAL, __ATOMIC_SEQ_CST);
		span_list_add(&c->partial, s);
	}
}

/**
 * central_free_notify - a free arrived on a span no cache holds and that
 * was on the full list: move it to partial, unswept (its next owner
 * sweeps it).
 * @spc: the span class the freed object had.
 * @va: the freed object.
 *
 * The span is looked up again under the lock: the freeing CPU's view of
 * it may be stale. Moving whatever full span of this class now holds @va
 * to partial is always correct: it has a free not yet swept.
 */
void central_free_notify(unsigned int spc, uintptr_t va)
{
	central_free_notify_many(spc, &va, 1);
}

/**
 * central_free_notify_many - central_free_notify() for @n objects of
 * class @spc, under one lock (span_free_batch()).
 * @spc: their span class.
 * @vas: the freed objects, each of a span that was on the full list.
 * @n: how many.
 */
void central_free_notify_many(unsigned int spc, const uintptr_t *vas,
			      uint32_t n)
{
	struct central *c = &centrals[spc];
	unsigned long flags;
	uint32_t i;

	flags = spin_lock_irqsave(&c->lock);
	c->nlocks++;
	for (i = 0; i < n; i++)
		__central_notify(c, spc, vas[i]);
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * central_reclaim - sweep every span on @spc's lists and give empty ones
 * back to the page heap (scavenging, memory pressure).
 * @spc: span class.
 *
 * The spans are taken off both lists at once (in transit), swept and
 * settled one by one without the lock held across a sweep.
 */
void central_reclaim(unsigned int spc)
{
	struct central *c = &centrals[spc];
	struct span_list_head all;	/* no initializer: -Os makes it
					 * a memset() call */
	unsigned long flags;
	struct span *s;

	all.first = NULL;
	all.nr = 0;
	flags = spin_lock_irqsave(&c->lock);
	c->nlocks++;
	while ((s = c->partial.first)) {
		span_list_del(&c->partial, s);
		__atomic_store_n(&s->xlist, LIST_NONE, __ATOMIC_SEQ_CST);
		span_list_add(&all, s);
	}
	while ((s = c->full.first)) {
		span_list_del(&c->full, s);
		__atomic_store_n(&s->xlist, LIST_NONE, __ATOMIC_SEQ_CST);
		span_list_add(&all, s);
	}
	c->nempty = 0;
	spin_unlock(&c->lock);
	while ((s = all.first)) {
		span_list_del(&all, s);
		span_sweep(s);
		central_settle(c, s, true);
	}
	port_irq_restore(flags);
}

/**
 * central_debug_forget - the debug mode's per-slot records of every span
 * on @spc's lists go back (redzone and track turned off).
 * @spc: span class.
 */
void central_debug_forget(unsigned int spc)
{
	struct central *c = &centrals[spc];
	unsigned long flags;
	struct span *s;

	flags = spin_lock_irqsave(&c->lock);
	for (s = c->partial.first; s; s = s->next)
		debug_span_free(s);
	for (s = c->full.first; s; s = s->next)
		debug_span_free(s);
	spin_unlock_irqrestore(&c->lock, flags);
}

/**
 * central_objs_out - objects handed out by @spc's spans on its lists, and
 * (in *@spans) the spans of the class, cached ones included.
 * @spc: span class.
 * @spans: receives the class's span count.
 */
uint64_t central_objs_out(unsigned int spc, uint64_t *spans)
{
	struct central *c = &centrals[spc];
	unsigned long flags;
	uint64_t n = 0;
	struct span *s;

	flags = spin_lock_irqsave(&c->lock);
	for (s = c->partial.first; s; s = s->next)
		n += span_live_objs(s);
	for (s = c->full.first; s; s = s->next)
		n += span_live_objs(s);
	*spans = c->nspans;
	spin_unlock_irqrestore(&c->lock, flags);
	return n;
}

static unsigned int span_check(struct span *s, unsigned int spc, uint8_t list)
{
	unsigned int bad = 0;
	uint32_t w, n = 0;

	if (READ_ONCE(s->xstate) != SPAN_SMALL || READ_ONCE(s->spc) != spc)
		bad++;
	if (__atomic_load_n(&s->xlist, __ATOMIC_RELAXED) != list)
		bad++;
	if (__atomic_load_n(&s->xowner, __ATOMIC_RELAXED) != -1)
		bad++;
	if (span_of(s->base) != s ||
	    span_of(s->base + (uintptr_t)s->npages * PAGE_SIZE - 1) != s)
		bad++;
	for (w = 0; w < SPAN_WORDS; w++) {
		kma_bitword_t a = s->alloc_bits[w], f = s->xfree_bits[w];
		kma_bitword_t valid;
		uint32_t first = w * KMA_BITS_PER_WORD;

		if (first >= s->nobjs)
			valid = 0;
		else if (s->nobjs - first >= KMA_BITS_PER_WORD)
			valid = KMA_WORD_ONES;
		else
			valid = kma_low_bits(s->nobjs - first);
		if ((a & ~valid) || (f & ~valid))
			bad++;
		n += kma_popcount(a);
	}
	if (s->freeindex == 0 && n != s->nalloc)
		bad++;
	if (list == LIST_FULL && s->nalloc != s->nobjs)
		bad++;
	if (bad)
		mm_report(MM_ERR_CORRUPT, s->base, spc,
			  "central %u: span %p breaks %u invariant(s)", spc,
			  (void *)s->base, bad);
	return bad;
}

/**
 * central_validate - check every span on @spc's lists.
 * @spc: span class.
 *
 * Return: number of broken invariants.
 */
unsigned int central_validate(unsigned int spc)
{
	struct central *c = &centrals[spc];
	unsigned int bad = 0;
	unsigned long flags;
	uint64_t nr;
	struct span *s;

	flags = spin_lock_irqsave(&c->lock);
	for (nr = 0, s = c->partial.first; s; s = s->next, nr++)
		bad += span_check(s, spc, LIST_PARTIAL);
	if (nr != c->partial.nr)
		bad++;
	for (nr = 0, s = c->full.first; s; s = s->next, nr++)
		bad += span_check(s, spc, LIST_FULL);
	if (nr != c->full.nr)
		bad++;
	if (c->partial.nr + c->full.nr > c->nspans)
		bad++;
	spin_unlock_irqrestore(&c->lock, flags);
	return bad;
}
