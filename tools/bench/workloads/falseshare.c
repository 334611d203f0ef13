// SPDX-License-Identifier: MIT
/*
 * falseshare.c - workload (e): false sharing. In each round every thread
 * allocates a few small objects at the same moment as the others, then
 * writes to them many times, then frees them. Objects of different
 * threads on one cache line make those writes bounce the line between
 * cores, which shows as time; the program also counts such lines.
 *
 *   falseshare [-t threads] [-n writes/thread] [-s size] [-b objs/round]
 *
 * Default size 8 bytes, 4 objects per thread per round, 200 rounds.
 * One result line, case=<size>; ops = writes; extra fields:
 *   shared_lines  cache lines (64 B) that held objects of two or more
 *                 threads, summed over rounds (0 is the goal)
 */
#include "wl_common.h"

#define ROUNDS		200
#define LINE		64
#define MAX_OBJS	64

struct fs_state {
	pthread_barrier_t sync;
	size_t size;
	long objs;
	long writes;		/* per thread per round */
	uintptr_t lines[WL_MAX_THREADS][MAX_OBJS][2];
	long shared;
};

struct line_owner {
	uintptr_t line;
	int thread;
};

static int line_cmp(const void *a, const void *b)
{
	const struct line_owner *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->thread - y->thread;
}

/* Lines holding objects of more than one thread (thread 0, quiescent). */
static long fs_count_shared(struct fs_state *st, int threads)
{
	static struct line_owner v[WL_MAX_THREADS * MAX_OBJS * 2];
	long n = 0, k = 0, i, j;
	int t, e;

	for (t = 0; t < threads; t++)
		for (i = 0; i < st->objs; i++)
			for (e = 0; e < 2; e++) {
				v[k].line = st->lines[t][i][e];
				v[k++].thread = t;
			}
	qsort(v, (size_t)k, sizeof(v[0]), line_cmp);
	/* Sorted by thread within a line: first and last differ if shared. */
	for (i = 0; i < k; i = j) {
		for (j = i + 1; j < k && v[j].line == v[i].line; j++)
			;
		n += v[j - 1].thread != v[i].thread;
	}
	return n;
}

static long fs_thread(struct wl_run *run, int me)
{
	struct fs_state *st = run->arg;
	volatile unsigned char *obj[MAX_OBJS];
	long r, w, i;

	for (r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&st->sync);
		for (i = 0; i < st->objs; i++) {
			obj[i] = wl_malloc(st->size);
			st->lines[me][i][0] = (uintptr_t)obj[i] / LINE;
			st->lines[me][i][1] =
				((uintptr_t)obj[i] + st->size - 1) / LINE;
		}
		pthread_barrier_wait(&st->sync);
		if (me == 0)
			st->shared += fs_count_shared(st, run->threads);
		for (w = 0; w < st->writes; w++)
			for (i = 0; i < st->objs; i++)
				obj[i][w % st->size]++;
		pthread_barrier_wait(&st->sync);
		for (i = 0; i < st->objs; i++)
			free((void *)obj[i]);
	}
	wl_add_live_peak(run, (uint64_t)st->objs * st->size);
	return ROUNDS * st->writes * st->objs;
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 20000000, .batch = 4,
			     .size = 8, .seed = 1 };
	static struct fs_state st;
	struct wl_run run = { .fn = fs_thread, .arg = &st };
	char cas[32], extra[48];
	long rss_base;

	wl_parse(argc, argv, &o);
	if (o.batch > MAX_OBJS || !o.size)
		wl_usage(argv[0]);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	st.size = o.size;
	st.objs = o.batch;
	st.writes = o.ops / ROUNDS / o.batch;
	if (st.writes < 1)
		st.writes = 1;
	run.threads = o.threads;
	pthread_barrier_init(&st.sync, NULL, (unsigned int)o.threads);
	wl_run_threads(&run);
	snprintf(cas, sizeof(cas), "%zu", o.size);
	snprintf(extra, sizeof(extra), "shared_lines=%ld", st.shared);
	wl_report("falseshare", cas, &run, rss_base, extra);
	return 0;
}
