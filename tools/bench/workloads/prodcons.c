// SPDX-License-Identifier: MIT
/*
 * prodcons.c - workload (c): producer/consumer. A producer thread
 * allocates objects and passes them through a ring to its consumer
 * thread, which reads and frees them: every free is a free from another
 * thread than the one that allocated.
 *
 *   prodcons [-t pairs] [-n objects/pair] [-s size] [-b ring slots]
 *
 * -t counts producer/consumer pairs (2 threads each). Without -s sizes
 * are random, log-uniform in 16..1024. One result line, case=<size> or
 * case=mixed; threads=<pairs>, ops = objects passed.
 *
 * The ring of each pair: the producer writes slots and the head index,
 * the consumer reads them and writes the tail index, each index alone on
 * its cache line; when the ring is full or empty the waiting side yields.
 */
#include <sched.h>
#include "wl_common.h"

#define RING_MAX	65536

/* Written by the producer: xhead; by the consumer: xtail, xfreed. */
struct ring {
	long xhead __attribute__((aligned(64)));
	long xtail __attribute__((aligned(64)));
	uint64_t xfreed;			/* bytes freed */
	void **slot __attribute__((aligned(64)));
	long mask;
};

struct pc_state {
	struct ring rings[WL_MAX_THREADS / 2];
	size_t size;
	long objs;
	uint64_t seed;
};

static uint64_t produce(struct pc_state *st, struct ring *r, uint64_t *rng)
{
	uint64_t made = 0, peak = 0, live;
	long head = 0, i;

	for (i = 0; i < st->objs; i++) {
		size_t n = st->size ? st->size : wl_rand_size(rng, 16, 1024);
		unsigned char *p = wl_malloc(n);

		wl_touch(p, n, (unsigned char)n);
		*(size_t *)p = n;	/* the consumer reads it back */
		made += n;
		live = made - __atomic_load_n(&r->xfreed, __ATOMIC_RELAXED);
		if (live > peak)
			peak = live;
		while (head - __atomic_load_n(&r->xtail, __ATOMIC_ACQUIRE) >
		       r->mask)
			sched_yield();
		r->slot[head & r->mask] = p;
		__atomic_store_n(&r->xhead, ++head, __ATOMIC_RELEASE);
	}
	return peak;
}

static void consume(struct pc_state *st, struct ring *r)
{
	uint64_t freed = 0;
	long tail = 0;

	while (tail < st->objs) {
		long head = __atomic_load_n(&r->xhead, __ATOMIC_ACQUIRE);

		if (head == tail) {
			sched_yield();
			continue;
		}
		while (tail < head) {
			void *p = r->slot[tail & r->mask];

			freed += *(volatile size_t *)p;
			free(p);
			tail++;
		}
		__atomic_store_n(&r->xfreed, freed, __ATOMIC_RELAXED);
		__atomic_store_n(&r->xtail, tail, __ATOMIC_RELEASE);
	}
}

static long pc_thread(struct wl_run *run, int idx)
{
	struct pc_state *st = run->arg;
	struct ring *r = &st->rings[idx / 2];
	uint64_t rng = st->seed + (uint64_t)idx * 104729;

	if (idx & 1) {
		consume(st, r);
		return 0;
	}
	wl_add_live_peak(run, produce(st, r, &rng));
	return st->objs;
}

static void pc_go(struct pc_state *st, struct wl_run *run, long objs)
{
	int i;

	st->objs = objs;
	for (i = 0; i < run->threads / 2; i++) {
		st->rings[i].xhead = st->rings[i].xtail = 0;
		st->rings[i].xfreed = 0;
	}
	wl_run_threads(run);
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 2000000, .batch = 1024,
			     .seed = 1 };
	static struct pc_state st;
	struct wl_run run = { .fn = pc_thread, .arg = &st };
	long rss_base, slots = 1;
	char cas[32];
	int i;

	wl_parse(argc, argv, &o);
	if (o.threads > WL_MAX_THREADS / 2 || (o.size && o.size < 8))
		wl_usage(argv[0]);
	while (slots < o.batch && slots < RING_MAX)
		slots <<= 1;
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	st.size = o.size;
	st.seed = o.seed;
	for (i = 0; i < o.threads; i++) {
		st.rings[i].slot = wl_malloc((size_t)slots * sizeof(void *));
		st.rings[i].mask = slots - 1;
	}
	run.threads = 2 * o.threads;
	pc_go(&st, &run, o.ops / 16 + 1);	/* warm up */
	run.warm_ops = run.ops;
	pc_go(&st, &run, o.ops);
	run.threads = o.threads;		/* report per pair */
	if (o.size)
		snprintf(cas, sizeof(cas), "%zu", o.size);
	else
		snprintf(cas, sizeof(cas), "mixed");
	wl_report("prodcons", cas, &run, rss_base, NULL);
	for (i = 0; i < o.threads; i++)
		free(st.rings[i].slot);
	return 0;
}
