/* SPDX-License-Identifier: MIT */
/*
 * kma_host.h - the host port: run the allocator inside a Linux process.
 *
 * In the spirit of Linux's ARCH=um: "physical memory" is one large
 * anonymous mapping, described by a synthetic memory map with holes and
 * reserved ranges; CPUs are threads, each taking a CPU slot (of
 * PORT_MAX_CPUS - 1) on its first allocator call and giving it back when
 * it exits; threads beyond take turns on the last, shared slot, one call
 * at a time (host_cpu_put()); interrupt save/restore does nothing.
 *
 * A program links build/host/libkmalloc.a (with -pthread) and calls
 * kma_host_init() once before anything else.
 */
#ifndef KMA_HOST_H
#define KMA_HOST_H

#include <stddef.h>
#include <kma/port.h>
#include <kma/memmap.h>

/* Physical address at which the host's "RAM" starts. */
#define HOST_PHYS_BASE	0x0ULL

/**
 * kma_host_init - map "physical memory", build its map, start mm/.
 * @bytes: size of the physical address space to emulate (0: 256 MiB;
 *         at least 32 MiB). Some of it is holes and reservations.
 *
 * Return: 0, or -1 with a message printed.
 */
int kma_host_init(size_t bytes);

/**
 * host_debug_from_env - set the heap's debug mode from the environment's
 * KMA_DEBUG (kmalloc_parse_debug()'s options), before mm_init();
 * kma_host_init() and the drop-in malloc call it.
 *
 * Return: 0, or -1 if KMA_DEBUG is malformed (reported).
 */
int host_debug_from_env(void);

/**
 * host_guard_from_env - sampled guard pages from the environment's
 * KMA_GUARD (the interval of kmalloc_set_guard(), or "on" for
 * KMA_GUARD_DEFAULT), after mm_init(); kma_host_init() and the drop-in
 * malloc call it.
 *
 * Return: 0, or -1 if KMA_GUARD is malformed or the pool cannot be had
 * (reported).
 */
int host_guard_from_env(void);

/*
 * A single thread acting as several CPUs in turn (the heap fuzzer):
 * host_cpu_claim_extra() claims one more CPU slot (-1 if none is left),
 * host_cpu_become() makes the thread that CPU. See arch/host/port.c.
 */
int host_cpu_claim_extra(void);
void host_cpu_become(unsigned int cpu);

/**
 * host_mem_map - map @bytes of "physical memory" (no memmap, no mm/).
 * @bytes: size, rounded up to 2 MiB.
 *
 * Used by kma_host_init() and by tests that build their own maps over the
 * same physical range. Calling it again returns the existing mapping if it
 * is large enough.
 *
 * Return: 0, or -1.
 */
int host_mem_map(size_t bytes);

/** host_mem_size - bytes of emulated physical address space mapped. */
size_t host_mem_size(void);

/**
 * host_mem_keep_released - whether pages the heap releases
 * (port_mem_release()) stay resident.
 * @keep: true: they keep their contents and stay mapped (counted in
 *        host_released_bytes all the same); false (the default): they
 *        go back to the system with madvise(MADV_DONTNEED).
 *
 * The heap's calls are the same either way; keeping them saves the
 * system call and the page faults of the next use, which set the pace
 * of a harness that frees and reuses everything on every input
 * (fuzz/heap_fuzz.c).
 */
void host_mem_keep_released(bool keep);

/**
 * host_build_memmap - the synthetic firmware map for @bytes of memory:
 * usable ranges with holes and reserved ranges between them, as raw
 * (unsanitized, unsorted) entries.
 * @m: an empty map with room for at least 16 entries.
 * @bytes: the size given to host_mem_map().
 */
void host_build_memmap(struct memmap *m, size_t bytes);

/**
 * host_protect - make the whole frames of [@lo, @hi) of the emulated
 * physical memory inaccessible (PROT_NONE), as holes of a map are.
 * @lo: first byte (rounded up to a frame).
 * @hi: end (rounded down to a frame).
 */
void host_protect(phys_addr_t lo, phys_addr_t hi);

/**
 * host_cpu_data_init - give each CPU slot a row of per-CPU data.
 * @base: row 0.
 * @stride: bytes from one row to the next.
 *
 * From then on a thread that holds slot n finds base + n * stride in the
 * thread-local host_this_row (include/kma/port/host.h); while it holds none,
 * host_this_row points to HOST_IDLE_ROW_BYTES of zeros (host_idle_row),
 * never NULL: a row of per-CPU data whose all-zero state sends every
 * fast path to its slow path, so one thread-local load gives a caller
 * both "is this thread registered" and "where is its data" with no test
 * (the drop-in's malloc and free fast paths). @stride must not exceed
 * HOST_IDLE_ROW_BYTES (checked). Call once, before any thread but the
 * caller has a slot.
 */
void host_cpu_data_init(void *base, size_t stride);

/**
 * host_cpu_release - give up this thread's CPU slot now (it is also given
 * back automatically when the thread exits).
 */
void host_cpu_release(void);

/**
 * host_cpu_put - end of one allocator call: a thread that borrowed the
 * shared CPU slot (every other slot was taken) gives it back; for a
 * thread that owns its slot, nothing.
 *
 * A program with more threads than slots calls it after each kmalloc(),
 * kfree(), ... (the drop-in malloc does); until then the thread holds the
 * shared slot and every other borrower waits.
 */
void host_cpu_put(void);

/* Around fork(): hold the shared slot so that no borrower is inside. */
void host_cpu_fork_prepare(void);
void host_cpu_fork_parent(void);

/**
 * host_cpu_fork_child - in the child of fork(), where only the forking
 * thread survives, free the CPU slots of every other thread.
 *
 * The shared slot becomes free again (host_cpu_fork_prepare() held it).
 * The caches of those slots are left as they were: the caller decides
 * their fate (drain them, or forget them) before new threads claim the
 * slots again.
 *
 * Return: the slots freed, bit n for slot n.
 */
uint64_t host_cpu_fork_child(void);

#endif /* KMA_HOST_H */
