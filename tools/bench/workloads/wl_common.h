/* SPDX-License-Identifier: MIT */
/*
 * wl_common.h - shared helpers of the malloc workload programs.
 *
 * The workload programs in tools/bench/workloads/ are plain C programs
 * that call malloc() and free() of whatever allocator the dynamic linker
 * gives them (glibc's, or one put in front with LD_PRELOAD). They never
 * link the kma library: tools/bench.py runs the same binary on every
 * allocator.
 *
 * Output: one line per measurement, "result key=value ...", with at least
 *   workload  name of the program
 *   case      the variant measured (size, order, ...)
 *   threads   worker threads (or producer/consumer pairs)
 *   ops       operations done by all threads together
 *   ns_per_op wall time * threads / ops: thread-time per operation, so
 *             that perfect scaling keeps it flat as threads are added
 *   rss_base_kb, rss_peak_kb   VmRSS at start, VmHWM at the end
 *   live_peak_bytes            most bytes the program held at once
 *   warm_ops  operations of the untimed warm-up run before (callgrind
 *             counts whole processes: tools/bench.py needs every op)
 * An "operation" is one object's malloc() plus its free().
 *
 * Nothing here is shared between threads except what a program says.
 */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WL_MAX_THREADS	64

/* Keep the compiler from eliding a malloc/free pair or a store. */
static inline void wl_escape(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static inline uint64_t wl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: a fast generator with a per-thread state. */
static inline uint64_t wl_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

/* Uniform in [0, n). */
static inline uint64_t wl_rand_below(uint64_t *s, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)wl_rand(s) * n) >> 64);
}

/*
 * A size between @lo and @hi, log-uniform: as many requests between 16
 * and 32 bytes as between 1024 and 2048, as real programs ask.
 */
static inline size_t wl_rand_size(uint64_t *s, size_t lo, size_t hi)
{
	unsigned int lo_bits = 63 - (unsigned int)__builtin_clzll(lo);
	unsigned int hi_bits = 63 - (unsigned int)__builtin_clzll(hi);
	unsigned int b = lo_bits + (unsigned int)wl_rand_below(s,
					hi_bits - lo_bits + 1);
	size_t base = (size_t)1 << b;
	size_t v = base + (size_t)wl_rand_below(s, base);

	return v < lo ? lo : v > hi ? hi : v;
}

/* One field of /proc/self/status in kB ("VmRSS", "VmHWM"), or -1. */
static inline long wl_status_kb(const char *field)
{
	char line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, field, n) && line[n] == ':') {
			v = strtol(line + n + 1, NULL, 10);
			break;
		}
	}
	fclose(f);
	return v;
}

static inline void wl_die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(2);
}

static inline void *wl_malloc(size_t n)
{
	void *p = malloc(n);

	if (!p)
		wl_die("malloc");
	return p;
}

/* Touch an object as a program would: first and last byte. */
static inline void wl_touch(void *p, size_t n, unsigned char v)
{
	((volatile unsigned char *)p)[0] = v;
	((volatile unsigned char *)p)[n - 1] = v;
}

/**
 * struct wl_opts - command line of every workload program.
 * @threads: worker threads (-t).
 * @ops:     operations per thread (-n).
 * @size:    object size, 0 for the program's default set (-s).
 * @batch:   objects per batch or working set (-b).
 * @variant: program-specific variant name (-v), NULL for all.
 * @seed:    random seed (-r).
 * @zero:    zeroed allocations, calloc() instead of malloc() (-z), for
 *           the programs that say so.
 */
struct wl_opts {
	int threads;
	long ops;
	size_t size;
	long batch;
	const char *variant;
	uint64_t seed;
	bool zero;
};

static inline void wl_usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-t threads] [-n ops/thread] [-s size] [-b batch]\n"
		"          [-v variant] [-r seed] [-z]\n", prog);
	exit(2);
}

static inline void wl_parse(int argc, char **argv, struct wl_opts *o)
{
	int c;

	while ((c = getopt(argc, argv, "t:n:s:b:v:r:z")) != -1) {
		switch (c) {
		case 't':
			o->threads = atoi(optarg);
			break;
		case 'n':
			o->ops = atol(optarg);
			break;
		case 's':
			o->size = (size_t)atol(optarg);
			break;
		case 'b':
			o->batch = atol(optarg);
			break;
		case 'v':
			o->variant = optarg;
			break;
		case 'r':
			o->seed = strtoull(optarg, NULL, 0);
			break;
		case 'z':
			o->zero = true;
			break;
		default:
			wl_usage(argv[0]);
		}
	}
	if (o->threads < 1 || o->threads > WL_MAX_THREADS || o->ops < 1 ||
	    o->batch < 1 || !o->seed)
		wl_usage(argv[0]);
}

/**
 * struct wl_run - one timed run of @threads copies of a thread function.
 * @threads: how many.
 * @fn:      the work; called with (run, thread index) after the start
 *           barrier; returns the operations it did.
 * @arg:     the program's own state.
 * @ops:     filled in: sum of what the threads returned.
 * @wall_ns: filled in: from the start barrier to the last thread's end.
 * @live_peak: threads add their own peak live bytes here (atomically).
 * @warm_ops: operations of a warm-up run the program made before; set by
 *           the program, reported only.
 */
struct wl_run {
	int threads;
	long (*fn)(struct wl_run *run, int idx);
	void *arg;
	long ops;
	uint64_t wall_ns;
	uint64_t live_peak;
	long warm_ops;
	pthread_barrier_t start;
	uint64_t t0;
	uint64_t xend;		/* latest end time, atomic max */
	long xops;		/* atomic sum */
};

struct wl_thread_arg {
	struct wl_run *run;
	int idx;
};

static inline void *wl_thread_main(void *p)
{
	struct wl_thread_arg *a = p;
	struct wl_run *run = a->run;
	uint64_t end, cur;
	long n;

	pthread_barrier_wait(&run->start);
	if (a->idx == 0)
		__atomic_store_n(&run->t0, wl_now_ns(), __ATOMIC_RELEASE);
	n = run->fn(run, a->idx);
	end = wl_now_ns();
	__atomic_fetch_add(&run->xops, n, __ATOMIC_RELAXED);
	cur = __atomic_load_n(&run->xend, __ATOMIC_RELAXED);
	while (cur < end && !__atomic_compare_exchange_n(&run->xend, &cur, end,
				false, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
	return NULL;
}

/*
 * Start the threads, wait for them, fill in the totals. Thread 0 is the
 * calling thread, so a one-thread run starts no thread at all.
 */
static inline void wl_run_threads(struct wl_run *run)
{
	pthread_t tid[WL_MAX_THREADS];
	struct wl_thread_arg args[WL_MAX_THREADS];
	int i;

	run->xend = 0;
	run->xops = 0;
	run->live_peak = 0;
	pthread_barrier_init(&run->start, NULL, (unsigned int)run->threads);
	for (i = 0; i < run->threads; i++) {
		args[i].run = run;
		args[i].idx = i;
	}
	for (i = 1; i < run->threads; i++) {
		errno = pthread_create(&tid[i], NULL, wl_thread_main, &args[i]);
		if (errno)
			wl_die("pthread_create");
	}
	wl_thread_main(&args[0]);
	for (i = 1; i < run->threads; i++)
		pthread_join(tid[i], NULL);
	pthread_barrier_destroy(&run->start);
	run->ops = run->xops;
	run->wall_ns = run->xend - run->t0;
}

static inline void wl_add_live_peak(struct wl_run *run, uint64_t bytes)
{
	__atomic_fetch_add(&run->live_peak, bytes, __ATOMIC_RELAXED);
}

/* Print the result line of one run. */
static inline void wl_report(const char *workload, const char *cas,
			     const struct wl_run *run, long rss_base_kb,
			     const char *extra)
{
	double ns = run->ops ? (double)run->wall_ns * run->threads /
			       (double)run->ops : 0.0;

	printf("result workload=%s case=%s threads=%d ops=%ld ns_per_op=%.3f "
	       "rss_base_kb=%ld rss_peak_kb=%ld live_peak_bytes=%llu "
	       "warm_ops=%ld%s%s\n",
	       workload, cas, run->threads, run->ops, ns, rss_base_kb,
	       wl_status_kb("VmHWM"), (unsigned long long)run->live_peak,
	       run->warm_ops, extra ? " " : "", extra ? extra : "");
	fflush(stdout);
}

#endif /* WL_COMMON_H */
