// SPDX-License-Identifier: MIT
/*
 * preload_test.c - KTAP suite "preload_api": the malloc family of
 * libkma.so as a program sees it, run with LD_PRELOAD (by
 * tools/preload_test.py). Plain C against <stdlib.h>; it finds
 * kma_preload_owns() with dlsym() to prove the preload is in effect.
 *
 * Cases: sizes and alignment, malloc(0), errno for impossible requests,
 * the memalign family, calloc zeroing (and leaving fresh memory
 * untouched), realloc contents, growth beyond the initial memory (run
 * with KMA_INITIAL_MB small), more threads over
 * time than CPU slots, frees from thread-exit destructors, fork with
 * threads running, CPU slots in the child of a fork, and the shared slot
 * given back by calls that end a decay period.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kma_preload.h"

static int failures;
static const char *cur;

#define CHECK(cond) do { \
	if (!(cond)) { \
		printf("        # %s: line %d: %s\n", cur, __LINE__, #cond); \
		failures++; \
	} \
} while (0)

typedef int (*owns_fn)(const void *);

static owns_fn owns;

static void t_preloaded(void)
{
	void *p = malloc(100);

	owns = (owns_fn)(uintptr_t)dlsym(RTLD_DEFAULT, "kma_preload_owns");
	CHECK(owns != NULL);
	if (owns)
		CHECK(owns(p) == 1);
	free(p);
}

static void t_sizes(void)
{
	size_t n, foreign = 0;

	for (n = 1; n <= (64u << 20); n = n < 64 ? n + 1 : n * 3 / 2) {
		unsigned char *p = malloc(n);

		CHECK(p != NULL);
		if (!p)
			return;
		CHECK((uintptr_t)p % (n >= 16 ? 16 : 8) == 0);
		CHECK(malloc_usable_size(p) >= n);
		p[0] = 1;
		p[n - 1] = 2;
		foreign += owns && !owns(p);
		free(p);
	}
	CHECK(foreign == 0);
}

static void t_zero(void)
{
	void *a = malloc(0), *b = malloc(0);

	CHECK(a && b && a != b);
	free(a);
	free(b);
	free(NULL);
}

/* Through pointers, so the compiler does not judge the sizes itself. */
static void *(*volatile malloc_p)(size_t) = malloc;
static void *(*volatile calloc_p)(size_t, size_t) = calloc;
static void *(*volatile realloc_p)(void *, size_t) = realloc;
static void *(*volatile aligned_alloc_p)(size_t, size_t) = aligned_alloc;
static void *(*volatile memalign_p)(size_t, size_t) = memalign;

static void t_errno(void)
{
	void *p, *q;

	errno = 0;
	CHECK(malloc_p(SIZE_MAX) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(malloc_p((size_t)1 << 45) == NULL && errno == ENOMEM);
	errno = 0;		/* beyond the address space reserved */
	CHECK(malloc_p((size_t)1 << 39) == NULL && errno == ENOMEM);
	errno = 0;
	CHECK(calloc_p(SIZE_MAX / 2, 3) == NULL && errno == ENOMEM);
	p = malloc(10);
	memcpy(p, "abcdefghi", 10);
	errno = 0;
	q = realloc_p(p, SIZE_MAX - 4096);
	CHECK(q == NULL && errno == ENOMEM);
	CHECK(!memcmp(p, "abcdefghi", 10));
	free(p);
}

static void t_memalign(void)
{
	void *p = NULL;
	size_t a;

	CHECK(posix_memalign(&p, 3, 10) == EINVAL);
	CHECK(posix_memalign(&p, 4, 10) == EINVAL);
	CHECK(posix_memalign(&p, 0, 10) == EINVAL);
	errno = 0;
	CHECK(aligned_alloc_p(3, 10) == NULL && errno == EINVAL);
	for (a = 8; a <= (2u << 20); a *= 2) {
		CHECK(posix_memalign(&p, a, a / 2 + 1) == 0);
		CHECK((uintptr_t)p % a == 0);
		CHECK(malloc_usable_size(p) >= a / 2 + 1);
		free(p);
		p = aligned_alloc(a, 3 * a);
		CHECK(p && (uintptr_t)p % a == 0);
		free(p);
	}
	p = memalign_p(24, 100);
	CHECK(p && (uintptr_t)p % 32 == 0);
	free(p);
	p = valloc(5000);
	CHECK(p && (uintptr_t)p % 4096 == 0);
	free(p);
	p = pvalloc(1);
	CHECK(p && (uintptr_t)p % 4096 == 0 && malloc_usable_size(p) >= 4096);
	free(p);
}

static void t_calloc(void)
{
	static const size_t sz[] = { 8, 24, 100, 1000, 5000, 40000, 300000 };
	size_t i, j;

	for (i = 0; i < sizeof(sz) / sizeof(sz[0]); i++) {
		unsigned char *p = malloc(sz[i]), *q;
		int zero = 1;

		memset(p, 0xff, sz[i]);
		free(p);
		q = calloc(1, sz[i]);
		CHECK(q != NULL);
		for (j = 0; q && j < sz[i]; j++)
			zero &= q[j] == 0;
		CHECK(zero);
		free(q);
	}
}

/* Pages of [p, p + n) in memory (mincore(2)); p page aligned. */
static size_t resident(const void *p, size_t n)
{
	static unsigned char vec[(64u << 20) / 4096];
	size_t pages = (n + 4095) / 4096, i, r = 0;

	if (pages > sizeof(vec) || mincore((void *)p, n, vec))
		return (size_t)-1;
	for (i = 0; i < pages; i++)
		r += vec[i] & 1;
	return r;
}

static int all_zero(const unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

/*
 * A fresh process's first calloc() of a large and of a huge block: the
 * memory comes straight from the never-used part of the heap's mapping,
 * which reads zero, so calloc() must not write it (Go's needzero): its
 * pages stay out of memory until the program touches them. At most two
 * pages may be in: the frame allocator's free-list nodes sit at the heads
 * of free blocks. Then the same sizes again after the blocks were
 * written and freed: zero again.
 */
static int calloc_child(void)
{
	static const size_t sz[] = { 512u << 10, 48u << 20 };
	int bad = 0;
	size_t i, r;

	for (i = 0; i < 2; i++) {
		unsigned char *p = calloc(1, sz[i]);

		r = p ? resident(p, sz[i]) : (size_t)-1;
		if (r > 2) {
			printf("calloc(%zu): %zu of %zu pages resident\n",
			       sz[i], r, sz[i] / 4096);
			bad = 1;
		}
		if (!p || !all_zero(p, sz[i]))
			return 2;
		memset(p, 0xab, sz[i]);
		free(p);
		p = calloc(sz[i], 1);
		if (!p || !all_zero(p, sz[i]))
			return 3;
		free(p);
	}
	return bad;
}

static void t_calloc_fresh(void)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		char *argv[] = { "preload_api", "calloc-child", NULL };
		char pre[4200], *env[2] = { pre, NULL };

		snprintf(pre, sizeof(pre), "LD_PRELOAD=%s",
			 getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
		execve("/proc/self/exe", argv, env);
		_exit(127);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void t_realloc(void)
{
	size_t n = 1, i;
	unsigned char *p = NULL, *q;
	int ok = 1;

	for (; n < (8u << 20); n = n * 5 / 4 + 1) {
		q = realloc(p, n);
		CHECK(q != NULL);
		if (!q)
			break;
		p = q;
		p[n - 1] = (unsigned char)n;
	}
	for (i = 0; p && i < 1000; i++)
		p[i] = (unsigned char)i;
	q = realloc(p, 1000);		/* shrink keeps the start */
	for (i = 0; q && i < 1000; i++)
		ok &= q[i] == (unsigned char)i;
	CHECK(q && ok);
	CHECK(realloc(q, 0) == NULL);	/* freed */
}

/* More than the initial memory, in small and in one large piece. */
static void t_growth(void)
{
	enum { N = 300 };
	static void *v[N];
	size_t big = 200u << 20;
	char *b;
	int i;

	for (i = 0; i < N; i++) {
		v[i] = malloc(1u << 20);
		CHECK(v[i] != NULL);
		if (v[i])
			memset(v[i], i, 1u << 20);
	}
	b = malloc(big);
	CHECK(b != NULL);
	if (b) {
		b[0] = 1;
		b[big - 1] = 1;
	}
	for (i = 0; i < N; i++) {
		if (v[i]) {
			unsigned char *c = v[i];

			CHECK(c[12345] == (unsigned char)i);
		}
		free(v[i]);
	}
	free(b);
}

static void *churn(void *arg)
{
	void *v[64];
	long i, n = (long)(intptr_t)arg;

	for (i = 0; i < n; i++) {
		v[i % 64] = malloc((size_t)(i % 700) + 1);
		if (i % 64 == 63)
			for (int k = 0; k < 64; k++)
				free(v[k]);
	}
	return malloc(48);	/* freed by the joining thread */
}

static int spawn(int n, long work)
{
	pthread_t t[100];
	void *r;
	int i, ok = 1;

	for (i = 0; i < n; i++)
		if (pthread_create(&t[i], NULL, churn, (void *)(intptr_t)work))
			return 0;
	for (i = 0; i < n; i++) {
		pthread_join(t[i], &r);
		ok &= r != NULL;
		free(r);
	}
	return ok;
}

/* 64 slots: 300 threads over time, up to 40 at once. */
static void t_threads(void)
{
	int i;

	for (i = 0; i < 150; i++)
		CHECK(spawn(1, 200));
	for (i = 0; i < 5; i++)
		CHECK(spawn(40, 2000));
}

/*
 * No thread limit: 1000 threads alive at once (more than the CPU slots;
 * the rest borrow the shared slot), each holding objects across a
 * barrier, which would deadlock if a thread could not allocate until
 * another exits. Objects cross threads: each frees its neighbour's.
 */
#define MANY	1000
static pthread_barrier_t many_bar;
static void *many_obj[MANY];

static void *many_thread(void *arg)
{
	long i = (long)(intptr_t)arg;
	char *p = malloc(64 + (size_t)(i % 300));
	int ok;

	if (p)
		memset(p, (int)(i & 0x7f), 64);
	many_obj[i] = p;
	pthread_barrier_wait(&many_bar);
	p = many_obj[(i + 1) % MANY];
	ok = p && p[63] == (char)(((i + 1) % MANY) & 0x7f);
	free(p);
	return ok ? malloc(16) : NULL;
}

static void t_many_threads(void)
{
	pthread_attr_t a;
	pthread_t *t = malloc(MANY * sizeof(*t));
	int i, made = 0, ok = 0;
	void *r;

	CHECK(t != NULL);
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 << 10);
	pthread_barrier_init(&many_bar, NULL, MANY);
	for (i = 0; i < MANY; i++)
		if (pthread_create(&t[i], &a, many_thread, (void *)(intptr_t)i) == 0)
			made++;
	CHECK(made == MANY);
	for (i = 0; i < made; i++) {
		pthread_join(t[i], &r);
		ok += r != NULL;
		free(r);
	}
	CHECK(ok == MANY);
	pthread_barrier_destroy(&many_bar);
	pthread_attr_destroy(&a);
	free(t);
}

static long rss_kib(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	long pages = 0, res = 0;

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return res * (sysconf(_SC_PAGESIZE) / 1024);
}

static void *short_thread(void *arg)
{
	void *v[40];
	int i;

	(void)arg;
	for (i = 0; i < 40; i++)
		v[i] = malloc((size_t)(i * 97 % 3000) + 1);
	for (i = 0; i < 40; i++)
		free(v[i]);
	v[0] = malloc(200);	/* kept in this thread's cache at exit */
	free(v[0]);
	return NULL;
}

/*
 * 100,000 thread lifetimes, 8 at a time: a thread's cached objects go
 * back when it exits, so resident memory after 100,000 stays near that
 * after 10,000: a leak of one 200-byte object per thread alone would add
 * 18 MB. The slack, 6 MiB, covers the C library's own thread caches and
 * the heap's first touch of pages it had not used by 10,000 threads
 * (seen: up to 4 MiB more on a loaded machine, in steps, settling before
 * 100,000; docs/ARCHITECTURE.md, known limits).
 */
static void t_thread_lifetimes(void)
{
	pthread_t t[8];
	long rss10k = 0, rss100k;
	int round, i;

	for (round = 0; round < 100000 / 8; round++) {
		for (i = 0; i < 8; i++)
			if (pthread_create(&t[i], NULL, short_thread, NULL)) {
				CHECK(0);
				return;
			}
		for (i = 0; i < 8; i++)
			pthread_join(t[i], NULL);
		if (round == 10000 / 8)
			rss10k = rss_kib();
	}
	rss100k = rss_kib();
	printf("        # 100,000 threads: RSS %ld KiB after 10,000, %ld KiB after 100,000\n",
	       rss10k, rss100k);
	CHECK(rss100k - rss10k < 6144);
}

static pthread_key_t late_key;

static void late_free(void *p)
{
	free(p);
	free(malloc(77));
}

static void *late_thread(void *arg)
{
	(void)arg;
	pthread_setspecific(late_key, malloc(33));
	free(malloc(10));
	return NULL;
}

/* Allocations in key destructors after the allocator's own ran. */
static void t_exit_destructors(void)
{
	pthread_t t;
	int i;

	CHECK(pthread_key_create(&late_key, late_free) == 0);
	for (i = 0; i < 200; i++) {
		CHECK(pthread_create(&t, NULL, late_thread, NULL) == 0);
		pthread_join(t, NULL);
	}
}

static volatile int stop;

static void *busy(void *arg)
{
	(void)arg;
	while (!stop)
		free(malloc((size_t)(rand() % 5000) + 1));
	return NULL;
}

static int child_work(int threads)
{
	alarm(60);	/* a deadlock fails, not hangs; slack for a busy machine */
	free(malloc(100));
	return spawn(threads, 5000) ? 0 : 1;
}

/* Wait for a forked child; say how it ended if not with status 0. */
static int child_ok(pid_t pid)
{
	int st;

	if (pid <= 0 || waitpid(pid, &st, 0) != pid)
		return 0;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 1;
	if (WIFSIGNALED(st))
		printf("        # %s: child killed by signal %d\n", cur,
		       WTERMSIG(st));
	else
		printf("        # %s: child exited with %d\n", cur,
		       WEXITSTATUS(st));
	return 0;
}

/*
 * Sampled guard pages in the drop-in (KMA_GUARD=1: every allocation that
 * refills a cache is guarded). The child writes one byte past each of
 * its objects: the first that is guarded faults, and the drop-in reports
 * it (an out-of-bounds access, with the allocation site) and aborts.
 */
static int guard_child(void)
{
	static unsigned char *objs[2000];
	int i;

	for (i = 0; i < 2000; i++)
		objs[i] = malloc(128);
	for (i = 0; i < 2000; i++)
		((volatile unsigned char *)objs[i])[128] = 1;
	return 0;				/* no fault: wrong */
}

static void t_guard(void)
{
	char buf[4096], *env[3] = { "KMA_GUARD=1", NULL, NULL };
	int fd[2], status = 0;
	ssize_t n, got = 0;
	pid_t pid;

	CHECK(pipe(fd) == 0);
	pid = fork();
	if (pid == 0) {
		char *argv[] = { "preload_api", "guard-child", NULL };
		char pre[4200];

		dup2(fd[1], 1);
		dup2(fd[1], 2);
		snprintf(pre, sizeof(pre), "LD_PRELOAD=%s",
			 getenv("LD_PRELOAD") ? getenv("LD_PRELOAD") : "");
		env[1] = pre;
		execve("/proc/self/exe", argv, env);
		_exit(127);
	}
	close(fd[1]);
	while ((n = read(fd[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	buf[got] = 0;
	close(fd[0]);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
	CHECK(strstr(buf, "out-of-bounds") != NULL);
	CHECK(strstr(buf, "allocated by") != NULL);
}

static void t_fork(void)
{
	pthread_t t[4];
	pid_t pid;
	int i;

	stop = 0;
	for (i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, busy, NULL);
	for (i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0)
			_exit(child_work(2));
		CHECK(child_ok(pid));
	}
	/* 4 busy + this thread in the parent: the child needs 61 more. */
	pid = fork();
	if (pid == 0)
		_exit(child_work(60));
	CHECK(child_ok(pid));
	stop = 1;
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
}

/*
 * fork() while threads exit. An exiting thread gives its cached objects
 * back (its slot's drain); a child of fork() drains the slots of the
 * threads it lost. A fork that lands in the middle of an exit's drain
 * must not let the child give those objects back a second time. Threads
 * that filled caches of many classes end one after another, and others
 * spill full caches to the centrals without end, while the main thread
 * forks; every child frees and allocates, then exits 0.
 */
static volatile int exiting_stop;

static void *short_lived(void *arg)
{
	void *v[96];
	int i;

	(void)arg;
	for (i = 0; i < 96; i++)
		v[i] = malloc((size_t)16 << (i % 9));
	for (i = 0; i < 96; i++)
		free(v[i]);
	return NULL;
}

static void *exit_churn(void *arg)
{
	pthread_t t[2];

	(void)arg;
	while (!exiting_stop) {
		if (pthread_create(&t[0], NULL, short_lived, NULL))
			return NULL;
		if (pthread_create(&t[1], NULL, short_lived, NULL)) {
			pthread_join(t[0], NULL);
			return NULL;
		}
		pthread_join(t[0], NULL);
		pthread_join(t[1], NULL);
	}
	return (void *)1;
}

/* Frees that spill whole caches to the centrals, without end. */
static void *spiller(void *arg)
{
	static void *v[2][1024];
	void **mine = v[(uintptr_t)arg];
	size_t size = 32;
	int i;

	while (!exiting_stop) {
		for (i = 0; i < 1024; i++)
			mine[i] = malloc(size);
		for (i = 0; i < 1024; i++)
			free(mine[i]);
		size = size == 512 ? 32 : size * 2;
	}
	return (void *)1;
}

static void t_fork_exiting(void)
{
	pthread_t c[2], sp[2];
	void *r;
	pid_t pid;
	int i, ok = 1;

	exiting_stop = 0;
	for (i = 0; i < 2; i++) {
		CHECK(!pthread_create(&c[i], NULL, exit_churn, NULL));
		CHECK(!pthread_create(&sp[i], NULL, spiller,
				      (void *)(uintptr_t)i));
	}
	for (i = 0; i < 300 && ok; i++) {
		pid = fork();
		if (pid == 0) {
			void *v[64];
			int j;

			alarm(60);
			for (j = 0; j < 64; j++)
				v[j] = malloc((size_t)16 << (j % 9));
			for (j = 0; j < 64; j++)
				free(v[j]);
			_exit(0);
		}
		ok = child_ok(pid);
	}
	CHECK(ok);
	exiting_stop = 1;
	for (i = 0; i < 2; i++) {
		CHECK(!pthread_join(c[i], &r));
		CHECK(r != NULL);
		CHECK(!pthread_join(sp[i], &r));
		CHECK(r != NULL);
	}
}

/*
 * A borrowed shared slot goes back at the end of every call, even a call
 * whose slow path ends a decay period (the run sets KMA_DECAY_MS small).
 * In a child: 70 holders keep every owned slot; then, round after round,
 * a borrower frees a burst of spans and makes the call that polls the
 * decay clock (its 64th slow call) its last before it blocks; a fresh
 * borrower must then allocate, which it cannot while the blocked one
 * keeps the slot. alarm() turns that deadlock into a failure.
 */
#define HOLDERS		70
#define BURST		31
static pthread_barrier_t hold_bar, done_bar;
static pthread_mutex_t park_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t park_cv = PTHREAD_COND_INITIALIZER;
static int parked, unpark;

static void *holder(void *arg)
{
	(void)arg;
	free(malloc(16));
	pthread_barrier_wait(&hold_bar);
	pthread_barrier_wait(&done_bar);
	return NULL;
}

static void *borrower(void *arg)
{
	void *v[BURST], *last;
	int i;

	(void)arg;
	/* The first call registers the thread; the next 63 are counted. */
	free(malloc(16));
	for (i = 0; i < BURST; i++)
		v[i] = malloc(48 << 10);
	for (i = 0; i < BURST; i++)
		free(v[i]);
	usleep(5000);			/* past the decay period */
	last = malloc(8);		/* the 64th: it polls the clock */
	pthread_mutex_lock(&park_mu);
	parked++;
	pthread_cond_broadcast(&park_cv);
	while (!unpark)
		pthread_cond_wait(&park_cv, &park_mu);
	pthread_mutex_unlock(&park_mu);
	free(last);
	return NULL;
}

static void *prober(void *arg)
{
	(void)arg;
	free(malloc(24));
	return (void *)1;
}

static int slot_child(void)
{
	pthread_t h[HOLDERS], b[20], p;
	void *r;
	int i, ok = 1;

	alarm(60);
	pthread_barrier_init(&hold_bar, NULL, HOLDERS + 1);
	pthread_barrier_init(&done_bar, NULL, HOLDERS + 1);
	for (i = 0; i < HOLDERS; i++)
		if (pthread_create(&h[i], NULL, holder, NULL))
			return 1;
	pthread_barrier_wait(&hold_bar);
	for (i = 0; i < 20 && ok; i++) {
		if (pthread_create(&b[i], NULL, borrower, NULL))
			return 1;
		pthread_mutex_lock(&park_mu);
		while (parked <= i)
			pthread_cond_wait(&park_cv, &park_mu);
		pthread_mutex_unlock(&park_mu);
		r = NULL;
		ok = !pthread_create(&p, NULL, prober, NULL) &&
		     !pthread_join(p, &r) && r;
	}
	pthread_mutex_lock(&park_mu);
	unpark = 1;
	pthread_cond_broadcast(&park_cv);
	pthread_mutex_unlock(&park_mu);
	while (i--)
		pthread_join(b[i], NULL);
	pthread_barrier_wait(&done_bar);
	for (i = 0; i < HOLDERS; i++)
		pthread_join(h[i], NULL);
	return ok ? 0 : 1;
}

static void t_shared_slot_decay(void)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(slot_child());
	CHECK(child_ok(pid));
}

static const struct {
	const char *name;
	void (*fn)(void);
} cases[] = {
	{ "preloaded", t_preloaded },
	{ "sizes", t_sizes },
	{ "malloc_zero", t_zero },
	{ "errno", t_errno },
	{ "memalign", t_memalign },
	{ "calloc_zeroes", t_calloc },
	{ "calloc_fresh_untouched", t_calloc_fresh },
	{ "realloc_contents", t_realloc },
	{ "growth", t_growth },
	{ "threads_slots", t_threads },
	{ "threads_1000_alive", t_many_threads },
	{ "threads_100000_lifetimes", t_thread_lifetimes },
	{ "exit_destructors", t_exit_destructors },
	{ "fork", t_fork },
	{ "fork_while_threads_exit", t_fork_exiting },
	{ "guard_overflow_reported", t_guard },
	{ "shared_slot_after_decay", t_shared_slot_decay },
};

int main(int argc, char **argv)
{
	int n = sizeof(cases) / sizeof(cases[0]), i, bad = 0;

	if (argc > 1 && !strcmp(argv[1], "guard-child"))
		return guard_child();
	if (argc > 1 && !strcmp(argv[1], "calloc-child"))
		return calloc_child();

	setvbuf(stdout, NULL, _IONBF, 0);
	printf("KTAP version 1\n1..1\n    KTAP version 1\n"
	       "    # Subtest: preload_api\n    1..%d\n", n);
	for (i = 0; i < n; i++) {
		int before = failures;

		cur = cases[i].name;
		/* "preload-test NAME" runs that case only. */
		if (argc > 1 && strcmp(argv[1], cur)) {
			printf("    ok %d %s # SKIP not asked for\n", i + 1, cur);
			continue;
		}
		cases[i].fn();
		printf("    %sok %d %s\n", failures > before ? "not " : "",
		       i + 1, cur);
		bad |= failures > before;
	}
	printf("%sok 1 preload_api\n", bad ? "not " : "");
	return bad;
}
