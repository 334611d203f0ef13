/* SPDX-License-Identifier: MIT */
/*
 * memmap_model.h - a shadow model of a memory map, shared by the unit
 * test (tests/memmap_test.c) and the fuzz harness (fuzz/memmap_fuzz.c).
 *
 * The model is a window of MODEL_WIN bytes cut into MODEL_UNIT-byte
 * granules, each holding the type that covers it (0: a hole). It applies
 * the rules of a sanitized map written out naively: paint by rank for
 * memmap_add() + memmap_sanitize(), paint by force for
 * memmap_set_range(), then read back runs, usable ones trimmed inward to
 * whole frames. Boundaries given to the map must lie on granules.
 *
 * State: one model (model[]); single-threaded.
 */
#ifndef KMA_MEMMAP_MODEL_H
#define KMA_MEMMAP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <kma/memmap.h>

#define MODEL_WIN	0x10000		/* the window: 16 frames */
#define MODEL_UNIT	16		/* granule: boundaries are on it */
#define MODEL_NU	(MODEL_WIN / MODEL_UNIT)

/* The rank of @type (0 for a type the map does not know). */
unsigned int model_rank(uint32_t type);

/* @type as the map stores it: unknown types become MEMMAP_RESERVED. */
uint32_t model_norm(uint32_t type);

/* Empty the model (all holes). */
void model_reset(void);

/* Paint bytes [lo, hi) of the window with @type by rank, or forced. */
void model_paint(uint64_t lo, uint64_t hi, uint32_t type, bool force);

/*
 * The expected map of the window [win, win + limit) into @out (room for
 * MODEL_NU entries at worst); @trim: usable runs trimmed to frames.
 * Returns the number of entries.
 */
size_t model_expect(struct memmap_region *out, phys_addr_t win,
		    uint64_t limit, bool trim);

/*
 * Make the model what memmap_set_range(win + lo, hi - lo, type) makes of
 * a sanitized map: [lo, hi) painted by force, then usable frames that
 * another type or a hole cuts dropped for good. @scratch: as for
 * model_expect().
 */
void model_set_range(uint64_t lo, uint64_t hi, uint32_t type,
		     phys_addr_t win, uint64_t limit,
		     struct memmap_region *scratch);

/* Reload the model from the entries @r[0..n) of a map of window @win. */
void model_load(const struct memmap_region *r, size_t n, phys_addr_t win);

/* Order *@a and *@b, then clamp both to @limit (an empty range stays). */
void model_range(uint64_t *a, uint64_t *b, uint64_t limit);

/* The type of byte @off of the window. */
uint32_t model_at(uint64_t off);

#endif
