// SPDX-License-Identifier: MIT
/*
 * tiny.c - the tiny allocator: GFP_NOSCAN requests under 16 bytes packed
 * into 16-byte blocks of the SPC_TINY span class.
 *
 * Owns: struct tiny_meta of each tiny span; the CPU cache's current block
 * (tiny_block, tiny_span, tiny_idx, tiny_off), touched only by its CPU
 * with interrupts off.
 */
#include <kma/mm_report.h>
#include "heap.h"

/*
 * Tiny allocator. A CPU cache fills one 16-byte block at a time with
 * pieces aligned to 8, 4, 2 or 1 bytes (the largest power of two dividing
 * the size), and records where pieces start in tiny_meta.starts and where
 * the filled part ends in tiny_meta.end (owner writes only).
 *
 * Releasing a block needs no read after the deciding atomic operation:
 * xstate holds the pieces freed (low half, set by any CPU with one atomic
 * OR) and, once the owner moves on, the block's final starts mask (high
 * half, published by the owner with one atomic OR). Whichever of those
 * operations sees both halves become equal is the unique last one and
 * gives the block back as an ordinary 16-byte object; until then the
 * block stays allocated, so its span cannot go away under anyone.
 *
 * The owner may also take back the piece it allocated last in its
 * current block (tiny_take_back()): it clears the piece's start and moves
 * end and tiny_off back to it, with plain stores, as starts and end are
 * the owner's. No freed bit is set for it, so the halves of xstate still
 * agree at retirement. A second free of that piece finds no start past
 * the filled part and is reported as a free of a piece not allocated or
 * freed already (as after the block was emptied in place).
 */
/*
 * A whole block is free again: onto this CPU's cache of tiny blocks, so
 * the next block this CPU starts is the one just released (checked as
 * kfree() checks a small object: a slot start whose slot is out).
 */
static void tiny_block_free(struct span *s, uintptr_t va)
{
	unsigned long irq;
	unsigned int cpu;
	struct objcache *oc;

	if (unlikely(!span_slot_out(s, (uint32_t)((va - s->base) /
						   TINY_BLOCK)))) {
		kfree_small_slow(s, va);	/* reports */
		return;
	}
	irq = port_irq_save();
	cpu = port_cpu_id();
	oc = objcache_of(cpu, SPC_TINY);
	if (likely(oc->top != oc->hi))
		objcache_push(oc, (void *)va);
	else
		cache_free_slow(SPC_TINY, cpu, (void *)va);
	port_irq_restore(irq);
}

static void tiny_release(struct span *s, uint32_t idx)
{
	struct tiny_meta *m = s->tiny;

	__atomic_store_n(&m->xstate[idx], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->starts[idx], 0, __ATOMIC_RELAXED);
	__atomic_store_n(&m->end[idx], 0, __ATOMIC_RELAXED);
	tiny_block_free(s, s->base + (uintptr_t)idx * TINY_BLOCK);
}

/* Retire the cache's current block. Interrupts off. */
void tiny_retire(struct cpu_cache *c)
{
	struct span *s = c->tiny_span;
	uint32_t idx = c->tiny_idx, starts, old;

	if (!c->tiny_block)
		return;
	c->tiny_block = 0;
	starts = s->tiny->starts[idx];
	old = __atomic_fetch_or(&s->tiny->xstate[idx], starts << 16,
				__ATOMIC_ACQ_REL);
	if ((old & 0xffff) == starts)
		tiny_release(s, idx);
}

/* The current block is full (or there is none): retire it, start another. */
static __attribute__((noinline)) void *
tiny_alloc_block(struct cpu_cache *c, unsigned int cpu, size_t size,
		 unsigned long flags)
{
	struct tiny_meta *m;
	void *p;

	tiny_retire(c);
	p = cache_alloc_irqoff(SPC_TINY, cpu);
	if (p) {
		struct span *s = span_of((uintptr_t)p);
		uint32_t idx = (uint32_t)(((uintptr_t)p - s->base) / TINY_BLOCK);

		m = s->tiny;
		__atomic_store_n(&m->xstate[idx], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&m->starts[idx], 1, __ATOMIC_RELEASE);
		__atomic_store_n(&m->end[idx], (uint8_t)size, __ATOMIC_RELEASE);
		c->tiny_span = s;
		c->tiny_idx = idx;
		c->tiny_off = (uint32_t)size;
		c->tiny_block = (uintptr_t)p;
	}
	port_irq_restore(flags);
	return p;
}

void *tiny_alloc(size_t size)
{
	unsigned long flags = port_irq_save();
	unsigned int cpu = port_cpu_id();
	struct cpu_cache *c = cpu_cache_of(cpu);
	/* The largest power of two dividing size: 1, 2 or 4 (size & 7). */
	uint32_t align = (uint32_t)(size & -size);
	uint32_t off = (c->tiny_off + align - 1) & ~(align - 1);
	struct tiny_meta *m;
	void *p;

	if (unlikely(!c->tiny_block || off + size > TINY_BLOCK))
		return tiny_alloc_block(c, cpu, size, flags);
	m = c->tiny_span->tiny;
	__atomic_store_n(&m->starts[c->tiny_idx],
			 (uint16_t)(m->starts[c->tiny_idx] | (1U << off)),
			 __ATOMIC_RELEASE);
	__atomic_store_n(&m->end[c->tiny_idx], (uint8_t)(off + size),
			 __ATOMIC_RELEASE);
	c->tiny_off = off + (uint32_t)size;
	p = (void *)(c->tiny_block + off);
	port_irq_restore(flags);
	return p;
}

/*
 * Every piece of @c's current block (@m, @idx) is free and the block was
 * not retired: empty it in place, so the next allocations fill it again
 * from byte 0 without giving it back and taking a new one. The compare
 * and exchange fails if a free raced in (a double free, which its own OR
 * reported): then the block stays as it is. Interrupts off, this CPU.
 */
static void tiny_reset(struct cpu_cache *c, struct tiny_meta *m, uint32_t idx,
		       uint32_t freed)
{
	if (!__atomic_compare_exchange_n(&m->xstate[idx], &freed, 0, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return;
	__atomic_store_n(&m->starts[idx], 0, __ATOMIC_RELEASE);
	__atomic_store_n(&m->end[idx], 0, __ATOMIC_RELEASE);
	c->tiny_off = 0;
}

/*
 * The free of the piece this CPU allocated last in its current block
 * (@m, @idx, at @block; the piece at byte @piece, its highest start)
 * takes the piece back: the block's filled part ends where the piece
 * began, and the next allocation fills from there, as if it had never
 * been handed out. Only the owner writes starts and end, so there is no
 * atomic operation; the freed bits are untouched (a piece never handed
 * out has none). The owner's current block is allocated, so nothing else
 * needs checking. If every piece left is freed, the block is emptied
 * (tiny_reset()). Return: false, changing nothing, if the piece is not
 * that one or is freed already.
 */
static bool tiny_take_back(struct tiny_meta *m, uint32_t idx, uint32_t piece,
			   uintptr_t block)
{
	unsigned long irq = port_irq_save();
	struct cpu_cache *c = cpu_cache_of(port_cpu_id());
	uint32_t starts = __atomic_load_n(&m->starts[idx], __ATOMIC_RELAXED);
	bool done = false;

	if (c->tiny_block == block && (starts >> piece) == 1 &&
	    !((__atomic_load_n(&m->xstate[idx], __ATOMIC_ACQUIRE) >> piece) &
	      1)) {
		starts &= ~(1U << piece);
		__atomic_store_n(&m->starts[idx], (uint16_t)starts,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&m->end[idx], (uint8_t)(starts ? piece : 0),
				 __ATOMIC_RELEASE);
		c->tiny_off = starts ? piece : 0;
		/* The pieces left were all freed already: empty the block. */
		if (starts && starts == (__atomic_load_n(&m->xstate[idx],
							 __ATOMIC_ACQUIRE) &
					 0xffff))
			tiny_reset(c, m, idx, starts);
		done = true;
	}
	port_irq_restore(irq);
	return done;
}

/* Any other free of a piece: checked, then marked in the freed bits. */
static __attribute__((noinline)) void
tiny_free_piece(const char *fn, struct span *s, uintptr_t va)
{
	struct tiny_meta *m = s->tiny;
	uint32_t off = (uint32_t)(va - s->base);
	uint32_t idx = off / TINY_BLOCK, piece = off % TINY_BLOCK;
	uint32_t bit = 1U << piece, old, done;
	unsigned long irq;
	struct cpu_cache *c;

	if (idx >= s->nobjs || !span_slot_out(s, idx) ||
	    !__atomic_load_n(&m->starts[idx], __ATOMIC_ACQUIRE)) {
		kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
			   "tiny piece not allocated");
		return;
	}
	if (!(__atomic_load_n(&m->starts[idx], __ATOMIC_ACQUIRE) & bit)) {
		/* Past the filled part: a piece taken back, or never there. */
		if (piece >= __atomic_load_n(&m->end[idx], __ATOMIC_ACQUIRE))
			kmalloc_report_obj(MM_ERR_INVALID_FREE, fn, va, s,
				"tiny piece not allocated (or freed already)");
		else
			kmalloc_report_obj(MM_ERR_INTERIOR_FREE, fn, va, s,
					   "not the start of a tiny piece");
		return;
	}
	old = __atomic_fetch_or(&m->xstate[idx], bit, __ATOMIC_ACQ_REL);
	if (old & bit) {
		kmalloc_report_obj(MM_ERR_DOUBLE_FREE, fn, va, s,
			   "tiny piece already freed");
		return;
	}
	done = (old | bit) & 0xffff;
	if ((old >> 16) == done) {
		tiny_release(s, idx);
		return;
	}
	/* Not retired: is it this CPU's current block, all of it free? */
	if (old >> 16 ||
	    done != __atomic_load_n(&m->starts[idx], __ATOMIC_RELAXED))
		return;
	irq = port_irq_save();
	c = cpu_cache_of(port_cpu_id());
	if (c->tiny_block == va - piece &&
	    done == __atomic_load_n(&m->starts[idx], __ATOMIC_RELAXED))
		tiny_reset(c, m, idx, done);
	port_irq_restore(irq);
}

void tiny_free(const char *fn, struct span *s, uintptr_t va)
{
	uint32_t off = (uint32_t)(va - s->base);

	if (!tiny_take_back(s->tiny, off / TINY_BLOCK, off % TINY_BLOCK,
			    va - off % TINY_BLOCK))
		tiny_free_piece(fn, s, va);
}

size_t tiny_size(struct span *s, uintptr_t va)
{
	struct tiny_meta *m = s->tiny;
	uint32_t off = (uint32_t)(va - s->base);
	uint32_t idx = off / TINY_BLOCK, piece = off % TINY_BLOCK, k;
	uint16_t starts = __atomic_load_n(&m->starts[idx], __ATOMIC_ACQUIRE);
	uint8_t end = __atomic_load_n(&m->end[idx], __ATOMIC_ACQUIRE);

	if (!(starts & (1U << piece)) ||
	    ((__atomic_load_n(&m->xstate[idx], __ATOMIC_ACQUIRE) >> piece) & 1))
		return 0;
	for (k = piece + 1; k < TINY_BLOCK; k++)
		if (starts & (1U << k))
			return k - piece;
	return end - piece;
}
