// SPDX-License-Identifier: MIT
/*
 * server.c - workload (d): a server-like mix. Each thread keeps a working
 * set of requests (slots); each operation replaces a random slot's object
 * by a new one of a random size. Half of the replaced objects are freed
 * by their thread, the other half are handed to another thread (a
 * response sent elsewhere), which frees them later.
 *
 *   server [-t threads] [-n ops/thread] [-b slots/thread]
 *
 * Sizes: 90% log-uniform in 16..1024, 9% in 1 KiB..16 KiB, 1% in
 * 16 KiB..256 KiB. One result line, case=mixed; ops = objects replaced.
 *
 * Hand-off: an object carries its size and a next pointer in its first
 * 16 bytes. A thread collects outgoing objects in a list per target and
 * splices it onto the target's inbox, under the inbox mutex, every 32
 * objects; it empties its own inbox every 64 operations.
 */
#include "wl_common.h"

#define FLUSH_EVERY	32
#define DRAIN_EVERY	64

struct obj {
	size_t size;
	struct obj *next;
};

struct inbox {
	pthread_mutex_t lock;
	struct obj *head;		/* protected by lock */
} __attribute__((aligned(64)));

struct outbox {
	struct obj *head;
	int count;
};

struct srv_state {
	struct inbox in[WL_MAX_THREADS];
	long ops;
	long slots;
	uint64_t seed;
};

static size_t srv_size(uint64_t *rng)
{
	uint64_t k = wl_rand_below(rng, 100);

	if (k < 90)
		return wl_rand_size(rng, 16, 1024);
	if (k < 99)
		return wl_rand_size(rng, 1025, 16384);
	return wl_rand_size(rng, 16385, 262144);
}

static void srv_flush(struct srv_state *st, int to, struct outbox *ob)
{
	struct obj *tail = ob->head;

	if (!tail)
		return;
	while (tail->next)
		tail = tail->next;
	pthread_mutex_lock(&st->in[to].lock);
	tail->next = st->in[to].head;
	st->in[to].head = ob->head;
	pthread_mutex_unlock(&st->in[to].lock);
	ob->head = NULL;
	ob->count = 0;
}

static void srv_drain(struct srv_state *st, int me)
{
	struct obj *o, *next;

	pthread_mutex_lock(&st->in[me].lock);
	o = st->in[me].head;
	st->in[me].head = NULL;
	pthread_mutex_unlock(&st->in[me].lock);
	for (; o; o = next) {
		next = o->next;
		free(o);
	}
}

static long srv_thread(struct wl_run *run, int me)
{
	struct srv_state *st = run->arg;
	struct outbox ob[WL_MAX_THREADS] = { { 0 } };
	uint64_t rng = st->seed + (uint64_t)me * 15485863;
	uint64_t held = 0, peak = 0;
	struct obj **slot = calloc((size_t)st->slots, sizeof(*slot));
	long i;
	int t;

	if (!slot)
		wl_die("calloc");
	for (i = 0; i < st->ops; i++) {
		long k = (long)wl_rand_below(&rng, (uint64_t)st->slots);
		struct obj *o = slot[k];
		size_t n = srv_size(&rng);

		if (o) {
			held -= o->size;
			if (wl_rand(&rng) & 1) {
				free(o);
			} else {
				t = run->threads == 1 ? me :
				    (me + 1 + (int)wl_rand_below(&rng,
					(uint64_t)run->threads - 1)) %
				    run->threads;
				o->next = ob[t].head;
				ob[t].head = o;
				if (++ob[t].count == FLUSH_EVERY)
					srv_flush(st, t, &ob[t]);
			}
		}
		o = wl_malloc(n);
		o->size = n;
		((volatile char *)o)[n - 1] = 1;
		slot[k] = o;
		held += n;
		if (held > peak)
			peak = held;
		if (i % DRAIN_EVERY == DRAIN_EVERY - 1)
			srv_drain(st, me);
	}
	for (t = 0; t < run->threads; t++)
		srv_flush(st, t, &ob[t]);
	for (i = 0; i < st->slots; i++)
		free(slot[i]);
	free(slot);
	srv_drain(st, me);
	wl_add_live_peak(run, peak);
	return st->ops;
}

int main(int argc, char **argv)
{
	struct wl_opts o = { .threads = 1, .ops = 1000000, .batch = 2000,
			     .seed = 1 };
	static struct srv_state st;
	struct wl_run run = { .fn = srv_thread, .arg = &st };
	long rss_base;
	int i;

	wl_parse(argc, argv, &o);
	free(wl_malloc(1));
	rss_base = wl_status_kb("VmRSS");
	for (i = 0; i < WL_MAX_THREADS; i++)
		pthread_mutex_init(&st.in[i].lock, NULL);
	st.slots = o.batch;
	st.seed = o.seed;
	run.threads = o.threads;
	st.ops = o.ops / 16 + 1;
	wl_run_threads(&run);			/* warm up */
	run.warm_ops = run.ops;
	for (i = 0; i < o.threads; i++)		/* late hand-offs */
		srv_drain(&st, i);
	st.ops = o.ops;
	wl_run_threads(&run);
	for (i = 0; i < o.threads; i++)
		srv_drain(&st, i);
	wl_report("server", "mixed", &run, rss_base, NULL);
	return 0;
}
