// SPDX-License-Identifier: MIT
/*
 * fastpath.c - workload (a): malloc() then free() of the same size, in a
 * loop, per size class. Each thread works alone (LIFO, one object live),
 * which is the path a per-thread or per-CPU cache serves without a lock.
 *
 *   fastpath [-t threads] [-n pairs/thread] [-s size] [-z]
 *
 * Without -s it measures every size of sizes[] in turn. With -z each
 * object comes from calloc(1, size) instead of malloc(size). One result
 * line per size: case=<size> (calloc-<size> with -z), ops = pairs.
 */
#include "wl_common.h"

static const size_t sizes[] = {
	8, 16, 32, 48, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768,
};

struct fp_state {
	size_t size;
	long pairs;
	bool zero;
};

static long fp_thread(struct wl_run *run, int idx)
{
	struct fp_state *st = run->arg;
	size_t size = st->size;
	long i;

	if (st->zero) {
		for (i = 0; i < st->pairs; i++) {
			void *p = calloc(1, size);

			wl_escape(p);
			free(p);
		}
	} else {
		for (i = 0; i < st->pairs; i++) {
			void *p = malloc(size);

			wl_escape(p);
			free(p);
		}
	}
	wl_add_live_peak(run, size);
	return st->pairs;
}

static void fp_one(const struct wl_opts *o, size_t size, long rss_base)
{
	struct fp_state st = { .size = size, .pairs = o->ops / 16 + 1,
			       .zero = o->zero };
	struct wl_run run = { .threads = o->threads, .fn = fp_thread,
			      .arg = &st };
	char cas[32];

	wl_run_threads(&run);		/* warm up: fill the caches */
	run.warm_ops = run.ops;
	st.pairs = o->ops;
	wl_run_threads(&run);
	snprintf(cas, sizeof(cas), "%s%zu", o->zero ? "calloc-" : "", size);
	wl_report("fastpath", cas, &run, rss_base, NULL);
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 2000000, .batch = 1,
			     .seed = 1 };
	long rss_base;
	size_t i;

	wl_parse(argc, argv, &o);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	if (o.size) {
		fp_one(&o, o.size, rss_base);
		return 0;
	}
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		fp_one(&o, sizes[i], rss_base);
	return 0;
}
