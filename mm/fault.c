// SPDX-License-Identifier: MIT
/*
 * fault.c - fail-nth fault injection (see fault.h).
 *
 * Owns: fail_nth (the armed n, 0 when off), fail_after (fail every site
 * after the n-th too), fail_site (the kind of site counted, MM_FAULT_NR
 * for all), fail_reached (sites counted since arming) and fail_hits[]
 * (failures injected per site). All are atomics: any CPU may reach a site, with or without locks held.
 */
#include "fault.h"

#ifdef KMA_FAULT_INJECT
static uint64_t fail_nth, fail_reached;
static bool fail_after;
static unsigned int fail_site = MM_FAULT_NR;
static uint64_t fail_hits[MM_FAULT_NR];

bool mm_fault(enum mm_fault_site site)
{
	uint64_t n = __atomic_load_n(&fail_nth, __ATOMIC_RELAXED), r;
	unsigned int only = __atomic_load_n(&fail_site, __ATOMIC_RELAXED);

	if (!n || (only != MM_FAULT_NR && only != site))
		return false;
	r = __atomic_add_fetch(&fail_reached, 1, __ATOMIC_RELAXED);
	if (r != n && !(r > n && __atomic_load_n(&fail_after, __ATOMIC_RELAXED)))
		return false;
	__atomic_fetch_add(&fail_hits[site], 1, __ATOMIC_RELAXED);
	return true;
}

void mm_fault_set_nth_at(enum mm_fault_site site, uint64_t n,
			 bool every_after)
{
	__atomic_store_n(&fail_nth, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_reached, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_after, every_after, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_site, (unsigned int)site, __ATOMIC_RELAXED);
	__atomic_store_n(&fail_nth, n, __ATOMIC_RELAXED);
}

void mm_fault_set_nth(uint64_t n, bool every_after)
{
	mm_fault_set_nth_at(MM_FAULT_NR, n, every_after);
}

uint64_t mm_fault_reached(void)
{
	return __atomic_load_n(&fail_reached, __ATOMIC_RELAXED);
}

uint64_t mm_fault_injected(enum mm_fault_site site)
{
	return __atomic_load_n(&fail_hits[site], __ATOMIC_RELAXED);
}
#endif
