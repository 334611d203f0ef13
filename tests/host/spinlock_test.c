// SPDX-License-Identifier: MIT
/*
 * spinlock_test.c - the ticket lock under real contention (host threads).
 *
 * Mutual exclusion: threads increment a counter inside the lock with a
 * non-atomic read-modify-write and flag their presence; the count must
 * come out exact and no two threads may be inside at once. Fairness: each
 * acquisition records its arrival number (the ticket) and its service
 * number; a waiter overtaken by more than nthreads - 1 later arrivals is
 * starved. Negative controls run the same checks on locks that are broken
 * on purpose and require the checks to catch them.
 *
 * The machine may be loaded or have fewer cores than threads, so the
 * checks must not rely on threads happening to run at the same time:
 * all threads start together behind a barrier, and every 64th critical
 * section yields the CPU while inside, which hands the lock (or, for a
 * broken lock, the critical section) to the other threads.
 *
 * Built with CONFIG_DEBUG_SPINLOCK so the debug checks (recursion,
 * unlock by a non-owner) are tested too.
 */
#define CONFIG_DEBUG_SPINLOCK 1
#include <pthread.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#include <ktest.h>
#include <kma/spinlock.h>
#include "test_report.h"

#define NTHREADS	4

struct lock_ops {
	void (*lock)(void *l, uint32_t *arrival);
	void (*unlock)(void *l);
};

struct mx_state {
	const struct lock_ops *ops;
	void *lock;
	unsigned long iters;
	uint64_t counter;	/* RMW'd non-atomically: relaxed load + store */
	uint64_t plain;		/* plain accesses, for ThreadSanitizer */
	bool use_plain;
	int inside;
	uint64_t overlaps;
	uint32_t *log;		/* log[service] = arrival */
	uint32_t served;
	pthread_barrier_t start;
};

/* --- the real lock --- */
static void ticket_lock(void *l, uint32_t *arrival)
{
	uint32_t tk = __spin_take_ticket(l);

	__spin_wait_ticket(l, tk);
	__spin_debug_locked(l);
	*arrival = tk;
}

static void ticket_unlock(void *l)
{
	if (__spin_debug_unlock(l))
		__spin_ticket_release(l);
}

static const struct lock_ops ticket_ops = { ticket_lock, ticket_unlock };

static __thread unsigned long irq_flags;

static void irq_lock(void *l, uint32_t *arrival)
{
	irq_flags = spin_lock_irqsave(l);
	*arrival = 0;
}

static void irq_unlock(void *l)
{
	spin_unlock_irqrestore(l, irq_flags);
}

static const struct lock_ops irq_ops = { irq_lock, irq_unlock };

/* --- broken on purpose: check, then set, not atomic as a whole --- */
struct broken_lock {
	int held;
	uint32_t arrivals;
};

static void broken_lock(void *p, uint32_t *arrival)
{
	struct broken_lock *b = p;

	*arrival = __atomic_fetch_add(&b->arrivals, 1, __ATOMIC_RELAXED);
	static __thread unsigned int n;

	while (__atomic_load_n(&b->held, __ATOMIC_RELAXED))
		sched_yield();
	/* Preemption between the check and the set is what breaks it. */
	if (++n % 8 == 0)
		sched_yield();
	__atomic_store_n(&b->held, 1, __ATOMIC_RELAXED);
}

static void broken_unlock(void *p)
{
	struct broken_lock *b = p;

	__atomic_store_n(&b->held, 0, __ATOMIC_RELAXED);
}

static const struct lock_ops broken_ops = { broken_lock, broken_unlock };

/* --- correct but unfair: test-and-set --- */
static void tas_lock(void *p, uint32_t *arrival)
{
	struct broken_lock *b = p;

	*arrival = __atomic_fetch_add(&b->arrivals, 1, __ATOMIC_RELAXED);
	while (__atomic_exchange_n(&b->held, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&b->held, __ATOMIC_RELAXED))
			sched_yield();
}

static void tas_unlock(void *p)
{
	struct broken_lock *b = p;

	__atomic_store_n(&b->held, 0, __ATOMIC_RELEASE);
}

static const struct lock_ops tas_ops = { tas_lock, tas_unlock };

static void *mx_thread(void *arg)
{
	struct mx_state *s = arg;
	unsigned long i;
	uint32_t arrival;
	uint64_t c;

	pthread_barrier_wait(&s->start);
	for (i = 0; i < s->iters; i++) {
		s->ops->lock(s->lock, &arrival);
		if (__atomic_exchange_n(&s->inside, 1, __ATOMIC_RELAXED))
			__atomic_fetch_add(&s->overlaps, 1, __ATOMIC_RELAXED);
		c = __atomic_load_n(&s->counter, __ATOMIC_RELAXED);
		if (i % 64 == 0)
			sched_yield();
		__atomic_store_n(&s->counter, c + 1, __ATOMIC_RELAXED);
		if (s->use_plain)
			s->plain++;
		if (s->log) {
			uint32_t k = __atomic_load_n(&s->served, __ATOMIC_RELAXED);

			__atomic_store_n(&s->log[k], arrival, __ATOMIC_RELAXED);
			__atomic_store_n(&s->served, k + 1, __ATOMIC_RELAXED);
		}
		__atomic_store_n(&s->inside, 0, __ATOMIC_RELAXED);
		s->ops->unlock(s->lock);
	}
	return NULL;
}

static void mx_run(struct mx_state *s)
{
	pthread_t th[NTHREADS];
	int i;

	pthread_barrier_init(&s->start, NULL, NTHREADS);
	for (i = 0; i < NTHREADS; i++)
		pthread_create(&th[i], NULL, mx_thread, s);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&s->start);
}

/*
 * Largest number of later arrivals served before an earlier one, over all
 * acquisitions: for the entry served at position s with arrival a, the
 * overtakers are the s entries served before it minus those that arrived
 * before it (counted with a Fenwick tree over arrival numbers).
 */
static uint32_t max_overtakes(const uint32_t *log, uint32_t n)
{
	uint32_t *fw = calloc(n + 1, sizeof(*fw));
	uint32_t s, worst = 0;

	for (s = 0; s < n; s++) {
		uint32_t a = log[s], before = 0, i;

		for (i = a; i > 0; i -= i & -i)
			before += fw[i];
		if (s - before > worst)
			worst = s - before;
		for (i = a + 1; i <= n; i += i & -i)
			fw[i]++;
	}
	free(fw);
	return worst;
}

static void test_spin_mutual_exclusion(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT("mx");
	struct mx_state s = { .ops = &ticket_ops, .lock = &l, .iters = 100000,
			      .use_plain = true };

	mx_run(&s);
	KT_EXPECT_EQ(t, s.overlaps, 0);
	KT_EXPECT_EQ(t, s.counter, NTHREADS * 100000UL);
	KT_EXPECT_EQ(t, s.plain, NTHREADS * 100000UL);
	KT_EXPECT_EQ(t, l.owner, l.next);	/* every ticket served */
}

static void test_spin_irqsave_exclusion(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT("mx-irq");
	struct mx_state s = { .ops = &irq_ops, .lock = &l, .iters = 100000,
			      .use_plain = true };

	mx_run(&s);
	KT_EXPECT_EQ(t, s.overlaps, 0);
	KT_EXPECT_EQ(t, s.counter, NTHREADS * 100000UL);
	KT_EXPECT_EQ(t, s.plain, NTHREADS * 100000UL);
	KT_EXPECT(t, !spin_is_locked(&l));
}

static void test_spin_fairness(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT("fair");
	const uint32_t iters = 20000, n = NTHREADS * iters;
	struct mx_state s = { .ops = &ticket_ops, .lock = &l, .iters = iters,
			      .use_plain = true };
	uint32_t worst;

	s.log = calloc(n, sizeof(*s.log));
	KT_ASSERT_NOT_NULL(t, s.log);
	mx_run(&s);
	KT_EXPECT_EQ(t, s.served, n);
	worst = max_overtakes(s.log, n);
	ktest_log(t, "ticket lock: worst waiter overtaken %u times", worst);
	KT_EXPECT_LE(t, worst, NTHREADS - 1);
	free(s.log);
}

static void test_spin_negative_broken(struct ktest *t)
{
	struct broken_lock b = { 0 };
	struct mx_state s = { .ops = &broken_ops, .lock = &b, .iters = 100000 };

	mx_run(&s);
	ktest_log(t, "broken lock: %llu overlaps, counter %llu of %lu",
		  (unsigned long long)s.overlaps,
		  (unsigned long long)s.counter, NTHREADS * 100000UL);
	/* The exclusion check must notice. */
	KT_EXPECT(t, s.overlaps > 0 || s.counter != NTHREADS * 100000UL);
}

static void test_spin_negative_unfair(struct ktest *t)
{
	struct broken_lock b = { 0 };
	const uint32_t iters = 20000, n = NTHREADS * iters;
	struct mx_state s = { .ops = &tas_ops, .lock = &b, .iters = iters };
	uint32_t worst;

	s.log = calloc(n, sizeof(*s.log));
	KT_ASSERT_NOT_NULL(t, s.log);
	mx_run(&s);
	worst = max_overtakes(s.log, n);
	ktest_log(t, "test-and-set lock: worst waiter overtaken %u times",
		  worst);
	/* Exclusion holds, fairness must be seen to fail. */
	KT_EXPECT_EQ(t, s.overlaps, 0);
	KT_EXPECT_GT(t, worst, NTHREADS - 1);
	free(s.log);
}

static void test_spin_trylock(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT("try");

	KT_EXPECT(t, spin_trylock(&l));
	KT_EXPECT(t, spin_is_locked(&l));
	spin_unlock(&l);
	KT_EXPECT(t, !spin_is_locked(&l));
	KT_EXPECT(t, spin_trylock(&l));
	spin_unlock(&l);
}

static void test_spin_debug_recursion(struct ktest *t)
{
	spinlock_t l = SPINLOCK_INIT("rec");

	report_capture_begin();
	spin_lock(&l);
	spin_lock(&l);		/* refused and reported */
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_LOCK);
	KT_EXPECT(t, report_msg_has("recursive lock of rec"));
	spin_unlock(&l);
	report_capture_end();
	KT_EXPECT(t, !spin_is_locked(&l));
	KT_EXPECT_EQ(t, report_cap.count, 1);
}

static spinlock_t foreign_lock = SPINLOCK_INIT("foreign");

static void *foreign_unlocker(void *arg)
{
	(void)arg;
	spin_unlock(&foreign_lock);	/* not ours: reported, ignored */
	return NULL;
}

static void test_spin_debug_foreign_unlock(struct ktest *t)
{
	pthread_t th;

	report_capture_begin();
	spin_lock(&foreign_lock);
	pthread_create(&th, NULL, foreign_unlocker, NULL);
	pthread_join(th, NULL);
	KT_EXPECT_EQ(t, report_cap.count, 1);
	KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_LOCK);
	KT_EXPECT(t, report_msg_has("unlock of foreign"));
	KT_EXPECT(t, spin_is_locked(&foreign_lock));
	spin_unlock(&foreign_lock);
	report_capture_end();
	KT_EXPECT(t, !spin_is_locked(&foreign_lock));
}

/*
 * The host lock sleeps when contended: a waiter behind a lock held for
 * 300 ms uses almost no CPU time (a lock that spins or yields in a loop
 * uses all of it), and the sleep is counted.
 */
extern uint64_t host_lock_sleeps;
static spinlock_t sleepy_lock = SPINLOCK_INIT("sleepy");
static uint64_t sleepy_cpu_ns;

static void *sleepy_waiter(void *arg)
{
	struct timespec ts;

	(void)arg;
	spin_lock(&sleepy_lock);
	spin_unlock(&sleepy_lock);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	sleepy_cpu_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	return NULL;
}

static void test_spin_host_sleeps(struct ktest *t)
{
	uint64_t sleeps = __atomic_load_n(&host_lock_sleeps, __ATOMIC_RELAXED);
	struct timespec d = { 0, 300000000 };
	pthread_t th;

	spin_lock(&sleepy_lock);
	pthread_create(&th, NULL, sleepy_waiter, NULL);
	nanosleep(&d, NULL);
	spin_unlock(&sleepy_lock);
	pthread_join(th, NULL);
	ktest_log(t, "waiter used %llu us of CPU over 300 ms, %llu sleep(s)",
		  (unsigned long long)(sleepy_cpu_ns / 1000),
		  (unsigned long long)(host_lock_sleeps - sleeps));
	KT_EXPECT_LT(t, sleepy_cpu_ns, 30000000ULL);
	KT_EXPECT_GT(t, host_lock_sleeps - sleeps, 0);
	KT_EXPECT(t, !spin_is_locked(&sleepy_lock));
}

static struct ktest_case spinlock_cases[] = {
	KTEST_CASE(test_spin_mutual_exclusion),
	KTEST_CASE(test_spin_irqsave_exclusion),
	KTEST_CASE(test_spin_fairness),
	KTEST_CASE(test_spin_negative_broken),
	KTEST_CASE(test_spin_negative_unfair),
	KTEST_CASE(test_spin_trylock),
	KTEST_CASE(test_spin_debug_recursion),
	KTEST_CASE(test_spin_debug_foreign_unlock),
	KTEST_CASE(test_spin_host_sleeps),
	{}
};
KTEST_SUITE(spinlock, spinlock_cases);
