// SPDX-License-Identifier: MIT
/*
 * memeff.c - workload (f): memory efficiency. Each thread runs through
 * phases; each phase has a target of live bytes and a size mix, and
 * every operation either allocates (below target) or frees a random live
 * object (at or above it), so the live set grows, shrinks and changes
 * shape from phase to phase. The figure is peak resident memory over peak
 * live bytes.
 *
 *   memeff [-t threads] [-n ops/thread] [-b base live KiB/thread]
 *
 * Phases (targets in multiples of the base, size ranges log-uniform):
 *   x1 16..256, x4 256..8K, x2 16..128K, x6 16..512, x0.5 64..64K,
 *   x3 16..4K.
 * One result line, case=mixed; ops = allocations + frees; extra field
 *   rss_over_live  (rss_peak - rss_base) / live_peak, where rss_base is
 *                  the resident size before the workload and live_peak
 *                  the most bytes requested and not yet freed at once,
 *                  over all threads (one shared counter).
 */
#include "wl_common.h"

struct phase {
	double mult;
	size_t lo, hi;
};

static const struct phase phases[] = {
	{ 1.0, 16, 256 }, { 4.0, 256, 8192 }, { 2.0, 16, 131072 },
	{ 6.0, 16, 512 }, { 0.5, 64, 65536 }, { 3.0, 16, 4096 },
};

#define NPHASES	(sizeof(phases) / sizeof(phases[0]))

struct me_state {
	uint64_t base;			/* bytes per thread */
	long ops;			/* per thread */
	uint64_t seed;
	uint64_t xlive;			/* all threads, atomic */
	uint64_t xpeak;			/* atomic max of xlive */
};

struct live_obj {
	void *p;
	size_t n;
};

static void me_account(struct me_state *st, int64_t delta)
{
	uint64_t now = __atomic_add_fetch(&st->xlive, (uint64_t)delta,
					  __ATOMIC_RELAXED);
	uint64_t cur = __atomic_load_n(&st->xpeak, __ATOMIC_RELAXED);

	while (now > cur && !__atomic_compare_exchange_n(&st->xpeak, &cur,
				now, false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

static long me_thread(struct wl_run *run, int me)
{
	struct me_state *st = run->arg;
	uint64_t rng = st->seed + (uint64_t)me * 32452843, live = 0;
	size_t cap = 1024, nr = 0, ph;
	struct live_obj *v = wl_malloc(cap * sizeof(*v));
	long i, per = st->ops / (long)NPHASES;

	for (ph = 0; ph < NPHASES; ph++) {
		uint64_t target = (uint64_t)(phases[ph].mult * st->base);

		for (i = 0; i < per; i++) {
			if (live < target || !nr) {
				size_t n = wl_rand_size(&rng, phases[ph].lo,
							phases[ph].hi);

				if (nr == cap) {
					cap *= 2;
					v = realloc(v, cap * sizeof(*v));
					if (!v)
						wl_die("realloc");
				}
				v[nr].p = wl_malloc(n);
				memset(v[nr].p, (int)nr, n);
				v[nr++].n = n;
				live += n;
				me_account(st, (int64_t)n);
			} else {
				size_t k = wl_rand_below(&rng, nr);

				free(v[k].p);
				live -= v[k].n;
				me_account(st, -(int64_t)v[k].n);
				v[k] = v[--nr];
			}
		}
	}
	while (nr) {
		free(v[--nr].p);
		me_account(st, -(int64_t)v[nr].n);
	}
	free(v);
	return per * (long)NPHASES;
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 2000000, .batch = 16384,
			     .seed = 1 };
	static struct me_state st;
	struct wl_run run = { .fn = me_thread, .arg = &st };
	char extra[64];
	long rss_base, rss_peak;

	wl_parse(argc, argv, &o);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	st.base = (uint64_t)o.batch * 1024;
	st.ops = o.ops;
	st.seed = o.seed;
	run.threads = o.threads;
	wl_run_threads(&run);
	run.live_peak = st.xpeak;
	rss_peak = wl_status_kb("VmHWM");
	snprintf(extra, sizeof(extra), "rss_over_live=%.3f",
		 (double)(rss_peak - rss_base) * 1024.0 /
		 (double)(st.xpeak ? st.xpeak : 1));
	wl_report("memeff", "mixed", &run, rss_base, extra);
	return 0;
}
