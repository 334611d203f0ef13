// SPDX-License-Identifier: MIT
/*
 * memmap_test.c - the boot memory map sanitizer (mm/memmap.c).
 *
 * A table of tricky firmware maps, each with its exact expected result,
 * then randomised maps compared with a reference model: each 16-byte
 * granule of a small window (boundaries are drawn on granules, so most
 * are not frame aligned) gets the highest-ranked type covering it, runs of
 * one type become entries, usable runs are trimmed inward to whole frames.
 * The model ranks types by its own table, written here from the rules in
 * docs/ARCHITECTURE.md, not by calling the code under test.
 */
#include <ktest.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include "test_report.h"
#include "memmap_model.h"

#define U	MEMMAP_USABLE
#define RS	MEMMAP_RESERVED
#define AR	MEMMAP_ACPI_RECLAIM
#define NVS	MEMMAP_ACPI_NVS
#define BAD	MEMMAP_BAD
#define K	MEMMAP_KERNEL
#define INITRD	MEMMAP_INITRD
#define DTB	MEMMAP_DTB
#define TOP	(~0ULL)

#define R(b, s, t)	{ .base = (b), .size = (s), .type = (t) }
#define NMAX		8

struct map_case {
	const char *name;
	size_t cap;			/* 0: the test's large table */
	size_t nin, nout;
	struct memmap_region in[NMAX];
	struct memmap_region out[NMAX];
	int ret;			/* of memmap_sanitize() */
	unsigned int reports;		/* expected reports (table full) */
};

#define IN(...)		.in = { __VA_ARGS__ }, \
			.nin = sizeof((struct memmap_region[]){ __VA_ARGS__ }) / \
			       sizeof(struct memmap_region)
#define OUT(...)	.out = { __VA_ARGS__ }, \
			.nout = sizeof((struct memmap_region[]){ __VA_ARGS__ }) / \
				sizeof(struct memmap_region)

static const struct map_case map_cases[] = {
	{ .name = "empty" },
	{ .name = "single entry", IN(R(0x1000, 0xf000, U)),
	  OUT(R(0x1000, 0xf000, U)) },
	{ .name = "region at address 0", IN(R(0, 0x9f000, U)),
	  OUT(R(0, 0x9f000, U)) },
	{ .name = "zero-length entries dropped",
	  IN(R(0x1000, 0, U), R(0x2000, 0x1000, U), R(0x5000, 0, RS),
	     R(0, 0, BAD)),
	  OUT(R(0x2000, 0x1000, U)) },
	{ .name = "only zero-length entries", IN(R(0, 0, U), R(7, 0, RS)) },
	{ .name = "unsorted",
	  IN(R(0x30000, 0x1000, U), R(0x10000, 0x1000, RS),
	     R(0x20000, 0x1000, U)),
	  OUT(R(0x10000, 0x1000, RS), R(0x20000, 0x1000, U),
	      R(0x30000, 0x1000, U)) },
	{ .name = "duplicates",
	  IN(R(0x1000, 0x3000, U), R(0x8000, 0x1000, RS),
	     R(0x1000, 0x3000, U), R(0x8000, 0x1000, RS)),
	  OUT(R(0x1000, 0x3000, U), R(0x8000, 0x1000, RS)) },
	{ .name = "touching, one type: merged",
	  IN(R(0x1000, 0x1000, U), R(0, 0x1000, U), R(0x2000, 0x2000, U)),
	  OUT(R(0, 0x4000, U)) },
	{ .name = "touching, two types: kept",
	  IN(R(0x2000, 0x1000, RS), R(0, 0x2000, U)),
	  OUT(R(0, 0x2000, U), R(0x2000, 0x1000, RS)) },
	{ .name = "overlap, one type",
	  IN(R(0, 0x3000, U), R(0x2000, 0x3000, U), R(0x1000, 0x1000, U)),
	  OUT(R(0, 0x5000, U)) },
	{ .name = "reservation inside usable: split",
	  IN(R(0, 0x10000, U), R(0x4000, 0x2000, K)),
	  OUT(R(0, 0x4000, U), R(0x4000, 0x2000, K),
	      R(0x6000, 0xa000, U)) },
	{ .name = "reservation at usable start, same base",
	  IN(R(0, 0x10000, U), R(0, 0x1000, RS)),
	  OUT(R(0, 0x1000, RS), R(0x1000, 0xf000, U)) },
	{ .name = "reservation overhanging usable end",
	  IN(R(0xf000, 0x3000, RS), R(0, 0x10000, U)),
	  OUT(R(0, 0xf000, U), R(0xf000, 0x3000, RS)) },
	{ .name = "reservation swallowing usable",
	  IN(R(0x2000, 0x1000, U), R(0, 0x10000, RS), R(0x4000, 0x4000, U)),
	  OUT(R(0, 0x10000, RS)) },
	{ .name = "unaligned usable edges trimmed inward",
	  IN(R(0x1234, 0x5000, U)), OUT(R(0x2000, 0x4000, U)) },
	{ .name = "usable smaller than a frame dropped",
	  IN(R(0x1100, 0x800, U), R(0x2fff, 0x2, U)) },
	{ .name = "unaligned reservation costs whole frames",
	  IN(R(0, 0x10000, U), R(0x2100, 0x100, K)),
	  OUT(R(0, 0x2000, U), R(0x2100, 0x100, K),
	      R(0x3000, 0xd000, U)) },
	{ .name = "wrap-around clipped",
	  IN(R(0xffffffffffff0000ULL, 0x20000, U),
	     R(0xfffffffffffff800ULL, 0x10000, RS)),
	  OUT(R(0xffffffffffff0000ULL, 0xf000, U),
	      R(0xfffffffffffff800ULL, 0x7ff, RS)) },
	{ .name = "entry at the very top wraps to nothing",
	  IN(R(TOP, 0x1000, U), R(0, 0x1000, U)), OUT(R(0, 0x1000, U)) },
	{ .name = "memory above 4 GiB, large hole",
	  IN(R(0x100000000ULL, 0x40000000, U), R(0, 0x80000000ULL, U),
	     R(0xfee00000ULL, 0x1000, RS)),
	  OUT(R(0, 0x80000000ULL, U), R(0xfee00000ULL, 0x1000, RS),
	      R(0x100000000ULL, 0x40000000, U)) },
	{ .name = "RAM over kernel, initrd and dtb",
	  IN(R(0, 0x8000000, U), R(0x100000, 0x200000, K),
	     R(0x300000, 0x100000, INITRD), R(0x3ff000, 0x2000, DTB)),
	  OUT(R(0, 0x100000, U), R(0x100000, 0x200000, K),
	      R(0x300000, 0xff000, INITRD), R(0x3ff000, 0x2000, DTB),
	      R(0x401000, 0x7bff000, U)) },
	{ .name = "unknown types are reserved",
	  IN(R(0, 0x10000, U), R(0x8000, 0x1000, 99), R(0xa000, 0x1000, 0)),
	  OUT(R(0, 0x8000, U), R(0x8000, 0x1000, RS),
	      R(0x9000, 0x1000, U), R(0xa000, 0x1000, RS),
	      R(0xb000, 0x5000, U)) },
	{ .name = "chain of ranks",
	  IN(R(0, 0x3000, AR), R(0x1000, 0x3000, RS), R(0x2000, 0x3000, BAD)),
	  OUT(R(0, 0x1000, AR), R(0x1000, 0x1000, RS),
	      R(0x2000, 0x3000, BAD)) },
	{ .name = "lower rank inside higher rank vanishes",
	  IN(R(0, 0x10000, RS), R(0x1000, 0x1000, K)),
	  OUT(R(0, 0x10000, RS)) },
	{ .name = "higher rank inside lower rank splits it",
	  IN(R(0, 0x10000, AR), R(0x4000, 0x1000, NVS)),
	  OUT(R(0, 0x4000, AR), R(0x4000, 0x1000, NVS),
	      R(0x5000, 0xb000, AR)) },
	{ .name = "usable pieces under one reservation",
	  IN(R(0, 0x5000, U), R(0x3000, 0x2000, U), R(0x9000, 0x1000, U),
	     R(0x4000, 0x6000, RS)),
	  OUT(R(0, 0x4000, U), R(0x4000, 0x6000, RS)) },
	{ .name = "full table: usable remainder dropped, reported",
	  .cap = 2, IN(R(0, 0x10000, U), R(0x4000, 0x1000, K)),
	  OUT(R(0, 0x4000, U), R(0x4000, 0x1000, K)), .ret = -1,
	  .reports = 1 },
	{ .name = "full table: reserved remainder widens the winner",
	  .cap = 2, IN(R(0, 0x10000, RS), R(0x4000, 0x1000, BAD)),
	  OUT(R(0, 0x4000, RS), R(0x4000, 0xc000, BAD)), .ret = -1,
	  .reports = 1 },
};

static struct memmap_region big_table[1024];

static bool map_equal(struct ktest *t, const struct memmap *m,
		      const struct memmap_region *exp, size_t n,
		      const char *name)
{
	size_t i;

	if (m->nr != n) {
		ktest_log(t, "%s: %zu entries, expected %zu", name, m->nr, n);
		goto dump;
	}
	for (i = 0; i < n; i++) {
		const struct memmap_region *r = &m->regions[i];

		if (r->base != exp[i].base || r->size != exp[i].size ||
		    r->type != exp[i].type) {
			ktest_log(t, "%s: entry %zu differs", name, i);
			goto dump;
		}
	}
	return true;
dump:
	for (i = 0; i < m->nr; i++)
		ktest_log(t, "  got  0x%llx+0x%llx %s",
			  (unsigned long long)m->regions[i].base,
			  (unsigned long long)m->regions[i].size,
			  memmap_type_name(m->regions[i].type));
	for (i = 0; i < n; i++)
		ktest_log(t, "  want 0x%llx+0x%llx %s",
			  (unsigned long long)exp[i].base,
			  (unsigned long long)exp[i].size,
			  memmap_type_name(exp[i].type));
	return false;
}

static void test_memmap_table(struct ktest *t)
{
	size_t c, i;

	KT_EXPECT_GE(t, sizeof(map_cases) / sizeof(map_cases[0]), 20);
	for (c = 0; c < sizeof(map_cases) / sizeof(map_cases[0]); c++) {
		const struct map_case *mc = &map_cases[c];
		struct memmap m;
		int ret;

		memmap_init(&m, big_table, mc->cap ? mc->cap : 1024);
		report_capture_begin();
		for (i = 0; i < mc->nin; i++)
			KT_EXPECT_EQ(t, memmap_add(&m, mc->in[i].base,
						   mc->in[i].size,
						   mc->in[i].type), 0);
		ret = memmap_sanitize(&m);
		report_capture_end();
		KT_EXPECT_SEQ(t, ret, mc->ret);
		KT_EXPECT_EQ(t, report_cap.count, mc->reports);
		if (mc->reports) {
			KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_BAD_MAP);
			KT_EXPECT(t, report_msg_has("memmap: table full (2 "
						    "entries) while splitting"));
		}
		if (!map_equal(t, &m, mc->out, mc->nout, mc->name))
			KT_EXPECT(t, false);
		/* Sanitizing a sanitized map changes nothing. */
		if (!mc->ret) {
			KT_EXPECT_EQ(t, memmap_sanitize(&m), 0);
			if (!map_equal(t, &m, mc->out, mc->nout, mc->name))
				KT_EXPECT(t, false);
		}
	}
}

/* More than 128 entries, given in reverse order. */
static void test_memmap_many_entries(struct ktest *t)
{
	const unsigned int n = 200;
	struct memmap m;
	unsigned int k;
	size_t i = 0;

	memmap_init(&m, big_table, 1024);
	for (k = n; k-- > 0;) {
		phys_addr_t b = (phys_addr_t)k * 0x10000;

		KT_ASSERT_EQ(t, memmap_add(&m, b, 0x10000, U), 0);
		if (!(k & 1))
			KT_ASSERT_EQ(t, memmap_add(&m, b + 0x8000, 0x1000,
						   K), 0);
	}
	KT_ASSERT_EQ(t, m.nr, n + n / 2);
	KT_ASSERT_EQ(t, memmap_sanitize(&m), 0);
	/*
	 * Expected: U[0,8000) K U[9000, 28000) K U[29000, 48000) ... the
	 * last usable run ends at n * 0x10000.
	 */
	KT_ASSERT_EQ(t, m.nr, n + 1);
	for (k = 0; k < n; k += 2) {
		phys_addr_t b = (phys_addr_t)k * 0x10000;
		phys_addr_t ustart = k ? b - 0x17000 : 0;

		KT_EXPECT_EQ(t, m.regions[i].base, ustart);
		KT_EXPECT_EQ(t, m.regions[i].size, b + 0x8000 - ustart);
		KT_EXPECT_EQ(t, m.regions[i].type, U);
		i++;
		KT_EXPECT_EQ(t, m.regions[i].base, b + 0x8000);
		KT_EXPECT_EQ(t, m.regions[i].size, 0x1000);
		KT_EXPECT_EQ(t, m.regions[i].type, K);
		i++;
	}
	KT_EXPECT_EQ(t, m.regions[i].base, (phys_addr_t)(n - 2) * 0x10000 +
		     0x9000);
	KT_EXPECT_EQ(t, m.regions[i].size, 0x17000);
	KT_EXPECT_EQ(t, memmap_total(&m, U),
		     (uint64_t)n * 0x10000 - n / 2 * 0x1000);
}

static void test_memmap_full_add(struct ktest *t)
{
	struct memmap_region tab[2];
	struct memmap m;

	memmap_init(&m, tab, 2);
	report_capture_begin();
	KT_EXPECT_EQ(t, memmap_add(&m, 0, 0x1000, U), 0);
	KT_EXPECT_EQ(t, memmap_add(&m, 0x1000, 0, U), 0);	/* ignored */
	KT_EXPECT_EQ(t, memmap_add(&m, 0x2000, 0x1000, U), 0);
	KT_EXPECT_EQ(t, report_cap.count, 0);
	KT_EXPECT_SEQ(t, memmap_add(&m, 0x5000, 0x1000, RS), -1);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_BAD_MAP, "memmap: table full (2 entries), "
			 "cannot add reserved range 0x5000+0x1000");
	KT_EXPECT_EQ(t, m.nr, 2);
	/* A map with no table at all fails the same way. */
	memmap_init(&m, NULL, 0);
	report_capture_begin();
	KT_EXPECT_SEQ(t, memmap_add(&m, 0, 0x1000, U), -1);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT_EQ(t, memmap_sanitize(&m), 0);
	KT_EXPECT_EQ(t, m.nr, 0);
}

static void test_memmap_set_range(struct ktest *t)
{
	static const struct memmap_region exp1[] = {
		R(0, 0x4000, U), R(0x4000, 0x2000, MEMMAP_METADATA),
		R(0x6000, 0xa000, U), R(0x10000, 0x1000, RS),
	};
	static const struct memmap_region exp2[] = {
		R(0, 0x11000, RS),
	};
	static const struct memmap_region exp3[] = {
		R(0, 0x1000, RS), R(0x3000, 0xe000, RS),
	};
	struct memmap_region tab[4];
	struct memmap m;

	memmap_init(&m, tab, 4);
	memmap_add(&m, 0, 0x10000, U);
	memmap_add(&m, 0x10000, 0x1000, RS);
	KT_ASSERT_EQ(t, memmap_sanitize(&m), 0);
	KT_EXPECT_EQ(t, memmap_set_range(&m, 0x4000, 0x2000,
					 MEMMAP_METADATA), 0);
	KT_EXPECT(t, map_equal(t, &m, exp1, 4, "split"));
	/* No room for a second split: refused, map unchanged. */
	report_capture_begin();
	KT_EXPECT_SEQ(t, memmap_set_range(&m, 0x8000, 0x1000, K), -1);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_BAD_MAP, "cannot mark 0x8000+0x1000 kernel");
	KT_EXPECT(t, map_equal(t, &m, exp1, 4, "unchanged"));
	KT_EXPECT_EQ(t, memmap_type_at(&m, 0x5fff), MEMMAP_METADATA);
	KT_EXPECT_EQ(t, memmap_type_at(&m, 0x6000), U);
	KT_EXPECT_EQ(t, memmap_type_at(&m, 0x11000), 0);
	/* Covering everything and merging with the neighbour. */
	KT_EXPECT_EQ(t, memmap_set_range(&m, 0, 0x10000, RS), 0);
	KT_EXPECT(t, map_equal(t, &m, exp2, 1, "cover"));
	/* Type 0 punches a hole. */
	KT_EXPECT_EQ(t, memmap_set_range(&m, 0x1000, 0x2000, 0), 0);
	KT_EXPECT(t, map_equal(t, &m, exp3, 2, "hole"));
	KT_EXPECT_EQ(t, memmap_type_at(&m, 0x2000), 0);
}

/*
 * A reservation off frame boundaries inside usable memory: the frames
 * holding its bytes stop being usable (frame_test.c checks that the
 * frame allocator never hands them out); a usable range off boundaries
 * adds whole frames only.
 */
static void test_memmap_set_range_unaligned(struct ktest *t)
{
	static const struct memmap_region exp1[] = {
		R(0, 0x4000, U), R(0x4100, 0x80, RS), R(0x5000, 0xb000, U),
	};
	static const struct memmap_region exp2[] = {
		R(0, 0x4000, U), R(0x4100, 0x80, RS), R(0x5000, 0x2000, U),
		R(0x7010, 0x20, K), R(0x8000, 0x8000, U),
	};
	static const struct memmap_region exp3[] = {
		R(0, 0x7000, U), R(0x7010, 0x20, K), R(0x8000, 0x8000, U),
	};
	struct memmap_region tab[8];
	struct memmap m;

	memmap_init(&m, tab, 8);
	memmap_add(&m, 0, 0x10000, U);
	KT_ASSERT_EQ(t, memmap_sanitize(&m), 0);
	KT_EXPECT_EQ(t, memmap_set_range(&m, 0x4100, 0x80, RS), 0);
	KT_EXPECT(t, map_equal(t, &m, exp1, 3, "reserved inside"));
	KT_EXPECT_EQ(t, memmap_set_range(&m, 0x7010, 0x20, K), 0);
	KT_EXPECT(t, map_equal(t, &m, exp2, 5, "second"));
	/* The rest of a cut frame was dropped with it: usable bytes off
	 * frame boundaries add nothing, the whole frame does. */
	KT_EXPECT_EQ(t, memmap_set_range(&m, 0x4100, 0x80, U), 0);
	KT_EXPECT_EQ(t, memmap_type_at(&m, 0x4100), 0);
	KT_EXPECT_EQ(t, memmap_set_range(&m, 0x4000, 0x1000, U), 0);
	KT_EXPECT(t, map_equal(t, &m, exp3, 3, "usable again"));
}

/* ---------------------------------------------------------- reference */

#define WIN		MODEL_WIN
#define UNIT		MODEL_UNIT
#define NU		MODEL_NU

static struct ktest_rng rng;

static uint64_t rnd_below(uint64_t n)
{
	return ktest_rand_below(&rng, n);
}

static uint64_t rnd_point(void)
{
	switch (rnd_below(4)) {
	case 0:
		return rnd_below(WIN / FRAME_SIZE + 1) * FRAME_SIZE;
	case 1:
		return rnd_below(WIN / 256 + 1) * 256;
	default:
		return rnd_below(NU + 1) * UNIT;
	}
}

static uint32_t rnd_type(void)
{
	if (rnd_below(3) == 0)
		return U;
	if (rnd_below(8) == 0)
		return rnd_below(2) ? 0 : 77;
	return (uint32_t)(1 + rnd_below(MEMMAP_TYPE_NR - 1));
}

static struct memmap_region want[MODEL_NU];

static void test_memmap_random_vs_model(struct ktest *t)
{
	static const phys_addr_t windows[] = {
		0, 0x7fff0000ULL, 0x123400000ULL, TOP - WIN + 1,
	};
	unsigned int iter, bad = 0;

	rng.s = 0x9e3779b97f4a7c15ULL;
	for (iter = 0; iter < 3000 && !bad; iter++) {
		phys_addr_t win = windows[iter % 4];
		/* The top window loses its last byte: 2^64 - 1 is no end. */
		uint64_t limit = win == TOP - WIN + 1 ? WIN - 1 : WIN;
		unsigned int n = (unsigned int)rnd_below(24), i;
		struct memmap m;
		size_t nw;

		memmap_init(&m, big_table, 1024);
		model_reset();
		for (i = 0; i < n; i++) {
			uint64_t a = rnd_point(), b = rnd_point(), sz;
			uint32_t type = rnd_type();

			if (a > b) {
				uint64_t x = a;

				a = b;
				b = x;
			}
			if (b > limit)
				b = limit;
			sz = b - a;
			/* Now and then a range running past 2^64. */
			if (win == TOP - WIN + 1 && rnd_below(64) == 0)
				sz = TOP;
			memmap_add(&m, win + a, sz, type);
			if (sz == TOP || b > limit)
				b = limit;
			model_paint(a, b, model_norm(type), false);
		}
		KT_EXPECT_EQ(t, memmap_sanitize(&m), 0);
		nw = model_expect(want, win, limit, true);
		if (!map_equal(t, &m, want, nw, "random")) {
			bad++;
			continue;
		}
		/* From here on the model is the sanitized map. */
		model_load(want, nw, win);
		/*
		 * Random set_range() calls, on frame boundaries or off them.
		 * After each, the model drops usable frames that another type
		 * or a hole cuts, as the map does (and what is dropped stays
		 * dropped: the model is rebuilt from its own trimmed form).
		 */
		for (i = 0; i < 3; i++) {
			uint64_t a = rnd_point(), b = rnd_point();
			uint32_t type = rnd_below(5) ? rnd_type() : 0;

			model_range(&a, &b, limit);
			if (type == 77)
				type = RS;
			if (memmap_set_range(&m, win + a, b - a, type)) {
				bad++;
				break;
			}
			model_set_range(a, b, type, win, limit, want);
		}
		nw = model_expect(want, win, limit, true);
		if (!map_equal(t, &m, want, nw, "set_range"))
			bad++;
		for (i = 0; i < 16; i++) {
			uint64_t off = rnd_below(limit);

			if (memmap_type_at(&m, win + off) != model_at(off))
				bad++;
		}
	}
	KT_EXPECT_EQ(t, bad, 0);
	ktest_log(t, "%u random maps checked against the model", iter);
}

static void test_memmap_names_and_dump(struct ktest *t)
{
	struct memmap_region tab[4];
	struct memmap m;

	KT_EXPECT_STREQ(t, memmap_type_name(U), "usable");
	KT_EXPECT_STREQ(t, memmap_type_name(K), "kernel");
	KT_EXPECT_STREQ(t, memmap_type_name(MEMMAP_HOTPLUG), "hotplug");
	KT_EXPECT_STREQ(t, memmap_type_name(0), "hole");
	KT_EXPECT_STREQ(t, memmap_type_name(1234), "unknown");
	KT_EXPECT_EQ(t, memmap_type_rank(1234), memmap_type_rank(RS));
	KT_EXPECT_LT(t, memmap_type_rank(U), memmap_type_rank(AR));
	KT_EXPECT_LT(t, memmap_type_rank(NVS), memmap_type_rank(BAD));
	memmap_init(&m, tab, 4);
	memmap_add(&m, 0x100000, 0x3ff00000, U);
	memmap_add(&m, 0x200000, 0x200000, K);
	KT_EXPECT_EQ(t, memmap_sanitize(&m), 0);
	KT_EXPECT_EQ(t, memmap_total(&m, U), 0x3ff00000ULL - 0x200000);
	KT_EXPECT_EQ(t, memmap_total(&m, K), 0x200000);
	memmap_dump(&m);
}

static struct ktest_case memmap_cases[] = {
	KTEST_CASE(test_memmap_table),
	KTEST_CASE(test_memmap_many_entries),
	KTEST_CASE(test_memmap_full_add),
	KTEST_CASE(test_memmap_set_range),
	KTEST_CASE(test_memmap_set_range_unaligned),
	KTEST_CASE(test_memmap_random_vs_model),
	KTEST_CASE(test_memmap_names_and_dump),
	{}
};
KTEST_SUITE(memmap, memmap_cases);
