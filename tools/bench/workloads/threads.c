// SPDX-License-Identifier: MIT
/*
 * threads.c - workload (h): many short-lived threads. Each worker slot
 * starts a thread, lets it do a few hundred operations, joins it and
 * starts the next, so an allocator's per-thread state is set up and torn
 * down all the time, and objects of a dead thread's cache must find their
 * way back.
 *
 *   threads [-t slots] [-n ops/slot] [-b ops per thread lifetime]
 *
 * -t slots run at once (a slot waits in pthread_join() while its thread
 * works); default lifetime 200 operations. A lifetime thread allocates
 * objects of log-uniform sizes in 16..2048 bytes, writes each one whole,
 * and keeps the last RING of them: each new object displaces the oldest,
 * which is freed then, so objects live a while; what is left is freed
 * before the thread ends. The sizes come from one xorshift sequence per
 * slot, carried from each thread to the next, so a run is the same on
 * every allocator.
 *
 * One result line, case=short-lived; ops = objects allocated (and
 * freed); rss_base_kb/rss_peak_kb show what the dead threads leave
 * behind.
 */
#include "wl_common.h"

#define RING	16
#define MIN_SZ	16
#define MAX_SZ	2048

struct th_state {
	long ops;		/* per slot */
	long life;		/* operations per thread */
	uint64_t seed;
};

/* What a slot hands to each of its threads, and gets back. */
struct th_life {
	uint64_t rng;
	long ops;
	uint64_t peak;		/* most bytes live at once */
};

static void *th_life_main(void *p)
{
	struct th_life *l = p;
	unsigned char *ring[RING] = { NULL };
	size_t len[RING] = { 0 };
	uint64_t live = 0;
	long i;
	int k;

	for (i = 0; i < l->ops; i++) {
		size_t n = wl_rand_size(&l->rng, MIN_SZ, MAX_SZ);

		k = (int)(i % RING);
		if (ring[k]) {
			free(ring[k]);
			live -= len[k];
		}
		ring[k] = wl_malloc(n);
		memset(ring[k], (int)i, n);
		len[k] = n;
		live += n;
		if (live > l->peak)
			l->peak = live;
	}
	for (k = 0; k < RING; k++) {
		wl_escape(ring[k]);
		free(ring[k]);
	}
	return NULL;
}

static long th_slot(struct wl_run *run, int me)
{
	struct th_state *st = run->arg;
	struct th_life l = { .rng = st->seed + (uint64_t)me * 49979687 };
	long done = 0;
	pthread_t tid;

	while (done < st->ops) {
		l.ops = st->ops - done < st->life ? st->ops - done : st->life;
		errno = pthread_create(&tid, NULL, th_life_main, &l);
		if (errno)
			wl_die("pthread_create");
		errno = pthread_join(tid, NULL);
		if (errno)
			wl_die("pthread_join");
		done += l.ops;
	}
	wl_add_live_peak(run, l.peak);
	return done;
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 200000, .batch = 200,
			     .seed = 1 };
	struct th_state st;
	struct wl_run run = { .fn = th_slot, .arg = &st };
	long rss_base;

	wl_parse(argc, argv, &o);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	st.life = o.batch;
	st.seed = o.seed;
	run.threads = o.threads;
	st.ops = o.ops / 16 + 1;
	wl_run_threads(&run);			/* warm up */
	run.warm_ops = run.ops;
	st.ops = o.ops;
	wl_run_threads(&run);
	wl_report("threads", "short-lived", &run, rss_base, NULL);
	return 0;
}
