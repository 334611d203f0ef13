// SPDX-License-Identifier: MIT
/*
 * slab_threads_test.c - object caches on several CPUs (host threads, one
 * CPU slot each): objects allocated on one CPU and freed on another, in
 * constructed state; a cache destroyed while another, idle CPU still
 * holds its objects in its cache (the drain request empties it); double
 * frees across CPUs; exact frame accounting; slabinfo lists every live
 * cache by name (host only: stdout is captured).
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/slab.h>
#include <kma/frame.h>
#include "test_report.h"
#include "../test_mm.h"
#include "../../mm/heap.h"

#define PER_THREAD	20000
#define RING		256

struct obj {
	uint64_t magic;
	uint64_t owner;
	uint8_t pad[40];
};

#define OBJ_MAGIC	0x0b1ec7c0ffee0000ULL

static void obj_ctor(void *p)
{
	struct obj *o = p;
	unsigned int i;

	o->magic = OBJ_MAGIC;
	o->owner = 0;
	for (i = 0; i < sizeof(o->pad); i++)
		o->pad[i] = (uint8_t)i;
}

/* A single-producer single-consumer ring of objects. */
struct pc {
	struct kma_kmem_cache *cache;
	void *ring[RING];
	unsigned int head, tail;	/* atomic */
	unsigned int pbad, cbad;	/* the producer's, the consumer's */
};

static void ring_put(struct pc *pc, void *o)
{
	unsigned int h = __atomic_load_n(&pc->head, __ATOMIC_RELAXED);

	while (h - __atomic_load_n(&pc->tail, __ATOMIC_ACQUIRE) >= RING)
		cpu_relax();
	pc->ring[h % RING] = o;
	__atomic_store_n(&pc->head, h + 1, __ATOMIC_RELEASE);
}

static void *producer(void *arg)
{
	struct pc *pc = arg;
	unsigned int i;

	for (i = 0; i < PER_THREAD; i++) {
		struct obj *o = kma_kmem_cache_alloc(pc->cache, GFP_KERNEL);

		if (!o || o->magic != OBJ_MAGIC || o->owner) {
			pc->pbad++;
			continue;
		}
		o->owner = 1;
		ring_put(pc, o);
	}
	ring_put(pc, NULL);		/* done */
	return NULL;
}

static void *consumer(void *arg)
{
	struct pc *pc = arg;
	unsigned int n = 0;

	for (;;) {
		unsigned int t = __atomic_load_n(&pc->tail, __ATOMIC_RELAXED);
		struct obj *o;

		if (t == __atomic_load_n(&pc->head, __ATOMIC_ACQUIRE)) {
			cpu_relax();
			continue;
		}
		o = pc->ring[t % RING];
		__atomic_store_n(&pc->tail, t + 1, __ATOMIC_RELEASE);
		if (!o)
			break;
		if (o->magic != OBJ_MAGIC || o->owner != 1)
			pc->cbad++;
		o->owner = 0;		/* back in constructed state */
		if (n++ & 1)
			kfree(o);
		else
			kma_kmem_cache_free(pc->cache, o);
	}
	if (n != PER_THREAD)
		pc->cbad++;
	return NULL;
}

/*
 * Producer/consumer pairs on one constructor cache: every object comes
 * constructed whichever CPU freed it last; when the threads are gone the
 * cache is destroyed and every frame is back.
 */
static void test_slab_threads_cross_free(struct ktest *t)
{
	enum { PAIRS = 2 };
	uint64_t before = test_mm_free_frames();
	struct kma_kmem_cache *c;
	static struct pc pc[PAIRS];
	pthread_t th[2 * PAIRS];
	unsigned int i;

	c = kma_kmem_cache_create("xcpu", sizeof(struct obj), 0, 0, obj_ctor);
	KT_ASSERT_NOT_NULL(t, c);
	for (i = 0; i < PAIRS; i++) {
		pc[i] = (struct pc){ .cache = c };
		pthread_create(&th[2 * i], NULL, consumer, &pc[i]);
		pthread_create(&th[2 * i + 1], NULL, producer, &pc[i]);
	}
	for (i = 0; i < 2 * PAIRS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < PAIRS; i++) {
		KT_EXPECT_EQ(t, pc[i].pbad, 0);
		KT_EXPECT_EQ(t, pc[i].cbad, 0);
	}
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

struct idle {
	struct kma_kmem_cache *cache;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stage;		/* 1: holding objects; 2: may exit */
	void *freed_here;	/* an object this thread freed (in its cache) */
	unsigned int cpu;
};

static void *idle_holder(void *arg)
{
	struct idle *a = arg;
	void *objs[100];
	unsigned int i;

	for (i = 0; i < 100; i++)
		objs[i] = kma_kmem_cache_alloc(a->cache, GFP_KERNEL);
	for (i = 0; i < 100; i++)
		kma_kmem_cache_free(a->cache, objs[i]);
	a->freed_here = objs[99];
	a->cpu = port_cpu_id();
	pthread_mutex_lock(&a->mu);
	a->stage = 1;
	pthread_cond_broadcast(&a->cv);
	while (a->stage < 2)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

/*
 * Destroying a cache whose objects sit in another, idle CPU's cache: that
 * CPU is asked to drain and the cache goes; a second free of an object
 * sitting in the idle CPU's cache is reported on this CPU first.
 */
static void test_slab_threads_destroy_remote(struct ktest *t)
{
	uint64_t before = test_mm_free_frames();
	static struct idle a = { .mu = PTHREAD_MUTEX_INITIALIZER,
				 .cv = PTHREAD_COND_INITIALIZER };
	pthread_t th;

	a.stage = 0;
	a.cache = kma_kmem_cache_create("remote", 200, 0, 0, NULL);
	KT_ASSERT_NOT_NULL(t, a.cache);
	pthread_create(&th, NULL, idle_holder, &a);
	pthread_mutex_lock(&a.mu);
	while (a.stage < 1)
		pthread_cond_wait(&a.cv, &a.mu);
	pthread_mutex_unlock(&a.mu);

	report_capture_begin();
	kma_kmem_cache_free(a.cache, a.freed_here);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_DOUBLE_FREE);

	KT_EXPECT_GT(t, objcache_count(objcache_of(a.cpu, a.cache->spc)), 0);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(a.cache), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
	pthread_mutex_lock(&a.mu);
	a.stage = 2;
	pthread_cond_broadcast(&a.cv);
	pthread_mutex_unlock(&a.mu);
	pthread_join(th, NULL);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

/* kmalloc_dump_slabinfo()'s output (port_print() writes to fd 1). */
static size_t slabinfo_text(char *buf, size_t len)
{
	FILE *f = tmpfile();
	int saved = dup(1);
	size_t n = 0;

	if (!f || saved < 0)
		return 0;
	fflush(stdout);
	dup2(fileno(f), 1);
	kmalloc_dump_slabinfo();
	dup2(saved, 1);
	close(saved);
	rewind(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	return n;
}

/* slabinfo lists a live cache with its object size and count, and not a
 * destroyed one. */
static void test_slab_slabinfo_lists_caches(struct ktest *t)
{
	static char text[32768];
	struct kma_kmem_cache *c = kma_kmem_cache_create("inode_cache", 600,
							  0, 0, NULL);
	void *objs[5];
	char want[64];
	unsigned int i;

	KT_ASSERT_NOT_NULL(t, c);
	for (i = 0; i < 5; i++)
		objs[i] = kma_kmem_cache_alloc(c, GFP_KERNEL);
	KT_ASSERT(t, slabinfo_text(text, sizeof(text)) > 0);
	snprintf(want, sizeof(want), "inode_cache              5 ");
	if (!strstr(text, want))
		ktest_fail(t, __FILE__, __LINE__, "slabinfo lacks \"%s\"", want);
	KT_EXPECT(t, strstr(text, " 600 ") != NULL);
	KT_EXPECT(t, strstr(text, "kmalloc-64 ") != NULL);
	for (i = 0; i < 5; i++)
		kma_kmem_cache_free(c, objs[i]);
	KT_EXPECT_EQ(t, kma_kmem_cache_destroy(c), 0);
	slabinfo_text(text, sizeof(text));
	KT_EXPECT(t, strstr(text, "inode_cache") == NULL);
}

static struct ktest_case slab_threads_cases[] = {
	KTEST_CASE(test_slab_slabinfo_lists_caches),
	KTEST_CASE(test_slab_threads_cross_free),
	KTEST_CASE(test_slab_threads_destroy_remote),
	{}
};
KTEST_SUITE(slab_threads, slab_threads_cases);
