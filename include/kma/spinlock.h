/* SPDX-License-Identifier: MIT */
/*
 * spinlock.h - fair ticket spinlock, the same code on host and kernels.
 *
 * A lock is two 32-bit counters: @next is the ticket dispenser, @owner the
 * ticket being served. spin_lock() takes a ticket with one atomic
 * fetch-add and waits until @owner reaches it, so waiters are served in
 * arrival order (FIFO): no waiter is overtaken. spin_unlock() advances
 * @owner with a release store. All ordering is explicit: the wait loop
 * loads @owner with acquire, the unlock stores it with release.
 *
 * Waiting differs per CPU: the CPU part of include/kma/port/<arch>.h,
 * chosen below by the compiler's target macros (not by an arch/ header,
 * so mm/ can use this file), may provide
 *   kma_arch_cpu_relax()        one poll of a spin loop (x86: pause;
 *                               Arm: yield); default a compiler barrier;
 *   kma_arch_spin_wait(o, t)    kernels: wait until *o == t with acquire
 *                               (AArch64: sevl/wfe/ldaxr; 32-bit Arm:
 *                               wfe); default polls with cpu_relax();
 *   kma_arch_spin_wake()        kernels: after the unlocking store (32-bit
 *                               Arm: dsb; sev); default nothing;
 *   kma_arch_cycles()           lock statistics' clock; default 0;
 * each announced by a macro of its own name.
 *
 * The host port (no KMA_KERNEL) uses another lock behind the same API,
 * because there a "CPU" is a thread the OS may preempt at any moment. A
 * ticket lock would hand the lock to the next ticket even if that thread
 * is descheduled, stalling every waiter behind it for a time slice (a
 * convoy), and a waiter that spins or yields burns the CPU the holder
 * needs. So on the host @next is the state of a three-state futex mutex
 * (0 free, 1 held, 2 held with sleepers): a waiter polls briefly
 * (SPIN_HOST_POLLS), then marks the lock contended and sleeps in the
 * kernel (host_lock_wait(), a futex wait in arch/host/port.c); the holder
 * that finds the mark on unlock wakes one sleeper (host_lock_wake()). The
 * acquiring exchange is an acquire, the releasing one a release. It is
 * not FIFO: a running thread may take the lock before a woken one, which
 * is what keeps the lock moving when threads outnumber cores. The ticket
 * primitives stay available on the host for the fairness test.
 *
 * The _irqsave variants disable interrupts on this CPU for as long as the
 * lock is held, so a lock also taken from interrupt handlers cannot
 * deadlock against the code it interrupted.
 *
 * Debug (CONFIG_DEBUG_SPINLOCK; KMA_LOCKDEP checks the lock order, see
 * KMA_LOCK_RANK_*): @owner_cpu records who holds the lock;
 * taking a lock this CPU already holds (recursion) and releasing a lock
 * another CPU holds are reported as MM_ERR_LOCK. The recursive acquire is
 * refused (the caller proceeds without the lock rather than deadlocking,
 * which is only sound for tests that expect the report); the foreign
 * unlock is ignored. The field exists in every build so that objects built
 * with and without debug agree on the layout.
 */
#ifndef KMA_SPINLOCK_H
#define KMA_SPINLOCK_H

#include <kma/port.h>
#include <kma/mm_report.h>

/* The CPU part of the port header of the CPU compiled for. */
#define KMA_PORT_CPU_ONLY
#if defined(__x86_64__) || defined(__i386__)
#include <kma/port/x86_64.h>
#elif defined(__aarch64__)
#include <kma/port/aarch64.h>
#elif defined(__arm__) && defined(__ARM_ARCH_PROFILE) && \
	__ARM_ARCH_PROFILE == 'M'
#include <kma/port/armv7m.h>
#elif defined(__arm__)
#include <kma/port/arm.h>
#endif
#undef KMA_PORT_CPU_ONLY

/**
 * struct spinlock - a ticket lock.
 * @next:      kernels: next ticket to hand out; host: the lock's state,
 *             0 free, 1 held, 2 held with sleepers (atomic).
 * @owner:     kernels: ticket now being served (atomic); host: unused.
 * @owner_cpu: CPU holding the lock, or -1 (debug builds keep it current).
 * @name:      for reports.
 * @st:        -DKMA_LOCK_STATS builds of the host: acquisitions, those
 *             that had to wait, total and longest hold time in time-stamp
 *             ticks, and when the holder took it (written by the holder).
 */
typedef struct spinlock {
	uint32_t next;
	uint32_t owner;
	int32_t owner_cpu;
	uint32_t rank;			/* lock order, 0 for none (below) */
	const char *name;
#ifdef KMA_LOCK_STATS
	struct {
		uint64_t acq, waited, hold, max, t0;
	} st;
#endif
} spinlock_t;

/*
 * Lock ranks: the allocator's lock order (docs/ARCHITECTURE.md, "Locks"),
 * outer first. A CPU may take a ranked lock only while every ranked lock
 * it holds has a lower rank (the same rank in ascending address order),
 * which -DKMA_LOCKDEP builds check (mm/lockdep.c). Rank 0: not checked.
 */
#define KMA_LOCK_RANK_CENTRAL	10	/* centrals[spc].lock */
#define KMA_LOCK_RANK_HEAP	20	/* heap.lock */
#define KMA_LOCK_RANK_KCACHE	25	/* kmem_cache.c's kcache_lock */
#define KMA_LOCK_RANK_FRAME_PCP	30	/* a frame allocator CPU cache */
#define KMA_LOCK_RANK_FRAME_ZONE 40	/* the frame allocator's zone */
#define KMA_LOCK_RANK_LEAF	50	/* nothing is taken under it */

#define SPINLOCK_INIT_RANK(n, r) \
	{ .next = 0, .owner = 0, .owner_cpu = -1, .rank = (r), .name = (n) }
#define SPINLOCK_INIT(n) SPINLOCK_INIT_RANK(n, 0)

static inline void spin_lock_init_rank(spinlock_t *l, const char *name,
				       uint32_t rank)
{
	l->next = 0;
	l->owner = 0;
	l->owner_cpu = -1;
	l->rank = rank;
	l->name = name;
}

static inline void spin_lock_init(spinlock_t *l, const char *name)
{
	spin_lock_init_rank(l, name, 0);
}

/*
 * -DKMA_LOCKDEP (test builds): every ranked lock taken or given back is
 * checked against the ranked locks this CPU holds (mm/lockdep.c), which
 * it records; unranked locks are left alone.
 */
#ifdef KMA_LOCKDEP
void kma_lockdep_acquire(spinlock_t *l);
void kma_lockdep_acquired(spinlock_t *l);
void kma_lockdep_release(spinlock_t *l);
#else
static inline void kma_lockdep_acquire(spinlock_t *l) { (void)l; }
static inline void kma_lockdep_acquired(spinlock_t *l) { (void)l; }
static inline void kma_lockdep_release(spinlock_t *l) { (void)l; }
#endif

#ifndef KMA_KERNEL
#define SPIN_HOST_POLLS 128
/* arch/host/port.c: sleep while *@word == @val; wake one sleeper. */
void host_lock_wait(uint32_t *word, uint32_t val);
void host_lock_wake(uint32_t *word);
/* Allocator locks this thread holds or waits for (arch/host/port.c). */
extern __thread unsigned int host_lock_depth;
int sched_yield(void);
#endif

static inline void cpu_relax(void)
{
#ifdef kma_arch_cpu_relax
	kma_arch_cpu_relax();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

/**
 * __spin_take_ticket - first half of spin_lock(): join the queue.
 * @l: the lock.
 *
 * Return: our ticket. Exposed for the fairness test.
 */
static inline uint32_t __spin_take_ticket(spinlock_t *l)
{
	return __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);
}

/**
 * __spin_wait_ticket - second half of spin_lock(): wait to be served.
 * @l: the lock.
 * @ticket: ticket from __spin_take_ticket().
 */
static inline void __spin_wait_ticket(spinlock_t *l, uint32_t ticket)
{
#if defined(kma_arch_spin_wait) && defined(KMA_KERNEL)
	kma_arch_spin_wait(&l->owner, ticket);
#elif !defined(KMA_KERNEL)
	/* Only the fairness test waits on tickets on the host. */
	unsigned int polls = 0;

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket) {
		if (++polls % 64 == 0)
			sched_yield();
		else
			cpu_relax();
	}
#else
	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_relax();
#endif
}

/**
 * __spin_ticket_release - serve the next ticket (the kernels' unlock).
 * @l: the lock, held through a ticket.
 */
static inline void __spin_ticket_release(spinlock_t *l)
{
	/* Only the holder writes @owner, so this read is exact. */
	__atomic_store_n(&l->owner,
			 __atomic_load_n(&l->owner, __ATOMIC_RELAXED) + 1,
			 __ATOMIC_RELEASE);
#if defined(kma_arch_spin_wake) && defined(KMA_KERNEL)
	kma_arch_spin_wake();
#endif
}

#ifdef CONFIG_DEBUG_SPINLOCK
static inline bool __spin_debug_lock(spinlock_t *l)
{
	int32_t me = (int32_t)port_cpu_id();

	if (__atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED) == me) {
		mm_report(MM_ERR_LOCK, (uintptr_t)l, (uint64_t)me,
			  "recursive lock of %s on cpu %d",
			  l->name ? l->name : "?", (int)me);
		return false;
	}
	return true;
}

static inline void __spin_debug_locked(spinlock_t *l)
{
	__atomic_store_n(&l->owner_cpu, (int32_t)port_cpu_id(),
			 __ATOMIC_RELAXED);
}

static inline bool __spin_debug_unlock(spinlock_t *l)
{
	int32_t me = (int32_t)port_cpu_id();
	int32_t holder = __atomic_load_n(&l->owner_cpu, __ATOMIC_RELAXED);

	if (holder != me) {
		mm_report(MM_ERR_LOCK, (uintptr_t)l, (uint64_t)holder,
			  "unlock of %s on cpu %d, held by cpu %d",
			  l->name ? l->name : "?", (int)me, (int)holder);
		return false;
	}
	__atomic_store_n(&l->owner_cpu, -1, __ATOMIC_RELAXED);
	return true;
}
#else
static inline bool __spin_debug_lock(spinlock_t *l) { (void)l; return true; }
static inline void __spin_debug_locked(spinlock_t *l) { (void)l; }
static inline bool __spin_debug_unlock(spinlock_t *l) { (void)l; return true; }
#endif

#ifdef KMA_KERNEL
static inline void __spin_acquire(spinlock_t *l)
{
	__spin_wait_ticket(l, __spin_take_ticket(l));
}

static inline bool __spin_try_acquire(spinlock_t *l)
{
	uint32_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);
	uint32_t expect = owner;

	return __atomic_compare_exchange_n(&l->next, &expect, owner + 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

static inline void __spin_release(spinlock_t *l)
{
	__spin_ticket_release(l);
}

static inline bool __spin_held(spinlock_t *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) !=
	       __atomic_load_n(&l->next, __ATOMIC_RELAXED);
}
#else
static inline bool __spin_try_once(spinlock_t *l)
{
	uint32_t expect = 0;

	return __atomic_compare_exchange_n(&l->next, &expect, 1, false,
					   __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
}

#ifdef KMA_LOCK_STATS
/*
 * Lock statistics (measurement builds of the host only): a time stamp at
 * acquisition and at release, kept in the lock by its holder.
 */
static inline uint64_t __spin_stamp(void)
{
#ifdef kma_arch_cycles
	return kma_arch_cycles();
#else
	return 0;
#endif
}

static inline void __spin_stat_taken(spinlock_t *l, bool waited)
{
	l->st.acq++;
	l->st.waited += waited;
	l->st.t0 = __spin_stamp();
}

static inline void __spin_stat_release(spinlock_t *l)
{
	uint64_t d = __spin_stamp() - l->st.t0;

	l->st.hold += d;
	if (d > l->st.max)
		l->st.max = d;
}
#else
#define __spin_stat_taken(l, waited)	((void)(l), (void)(waited))
#define __spin_stat_release(l)		((void)(l))
#endif

static inline bool __spin_try_acquire(spinlock_t *l)
{
	host_lock_depth++;
	if (__spin_try_once(l)) {
		__spin_stat_taken(l, false);
		return true;
	}
	host_lock_depth--;
	return false;
}

/* Contended: poll a while, then sleep with the lock marked contended. */
static __attribute__((noinline, cold, unused)) void
__spin_acquire_slow(spinlock_t *l)
{
	unsigned int polls;

	for (polls = 0; polls < SPIN_HOST_POLLS; polls++) {
		cpu_relax();
		if (!__atomic_load_n(&l->next, __ATOMIC_RELAXED) &&
		    __spin_try_once(l))
			return;
	}
	while (__atomic_exchange_n(&l->next, 2, __ATOMIC_ACQUIRE))
		host_lock_wait(&l->next, 2);
}


static inline void __spin_acquire(spinlock_t *l)
{
	bool waited = false;

	host_lock_depth++;
	if (__builtin_expect(!__spin_try_once(l), 0)) {
		__spin_acquire_slow(l);
		waited = true;
	}
	__spin_stat_taken(l, waited);
}

static inline void __spin_release(spinlock_t *l)
{
	__spin_stat_release(l);
	if (__builtin_expect(__atomic_exchange_n(&l->next, 0,
						 __ATOMIC_RELEASE) == 2, 0))
		host_lock_wake(&l->next);
	host_lock_depth--;
}

static inline bool __spin_held(spinlock_t *l)
{
	return __atomic_load_n(&l->next, __ATOMIC_RELAXED) != 0;
}
#endif

/**
 * spin_lock - acquire @l (kernels: in FIFO order).
 * @l: the lock.
 *
 * Does not touch interrupts: use spin_lock_irqsave() for locks that
 * interrupt handlers also take.
 */
static inline void spin_lock(spinlock_t *l)
{
	if (!__spin_debug_lock(l))
		return;
	kma_lockdep_acquire(l);
	__spin_acquire(l);
	__spin_debug_locked(l);
	kma_lockdep_acquired(l);
}

/**
 * spin_trylock - acquire @l only if nobody holds or waits for it.
 * @l: the lock.
 *
 * Return: true if the lock was taken.
 */
static inline bool spin_trylock(spinlock_t *l)
{
	if (!__spin_debug_lock(l))
		return false;
	if (!__spin_try_acquire(l))
		return false;
	__spin_debug_locked(l);
	kma_lockdep_acquired(l);	/* a trylock cannot deadlock */
	return true;
}

/**
 * spin_unlock - release @l (kernels: to the next waiter in line).
 * @l: the lock, held by this CPU.
 */
static inline void spin_unlock(spinlock_t *l)
{
	if (!__spin_debug_unlock(l))
		return;
	kma_lockdep_release(l);
	__spin_release(l);
}

/**
 * spin_is_locked - whether anyone holds @l (for assertions).
 * @l: the lock.
 */
static inline bool spin_is_locked(spinlock_t *l)
{
	return __spin_held(l);
}

/**
 * spin_lock_irqsave - disable interrupts, then acquire @l.
 * @l: the lock.
 *
 * Return: the interrupt state to give to spin_unlock_irqrestore().
 */
static inline unsigned long spin_lock_irqsave(spinlock_t *l)
{
	unsigned long flags = port_irq_save();

	spin_lock(l);
	return flags;
}

/**
 * spin_unlock_irqrestore - release @l, then restore interrupts.
 * @l: the lock.
 * @flags: value from spin_lock_irqsave().
 */
static inline void spin_unlock_irqrestore(spinlock_t *l, unsigned long flags)
{
	spin_unlock(l);
	port_irq_restore(flags);
}

#endif /* KMA_SPINLOCK_H */
