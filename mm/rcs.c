// SPDX-License-Identifier: MIT
/*
 * rcs.c - restartable per-CPU sections: the fast paths' way to stay
 * correct under interrupts without masking them (a KMA_RCS build; see
 * port.h).
 *
 * kmalloc()'s pop from this CPU's object cache and kfree()'s push on it
 * are each a short instruction sequence from the port's inline header
 * (port_rcs_pop(), port_rcs_push()): it finds this CPU's row, reads the
 * cache's top and bound, and publishes with one store of top, its last
 * instruction. Everything before that store either writes nothing or
 * writes what a redo writes again (the push's tag in the object it
 * frees, and the slot above top). So an interrupt that lands inside a
 * sequence is harmless if the sequence starts over after it: whatever
 * the handler did to the cache (a pop, a push, a refill, a drain that
 * replaces the slot array) is read afresh. kma_rcs_fixup(), called by the
 * kernel's interrupt entry, moves the saved PC back to the sequence's
 * first instruction. The same holds if the interrupt switches tasks and
 * the task resumes on another CPU: the redo reads the new CPU's row.
 *
 * The sequences list themselves, one {start, end} pair per copy the
 * compiler emits, in the section "kma_rcs"; the linker gathers them
 * between __start_kma_rcs and __stop_kma_rcs. A PC equal to end (the
 * publishing store done) is left alone.
 *
 * Owns: rcs_restarts, the count of sequences sent back (atomic; read by
 * kmalloc_get_stats()). No lock: kma_rcs_fixup() runs in interrupt
 * entry and reads only the read-only table.
 */
#include <kma/port.h>
#include "heap.h"

unsigned long rcs_restarts;

#ifdef KMA_RCS
struct rcs_entry {
	uintptr_t start;
	uintptr_t end;
};

extern const struct rcs_entry __start_kma_rcs[], __stop_kma_rcs[];

bool kma_rcs_fixup(uintptr_t *pc)
{
	const struct rcs_entry *e;
	uintptr_t v = *pc;

	for (e = __start_kma_rcs; e < __stop_kma_rcs; e++) {
		if (v - e->start < e->end - e->start) {
			*pc = e->start;
			__atomic_fetch_add(&rcs_restarts, 1, __ATOMIC_RELAXED);
			return true;
		}
	}
	return false;
}

/**
 * rcs_section - where restartable section @i of this build lies, for the
 * tests.
 * @i: index, from 0.
 * @start: set to its first instruction.
 * @end: set to the address after its publishing store.
 *
 * Return: false if there is no section @i.
 */
bool rcs_section(unsigned int i, uintptr_t *start, uintptr_t *end)
{
	if (i >= (size_t)(__stop_kma_rcs - __start_kma_rcs))
		return false;
	*start = __start_kma_rcs[i].start;
	*end = __start_kma_rcs[i].end;
	return true;
}
#else
bool kma_rcs_fixup(uintptr_t *pc)
{
	(void)pc;
	return false;
}

bool rcs_section(unsigned int i, uintptr_t *start, uintptr_t *end)
{
	(void)i;
	(void)start;
	(void)end;
	return false;
}
#endif
