// SPDX-License-Identifier: MIT
/*
 * frame_check.c - why a free was refused, the zone validator, statistics
 * and the buddyinfo-style dump.
 *
 * Owns the validator's tallies (vstate_buf, guarded by vstate_lock,
 * taken before the zone lock: kept off the stack, where they would take
 * over 700 bytes). Everything else reads a zone: the report path with the
 * zone lock held (called from frame.c and frame_pcp.c), the validator on
 * a quiescent zone, the statistics taking each cache lock and then the
 * zone lock.
 *
 * Every refused free is classified from the out-of-band state alone, in
 * this order, and reported once:
 *   not a frame address              MM_ERR_MISALIGNED
 *   order above max / run of 0       MM_ERR_BAD_SIZE
 *   outside the zone's span          MM_ERR_INVALID_FREE (never managed)
 *   frame not aligned to the order   MM_ERR_MISALIGNED
 *   frame in no block                MM_ERR_RESERVED (hole, kernel, ...)
 *   frame in a FREE or CACHED block  MM_ERR_DOUBLE_FREE
 *   frame inside a block, not head   MM_ERR_INTERIOR_FREE (tail frame)
 *   head with another order          MM_ERR_WRONG_ORDER
 *   run freed as block, or back      MM_ERR_INVALID_FREE
 *   run freed from a later piece     MM_ERR_INTERIOR_FREE
 *   run with another length          MM_ERR_BAD_SIZE
 */
#include <kma/port.h>
#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include <kma/div64.h>
#include "frame_internal.h"

/*
 * The block holding @pfn: its head's meta byte (0 if the frame is in no
 * block), with *head set. A block's head is @pfn aligned down to the
 * block's order, so orders 0 .. MAX are tried.
 */
static uint8_t frame_lookup(struct frame_zone *z, uint64_t pfn,
			    uint64_t *head)
{
	uint64_t blk = pfn_block(z, pfn);
	unsigned int k;

	if (!bit_test(z->inited, blk)) {
		*head = z->base_pfn + (blk << MAX_ORDER);
		return bit_test(z->free_max, blk) ? META_FREE | MAX_ORDER : 0;
	}
	for (k = 0; k <= MAX_ORDER; k++) {
		uint64_t h = pfn & ~((1ULL << k) - 1);
		uint8_t v = meta_get(z, h);

		if (v && (v & META_ORDER_MASK) == k) {
			*head = h;
			return v;
		}
	}
	return 0;
}

static const char *frame_place(struct frame_zone *z, uint64_t pfn)
{
	return memmap_type_name(memmap_type_at(&z->map,
					       (phys_addr_t)pfn << FRAME_SHIFT));
}

/* Classify a refused free of the block (@pfn, @order) and report it. */
static void report_block(struct frame_zone *z, const char *what, uint64_t pfn,
			 unsigned int order, bool run)
{
	unsigned long long pa = (unsigned long long)pfn << FRAME_SHIFT;
	uint64_t head = 0;
	uint8_t v = frame_lookup(z, pfn, &head);
	unsigned int k = v & META_ORDER_MASK;
	unsigned long long hpa = (unsigned long long)head << FRAME_SHIFT;

	switch (v & META_KIND_MASK) {
	case 0:
		if (!memmap_type_at(&z->map, pa))
			mm_report(MM_ERR_RESERVED, pa, 0, "%s: frame is in a "
				  "hole, not managed", what);
		else
			mm_report(MM_ERR_RESERVED, pa,
				  memmap_type_at(&z->map, pa), "%s: frame is "
				  "%s memory, not managed", what,
				  frame_place(z, pfn));
		return;
	case META_FREE:
		mm_report(MM_ERR_DOUBLE_FREE, pa, k, "%s: already free (free "
			  "block 0x%llx, order %u)", what, hpa, k);
		return;
	case META_CACHED:
		mm_report(MM_ERR_DOUBLE_FREE, pa, 0, "%s: already free (in a "
			  "CPU frame cache)", what);
		return;
	}
	if (head != pfn) {
		mm_report(MM_ERR_INTERIOR_FREE, pa, k, "%s: tail frame of the "
			  "%s at 0x%llx (order %u)", what,
			  (v & META_KIND_MASK) == META_RUN ? "run piece" :
			  "block", hpa, k);
	} else if ((v & META_KIND_MASK) == META_RUN && !run) {
		mm_report(MM_ERR_INVALID_FREE, pa, k, "%s: frame belongs to a "
			  "run; free it with frame_free_run()", what);
	} else if ((v & META_KIND_MASK) == META_RUN &&
		   !(v & META_RUN_START)) {
		mm_report(MM_ERR_INTERIOR_FREE, pa, k, "%s: frame is inside "
			  "a run, not its start", what);
	} else if ((v & META_KIND_MASK) == META_ALLOC && run) {
		mm_report(MM_ERR_INVALID_FREE, pa, k, "%s: block came from "
			  "frame_alloc(), not frame_alloc_run()", what);
	} else if (k != order) {
		mm_report(MM_ERR_WRONG_ORDER, pa, k, "%s: block was allocated "
			  "with order %u", what, k);
	} else {
		mm_report(MM_ERR_CORRUPT, pa, v, "%s: state 0x%x changed "
			  "during the free", what, v);
	}
}

static void report_run(struct frame_zone *z, const char *what, uint64_t pfn,
		       uint64_t nr)
{
	unsigned long long pa = (unsigned long long)pfn << FRAME_SHIFT;
	unsigned int o = 0;
	uint64_t bad = PFN_NONE;

	if (nr <= z->nr_frames - (pfn - z->base_pfn))
		bad = run_mismatch(z, pfn, nr, &o);
	if (bad == pfn) {
		report_block(z, what, pfn, o, true);
		return;
	}
	mm_report(MM_ERR_BAD_SIZE, pa, nr, "%s: length does not match the "
		  "run allocated there", what);
}

/**
 * __frame_report_bad_free - classify and report a refused free.
 * @z: the zone, lock held.
 * @pa: the address given.
 * @nr_or_order: the order given (frame_free), or the length (run).
 * @run: whether the call was frame_free_run().
 */
void __frame_report_bad_free(struct frame_zone *z, phys_addr_t pa,
			     uint64_t nr_or_order, bool run)
{
	unsigned long long a = (unsigned long long)pa;
	uint64_t pfn = pa >> FRAME_SHIFT;
	char what[64];

	if (run)
		mm_snprintf(what, sizeof(what), "frame_free_run(0x%llx, %llu)",
			    a, (unsigned long long)nr_or_order);
	else
		mm_snprintf(what, sizeof(what), "frame_free(0x%llx, %llu)", a,
			    (unsigned long long)nr_or_order);
	if (pa & (FRAME_SIZE - 1))
		mm_report(MM_ERR_MISALIGNED, pa, nr_or_order,
			  "%s: not a frame address", what);
	else if (run ? !nr_or_order : nr_or_order > MAX_ORDER)
		mm_report(MM_ERR_BAD_SIZE, pa, nr_or_order, "%s: %s", what,
			  run ? "0 frames" : "order above 10");
	else if (!pfn_in_zone(z, pfn))
		mm_report(MM_ERR_INVALID_FREE, pa, nr_or_order, "%s: address "
			  "never managed by this allocator", what);
	else if (!run && (pfn & ((1ULL << nr_or_order) - 1)))
		mm_report(MM_ERR_MISALIGNED, pa, nr_or_order, "%s: frame not "
			  "aligned to its order", what);
	else if (run)
		report_run(z, what, pfn, nr_or_order);
	else
		report_block(z, what, pfn, (unsigned int)nr_or_order, false);
}

/* ------------------------------------------------------------ validate */

struct vstate {
	struct frame_zone *z;
	unsigned int problems;
	uint64_t heads[META_KIND_MASK >> 4][MAX_ORDER + 1];
	uint64_t frames[META_KIND_MASK >> 4];
};

#define VFAIL(v, pfn, ...)						\
	do {								\
		(v)->problems++;					\
		mm_report(MM_ERR_CORRUPT, (uintptr_t)(pfn) << FRAME_SHIFT,\
			  0, "frame: validate: " __VA_ARGS__);		\
	} while (0)

static bool v_usable(struct frame_zone *z, uint64_t pfn)
{
	return memmap_type_at(&z->map, (phys_addr_t)pfn << FRAME_SHIFT) ==
	       MEMMAP_USABLE;
}

static void v_lists(struct vstate *v)
{
	struct frame_zone *z = v->z;
	unsigned int o;

	for (o = 0; o < MAX_ORDER; o++) {
		struct frame_node *h = &z->free_list[o], *n;
		uint64_t count = 0;

		for (n = h->next; n != h && count <= z->nr_frames;
		     n = n->next, count++) {
			uint64_t pfn = port_virt_to_phys(n) >> FRAME_SHIFT;

			if (!pfn_in_zone(z, pfn) || !block_inited(z, pfn) ||
			    meta_get(z, pfn) != (META_FREE | o) ||
			    n->next->prev != n) {
				VFAIL(v, pfn, "bad node 0x%llx on list %u",
				      (unsigned long long)pfn << FRAME_SHIFT,
				      o);
				break;
			}
		}
		if (count != z->nr_free[o])
			VFAIL(v, 0, "list %u holds %llu blocks, count says "
			      "%llu", o, (unsigned long long)count,
			      (unsigned long long)z->nr_free[o]);
	}
}

/* A block whose meta bytes were never zeroed. */
static void v_block_raw(struct vstate *v, uint64_t blk)
{
	struct frame_zone *z = v->z;
	uint64_t first = z->base_pfn + (blk << MAX_ORDER), i;
	bool free = bit_test(z->free_max, blk);

	for (i = 0; i < BLOCK_FRAMES; i++)
		if (v_usable(z, first + i) != free) {
			VFAIL(v, first + i, "raw block 0x%llx: frame 0x%llx "
			      "is %s but the block is %s",
			      (unsigned long long)first << FRAME_SHIFT,
			      (unsigned long long)(first + i) << FRAME_SHIFT,
			      frame_place(z, first + i),
			      free ? "free" : "unmanaged");
			return;
		}
	if (free) {
		v->heads[META_FREE >> 4][MAX_ORDER]++;
		v->frames[META_FREE >> 4] += BLOCK_FRAMES;
	}
}

static void v_block(struct vstate *v, uint64_t blk)
{
	struct frame_zone *z = v->z;
	uint64_t first = z->base_pfn + (blk << MAX_ORDER), i = 0, j;

	if (bit_test(z->free_max, blk) &&
	    meta_get(z, first) != (META_FREE | MAX_ORDER))
		VFAIL(v, first, "free max block 0x%llx has head 0x%x",
		      (unsigned long long)first << FRAME_SHIFT,
		      meta_get(z, first));
	while (i < BLOCK_FRAMES) {
		uint8_t m = meta_get(z, first + i);
		unsigned int o = m & META_ORDER_MASK;
		unsigned int kind = (m & META_KIND_MASK) >> 4;

		if (!m) {
			if (v_usable(z, first + i))
				VFAIL(v, first + i, "usable frame 0x%llx is "
				      "in no block", (unsigned long long)
				      (first + i) << FRAME_SHIFT);
			i++;
			continue;
		}
		if (kind < 1 || kind > (META_RUN >> 4) || o > MAX_ORDER ||
		    (i & ((1ULL << o) - 1)) ||
		    (kind == (META_CACHED >> 4) && o) ||
		    ((m & META_RUN_START) && kind != (META_RUN >> 4))) {
			VFAIL(v, first + i, "bad head 0x%x at 0x%llx", m,
			      (unsigned long long)(first + i) << FRAME_SHIFT);
			i++;
			continue;
		}
		for (j = 0; j < (1ULL << o); j++) {
			if (j && meta_get(z, first + i + j))
				VFAIL(v, first + i + j, "block 0x%llx order "
				      "%u overlaps a head", (unsigned long long)
				      (first + i) << FRAME_SHIFT, o);
			if (!v_usable(z, first + i + j))
				VFAIL(v, first + i + j, "block 0x%llx covers "
				      "%s frame", (unsigned long long)
				      (first + i) << FRAME_SHIFT,
				      frame_place(z, first + i + j));
		}
		v->heads[kind][o]++;
		v->frames[kind] += 1ULL << o;
		i += 1ULL << o;
	}
}

static void v_caches(struct vstate *v)
{
	struct frame_zone *z = v->z;
	unsigned int cpu, i;

	for (cpu = 0; cpu < z->nr_cpus; cpu++)
		for (i = 0; i < z->pcp[cpu].count; i++) {
			uint64_t pfn = z->pcp[cpu].pfns[i];

			if (!pfn_in_zone(z, pfn) || !block_inited(z, pfn) ||
			    meta_get(z, pfn) != META_CACHED)
				VFAIL(v, pfn, "cpu %u cache holds 0x%llx, not "
				      "a cached frame", cpu,
				      (unsigned long long)pfn << FRAME_SHIFT);
		}
}

static void v_totals(struct vstate *v, uint64_t cached)
{
	struct frame_zone *z = v->z;
	const struct memmap_region *r;
	uint64_t usable = 0, in_lists = 0, popc = 0, w;
	unsigned int o;

	for_each_memmap_region(&z->map, r)
		if (r->type == MEMMAP_USABLE)
			usable += r->size >> FRAME_SHIFT;
	for (o = 0; o <= MAX_ORDER; o++) {
		in_lists += z->nr_free[o] << o;
		if (v->heads[META_FREE >> 4][o] != z->nr_free[o])
			VFAIL(v, 0, "%llu free heads of order %u, count says "
			      "%llu", (unsigned long long)
			      v->heads[META_FREE >> 4][o], o,
			      (unsigned long long)z->nr_free[o]);
	}
	for (w = 0; w < z->nr_words; w++)
		popc += kma_popcount(z->free_max[w]);
	if (popc != z->nr_free[MAX_ORDER])
		VFAIL(v, 0, "free_max has %llu bits, count says %llu",
		      (unsigned long long)popc,
		      (unsigned long long)z->nr_free[MAX_ORDER]);
	if (in_lists != z->free_frames)
		VFAIL(v, 0, "free_frames %llu != sum of lists %llu",
		      (unsigned long long)z->free_frames,
		      (unsigned long long)in_lists);
	if (v->frames[META_CACHED >> 4] != cached)
		VFAIL(v, 0, "%llu cached frames, caches hold %llu",
		      (unsigned long long)v->frames[META_CACHED >> 4],
		      (unsigned long long)cached);
	if (z->managed != usable ||
	    z->managed != z->free_frames + cached +
			  v->frames[META_ALLOC >> 4] +
			  v->frames[META_RUN >> 4])
		VFAIL(v, 0, "managed %llu, usable in map %llu, free %llu + "
		      "cached %llu + allocated %llu + runs %llu",
		      (unsigned long long)z->managed,
		      (unsigned long long)usable,
		      (unsigned long long)z->free_frames,
		      (unsigned long long)cached,
		      (unsigned long long)v->frames[META_ALLOC >> 4],
		      (unsigned long long)v->frames[META_RUN >> 4]);
}

/**
 * frame_zone_validate - check every invariant of a quiescent zone.
 * @z: the zone; nothing may allocate or free in it meanwhile.
 *
 * O(frames of the span x log map entries). Problems are reported as
 * %MM_ERR_CORRUPT.
 *
 * Return: number of problems.
 */
static struct vstate vstate_buf;
static spinlock_t vstate_lock = SPINLOCK_INIT("frame-validate");

unsigned int frame_zone_validate(struct frame_zone *z)
{
	struct vstate *v = &vstate_buf;
	uint64_t blk, cached = zone_cache_counts(z, NULL, NULL);
	unsigned long vflags, flags;
	unsigned int problems;
	volatile uint64_t *w = (volatile uint64_t *)v;

	vflags = spin_lock_irqsave(&vstate_lock);
	/* No memset in a kernel: clear by hand. */
	for (blk = 0; blk < sizeof(*v) / 8; blk++)
		w[blk] = 0;
	v->z = z;
	flags = zone_lock_irqsave(z);

	v_lists(v);
	for (blk = 0; blk < z->nr_blocks; blk++) {
		if (bit_test(z->inited, blk))
			v_block(v, blk);
		else
			v_block_raw(v, blk);
	}
	v_caches(v);
	v_totals(v, cached);
	zone_unlock_irqrestore(z, flags);
	problems = v->problems;
	spin_unlock_irqrestore(&vstate_lock, vflags);
	return problems;
}

/* ------------------------------------------------------------ stats */

/**
 * frame_zone_get_stats - snapshot the counters of @z.
 * @z: the zone.
 * @st: filled in (approximate while other CPUs run).
 */
void frame_zone_get_stats(struct frame_zone *z, struct frame_stats *st)
{
	uint64_t refills, drains;
	uint64_t cached = zone_cache_counts(z, &refills, &drains);
	unsigned long flags = zone_lock_irqsave(z);
	unsigned int o;

	st->managed = z->managed;
	st->free = z->free_frames + cached;
	st->cached = cached;
	for (o = 0; o <= MAX_ORDER; o++)
		st->per_order[o] = z->nr_free[o];
	st->metadata_bytes = z->metadata_bytes;
	st->span_frames = z->nr_frames;
	st->inited_blocks = z->inited_blocks;
	st->zone_locks = z->zone_locks;
	st->pcp_refills = refills;
	st->pcp_drains = drains;
	zone_unlock_irqrestore(z, flags);
}

/**
 * frame_zone_dump - print @z's counts like /proc/buddyinfo, with totals
 * and metadata overhead.
 * @z: the zone.
 */
void frame_zone_dump(struct frame_zone *z)
{
	struct frame_stats st;
	char line[160];
	uint64_t per_gib, ppm, pct, frac;
	unsigned int o;
	int n;

	frame_zone_get_stats(z, &st);
	mm_printf("frame: span 0x%llx-0x%llx (%llu frames), managed %llu "
		  "frames (%llu MiB)\n",
		  (unsigned long long)z->base_pfn << FRAME_SHIFT,
		  (unsigned long long)(z->base_pfn + z->nr_frames)
			  << FRAME_SHIFT,
		  (unsigned long long)st.span_frames,
		  (unsigned long long)st.managed,
		  (unsigned long long)(st.managed >> (20 - FRAME_SHIFT)));
	mm_printf("frame: free %llu frames (%llu in CPU caches), in use %llu\n",
		  (unsigned long long)st.free, (unsigned long long)st.cached,
		  (unsigned long long)(st.managed - st.free));
	n = mm_snprintf(line, sizeof(line), "frame: free blocks by order:");
	for (o = 0; o <= MAX_ORDER && n < (int)sizeof(line); o++)
		n += mm_snprintf(line + n, sizeof(line) - n, " %llu",
				 (unsigned long long)st.per_order[o]);
	mm_printf("%s\n", line);
	per_gib = st.managed ? kma_div64(st.metadata_bytes * (1ULL << 30),
					 st.managed << FRAME_SHIFT, NULL) : 0;
	ppm = st.managed ? kma_div64(st.metadata_bytes * 1000000ULL,
				     st.managed << FRAME_SHIFT, NULL) : 0;
	pct = kma_div64(ppm, 10000, &frac);
	mm_printf("frame: metadata %llu KiB at 0x%llx: %llu bytes per GiB "
		  "managed (%llu.%04llu%%)\n",
		  (unsigned long long)st.metadata_bytes >> 10,
		  (unsigned long long)z->meta_base,
		  (unsigned long long)per_gib, (unsigned long long)pct,
		  (unsigned long long)frac);
	mm_printf("frame: zone lock taken %llu times, %llu cache refills, "
		  "%llu cache drains\n", (unsigned long long)st.zone_locks,
		  (unsigned long long)st.pcp_refills,
		  (unsigned long long)st.pcp_drains);
}
