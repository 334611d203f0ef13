/* SPDX-License-Identifier: MIT */
/*
 * test_mm.h - helpers for tests that account for every frame the heap
 * uses: bring the heap to a quiet state and count free frames.
 */
#ifndef KMA_TEST_MM_H
#define KMA_TEST_MM_H

#include <stdint.h>

/* Drain this CPU's caches, sweep every class, give everything back. */
void test_mm_quiesce(void);

/*
 * test_mm_quiesce(), then the frame allocator's free frame count, plus
 * the metadata frames (span descriptors, tiny-block state) held only
 * because live descriptors are spread over more frames than they fill:
 * which frame a long-lived descriptor sits in depends on the order of
 * earlier frees, not on a leak, and such a frame comes back as soon as
 * its last descriptor does. A leaked span still counts: its pages stay
 * in use (and the validator checks the descriptors).
 */
uint64_t test_mm_free_frames(void);

struct ktest;

/*
 * The debug options chosen at start (@spec, as kma.debug= or KMA_DEBUG=
 * gave them, or NULL) are the ones in force, and with a quarantine a
 * freed object does not come back at once; then the mode goes off
 * (tests/debug_test.c).
 */
void test_debug_start_options(struct ktest *t, const char *spec);

/*
 * The guard interval chosen at start (kma.guard=) is @interval (0: off),
 * and with it on, of allocations held at once, two guarded ones are about
 * @interval apart; then sampling goes off (tests/guard_test.c).
 */
void test_guard_start_option(struct ktest *t, unsigned int interval);

#endif
