// SPDX-License-Identifier: MIT
/*
 * bench.c - bench=1: the cost of kmalloc/kfree in the kernels, on the
 * boot CPU with every timer stopped, per size.
 *
 * Sizes: GFP_NOSCAN requests of 4 and 12 B (the tiny path: pieces packed
 * into 16-byte blocks) and of 8 B (the 8-byte class, through kmalloc()'s
 * slow function), kzalloc() of 64 B and 1 KiB (lines 64z, 1024z), every
 * size class, every power
 * of two from 16 B to 32 KiB that is not a class size, 64 KiB and 2 MiB
 * (large objects, straight from the page heap). For each size:
 * BENCH_PAIRS kmalloc+kfree pairs (the CPU cache's fast path), then
 * BENCH_ROUNDS batches of BENCH_BATCH allocations followed by their frees
 * (16 per batch above 32 KiB; spans taken from and given back to the
 * central lists). Each size starts from a quiesced heap (caches drained,
 * memory scavenged, one untimed pair), so its figures are its own and not the
 * cost of giving back what the sizes before it left (the reclaim a
 * growing page heap does once an eighth of it has been freed, and the
 * capacity a CPU cache takes from other classes); the batches are timed
 * after one untimed round, in the steady state a working set of that
 * size reaches (the caches grown to hold it where their bounds allow).
 *
 * Columns, per operation (elapsed arch_time_ns() over the operations):
 *   pair    one kmalloc and one kfree, back to back
 *   alloc   one kmalloc of a batch
 *   free    one kfree of a batch
 *   batch   alloc + free: one object allocated and freed in a batch
 *   clk/1k, hlk/1k  central and page-heap lock acquisitions per 1000
 *           operations (kmallocs and kfrees) of the batches, from
 *           kmalloc_get_stats()
 * Under QEMU -icount shift=0 one nanosecond is one guest instruction, so
 * the figures are instruction counts (tools/bench-kernel.sh).
 *
 * The first line after the header, size "loop", is the same loops with
 * kmalloc and kfree replaced by functions that do nothing (noinline, so
 * the call and return stay): the benchmark's own share, to subtract from
 * every other line for the allocator's share (tools/bench-kernel.sh
 * prints both).
 *
 * Then the worst single operation (bench_worst()): a long randomized run
 * of allocations of 1 B to 1 KiB and frees, each operation timed alone,
 * from a quiesced heap ("kma") and from one given 2 MiB beforehand with
 * kmalloc_reserve() ("kma-rsv": no allocation grows the heap).
 *
 * On 32-bit Arm (KMA_BENCH_NEWLIB), the same pair and batch loops and the
 * same randomized run for newlib's malloc ("nl" lines) and newlib-nano's
 * ("nano"), linked into this kernel (kernel/bench_newlib.c).
 *
 * A last line measures sampled guard pages (bench_guard()).
 *
 * State: batch[], the stats buffers and class_size[], boot CPU only.
 */
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "kernel.h"
#ifdef KMA_BENCH_NEWLIB
#include "bench_newlib.h"
#endif

#define BENCH_PAIRS	2000
#define BENCH_BATCH	1000
#define BENCH_ROUNDS	4
#define BENCH_LARGE_BATCH	16	/* objects per batch above 32 KiB */

static void *batch[BENCH_BATCH];
static struct kmalloc_stats st0, st1;
static uint32_t class_size[72];

/* The loop line's kmalloc and kfree: a call and a return, nothing else. */
static __attribute__((noinline)) void *nop_alloc(size_t size, gfp_t gfp)
{
	void *p = batch + (size & 1);

	__asm__ volatile("" : "+r"(p) : "r"(gfp) : "memory");
	return p;
}

static __attribute__((noinline)) void nop_free(const void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

/*
 * The two loops, shared by the allocator's lines and the loop line so
 * that both have the same shape; the allocator's calls stay direct, as
 * in any caller. @t: elapsed pair, alloc and free time, added to.
 */
#define PAIR_LOOP(ALLOC, FREE, size, gfp, t)				\
do {									\
	uint64_t t0_ = arch_time_ns();					\
	unsigned int i_;						\
									\
	for (i_ = 0; i_ < BENCH_PAIRS; i_++)				\
		FREE(ALLOC(size, gfp));					\
	(t)[0] += arch_time_ns() - t0_;					\
} while (0)

#define BATCH_LOOP(ALLOC, FREE, size, gfp, nb, t)			\
do {									\
	uint64_t t0_;							\
	unsigned int i_, r_;						\
									\
	for (r_ = 0; r_ < BENCH_ROUNDS; r_++) {				\
		t0_ = arch_time_ns();					\
		for (i_ = 0; i_ < (nb); i_++)				\
			batch[i_] = ALLOC(size, gfp);			\
		(t)[1] += arch_time_ns() - t0_;				\
		t0_ = arch_time_ns();					\
		for (i_ = 0; i_ < (nb); i_++)				\
			FREE(batch[i_]);				\
		(t)[2] += arch_time_ns() - t0_;				\
	}								\
} while (0)

static void timer_off(void *arg)
{
	(void)arg;
	arch_timer_stop();
}

static void timer_on(void *arg)
{
	(void)arg;
	arch_timer_start(kernel_timer_hz, kernel_timer_handler);
}

/**
 * kernel_bench_timers - stop or restart every CPU's timer (if the kernel
 * runs one, timer_hz= not 0).
 * @on: true to restart.
 */
void kernel_bench_timers(bool on)
{
	if (kernel_timer_hz)
		smp_call_all(on ? timer_on : timer_off, NULL);
}

/* Hundredths of @ns / @ops, for "%llu.%02llu". */
static void per_op(uint64_t ns, uint64_t ops, unsigned long long *whole,
		   unsigned long long *frac)
{
	uint64_t h = ns * 100 / ops;

	*whole = h / 100;
	*frac = h % 100;
}

/*
 * Print one line: @label, then the columns of the file comment; @locks
 * NULL for "-" in the lock columns.
 */
static void bench_line(const char *label, const uint64_t t[3], uint64_t ops,
		       const uint64_t *locks)
{
	unsigned long long w[4], f[4];
	char cl[24] = "-", hl[24] = "-";

	per_op(t[0], BENCH_PAIRS, &w[0], &f[0]);
	per_op(t[1], ops, &w[1], &f[1]);
	per_op(t[2], ops, &w[2], &f[2]);
	per_op(t[1] + t[2], ops, &w[3], &f[3]);
	if (locks) {
		mm_snprintf(cl, sizeof(cl), "%llu",
			    (unsigned long long)(locks[0] * 1000 / (2 * ops)));
		mm_snprintf(hl, sizeof(hl), "%llu",
			    (unsigned long long)(locks[1] * 1000 / (2 * ops)));
	}
	printk("bench: %7s %8llu.%02llu %8llu.%02llu %8llu.%02llu %8llu.%02llu %6s %6s\n",
	       label, w[0], f[0], w[1], f[1], w[2], f[2], w[3], f[3], cl, hl);
}

static void bench_loop(void)
{
	uint64_t t[3] = { 0, 0, 0 };
	size_t size = 64;
	gfp_t gfp = GFP_KERNEL;

	/* Opaque: the arguments are passed, as to kmalloc (no constprop). */
	__asm__ volatile("" : "+r"(size), "+r"(gfp));
	PAIR_LOOP(nop_alloc, nop_free, size, gfp, t);
	BATCH_LOOP(nop_alloc, nop_free, size, gfp, BENCH_BATCH, t);
	bench_line("loop", t, (uint64_t)BENCH_ROUNDS * BENCH_BATCH, NULL);
}

/* One batch round, untimed: the steady state the timed rounds measure. */
static void bench_warm_batch(uint32_t size, gfp_t gfp, unsigned int nb)
{
	unsigned int i;

	for (i = 0; i < nb; i++)
		batch[i] = kmalloc(size, gfp);
	for (i = 0; i < nb; i++)
		kfree(batch[i]);
}

static void bench_size(uint32_t size, gfp_t gfp)
{
	uint64_t t[3] = { 0, 0, 0 }, locks[2];
	unsigned int nb = size > (32u << 10) ? BENCH_LARGE_BATCH : BENCH_BATCH;
	char label[16];

	kernel_mm_quiesce();
	kfree(kmalloc(size, gfp));	/* the cache's first refill, untimed */
	PAIR_LOOP(kmalloc, kfree, size, gfp, t);
	bench_warm_batch(size, gfp, nb);
	kmalloc_get_stats(&st0);
	BATCH_LOOP(kmalloc, kfree, size, gfp, nb, t);
	kmalloc_get_stats(&st1);
	locks[0] = st1.central_locks - st0.central_locks;
	locks[1] = st1.heap_locks - st0.heap_locks;
	mm_snprintf(label, sizeof(label), "%u%s", (unsigned int)size,
		    gfp & GFP_NOSCAN ? "t" : gfp & __GFP_ZERO ? "z" : "");
	bench_line(label, t, (uint64_t)BENCH_ROUNDS * nb, locks);
}

#ifdef KMA_BENCH_NEWLIB
/* malloc with kmalloc's arguments: inlined, the call stays direct. */
static inline void *nlf_alloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return nlf_malloc(size);
}

static inline void *nln_alloc(size_t size, gfp_t gfp)
{
	(void)gfp;
	return nln_malloc(size);
}

/* One line per size of 8 B to 1 KiB for malloc @ALLOC and free @FREE. */
#define NEWLIB_LINES(name, ALLOC, FREE)					\
do {									\
	static const uint32_t nsz_[] = {					\
		8, 16, 32, 64, 128, 256, 512, 1024 };			\
	char lbl_[16];							\
	unsigned int n_;						\
									\
	for (n_ = 0; n_ < sizeof(nsz_) / sizeof(nsz_[0]); n_++) {	\
		uint64_t nt_[3] = { 0, 0, 0 };				\
									\
		FREE(ALLOC(nsz_[n_], GFP_KERNEL));			\
		PAIR_LOOP(ALLOC, FREE, nsz_[n_], GFP_KERNEL, nt_);	\
		BATCH_LOOP(ALLOC, FREE, nsz_[n_], GFP_KERNEL,		\
			   BENCH_BATCH, nt_);				\
		mm_snprintf(lbl_, sizeof(lbl_), "%s%u", name,		\
			    (unsigned int)nsz_[n_]);			\
		bench_line(lbl_, nt_,					\
			   (uint64_t)BENCH_ROUNDS * BENCH_BATCH, NULL);	\
	}								\
} while (0)

/* newlib's and nano's pair and batch lines. */
static void bench_newlib(void)
{
	NEWLIB_LINES("nl", nlf_alloc, nlf_free);
	NEWLIB_LINES("nano", nln_alloc, nln_free);
}
#endif

/*
 * The worst single operation: BENCH_WORST_OPS operations on
 * BENCH_WORST_SLOTS slots, each picked at random: an empty slot gets an
 * allocation of 1 B to 1 KiB (uniform), a full one is freed; each
 * operation timed alone (two clock reads around it; the clock's
 * resolution is the figure's: 16 instructions on Arm). From a quiesced
 * heap (the growth of an empty heap included), then the same sequence
 * again (warm). One line per run: the largest allocation and free, the
 * size of the largest allocation, and the means.
 */
#define BENCH_WORST_OPS		20000
#define BENCH_WORST_SLOTS	256

struct worst {
	uint64_t amax, fmax, asum, fsum;
	uint32_t asize, na, nf;
};

#define WORST_LOOP(ALLOC, FREE, w)					\
do {									\
	uint64_t rng_ = 0x9e3779b97f4a7c15ull, t0_, d_;		\
	unsigned int i_, j_;						\
									\
	for (i_ = 0; i_ < BENCH_WORST_SLOTS; i_++)			\
		batch[i_] = NULL;					\
	for (i_ = 0; i_ < BENCH_WORST_OPS; i_++) {			\
		rng_ ^= rng_ << 13;					\
		rng_ ^= rng_ >> 7;					\
		rng_ ^= rng_ << 17;					\
		j_ = (unsigned int)(rng_ >> 40) % BENCH_WORST_SLOTS;	\
		if (batch[j_]) {					\
			t0_ = arch_time_ns();				\
			FREE(batch[j_]);				\
			d_ = arch_time_ns() - t0_;			\
			batch[j_] = NULL;				\
			(w)->fsum += d_;				\
			(w)->nf++;					\
			if (d_ > (w)->fmax)				\
				(w)->fmax = d_;				\
		} else {						\
			size_t sz_ = 1 + (size_t)(rng_ >> 20) % 1024;	\
									\
			t0_ = arch_time_ns();				\
			batch[j_] = ALLOC(sz_, GFP_KERNEL);		\
			d_ = arch_time_ns() - t0_;			\
			(w)->asum += d_;				\
			(w)->na++;					\
			if (d_ > (w)->amax) {				\
				(w)->amax = d_;				\
				(w)->asize = (uint32_t)sz_;		\
			}						\
		}							\
	}								\
	for (i_ = 0; i_ < BENCH_WORST_SLOTS; i_++)			\
		if (batch[i_])						\
			FREE(batch[i_]);				\
} while (0)

static void worst_line(const char *label, const struct worst *w)
{
	printk("bench: worst %-10s alloc %6llu size %4u free %6llu mean %4llu %4llu\n",
	       label, (unsigned long long)w->amax, (unsigned int)w->asize,
	       (unsigned long long)w->fmax,
	       (unsigned long long)(w->na ? w->asum / w->na : 0),
	       (unsigned long long)(w->nf ? w->fsum / w->nf : 0));
}

#define BENCH_WORST(label, ALLOC, FREE)					\
do {									\
	struct worst w_ = { 0 };					\
									\
	WORST_LOOP(ALLOC, FREE, &w_);					\
	worst_line(label, &w_);						\
	w_ = (struct worst){ 0 };					\
	WORST_LOOP(ALLOC, FREE, &w_);					\
	worst_line(label "-warm", &w_);					\
} while (0)

/* The heap a reserved run starts with: the run's live set fits. */
#define BENCH_WORST_RESERVE	(2u << 20)

static void bench_worst(void)
{
	BENCH_WORST("loop", nop_alloc, nop_free);
	kernel_mm_quiesce();
	BENCH_WORST("kma", kmalloc, kfree);
	kernel_mm_quiesce();
	/*
	 * The same from a heap given its memory beforehand
	 * (kmalloc_reserve()): no allocation grows it, the first span of
	 * each class and the refills remain.
	 */
	if (!kmalloc_reserve(BENCH_WORST_RESERVE)) {
		kernel_mm_quiesce();
		BENCH_WORST("kma-rsv", kmalloc, kfree);
		kmalloc_reserve(0);
		kernel_mm_quiesce();
	}
#ifdef KMA_BENCH_NEWLIB
	BENCH_WORST("nl", nlf_alloc, nlf_free);
	BENCH_WORST("nano", nln_alloc, nln_free);
#endif
}

/*
 * Sampled guard pages (after the table, one line): "guard" is one
 * kmalloc(64) + kfree() served by the guard pool (a page opened and
 * cleared, the slack filled, the object checked and its page closed at
 * kfree()), "refill" the same pair when the allocation refills the CPU
 * cache instead (what the sampled allocation would have cost unguarded);
 * both start from a drained cache and sampling reset (untimed). "flip"
 * is one page made inaccessible and accessible again by
 * port_guard_protect() (its range split beforehand).
 */
#define BENCH_GUARD	256

static void bench_guard(void)
{
	uint64_t t[2] = { 0, 0 }, flip = 0, t0;
	unsigned int i, g;
	phys_addr_t pa;
	void *p;

	if (!PORT_GUARD_PAGES) {	/* kmalloc_set_guard() would report */
		printk("bench: guard: no guard pages here\n");
		return;
	}
	for (g = 0; g < 2; g++) {
		for (i = 0; i < BENCH_GUARD; i++) {
			if (kmalloc_set_guard(!g)) {
				printk("bench: guard: no guard pages here\n");
				return;
			}
			kmalloc_drain_cpu(port_cpu_id());
			t0 = arch_time_ns();
			p = kmalloc(64, GFP_KERNEL);
			kfree(p);
			t[g] += arch_time_ns() - t0;
		}
	}
	kmalloc_set_guard(0);
	pa = frame_alloc(0);
	p = port_phys_to_virt(pa);
	if (pa == FRAME_NONE || port_guard_protect(p, FRAME_SIZE, false))
		return;
	for (i = 0; i < BENCH_GUARD; i++) {
		t0 = arch_time_ns();
		(void)port_guard_protect(p, FRAME_SIZE, true);
		(void)port_guard_protect(p, FRAME_SIZE, false);
		flip += arch_time_ns() - t0;
	}
	(void)port_guard_protect(p, FRAME_SIZE, true);
	frame_free(pa, 0);
	printk("bench: guard %llu refill %llu flip %llu ns per pair\n",
	       (unsigned long long)(t[0] / BENCH_GUARD),
	       (unsigned long long)(t[1] / BENCH_GUARD),
	       (unsigned long long)(flip / BENCH_GUARD));
}

/**
 * kernel_bench - print the per-size cost table (see the file comment).
 */
void kernel_bench(void)
{
	unsigned int i, nr;
	uint32_t p2 = 16, sz;

	kernel_bench_timers(false);
	kernel_mm_quiesce();
	kmalloc_get_stats(&st0);
	/*
	 * Class sizes in increasing order; a class not larger than the one
	 * before (the tiny allocator's 16-byte blocks, after the last class)
	 * is left out: the 4t and 12t lines measure it.
	 */
	for (i = 1, nr = 0; i <= st0.nr_classes && i < 72; i++)
		if (st0.cls[i].size > class_size[nr])
			class_size[++nr] = st0.cls[i].size;
	printk("bench: kmalloc/kfree on cpu %u of %u, timers off, ns per operation\n",
	       port_cpu_id(), kernel_nr_online());
	printk("bench: %7s %11s %11s %11s %11s %6s %6s\n", "size", "pair",
	       "alloc", "free", "batch", "clk/1k", "hlk/1k");
	bench_loop();
	bench_size(4, GFP_NOSCAN);
	bench_size(8, GFP_NOSCAN);
	bench_size(12, GFP_NOSCAN);
	bench_size(64, GFP_KERNEL | __GFP_ZERO);	/* kzalloc() */
	bench_size(1024, GFP_KERNEL | __GFP_ZERO);
	/* Classes in order, with the powers of two that are not one. */
	for (i = 1; i <= nr || p2 <= (32u << 10);) {
		sz = i <= nr ? class_size[i] : UINT32_MAX;
		if (p2 <= (32u << 10) && p2 <= sz) {
			if (p2 < sz)
				bench_size(p2, GFP_KERNEL);
			p2 <<= 1;
			continue;
		}
		bench_size(sz, GFP_KERNEL);
		i++;
	}
	bench_size(64 << 10, GFP_KERNEL);
	bench_size(2 << 20, GFP_KERNEL);
#ifdef KMA_BENCH_NEWLIB
	kernel_mm_quiesce();		/* their sbrk regions come from frames */
	bench_newlib();
#endif
	kernel_mm_quiesce();
	bench_worst();
	kernel_mm_quiesce();
	bench_guard();
	kernel_mm_quiesce();
	kernel_bench_timers(true);
	printk("bench: done\n");
}
