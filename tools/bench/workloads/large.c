// SPDX-License-Identifier: MIT
/*
 * large.c - workload (i): large objects, 64 KiB to 8 MiB. Each thread
 * keeps a few large objects live; each operation frees a random one and
 * allocates a new one of a random size in its place, as a program's
 * buffers come and go. Every page of a new object is written, so the
 * memory is resident and an allocator that keeps freed pages, or hands
 * them back to the system and faults them in again, shows it in time or
 * in resident size.
 *
 *   large [-t threads] [-n ops/thread] [-b live objects/thread]
 *
 * Default 20 live objects. Sizes log-uniform in 64 KiB..8 MiB; one byte
 * in every 4096 written, and the last. One result line, case=64k-8m;
 * ops = objects allocated and freed (operations plus the first fill);
 * extra field
 *   rss_over_live  (rss_peak - rss_base) / live_peak, where live_peak is
 *                  the most bytes requested and not yet freed at once,
 *                  over all threads (one shared counter).
 */
#include "wl_common.h"

#define MIN_SZ	(64ul << 10)
#define MAX_SZ	(8ul << 20)
#define PAGE	4096

struct lg_state {
	long ops;		/* per thread */
	long live;		/* objects per thread */
	uint64_t seed;
	uint64_t xbytes;	/* live bytes of all threads, atomic */
	uint64_t xpeak;		/* atomic max of xbytes */
};

struct lg_obj {
	unsigned char *p;
	size_t n;
};

/* Add @delta to the shared live count, and raise the peak with it. */
static void lg_count(struct lg_state *st, int64_t delta)
{
	uint64_t now = __atomic_add_fetch(&st->xbytes, (uint64_t)delta,
					  __ATOMIC_RELAXED);
	uint64_t cur = __atomic_load_n(&st->xpeak, __ATOMIC_RELAXED);

	while (now > cur && !__atomic_compare_exchange_n(&st->xpeak, &cur,
				now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static void lg_new(struct lg_state *st, struct lg_obj *o, uint64_t *rng)
{
	size_t n = wl_rand_size(rng, MIN_SZ, MAX_SZ), i;

	o->p = wl_malloc(n);
	o->n = n;
	for (i = 0; i < n; i += PAGE)
		o->p[i] = (unsigned char)i;
	o->p[n - 1] = 1;
	lg_count(st, (int64_t)n);
}

static void lg_free(struct lg_state *st, struct lg_obj *o)
{
	wl_escape(o->p);
	free(o->p);
	lg_count(st, -(int64_t)o->n);
}

static long lg_thread(struct wl_run *run, int me)
{
	struct lg_state *st = run->arg;
	uint64_t rng = st->seed + (uint64_t)me * 86028121;
	struct lg_obj *v = wl_malloc((size_t)st->live * sizeof(*v));
	long i;

	for (i = 0; i < st->live; i++)
		lg_new(st, &v[i], &rng);
	for (i = 0; i < st->ops; i++) {
		struct lg_obj *o = &v[wl_rand_below(&rng,
						    (uint64_t)st->live)];

		lg_free(st, o);
		lg_new(st, o, &rng);
	}
	for (i = 0; i < st->live; i++)
		lg_free(st, &v[i]);
	free(v);
	return st->ops + st->live;
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 2000, .batch = 20,
			     .seed = 1 };
	static struct lg_state st;
	struct wl_run run = { .fn = lg_thread, .arg = &st };
	char extra[64];
	long rss_base, rss_peak;

	wl_parse(argc, argv, &o);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	st.ops = o.ops;
	st.live = o.batch;
	st.seed = o.seed;
	run.threads = o.threads;
	wl_run_threads(&run);
	run.live_peak = st.xpeak;
	rss_peak = wl_status_kb("VmHWM");
	snprintf(extra, sizeof(extra), "rss_over_live=%.3f",
		 (double)(rss_peak - rss_base) * 1024.0 /
		 (double)(st.xpeak ? st.xpeak : 1));
	wl_report("large", "64k-8m", &run, rss_base, extra);
	return 0;
}
