// SPDX-License-Identifier: MIT
/*
 * main.c - minikernel: a small SMP kernel that uses kma as another kernel
 * would, from the installed library only (<kma/...> headers and
 * libkma.a from `make install`; see README.md).
 *
 * The platform (boot, console, interrupts, timer, starting CPUs) is the
 * demo kernel's, compiled here against the installed headers; kma's
 * port is that platform's arch/<arch>/port.c. What this file shows is
 * the use of the allocator:
 *   - an object cache with a constructor (struct item, SLAB_HWCACHE_ALIGN);
 *   - kmalloc()/kfree() of changing sizes;
 *   - the page API (__get_free_pages()/free_pages(), alloc_pages());
 * on every CPU at once, with objects freed on another CPU than the one
 * that allocated them (a shared exchange list), and from the timer
 * interrupt handler on every CPU. At the end every object is given back,
 * the cache destroyed, and the free frame count must match the count
 * before the run, exactly. It prints "minikernel: PASS" and powers off
 * with status 0, or prints what failed and exits with 1.
 */
#include <kma/kmalloc.h>	/* kmalloc(), kfree() (<kma/linux.h>) */
#include <kma/slab.h>
#include <kma/pages.h>
#include <kma/frame.h>
#include <kma/spinlock.h>
#include "kernel.h"

#define ROUNDS		2000
#define ITEM_MAGIC	0x17e5a11ceULL

struct item {
	uint64_t magic;		/* the constructor's */
	struct item *next;
	unsigned int cpu;	/* who allocated it */
	unsigned int seq;
	uint8_t payload[40];
};

static struct kmem_cache *item_cache;
static unsigned int ctor_calls;			/* atomic */
static unsigned int failures;			/* atomic */

/* Items in transit between CPUs: pushed by one, freed by another. */
static spinlock_t xchg_lock = SPINLOCK_INIT("minikernel-xchg");
static struct item *xchg_list;

/* Interrupt-context allocations per CPU (kcpu.irq_allocs counts too). */
static uint64_t irq_rounds[PORT_MAX_CPUS];
static int irq_work_on;				/* atomic */

static void fail(const char *what, unsigned int cpu)
{
	__atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
	printk("minikernel: cpu %u: %s\n", cpu, what);
}

static void item_ctor(void *p)
{
	struct item *it = p;
	unsigned int i;

	it->magic = ITEM_MAGIC;
	it->next = NULL;
	it->cpu = ~0u;
	it->seq = 0;
	for (i = 0; i < sizeof(it->payload); i++)
		it->payload[i] = (uint8_t)i;
	__atomic_fetch_add(&ctor_calls, 1, __ATOMIC_RELAXED);
}

/* Constructed state: what a freed item must be in, and comes back in. */
static bool item_constructed(const struct item *it)
{
	unsigned int i;

	if (it->magic != ITEM_MAGIC || it->next || it->cpu != ~0u)
		return false;
	for (i = 0; i < sizeof(it->payload); i++)
		if (it->payload[i] != (uint8_t)i)
			return false;
	return true;
}

static void item_put(struct item *it)
{
	it->next = NULL;
	it->cpu = ~0u;
	it->seq = 0;
	kmem_cache_free(item_cache, it);
}

/* One object of each kind, from interrupt context, checked and freed. */
static void irq_work(unsigned int cpu)
{
	struct item *it = kmem_cache_alloc(item_cache, GFP_ATOMIC);
	unsigned long page = __get_free_page(GFP_ATOMIC);
	uint8_t *p = kmalloc(24 + this_kcpu()->ticks % 1000, GFP_ATOMIC);

	if (it && !item_constructed(it))
		fail("irq: item not constructed", cpu);
	if (page) {
		((uint64_t *)page)[0] = page;
		((uint64_t *)page)[511] = ~page;
		if (((uint64_t *)page)[0] != page)
			fail("irq: page damaged", cpu);
	}
	if (p)
		p[0] = (uint8_t)cpu;
	if (it)
		item_put(it);
	if (page)
		free_page(page);
	kfree(p);
	if (it && page && p)
		__atomic_fetch_add(&irq_rounds[cpu], 1, __ATOMIC_RELAXED);
}

/* The timer interrupt, on every CPU. */
static void tick(void)
{
	unsigned int cpu = port_cpu_id();

	kmalloc_cpu_poll(cpu);		/* drain requests (see PORTING.md) */
	if (cpu == 0)
		kmalloc_decay_tick(this_kcpu()->ticks * 10);
	this_kcpu()->ticks++;
	if (__atomic_load_n(&irq_work_on, __ATOMIC_ACQUIRE))
		irq_work(cpu);
}

/* The work each CPU does at once (smp_call_all()). */
static void worker(void *arg)
{
	unsigned int cpu = port_cpu_id(), r, i;
	struct item *mine = NULL, *it;
	(void)arg;

	for (r = 0; r < ROUNDS; r++) {
		size_t size = 8 + (r * 37 + cpu * 101) % 3000;
		unsigned int order = r % 3;
		struct page *pg;
		uint8_t *buf;

		/* An item of our own, kept for a while. */
		it = kmem_cache_alloc(item_cache, GFP_KERNEL);
		if (!it || !item_constructed(it)) {
			fail("item missing or not constructed", cpu);
			break;
		}
		it->cpu = cpu;
		it->seq = r;
		it->next = mine;
		mine = it;

		/* Every 4th item goes to another CPU to free. */
		if (r % 4 == 0) {
			unsigned long f = spin_lock_irqsave(&xchg_lock);

			mine = it->next;
			it->next = xchg_list;
			xchg_list = it;
			spin_unlock_irqrestore(&xchg_lock, f);
		}
		/* Free one item another CPU gave away. */
		if (r % 4 == 2) {
			unsigned long f = spin_lock_irqsave(&xchg_lock);

			it = xchg_list;
			if (it)
				xchg_list = it->next;
			spin_unlock_irqrestore(&xchg_lock, f);
			if (it && it->magic != ITEM_MAGIC)
				fail("exchanged item damaged", cpu);
			if (it)
				item_put(it);
		}

		/* kmalloc of a changing size, written whole, freed. */
		buf = kmalloc(size, GFP_KERNEL);
		if (!buf) {
			fail("kmalloc failed", cpu);
			break;
		}
		for (i = 0; i < size; i++)
			buf[i] = (uint8_t)(cpu + i);
		for (i = 0; i < size; i++)
			if (buf[i] != (uint8_t)(cpu + i))
				fail("kmalloc object damaged", cpu);
		kfree(buf);

		/* 2^order pages, aligned to their size. */
		pg = alloc_pages(GFP_KERNEL, order);
		if (!pg || ((uintptr_t)page_address(pg) &
			    ((4096ul << order) - 1))) {
			fail("alloc_pages failed or misaligned", cpu);
			break;
		}
		((uint64_t *)page_address(pg))[0] = cpu;
		__free_pages(pg, order);

		/* Keep at most 64 items of our own. */
		if (r % 64 == 63) {
			while ((it = mine)) {
				mine = it->next;
				if (it->cpu != cpu)
					fail("own item damaged", cpu);
				item_put(it);
			}
		}
	}
	while ((it = mine)) {
		mine = it->next;
		item_put(it);
	}
}

/* Each CPU's caches back to the shared lists (before counting frames). */
static void drain(void *arg)
{
	(void)arg;
	kmalloc_drain_cpu(port_cpu_id());
}

/*
 * Free frames once every cache is drained and the heap scavenged, plus
 * the heap's metadata frames: which metadata frame a long-lived span
 * descriptor sits in depends on the order of earlier frees, so the
 * metadata may end up in fewer frames than it started in.
 */
static uint64_t free_frames(void)
{
	static struct kmalloc_stats st;	/* 2 KiB: not on the stack */
	struct frame_stats fs;

	smp_call_all(drain, NULL);
	kmalloc_scavenge();
	frame_drain_all();
	frame_get_stats(&fs);
	kmalloc_get_stats(&st);
	return fs.free + st.meta_bytes / 4096;
}

__noreturn void kmain(void)
{
	uint64_t before, after, irq_total = 0;
	unsigned int i, ncpus, cpus_in_irq = 0;
	struct item *it;

	arch_early_init();
	printk("minikernel: kma from the installed library\n");
	kernel_mem_init();			/* memory map, mm_init() */
	kernel_timer_hz = 100;
	kernel_timer_handler = tick;
	if (arch_timer_start(kernel_timer_hz, tick))
		printk("minikernel: no timer\n");
	arch_irq_enable();
	ncpus = arch_cpus_start();
	printk("minikernel: %u CPU(s) online\n", ncpus);

	before = free_frames();
	item_cache = kmem_cache_create("item", sizeof(struct item), 0,
				       SLAB_HWCACHE_ALIGN, item_ctor);
	if (!item_cache)
		fail("kmem_cache_create failed", 0);
	__atomic_store_n(&irq_work_on, 1, __ATOMIC_RELEASE);
	if (item_cache)
		smp_call_all(worker, NULL);
	/* Let every CPU's timer allocate for a few more ticks. */
	for (i = 0; i < ncpus; i++) {
		uint64_t t0 = arch_time_ns();

		while (!__atomic_load_n(&irq_rounds[i], __ATOMIC_RELAXED) &&
		       arch_time_ns() - t0 < 2000000000ull)
			cpu_relax();
	}
	__atomic_store_n(&irq_work_on, 0, __ATOMIC_RELEASE);
	/* A CPU runs this only after a tick in progress has returned. */
	smp_call_all(drain, NULL);
	for (i = 0; i < ncpus; i++) {
		uint64_t n = __atomic_load_n(&irq_rounds[i], __ATOMIC_RELAXED);

		irq_total += n;
		cpus_in_irq += n > 0;
	}
	printk("minikernel: %u item(s) constructed, %llu interrupt-context "
	       "rounds on %u of %u CPU(s)\n",
	       __atomic_load_n(&ctor_calls, __ATOMIC_RELAXED),
	       (unsigned long long)irq_total, cpus_in_irq, ncpus);
	if (cpus_in_irq != ncpus)
		fail("a CPU's timer did not allocate", 0);
	if (item_cache) {
		while ((it = xchg_list)) {
			xchg_list = it->next;
			item_put(it);
		}
		kmalloc_dump_slabinfo();
		/* A wait for the other CPUs' drains: not from an interrupt. */
		if (kma_kmem_cache_destroy(item_cache))
			fail("kmem_cache_destroy: objects left", 0);
	}
	after = free_frames();
	printk("minikernel: free frames %llu before, %llu after\n",
	       (unsigned long long)before, (unsigned long long)after);
	if (after != before)
		fail("frames not all back", 0);
	if (kmalloc_validate())
		fail("kmalloc_validate", 0);
	if (__atomic_load_n(&failures, __ATOMIC_RELAXED)) {
		printk("minikernel: FAIL (%u)\n", failures);
		arch_halt(1);
	}
	printk("minikernel: PASS\n");
	arch_halt(0);
}
