// SPDX-License-Identifier: MIT
/*
 * random.c - workload (g): random sizes freed in random order, a
 * long-lived changing set. Each thread works alone: it fills a live set
 * of N slots, then each step frees the object of a random slot and puts
 * a new object of a random size there; at the end it frees what is left.
 * Objects live for N steps on average, so the set turns over constantly
 * while its size stays the same.
 *
 *   random [-t threads] [-n steps/thread] [-b slots/thread] [-r seed]
 *
 * Sizes (log-uniform within each range, see wl_rand_size()):
 *   80%   8 B ..  512 B
 *   15%  513 B ..   4 KiB
 *   4.9%  4 KiB .. 32 KiB
 *   0.1% 32 KiB .. 256 KiB
 * Each new object has its first and last byte written. The sequence of
 * sizes and slots depends only on the seed and the thread index.
 *
 * One result line, case=live-<N>; ops = objects allocated and freed
 * (steps plus the N of the first fill).
 */
#include "wl_common.h"

struct rnd_state {
	long steps;		/* per thread */
	long slots;
	uint64_t seed;
};

struct rnd_obj {
	void *p;
	size_t n;
};

static size_t rnd_size(uint64_t *rng)
{
	uint64_t k = wl_rand_below(rng, 1000);

	if (k < 800)
		return wl_rand_size(rng, 8, 512);
	if (k < 950)
		return wl_rand_size(rng, 513, 4096);
	if (k < 999)
		return wl_rand_size(rng, 4097, 32768);
	return wl_rand_size(rng, 32769, 262144);
}

static void *rnd_new(struct rnd_obj *o, uint64_t *rng)
{
	size_t n = rnd_size(rng);

	o->p = malloc(n);
	if (!o->p)
		wl_die("malloc");
	o->n = n;
	wl_touch(o->p, n, (unsigned char)n);
	return o->p;
}

static long rnd_thread(struct wl_run *run, int me)
{
	struct rnd_state *st = run->arg;
	uint64_t rng = st->seed + (uint64_t)me * 2654435761u;
	uint64_t live = 0, peak = 0;
	struct rnd_obj *v;
	long i;

	/* Bookkeeping: one allocation per run, outside the loop. */
	v = wl_malloc((size_t)st->slots * sizeof(*v));
	for (i = 0; i < st->slots; i++) {
		rnd_new(&v[i], &rng);
		live += v[i].n;
	}
	peak = live;
	for (i = 0; i < st->steps; i++) {
		struct rnd_obj *o = &v[wl_rand_below(&rng,
						     (uint64_t)st->slots)];

		live -= o->n;
		free(o->p);
		rnd_new(o, &rng);
		live += o->n;
		if (live > peak)
			peak = live;
	}
	for (i = 0; i < st->slots; i++)
		free(v[i].p);
	free(v);
	wl_add_live_peak(run, peak);
	return st->steps + st->slots;
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 2000000, .batch = 10000,
			     .seed = 1 };
	struct rnd_state st;
	struct wl_run run = { .fn = rnd_thread, .arg = &st };
	char cas[32];
	long rss_base;

	wl_parse(argc, argv, &o);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	st.slots = o.batch;
	st.seed = o.seed;
	run.threads = o.threads;
	st.steps = o.ops / 16 + 1;
	wl_run_threads(&run);			/* warm up */
	run.warm_ops = run.ops;
	st.steps = o.ops;
	wl_run_threads(&run);
	snprintf(cas, sizeof(cas), "live-%ld", o.batch);
	wl_report("random", cas, &run, rss_base, NULL);
	return 0;
}
