// SPDX-License-Identifier: MIT
/*
 * port.c - the port interface (include/kma/port.h) for a Linux process.
 *
 * Owns: the emulated physical memory mapping and the CPU slots.
 *
 * CPU slots: a thread claims a slot on its first port_cpu_id() call by
 * setting a bit in cpu_slots with an atomic compare-and-swap, and keeps it
 * for its lifetime; a pthread key destructor drains the slot's caches
 * (mm_cpu_offline()) and clears the bit when the thread exits. Because no
 * two live threads share a slot, per-CPU data needs no interrupt masking
 * here, so port_irq_save() and port_irq_restore() do nothing.
 *
 * There is no limit on threads: the last slot (HOST_SHARED_SLOT) is never
 * owned. A thread that finds every other slot taken claims the shared
 * slot for one call at a time: it takes shared_lock (a sleeping lock),
 * uses the slot as its own, and gives it back with host_cpu_put() when
 * the call returns (the drop-in does it on every path that entered the
 * heap). Its next call claims again and gets an owned slot if one has
 * come free. The shared slot's caches belong to whoever holds
 * shared_lock; the lock is taken around fork() like the heap's.
 *
 * Kicks: port_cpu_kick() asks a slot's owner to answer a drain request of
 * the pressure ladder (mm/pressure.c) with SIGURG (ignored by default, so
 * a stray one does nothing; not used at all if the program installed its
 * own handler first). The handler drains the thread's own caches only at
 * a safe point: the thread owns its slot, holds no allocator lock
 * (host_lock_depth, kept by spin_lock() and spin_unlock() on the host)
 * and was interrupted outside the allocator's code, [__ehdr_start,
 * _etext) of the object it is linked into (the drop-in's fast paths are
 * inlined straight-line code there; a slow path's calls into the C
 * library run with a lock held or with the caches consistent).
 * Elsewhere the thread answers at its next slow path.
 *
 * Locks: spin_lock() (include/kma/spinlock.h) sleeps here when contended, on
 * a private futex over the lock's state word.
 *
 * Physical memory: one anonymous MAP_NORESERVE mapping at mem_base,
 * physical address HOST_PHYS_BASE + offset. Holes of the synthetic map are
 * made PROT_NONE so that a stray access faults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <ucontext.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include <kma/port.h>
#include <kma/mm_report.h>
#include <kma/kmalloc.h>
#include <kma_host.h>
#include <kma/frame.h>
#include <kma/spinlock.h>

#define HOST_SHARED_SLOT	(PORT_MAX_CPUS - 1)
#define SHARED_BIT		(1ULL << HOST_SHARED_SLOT)

static uint64_t cpu_slots = SHARED_BIT;		/* bit n: slot n taken */
static spinlock_t shared_lock = SPINLOCK_INIT("host-shared-slot");

#ifdef KMA_LOCK_STATS
/* The shared slot's lock, for the drop-in's lock report. */
spinlock_t *host_shared_lock(void);
spinlock_t *host_shared_lock(void)
{
	return &shared_lock;
}
#endif
__thread int host_this_cpu __attribute__((tls_model("initial-exec"))) = -1;
__thread bool host_slot_shared __attribute__((tls_model("initial-exec")));
__thread unsigned int host_lock_depth __attribute__((tls_model("initial-exec")));
static pid_t slot_tid[PORT_MAX_CPUS];		/* owner's thread id */
char host_idle_row[HOST_IDLE_ROW_BYTES] __attribute__((aligned(64)));
__thread void *host_this_row __attribute__((tls_model("initial-exec"))) =
	host_idle_row;
static char *row_base;
static size_t row_stride;
static pthread_key_t cpu_key;
static pthread_once_t cpu_key_once = PTHREAD_ONCE_INIT;

static char *mem_base;
static size_t mem_size;

/* Weak so the port links into programs that use only parts of mm/. */
__attribute__((weak)) void mm_cpu_offline(unsigned int cpu)
{
	(void)cpu;
}

__attribute__((weak)) void kmalloc_cpu_poll(unsigned int cpu)
{
	(void)cpu;
}

static void cpu_slot_exit(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg - 1;

	mm_cpu_offline(cpu);
	host_this_row = host_idle_row;
	host_this_cpu = -1;
	__atomic_fetch_and(&cpu_slots, ~(1ULL << cpu), __ATOMIC_RELEASE);
}

static void cpu_key_create(void)
{
	if (pthread_key_create(&cpu_key, cpu_slot_exit) != 0)
		port_panic("host: pthread_key_create failed");
}

/**
 * host_cpu_slot_claim - give the calling thread a CPU slot (first use).
 *
 * Return: the slot number.
 */
__attribute__((noinline)) unsigned int host_cpu_slot_claim(void)
{
	uint64_t cur = __atomic_load_n(&cpu_slots, __ATOMIC_RELAXED);
	int cpu;

	pthread_once(&cpu_key_once, cpu_key_create);
	for (;;) {
		if (cur == ~0ULL) {
			/* Every owned slot is taken: borrow the shared one. */
			spin_lock(&shared_lock);
			host_slot_shared = true;
			cpu = HOST_SHARED_SLOT;
			host_this_cpu = cpu;
			if (row_base)
				host_this_row = row_base + (size_t)cpu * row_stride;
			return (unsigned int)cpu;
		}
		cpu = __builtin_ctzll(~cur);
		if (__atomic_compare_exchange_n(&cpu_slots, &cur,
						cur | (1ULL << cpu), false,
						__ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			break;
	}
	host_this_cpu = cpu;
	if (row_base)
		host_this_row = row_base + (size_t)cpu * row_stride;
	__atomic_store_n(&slot_tid[cpu], gettid(), __ATOMIC_RELAXED);
	pthread_setspecific(cpu_key, (void *)(uintptr_t)(cpu + 1));
	return (unsigned int)cpu;
}

/**
 * host_cpu_claim_extra - claim one more CPU slot for the calling thread,
 * which already has one, so that it can act as several CPUs in turn
 * (host_cpu_become()): a single-threaded harness that simulates CPUs.
 * The extra slots are not given back at the thread's exit.
 *
 * Return: the slot, or -1 if none is free.
 */
int host_cpu_claim_extra(void)
{
	uint64_t cur = __atomic_load_n(&cpu_slots, __ATOMIC_RELAXED);
	int cpu;

	do {
		if (cur == ~0ULL)
			return -1;
		cpu = __builtin_ctzll(~cur);
	} while (!__atomic_compare_exchange_n(&cpu_slots, &cur,
					      cur | (1ULL << cpu), false,
					      __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	__atomic_store_n(&slot_tid[cpu], gettid(), __ATOMIC_RELAXED);
	return cpu;
}

/**
 * host_cpu_become - from now on the calling thread is CPU @cpu, a slot it
 * claimed (its own or host_cpu_claim_extra()'s).
 * @cpu: the slot.
 */
void host_cpu_become(unsigned int cpu)
{
	host_this_cpu = (int)cpu;
	if (row_base)
		host_this_row = row_base + (size_t)cpu * row_stride;
}

/* The allocator's code: headers and text of the object linking it. */
extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern const char _etext[] __attribute__((visibility("hidden")));

static void kick_handler(int sig, siginfo_t *si, void *ucv)
{
	const ucontext_t *uc = ucv;
	uintptr_t pc;
	int saved = errno;

	(void)sig;
	(void)si;
#if defined(__x86_64__)
	pc = (uintptr_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__i386__)
	pc = (uintptr_t)uc->uc_mcontext.gregs[REG_EIP];
#elif defined(__aarch64__)
	pc = (uintptr_t)uc->uc_mcontext.pc;
#else
	pc = (uintptr_t)__ehdr_start;	/* never a safe point */
#endif
	if (host_this_cpu >= 0 && !host_slot_shared && !host_lock_depth &&
	    (pc < (uintptr_t)__ehdr_start || pc >= (uintptr_t)_etext))
		kmalloc_cpu_poll((unsigned int)host_this_cpu);
	errno = saved;
}

static bool kick_ok;
static pthread_once_t kick_once = PTHREAD_ONCE_INIT;

static void kick_setup(void)
{
	struct sigaction old, sa;

	if (sigaction(SIGURG, NULL, &old) || (old.sa_flags & SA_SIGINFO) ||
	    old.sa_handler != SIG_DFL)
		return;			/* the program's own: leave it */
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = kick_handler;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	kick_ok = sigaction(SIGURG, &sa, NULL) == 0;
}

void port_cpu_kick(unsigned int cpu)
{
	pid_t tid;

	if (cpu >= PORT_MAX_CPUS || cpu == HOST_SHARED_SLOT ||
	    !(__atomic_load_n(&cpu_slots, __ATOMIC_RELAXED) & (1ULL << cpu)))
		return;
	tid = __atomic_load_n(&slot_tid[cpu], __ATOMIC_RELAXED);
	if (tid == gettid() && (int)cpu != host_this_cpu) {
		/*
		 * A slot of this very thread, which acts as another CPU now
		 * (host_cpu_claim_extra()): that CPU runs nothing, and the
		 * ladder kicks with no allocator lock held, so answer for it.
		 */
		kmalloc_cpu_poll(cpu);
		return;
	}
	pthread_once(&kick_once, kick_setup);
	if (kick_ok && tid)
		syscall(SYS_tgkill, getpid(), tid, SIGURG);
}

void host_cpu_put(void)
{
	if (!host_slot_shared)
		return;
	host_this_row = host_idle_row;
	host_this_cpu = -1;
	host_slot_shared = false;
	spin_unlock(&shared_lock);
}

void host_cpu_fork_prepare(void)
{
	spin_lock(&shared_lock);
}

void host_cpu_fork_parent(void)
{
	spin_unlock(&shared_lock);
}

void host_cpu_data_init(void *base, size_t stride)
{
	if (stride > HOST_IDLE_ROW_BYTES)
		port_panic("host: per-CPU row larger than the idle row");
	row_base = base;
	row_stride = stride;
	if (host_this_cpu >= 0)
		host_this_row = row_base + (size_t)host_this_cpu * row_stride;
}

unsigned int (port_cpu_id)(void)
{
	int cpu = host_this_cpu;

	if (__builtin_expect(cpu < 0, 0))
		return host_cpu_slot_claim();
	return (unsigned int)cpu;
}

unsigned int port_cpu_count(void)
{
	return PORT_MAX_CPUS;
}

void host_cpu_release(void)
{
	if (host_slot_shared) {
		host_cpu_put();
		return;
	}
	if (host_this_cpu >= 0) {
		pthread_setspecific(cpu_key, NULL);
		cpu_slot_exit((void *)(uintptr_t)(host_this_cpu + 1));
	}
}

uint64_t host_cpu_fork_child(void)
{
	uint64_t others = __atomic_load_n(&cpu_slots, __ATOMIC_RELAXED);

	others &= ~SHARED_BIT;
	if (host_this_cpu >= 0)
		others &= ~(1ULL << host_this_cpu);
	__atomic_fetch_and(&cpu_slots, ~others, __ATOMIC_RELEASE);
	spin_lock_init(&shared_lock, "host-shared-slot");
	host_lock_depth = 0;	/* the locks fork() held were made afresh */
	return others;
}

/* Sleeps taken by contended locks, for tests and statistics. */
uint64_t host_lock_sleeps;

void host_lock_wait(uint32_t *word, uint32_t val)
{
	__atomic_fetch_add(&host_lock_sleeps, 1, __ATOMIC_RELAXED);
	/* Returns at once if *word != val: the caller re-checks either way. */
	syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

void host_lock_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

unsigned long (port_irq_save)(void)
{
	return 0;
}

void (port_irq_restore)(unsigned long flags)
{
	(void)flags;
}

/* Bytes given back with madvise(), for tests and statistics. */
uint64_t host_released_bytes;
static bool host_keep;		/* host_mem_keep_released() */

void host_mem_keep_released(bool keep)
{
	__atomic_store_n(&host_keep, keep, __ATOMIC_RELAXED);
}

void host_mem_release(void *va, size_t bytes)
{
	if (__atomic_load_n(&host_keep, __ATOMIC_RELAXED)) {
		__atomic_fetch_add(&host_released_bytes, bytes,
				   __ATOMIC_RELAXED);
		return;
	}
	if (madvise(va, bytes, MADV_DONTNEED) == 0)
		__atomic_fetch_add(&host_released_bytes, bytes,
				   __ATOMIC_RELAXED);
}

/*
 * Guard pages (mm/guard.c): mprotect() on the mapping; a fault in a
 * protected page comes to guard_segv(), which hands the address to
 * kma_guard_fault(). That reports and opens the page, and the access is
 * retried on return. Any other fault goes to the handler installed
 * before (the default one: the process dies as it would have).
 */
static struct sigaction guard_old_segv;
static int guard_segv_set;

static void guard_segv(int sig, siginfo_t *si, void *uc)
{
	if (kma_guard_fault((uintptr_t)si->si_addr))
		return;
	if (guard_old_segv.sa_flags & SA_SIGINFO) {
		guard_old_segv.sa_sigaction(sig, si, uc);
		return;
	}
	/* Put the old disposition back: the retried access faults again. */
	sigaction(SIGSEGV, &guard_old_segv, NULL);
}

int host_guard_protect(void *va, size_t bytes, bool access)
{
	if (!__atomic_exchange_n(&guard_segv_set, 1, __ATOMIC_ACQ_REL)) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = guard_segv;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGSEGV, &sa, &guard_old_segv))
			return -1;
	}
	return mprotect(va, bytes, access ? PROT_READ | PROT_WRITE :
			PROT_NONE) ? -1 : 0;
}

void *port_phys_to_virt(phys_addr_t pa)
{
	return mem_base + (pa - HOST_PHYS_BASE);
}

phys_addr_t port_virt_to_phys(const void *va)
{
	return (phys_addr_t)((const char *)va - mem_base) + HOST_PHYS_BASE;
}

void port_print(const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(1, s, len);

		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

__noreturn void port_panic(const char *msg)
{
	fflush(stdout);
	mm_printf("PANIC on cpu %d: %s\n", host_this_cpu, msg);
	abort();
}

void port_report(const struct mm_report *r)
{
	mm_printf("%s\n", r->msg);
	port_panic("misuse detected (install a report hook to continue)");
}

int host_mem_map(size_t bytes)
{
	const uintptr_t align = FRAME_SIZE << FRAME_MAX_ORDER;	/* 4 MiB */
	uintptr_t a;
	void *p;

	bytes = (bytes + (2UL << 20) - 1) & ~((2UL << 20) - 1);
	if (mem_base && mem_size >= bytes)
		return 0;
	if (mem_base) {
		mm_printf("host: memory already mapped (%zu bytes)\n", mem_size);
		return -1;
	}
	/*
	 * Over-map so the base can be aligned like the largest buddy block:
	 * the direct map must keep virtual and physical addresses congruent
	 * modulo 4 MiB (port.h), as a kernel's linear map does.
	 */
	p = mmap(NULL, bytes + align, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		mm_printf("host: cannot map %zu bytes of memory\n", bytes);
		return -1;
	}
	a = ((uintptr_t)p + align - 1) & ~(align - 1);
	mem_base = (char *)a;
	mem_size = bytes;
	return 0;
}

size_t host_mem_size(void)
{
	return mem_size;
}
