// SPDX-License-Identifier: MIT
/*
 * frame_threads_test.c - the frame allocator under threads (host only;
 * each thread is a CPU with its own frame cache). Also run under TSan.
 *
 * A zone is built over 32 MiB borrowed from the live allocator. An atomic
 * ownership bitmap catches any frame handed to two owners at once; a
 * stamp written into each frame catches the allocator writing into
 * memory it gave out; the totals after everything is freed must equal
 * the boot totals exactly.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>

#include <ktest.h>
#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma_host.h>
#include "frame_testlib.h"

#define NTHREADS	4
#define ZFRAMES		8192			/* 32 MiB */
#define XSLOTS		256			/* hand-off slots */

struct tz {
	phys_addr_t base;
	struct memmap map;
	struct memmap_region regions[16];
	struct frame_zone *z;
	struct frame_stats boot;
	uint64_t owned[ZFRAMES / 64];		/* atomic */
	uint64_t xslot[XSLOTS];			/* atomic: pa | order, or 0 */
	uint64_t errors;			/* atomic */
	pthread_barrier_t bar;
};

static struct tz *tz_create(void)
{
	struct tz *z = calloc(1, sizeof(*z));

	if (!z)
		return NULL;
	z->base = frame_alloc_run(ZFRAMES);
	if (z->base == FRAME_NONE) {
		free(z);
		return NULL;
	}
	memmap_init(&z->map, z->regions, 16);
	memmap_add(&z->map, z->base, (uint64_t)ZFRAMES * FRAME_SIZE,
		   MEMMAP_USABLE);
	memmap_add(&z->map, z->base + 0x123000, 0x5000, MEMMAP_RESERVED);
	memmap_add(&z->map, z->base + (9 << 20), 0x1000, MEMMAP_BAD);
	if (memmap_sanitize(&z->map) || !(z->z = frame_zone_create(&z->map))) {
		frame_free_run(z->base, ZFRAMES);
		free(z);
		return NULL;
	}
	frame_zone_get_stats(z->z, &z->boot);
	pthread_barrier_init(&z->bar, NULL, NTHREADS);
	return z;
}

static void tz_destroy(struct tz *z)
{
	pthread_barrier_destroy(&z->bar);
	frame_free_run(z->base, ZFRAMES);
	free(z);
}

static void tz_err(struct tz *z)
{
	__atomic_fetch_add(&z->errors, 1, __ATOMIC_RELAXED);
}

/* Claim (or release) every frame of a block in the ownership bitmap. */
static void own(struct tz *z, phys_addr_t pa, unsigned int order, bool take)
{
	size_t f = (size_t)((pa - z->base) >> FRAME_SHIFT), i;

	if (pa < z->base || f + ((size_t)1 << order) > ZFRAMES) {
		tz_err(z);
		return;
	}
	for (i = 0; i < ((size_t)1 << order); i++, f++) {
		uint64_t bit = 1ULL << (f % 64), old;

		if (take)
			old = __atomic_fetch_or(&z->owned[f / 64], bit,
						__ATOMIC_RELAXED);
		else
			old = __atomic_fetch_and(&z->owned[f / 64], ~bit,
						 __ATOMIC_RELAXED);
		if (!!(old & bit) == take)
			tz_err(z);
	}
}

static void stamp(struct tz *z, phys_addr_t pa, bool check)
{
	uint64_t *w = port_phys_to_virt(pa);

	if (check && w[1] != (pa ^ 0xfeedULL))
		tz_err(z);
	w[1] = pa ^ 0xfeedULL;
}

static phys_addr_t t_alloc(struct tz *z, unsigned int order)
{
	phys_addr_t pa = frame_zone_alloc(z->z, order);

	if (pa != FRAME_NONE) {
		own(z, pa, order, true);
		stamp(z, pa, false);
	}
	return pa;
}

static void t_free(struct tz *z, phys_addr_t pa, unsigned int order)
{
	stamp(z, pa, true);
	own(z, pa, order, false);
	frame_zone_free(z->z, pa, order);
}

struct worker {
	struct tz *z;
	unsigned int id;
	struct ktest_rng rng;
	uint64_t allocs, big, cross_frees, count;
	phys_addr_t held[512];
	uint8_t held_order[512];
	unsigned int nheld;
};

static uint64_t w_rnd(struct worker *w)
{
	return ktest_rand(&w->rng);
}

/* Free through the hand-off slots: another thread frees it. */
static void w_handoff(struct worker *w, phys_addr_t pa, unsigned int order)
{
	uint64_t v = pa | order, old;
	unsigned int s = (unsigned int)(w_rnd(w) % XSLOTS);

	stamp(w->z, pa, true);
	stamp(w->z, pa, false);
	old = __atomic_exchange_n(&w->z->xslot[s], v, __ATOMIC_ACQ_REL);
	if (old) {
		t_free(w->z, old & ~(FRAME_SIZE - 1),
		       (unsigned int)(old & (FRAME_SIZE - 1)));
		w->cross_frees++;
	}
}

static void *stress_worker(void *arg)
{
	struct worker *w = arg;
	unsigned int i;

	pthread_barrier_wait(&w->z->bar);
	for (i = 0; i < 40000; i++) {
		if (w->nheld < 512 && (w->nheld == 0 || w_rnd(w) % 2)) {
			unsigned int o = w_rnd(w) % 8 ? 0 :
					 (unsigned int)(w_rnd(w) % 4);
			phys_addr_t pa = t_alloc(w->z, o);

			if (pa == FRAME_NONE)
				continue;
			w->allocs++;
			w->big += o > 0;
			w->held[w->nheld] = pa;
			w->held_order[w->nheld++] = (uint8_t)o;
		} else {
			unsigned int k = (unsigned int)(w_rnd(w) % w->nheld);
			phys_addr_t pa = w->held[k];
			unsigned int o = w->held_order[k];

			w->held[k] = w->held[--w->nheld];
			w->held_order[k] = w->held_order[w->nheld];
			if (w_rnd(w) % 3 == 0)
				w_handoff(w, pa, o);
			else
				t_free(w->z, pa, o);
		}
	}
	while (w->nheld) {
		w->nheld--;
		t_free(w->z, w->held[w->nheld], w->held_order[w->nheld]);
	}
	return NULL;
}

static void run_workers(struct tz *z, void *(*fn)(void *), struct worker *w)
{
	pthread_t th[NTHREADS];
	unsigned int i;

	for (i = 0; i < NTHREADS; i++) {
		w[i].z = z;
		w[i].id = i;
		w[i].rng.s = 0x9e3779b97f4a7c15ULL * (i + 1);
		pthread_create(&th[i], NULL, fn, &w[i]);
	}
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
}

static void expect_boot_totals(struct ktest *t, struct tz *z)
{
	struct frame_stats st;

	frame_zone_drain_all(z->z);
	frame_zone_get_stats(z->z, &st);
	KT_EXPECT(t, tstats_equal(t, &st, &z->boot));
	KT_EXPECT_EQ(t, frame_zone_validate(z->z), 0);
}

static void test_frame_threads_stress(struct ktest *t)
{
	struct worker *w = calloc(NTHREADS, sizeof(*w));
	struct tz *z = tz_create();
	uint64_t cross = 0, allocs = 0, big = 0, i;
	struct frame_stats st;

	KT_ASSERT_NOT_NULL(t, w);
	KT_ASSERT_NOT_NULL(t, z);
	run_workers(z, stress_worker, w);
	for (i = 0; i < XSLOTS; i++)
		if (z->xslot[i])
			t_free(z, z->xslot[i] & ~(FRAME_SIZE - 1),
			       (unsigned int)(z->xslot[i] & (FRAME_SIZE - 1)));
	for (i = 0; i < NTHREADS; i++) {
		cross += w[i].cross_frees;
		allocs += w[i].allocs;
		big += w[i].big;
	}
	frame_zone_get_stats(z->z, &st);
	ktest_log(t, "%llu allocations, %llu freed on another CPU, zone lock "
		  "taken %llu times (%llu refills, %llu drains)",
		  (unsigned long long)allocs, (unsigned long long)cross,
		  (unsigned long long)st.zone_locks,
		  (unsigned long long)st.pcp_refills,
		  (unsigned long long)st.pcp_drains);
	KT_EXPECT_GT(t, cross, 0);
	KT_EXPECT_EQ(t, __atomic_load_n(&z->errors, __ATOMIC_RELAXED), 0);
	/*
	 * Batching: blocks above order 0 take the zone lock to allocate and
	 * to free; order-0 frames take it about once per batch.
	 */
	KT_EXPECT_LT(t, st.zone_locks - 2 * big, (allocs - big) / 4);
	expect_boot_totals(t, z);
	tz_destroy(z);
	free(w);
}

/* Every thread allocates order 0 until the zone is empty. */
static void *exhaust_worker(void *arg)
{
	struct worker *w = arg;
	phys_addr_t *mine = malloc(ZFRAMES * sizeof(*mine));
	phys_addr_t pa;
	uint64_t i;

	if (!mine) {
		tz_err(w->z);
		return NULL;
	}
	pthread_barrier_wait(&w->z->bar);
	while ((pa = t_alloc(w->z, 0)) != FRAME_NONE)
		mine[w->count++] = pa;
	pthread_barrier_wait(&w->z->bar);
	/* The main thread checks the zone is empty, then we free. */
	pthread_barrier_wait(&w->z->bar);
	for (i = 0; i < w->count; i++)
		t_free(w->z, mine[i], 0);
	free(mine);
	return NULL;
}

static void test_frame_threads_exhaust(struct ktest *t)
{
	struct worker *w = calloc(NTHREADS, sizeof(*w));
	struct tz *z = tz_create();
	pthread_t th[NTHREADS];
	uint64_t total = 0, round;
	unsigned int i;

	KT_ASSERT_NOT_NULL(t, w);
	KT_ASSERT_NOT_NULL(t, z);
	pthread_barrier_destroy(&z->bar);
	pthread_barrier_init(&z->bar, NULL, NTHREADS + 1);
	for (round = 0; round < 2; round++) {
		struct frame_stats st;

		total = 0;
		for (i = 0; i < NTHREADS; i++) {
			w[i].z = z;
			w[i].count = 0;
			pthread_create(&th[i], NULL, exhaust_worker, &w[i]);
		}
		pthread_barrier_wait(&z->bar);		/* start */
		pthread_barrier_wait(&z->bar);		/* all empty-handed */
		for (i = 0; i < NTHREADS; i++)
			total += w[i].count;
		frame_zone_get_stats(z->z, &st);
		/* Nothing stuck in a cache: every frame was handed out. */
		KT_EXPECT_EQ(t, total, z->boot.managed);
		KT_EXPECT_EQ(t, st.free, 0);
		pthread_barrier_wait(&z->bar);		/* free */
		for (i = 0; i < NTHREADS; i++)
			pthread_join(th[i], NULL);
		expect_boot_totals(t, z);
	}
	KT_EXPECT_EQ(t, __atomic_load_n(&z->errors, __ATOMIC_RELAXED), 0);
	tz_destroy(z);
	free(w);
}

/*
 * A thread that stays alive keeps frames in its cache; another CPU must
 * still get them when the zone is otherwise empty.
 */
struct hold_ctl {
	struct tz *z;
	phys_addr_t *all;
	uint64_t n;
	pthread_barrier_t b;
};

static void *holder(void *arg)
{
	struct hold_ctl *c = arg;
	phys_addr_t pa;
	uint64_t i;

	while ((pa = t_alloc(c->z, 0)) != FRAME_NONE)
		c->all[c->n++] = pa;
	/* Free 64 frames: they sit in this thread's cache. */
	for (i = 0; i < 64; i++)
		t_free(c->z, c->all[--c->n], 0);
	pthread_barrier_wait(&c->b);	/* holder's cache is full */
	pthread_barrier_wait(&c->b);	/* other CPU done */
	for (i = 0; i < c->n; i++)
		t_free(c->z, c->all[i], 0);
	return NULL;
}

static void test_frame_threads_remote_drain(struct ktest *t)
{
	struct hold_ctl c = { .z = tz_create() };
	phys_addr_t got[64];
	struct frame_stats st;
	pthread_t th;
	unsigned int i, n = 0;

	KT_ASSERT_NOT_NULL(t, c.z);
	c.all = malloc(ZFRAMES * sizeof(*c.all));
	KT_ASSERT_NOT_NULL(t, c.all);
	pthread_barrier_init(&c.b, NULL, 2);
	pthread_create(&th, NULL, holder, &c);
	pthread_barrier_wait(&c.b);
	frame_zone_get_stats(c.z->z, &st);
	KT_EXPECT_EQ(t, st.cached, 64);
	KT_EXPECT_EQ(t, st.free, 64);
	for (i = 0; i < 64; i++) {
		got[n] = t_alloc(c.z, 0);
		if (got[n] != FRAME_NONE)
			n++;
	}
	KT_EXPECT_EQ(t, n, 64);
	KT_EXPECT_EQ(t, frame_zone_alloc(c.z->z, 0), FRAME_NONE);
	for (i = 0; i < n; i++)
		t_free(c.z, got[i], 0);
	pthread_barrier_wait(&c.b);
	pthread_join(th, NULL);
	KT_EXPECT_EQ(t, __atomic_load_n(&c.z->errors, __ATOMIC_RELAXED), 0);
	expect_boot_totals(t, c.z);
	pthread_barrier_destroy(&c.b);
	free(c.all);
	tz_destroy(c.z);
}

static struct ktest_case frame_threads_cases[] = {
	KTEST_CASE(test_frame_threads_stress),
	KTEST_CASE(test_frame_threads_exhaust),
	KTEST_CASE(test_frame_threads_remote_drain),
	{}
};
KTEST_SUITE(frame_threads, frame_threads_cases);
