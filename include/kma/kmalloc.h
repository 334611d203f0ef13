/* SPDX-License-Identifier: MIT */
/*
 * kmalloc.h - the object allocator's public interface.
 *
 * The functions Linux also has are kma_kmalloc(), kma_kfree(),
 * kma_kzalloc(), kma_kcalloc(), kma_kmalloc_array(), kma_krealloc() and
 * kma_ksize(); <kma/linux.h>, included at the end unless
 * KMA_NO_LINUX_NAMES is defined, gives them their Linux names as inline
 * wrappers, so that code written for Linux ports easily, and a kernel
 * with its own kmalloc() can leave the names out and move call sites to
 * kma one at a time. Every other global name of the library is public
 * API declared in include/kma/ or starts with kma_.
 * Small objects (up to 32 KiB) come from size classes served by per-CPU
 * caches; larger ones are whole spans of pages from the page heap, and
 * very large ones are contiguous frame runs.
 *
 * Every function here may be called from interrupt context, with or
 * without interrupts disabled, on any CPU; none sleeps. An allocation
 * that cannot be met returns NULL promptly.
 *
 * kmalloc(0) returns ZERO_SIZE_PTR, a unique non-NULL address that must
 * not be dereferenced; kfree(ZERO_SIZE_PTR) and kfree(NULL) do nothing,
 * ksize() of either is 0.
 */
#ifndef KMA_KMALLOC_H
#define KMA_KMALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <kma/memmap.h>
#include <kma/gfp.h>

/* libkma.a: these names stay global, the rest is made local. */
#ifdef KMA_BUILD_LIB
#pragma GCC visibility push(default)
#endif

#define ZERO_SIZE_PTR	((void *)16)

/*
 * Largest size any call accepts; beyond it the request fails reported:
 * 1 TiB where size_t has 64 bits, half the address space where it has
 * 32 (no object that large fits, and rounding it up to whole pages would
 * wrap around to a small size). A size_t, so that comparing a size with
 * it is neither always false nor a 64-bit comparison on a 32-bit target.
 */
#if SIZE_MAX > 0xffffffffu
#define KMALLOC_MAX_SIZE	((size_t)1 << 40)
#else
#define KMALLOC_MAX_SIZE	(SIZE_MAX / 2)
#endif

/* kma_size_too_large - whether @size is more than any call accepts. */
static inline bool kma_size_too_large(size_t size)
{
	return size > KMALLOC_MAX_SIZE;
}

/**
 * mm_init - bring up the frame allocator and the heap from a boot map.
 * @m: a sanitized memory map (memmap_sanitize()).
 *
 * Call once, on the boot CPU, before any other function here.
 *
 * Return: 0, or -1 if there is not enough memory to start.
 */
int mm_init(struct memmap *m);

/**
 * kma_kmalloc - allocate @size bytes.
 * @size: bytes; 0 gives ZERO_SIZE_PTR.
 * @flags: GFP flags.
 *
 * Alignment: 8 bytes at least; 16 for sizes of 16 and more; a power-of-two
 * size up to 4 MiB (2^FRAME_MAX_ORDER frames) is aligned to itself.
 *
 * Return: the object, or NULL.
 */
void *kma_kmalloc(size_t size, gfp_t flags);

/**
 * kma_kmalloc_caller - kma_kmalloc() on behalf of @caller, whom the debug
 * mode's allocation records name (Linux's kmalloc_track_caller(): a
 * wrapper such as a C library's malloc() passes its own caller).
 * @size: bytes. @flags: GFP flags.
 * @caller: a return address.
 *
 * Return: the object, or NULL.
 */
void *kma_kmalloc_caller(size_t size, gfp_t flags, uintptr_t caller);

/** kma_kzalloc - kmalloc() and zero. */
void *kma_kzalloc(size_t size, gfp_t flags);

/** kma_kmalloc_array - @n objects of @size, NULL if n * size overflows. */
void *kma_kmalloc_array(size_t n, size_t size, gfp_t flags);

/** kma_kcalloc - kmalloc_array() and zero. */
void *kma_kcalloc(size_t n, size_t size, gfp_t flags);

/**
 * kmalloc_aligned - allocate @size bytes aligned to @align.
 * @size: bytes.
 * @align: a power of two, up to 2 MiB.
 * @flags: GFP flags.
 *
 * Return: the object, or NULL (bad alignments are reported).
 */
void *kmalloc_aligned(size_t size, size_t align, gfp_t flags);

/**
 * kma_krealloc - resize an object, keeping its contents.
 * @p: object or NULL (then like kmalloc()).
 * @size: new size; 0 frees @p and returns ZERO_SIZE_PTR.
 * @flags: GFP flags.
 *
 * Return: the object (possibly moved), or NULL with @p untouched.
 */
void *kma_krealloc(const void *p, size_t size, gfp_t flags);

/**
 * kma_kfree - free an object from any of the functions above.
 * @p: object, NULL or ZERO_SIZE_PTR.
 *
 * Double frees, interior pointers and pointers never handed out are
 * reported and ignored.
 */
void kma_kfree(const void *p);

/**
 * kma_ksize - usable size of an object (at least what was asked).
 * @p: object.
 *
 * Return: bytes usable; 0 for NULL, ZERO_SIZE_PTR or a bad pointer (which
 * is reported).
 */
size_t kma_ksize(const void *p);

/**
 * kmalloc_cpu_row - the address a port that keeps a per-CPU row pointer
 * (port_cpu_row(), see port.h) stores for CPU @cpu: its row of object
 * caches. Fixed at link time, valid before mm_init().
 * @cpu: CPU id, below %PORT_MAX_CPUS.
 */
void *kmalloc_cpu_row(unsigned int cpu);

/**
 * kmalloc_drain_cpu - empty @cpu's object cache into the shared lists.
 * @cpu: a CPU not running the allocator now, or the calling CPU.
 */
void kmalloc_drain_cpu(unsigned int cpu);

/**
 * kmalloc_cpu_poll - answer a drain request of the memory pressure ladder
 * posted to this CPU by another one that ran out of memory (see
 * docs/ARCHITECTURE.md, "The pressure ladder").
 * @cpu: the calling CPU.
 *
 * The allocator calls it from its own slow paths; a kernel also calls it
 * from its periodic timer interrupt (and from the interrupt that
 * port_cpu_kick() sends, if it sends one) so that a CPU that does not
 * allocate still answers. Must not interrupt an allocator call on the
 * same CPU: call it where interrupts may come (the allocator masks them).
 * Costs one load when nothing is asked.
 */
void kmalloc_cpu_poll(unsigned int cpu);

/**
 * kmalloc_set_grow_hook - let the allocator ask for more memory before
 * it drains caches when an allocation fails (first rung of the pressure
 * ladder; the host's drop-in malloc grows its reserve this way).
 * @fn: adds at least @need bytes with frame_add_memory() and returns
 *      true, or returns false. Called with interrupts enabled and no
 *      allocator lock held. NULL removes the hook.
 */
void kmalloc_set_grow_hook(bool (*fn)(size_t need));

/**
 * mm_cpu_offline - a CPU goes away (a host thread exits): drain its
 * object and frame caches.
 * @cpu: the CPU, which must not use the allocator until it comes back.
 */
void mm_cpu_offline(unsigned int cpu);

/**
 * kmalloc_lock_all - take every lock of the heap, in order; used around
 * fork() by the host's drop-in malloc. Pair with kmalloc_unlock_all().
 */
void kmalloc_lock_all(void);

/** kmalloc_unlock_all - release the locks kmalloc_lock_all() took. */
void kmalloc_unlock_all(void);

/**
 * kmalloc_fork_child - in a fork() child made under kmalloc_lock_all():
 * re-initialise every heap lock instead of releasing it.
 */
void kmalloc_fork_child(void);

/**
 * kmalloc_scavenge - return every wholly free heap chunk to the frame
 * allocator, whatever the threshold.
 *
 * Return: bytes returned.
 */
size_t kmalloc_scavenge(void);

/**
 * kmalloc_reserve - give the heap @bytes of chunks now (rounded up to
 * whole chunks) and keep them from then on: the scavenger, the decay and
 * the pressure ladder give back only chunks beyond the reserve. While the
 * live and cached memory fit in it, no allocation grows the heap: the
 * frame allocator, a chunk's page-map entries and its frames' first use
 * are paid here, once, which bounds an allocation's worst case (a small
 * system that gives its heap all of its RAM at boot). A later call
 * replaces the amount; 0 ends the reserve.
 * @bytes: bytes of chunks to hold.
 *
 * Return: 0, or -1 when the frame allocator has not the memory (what
 * was taken stays as free heap memory; the reserve is unchanged) or the
 * call comes before mm_init() (reported).
 */
int kmalloc_reserve(uint64_t bytes);

/**
 * kmalloc_set_scavenge_threshold - idle heap bytes above which freeing a
 * span gives whole free chunks back to the frame allocator (down to half
 * the threshold; on a port that gives memory back to a host,
 * port_mem_release(), the larger of this and a quarter of the live large
 * bytes). Default 8 MiB. 0 also makes such a port release every freed
 * large and huge object at once, where otherwise they stay resident until
 * the decay (kmalloc_decay_tick()).
 * @bytes: the threshold.
 */
void kmalloc_set_scavenge_threshold(uint64_t bytes);

/**
 * kmalloc_decay_tick - end a decay period if one has passed: the memory
 * that stayed free through the whole period goes back (whole free heap
 * chunks to the frame allocator; on a port that gives memory back to a
 * host, the pages of free spans and free frame blocks of 64 KiB and more),
 * and each CPU, at its next allocator slow path, gives back the capacity
 * its object caches grew by for classes that found their cache empty on
 * no allocation during the period. Call it from time to time with a monotonic clock: a timer tick, an idle
 * loop, an allocator slow path (the drop-in does). Any context that may
 * call kfree(); cheap when no period has ended (two loads).
 * @now_ms: the time, in milliseconds.
 *
 * Return: bytes returned or released at this call.
 */
uint64_t kmalloc_decay_tick(uint64_t now_ms);

/**
 * kmalloc_set_decay_ms - the decay period (default 1000 ms); 0 turns the
 * decay off.
 * @ms: the period.
 */
void kmalloc_set_decay_ms(uint64_t ms);

/*
 * The debug mode (docs/ARCHITECTURE.md, "Debug mode"): options for
 * kmalloc_set_debug(). Off by default, and free when off: the fast paths
 * are the same code either way.
 */
#define KMA_DEBUG_QUARANTINE	0x1u	/* delay the reuse of freed objects */
#define KMA_DEBUG_POISON	0x2u	/* poison freed objects, check it */
#define KMA_DEBUG_INIT_ON_ALLOC	0x4u	/* zero every object handed out */
#define KMA_DEBUG_INIT_ON_FREE	0x8u	/* zero every object freed */
#define KMA_DEBUG_REDZONE	0x10u	/* a guard zone after each object */
#define KMA_DEBUG_TRACK		0x20u	/* keep each object's alloc/free site */
#define KMA_DEBUG_ALL		0x3fu

/**
 * kmalloc_set_debug - turn the debug mode's options on or off.
 * @flags: KMA_DEBUG_* options, 0 for none.
 * @quarantine_bytes: the quarantine's budget (0: 1 MiB): freed small
 *                    objects wait there, tagged (a second free is
 *                    reported with the first free's caller) and poisoned
 *                    (checked when they leave), until that many bytes
 *                    were freed after them.
 *
 * Best called before mm_init() (at boot: kmalloc_parse_debug() of a
 * command-line option). Later it works too: every CPU is asked to drain
 * its caches (as the pressure ladder does) and uses the new mode from its
 * answer on; a CPU that does not answer in time switches at its next
 * drain. Turning the quarantine off gives its objects back. Not from
 * interrupt context.
 *
 * Return: 0, or -1 (unknown option reported, or no memory for the
 * quarantine's ring).
 */
int kmalloc_set_debug(unsigned int flags, uint64_t quarantine_bytes);

/** kmalloc_debug - the debug options in force (KMA_DEBUG_*). */
unsigned int kmalloc_debug(void);

/**
 * kmalloc_debug_flush - give every object in the quarantine back to its
 * span now, checking its poison (tests; before a leak check).
 */
void kmalloc_debug_flush(void);

/**
 * kmalloc_parse_debug - read debug options from text, as a kernel command
 * line's kma.debug= or the host's KMA_DEBUG= gives them.
 * @spec: comma-separated options: quarantine[=SIZE[K|M|G]], poison,
 *        init_on_alloc, init_on_free, redzone, track, all.
 * @flags: receives the KMA_DEBUG_* options.
 * @quarantine_bytes: receives SIZE, or 0.
 *
 * Return: 0, or -1 for an unknown option or a bad size (reported).
 */
int kmalloc_parse_debug(const char *spec, unsigned int *flags,
			uint64_t *quarantine_bytes);

/**
 * kmalloc_set_guard - sampled guard pages (docs/ARCHITECTURE.md, "Guard
 * pages"): about one kmalloc() in @interval of those served by a CPU
 * cache's refill gets a guarded object, which ends at a page boundary
 * next to an inaccessible page and whose page becomes inaccessible when
 * it is freed: an overflow or a use after free faults at the access, and
 * the port's fault handler passes the address to kma_guard_fault().
 * @interval: 0 turns sampling off (guarded objects still live keep their
 *            guards); 1 guards every allocation that refills.
 *
 * Needs a port with port_guard_protect() (the host's; see port.h). The
 * first call with @interval > 0 takes the pool's frames (2 pages per
 * slot, 64 slots by default: make lib KMA_GUARD_SLOTS=N).
 *
 * Return: 0, or -1 (reported: the port cannot protect pages, or no
 * frames for the pool).
 */
int kmalloc_set_guard(unsigned int interval);

/* An interval that costs under 1% of allocation time (BENCHMARKS.md). */
#define KMA_GUARD_DEFAULT	65536u

/** kmalloc_guard - the sampling interval in force, 0 when off. */
unsigned int kmalloc_guard(void);

/**
 * kma_guard_fault - a fault the port's handler took at @addr: if @addr
 * is in the guard pool, report it (MM_ERR_OUT_OF_BOUNDS or
 * MM_ERR_USE_AFTER_FREE, with the object's allocation and free sites),
 * make its page accessible for good so the access can complete, and
 * return true; else return false (not the allocator's fault).
 * @addr: the faulting address.
 */
bool kma_guard_fault(uintptr_t addr);

/**
 * kma_rcs_fixup - send an interrupted restartable section back to its
 * start (KMA_RCS builds; see port.h).
 * @pc: the interrupted context's saved program counter, rewritten if it
 *      lies inside a section.
 *
 * Call from interrupt entry, interrupts still disabled, before anything
 * that may allocate. Costs a scan of the few sections when @pc is not in
 * one. Defined in every build; without KMA_RCS it does nothing.
 *
 * Return: true if @pc was moved.
 */
bool kma_rcs_fixup(uintptr_t *pc);

/**
 * kmalloc_validate - walk every heap structure and check its invariants.
 *
 * Each broken invariant is reported as MM_ERR_CORRUPT. Call on a quiescent
 * heap (tests).
 *
 * Return: number of problems found.
 */
unsigned int kmalloc_validate(void);

/**
 * struct kmalloc_class_stats - one size class.
 */
struct kmalloc_class_stats {
	uint32_t size;		/* object size */
	uint32_t span_pages;	/* pages per span */
	uint64_t objs_in_use;	/* handed out, not freed */
	uint64_t objs_total;	/* slots in all spans of the class */
	uint64_t spans;		/* spans of the class */
};

/**
 * struct kmalloc_stats - heap-wide statistics.
 */
struct kmalloc_stats {
	uint64_t heap_sys;	/* bytes taken from the frame allocator */
	uint64_t heap_inuse;	/* bytes in spans in use */
	uint64_t heap_idle;	/* bytes in free spans, still held */
	uint64_t heap_released;	/* bytes given back by the scavenger */
	uint64_t large_bytes;	/* bytes in objects above 32 KiB */
	uint64_t large_objs;
	uint64_t meta_bytes;	/* fixalloc and page map */
	uint64_t central_locks;	/* central lock acquisitions */
	uint64_t heap_locks;	/* page heap lock acquisitions */
	uint64_t pressure_runs;	/* times the pressure ladder ran */
	uint64_t pressure_kicks; /* drain requests sent to other CPUs */
	uint64_t pressure_late;	/* requests not answered within the wait */
	uint64_t pressure_grows; /* failures met by the grow hook instead */
	uint64_t nr_classes;
	struct kmalloc_class_stats cls[72];
};

/**
 * kmalloc_get_stats - snapshot statistics (approximate while running).
 * @st: filled in.
 */
void kmalloc_get_stats(struct kmalloc_stats *st);

/** kmalloc_dump_meminfo - print /proc/meminfo-style lines. */
void kmalloc_dump_meminfo(void);

/** kmalloc_dump_slabinfo - print /proc/slabinfo-style lines. */
void kmalloc_dump_slabinfo(void);

#ifdef KMA_BUILD_LIB
#pragma GCC visibility pop
#endif

#ifndef KMA_NO_LINUX_NAMES
#include <kma/linux.h>
#endif

#endif /* KMA_KMALLOC_H */
