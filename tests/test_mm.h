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

/* test_mm_quiesce(), then the frame allocator's free frame count. */
uint64_t test_mm_free_frames(void);

#endif
