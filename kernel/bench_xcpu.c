// SPDX-License-Identifier: MIT
/*
 * bench_xcpu.c - bench=xcpu: what an object costs when another CPU frees
 * it, against the same CPU, with every timer stopped.
 *
 * Owns: xcpu_objs[] (the batch handed from the producer to the consumer),
 * xcpu_turn (whose turn it is), xcpu_job (what the consumer is asked to
 * do and what it counted) and the stats buffers.
 *
 * Two CPUs take part: A, the boot CPU, and B, CPU 1. For each size
 * (16, 64, 256, 1024 and 4096 bytes):
 *
 *  (a) same-CPU: A allocates a batch of XCPU_BATCH objects, stores one
 *      word into each, then frees them all; XCPU_ROUNDS rounds. The other
 *      CPUs wait in kernel_secondary_main()'s idle loop, halted.
 *  (b) cross-CPU: A allocates the batch and stores one word into each
 *      object, then hands the batch over (xcpu_turn = B, a kick) and
 *      halts; B, woken by the kick, frees the batch, hands it back (turn
 *      = A, a kick) and halts. XCPU_ROUNDS rounds.
 *
 * Each of (a) and (b) runs one untimed round first, so that first-touch
 * costs (spans carved, frames faulted into the heap, CPU caches filled)
 * stay out of the figures.
 *
 * Time: A reads arch_time_ns() before the first timed round and after
 * the last. Under QEMU -icount shift=0 the clock advances one nanosecond
 * per instruction executed by any running vCPU and not at all for a
 * halted one, so the difference is every instruction executed meanwhile:
 * A's, B's, and those of the CPUs that a kick wakes. Waiting costs
 * nothing: a waiting CPU halts (arch_cpu_idle() with the check done with
 * interrupts off, so a kick cannot slip in between), it does not spin.
 * The kick, arch_cpus_kick(), wakes every other CPU, not only the one
 * whose turn it is: the two idle CPUs take the interrupt, look for work
 * and halt again. That, the kick itself and the loops are the
 * benchmark's own share, measured by the "loop" line: the same (a) and
 * (b) with kmalloc() and kfree() replaced by functions that do nothing
 * (the store goes to a dummy word). tools/bench-xcpu.sh subtracts it.
 *
 * Lock counts, all shared locks the statistics expose: the centrals'
 * lock acquisitions (kmalloc_stats.central_locks, the sum of every
 * central's nlocks), the page heap's (kmalloc_stats.heap_locks) and the
 * frame allocator's zone lock (frame_stats.zone_locks). Per-CPU locks
 * (the frame allocator's per-CPU caches) are not counted. For (a) and
 * (b) the counters are read before and after the timed rounds; for (b)
 * a third, untimed pass of XCPU_ROUNDS rounds reads them around each
 * phase too (A before and after allocating, B after freeing), which
 * splits them into A's and B's share. frame_get_stats() takes the zone
 * lock once and counts it; the deltas are corrected for that.
 *
 * Lines printed ("xcpu: " prefix), figures per object:
 *   size same cross s.clk s.hlk s.zlk x.clk x.hlk x.zlk f.clk f.hlk f.zlk
 * same/cross are instructions per object of (a)/(b); s.* are (a)'s lock
 * acquisitions per 1000 objects, x.* (b)'s per 1000 objects (A's and
 * B's together), f.* B's alone per 1000 cross-CPU frees (the third pass).
 *
 * Concurrency: xcpu_turn is atomic; it passes ownership of xcpu_objs[],
 * xcpu_job and the stats buffers between A and B with release/acquire
 * ordering. Only the CPU whose turn it is touches them.
 */
#include <kma/frame.h>
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "kernel.h"

#define XCPU_BATCH	1000
#define XCPU_ROUNDS	16
#define XCPU_A		0	/* producer: the boot CPU */
#define XCPU_B		1	/* consumer */

enum xcpu_turn {
	TURN_A,			/* A allocates (or is done with the round) */
	TURN_B,			/* B frees the batch */
	TURN_STOP,		/* B leaves */
};

/* Acquisitions of the shared locks (see the file comment). */
struct xcpu_locks {
	uint64_t central, heap, zone;
};

/**
 * struct xcpu_job - one run of (b), shared by A and B.
 * @size:  object size.
 * @nop:   the loop line: call nop_alloc()/nop_free() instead.
 * @count: read the lock counters around each phase (untimed pass).
 * @alloc: A's lock acquisitions in @count rounds.
 * @free:  B's lock acquisitions in @count rounds.
 */
struct xcpu_job {
	size_t size;
	bool nop;
	bool count;
	struct xcpu_locks alloc, free;
};

/* Results of one size (or of the loop line), totals over the rounds. */
struct xcpu_result {
	uint64_t same_ns, cross_ns;
	struct xcpu_locks same, cross, cross_free;
};

static void *xcpu_objs[XCPU_BATCH];
static unsigned int xcpu_turn;			/* atomic, enum xcpu_turn */
static struct xcpu_job xcpu_job;
static struct xcpu_result xcpu_res;
static struct kmalloc_stats xcpu_kst;
static struct frame_stats xcpu_fst;
static uint64_t nop_obj[2];

/* The loop line's kmalloc and kfree: a call and a return, nothing else. */
static __attribute__((noinline)) void *nop_alloc(size_t size, gfp_t gfp)
{
	void *p = nop_obj + (size & 1);

	__asm__ volatile("" : "+r"(p) : "r"(gfp) : "memory");
	return p;
}

static __attribute__((noinline)) void nop_free(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* Read the shared-lock counters into @l. */
static void xcpu_locks_read(struct xcpu_locks *l)
{
	kmalloc_get_stats(&xcpu_kst);
	frame_get_stats(&xcpu_fst);
	l->central = xcpu_kst.central_locks;
	l->heap = xcpu_kst.heap_locks;
	l->zone = xcpu_fst.zone_locks;
}

/*
 * @sum += @to - @from, less the zone lock acquisition that reading @to
 * made (frame_get_stats() counts its own).
 */
static void xcpu_locks_add(struct xcpu_locks *sum,
			   const struct xcpu_locks *from,
			   const struct xcpu_locks *to)
{
	sum->central += to->central - from->central;
	sum->heap += to->heap - from->heap;
	sum->zone += to->zone - from->zone - 1;
}

/* Allocate the batch, one store into each object. */
static void xcpu_fill(size_t size, bool nop)
{
	unsigned int i;

	for (i = 0; i < XCPU_BATCH; i++) {
		uint64_t *p = nop ? nop_alloc(size, GFP_KERNEL) :
				    kmalloc(size, GFP_KERNEL);

		if (!p)
			panic("bench=xcpu: kmalloc(%zu) failed", size);
		*(volatile uint64_t *)p = i;
		xcpu_objs[i] = p;
	}
}

/* Free the batch. */
static void xcpu_drain(bool nop)
{
	unsigned int i;

	for (i = 0; i < XCPU_BATCH; i++) {
		if (nop)
			nop_free(xcpu_objs[i]);
		else
			kfree(xcpu_objs[i]);
	}
}

/*
 * Halt until xcpu_turn is no longer @busy; return what it became.
 * Interrupts are off from each check to the halt, which enables them
 * (arch_cpu_idle()): a kick in between stays pending and ends the halt.
 */
static unsigned int xcpu_wait(unsigned int busy)
{
	unsigned long flags = port_irq_save();
	unsigned int t;

	while ((t = __atomic_load_n(&xcpu_turn, __ATOMIC_ACQUIRE)) == busy) {
		arch_cpu_idle();
		port_irq_save();
		kmalloc_cpu_poll(port_cpu_id());
	}
	port_irq_restore(flags);
	return t;
}

/* Give the turn to @to and wake it (every other CPU wakes). */
static void xcpu_pass(unsigned int to)
{
	__atomic_store_n(&xcpu_turn, to, __ATOMIC_RELEASE);
	arch_cpus_kick();
}

/* (b) on A: @rounds rounds of allocate, hand over, wait for the batch. */
static void xcpu_produce(unsigned int rounds)
{
	struct xcpu_locks l0 = { 0 }, l1;
	struct xcpu_job *j = &xcpu_job;
	bool count = j->count;
	unsigned int r;

	for (r = 0; r < rounds; r++) {
		if (count)
			xcpu_locks_read(&l0);
		xcpu_fill(j->size, j->nop);
		if (count) {
			xcpu_locks_read(&l1);
			xcpu_locks_add(&j->alloc, &l0, &l1);
		}
		xcpu_pass(TURN_B);
		xcpu_wait(TURN_B);
	}
}

/* (b) on B: free each batch handed over until told to stop. */
static void xcpu_consume(void)
{
	struct xcpu_locks l0 = { 0 }, l1;
	struct xcpu_job *j = &xcpu_job;

	while (xcpu_wait(TURN_A) == TURN_B) {
		bool count = j->count;

		if (count)
			xcpu_locks_read(&l0);
		xcpu_drain(j->nop);
		if (count) {
			xcpu_locks_read(&l1);
			xcpu_locks_add(&j->free, &l0, &l1);
		}
		xcpu_pass(TURN_A);
	}
}

/* smp_call_all() function of (b): A drives, B consumes, others return. */
static void xcpu_cross_cpu(void *arg)
{
	struct xcpu_result *res = arg;
	struct xcpu_locks l0, l1;
	uint64_t t0;

	if (port_cpu_id() == XCPU_B) {
		xcpu_consume();
		return;
	}
	if (port_cpu_id() != XCPU_A)
		return;
	xcpu_produce(1);			/* warm-up */
	xcpu_locks_read(&l0);
	t0 = arch_time_ns();
	xcpu_produce(XCPU_ROUNDS);
	res->cross_ns = arch_time_ns() - t0;
	xcpu_locks_read(&l1);
	xcpu_locks_add(&res->cross, &l0, &l1);
	xcpu_job.count = true;
	xcpu_produce(XCPU_ROUNDS);
	res->cross_free = xcpu_job.free;
	xcpu_pass(TURN_STOP);
}

/* (a) on A, the boot CPU: allocate and free a batch, @rounds times. */
static void xcpu_same_cpu(size_t size, bool nop, unsigned int rounds)
{
	unsigned int r;

	for (r = 0; r < rounds; r++) {
		xcpu_fill(size, nop);
		xcpu_drain(nop);
	}
}

/* Hundredths of @num / @den as "w.ff" into @buf. */
static void xcpu_fmt(char *buf, size_t len, uint64_t num, uint64_t den)
{
	uint64_t h = num * 100 / den;

	mm_snprintf(buf, len, "%llu.%02llu", (unsigned long long)(h / 100),
		    (unsigned long long)(h % 100));
}

/* The three counters of @l per 1000 of @ops, or "-" if @l is NULL. */
static void xcpu_fmt_locks(char out[3][16], const struct xcpu_locks *l,
			   uint64_t ops)
{
	if (!l) {
		mm_snprintf(out[0], 16, "-");
		mm_snprintf(out[1], 16, "-");
		mm_snprintf(out[2], 16, "-");
		return;
	}
	xcpu_fmt(out[0], 16, l->central * 1000, ops);
	xcpu_fmt(out[1], 16, l->heap * 1000, ops);
	xcpu_fmt(out[2], 16, l->zone * 1000, ops);
}

static void xcpu_line(const char *label, const struct xcpu_result *res,
		      bool locks)
{
	const uint64_t ops = (uint64_t)XCPU_ROUNDS * XCPU_BATCH;
	char same[24], cross[24], s[3][16], x[3][16], f[3][16];

	xcpu_fmt(same, sizeof(same), res->same_ns, ops);
	xcpu_fmt(cross, sizeof(cross), res->cross_ns, ops);
	xcpu_fmt_locks(s, locks ? &res->same : NULL, ops);
	xcpu_fmt_locks(x, locks ? &res->cross : NULL, ops);
	xcpu_fmt_locks(f, locks ? &res->cross_free : NULL, ops);
	printk("xcpu: %6s %9s %9s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n",
	       label, same, cross, s[0], s[1], s[2], x[0], x[1], x[2],
	       f[0], f[1], f[2]);
}

/* Measure (a) and (b) for @size (nop: the loop line) into xcpu_res. */
static void xcpu_measure(size_t size, bool nop)
{
	struct xcpu_result *res = &xcpu_res;
	struct xcpu_locks l0, l1;
	uint64_t t0;

	*res = (struct xcpu_result){ 0 };
	xcpu_same_cpu(size, nop, 1);		/* warm-up */
	xcpu_locks_read(&l0);
	t0 = arch_time_ns();
	xcpu_same_cpu(size, nop, XCPU_ROUNDS);
	res->same_ns = arch_time_ns() - t0;
	xcpu_locks_read(&l1);
	xcpu_locks_add(&res->same, &l0, &l1);

	xcpu_job = (struct xcpu_job){ .size = size, .nop = nop };
	__atomic_store_n(&xcpu_turn, TURN_A, __ATOMIC_RELEASE);
	smp_call_all(xcpu_cross_cpu, res);
}

/**
 * kernel_bench_xcpu - bench=xcpu: print the same-CPU against cross-CPU
 * table (see the file comment). Boot CPU; needs two CPUs online.
 */
void kernel_bench_xcpu(void)
{
	static const uint32_t sizes[] = { 16, 64, 256, 1024, 4096 };
	unsigned int i;
	char label[16];

	if (kernel_nr_online() < 2 || port_cpu_id() != XCPU_A) {
		printk("xcpu: needs CPUs 0 and 1 online, %u online\n",
		       kernel_nr_online());
		printk("xcpu: done\n");
		return;
	}
	kernel_bench_timers(false);
	kernel_mm_quiesce();
	printk("xcpu: cpu %u allocates, cpu %u frees (of %u online), timers off, batch %u, %u rounds after 1 untimed\n",
	       XCPU_A, XCPU_B, kernel_nr_online(), XCPU_BATCH, XCPU_ROUNDS);
	printk("xcpu: ns per object; locks per 1000 objects (s: same-CPU, x: cross-CPU A+B, f: cross-CPU B's frees only)\n");
	printk("xcpu: %6s %9s %9s %6s %6s %6s %6s %6s %6s %6s %6s %6s\n",
	       "size", "same", "cross", "s.clk", "s.hlk", "s.zlk", "x.clk",
	       "x.hlk", "x.zlk", "f.clk", "f.hlk", "f.zlk");
	xcpu_measure(64, true);
	xcpu_line("loop", &xcpu_res, false);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		xcpu_measure(sizes[i], false);
		mm_snprintf(label, sizeof(label), "%u",
			    (unsigned int)sizes[i]);
		xcpu_line(label, &xcpu_res, true);
	}
	kernel_mm_quiesce();
	kernel_bench_timers(true);
	printk("xcpu: done\n");
}
