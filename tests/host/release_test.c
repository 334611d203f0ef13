// SPDX-License-Identifier: MIT
/*
 * release_test.c - memory the heap no longer uses goes back to the host
 * (port_mem_release(): madvise on the host port), so the process's
 * resident memory follows the heap's use.
 *
 * The cases set the scavenger's threshold to 0 (keep nothing resident)
 * and put the default back. Each case touches every page of what it allocates, frees it, and
 * requires the resident set (/proc/self/statm) to drop by about as much
 * at the free and to end near where it started,
 * together with the port's count of released bytes. The large objects are
 * freed from a thread of their own, whose large-span cache (2 MiB, kept
 * for quick reuse) goes back to the heap when the thread exits.
 */
#include <pthread.h>
#include <sys/resource.h>
#include <stdio.h>
#include <unistd.h>
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma_host.h>
#include "../test_mm.h"
#include "../../mm/heap.h"

extern uint64_t host_released_bytes;

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static void touch(char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i += 4096)
		p[i] = (char)(i >> 12 | 1);
}

/* A huge object (frames of its own): all of it goes at kfree(). */
static void test_release_huge(struct ktest *t)
{
	const size_t n = 24u << 20;
	uint64_t rel = host_released_bytes;
	long before, during, after;
	char *p;

	before = rss_kib();
	p = kmalloc(n, GFP_KERNEL);
	KT_ASSERT_NOT_NULL(t, p);
	touch(p, n);
	during = rss_kib();
	kfree(p);
	after = rss_kib();
	ktest_log(t, "RSS %ld KiB, %ld with 24 MiB touched, %ld after kfree",
		  before, during, after);
	/* Its pages may have been resident before (reused frames): what
	 * counts is that all of them leave at kfree(). */
	KT_EXPECT_GE(t, during - after, 23 * 1024);
	KT_EXPECT_LE(t, after, before + 1024);
	KT_EXPECT_GE(t, host_released_bytes - rel, (uint64_t)n);
}

struct large_job {
	char *p[32];
	size_t n;
	long during, after;
};

static void *free_large(void *arg)
{
	struct large_job *j = arg;
	unsigned int i;

	for (i = 0; i < 32; i++)
		kfree(j->p[i]);
	return NULL;
}

/* Large objects (page-heap spans of 64 KiB .. 1 MiB): released at free. */
static void test_release_large(struct ktest *t)
{
	struct large_job j = { .n = 0 };
	uint64_t rel = host_released_bytes;
	long before;
	pthread_t th;
	unsigned int i;

	before = rss_kib();
	for (i = 0; i < 32; i++) {
		size_t n = (size_t)(64u << 10) << (i % 5);	/* 64K..1M */

		j.p[i] = kmalloc(n, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, j.p[i]);
		touch(j.p[i], n);
		j.n += n;
	}
	j.during = rss_kib();
	pthread_create(&th, NULL, free_large, &j);
	pthread_join(th, NULL);
	j.after = rss_kib();
	ktest_log(t, "%zu KiB of large objects: RSS %ld, %ld touched, %ld after",
		  j.n >> 10, before, j.during, j.after);
	KT_EXPECT_GE(t, (uint64_t)(j.during - j.after),
		     (uint64_t)(j.n >> 10) - 2048);
	/* Back within what the page heap keeps (small spans, metadata). */
	KT_EXPECT_LE(t, j.after, before + 2048);
	KT_EXPECT_GE(t, host_released_bytes - rel, (uint64_t)j.n);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/*
 * With the default threshold, memory freed and allocated again in turn
 * stays resident: no release, no refault.
 */
static void test_release_kept_below_threshold(struct ktest *t)
{
	uint64_t rel;
	unsigned int i;
	void *p;

	kmalloc_set_scavenge_threshold(8u << 20);
	kfree(kmalloc(3u << 20, GFP_KERNEL));
	rel = host_released_bytes;
	for (i = 0; i < 100; i++) {
		p = kmalloc(3u << 20, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, p);
		kfree(p);
	}
	ktest_log(t, "100 x 3 MiB: %llu bytes released",
		  (unsigned long long)(host_released_bytes - rel));
	KT_EXPECT_EQ(t, host_released_bytes - rel, 0);
}

static long minor_faults(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* 32 large objects of 128 KiB, touched, freed from a thread of their own. */
static void large_round(struct ktest *t, struct large_job *j)
{
	pthread_t th;
	unsigned int i;

	j->n = 0;
	for (i = 0; i < 32; i++) {
		j->p[i] = kmalloc(128u << 10, GFP_KERNEL);
		KT_ASSERT_NOT_NULL(t, j->p[i]);
		touch(j->p[i], 128u << 10);
		j->n += 128u << 10;
	}
	j->during = rss_kib();
	pthread_create(&th, NULL, free_large, j);
	pthread_join(th, NULL);
	j->after = rss_kib();
}

/*
 * Time-based decay (kmalloc_decay_tick() with a clock of the test's own):
 * 4 MiB of large objects freed below the threshold stay resident through
 * the end of the period in which they were freed and go back at the end
 * of the next; the same memory freed and allocated again within every
 * period stays resident (touching it again costs no page faults). Each
 * period's end is also one for the CPU caches (heap.cache_gen, whose
 * effect kmalloc_test's test_kmalloc_cache_decays checks).
 */
static void test_decay(struct ktest *t)
{
	const uint64_t t0 = 1u << 30;	/* ms; the ticks before it were 0 */
	struct large_job j;
	uint64_t got, tick;
	uint32_t gen;
	long r1, flt;
	unsigned int k;

	kmalloc_set_scavenge_threshold(8u << 20);
	kmalloc_set_decay_ms(100);
	/* Two periods first: what earlier cases left free goes now. */
	kmalloc_decay_tick(t0 - 200);
	kmalloc_decay_tick(t0 - 100);
	kmalloc_decay_tick(t0);
	large_round(t, &j);
	gen = __atomic_load_n(&heap.cache_gen, __ATOMIC_RELAXED);
	KT_EXPECT_EQ(t, kmalloc_decay_tick(t0 + 50), 0);  /* not yet */
	KT_EXPECT_EQ(t, __atomic_load_n(&heap.cache_gen, __ATOMIC_RELAXED),
		     gen);
	kmalloc_decay_tick(t0 + 100);
	KT_EXPECT_EQ(t, __atomic_load_n(&heap.cache_gen, __ATOMIC_RELAXED),
		     gen + 1);
	r1 = rss_kib();
	got = kmalloc_decay_tick(t0 + 200);
	ktest_log(t, "RSS %ld KiB touched, %ld after free, %ld after one "
		  "period, %ld after two (%llu bytes decayed)", j.during,
		  j.after, r1, rss_kib(), (unsigned long long)got);
	KT_EXPECT_GE(t, r1 + 512, j.during);	/* still resident */
	KT_EXPECT_GE(t, j.during - rss_kib(), 4096 - 512);
	KT_EXPECT_GE(t, got, (uint64_t)4 << 20);

	/*
	 * Reused in every period: resident, no faults once the objects have
	 * settled where they are reused (the first two rounds may land on
	 * pages the decay released).
	 */
	large_round(t, &j);
	large_round(t, &j);
	tick = t0 + 300;
	kmalloc_decay_tick(tick);
	for (k = 0; k < 4; k++) {
		flt = minor_faults();
		large_round(t, &j);
		flt = minor_faults() - flt;
		tick += 100;
		kmalloc_decay_tick(tick);
		ktest_log(t, "round %u: %ld page faults for 4 MiB", k, flt);
		KT_EXPECT_LE(t, flt, 256);
	}
	kmalloc_set_decay_ms(1000);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

static void release_all(struct ktest *t)
{
	(void)t;
	kmalloc_set_scavenge_threshold(0);
}

static void release_default(struct ktest *t)
{
	(void)t;
	kmalloc_set_scavenge_threshold(8u << 20);
}

static struct ktest_case release_cases[] = {
	KTEST_CASE(release_all),
	KTEST_CASE(test_release_huge),
	KTEST_CASE(test_release_large),
	KTEST_CASE(release_default),
	KTEST_CASE(test_release_kept_below_threshold),
	KTEST_CASE(test_decay),
	{}
};
KTEST_SUITE(mem_release, release_cases);
