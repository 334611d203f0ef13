// SPDX-License-Identifier: MIT
/*
 * kma_malloc.c - the C library's malloc family on top of kmalloc(), so
 * that any program runs on kma with LD_PRELOAD=build/host-pic/libkma.so.
 *
 * Owns: the start of the allocator inside a foreign process, the growth
 * of its "physical memory", the bootstrap arena, per-thread exit state
 * and the fork hooks.
 *
 * Memory. At start, one MAP_NORESERVE mapping of KMA_RESERVE_MB (default
 * below; halved until the system grants it) becomes the host port's
 * physical address space (host_mem_map()).
 * The memory map handed to mm_init() declares its first KMA_INITIAL_MB
 * (raised to hold the frame allocator's metadata and the heap's page map
 * for the whole reserve, about 9 bytes per frame, and the CPU caches'
 * slot arrays) usable and the rest
 * MEMMAP_HOTPLUG; when the heap runs out, the first rung of its pressure
 * ladder (grow_hook(), installed with kmalloc_set_grow_hook()) hands the
 * next chunk (as large as everything added so far, and at least the
 * request) to the frame allocator with frame_add_memory(), before any
 * cache is drained, and the heap retries. Untouched pages cost the process nothing, so resident memory
 * follows what the heap really uses.
 *
 * Start. The first call of any function here starts the allocator
 * (start_once()): state goes UNINIT -> STARTING -> READY by compare-and-
 * swap; other threads wait for READY. Whatever the starting thread
 * allocates while starting (the C library may call malloc() from inside
 * pthread or stdio functions) comes from a small static bootstrap arena;
 * free() ignores arena objects and realloc() copies them out.
 *
 * Threads. Each thread takes a CPU slot of the host port on its first
 * call and gives it back from the port's thread-exit destructor. When
 * every slot is owned, a thread borrows the port's shared slot for one
 * call at a time: every path here that entered the heap ends with
 * put_slot(), which gives a borrowed slot back (no thread limit). Frees
 * that the C library makes after the thread-exit destructors (for its own
 * per-thread data) would claim a slot that nothing gives back: a thread
 * marks itself EXITED in its own key destructor, and every call made in
 * that state releases the slot again before returning.
 *
 * Errors, as POSIX says: ENOMEM for sizes the heap cannot or will not
 * serve (including above KMALLOC_MAX_SIZE, checked here before the heap
 * would report it), EINVAL from posix_memalign()/aligned_alloc() for bad
 * alignments. Alignments above 2 MiB get ENOMEM: the heap does not
 * serve them. Freeing a pointer the heap never gave out is reported by
 * the heap and aborts the process, as glibc does.
 *
 * Locks: grow_lock serialises growth (top_pa, and frame_add_memory()
 * calls). Fork: every allocator lock is taken before fork() and released
 * in the parent after: grow_lock, then kmalloc_lock_all() and
 * frame_lock_all() (each used when the heap or the frame allocator
 * provides it); in the child they are initialised afresh. In the
 * child the CPU slots of the threads that did not survive are freed
 * (host_cpu_fork_child()) and their caches drained with
 * mm_cpu_offline(). fork() may catch such a thread between any two of
 * its stores, outside a lock: in a fast path, a spill, its exit's drain.
 * The heap takes objects and spans out of a cache before it hands them
 * on (cache_handover_fence() in mm/heap.h), so the child's drain never
 * gives one back twice; what the thread had in hand at that instant is
 * lost to the child (a leak of at most one cache's worth, in the child
 * only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>

#include <kma/frame.h>
#include <kma_host.h>
#include <kma/kmalloc.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include <kma/spinlock.h>

#include "kma_preload.h"
#include "../../mm/heap.h"	/* the heap's inline fast paths */

#define EXPORT		__attribute__((visibility("default")))

#define MIB		(1ULL << 20)
#define RESERVE_DEFAULT	(64ULL << 30)	/* address space, not memory */
#define INITIAL_DEFAULT	(64ULL << 20)
#define ALIGN_MAX	(2ULL << 20)	/* largest kmalloc_aligned() align */
#define BOOT_ARENA	(256u << 10)

enum { UNINIT, STARTING, READY };
enum { T_NEW, T_LIVE, T_EXITED };

/*
 * Weak: the shim links, and degrades as documented, while the heap or the
 * frame allocator lacks one of these.
 */
void kmalloc_lock_all(void) __attribute__((weak));
void kmalloc_unlock_all(void) __attribute__((weak));
void frame_lock_all(void) __attribute__((weak));
void frame_unlock_all(void) __attribute__((weak));
void kmalloc_fork_child(void) __attribute__((weak));
void frame_fork_child(void) __attribute__((weak));
int frame_add_memory(phys_addr_t base, uint64_t size) __attribute__((weak));

static int xstate = UNINIT;
static __thread unsigned char tls_state;	/* T_* */
static __thread bool tls_starting;		/* this thread runs start */
static pthread_key_t exit_key;

static spinlock_t grow_lock = SPINLOCK_INIT("kma-grow");
static uint64_t top_pa;		/* usable up to here; grow_lock */
static uint64_t reserve;	/* bytes of address space mapped */

/* Bootstrap arena: a bump allocator, 16-byte headers holding the size. */
static char boot_arena[BOOT_ARENA] __attribute__((aligned(64)));
static size_t xboot_used;

/* One unsigned compare: below the arena wraps around to a huge offset. */
static bool in_boot_arena(const void *p)
{
	return (uintptr_t)p - (uintptr_t)boot_arena < sizeof(boot_arena);
}

static void *boot_alloc(size_t n, size_t align)
{
	size_t hdr = align > 16 ? align : 16, off, end;

	if (n > sizeof(boot_arena))
		return NULL;
	off = __atomic_load_n(&xboot_used, __ATOMIC_RELAXED);
	do {
		end = ((off + hdr - 1) & ~(hdr - 1)) + hdr + ((n + 15) & ~15ul);
		if (end > sizeof(boot_arena))
			return NULL;
	} while (!__atomic_compare_exchange_n(&xboot_used, &off, end, false,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	off = ((off + hdr - 1) & ~(hdr - 1)) + hdr;
	*(size_t *)(boot_arena + off - 16) = n;
	return boot_arena + off;	/* static storage: already zero */
}

static size_t boot_size(const void *p)
{
	return *(const size_t *)((const char *)p - 16);
}

static void say(const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(2, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static __attribute__((noreturn)) void start_fail(const char *why)
{
	say("kma: cannot start the allocator: ");
	say(why);
	say("\n");
	abort();
}

/* A decimal environment variable, or @dflt if unset, empty or not a number. */
static uint64_t env_num(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);	/* getenv() does not allocate */
	uint64_t v = 0;

	if (!s || *s < '0' || *s > '9')
		return dflt;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (uint64_t)(*s++ - '0');
	return *s ? dflt : v;
}

static uint64_t env_mib(const char *name, uint64_t dflt)
{
	uint64_t v = env_num(name, 0);

	return v ? v * MIB : dflt;
}

/* Lock order: grow_lock, the heap's locks, the frame allocator's. */
static void fork_prepare(void)
{
	host_cpu_fork_prepare();
	spin_lock(&grow_lock);
	if (kmalloc_lock_all)
		kmalloc_lock_all();
	if (frame_lock_all)
		frame_lock_all();
}

static void unlock_all(void)
{
	if (frame_unlock_all)
		frame_unlock_all();
	if (kmalloc_unlock_all)
		kmalloc_unlock_all();
	spin_unlock(&grow_lock);
}

static void fork_parent(void)
{
	unlock_all();
	host_cpu_fork_parent();
}

/*
 * In the child only this thread lives on. Its locks must be made free
 * again, and unlocking is not enough: a thread of the parent that was
 * waiting for a ticket lock at fork() took a ticket that no one in the
 * child will ever serve. So the locks are initialised afresh
 * (kmalloc_fork_child(), frame_fork_child(); unlocking is the fallback
 * while those are missing). Then the CPU slots of the threads that are
 * gone are freed and their caches drained.
 */
static void fork_child(void)
{
	uint64_t gone;

	if (kmalloc_fork_child && frame_fork_child) {
		kmalloc_fork_child();
		frame_fork_child();
		spin_lock_init(&grow_lock, "kma-grow");
	} else {
		unlock_all();
	}
	gone = host_cpu_fork_child();
	while (gone) {
		mm_cpu_offline((unsigned int)__builtin_ctzll(gone));
		gone &= gone - 1;
	}
}

static void thread_exit(void *arg)
{
	(void)arg;
	tls_state = T_EXITED;
}

/*
 * The largest reservation up to @want (halving down to 256 MiB) that the
 * system grants: under valgrind or a ulimit -v, 64 GiB may not be.
 * Probed with a mapping of our own so that the host port prints nothing.
 */
static uint64_t reserve_size(uint64_t want)
{
	for (; want >= 256 * MIB; want /= 2) {
		void *p = mmap(NULL, want + 4 * MIB, PROT_NONE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1,
			       0);

		if (p != MAP_FAILED) {
			munmap(p, want + 4 * MIB);
			return want;
		}
	}
	return want;
}

static bool grow_hook(size_t need);

static void start(void)
{
	static struct memmap_region regions[8];
	struct memmap map;
	uint64_t initial, meta, decay;

	reserve = reserve_size(env_mib("KMA_RESERVE_MB", RESERVE_DEFAULT));
	initial = env_mib("KMA_INITIAL_MB", INITIAL_DEFAULT);
	/*
	 * Room for the frame allocator's metadata (about a byte a frame),
	 * the heap's page map (8 bytes a frame) and the CPU caches' slot
	 * arrays (under 512 KiB per CPU slot with the default growth
	 * budget); all are only touched where memory is used.
	 */
	meta = reserve / 2048 + reserve / 512 + 8 * MIB +
	       (uint64_t)PORT_MAX_CPUS * (512 << 10);
	if (initial < meta)
		initial = meta;
	if (initial > reserve)
		initial = reserve;
	if (pthread_key_create(&exit_key, thread_exit))
		start_fail("pthread_key_create");
	if (host_mem_map(reserve))
		start_fail("cannot reserve address space (KMA_RESERVE_MB)");
	memmap_init(&map, regions, sizeof(regions) / sizeof(regions[0]));
	memmap_add(&map, HOST_PHYS_BASE, initial, MEMMAP_USABLE);
	if (reserve > initial && frame_add_memory)
		memmap_add(&map, HOST_PHYS_BASE + initial, reserve - initial,
			   MEMMAP_HOTPLUG);
	if (host_debug_from_env())
		start_fail("bad KMA_DEBUG");
	if (memmap_sanitize(&map) || mm_init(&map))
		start_fail("mm_init failed");
	if (host_guard_from_env())
		start_fail("bad KMA_GUARD");
	top_pa = HOST_PHYS_BASE + initial;
	host_cpu_data_init(objcache_rows, sizeof(objcache_rows[0]));
	kmalloc_set_grow_hook(grow_hook);
	decay = env_num("KMA_DECAY_MS", ~0ULL);
	if (decay != ~0ULL)
		kmalloc_set_decay_ms(decay);
	if (pthread_atfork(fork_prepare, fork_parent, fork_child))
		start_fail("pthread_atfork");
}

static __attribute__((noinline)) void start_once(void)
{
	int s = UNINIT;

	if (__atomic_compare_exchange_n(&xstate, &s, STARTING, false,
					__ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
		tls_starting = true;
		start();
		tls_starting = false;
		__atomic_store_n(&xstate, READY, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&xstate, __ATOMIC_ACQUIRE) != READY)
		sched_yield();
}

/*
 * Slow entry: start, register the thread, or note that it has exited.
 * Returns true if the caller must give the CPU slot back when done.
 */
static __attribute__((noinline)) bool enter_slow(void)
{
	if (__atomic_load_n(&xstate, __ATOMIC_ACQUIRE) != READY)
		start_once();
	if (tls_state == T_NEW) {
		tls_state = T_LIVE;
		pthread_setspecific(exit_key, (void *)1);
	}
	return tls_state == T_EXITED;
}

/*
 * Every entry point calls this first. Returns true if the call comes from
 * an exited thread. Callers check tls_starting separately (bootstrap).
 */
static inline bool enter(void)
{
	if (likely(tls_state == T_LIVE))
		return false;
	return enter_slow();
}

/* A borrowed shared slot goes back at the end of every call. */
static inline void put_slot(void)
{
	if (unlikely(host_slot_shared))
		host_cpu_put();
}

static inline void leave(bool exited)
{
	if (unlikely(exited))
		host_cpu_release();
	put_slot();
}

/* Add the next chunk of the reserve; false when none is left. */
static bool grow(size_t need, uint64_t seen_top)
{
	uint64_t end = HOST_PHYS_BASE + reserve, chunk;
	bool ok = true;

	if (!frame_add_memory)
		return false;
	spin_lock(&grow_lock);
	if (top_pa != seen_top)		/* another thread grew meanwhile */
		goto out;
	chunk = top_pa - HOST_PHYS_BASE;
	if (chunk < need + need / 8 + 4 * MIB)
		chunk = need + need / 8 + 4 * MIB;
	chunk = (chunk + 2 * MIB - 1) & ~(2 * MIB - 1);
	if (chunk > end - top_pa)
		chunk = end - top_pa;
	if (!chunk || frame_add_memory(top_pa, chunk)) {
		ok = false;
		goto out;
	}
	top_pa += chunk;
out:
	spin_unlock(&grow_lock);
	return ok;
}

/*
 * The heap's grow hook (first rung of its pressure ladder): add a chunk
 * of the reserve before the heap drains any cache.
 */
static bool grow_hook(size_t need)
{
	return grow(need, __atomic_load_n(&top_pa, __ATOMIC_RELAXED));
}

/*
 * A chunk is at least as large as the request, so one growth should do;
 * a second covers a race or fragmentation. A request that still fails is
 * one the heap cannot serve at all: stop rather than add the whole
 * reserve for nothing.
 */
#define GROW_TRIES	2

static void *alloc_grow(size_t n, size_t align, gfp_t gfp, uintptr_t site)
{
	int i;

	for (i = 0; i < GROW_TRIES; i++) {
		uint64_t seen = __atomic_load_n(&top_pa, __ATOMIC_RELAXED);
		void *p;

		if (!grow(n + align, seen))
			return NULL;
		p = align ? kmalloc_aligned(n, align, gfp) :
			    kma_kmalloc_caller(n, gfp, site);
		if (p)
			return p;
	}
	return NULL;
}

/* @site: the program's caller, for the debug mode's records. */
static void *do_alloc(size_t n, size_t align, gfp_t gfp, uintptr_t site)
{
	void *p;
	bool ex;

	if (unlikely(tls_starting)) {
		p = boot_alloc(n ? n : 1, align);
		if (!p)
			errno = ENOMEM;
		return p;
	}
	if (unlikely(n > KMALLOC_MAX_SIZE)) {
		errno = ENOMEM;
		return NULL;
	}
	ex = enter();
	if (!n)
		n = 1;		/* a unique pointer, not ZERO_SIZE_PTR */
	p = align ? kmalloc_aligned(n, align, gfp) :
		    kma_kmalloc_caller(n, gfp, site);
	if (unlikely(!p)) {
		p = alloc_grow(n, align, gfp, site);
		if (!p)
			errno = ENOMEM;
	}
	leave(ex);
	return p;
}

/*
 * The heap's time-based decay (kmalloc_decay_tick()) runs from the slow
 * paths: a thread reads the clock at one slow call in 64 (a coarse clock,
 * no system call). It runs before put_slot(): ending a period can free a
 * metadata frame into this CPU's frame cache, which claims a slot, and a
 * shared slot claimed after put_slot() would stay with a thread that may
 * not call again (every other borrower then waits for it forever).
 * KMA_DECAY_MS sets the period (0: no decay). A program that stops calling malloc keeps what it
 * holds until it calls again, as with jemalloc without its background
 * thread.
 */
static __thread unsigned int decay_calls;

static inline void decay_poll(void)
{
	struct timespec ts;

	if (likely(++decay_calls & 63))
		return;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	kmalloc_decay_tick((uint64_t)ts.tv_sec * 1000 +
			   (uint64_t)ts.tv_nsec / 1000000);
}

#ifdef KMA_LOCK_STATS
#include <stdio.h>
#include "../../mm/frame_internal.h"

/*
 * Lock statistics of a measurement build (make ARCH=host
 * EXTRA_CFLAGS=-DKMA_LOCK_STATS, tools/lockstat.sh): at exit, one line
 * per layer on stderr with the acquisitions, those that waited, and the
 * total and longest hold time in ns (time-stamp ticks converted with the
 * rate measured over the process's life).
 */
spinlock_t *host_shared_lock(void);

struct lockstat_sum {
	uint64_t acq, waited, hold, max;
};

static uint64_t lockstat_t0, lockstat_ns0;

static uint64_t lockstat_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static __attribute__((constructor)) void lockstat_begin(void)
{
	lockstat_t0 = __spin_stamp();
	lockstat_ns0 = lockstat_now_ns();
}

static void lockstat_add(struct lockstat_sum *sum, const spinlock_t *l)
{
	sum->acq += l->st.acq;
	sum->waited += l->st.waited;
	sum->hold += l->st.hold;
	if (l->st.max > sum->max)
		sum->max = l->st.max;
}

static void lockstat_print(const char *layer, const struct lockstat_sum *sum,
			   double ns_per_tick)
{
	fprintf(stderr, "lockstat layer=%s acq=%llu waited=%llu hold_ns=%.0f "
		"max_ns=%.0f\n", layer, (unsigned long long)sum->acq,
		(unsigned long long)sum->waited, (double)sum->hold * ns_per_tick,
		(double)sum->max * ns_per_tick);
}

static __attribute__((destructor)) void lockstat_end(void)
{
	double ns_per_tick = (double)(lockstat_now_ns() - lockstat_ns0) /
			     (double)(__spin_stamp() - lockstat_t0);
	struct frame_zone *z = frame_global_zone();
	struct lockstat_sum sum = { 0 };
	unsigned int i;

	for (i = 1; i < NR_SPC; i++)
		lockstat_add(&sum, &centrals[i].lock);
	lockstat_print("central", &sum, ns_per_tick);
	sum = (struct lockstat_sum){ 0 };
	lockstat_add(&sum, &heap.lock);
	lockstat_print("pageheap", &sum, ns_per_tick);
	if (z) {
		sum = (struct lockstat_sum){ 0 };
		lockstat_add(&sum, &z->lock);
		lockstat_print("frame-zone", &sum, ns_per_tick);
		sum = (struct lockstat_sum){ 0 };
		for (i = 0; i < z->nr_cpus; i++)
			lockstat_add(&sum, &z->pcp[i].lock);
		lockstat_print("frame-cpu", &sum, ns_per_tick);
	}
	sum = (struct lockstat_sum){ 0 };
	lockstat_add(&sum, host_shared_lock());
	lockstat_print("shared-slot", &sum, ns_per_tick);
	sum = (struct lockstat_sum){ 0 };
	lockstat_add(&sum, &grow_lock);
	lockstat_print("grow", &sum, ns_per_tick);
}
#endif

static __attribute__((noinline)) void *malloc_slow(size_t n, uintptr_t site)
{
	void *p;

	if (likely(tls_state == T_LIVE && n && n <= KMALLOC_MAX_SIZE)) {
		p = kma_kmalloc_caller(n, GFP_KERNEL, site);
		decay_poll();
		put_slot();
		if (likely(p))
			return p;
	}
	return do_alloc(n, 0, GFP_KERNEL, site);
}

/**
 * malloc - allocate @n bytes (see malloc(3)).
 *
 * The fast path is the heap's own, inlined: this thread's row of object
 * caches (one thread-local load; a row of empty caches until the thread
 * holds a CPU slot), the class of @n, a pop from the row's cache of the
 * class. A thread that holds a slot has been through enter_slow(), so
 * the row doubles as the thread state.
 */
EXPORT void *malloc(size_t n)
{
	struct objcache *row = host_this_row;

	if (likely(n - 1 < SC_MAX_SIZE)) {
		void *p = objcache_pop(objcache_at(row, oc_off_of_size(n)));

		if (likely(p))
			return p;
	}
	return malloc_slow(n, (uintptr_t)__builtin_return_address(0));
}

static __attribute__((noinline)) void free_slow(void *p, uintptr_t site)
{
	bool ex;

	if (likely(tls_state == T_LIVE && !in_boot_arena(p))) {
		kfree_slow(p, site);
		decay_poll();
		put_slot();
		return;
	}
	/* Before the start completes only arena objects exist. */
	if (!p || in_boot_arena(p) || tls_starting)
		return;
	ex = enter();
	kfree(p);
	leave(ex);
}

/**
 * free - give back an object from any function here (see free(3)).
 *
 * The fast path is kfree()'s, inlined: a live small object (checked:
 * slot start, no free tag) pushed on this slot's object cache. A full
 * cache, arena objects, NULL and everything else take free_slow().
 */
EXPORT void free(void *p)
{
	if (likely(kfree_fast_push(host_this_row, (uintptr_t)p)))
		return;
	free_slow(p, (uintptr_t)__builtin_return_address(0));
}

/** calloc - @nmemb objects of @size bytes, zeroed (see calloc(3)). */
EXPORT void *calloc(size_t nmemb, size_t size)
{
	struct objcache *row = host_this_row;
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	if (likely(n - 1 < SC_MAX_SIZE)) {
		void *p = objcache_pop(objcache_at(row, oc_off_of_size(n)));

		if (likely(p))
			return memset(p, 0, n);
	}
	return do_alloc(n, 0, __GFP_ZERO,
			(uintptr_t)__builtin_return_address(0));
}

static void *realloc_slow(void *p, size_t n)
{
	size_t old;
	void *q;
	bool ex;
	int i;

	if (in_boot_arena(p)) {
		q = do_alloc(n, 0, GFP_KERNEL, 0);
		old = boot_size(p);
		if (q)
			memcpy(q, p, old < n ? old : n);
		return q;
	}
	if (n > KMALLOC_MAX_SIZE) {
		errno = ENOMEM;
		return NULL;
	}
	ex = enter();
	q = krealloc(p, n, GFP_KERNEL);
	for (i = 0; !q && i < GROW_TRIES; i++) {
		uint64_t seen = __atomic_load_n(&top_pa, __ATOMIC_RELAXED);

		if (!grow(n, seen))
			break;
		q = krealloc(p, n, GFP_KERNEL);
	}
	if (!q)
		errno = ENOMEM;
	leave(ex);
	return q;
}

/**
 * realloc - resize an object (see realloc(3)).
 *
 * realloc(p, 0) frees @p and returns NULL, as glibc does.
 */
EXPORT void *realloc(void *p, size_t n)
{
	if (!p)
		return malloc(n);
	if (!n) {
		free(p);
		return NULL;
	}
	if (unlikely(tls_starting)) {
		void *q = boot_alloc(n, 0);

		if (q)
			memcpy(q, p, in_boot_arena(p) && boot_size(p) < n ?
				     boot_size(p) : n);
		return q;
	}
	return realloc_slow(p, n);
}

/** reallocarray - realloc() of @nmemb * @size, ENOMEM on overflow. */
EXPORT void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n);
}

static bool power_of_two(size_t a)
{
	return a && !(a & (a - 1));
}

/*
 * The heap serves an aligned object above a page only from one frame
 * block (4 MiB at most). Beyond, a plain large object whose size is a
 * multiple of @align comes from a frame run aligned to the largest block
 * dividing it (frame.h), which is enough: use it when it is aligned.
 */
static void *aligned_large(size_t align, size_t n)
{
	size_t r = (n + align - 1) & ~(align - 1);
	void *p;

	if (r < n)
		return NULL;
	p = do_alloc(r, 0, GFP_KERNEL,
		     (uintptr_t)__builtin_return_address(0));
	if (p && ((uintptr_t)p & (align - 1))) {
		free(p);
		errno = ENOMEM;
		return NULL;
	}
	return p;
}

static void *aligned(size_t align, size_t n)
{
	void *p;

	if (align > ALIGN_MAX) {
		errno = ENOMEM;
		return NULL;
	}
	p = do_alloc(n, align < 16 ? 16 : align, GFP_KERNEL,
		     (uintptr_t)__builtin_return_address(0));
	if (!p && align > 4096 && n > (4u << 20) && n <= KMALLOC_MAX_SIZE)
		p = aligned_large(align, n);
	return p;
}

/** posix_memalign - @size bytes aligned to @align (see posix_memalign(3)). */
EXPORT int posix_memalign(void **memptr, size_t align, size_t size)
{
	int saved = errno;
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	p = aligned(align, size);
	if (!p) {
		errno = saved;
		return ENOMEM;
	}
	*memptr = p;
	return 0;
}

/** aligned_alloc - C11 aligned allocation; EINVAL for a bad @align. */
EXPORT void *aligned_alloc(size_t align, size_t size)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, size);
}

/** memalign - obsolete; @align rounded up to a power of two as glibc does. */
EXPORT void *memalign(size_t align, size_t size)
{
	if (align > ALIGN_MAX) {
		errno = align > SIZE_MAX / 2 ? EINVAL : ENOMEM;
		return NULL;
	}
	while (!power_of_two(align))
		align = align ? align + (align & -align) : 1;
	return aligned(align, size);
}

/** valloc - @size bytes aligned to the page size. */
EXPORT void *valloc(size_t size)
{
	return aligned((size_t)sysconf(_SC_PAGESIZE), size);
}

/** pvalloc - valloc() of @size rounded up to whole pages. */
EXPORT void *pvalloc(size_t size)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);

	if (size > SIZE_MAX - pg) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(pg, size ? (size + pg - 1) & ~(pg - 1) : pg);
}

/** malloc_usable_size - bytes usable in @p (see malloc_usable_size(3)). */
EXPORT size_t malloc_usable_size(void *p)
{
	size_t n;
	bool ex;

	if (!p)
		return 0;
	if (in_boot_arena(p))
		return boot_size(p);
	ex = enter();
	n = ksize(p);
	leave(ex);
	return n;
}

/* See kma_preload.h. */
EXPORT int kma_preload_owns(const void *p)
{
	const char *base;

	if (in_boot_arena(p))
		return 1;
	if (__atomic_load_n(&xstate, __ATOMIC_ACQUIRE) != READY)
		return 0;
	base = port_phys_to_virt(HOST_PHYS_BASE);
	return (const char *)p >= base && (const char *)p < base + reserve;
}
