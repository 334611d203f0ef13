// SPDX-License-Identifier: MIT
/*
 * span.c - object slots of a SMALL span: the bitmaps, the allocation
 * window and the sweep.
 *
 * Owns: the slot state of each span (see struct span in heap.h for the
 * equations). Who may call what:
 *   span_refill_cache(), span_take_batch(), span_sweep(): the span's
 *     owner only -- the CPU cache holding it (interrupts off), or the CPU
 *     that took it off its central's lists (central.c; in transit);
 *   span_slot_out(), span_has_frees(), span_live_objs(), span_free_obj(),
 *     span_free_batch(): anyone.
 *
 * A slot is taken by setting its bit in alloc_bits (owner, plain store of
 * the word) and given back by setting its bit in xfree_bits (any CPU,
 * atomic OR); the sweep folds xfree_bits into alloc_bits. Ordering between
 * the sweep and a concurrent span_slot_out() on another CPU: the sweep
 * writes the alloc word with the folded bits cleared first, then clears
 * exactly those bits in the xfree word with a release operation; the
 * reader loads the xfree word (acquire) before the alloc word. A reader
 * that no longer sees an xfree bit therefore sees the cleared alloc bit:
 * a free slot never looks out.
 */
#include <kma/mm_report.h>
#include "heap.h"

/**
 * span_init_small - make @s a fresh span of class @spc (all slots free).
 * @s: a span whose base and npages are set.
 * @spc: span class.
 */
void span_init_small(struct span *s, unsigned int spc)
{
	bool fast = spc != SPC_TINY;
	uint32_t i;

	s->size = spc_size(spc);
	s->magic = spc_magic(spc);
	s->nobjs = (uint16_t)(s->npages * PAGE_SIZE / s->size);
	s->hwm = 0;
	s->nalloc = 0;
	for (i = 0; i < SPAN_WORDS; i++) {
		WRITE_ONCE(s->alloc_bits[i], 0);
		WRITE_ONCE(s->xfree_bits[i], 0);
	}
	s->freeindex = 0;
	s->alloc_cache = 0;
	span_refill_cache(s);
	/* Every slot starts free and tagged (see OBJ_TAG_KEY in heap.h). */
	if (spc >= SPC_KCACHE) {
		kcache_construct(s, spc);	/* constructors, then tags */
		fast = !kcache_of(spc)->save_off;
	} else {
		for (i = 0; i < s->nobjs; i++)
			obj_tag_set((void *)(s->base + (uintptr_t)i * s->size),
				    OBJ_FRESH);
	}
	WRITE_ONCE(s->xstate, SPAN_SMALL);
	WRITE_ONCE(s->oc_off, OC_OFF(spc));
	__atomic_store_n(&s->spc, (uint8_t)spc, __ATOMIC_RELEASE);
	/*
	 * Last: a nonzero fast magic sends kfree() down the fast path; not
	 * for tiny blocks or a constructor cache's objects, whose frees must
	 * keep their first word (kcache_free_slow()).
	 */
	__atomic_store_n(&s->xfmagic, fast ? s->magic : 0, __ATOMIC_RELEASE);
}

/**
 * span_refill_cache - load the next window of free slots into alloc_cache.
 * @s: the span (owner only).
 *
 * Starts at freeindex and skips wholly allocated words.
 *
 * Return: true if a free slot was found.
 */
bool span_refill_cache(struct span *s)
{
	uint32_t fi = s->freeindex;

	while (fi < s->nobjs) {
		uint32_t w = (uint32_t)kma_word(fi), left = s->nobjs - fi;
		kma_bitword_t bits;

		bits = ~__atomic_load_n(&s->alloc_bits[w], __ATOMIC_RELAXED);
		bits >>= fi & (KMA_BITS_PER_WORD - 1);
		if (left < KMA_BITS_PER_WORD)
			bits &= kma_low_bits(left);
		if (bits) {
			s->alloc_cache = bits;
			s->freeindex = fi;
			return true;
		}
		fi = (w + 1) << KMA_WORD_SHIFT;
	}
	s->alloc_cache = 0;
	s->freeindex = s->nobjs;
	return false;
}

/**
 * span_take_batch - take up to @max free slots of the current window.
 * @s: the span (owner only), whose alloc_cache is not empty.
 * @out: receives the objects (free slots: they carry their tags).
 * @max: at least 1.
 *
 * The taken slots' alloc bits are set with one store; the window moves
 * past them.
 *
 * Return: objects taken (at least 1).
 */
uint32_t span_take_batch(struct span *s, void **out, uint32_t max)
{
	kma_bitword_t ac = s->alloc_cache, taken = 0;
	uint32_t fi = s->freeindex, w = (uint32_t)kma_word(fi);
	uint32_t sh = fi & (KMA_BITS_PER_WORD - 1), n = 0, idx = 0;

	while (ac && n < max) {
		unsigned int tz = kma_ctz(ac);
		ac &= ac - 1;
		idx = fi + tz;
		taken |= kma_bit(sh + tz);
		out[n++] = (void *)(s->base + (uintptr_t)idx * s->size);
	}
	__atomic_store_n(&s->alloc_bits[w], s->alloc_bits[w] | taken,
			 __ATOMIC_RELEASE);
	/* Keep the window relative to freeindex: rebase it past idx. */
	s->alloc_cache = (ac >> (idx - fi)) >> 1;
	s->freeindex = idx + 1;
	if (idx + 1 > s->hwm)
		s->hwm = idx + 1;
	return n;
}

/**
 * span_has_frees - whether frees wait to be swept into @s.
 * @s: the span.
 */
bool span_has_frees(const struct span *s)
{
	uint32_t w;

	for (w = 0; w < KMA_BITWORDS((uint32_t)s->nobjs); w++)
		if (__atomic_load_n(&s->xfree_bits[w], __ATOMIC_SEQ_CST))
			return true;
	return false;
}

/**
 * span_sweep - fold the frees into the allocation bitmap and restart the
 * scan at slot 0 (Go's sweep, done when the span runs dry or changes hands).
 * @s: the span (owner only).
 */
void span_sweep(struct span *s)
{
	uint32_t w, nw = KMA_BITWORDS((uint32_t)s->nobjs), n = 0;

	for (w = 0; w < nw; w++) {
		kma_bitword_t f = __atomic_load_n(&s->xfree_bits[w],
						  __ATOMIC_SEQ_CST);
		kma_bitword_t a = s->alloc_bits[w] & ~f;

		__atomic_store_n(&s->alloc_bits[w], a, __ATOMIC_RELAXED);
		if (f)
			__atomic_fetch_and(&s->xfree_bits[w], ~f,
					   __ATOMIC_SEQ_CST);
		n += kma_popcount(a);
	}
	s->nalloc = n;
	s->freeindex = 0;
	span_refill_cache(s);
}

/**
 * span_live_objs - slots out of @s (exact when the span's owner is
 * quiescent, a snapshot otherwise). Objects held by CPU caches and
 * central batches count as out.
 * @s: the span.
 */
uint32_t span_live_objs(const struct span *s)
{
	uint32_t w, n = 0, nw = KMA_BITWORDS((uint32_t)s->nobjs);

	for (w = 0; w < nw; w++) {
		kma_bitword_t f = __atomic_load_n(&s->xfree_bits[w],
						  __ATOMIC_ACQUIRE);
		kma_bitword_t a = __atomic_load_n(&s->alloc_bits[w],
						  __ATOMIC_RELAXED);

		n += kma_popcount(a & ~f);
	}
	return n;
}

/**
 * span_free_obj - give slot @va back to @s. Any CPU.
 * @s: the SMALL span holding @va.
 * @va: an object whose slot is out and that nobody else holds (checked
 *      when it was freed into a cache, or by the caller).
 *
 * One atomic OR; if the span sits on its central's full list the central
 * moves it to partial (once per span and sweep).
 */
void span_free_obj(struct span *s, uintptr_t va)
{
	uint32_t idx = (uint32_t)(((uint64_t)(uint32_t)(va - s->base) *
				   s->magic) >> 32);
	kma_bitword_t bit = kma_bit(idx), old;
	unsigned int spc = READ_ONCE(s->spc);

	old = __atomic_fetch_or(&s->xfree_bits[kma_word(idx)], bit,
				__ATOMIC_SEQ_CST);
	if (unlikely(old & bit)) {
		kmalloc_report_obj(MM_ERR_DOUBLE_FREE, "kfree", va, s,
				   "object already freed");
		return;
	}
	/*
	 * From here on the span may be swept, emptied and its descriptor
	 * reused by its owner: only an atomic field is read, and
	 * central_free_notify() looks the span up again under the lock.
	 */
	if (unlikely(__atomic_load_n(&s->xlist, __ATOMIC_SEQ_CST) == LIST_FULL))
		central_free_notify(spc, va);
}

/*
 * Frees that found their span on the full list, told to the central
 * together: one lock per NOTIFY_MAX spans instead of one each.
 */
#define NOTIFY_MAX	40

struct notify_list {
	unsigned int spc;
	uint32_t n;
	uintptr_t va[NOTIFY_MAX];
};

static void notify_flush(struct notify_list *l)
{
	if (l->n)
		central_free_notify_many(l->spc, l->va, l->n);
	l->n = 0;
}

/*
 * Set @bits in word @w of @s's xfree bitmap (the objects were checked),
 * report any already set, and note for the central, in @l, a span that
 * was full. @va is one of the objects (for the central's lookup and the
 * report).
 */
static void span_free_bits(struct span *s, uint32_t w, kma_bitword_t bits,
			   uintptr_t va, struct notify_list *l)
{
	unsigned int spc = READ_ONCE(s->spc);
	kma_bitword_t old;

	old = __atomic_fetch_or(&s->xfree_bits[w], bits, __ATOMIC_SEQ_CST);
	if (unlikely(old & bits)) {
		kma_bitword_t dup = old & bits;

		kmalloc_report_obj(MM_ERR_DOUBLE_FREE, "kfree",
				   s->base + ((uintptr_t)w * KMA_BITS_PER_WORD +
					      kma_ctz(dup)) *
				   s->size, s, "object already freed");
	}
	/* As in span_free_obj(): only atomic fields from here on. */
	if (unlikely(__atomic_load_n(&s->xlist, __ATOMIC_SEQ_CST) ==
		     LIST_FULL)) {
		if (l->n == NOTIFY_MAX || (l->n && l->spc != spc))
			notify_flush(l);
		l->spc = spc;
		l->va[l->n++] = va;
	}
}

/**
 * span_free_batch - give @n checked objects back to their spans. Any CPU.
 * @objs: the objects (each out of its span, held by nobody else).
 * @n: how many.
 *
 * One atomic OR per run of objects that share a span and a bitmap word
 * (a batch freed in address order touches each word once); the spans
 * that were full go to their central's partial list together, under one
 * lock per NOTIFY_MAX of them, before this returns.
 */
void span_free_batch(void *const *objs, uint32_t n)
{
	struct notify_list l;
	struct span *s = NULL;
	uintptr_t base = 0, len = 0, va0 = 0;
	kma_bitword_t bits = 0;
	uint32_t w = 0, i;

	l.n = 0;		/* no initializer: it would call memset() */
	for (i = 0; i < n; i++) {
		uintptr_t va = (uintptr_t)objs[i];
		uint32_t idx;

		if (va - base >= len) {
			if (bits)
				span_free_bits(s, w, bits, va0, &l);
			bits = 0;
			s = span_of(va);
			base = s->base;
			len = (uintptr_t)s->npages * PAGE_SIZE;
		}
		idx = (uint32_t)(((uint64_t)(uint32_t)(va - base) * s->magic) >>
				 32);
		if (bits && kma_word(idx) != w) {
			span_free_bits(s, w, bits, va0, &l);
			bits = 0;
		}
		if (!bits) {
			w = (uint32_t)kma_word(idx);
			va0 = va;
		}
		if (unlikely(bits & kma_bit(idx))) {
			/* the same object twice in one batch */
			kmalloc_report_obj(MM_ERR_DOUBLE_FREE, "kfree", va, s,
					   "object already freed");
			continue;
		}
		bits |= kma_bit(idx);
	}
	if (bits)
		span_free_bits(s, w, bits, va0, &l);
	notify_flush(&l);
}
