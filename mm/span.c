// SPDX-License-Identifier: MIT
/*
 * span.c - object slots of a SMALL span: the bitmaps, the allocation
 * cache and the sweep.
 *
 * Owns: the slot state of each span (see struct span in heap.h for the
 * equations). Who may call what:
 *   span_refill_cache(), span_sweep(): the span's owner only -- the CPU
 *     cache holding it (interrupts off), or the central holding its lock
 *     when no cache does;
 *   span_obj_allocated(), span_has_frees(), span_live_objs(): anyone.
 *
 * Ordering between the sweep and concurrent frees on other CPUs: the sweep
 * takes each xfree word with an atomic exchange, writes the new alloc
 * word, and only then publishes freeindex = 0 with a release store. A
 * freeing CPU reads freeindex with acquire before the alloc word, so it
 * sees either the old freeindex (which already covers its object) or the
 * new alloc bits (which still mark its live object): a live object is
 * never mistaken for a free one.
 */
#include "heap.h"

/* Bits of word @w that stand for slots below @fi. */
static inline uint64_t below_mask(uint32_t fi, uint32_t w)
{
	if (fi >= (w + 1) * 64)
		return ~0ULL;
	if (fi > w * 64)
		return (1ULL << (fi - w * 64)) - 1;
	return 0;
}

/**
 * span_init_small - make @s a fresh span of class @spc (all slots free).
 * @s: a span whose base and npages are set.
 * @spc: span class.
 */
void span_init_small(struct span *s, unsigned int spc)
{
	unsigned int cls = spc == SPC_TINY ? sc_of_size(TINY_BLOCK) : spc;
	int i;

	WRITE_ONCE(s->xstate, SPAN_SMALL);
	WRITE_ONCE(s->spc, (uint8_t)spc);
	s->size = sc_size[cls];
	s->magic = sc_magic[cls];
	s->nobjs = (uint16_t)(s->npages * PAGE_SIZE / s->size);
	s->hwm = 0;
	s->nalloc = 0;
	for (i = 0; i < SPAN_WORDS; i++) {
		s->alloc_bits[i] = 0;
		s->xfree_bits[i] = 0;
	}
	__atomic_store_n(&s->freeindex, 0, __ATOMIC_RELAXED);
	s->alloc_cache = 0;
	span_refill_cache(s);
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
		uint32_t w = fi >> 6, left = s->nobjs - fi;
		uint64_t bits;

		bits = ~__atomic_load_n(&s->alloc_bits[w], __ATOMIC_RELAXED);
		bits >>= fi & 63;
		if (left < 64)
			bits &= (1ULL << left) - 1;
		if (bits) {
			s->alloc_cache = bits;
			__atomic_store_n(&s->freeindex, fi, __ATOMIC_RELAXED);
			return true;
		}
		fi = (w + 1) << 6;
	}
	s->alloc_cache = 0;
	__atomic_store_n(&s->freeindex, s->nobjs, __ATOMIC_RELAXED);
	return false;
}

/**
 * span_has_frees - whether frees wait to be swept into @s.
 * @s: the span.
 */
bool span_has_frees(const struct span *s)
{
	uint32_t w;

	for (w = 0; w < ((uint32_t)s->nobjs + 63) / 64; w++)
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
	uint32_t fi = s->freeindex, w, nw = ((uint32_t)s->nobjs + 63) / 64;
	uint32_t n = 0;

	if (fi > s->hwm)
		s->hwm = fi;
	for (w = 0; w < nw; w++) {
		uint64_t below = below_mask(fi, w), a, f;

		f = __atomic_exchange_n(&s->xfree_bits[w], 0, __ATOMIC_SEQ_CST);
		a = __atomic_load_n(&s->alloc_bits[w], __ATOMIC_RELAXED);
		a = (a | below) & ~f;
		__atomic_store_n(&s->alloc_bits[w], a, __ATOMIC_RELAXED);
		n += (uint32_t)__builtin_popcountll(a);
	}
	s->nalloc = n;
	__atomic_store_n(&s->freeindex, 0, __ATOMIC_RELEASE);
	span_refill_cache(s);
}

/**
 * span_live_objs - objects allocated and not freed (exact when the span's
 * owner is quiescent, a snapshot otherwise).
 * @s: the span.
 */
uint32_t span_live_objs(const struct span *s)
{
	uint32_t fi = __atomic_load_n(&s->freeindex, __ATOMIC_ACQUIRE);
	uint32_t w, n = 0, nw = ((uint32_t)s->nobjs + 63) / 64;

	for (w = 0; w < nw; w++) {
		uint64_t a;

		a = __atomic_load_n(&s->alloc_bits[w], __ATOMIC_RELAXED) |
		    below_mask(fi, w);
		a &= ~__atomic_load_n(&s->xfree_bits[w], __ATOMIC_RELAXED);
		n += (uint32_t)__builtin_popcountll(a);
	}
	return n;
}
