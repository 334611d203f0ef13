/* SPDX-License-Identifier: MIT */
/*
 * kernel.h - the seam between the generic demo kernel (kernel/) and an
 * architecture (arch/<arch>/).
 *
 * DOC: boot sequence
 *
 * The arch entry code gets the boot CPU to C with a stack, BSS cleared and
 * the boot protocol's pointer saved, and calls kmain(). kmain() then drives
 * the arch through the functions below, in this order:
 *
 *   arch_early_init()      console, exception vectors, boot CPU's per-CPU
 *                          area, boot information parsed, CPUs enumerated
 *   arch_cmdline()         the kernel command line (parsed Linux-style)
 *   arch_memmap()          firmware memory map + the arch's reservations
 *   -- mm_init() on the sanitized map --
 *   arch_timer_start()     periodic interrupt on the boot CPU, then
 *   arch_irq_enable()
 *   arch_cpus_start()      secondary CPUs enter kernel_secondary_main(),
 *                          which starts their timers too
 *   -- tests, workloads --
 *   arch_halt()            report the status to the host and power off
 *
 * DOC: per-CPU area
 *
 * Each CPU owns one struct kcpu in kcpus[], indexed by its logical id (0 is
 * the boot CPU, ids are dense). The arch points a CPU register at its slot
 * (GS base on x86-64, TPIDR_EL1 on AArch64) before that CPU runs generic
 * code, so that port_cpu_id() and this_kcpu() are one load. Fields are
 * written only by the owning CPU, except @online (set by the CPU itself,
 * read by everybody with acquire ordering) and the fields the arch fills
 * before the CPU starts (@id, @hwid, @stack_top).
 *
 * DOC: contexts
 *
 * Functions marked "interrupt context" may be called from a handler; the
 * others run in thread context on the CPU that calls them.
 */
#ifndef KMA_KERNEL_H
#define KMA_KERNEL_H

#include <stdarg.h>
#include <kma/port.h>
#include <kma/memmap.h>

/**
 * struct kcpu - one CPU's private area.
 * @self:         points at this struct (x86-64 reads it as %gs:0).
 * @id:           logical CPU id, what port_cpu_id() returns.
 * @hwid:         firmware id: local APIC id, or MPIDR affinity bits.
 * @cache_row:    kmalloc_cpu_row(id), what port_cpu_row() returns; set
 *                for every slot by kmain() before the heap starts.
 * @online:       set by the CPU once it runs generic code.
 * @irq_depth:    nesting level of interrupt handlers now running.
 * @ticks:        timer interrupts taken.
 * @irq_allocs:   successful allocations made by the timer hook.
 * @irq_fails:    allocations by the timer hook that returned NULL.
 * @irq_in_mm:    timer interrupts that arrived while this CPU was inside
 *                the allocator (interrupted code held per-CPU state).
 * @stack_top:    top of this CPU's kernel stack.
 * @arch:         arch-private per-CPU data.
 * @in_mm:        non-zero while thread code on this CPU is inside a
 *                kmalloc()/kfree() call wrapped by kernel_mm_enter() and
 *                kernel_mm_leave(); read by this CPU's timer handler.
 */
struct kcpu {
	struct kcpu *self;
	unsigned int id __attribute__((aligned(8)));	/* 8 on 32 bits too */
	uint32_t hwid;
	void *cache_row;
	int online;
	unsigned int irq_depth;
	uint64_t ticks;
	uint64_t irq_allocs;
	uint64_t irq_fails;
	uint64_t irq_in_mm;
	void *stack_top;
	void *arch;
	unsigned int in_mm;
} __attribute__((aligned(64)));

/* Offsets the arch assembly relies on. */
#define KCPU_SELF	0
#define KCPU_ID		8
_Static_assert(__builtin_offsetof(struct kcpu, self) == KCPU_SELF, "kcpu");
_Static_assert(__builtin_offsetof(struct kcpu, id) == KCPU_ID, "kcpu");

/*
 * With the inline port header (port/<arch>.h), port_cpu_id() reads the id
 * straight from the per-CPU area at the header's offset.
 */
#ifdef PORT_PERCPU_ID_OFFSET
_Static_assert(__builtin_offsetof(struct kcpu, id) == PORT_PERCPU_ID_OFFSET,
	       "port_cpu_id() of the inline port header reads kcpu.id");
#endif
#ifdef PORT_PERCPU_ROW_OFFSET
_Static_assert(__builtin_offsetof(struct kcpu, cache_row) ==
	       PORT_PERCPU_ROW_OFFSET,
	       "port_cpu_row() of the inline port header reads kcpu.cache_row");
#endif

/* Every CPU slot; only the first arch_nr_cpus() are used. */
extern struct kcpu kcpus[PORT_MAX_CPUS];

/* ------------------------------------------------------------------ */
/* Provided by the generic kernel (kernel/).                           */

/**
 * kmain - generic start on the boot CPU. Never returns.
 *
 * Called by the arch entry code with a stack, cleared BSS and interrupts
 * disabled.
 */
__noreturn void kmain(void);

/**
 * kernel_secondary_main - generic start on a secondary CPU. Never returns.
 *
 * Called by the arch on each secondary CPU with its stack and per-CPU
 * area installed (this_kcpu() works) and interrupts disabled. Marks the
 * CPU online, starts its timer and waits for work from smp_call_all().
 */
__noreturn void kernel_secondary_main(void);

/**
 * printk - format and print a line to the console and the log buffer.
 * @fmt: mm_vsnprintf() format.
 *
 * Interrupt context: yes. Lines from different CPUs do not interleave
 * within one call (output is serialised by a lock that is skipped while
 * panicking).
 */
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** vprintk - printk() with a va_list. */
void vprintk(const char *fmt, va_list ap);

/**
 * kernel_console_write - write @len bytes of @s to the log and the
 * console, serialised with printk(). Any context.
 */
void kernel_console_write(const char *s, size_t len);

/**
 * printk_log_copy - copy the newest bytes of the log buffer.
 * @dst: destination.
 * @len: bytes wanted; at most the bytes held are copied.
 *
 * Return: bytes copied.
 */
size_t printk_log_copy(char *dst, size_t len);

/**
 * printk_log_bytes - bytes ever written to the log.
 *
 * Return: the count (the ring holds the last 64 KiB of them).
 */
uint64_t printk_log_bytes(void);

/**
 * panic - print "PANIC on CPU n: message", stop every CPU, end the run
 * with a failure status.
 * @fmt: mm_vsnprintf() format.
 */
__noreturn void panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/**
 * kernel_in_panic - whether some CPU has started panicking.
 *
 * Return: true once panic() was entered. Arch code checks it in idle
 * loops and before printing.
 */
int kernel_in_panic(void);

/**
 * cmdline_get - value of "key=value" on the command line.
 * @key: option name.
 *
 * Return: the value (up to the next space, NUL-terminated copy), "" for
 * a bare "key", NULL if absent.
 */
const char *cmdline_get(const char *key);

/**
 * cmdline_get_u64 - numeric option with an optional K, M, G suffix.
 * @key: option name.
 * @def: returned when absent or malformed.
 *
 * Return: the value.
 */
uint64_t cmdline_get_u64(const char *key, uint64_t def);

/**
 * kernel_mem_init - build, sanitize and print the boot memory map
 * (boot_map), applying mem=. Boot CPU, once, after arch_early_init().
 */
void kernel_mem_init(void);

/* The sanitized boot map, and the RAM the firmware reported (bytes). */
extern struct memmap boot_map;
extern uint64_t kernel_fw_ram;
extern uint64_t kernel_fw_ram_high;
/* Of kernel_fw_ram, what the direct map cannot reach: set and reserved
 * by arch_memmap() (32-bit Arm: RAM at or above 4 GiB), else 0. */
extern uint64_t kernel_fw_ram_unmapped;
uint64_t kernel_fw_ram_of(const struct memmap *raw, uint64_t *high);

/**
 * smp_call_all - run @fn(@arg) on every online CPU, the caller included,
 * and wait until all have returned.
 * @fn: function; runs in thread context with interrupts enabled.
 * @arg: its argument.
 *
 * Called by one CPU at a time (the boot CPU in the demo kernel).
 */
void smp_call_all(void (*fn)(void *arg), void *arg);

/**
 * kernel_nr_online - CPUs that have reached generic code.
 *
 * Return: at least 1.
 */
unsigned int kernel_nr_online(void);

/* Timer rate on every CPU (timer_hz=, 0 = no timer); set before SMP. */
extern unsigned int kernel_timer_hz;
/* The handler every CPU's timer runs (main.c); set before SMP. */
extern void (*kernel_timer_handler)(void);

/*
 * A test's work for CPU 0's timer ticks, or NULL (main.c; atomic): run
 * from CPU 0's handler after the heap's decay clock. A test that sets it
 * from CPU 0 and clears it there again knows the hook is not running
 * (it is a handler on that CPU).
 */
extern void (*kernel_tick_hook)(void);

/**
 * kernel_irq_alloc_set - switch the timer handler's allocations on or off.
 * @on: non-zero to allocate and free on every tick of every CPU.
 *
 * Off at boot: suites that count free frames need a quiet heap. Switching
 * off is seen by each CPU no later than its next smp_call_all() function;
 * a handler that saw "on" has freed everything when it returns.
 */
void kernel_irq_alloc_set(int on);

/**
 * kernel_mm_enter - mark the calling CPU as inside the allocator (thread
 * context), so that its timer handler counts the ticks that land there
 * in kcpu.irq_in_mm. Pair with kernel_mm_leave(); no nesting.
 * @c: this_kcpu().
 */
static inline void kernel_mm_enter(struct kcpu *c)
{
	__atomic_store_n(&c->in_mm, 1, __ATOMIC_RELAXED);
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

/**
 * kernel_mm_leave - end of the section kernel_mm_enter() started.
 * @c: this_kcpu().
 */
static inline void kernel_mm_leave(struct kcpu *c)
{
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	__atomic_store_n(&c->in_mm, 0, __ATOMIC_RELAXED);
}

/**
 * struct stress_result - totals of one stress_run() over all CPUs.
 * @cpus:      CPUs that took part.
 * @allocs:    successful allocations (thread context).
 * @fails:     allocations that returned NULL.
 * @bytes:     bytes requested by the successful allocations.
 * @large:     of the allocations, large objects (32 KiB .. 1 MiB).
 * @huge:      of the allocations, huge objects (above 1 MiB).
 * @sent:      objects passed to another CPU's mailbox.
 * @received:  objects taken from a mailbox, checked and freed.
 * @bad:       objects whose fill pattern was damaged.
 * @ns:        elapsed arch_time_ns() on the calling CPU.
 */
struct stress_result {
	unsigned int cpus;
	uint64_t allocs, fails, bytes, large, huge;
	uint64_t sent, received, bad;
	uint64_t ns;
};

/**
 * stress_run - allocate, fill, pass around, check and free on every
 * online CPU at once (kernel/stress.c).
 * @iters: rounds per CPU.
 * @res: filled with the totals.
 *
 * Every object is freed when it returns. Boot CPU, thread context.
 */
void stress_run(unsigned int iters, struct stress_result *res);

/**
 * kernel_mm_quiesce - empty every CPU's object and frame caches on that
 * CPU (smp_call_all), give wholly free heap chunks back and drain the
 * frame caches. Boot CPU; the timer allocations should be off.
 */
void kernel_mm_quiesce(void);

/**
 * kernel_demo - the `make run` report: CPUs, a workload on every CPU,
 * meminfo, slabinfo and frame counts (kernel/demo.c). Boot CPU.
 *
 * Return: 0 if every check of the workload passed.
 */
int kernel_demo(void);

/**
 * kernel_bench - bench=1: time kmalloc/kfree per size class on the boot
 * CPU with its timer stopped (kernel/bench.c). Boot CPU.
 */
void kernel_bench(void);

/**
 * kernel_bench_timers - stop (@on false) or restart every CPU's timer
 * around a benchmark (kernel/bench.c); nothing with timer_hz=0. Boot CPU.
 */
void kernel_bench_timers(bool on);

/**
 * kernel_bench_xcpu - bench=xcpu: instructions per object allocated on
 * one CPU and freed on another, against the same CPU, for a few sizes,
 * with the timers stopped (kernel/bench_xcpu.c). Boot CPU; needs CPU 1.
 */
void kernel_bench_xcpu(void);

/* ------------------------------------------------------------------ */
/* Provided by each architecture (arch/<arch>/).                       */

/**
 * arch_early_init - bring up what generic code needs on the boot CPU.
 *
 * Console, exception vectors, the boot CPU's per-CPU area (kcpus[0]),
 * parsing of the boot information (command line, memory map, CPU list).
 * No allocator yet.
 */
void arch_early_init(void);

/**
 * arch_console_write - write raw bytes to the console.
 * @s: text ("\n" is sent as "\r\n").
 * @len: bytes.
 *
 * Interrupt context: yes. Must not allocate or take locks.
 */
void arch_console_write(const char *s, size_t len);

/**
 * arch_cmdline - the kernel command line from the boot protocol.
 *
 * Return: a NUL-terminated string, "" when there is none.
 */
const char *arch_cmdline(void);

/**
 * arch_memmap - fill the boot memory map.
 * @m: an initialised, empty map.
 *
 * Adds the firmware's ranges and reserves what the kernel must keep: its
 * image, boot page tables, boot information, the device tree, modules,
 * low memory the platform needs. Does not sanitize.
 *
 * Return: 0, or -1 when the boot information has no memory map.
 */
int arch_memmap(struct memmap *m);

/**
 * arch_nr_cpus - CPUs the firmware described (after arch_early_init()).
 *
 * Return: 1 .. %PORT_MAX_CPUS; kcpus[0 .. n-1].hwid are filled.
 */
unsigned int arch_nr_cpus(void);

/**
 * arch_cpus_start - start every secondary CPU.
 *
 * Needs the frame allocator (stacks, trampolines). Each CPU that starts
 * calls kernel_secondary_main(). Waits a bounded time for each.
 *
 * Return: number of CPUs online afterwards, the boot CPU included.
 */
unsigned int arch_cpus_start(void);

/**
 * arch_timer_start - periodic interrupt on the calling CPU.
 * @hz: ticks per second.
 * @handler: called in interrupt context on each tick.
 *
 * Return: 0, or -1 if the timer cannot run at that rate.
 */
int arch_timer_start(unsigned int hz, void (*handler)(void));

/**
 * arch_timer_stop - stop the calling CPU's periodic interrupt.
 */
void arch_timer_stop(void);

/**
 * arch_time_ns - monotonic nanoseconds since an arbitrary point at boot.
 *
 * Interrupt context: yes.
 */
uint64_t arch_time_ns(void);

/**
 * arch_irq_enable - enable interrupts on the calling CPU.
 */
void arch_irq_enable(void);

/**
 * arch_cpu_idle - enable interrupts and wait for one.
 *
 * Returns after an interrupt (or spuriously) with interrupts left
 * enabled; the caller loops.
 */
void arch_cpu_idle(void);

/**
 * arch_cpus_kick - wake every other CPU from arch_cpu_idle().
 *
 * May do nothing if the timer wakes idle CPUs often enough.
 */
void arch_cpus_kick(void);

/**
 * arch_stop_others - stop every other CPU for good (panic).
 *
 * Interrupt context: yes. Must work even if the other CPUs have
 * interrupts disabled or hold locks.
 */
void arch_stop_others(void);

/**
 * arch_halt - end the run: report @status to the host and power off.
 * @status: 0 for success, anything else for failure.
 */
__noreturn void arch_halt(int status);

/**
 * this_kcpu - the calling CPU's per-CPU area.
 *
 * Return: &kcpus[port_cpu_id()]. Interrupt context: yes. Stable only
 * while interrupts are disabled (or in thread context of a CPU-bound loop,
 * which the demo kernel never migrates).
 */
struct kcpu *this_kcpu(void);

#endif /* KMA_KERNEL_H */
