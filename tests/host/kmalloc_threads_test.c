// SPDX-License-Identifier: MIT
/*
 * kmalloc_threads_test.c - the object heap with many CPUs (host threads):
 * producer/consumer hand-offs, frees on other CPUs than the allocating
 * one, reuse of cross-CPU frees, double free from another CPU, and exact
 * frame accounting once every thread is gone.
 */
#include <pthread.h>
#include <stdlib.h>
#include <ktest.h>
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma_host.h>
#include "test_report.h"
#include "../test_mm.h"
#include "../../mm/heap.h"

/* A bounded queue of objects between threads. */
#define RING 256
struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void *slot[RING];
	size_t size[RING];
	unsigned int head, tail;
	bool done;
};

static void ring_put(struct ring *r, void *p, size_t n)
{
	pthread_mutex_lock(&r->mu);
	while (r->tail - r->head == RING)
		pthread_cond_wait(&r->cv, &r->mu);
	r->slot[r->tail % RING] = p;
	r->size[r->tail % RING] = n;
	r->tail++;
	pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
}

static void *ring_get(struct ring *r, size_t *n)
{
	void *p = NULL;

	pthread_mutex_lock(&r->mu);
	while (r->head == r->tail && !r->done)
		pthread_cond_wait(&r->cv, &r->mu);
	if (r->head != r->tail) {
		p = r->slot[r->head % RING];
		*n = r->size[r->head % RING];
		r->head++;
		pthread_cond_broadcast(&r->cv);
	}
	pthread_mutex_unlock(&r->mu);
	return p;
}

struct pc_arg {
	struct ring *ring;
	unsigned int id;
	unsigned long count;
	unsigned long bad;
};

static size_t pc_size(uint64_t r)
{
	if (r % 50 == 0)
		return 32769 + r % 100000;
	return 1 + r % (r % 5 ? 512 : 8192);
}

static void *producer(void *arg)
{
	struct pc_arg *a = arg;
	struct ktest_rng rng = { 88172645463325252ULL + a->id };
	uint64_t x;
	unsigned long i;

	for (i = 0; i < a->count; i++) {
		size_t n;
		uint8_t *p;

		x = ktest_rand(&rng);
		n = pc_size(x);
		p = kmalloc(n, (x & 64) && n < 16 ? GFP_NOSCAN : GFP_KERNEL);
		if (!p) {
			a->bad++;
			continue;
		}
		p[n - 1] = (uint8_t)(n >> 3);
		p[0] = (uint8_t)n;
		/* Free some locally, hand the rest to a consumer. */
		if (x % 3 == 0)
			kfree(p);
		else
			ring_put(a->ring, p, n);
	}
	return NULL;
}

static void *consumer(void *arg)
{
	struct pc_arg *a = arg;
	uint8_t *p;
	size_t n;

	while ((p = ring_get(a->ring, &n))) {
		if (p[0] != (uint8_t)n ||
		    (n > 1 && p[n - 1] != (uint8_t)(n >> 3)))
			a->bad++;
		kfree(p);
	}
	return NULL;
}

static void test_kmalloc_threads_producer_consumer(struct ktest *t)
{
	enum { NP = 4, NC = 4 };
	struct ring ring = { .mu = PTHREAD_MUTEX_INITIALIZER,
			     .cv = PTHREAD_COND_INITIALIZER };
	struct pc_arg pa[NP], ca[NC];
	pthread_t pt[NP], ct[NC];
	uint64_t before = test_mm_free_frames();
	unsigned int i;

	for (i = 0; i < NC; i++) {
		ca[i] = (struct pc_arg){ .ring = &ring, .id = i };
		pthread_create(&ct[i], NULL, consumer, &ca[i]);
	}
	for (i = 0; i < NP; i++) {
		pa[i] = (struct pc_arg){ .ring = &ring, .id = i,
					 .count = 30000 };
		pthread_create(&pt[i], NULL, producer, &pa[i]);
	}
	for (i = 0; i < NP; i++)
		pthread_join(pt[i], NULL);
	pthread_mutex_lock(&ring.mu);
	ring.done = true;
	pthread_cond_broadcast(&ring.cv);
	pthread_mutex_unlock(&ring.mu);
	for (i = 0; i < NC; i++)
		pthread_join(ct[i], NULL);
	for (i = 0; i < NP; i++)
		KT_EXPECT_EQ(t, pa[i].bad, 0);
	for (i = 0; i < NC; i++)
		KT_EXPECT_EQ(t, ca[i].bad, 0);
	/* Exited threads drained their caches when they gave up their slot. */
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

struct xfree_arg {
	void *p;
};

static void *free_it(void *arg)
{
	kfree(((struct xfree_arg *)arg)->p);
	return NULL;
}

static void free_on_other_cpu(void *p)
{
	struct xfree_arg a = { p };
	pthread_t th;

	pthread_create(&th, NULL, free_it, &a);
	pthread_join(th, NULL);
}

/*
 * An object freed on another CPU comes back to this one: within what this
 * CPU's cache of the class can hold (the objects it carved before the
 * free) and two spans more (the refill that sweeps p's span in).
 */
static void test_kmalloc_threads_cross_free_reused(struct ktest *t)
{
	unsigned int cls = sc_of_size(80), i;
	unsigned int m = centrals[cls].cache_capmax + 2 * sc_objs[cls] + 1;
	void **objs = calloc(m, sizeof(void *));
	void *p = kmalloc(80, GFP_KERNEL);
	bool seen = false;

	KT_ASSERT_NOT_NULL(t, objs);
	free_on_other_cpu(p);		/* p's span stays with this CPU */
	for (i = 0; i < m; i++) {
		objs[i] = kmalloc(80, GFP_KERNEL);
		if (objs[i] == p)
			seen = true;
	}
	KT_EXPECT(t, seen);
	for (i = 0; i < m; i++)
		kfree(objs[i]);
	free(objs);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

static void test_kmalloc_threads_double_free_remote(struct ktest *t)
{
	void *p = kmalloc(200, GFP_KERNEL);

	kfree(p);
	report_capture_begin();
	free_on_other_cpu(p);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/* Thread B frees an object and keeps it in its cache until told to go. */
struct hold_arg {
	void *p;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int state;		/* 0 start, 1 freed (held in B's cache), 2 go */
};

static void *free_and_hold(void *arg)
{
	struct hold_arg *a = arg;

	kfree(a->p);
	pthread_mutex_lock(&a->mu);
	a->state = 1;
	pthread_cond_broadcast(&a->cv);
	while (a->state != 2)
		pthread_cond_wait(&a->cv, &a->mu);
	pthread_mutex_unlock(&a->mu);
	return NULL;
}

static void test_kmalloc_threads_double_free_in_remote_cache(struct ktest *t)
{
	struct hold_arg a = { .p = kmalloc(96, GFP_KERNEL),
			      .mu = PTHREAD_MUTEX_INITIALIZER,
			      .cv = PTHREAD_COND_INITIALIZER };
	void *objs[512];
	unsigned int i, seen = 0;
	pthread_t th;

	KT_ASSERT_NOT_NULL(t, a.p);
	pthread_create(&th, NULL, free_and_hold, &a);
	pthread_mutex_lock(&a.mu);
	while (a.state != 1)
		pthread_cond_wait(&a.cv, &a.mu);
	pthread_mutex_unlock(&a.mu);
	/* a.p sits in the other CPU's cache: freeing it here is reported */
	report_capture_begin();
	kfree(a.p);
	report_capture_end();
	KT_EXPECT_REPORT(t, MM_ERR_DOUBLE_FREE, "already freed");
	KT_EXPECT(t, report_msg_has("class"));
	/* ... and it was not pushed here: this CPU never hands it out */
	for (i = 0; i < 512; i++) {
		objs[i] = kmalloc(96, GFP_KERNEL);
		seen += objs[i] == a.p;
	}
	KT_EXPECT_EQ(t, seen, 0);
	for (i = 0; i < 512; i++)
		kfree(objs[i]);
	pthread_mutex_lock(&a.mu);
	a.state = 2;
	pthread_cond_broadcast(&a.cv);
	pthread_mutex_unlock(&a.mu);
	pthread_join(th, NULL);	/* B's exit drains its cache: a.p once */
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
}

/* Many threads allocating and freeing their own, all classes at once. */
static void *churn(void *arg)
{
	struct ktest_rng rng = { (uintptr_t)arg * 2654435761ULL + 1 };
	void *keep[64] = { 0 };
	uint64_t x;
	unsigned long *bad = arg;
	unsigned int i;

	(void)bad;
	for (i = 0; i < 40000; i++) {
		unsigned int k;

		x = ktest_rand(&rng);
		k = x % 64;
		kfree(keep[k]);
		keep[k] = kmalloc(1 + x % 2048, GFP_KERNEL);
	}
	for (i = 0; i < 64; i++)
		kfree(keep[i]);
	return NULL;
}

static void test_kmalloc_threads_churn(struct ktest *t)
{
	enum { N = 8 };
	pthread_t th[N];
	uint64_t before = test_mm_free_frames();
	unsigned int i;

	for (i = 0; i < N; i++)
		pthread_create(&th[i], NULL, churn, (void *)(uintptr_t)(i + 1));
	for (i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

/*
 * The pressure ladder reaches other CPUs' caches: four threads that
 * touched every class and freed everything sit idle (blocked in the C
 * library) holding cached objects and spans; an allocation that cannot
 * succeed makes the ladder ask them to drain (rung (b)), and afterwards,
 * with the four still alive and idle, every frame is back: exact
 * accounting. Without rung (b) their caches keep hundreds of frames.
 */
struct idle_arg {
	pthread_mutex_t *mu;
	pthread_cond_t *cv;
	int *ready, *go;
};

static void *idle_toucher(void *arg)
{
	struct idle_arg *a = arg;
	size_t sz;
	void *p;

	for (sz = 8; sz <= 32768; sz += sz < 1024 ? 8 : 256) {
		p = kmalloc(sz, GFP_KERNEL);
		kfree(p);
	}
	kfree(kmalloc(4, GFP_NOSCAN));		/* a tiny block */
	kfree(kmalloc(65536, GFP_KERNEL));	/* a large cached span */
	pthread_mutex_lock(a->mu);
	(*a->ready)++;
	pthread_cond_broadcast(a->cv);
	while (!*a->go)
		pthread_cond_wait(a->cv, a->mu);	/* idle */
	pthread_mutex_unlock(a->mu);
	return NULL;
}

static void test_kmalloc_threads_pressure_drains_idle(struct ktest *t)
{
	enum { N = 4 };
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
	int ready = 0, go = 0;
	struct idle_arg a = { &mu, &cv, &ready, &go };
	uint64_t before = test_mm_free_frames(), held;
	struct frame_stats fs;
	struct kmalloc_stats st;
	pthread_t th[N];
	unsigned int i;
	void *p;

	for (i = 0; i < N; i++)
		pthread_create(&th[i], NULL, idle_toucher, &a);
	pthread_mutex_lock(&mu);
	while (ready < N)
		pthread_cond_wait(&cv, &mu);
	pthread_mutex_unlock(&mu);
	/* What the idle threads hold, seen without draining anyone. */
	kmalloc_drain_cpu(port_cpu_id());
	kmalloc_scavenge();
	frame_drain_all();
	frame_get_stats(&fs);
	held = before - fs.free;
	ktest_log(t, "%u idle threads hold %llu frames", N,
		  (unsigned long long)held);
	KT_EXPECT_GT(t, held, 64);
	kmalloc_get_stats(&st);
	/* More than all the memory there is: fails after the whole ladder. */
	p = kmalloc((size_t)fs.managed * 4096, GFP_KERNEL);
	KT_EXPECT_NULL(t, p);
	kmalloc_get_stats(&st);
	ktest_log(t, "ladder: %llu runs, %llu kicks, %llu late",
		  (unsigned long long)st.pressure_runs,
		  (unsigned long long)st.pressure_kicks,
		  (unsigned long long)st.pressure_late);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
	pthread_mutex_lock(&mu);
	go = 1;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&mu);
	for (i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	KT_EXPECT_EQ(t, test_mm_free_frames(), before);
}

/* Frees every object of a->objs on a thread (CPU) of its own. */
struct flow_arg {
	void **objs;
	unsigned int n;
	uint64_t locks;		/* the class's central locks it took */
	unsigned int spc;
};

static void *flow_free_all(void *arg)
{
	struct flow_arg *a = arg;
	uint64_t l0 = __atomic_load_n(&centrals[a->spc].nlocks,
				      __ATOMIC_RELAXED);
	unsigned int i;

	for (i = 0; i < a->n; i++)
		kfree(a->objs[i]);
	a->locks = __atomic_load_n(&centrals[a->spc].nlocks,
				   __ATOMIC_RELAXED) - l0;
	kmalloc_drain_cpu(port_cpu_id());
	return NULL;
}

/*
 * A CPU that only frees a class hands its whole cache to the central
 * under one lock when it fills (not a batch, half of it), and a CPU that
 * only allocates it refills its whole cache from the central under one
 * lock: 1000 objects of 4 KiB freed on another thread (as many as the
 * central's batches hold) take one central lock per cache's capacity
 * (32), not per batch (16), and 1000 allocated back from the central's
 * batches about as few.
 */
static void test_kmalloc_threads_one_way_flows(struct ktest *t)
{
	static void *objs[1000];
	unsigned int spc = sc_of_size(4096), cap, i;
	struct flow_arg a = { objs, 1000, 0, spc };
	uint64_t l0, locks;
	pthread_t th;

	test_mm_quiesce();
	cap = centrals[spc].cache_cap;
	for (i = 0; i < a.n; i++)
		KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(4096, GFP_KERNEL));
	pthread_create(&th, NULL, flow_free_all, &a);
	pthread_join(th, NULL);
	ktest_log(t, "%u frees on another CPU: %llu central locks (capacity "
		  "%u, batch %u)", a.n, (unsigned long long)a.locks, cap,
		  centrals[spc].batch);
	KT_EXPECT_LE(t, a.locks, a.n / cap + 2);
	/* The central now holds batches: take 1000 back, a cache a lock. */
	kmalloc_drain_cpu(port_cpu_id());
	l0 = __atomic_load_n(&centrals[spc].nlocks, __ATOMIC_RELAXED);
	for (i = 0; i < 1000; i++)
		KT_ASSERT_NOT_NULL(t, objs[i] = kmalloc(4096, GFP_KERNEL));
	locks = __atomic_load_n(&centrals[spc].nlocks, __ATOMIC_RELAXED) - l0;
	ktest_log(t, "1000 allocations from the central: %llu locks",
		  (unsigned long long)locks);
	/* + a few: what the central's whole batches left is carved anew */
	KT_EXPECT_LE(t, locks, 1000 / cap + 4);
	for (i = 0; i < 1000; i++)
		kfree(objs[i]);
	KT_EXPECT_EQ(t, kmalloc_validate(), 0);
	test_mm_quiesce();
}

static struct ktest_case kmalloc_threads_cases[] = {
	KTEST_CASE(test_kmalloc_threads_producer_consumer),
	KTEST_CASE(test_kmalloc_threads_cross_free_reused),
	KTEST_CASE(test_kmalloc_threads_double_free_remote),
	KTEST_CASE(test_kmalloc_threads_double_free_in_remote_cache),
	KTEST_CASE(test_kmalloc_threads_churn),
	KTEST_CASE(test_kmalloc_threads_pressure_drains_idle),
	KTEST_CASE(test_kmalloc_threads_one_way_flows),
	{}
};
KTEST_SUITE(kmalloc_threads, kmalloc_threads_cases);
