// SPDX-License-Identifier: MIT
/*
 * batch.c - workload (b): allocate a batch of N objects, then free them
 * all in FIFO, LIFO or random order; repeat. Each thread works alone.
 * Batches larger than a cache's capacity push objects through the shared
 * layers of an allocator.
 *
 *   batch [-t threads] [-n objects/thread] [-s size] [-b N] [-v order]
 *
 * order: fifo, lifo or random (default: all three). Without -s it runs
 * sizes 16, 64, 256 and 1024. One result line per order and size:
 * case=<order>-<size>, ops = objects allocated and freed.
 */
#include "wl_common.h"

static const size_t sizes[] = { 16, 64, 256, 1024 };
static const char *const orders[] = { "fifo", "lifo", "random" };

struct batch_state {
	size_t size;
	long n;			/* objects per batch */
	long rounds;
	int order;		/* index in orders[] */
	uint64_t seed;
};

/* Fisher-Yates shuffle of the free order. */
static void shuffle(long *perm, long n, uint64_t *rng)
{
	long i;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--) {
		long j = (long)wl_rand_below(rng, (uint64_t)i + 1);
		long t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
}

static long batch_thread(struct wl_run *run, int idx)
{
	struct batch_state *st = run->arg;
	uint64_t rng = st->seed + (uint64_t)idx * 7919;
	void **objs;
	long *perm = NULL;
	long r, i;

	/* Bookkeeping: two allocations per run, outside the batch loop. */
	objs = wl_malloc((size_t)st->n * sizeof(*objs));
	if (st->order == 2) {
		perm = wl_malloc((size_t)st->n * sizeof(*perm));
		shuffle(perm, st->n, &rng);
	}
	for (r = 0; r < st->rounds; r++) {
		for (i = 0; i < st->n; i++) {
			objs[i] = malloc(st->size);
			wl_escape(objs[i]);
		}
		switch (st->order) {
		case 0:
			for (i = 0; i < st->n; i++)
				free(objs[i]);
			break;
		case 1:
			for (i = st->n - 1; i >= 0; i--)
				free(objs[i]);
			break;
		default:
			for (i = 0; i < st->n; i++)
				free(objs[perm[i]]);
			break;
		}
	}
	free(perm);
	free(objs);
	wl_add_live_peak(run, (uint64_t)st->n * st->size);
	return st->rounds * st->n;
}

static void batch_one(const struct wl_opts *o, size_t size, int order,
		      long rss_base)
{
	struct batch_state st = { .size = size, .n = o->batch, .order = order,
				  .seed = o->seed };
	struct wl_run run = { .threads = o->threads, .fn = batch_thread,
			      .arg = &st };
	char cas[48];

	st.rounds = o->ops / o->batch / 16 + 1;
	wl_run_threads(&run);		/* warm up */
	run.warm_ops = run.ops;
	st.rounds = o->ops / o->batch;
	if (st.rounds < 1)
		st.rounds = 1;
	wl_run_threads(&run);
	snprintf(cas, sizeof(cas), "%s-%zu", orders[order], size);
	wl_report("batch", cas, &run, rss_base, NULL);
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 2000000, .batch = 1000,
			     .seed = 1 };
	long rss_base;
	size_t si;
	int k;

	wl_parse(argc, argv, &o);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	for (k = 0; k < 3; k++) {
		if (o.variant && strcmp(o.variant, orders[k]))
			continue;
		if (o.size) {
			batch_one(&o, o.size, k, rss_base);
			continue;
		}
		for (si = 0; si < sizeof(sizes) / sizeof(sizes[0]); si++)
			batch_one(&o, sizes[si], k, rss_base);
	}
	return 0;
}
