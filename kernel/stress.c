// SPDX-License-Identifier: MIT
/*
 * stress.c - the allocator workload that runs on every CPU at once: the
 * smp_stress suite (stress_test.c) and the demo's short workload use it.
 *
 * Each CPU keeps a small set of live objects and, round after round,
 * replaces one of them: a small object of any size class (tiny GFP_NOSCAN
 * ones included), now and then a large one (32 KiB .. 1 MiB) or a huge
 * one (above 1 MiB, straight from the frame allocator). Every object is
 * filled with a pattern derived from its seed; before it is freed the
 * pattern is checked. One object in four is not freed where it was made
 * but posted to another CPU's mailbox; each CPU empties its own mailbox
 * every round, checks what it finds and frees it, so frees of remote
 * objects happen all the time. The kmalloc() and kfree() calls are
 * wrapped in kernel_mm_enter()/kernel_mm_leave() so that the timer
 * handler can see that it interrupted the allocator.
 *
 * End of a run: every CPU frees its live set, announces it is done
 * sending, and keeps emptying its mailbox until every CPU has announced;
 * then it empties the mailbox a last time. Nothing is left allocated.
 *
 * Locking: mailbox[i].lock (irqsave) guards that mailbox's ring (head,
 * count, slots). The per-CPU stress_cpu[i] is written only by CPU i and
 * read by the caller after smp_call_all() returns. nr_done is atomic.
 * The class table (classes, nr_classes) is written before the CPUs start.
 */
#include <ktest.h>
#include <kma/frame.h>
#include <kma/kmalloc.h>
#include <kma/spinlock.h>
#include "kernel.h"

#define LIVE_SMALL	48
#define LIVE_LARGE	4
#define LIVE_HUGE	1
#define LIVE_TOTAL	(LIVE_SMALL + LIVE_LARGE + LIVE_HUGE)
#define MBOX_SLOTS	16
#define SMALL_MAX	(32u << 10)
#define LARGE_MAX	(1u << 20)
#define HUGE_MAX	(3u << 20)
#define FULL_FILL	4096		/* bigger objects: ends and a byte per frame */
#define EDGE_FILL	256

struct sobj {
	uint8_t *p;
	size_t size;
	uint8_t seed;
};

struct mailbox {
	spinlock_t lock;
	unsigned int head;		/* oldest slot */
	unsigned int count;
	struct sobj slot[MBOX_SLOTS];
} __attribute__((aligned(64)));

struct stress_cpu {
	struct ktest_rng rng;
	uint64_t allocs, fails, bytes, large, huge;
	uint64_t sent, received, bad;
	struct sobj live[LIVE_TOTAL];
} __attribute__((aligned(64)));

static struct mailbox mailbox[PORT_MAX_CPUS];
static struct stress_cpu stress_cpu[PORT_MAX_CPUS];
static struct kmalloc_stats class_stats;
static uint32_t classes[72];
static unsigned int nr_classes;
static unsigned int nr_cpus;
static unsigned int nr_done;		/* atomic */
static unsigned int stress_iters;

static uint64_t rnd(struct stress_cpu *s)
{
	return ktest_rand(&s->rng);
}

static bool obj_pattern_range(const struct sobj *o, size_t from, size_t to,
			      size_t step, bool check)
{
	size_t i;

	for (i = from; i < to; i += step) {
		uint8_t v = (uint8_t)(o->seed + i * 7);

		if (!check)
			o->p[i] = v;
		else if (o->p[i] != v)
			return false;
	}
	return true;
}

/*
 * Fill (@check false) or check the pattern of @o. Objects up to
 * FULL_FILL bytes carry it in every byte; bigger ones in their first and
 * last EDGE_FILL bytes and in one byte of every frame.
 *
 * Return: false if a checked byte differs.
 */
static bool obj_pattern(const struct sobj *o, bool check)
{
	size_t i, step = 1, n = o->size;

	if (n > FULL_FILL) {
		if (!obj_pattern_range(o, 0, EDGE_FILL, 1, check) ||
		    !obj_pattern_range(o, n - EDGE_FILL, n, 1, check))
			return false;
		i = EDGE_FILL + 8;
		step = FRAME_SIZE;
		n -= EDGE_FILL;
	} else {
		i = 0;
	}
	return obj_pattern_range(o, i, n, step, check);
}

/* Check and free an object (ours or from a mailbox). */
static void obj_release(struct stress_cpu *s, struct kcpu *c, struct sobj *o)
{
	if (!o->p)
		return;
	if (!obj_pattern(o, true)) {
		s->bad++;
		printk("stress: cpu %u: %zu-byte object %p damaged\n",
		       c->id, o->size, (void *)o->p);
	}
	kernel_mm_enter(c);
	kfree(o->p);
	kernel_mm_leave(c);
	o->p = NULL;
}

/* Size for live slot @slot: small (any class), large or huge. */
static void obj_pick(struct stress_cpu *s, unsigned int slot, size_t *size,
		     gfp_t *gfp)
{
	uint64_t r = rnd(s);
	uint32_t cls;

	*gfp = GFP_KERNEL;
	if (slot >= LIVE_SMALL + LIVE_LARGE) {
		*size = LARGE_MAX + 1 + r % (HUGE_MAX - LARGE_MAX);
		return;
	}
	if (slot >= LIVE_SMALL) {
		*size = SMALL_MAX + 1 + r % (LARGE_MAX - SMALL_MAX);
		return;
	}
	if (r % 8 == 0) {			/* tiny allocator */
		*size = 1 + (r >> 8) % 15;
		*gfp = GFP_NOSCAN;
		return;
	}
	cls = classes[(r >> 8) % nr_classes];
	*size = cls - (cls > 16 ? (r >> 32) % 8 : 0);
	if ((r >> 40) % 4 == 0)
		*gfp = __GFP_ZERO;
}

static void obj_new(struct stress_cpu *s, struct kcpu *c, struct sobj *o,
		    unsigned int slot)
{
	gfp_t gfp;
	size_t i;

	obj_pick(s, slot, &o->size, &gfp);
	o->seed = (uint8_t)rnd(s);
	kernel_mm_enter(c);
	o->p = kmalloc(o->size, gfp);
	kernel_mm_leave(c);
	if (!o->p) {
		struct frame_stats fs;

		struct kmalloc_stats ks;

		frame_get_stats(&fs);
		kmalloc_get_stats(&ks);
		printk("stress: cpu %u: kmalloc(%zu) failed, %llu frames free (order 8: %llu, 9: %llu, 10: %llu); heap sys %llu KiB, idle %llu, large+huge %llu, meta %llu\n",
		       c->id, o->size, (unsigned long long)fs.free,
		       (unsigned long long)fs.per_order[8],
		       (unsigned long long)fs.per_order[9],
		       (unsigned long long)fs.per_order[10],
		       (unsigned long long)ks.heap_sys >> 10,
		       (unsigned long long)ks.heap_idle >> 10,
		       (unsigned long long)ks.large_bytes >> 10,
		       (unsigned long long)ks.meta_bytes >> 10);
		s->fails++;
		return;
	}
	s->allocs++;
	s->bytes += o->size;
	s->large += o->size > SMALL_MAX && o->size <= LARGE_MAX;
	s->huge += o->size > LARGE_MAX;
	if (gfp & __GFP_ZERO)
		for (i = 0; i < o->size; i++)
			if (o->p[i]) {
				s->bad++;
				printk("stress: cpu %u: kzalloc'd %p not zero\n",
				       c->id, (void *)o->p);
				break;
			}
	obj_pattern(o, false);
}

/* Post @o to CPU @to's mailbox. Return: false if it is full. */
static bool mbox_post(unsigned int to, const struct sobj *o)
{
	struct mailbox *m = &mailbox[to];
	unsigned long flags = spin_lock_irqsave(&m->lock);
	bool ok = m->count < MBOX_SLOTS;

	if (ok) {
		m->slot[(m->head + m->count) % MBOX_SLOTS] = *o;
		m->count++;
	}
	spin_unlock_irqrestore(&m->lock, flags);
	return ok;
}

/* Take everything from this CPU's mailbox, check it, free it. */
static void mbox_empty(struct stress_cpu *s, struct kcpu *c)
{
	struct mailbox *m = &mailbox[c->id];
	struct sobj got[MBOX_SLOTS];
	unsigned int i, n;
	unsigned long flags;

	flags = spin_lock_irqsave(&m->lock);
	n = m->count;
	for (i = 0; i < n; i++)
		got[i] = m->slot[(m->head + i) % MBOX_SLOTS];
	m->head = (m->head + n) % MBOX_SLOTS;
	m->count = 0;
	spin_unlock_irqrestore(&m->lock, flags);
	for (i = 0; i < n; i++) {
		obj_release(s, c, &got[i]);
		s->received++;
	}
}

static void stress_round(struct stress_cpu *s, struct kcpu *c)
{
	unsigned int slot = (unsigned int)(rnd(s) % LIVE_TOTAL);
	struct sobj *o = &s->live[slot];

	if (o->p) {
		unsigned int to = nr_cpus > 1 ?
			(c->id + 1 + (unsigned int)(rnd(s) % (nr_cpus - 1))) %
			nr_cpus : c->id;

		if (to != c->id && rnd(s) % 4 == 0 && mbox_post(to, o)) {
			s->sent++;
			o->p = NULL;
		} else {
			obj_release(s, c, o);
		}
	}
	obj_new(s, c, o, slot);
	mbox_empty(s, c);
}

static void stress_cpu_main(void *arg)
{
	struct kcpu *c = this_kcpu();
	struct stress_cpu *s = &stress_cpu[c->id];
	unsigned int i;

	(void)arg;
	for (i = 0; i < stress_iters; i++)
		stress_round(s, c);
	for (i = 0; i < LIVE_TOTAL; i++)
		obj_release(s, c, &s->live[i]);
	__atomic_fetch_add(&nr_done, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&nr_done, __ATOMIC_ACQUIRE) < nr_cpus)
		mbox_empty(s, c);
	mbox_empty(s, c);
}

static void stress_setup(unsigned int iters)
{
	unsigned int i;

	kmalloc_get_stats(&class_stats);
	nr_classes = 0;
	for (i = 1; i <= class_stats.nr_classes && i < 72; i++)
		if (class_stats.cls[i].size > 16)
			classes[nr_classes++] = class_stats.cls[i].size;
	nr_cpus = kernel_nr_online();
	stress_iters = iters;
	__atomic_store_n(&nr_done, 0, __ATOMIC_RELAXED);
	for (i = 0; i < nr_cpus; i++) {
		struct stress_cpu *s = &stress_cpu[i];
		unsigned int k;

		spin_lock_init(&mailbox[i].lock, "mailbox");
		mailbox[i].head = mailbox[i].count = 0;
		s->rng.s = 0x9e3779b97f4a7c15ULL * (i + 1) + arch_time_ns();
		s->allocs = s->fails = s->bytes = s->large = s->huge = 0;
		s->sent = s->received = s->bad = 0;
		for (k = 0; k < LIVE_TOTAL; k++)
			s->live[k].p = NULL;
	}
}

/**
 * stress_run - run the workload on every online CPU and sum the counts.
 * @iters: rounds per CPU.
 * @res: totals.
 */
void stress_run(unsigned int iters, struct stress_result *res)
{
	uint64_t t0 = arch_time_ns();
	unsigned int i;

	stress_setup(iters);
	smp_call_all(stress_cpu_main, NULL);
	*res = (struct stress_result){ 0 };
	res->cpus = nr_cpus;
	for (i = 0; i < nr_cpus; i++) {
		const struct stress_cpu *s = &stress_cpu[i];

		res->allocs += s->allocs;
		res->fails += s->fails;
		res->bytes += s->bytes;
		res->large += s->large;
		res->huge += s->huge;
		res->sent += s->sent;
		res->received += s->received;
		res->bad += s->bad;
	}
	res->ns = arch_time_ns() - t0;
}

static void quiesce_cpu(void *arg)
{
	unsigned int self = port_cpu_id();

	(void)arg;
	kmalloc_drain_cpu(self);
	frame_drain_cpu(self);
}

/**
 * kernel_mm_quiesce - drain every CPU's caches on that CPU, scavenge,
 * drain the frame caches.
 */
void kernel_mm_quiesce(void)
{
	smp_call_all(quiesce_cpu, NULL);
	kmalloc_scavenge();
	frame_drain_all();
}
