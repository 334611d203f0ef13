/* SPDX-License-Identifier: MIT */
/*
 * port.h - the port interface: everything mm/ needs from a kernel.
 *
 * mm/ never includes a header from arch/, boot/ or kernel/ (the build
 * refuses it). Whatever the allocator needs from its surroundings it asks
 * for through the handful of functions declared here. A kernel that wants
 * to link mm/ implements them, nothing else:
 *
 *   port_cpu_id()          which CPU am I on (0 .. port_cpu_count() - 1)
 *   port_cpu_count()       upper bound on CPU ids
 *   port_irq_save()        disable interrupts, return the previous state
 *   port_irq_restore()     put the saved state back
 *   port_phys_to_virt()    the direct map, physical to virtual
 *   port_virt_to_phys()    the direct map, virtual to physical
 *   port_print()           write a string to the console
 *   port_panic()           stop the system with a message; never returns
 *   port_report()          default sink for detected misuse (see below)
 *   port_cpu_kick()        make a CPU call kmalloc_cpu_poll() soon
 *
 * Rules a port must keep:
 *
 *  - port_cpu_id() is stable while interrupts are disabled: the allocator
 *    calls it between port_irq_save() and port_irq_restore() and relies on
 *    not migrating in between.
 *  - The direct map is linear over the memory handed to the allocator:
 *    port_phys_to_virt(pa + n) == port_phys_to_virt(pa) + n for every
 *    managed range, and keeps alignment up to the largest buddy block:
 *    virtual and physical addresses are congruent modulo 4 MiB.
 *  - port_irq_save()/port_irq_restore() nest: restore puts back exactly
 *    the state save found.
 *  - port_print() may be called with interrupts disabled and with
 *    allocator locks held; it must not allocate.
 *
 * The spinlocks (spinlock.h) are not part of the port: they are the same
 * code on every target, written with compiler atomics.
 */
#ifndef KMA_PORT_H
#define KMA_PORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/** typedef phys_addr_t - a physical address. */
typedef uint64_t phys_addr_t;

/* Frames are 4 KiB on every supported target. */
#define FRAME_SHIFT	12
#define FRAME_SIZE	(1UL << FRAME_SHIFT)

/*
 * Largest number of CPUs any port may report. It sizes the per-CPU tables
 * of mm/ (objcache rows, CPU caches, large-span caches, frame caches: a
 * few KiB of .bss per CPU), so a kernel for a few CPUs sets it lower, for
 * the library and its own code alike: `make lib KMA_MAX_CPUS=N` builds
 * with -DPORT_MAX_CPUS=N and writes it into the installed make fragment's
 * KMA_CFLAGS. The host port needs 2 to 64 (one bit per slot).
 */
#ifndef PORT_MAX_CPUS
#define PORT_MAX_CPUS	64
#endif

#ifndef __noreturn
#define __noreturn	__attribute__((noreturn))
#endif

/**
 * port_cpu_id - the calling CPU's id.
 *
 * Never called by mm_init() (memmap_*() neither): a kernel may start the
 * allocator before its per-CPU data is set up, and must have it set up
 * before the first allocation or free on each CPU (tools/lib-check.sh
 * checks the first part).
 *
 * Return: a number below port_cpu_count(). Stable while interrupts are
 * disabled. May be called from interrupt context.
 */
unsigned int port_cpu_id(void);

/**
 * port_cpu_count - upper bound on CPU ids.
 *
 * Return: the number of CPU slots the allocator must provide for, at most
 * %PORT_MAX_CPUS. Constant after the allocator is initialised.
 */
unsigned int port_cpu_count(void);

/**
 * port_irq_save - disable interrupts on this CPU.
 *
 * Return: an opaque value describing the previous interrupt state, to be
 * passed to port_irq_restore().
 */
unsigned long port_irq_save(void);

/**
 * port_irq_restore - restore the interrupt state saved by port_irq_save().
 * @flags: the value port_irq_save() returned.
 */
void port_irq_restore(unsigned long flags);

/**
 * port_phys_to_virt - translate through the direct map.
 * @pa: physical address inside memory handed to the allocator.
 *
 * Return: the virtual address at which @pa is mapped read-write.
 */
void *port_phys_to_virt(phys_addr_t pa);

/**
 * port_virt_to_phys - inverse of port_phys_to_virt().
 * @va: a direct-map address.
 *
 * Return: the physical address behind @va.
 */
phys_addr_t port_virt_to_phys(const void *va);

/**
 * port_print - write @len bytes of @s to the console.
 * @s: text, not necessarily NUL-terminated.
 * @len: number of bytes.
 *
 * Must not allocate. May be called with interrupts off and locks held.
 */
void port_print(const char *s, size_t len);

/**
 * port_panic - stop the system.
 * @msg: a one-line reason, already printed by the caller if it wished.
 */
__noreturn void port_panic(const char *msg);

struct mm_report;

/**
 * port_report - default sink for a detected misuse or corruption.
 * @r: the report (see mm_report.h); @r->msg is a formatted one-line text.
 *
 * Called by the allocator's report hook unless a different hook was
 * installed with mm_set_report_hook(). A kernel typically prints the line
 * and panics; the host port prints and aborts. If it returns, the
 * allocator ignores the faulty operation and carries on intact.
 */
void port_report(const struct mm_report *r);

/**
 * port_cpu_kick - ask @cpu to call kmalloc_cpu_poll() soon.
 * @cpu: another CPU.
 *
 * Called by the memory pressure ladder when an allocation fails, with
 * interrupts enabled and no allocator lock held. A kernel sends an IPI
 * whose handler calls kmalloc_cpu_poll(), or does nothing: the CPU then
 * answers at its next allocator slow path or timer tick (the ladder
 * waits a bounded time for answers). The host port sends a signal.
 */
void port_cpu_kick(unsigned int cpu);

/*
 * Inline primitives. port_cpu_id(), port_irq_save() and port_irq_restore()
 * sit on the allocator's fast path. A port may provide them as inline
 * code in a header under include/kma/port/ and name it at build time with
 * -DPORT_INLINE_HEADER='<port/name.h>'; that header defines function-like
 * macros of the same names. The out-of-line functions above must still
 * exist (define them as "unsigned int (port_cpu_id)(void)" so the macro
 * does not expand) for code built without the header.
 */
#ifdef PORT_INLINE_HEADER
#include PORT_INLINE_HEADER
#endif

/*
 * port_cpu_row() - optional, from the inline header only: the pointer the
 * port keeps for the allocator in this CPU's per-CPU area, which must hold
 * kmalloc_cpu_row(cpu) on CPU cpu before that CPU first calls kmalloc()
 * or kfree() (a kernel stores it where it stores the CPU's id). With it
 * the fast paths find this CPU's object caches in one load instead of the
 * id, a shift and an add. Without it they use port_cpu_id().
 */

/*
 * KMA_RCS - restartable per-CPU sections, a build option (-DKMA_RCS) for
 * ports whose inline header supports it (port/x86_64.h, port/aarch64.h,
 * port/arm.h; it needs port_cpu_row()). The fast paths of kmalloc(), kfree() and
 * kmem_cache_alloc()/_free() then leave interrupts enabled: each touches
 * this CPU's object cache in a short instruction sequence that publishes
 * with its last store, and an interrupt that lands inside one sends it
 * back to its start. The
 * kernel's part, required with KMA_RCS: every interrupt entry (and any
 * exception whose handler may call the allocator or switch tasks) calls
 * kma_rcs_fixup() (kmalloc.h) on the saved PC before the handler can
 * allocate, free or reschedule. The sequences are listed in the section "kma_rcs" (two
 * addresses per sequence), which the kernel's linker script must keep
 * (an orphan section is kept by GNU ld, which also defines its
 * __start_kma_rcs and __stop_kma_rcs). Without KMA_RCS the fast paths
 * mask interrupts around the same work.
 */
#ifdef KMA_RCS
#if !defined(port_rcs_pop) || !defined(port_rcs_push)
#error "KMA_RCS: this port's inline header has no restartable sections"
#endif
#endif

/*
 * PORT_FRESH_MEMORY_ZERO - 1 if memory the frame allocator hands out for
 * the first time after mm_init() or frame_add_memory() reads as zero
 * (the host's fresh anonymous mapping), 0 if it may hold anything (RAM
 * after a reset). With 1 the heap skips zeroing its page map at init, so
 * only the parts of it that describe live memory are ever touched, and
 * kzalloc() of large and huge objects skips zeroing frames handed out
 * for the first time (frame_alloc_fresh()). A kernel that clears its RAM
 * at boot, or whose loader does, may say 1. A port's inline header may
 * define it; the default is the safe 0.
 */
#ifndef PORT_FRESH_MEMORY_ZERO
#define PORT_FRESH_MEMORY_ZERO	0
#endif

/*
 * port_mem_release(va, bytes) - the heap will not read or write these
 * whole pages until it hands them out again, and their contents may go:
 * a port whose memory is lent by a host (the host port: the pages of its
 * anonymous mapping) gives them back, madvise(MADV_DONTNEED), so that
 * resident memory follows the heap's use. The heap calls it for memory
 * leaving it (chunks returned to the frame allocator, huge objects) and
 * for freed large objects of at least PORT_RELEASE_MIN bytes, before the
 * memory can be handed to anyone else. Kernels own their RAM: the
 * default does nothing. A port's inline header may define both.
 */
#ifndef port_mem_release
#define port_mem_release(va, bytes)	((void)(va), (void)(bytes))
#define PORT_MEM_RELEASE_NONE	1	/* nothing to give back */
#endif
#ifndef PORT_RELEASE_MIN
#define PORT_RELEASE_MIN	(64u << 10)
#endif

/*
 * port_guard_protect(va, bytes, access) - optional, for the sampled guard
 * pages (kmalloc_set_guard()): make the whole pages [va, va + bytes) of
 * the direct map inaccessible (@access false: a load or store there
 * faults, and the port's fault handler passes the address to
 * kma_guard_fault(), which reports and returns true, after which the
 * access is retried) or readable and writable again (@access true).
 * Evaluates to 0, or -1 if it cannot. The first call for a range (the
 * whole pool, made inaccessible, once) is made from kmalloc_set_guard()
 * with no kma lock held and interrupts as its caller has them, and may
 * allocate: a kernel whose direct map uses large pages splits them there,
 * taking page-table pages from the frame allocator (frame_alloc()) for
 * instance. Every later call is for pages of that range, with interrupts
 * off and a leaf lock held: it must not allocate, take a kma lock or fail
 * for want of memory. The TLB of the calling CPU must be right when it
 * returns (other CPUs may see the change late: a missed fault, never a
 * wrong one). A port's inline header that defines it defines
 * PORT_GUARD_PAGES as 1 too; without it kmalloc_set_guard() fails.
 */
#ifndef port_guard_protect
#define PORT_GUARD_PAGES	0
static inline int port_guard_protect(void *va, size_t bytes, bool access)
{
	(void)va;
	(void)bytes;
	(void)access;
	return -1;
}
#endif

#endif /* KMA_PORT_H */
