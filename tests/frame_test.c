// SPDX-License-Identifier: MIT
/*
 * frame_test.c - the frame allocator (mm/frame*.c) on zones of its own.
 *
 * Each case borrows 8 MiB (frame_testlib.h), lays a map with holes and
 * reservations over it and builds a zone. Expected counts come from the
 * test's own arithmetic over the map it wrote, and every frame handed out
 * is checked against that map and against an ownership bitmap, so a frame
 * given twice, a reserved frame handed out or a lost frame all fail.
 * Every case gives its memory back; the global allocator's free count is
 * compared before and after the suite's cases.
 */
#include <ktest.h>
#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include "test_report.h"
#include "frame_testlib.h"

#define NF		TMEM_MAX_FRAMES
#define FS		FRAME_SIZE
#define BLOCK_FRAMES_T	(1ULL << FRAME_MAX_ORDER)

static struct tmem tm;
static uint64_t owned[NF / 64];
static phys_addr_t live_pa[NF];
static uint8_t live_order[NF];
static struct frame_stats global_before;

static struct ktest_rng rng = { 0x2545f4914f6cdd1dULL };

static uint64_t rnd(void)
{
	return ktest_rand(&rng);
}

static void own_reset(void)
{
	size_t i;

	for (i = 0; i < NF / 64; i++)
		owned[i] = 0;
}

/* Check a fresh block: aligned, all frames usable in the map, unowned. */
static bool take_block(struct ktest *t, phys_addr_t pa, unsigned int order)
{
	size_t i, n = (size_t)1 << order;

	if (pa & ((FS << order) - 1)) {
		ktest_fail(t, __FILE__, __LINE__, "0x%llx not aligned to "
			   "order %u", (unsigned long long)pa, order);
		return false;
	}
	if (pa < tm.base || pa + (FS << order) > tm.base + tm.frames * FS) {
		ktest_fail(t, __FILE__, __LINE__, "0x%llx outside the test "
			   "memory", (unsigned long long)pa);
		return false;
	}
	for (i = 0; i < n; i++) {
		size_t f = tmem_idx(&tm, pa) + i;

		if (!tmem_usable(&tm, pa + i * FS)) {
			ktest_fail(t, __FILE__, __LINE__, "frame 0x%llx is "
				   "%s", (unsigned long long)(pa + i * FS),
				   memmap_type_name(memmap_type_at(&tm.map,
							pa + i * FS)));
			return false;
		}
		if (owned[f / 64] & (1ULL << (f % 64))) {
			ktest_fail(t, __FILE__, __LINE__, "frame 0x%llx "
				   "handed out twice",
				   (unsigned long long)(pa + i * FS));
			return false;
		}
		owned[f / 64] |= 1ULL << (f % 64);
	}
	return true;
}

static void drop_block(phys_addr_t pa, unsigned int order)
{
	size_t i, f = tmem_idx(&tm, pa);

	for (i = 0; i < ((size_t)1 << order); i++, f++)
		owned[f / 64] &= ~(1ULL << (f % 64));
}

static int frame_suite_init(struct ktest *t)
{
	frame_drain_all();
	frame_get_stats(&global_before);
	own_reset();
	if (!tmem_get(&tm, NF)) {
		ktest_log(t, "cannot borrow %u frames of test memory", NF);
		return -1;
	}
	return 0;
}

static void frame_suite_exit(struct ktest *t)
{
	struct frame_stats after;

	tmem_put(&tm);
	frame_drain_all();
	frame_get_stats(&after);
	/* The global allocator got every borrowed frame back. */
	KT_EXPECT_EQ(t, after.managed, global_before.managed);
	KT_EXPECT_EQ(t, after.free, global_before.free);
}

/* Usable frames of the standard map, counted by hand. */
static uint64_t std_map_usable(void)
{
	uint64_t low = TMAP_HOLE / FS - 3 - 5;		/* reserved, kernel */
	uint64_t high = (NF * FS - TMAP_HOLE - 0x40000) / FS - 1; /* bad */

	return low + high;
}

static uint64_t metadata_frames(const struct memmap *m)
{
	return memmap_total(m, MEMMAP_METADATA) / FS;
}

static void test_frame_std_zone(struct ktest *t)
{
	struct frame_stats st;

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	/* One METADATA entry, carved from usable memory, whole frames. */
	KT_EXPECT_GT(t, metadata_frames(&tm.map), 0);
	KT_EXPECT_EQ(t, tm.boot.managed,
		     std_map_usable() - metadata_frames(&tm.map));
	KT_EXPECT_EQ(t, tm.boot.free, tm.boot.managed);
	KT_EXPECT_EQ(t, tm.boot.cached, 0);
	KT_EXPECT_EQ(t, tm.boot.span_frames, NF);
	/* Lazy init: at most two partial blocks per usable region (5). */
	KT_EXPECT_LE(t, tm.boot.inited_blocks, 2 * 5);
	/* At most 0.2% of the managed memory plus the fixed CPU caches. */
	KT_EXPECT_LE(t, tm.boot.metadata_bytes, tm.boot.managed * FS / 500 +
		     PORT_MAX_CPUS * 1152 + 8192);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
	frame_zone_dump(tm.z);
}

/* Free blocks of order >= @o at boot, in blocks of order @o. */
static uint64_t fill_expect(const struct frame_stats *s, unsigned int o)
{
	uint64_t n = 0;
	unsigned int k;

	for (k = o; k <= FRAME_MAX_ORDER; k++)
		n += s->per_order[k] << (k - o);
	return n;
}

static uint64_t fill(struct ktest *t, unsigned int order)
{
	uint64_t n = 0;
	phys_addr_t pa;

	while ((pa = frame_zone_alloc(tm.z, order)) != FRAME_NONE) {
		if (n >= NF || !take_block(t, pa, order))
			break;
		live_pa[n++] = pa;
	}
	return n;
}

static void unfill(uint64_t n, unsigned int order)
{
	while (n--) {
		drop_block(live_pa[n], order);
		frame_zone_free(tm.z, live_pa[n], order);
	}
}

/*
 * A map marked with memmap_set_range() after sanitizing, off frame
 * boundaries, goes to the allocator as it is (no second sanitize): no
 * frame holding a reserved byte is ever handed out.
 */
static void test_frame_set_range_unaligned(struct ktest *t)
{
	static const uint64_t rsv[][2] = {
		{ 0x4100, 0x80 }, { 0x7ff8, 0x10 }, { 0x20000, 0x1 },
		{ 0x31fff, 0x2 },
	};
	struct frame_stats st;
	phys_addr_t pa;
	uint64_t n = 0, bad = 0;
	unsigned int i;

	tmem_map_reset(&tm);
	tmem_add(&tm, 0, 0x40000, MEMMAP_USABLE);
	KT_ASSERT_EQ(t, memmap_sanitize(&tm.map), 0);
	for (i = 0; i < sizeof(rsv) / sizeof(rsv[0]); i++)
		KT_ASSERT_EQ(t, memmap_set_range(&tm.map, tm.base + rsv[i][0],
						 rsv[i][1], MEMMAP_RESERVED),
			     0);
	tm.z = frame_zone_create(&tm.map);
	KT_ASSERT_NOT_NULL(t, tm.z);
	frame_zone_get_stats(tm.z, &st);
	while ((pa = frame_zone_alloc(tm.z, 0)) != FRAME_NONE) {
		for (i = 0; i < sizeof(rsv) / sizeof(rsv[0]); i++)
			if (pa < tm.base + rsv[i][0] + rsv[i][1] &&
			    pa + FS > tm.base + rsv[i][0])
				bad++;
		n++;
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, n, st.free);
	/* 64 frames less the 6 that hold reserved bytes, less those the
	 * zone carved for its metadata. */
	KT_EXPECT_EQ(t, st.managed + (st.metadata_bytes + FS - 1) / FS, 58);
}

/*
 * A run longer than a max-order block where no two whole blocks are free
 * comes from the scan of free stretches; it is still aligned to the
 * largest power of two dividing its length (found by fuzzing: 1920
 * frames came back at the top of a stretch, aligned to 32 KiB only).
 */
static void test_frame_run_scan_aligned(struct ktest *t)
{
	static const uint64_t rsv[] = { 5, 2100, 3000, 3500 };
	phys_addr_t pa;
	unsigned int i;

	KT_ASSERT_GE(t, tm.frames, 4096);
	tmem_map_reset(&tm);
	tmem_add(&tm, 0, 4096 * FS, MEMMAP_USABLE);
	for (i = 0; i < 4; i++)
		tmem_add(&tm, rsv[i] * FS, FS, MEMMAP_RESERVED);
	KT_ASSERT(t, tmem_zone(&tm));
	pa = frame_zone_alloc_run(tm.z, 1920);
	KT_ASSERT_NE(t, pa, FRAME_NONE);
	KT_EXPECT_EQ(t, (pa - tm.base) % (128 * FS), 0);
	KT_EXPECT_EQ(t, pa % (128 * FS), 0);
	frame_zone_free_run(tm.z, pa, 1920);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
}

static void test_frame_exhaust_every_order(struct ktest *t)
{
	struct frame_stats st;
	unsigned int o;

	/* One whole 4 MiB block, so that order 10 is served too. */
	tmem_map_reset(&tm);
	tmem_add(&tm, 0, 4 << 20, MEMMAP_USABLE);
	tmem_add(&tm, (4 << 20) + 0x3000, (4 << 20) - 0x3000 - 0x700,
		 MEMMAP_USABLE);
	tmem_add(&tm, (5 << 20) + 0x123, 0x2000, MEMMAP_KERNEL);
	KT_ASSERT(t, tmem_zone(&tm));
	KT_ASSERT_GE(t, tm.boot.per_order[FRAME_MAX_ORDER], 1);
	for (o = 0; o <= FRAME_MAX_ORDER; o++) {
		uint64_t n1, n2;

		n1 = fill(t, o);
		frame_zone_get_stats(tm.z, &st);
		KT_EXPECT_EQ(t, n1, fill_expect(&tm.boot, o));
		if (!o) {
			KT_EXPECT_EQ(t, n1, tm.boot.managed);
			KT_EXPECT_EQ(t, st.free, 0);
		}
		KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
		unfill(n1, o);
		frame_zone_drain_all(tm.z);
		frame_zone_get_stats(tm.z, &st);
		KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
		/* A second fill reaches the same count. */
		n2 = fill(t, o);
		KT_EXPECT_EQ(t, n2, n1);
		unfill(n2, o);
		frame_zone_drain_all(tm.z);
		frame_zone_get_stats(tm.z, &st);
		KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
		KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	}
}

/* Pattern in the first and last word of each frame of a block. */
static void stamp(phys_addr_t pa, unsigned int order, bool check,
		  unsigned int *bad)
{
	size_t i;

	for (i = 0; i < ((size_t)1 << order); i++) {
		uint64_t *w = port_phys_to_virt(pa + i * FS);
		uint64_t v = (pa + i * FS) ^ 0x5a5a5a5a5a5a5a5aULL;

		if (check && (w[0] != v || w[FS / 8 - 1] != ~v))
			(*bad)++;
		w[0] = v;
		w[FS / 8 - 1] = ~v;
	}
}

static void test_frame_shadow_random(struct ktest *t)
{
	uint64_t nlive = 0, live_frames = 0, iter;
	unsigned int bad = 0;
	struct frame_stats st;

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	for (iter = 0; iter < 20000; iter++) {
		bool do_alloc = nlive == 0 || (rnd() % 100) < 55;

		if (do_alloc && nlive < NF) {
			unsigned int o = (rnd() % 4) ? 0 : rnd() % 6;
			phys_addr_t pa;

			if (rnd() % 8 == 0)
				o = (unsigned int)(rnd() % (FRAME_MAX_ORDER + 1));
			pa = frame_zone_alloc(tm.z, o);
			if (pa == FRAME_NONE) {
				unsigned int k;

				/* Only when no block of that order is left. */
				frame_zone_get_stats(tm.z, &st);
				KT_EXPECT_EQ(t, st.cached, 0);
				for (k = o; k <= FRAME_MAX_ORDER; k++)
					KT_EXPECT_EQ(t, st.per_order[k], 0);
				continue;
			}
			KT_ASSERT(t, take_block(t, pa, o));
			stamp(pa, o, false, &bad);
			live_pa[nlive] = pa;
			live_order[nlive++] = (uint8_t)o;
			live_frames += 1ULL << o;
		} else if (nlive) {
			uint64_t i = rnd() % nlive;

			stamp(live_pa[i], live_order[i], true, &bad);
			drop_block(live_pa[i], live_order[i]);
			frame_zone_free(tm.z, live_pa[i], live_order[i]);
			live_frames -= 1ULL << live_order[i];
			live_pa[i] = live_pa[--nlive];
			live_order[i] = live_order[nlive];
		}
		if (iter % 1000 == 0) {
			frame_zone_get_stats(tm.z, &st);
			KT_EXPECT_EQ(t, st.free, tm.boot.managed - live_frames);
		}
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	while (nlive--) {
		drop_block(live_pa[nlive], live_order[nlive]);
		frame_zone_free(tm.z, live_pa[nlive], live_order[nlive]);
	}
	frame_zone_drain_all(tm.z);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
}

static void test_frame_alloc_below(struct ktest *t)
{
	const phys_addr_t limits[] = { 0x80000, 0x200000, 0x400000, 0x7ff000 };
	phys_addr_t pa;
	struct frame_stats st;
	unsigned int i;
	uint64_t n;

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	/* Nothing ends below the first frame. */
	KT_EXPECT_EQ(t, frame_zone_alloc_below(tm.z, 0, tm.base), FRAME_NONE);
	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		phys_addr_t lim = tm.base + limits[i];
		uint64_t want = 0, f;

		for (f = 0; f < limits[i] / FS; f++)
			if (tmem_usable(&tm, tm.base + f * FS))
				want++;
		own_reset();
		n = 0;
		while ((pa = frame_zone_alloc_below(tm.z, 0, lim)) !=
		       FRAME_NONE) {
			KT_ASSERT(t, take_block(t, pa, 0));
			KT_ASSERT_LE(t, pa + FS, lim);
			live_pa[n++] = pa;
		}
		/* Every usable frame below the limit, none above. */
		KT_EXPECT_EQ(t, n, want);
		unfill(n, 0);
		frame_zone_drain_all(tm.z);
	}
	/* Order 9 (2 MiB) below 4 MiB: the low 2 MiB has reservations. */
	own_reset();
	pa = frame_zone_alloc_below(tm.z, 9, tm.base + 0x400000);
	KT_EXPECT_EQ(t, pa, tm.base + 0x200000);
	if (pa != FRAME_NONE)
		frame_zone_free(tm.z, pa, 9);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
}

static void test_frame_runs(struct ktest *t)
{
	static const size_t sizes[] = { 1, 3, 5, 100, 1023, 1024, 1025, 1500 };
	struct frame_stats st;
	unsigned int i;

	tmem_map_reset(&tm);
	tmem_add(&tm, 0, NF * FS, MEMMAP_USABLE);
	tmem_add(&tm, 0x7000, 0x1000, MEMMAP_BAD);
	KT_ASSERT(t, tmem_zone(&tm));
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t nr = sizes[i], j;
		phys_addr_t pa = frame_zone_alloc_run(tm.z, nr);
		uint64_t rest;

		KT_ASSERT_NE(t, pa, FRAME_NONE);
		own_reset();
		for (j = 0; j < nr; j++)
			KT_ASSERT(t, take_block(t, pa + j * FS, 0));
		/* Everything else is still allocatable, and disjoint. */
		rest = fill(t, 0);
		KT_EXPECT_EQ(t, rest, tm.boot.managed - nr);
		unfill(rest, 0);
		frame_zone_free_run(tm.z, pa, nr);
		frame_zone_drain_all(tm.z);
		frame_zone_get_stats(tm.z, &st);
		KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
		KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	}
	/* Larger than any free stretch: fails cleanly. */
	KT_EXPECT_EQ(t, frame_zone_alloc_run(tm.z, NF), FRAME_NONE);
	KT_EXPECT_EQ(t, frame_zone_alloc_run(tm.z, (size_t)-1),
		     FRAME_NONE);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
}

/*
 * A run of 2-4 MiB when no 4 MiB block is free: two 2 MiB halves on
 * either side of a 4 MiB boundary serve it. Every 2 MiB half is taken,
 * then those at 2, 4 and 8 MiB are given back: [2 MiB, 6 MiB) and
 * [8 MiB, 10 MiB) are free, but no whole 4 MiB block. A run of 700
 * frames must lie in [2 MiB, 6 MiB) (the only place; exactly at its
 * top), a second one fails, and everything frees back exactly.
 */
static void test_frame_run_straddle(struct ktest *t)
{
	const uint64_t half = 1ULL << (FRAME_MAX_ORDER - 1), hb = half * FS;
	phys_addr_t h[TMEM_MAX_FRAMES >> (FRAME_MAX_ORDER - 1)], r;
	struct frame_stats st, before;
	unsigned int n = 0, i;

	tmem_map_reset(&tm);
	tmem_add(&tm, 0, NF * FS, MEMMAP_USABLE);
	KT_ASSERT(t, tmem_zone(&tm));
	frame_zone_get_stats(tm.z, &before);
	while (n < sizeof(h) / sizeof(h[0]) &&
	       (h[n] = frame_zone_alloc_run(tm.z, half)) != FRAME_NONE)
		n++;
	for (i = 0; i < n; i++) {
		uint64_t off = h[i] - tm.base;

		if (off == 1 * hb || off == 2 * hb || off == 4 * hb) {
			frame_zone_free_run(tm.z, h[i], half);
			h[i] = FRAME_NONE;
		}
	}
	frame_zone_get_stats(tm.z, &st);
	KT_ASSERT_GE(t, st.free, 3 * half);	/* and what metadata leaves */
	KT_ASSERT_EQ(t, st.per_order[FRAME_MAX_ORDER], 0);
	r = frame_zone_alloc_run(tm.z, 700);
	KT_ASSERT_NE(t, r, FRAME_NONE);
	KT_EXPECT_EQ(t, r - tm.base, 3 * hb - 700 * FS);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	KT_EXPECT_EQ(t, frame_zone_alloc_run(tm.z, 700), FRAME_NONE);
	frame_zone_free_run(tm.z, r, 700);
	for (i = 0; i < n; i++)
		if (h[i] != FRAME_NONE)
			frame_zone_free_run(tm.z, h[i], half);
	frame_zone_drain_all(tm.z);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &before));
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
}

/*
 * A run that only a stretch of unaligned free blocks can hold. Every
 * 1 MiB quarter of the zone is taken; then the quarters at 3, 4 and
 * 5 MiB are given back: [3 MiB, 6 MiB) is free, as a quarter block (the
 * last of the first 4 MiB block) and a half block (the first of the
 * second), which the buddy lists cannot join. A run of 3 MiB must start
 * at 3 MiB, a second one fails, and everything frees back exactly.
 */
static void test_frame_run_scan(struct ktest *t)
{
	const uint64_t q = 1ULL << (FRAME_MAX_ORDER - 2), qb = q * FS;
	phys_addr_t h[TMEM_MAX_FRAMES >> (FRAME_MAX_ORDER - 2)], r;
	struct frame_stats st, before;
	unsigned int n = 0, i;

	tmem_map_reset(&tm);
	tmem_add(&tm, 0, NF * FS, MEMMAP_USABLE);
	KT_ASSERT(t, tmem_zone(&tm));
	frame_zone_get_stats(tm.z, &before);
	while (n < sizeof(h) / sizeof(h[0]) &&
	       (h[n] = frame_zone_alloc_run(tm.z, q)) != FRAME_NONE)
		n++;
	for (i = 0; i < n; i++) {
		uint64_t off = h[i] - tm.base;

		if (off == 3 * qb || off == 4 * qb || off == 5 * qb) {
			frame_zone_free_run(tm.z, h[i], q);
			h[i] = FRAME_NONE;
		}
	}
	frame_zone_get_stats(tm.z, &st);
	KT_ASSERT_EQ(t, st.per_order[FRAME_MAX_ORDER], 0);
	KT_ASSERT_EQ(t, st.per_order[FRAME_MAX_ORDER - 1], 1);
	r = frame_zone_alloc_run(tm.z, 3 * q);
	KT_ASSERT_NE(t, r, FRAME_NONE);
	KT_EXPECT_EQ(t, r - tm.base, 3 * qb);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	KT_EXPECT_EQ(t, frame_zone_alloc_run(tm.z, 3 * q), FRAME_NONE);
	frame_zone_free_run(tm.z, r, 3 * q);
	/* Shorter than the stretch: the run takes its top. */
	r = frame_zone_alloc_run(tm.z, 2 * q + 5);
	KT_ASSERT_NE(t, r, FRAME_NONE);
	KT_EXPECT_EQ(t, r - tm.base, 6 * qb - (2 * q + 5) * FS);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	frame_zone_free_run(tm.z, r, 2 * q + 5);
	for (i = 0; i < n; i++)
		if (h[i] != FRAME_NONE)
			frame_zone_free_run(tm.z, h[i], q);
	frame_zone_drain_all(tm.z);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &before));
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
}

/* Own or disown [pa, pa + nr frames); false if a frame was owned twice. */
static bool own_range(struct ktest *t, phys_addr_t pa, uint64_t nr, bool own)
{
	uint64_t i, f;

	if (pa < tm.base || pa + nr * FS > tm.base + tm.frames * FS) {
		ktest_fail(t, __FILE__, __LINE__, "run 0x%llx+%llu outside "
			   "the test memory", (unsigned long long)pa,
			   (unsigned long long)nr);
		return false;
	}
	for (i = 0; i < nr; i++) {
		f = tmem_idx(&tm, pa) + i;
		if (own && (owned[f / 64] & (1ULL << (f % 64)))) {
			ktest_fail(t, __FILE__, __LINE__, "frame 0x%llx handed "
				   "out twice", (unsigned long long)(pa + i * FS));
			return false;
		}
		if (own)
			owned[f / 64] |= 1ULL << (f % 64);
		else
			owned[f / 64] &= ~(1ULL << (f % 64));
	}
	return true;
}

/* Free a run or (top bit of @nr set) a block of test_frame_run_random(). */
static void run_free(struct ktest *t, phys_addr_t pa, uint64_t nr)
{
	uint64_t n = nr << 1 >> 1;

	own_range(t, pa, n, false);
	if (nr >> 63)
		frame_zone_free(tm.z, pa, (unsigned int)__builtin_ctzll(n));
	else
		frame_zone_free_run(tm.z, pa, n);
}

/*
 * Random blocks and runs (1 frame to 2.5 max-order blocks) against a
 * shadow of who owns each frame, until the zone is fragmented enough that
 * runs come from stretches of unaligned free blocks (__run_alloc_scan()):
 * no frame handed out twice, every free accepted, the validator clean,
 * and every frame back at the end.
 */
static void test_frame_run_random(struct ktest *t)
{
	static uint64_t live_nr[NF];
	uint64_t nlive = 0, iter, i;
	struct frame_stats st;
	phys_addr_t pa;

	own_reset();
	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	for (iter = 0; iter < 6000; iter++) {
		if (nlive < NF / 4 && (nlive == 0 || rnd() % 100 < 55)) {
			uint64_t nr = rnd() % 4 ? 1 + rnd() % 64 :
				      1 + rnd() % (5 * BLOCK_FRAMES_T / 2);
			bool block = rnd() % 2;
			unsigned int o = (unsigned int)(rnd() % 10);

			if (block)
				nr = 1ULL << o;
			pa = block ? frame_zone_alloc(tm.z, o) :
				     frame_zone_alloc_run(tm.z, nr);
			if (pa == FRAME_NONE)
				continue;
			if (block)
				nr |= 1ULL << 63;	/* a block, not a run */
			KT_ASSERT(t, own_range(t, pa, nr << 1 >> 1, true));
			live_pa[nlive] = pa;
			live_nr[nlive++] = nr;
		} else if (nlive) {
			i = rnd() % nlive;
			run_free(t, live_pa[i], live_nr[i]);
			live_pa[i] = live_pa[--nlive];
			live_nr[i] = live_nr[nlive];
		}
		if (iter % 500 == 0)
			KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	}
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	while (nlive--)
		run_free(t, live_pa[nlive], live_nr[nlive]);
	frame_zone_drain_all(tm.z);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
}

/* ---------------------------------------------------------- misuse */

struct misuse {
	enum mm_error error;
	const char *msg;
};

/* Run @op under a recording hook; expect exactly one report and no change. */
#define EXPECT_MISUSE(t, err, text, op)					\
	do {								\
		struct frame_stats __mb, __ma;				\
		frame_zone_get_stats(tm.z, &__mb);			\
		report_capture_begin();					\
		op;							\
		report_capture_end();					\
		frame_zone_get_stats(tm.z, &__ma);			\
		KT_EXPECT_REPORT(t, err, text);				\
		KT_EXPECT(t, tstats_equal(t, &__ma, &__mb));		\
		KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);		\
	} while (0)

/* The zone still works: a full order-0 fill and back. */
static void expect_works(struct ktest *t, uint64_t in_use)
{
	uint64_t n;

	own_reset();
	n = fill(t, 0);
	KT_EXPECT_EQ(t, n, tm.boot.managed - in_use);
	unfill(n, 0);
}

static void test_frame_misuse_double_free(struct ktest *t)
{
	phys_addr_t a, b;
	char msg[96];

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	/* Order 0, frame still in this CPU's cache. */
	a = frame_zone_alloc(tm.z, 0);
	frame_zone_free(tm.z, a, 0);
	mm_snprintf(msg, sizeof(msg), "frame_free(0x%llx, 0): already free "
		    "(in a CPU frame cache)", (unsigned long long)a);
	EXPECT_MISUSE(t, MM_ERR_DOUBLE_FREE, msg, frame_zone_free(tm.z, a, 0));
	/* Order 0, frame back in the buddy lists. */
	frame_zone_drain_all(tm.z);
	EXPECT_MISUSE(t, MM_ERR_DOUBLE_FREE, "already free (free block",
		      frame_zone_free(tm.z, a, 0));
	/* Order 3, merged into a larger free block. */
	b = frame_zone_alloc(tm.z, 3);
	frame_zone_free(tm.z, b, 3);
	EXPECT_MISUSE(t, MM_ERR_DOUBLE_FREE, "already free (free block",
		      frame_zone_free(tm.z, b, 3));
	/* A frame inside a never-split free 4 MiB block. */
	tmem_map_reset(&tm);
	tmem_add(&tm, 0, NF * FS, MEMMAP_USABLE);
	KT_ASSERT(t, tmem_zone(&tm));
	mm_snprintf(msg, sizeof(msg), "already free (free block 0x%llx, "
		    "order 10)", (unsigned long long)tm.base);
	EXPECT_MISUSE(t, MM_ERR_DOUBLE_FREE, msg,
		      frame_zone_free(tm.z, tm.base + 5 * FS, 0));
	expect_works(t, 0);
}

static void test_frame_misuse_shape(struct ktest *t)
{
	phys_addr_t a, b;
	char msg[96];

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	a = frame_zone_alloc(tm.z, 2);
	b = frame_zone_alloc(tm.z, 3);
	KT_ASSERT_NE(t, a, FRAME_NONE);
	KT_ASSERT_NE(t, b, FRAME_NONE);
	EXPECT_MISUSE(t, MM_ERR_WRONG_ORDER, "block was allocated with order 2",
		      frame_zone_free(tm.z, a, 1));
	EXPECT_MISUSE(t, MM_ERR_WRONG_ORDER, "block was allocated with order 3",
		      frame_zone_free(tm.z, b, 0));
	EXPECT_MISUSE(t, MM_ERR_MISALIGNED, "frame not aligned to its order",
		      frame_zone_free(tm.z, b + 4 * FS, 3));
	mm_snprintf(msg, sizeof(msg), "frame_free(0x%llx, 0): tail frame of "
		    "the block at 0x%llx (order 3)",
		    (unsigned long long)(b + 5 * FS), (unsigned long long)b);
	EXPECT_MISUSE(t, MM_ERR_INTERIOR_FREE, msg,
		      frame_zone_free(tm.z, b + 5 * FS, 0));
	EXPECT_MISUSE(t, MM_ERR_INTERIOR_FREE, "tail frame of the block",
		      frame_zone_free(tm.z, b + 4 * FS, 2));
	EXPECT_MISUSE(t, MM_ERR_MISALIGNED, "not a frame address",
		      frame_zone_free(tm.z, a + 8, 2));
	EXPECT_MISUSE(t, MM_ERR_BAD_SIZE, "order above 10",
		      frame_zone_free(tm.z, a, 11));
	EXPECT_MISUSE(t, MM_ERR_BAD_SIZE, "frame_alloc: order 11 above 10",
		      KT_EXPECT_EQ(t, frame_zone_alloc(tm.z, 11), FRAME_NONE));
	frame_zone_free(tm.z, a, 2);
	frame_zone_free(tm.z, b, 3);
	expect_works(t, 0);
}

static void test_frame_misuse_unmanaged(struct ktest *t)
{
	const struct memmap_region *r;
	phys_addr_t meta = FRAME_NONE;

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	for_each_memmap_region(&tm.map, r)
		if (r->type == MEMMAP_METADATA)
			meta = r->base;
	KT_ASSERT_NE(t, meta, FRAME_NONE);
	EXPECT_MISUSE(t, MM_ERR_RESERVED, "frame is reserved memory, not "
		      "managed", frame_zone_free(tm.z, tm.base + TMAP_RESERVED +
						 FS, 0));
	EXPECT_MISUSE(t, MM_ERR_RESERVED, "frame is kernel memory, not "
		      "managed", frame_zone_free(tm.z, tm.base + TMAP_KERNEL,
						 0));
	EXPECT_MISUSE(t, MM_ERR_RESERVED, "frame is bad memory",
		      frame_zone_free(tm.z, tm.base + TMAP_BAD, 0));
	EXPECT_MISUSE(t, MM_ERR_RESERVED, "frame is in a hole, not managed",
		      frame_zone_free(tm.z, tm.base + TMAP_HOLE + 0x10000, 0));
	/* The partial frame at the end of low RAM was trimmed: a hole. */
	EXPECT_MISUSE(t, MM_ERR_RESERVED, "frame is in a hole",
		      frame_zone_free(tm.z, tm.base + TMAP_HOLE, 0));
	EXPECT_MISUSE(t, MM_ERR_RESERVED, "frame is metadata memory",
		      frame_zone_free(tm.z, meta, 0));
	EXPECT_MISUSE(t, MM_ERR_RESERVED, "frame is kernel memory",
		      frame_zone_free(tm.z, tm.base + TMAP_KERNEL, 1));
	EXPECT_MISUSE(t, MM_ERR_INVALID_FREE, "address never managed by this "
		      "allocator", frame_zone_free(tm.z, 1ULL << 50, 0));
	EXPECT_MISUSE(t, MM_ERR_INVALID_FREE, "never managed",
		      frame_zone_free(tm.z, tm.base + NF * FS + (4 << 20), 4));
	expect_works(t, 0);
}

static void test_frame_misuse_runs(struct ktest *t)
{
	phys_addr_t run, blk;

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	run = frame_zone_alloc_run(tm.z, 6);
	blk = frame_zone_alloc(tm.z, 2);
	KT_ASSERT_NE(t, run, FRAME_NONE);
	KT_ASSERT_NE(t, blk, FRAME_NONE);
	EXPECT_MISUSE(t, MM_ERR_INVALID_FREE, "frame belongs to a run; free "
		      "it with frame_free_run()", frame_zone_free(tm.z, run, 2));
	EXPECT_MISUSE(t, MM_ERR_INVALID_FREE, "frame belongs to a run",
		      frame_zone_free(tm.z, run + 4 * FS, 1));
	EXPECT_MISUSE(t, MM_ERR_INTERIOR_FREE, "frame is inside a run, not "
		      "its start", frame_zone_free_run(tm.z, run + 4 * FS, 2));
	EXPECT_MISUSE(t, MM_ERR_INVALID_FREE, "block came from frame_alloc(), "
		      "not frame_alloc_run()",
		      frame_zone_free_run(tm.z, blk, 4));
	EXPECT_MISUSE(t, MM_ERR_BAD_SIZE, "length does not match the run",
		      frame_zone_free_run(tm.z, run, 7));
	EXPECT_MISUSE(t, MM_ERR_BAD_SIZE, "length does not match the run",
		      frame_zone_free_run(tm.z, run, 4));
	EXPECT_MISUSE(t, MM_ERR_INTERIOR_FREE, "tail frame of the run piece",
		      frame_zone_free_run(tm.z, run + FS, 5));
	EXPECT_MISUSE(t, MM_ERR_BAD_SIZE, "0 frames",
		      frame_zone_free_run(tm.z, run, 0));
	frame_zone_free_run(tm.z, run, 6);
	EXPECT_MISUSE(t, MM_ERR_DOUBLE_FREE, "already free",
		      frame_zone_free_run(tm.z, run, 6));
	EXPECT_MISUSE(t, MM_ERR_BAD_SIZE, "frame_alloc_run: 0 frames",
		      KT_EXPECT_EQ(t, frame_zone_alloc_run(tm.z, 0),
				   FRAME_NONE));
	frame_zone_free(tm.z, blk, 2);
	expect_works(t, 0);
}

/* ---------------------------------------------------------- hot-add */

static void test_frame_hot_add(struct ktest *t)
{
	const uint64_t hp = 0x500000, hsz = 0x200000;
	struct frame_stats st;
	uint64_t n, i, in_hot = 0;

	/* Low half usable, [5 MiB, 7 MiB) announced for later. */
	tmem_map_reset(&tm);
	tmem_add(&tm, 0, 0x400000, MEMMAP_USABLE);
	tmem_add(&tm, 0x100000, 0x3000, MEMMAP_KERNEL);
	tmem_add(&tm, hp, hsz, MEMMAP_HOTPLUG);
	tmem_add(&tm, hp + hsz, 0x1000, MEMMAP_RESERVED);
	KT_ASSERT(t, tmem_zone(&tm));
	KT_EXPECT_EQ(t, tm.boot.managed,
		     0x400 - 3 - metadata_frames(&tm.map));
	own_reset();
	n = fill(t, 0);
	KT_EXPECT_EQ(t, n, tm.boot.managed);
	/* Refused: outside the span, over reserved or usable memory. */
	report_capture_begin();
	KT_EXPECT_SEQ(t, frame_zone_add_memory(tm.z, tm.base + NF * FS +
					       (4 << 20), 0x10000), -1);
	KT_EXPECT(t, report_msg_has("is outside the span"));
	KT_EXPECT_SEQ(t, frame_zone_add_memory(tm.z, tm.base + hp, hsz +
					       0x1000), -1);
	KT_EXPECT(t, report_msg_has("overlaps reserved memory"));
	KT_EXPECT_SEQ(t, frame_zone_add_memory(tm.z, tm.base + 0x200000,
					       0x2000), -1);
	KT_EXPECT(t, report_msg_has("overlaps usable memory"));
	KT_EXPECT_SEQ(t, frame_zone_add_memory(tm.z, tm.base + hp + 0x10,
					       0x100), -1);
	KT_EXPECT(t, report_msg_has("holds no whole frame"));
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 4);
	KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_BAD_MAP);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	/* Add the hotplug range in two steps, unaligned edges trimmed. */
	KT_EXPECT_EQ(t, frame_zone_add_memory(tm.z, tm.base + hp - 0x10 + 0x10,
					      0x100000 + 0x800), 0);
	KT_EXPECT_EQ(t, frame_zone_add_memory(tm.z, tm.base + hp + 0x100000,
					      0x100000), 0);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT_EQ(t, st.managed, tm.boot.managed + hsz / FS);
	KT_EXPECT_EQ(t, st.free, hsz / FS);
	KT_EXPECT_EQ(t, memmap_type_at(&tm.map, tm.base + hp), MEMMAP_HOTPLUG);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	/* The new frames are handed out, exactly those. */
	for (i = 0; i < hsz / FS; i++) {
		phys_addr_t pa = frame_zone_alloc(tm.z, 0);

		KT_ASSERT_NE(t, pa, FRAME_NONE);
		if (pa >= tm.base + hp && pa < tm.base + hp + hsz)
			in_hot++;
		live_pa[n++] = pa;
	}
	KT_EXPECT_EQ(t, in_hot, hsz / FS);
	KT_EXPECT_EQ(t, frame_zone_alloc(tm.z, 0), FRAME_NONE);
	/* Adding it again is refused. */
	report_capture_begin();
	KT_EXPECT_SEQ(t, frame_zone_add_memory(tm.z, tm.base + hp, FS), -1);
	report_capture_end();
	KT_EXPECT(t, report_msg_has("overlaps usable memory"));
	while (n--)
		frame_zone_free(tm.z, live_pa[n], 0);
	frame_zone_drain_all(tm.z);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT_EQ(t, st.free, st.managed);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
}

/* ---------------------------------------------------------- caches */

static void test_frame_cpu_cache(struct ktest *t)
{
	struct frame_stats st;
	phys_addr_t a, b;
	uint64_t n, i;

	tmem_std_map(&tm);
	KT_ASSERT(t, tmem_zone(&tm));
	a = frame_zone_alloc(tm.z, 0);
	frame_zone_get_stats(tm.z, &st);
	/* One refill of a batch; one frame of it handed out. */
	KT_EXPECT_EQ(t, st.pcp_refills, 1);
	KT_EXPECT_GT(t, st.cached, 0);
	KT_EXPECT_EQ(t, st.free, tm.boot.managed - 1);
	frame_zone_free(tm.z, a, 0);
	b = frame_zone_alloc(tm.z, 0);
	KT_EXPECT_EQ(t, b, a);			/* LIFO: hot frame reused */
	frame_zone_free(tm.z, b, 0);
	/* Many frees: the cache stays bounded, drains in batches. */
	own_reset();
	n = fill(t, 0);
	for (i = 0; i < n; i++)
		frame_zone_free(tm.z, live_pa[i], 0);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT_LE(t, st.cached, 128);
	KT_EXPECT_GT(t, st.pcp_drains, 0);
	KT_EXPECT_EQ(t, st.free, tm.boot.managed);
	KT_EXPECT_EQ(t, frame_zone_validate(tm.z), 0);
	KT_EXPECT_EQ(t, frame_zone_drain_all(tm.z), st.cached);
	frame_zone_get_stats(tm.z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &tm.boot));
	/* Far fewer zone lock round trips than frames moved. */
	KT_EXPECT_LT(t, st.zone_locks, 2 * n / 8);
}

/* ---------------------------------------------------------- random maps */

static void test_frame_random_maps(struct ktest *t)
{
	unsigned int iter, bad = 0;

	for (iter = 0; iter < 40 && !bad; iter++) {
		unsigned int n = 1 + (unsigned int)(rnd() % 12), i;
		uint64_t want = 0, got, f;
		const struct memmap_region *r;

		tmem_map_reset(&tm);
		tmem_add(&tm, 0, NF * FS, MEMMAP_USABLE);
		for (i = 0; i < n; i++) {
			uint64_t a = rnd() % (NF * FS), len = rnd() % 0x40000;
			uint32_t type = 1 + (uint32_t)(rnd() % 14);

			if (a + len > NF * FS)
				len = NF * FS - a;
			tmem_add(&tm, a, len, type);
		}
		if (!tmem_zone(&tm)) {
			bad++;
			break;
		}
		/* The model: frames wholly usable, from the final map. */
		for_each_memmap_region(&tm.map, r)
			if (r->type == MEMMAP_USABLE)
				want += r->size / FS;
		own_reset();
		got = fill(t, 0);
		for (f = 0; f < NF; f++) {
			phys_addr_t pa = tm.base + f * FS;
			bool own = owned[f / 64] & (1ULL << (f % 64));

			if (own != tmem_usable(&tm, pa))
				bad++;
		}
		if (got != want || got != tm.boot.managed)
			bad++;
		if (frame_zone_validate(tm.z))
			bad++;
	}
	KT_EXPECT_EQ(t, bad, 0);
	ktest_log(t, "%u random maps: frames handed out == usable frames of "
		  "the map", iter);
}

/* ---------------------------------------------------------- global */

static void test_frame_global(struct ktest *t)
{
	struct frame_stats a, b;
	phys_addr_t p0, p9, r;

	if (!frame_ready()) {
		ktest_log(t, "global allocator not initialised here");
		KT_EXPECT_EQ(t, frame_alloc(0), FRAME_NONE);
		return;
	}
	frame_drain_all();
	frame_get_stats(&a);
	p0 = frame_alloc(0);
	p9 = frame_alloc(9);
	r = frame_alloc_run(1500);
	KT_EXPECT_NE(t, p0, FRAME_NONE);
	KT_EXPECT_NE(t, p9, FRAME_NONE);
	KT_EXPECT_NE(t, r, FRAME_NONE);
	KT_EXPECT_EQ(t, p9 & ((FS << 9) - 1), 0);
	frame_get_stats(&b);
	KT_EXPECT_EQ(t, b.free, a.free - 1 - 512 - 1500);
	frame_free(p0, 0);
	frame_free(p9, 9);
	frame_free_run(r, 1500);
	frame_drain_all();
	frame_get_stats(&b);
	KT_EXPECT(t, tstats_equal(t, &b, &a));
	KT_EXPECT_EQ(t, frame_validate(), 0);
	p0 = frame_alloc_below(0, 1 << 20);
	if (p0 != FRAME_NONE) {
		KT_EXPECT_LE(t, p0 + FS, 1 << 20);
		frame_free(p0, 0);
	}
	frame_drain_all();
	frame_get_stats(&b);
	KT_EXPECT(t, tstats_equal(t, &b, &a));
	frame_dump();
}

/*
 * Frames handed out for the first time read as zero where the memory
 * did: the free-list nodes the zone writes at the heads of free blocks
 * are cleared as the blocks leave their lists (the host's page map skips
 * its memset on that promise, PORT_FRESH_MEMORY_ZERO). Zeroed memory,
 * a zone over it, every frame taken one at a time and by runs of
 * lengths that are not powers of two: each must read zero.
 */
static void test_frame_fresh_zero(struct ktest *t)
{
	static const size_t runs[] = { 3, 300, 700, 1000 };
	phys_addr_t pa;
	uint64_t dirty = 0, n = 0, j;
	size_t i;

	tmem_map_reset(&tm);
	for (j = 0; j < tm.frames * FS / 8; j++)
		((uint64_t *)port_phys_to_virt(tm.base))[j] = 0;
	tmem_add(&tm, 0, NF * FS, MEMMAP_USABLE);
	KT_ASSERT(t, tmem_zone(&tm));
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		pa = frame_zone_alloc_run(tm.z, runs[i]);
		KT_ASSERT_NE(t, pa, FRAME_NONE);
		for (j = 0; j < runs[i]; j++) {
			uint64_t *w = port_phys_to_virt(pa + j * FS);

			dirty += w[0] || w[1];
		}
		n += runs[i];
	}
	while ((pa = frame_zone_alloc(tm.z, 0)) != FRAME_NONE) {
		uint64_t *w = port_phys_to_virt(pa);

		dirty += w[0] || w[1];
		n++;
	}
	KT_EXPECT_EQ(t, n, tm.boot.managed);
	KT_EXPECT_EQ(t, dirty, 0);
}

/* Whether @frames frames at @pa read as zero, every word. */
static bool frames_zero(phys_addr_t pa, uint64_t frames)
{
	const uint64_t *w = port_phys_to_virt(pa);
	uint64_t i;

	for (i = 0; i < frames * FS / 8; i++)
		if (w[i])
			return false;
	return true;
}

static void frames_fill(phys_addr_t pa, uint64_t frames)
{
	uint64_t *w = port_phys_to_virt(pa);
	uint64_t i;

	for (i = 0; i < frames * FS / 8; i++)
		w[i] = 0xa5a5a5a5a5a5a5a5ULL;
}

/* The order of a power-of-two block of @frames frames. */
#define order_of(frames)	((unsigned int)__builtin_ctzll(frames))

/*
 * One pass for test_frame_fresh_flag(): take 2 MiB blocks, then runs,
 * then single frames until the zone is empty; every block said to read
 * zero must, every word; then write all of them, free them all. Return
 * the number of blocks said to be zero, or -1 after a false claim.
 */
static long fresh_pass(struct ktest *t)
{
	static phys_addr_t pas[NF];
	static uint64_t lens[NF];
	uint64_t n = 0, i, len;
	long claims = 0, lies = 0;
	phys_addr_t pa;
	bool zero;

	for (;;) {
		/* Two 2 MiB blocks, two runs, four of order 3, then frames. */
		len = n < 2 ? 1ULL << 9 : n == 2 ? 1536 : n == 3 ? 768 :
		      n < 8 ? 8 : 1;
		if (len == 1536 || len == 768)
			pa = frame_zone_alloc_run_fresh(tm.z, len, &zero);
		else
			pa = frame_zone_alloc_fresh(tm.z, order_of(len), &zero);
		if (pa == FRAME_NONE && len == 1)
			break;
		if (pa == FRAME_NONE)
			return -1;	/* 15 MiB hold all of these */
		if (zero) {
			claims++;
			lies += !frames_zero(pa, len);
		}
		if (len == 1 && zero)
			lies++;		/* order 0: a CPU cache's, never */
		pas[n] = pa;
		lens[n++] = len;
	}
	KT_EXPECT_EQ(t, lies, 0);
	for (i = 0; i < n; i++)
		frames_fill(pas[i], lens[i]);
	for (i = 0; i < n; i++) {
		if (lens[i] == 1536 || lens[i] == 768)
			frame_zone_free_run(tm.z, pas[i], lens[i]);
		else
			frame_zone_free(tm.z, pas[i], order_of(lens[i]));
	}
	return lies ? -1 : claims;
}

/*
 * frame_zone_alloc_fresh() and frame_zone_alloc_run_fresh() say "zero"
 * only for frames that never left the zone, and only where the port's
 * fresh memory reads zero (PORT_FRESH_MEMORY_ZERO): kzalloc() and
 * calloc() skip their memset on that word. Over zeroed memory, a first
 * pass must find fresh blocks (on such a port), and a second pass, after
 * every frame was written and freed, none.
 */
static void test_frame_fresh_flag(struct ktest *t)
{
	uint64_t j;
	long first, second;

	tmem_map_reset(&tm);
	for (j = 0; j < tm.frames * FS / 8; j++)
		((uint64_t *)port_phys_to_virt(tm.base))[j] = 0;
	tmem_add(&tm, 0, NF * FS, MEMMAP_USABLE);
	KT_ASSERT(t, tmem_zone(&tm));
	first = fresh_pass(t);
	frame_zone_drain_all(tm.z);
	second = fresh_pass(t);
	if (PORT_FRESH_MEMORY_ZERO)
		KT_EXPECT_GE(t, first, 3);	/* two chunks, a run or two */
	else
		KT_EXPECT_EQ(t, first, 0);
	KT_EXPECT_EQ(t, second, 0);
}

static struct ktest_case frame_cases[] = {
	KTEST_CASE(test_frame_std_zone),
	KTEST_CASE(test_frame_set_range_unaligned),
	KTEST_CASE(test_frame_run_scan_aligned),
	KTEST_CASE(test_frame_exhaust_every_order),
	KTEST_CASE(test_frame_shadow_random),
	KTEST_CASE(test_frame_alloc_below),
	KTEST_CASE(test_frame_runs),
	KTEST_CASE(test_frame_run_straddle),
	KTEST_CASE(test_frame_run_scan),
	KTEST_CASE(test_frame_run_random),
	KTEST_CASE(test_frame_fresh_zero),
	KTEST_CASE(test_frame_fresh_flag),
	KTEST_CASE(test_frame_misuse_double_free),
	KTEST_CASE(test_frame_misuse_shape),
	KTEST_CASE(test_frame_misuse_unmanaged),
	KTEST_CASE(test_frame_misuse_runs),
	KTEST_CASE(test_frame_hot_add),
	KTEST_CASE(test_frame_cpu_cache),
	KTEST_CASE(test_frame_random_maps),
	KTEST_CASE(test_frame_global),
	{}
};
KTEST_SUITE_FULL(frame, frame_cases, frame_suite_init, frame_suite_exit);
