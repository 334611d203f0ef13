// SPDX-License-Identifier: MIT
/*
 * vectors.c - the ARMv7-M vector table, the fault handlers, and SysTick
 * as the timer tick and the clock.
 *
 * The table sits at address 0 (linker/armv7m.ld): the initial main stack
 * pointer, then one handler per exception number. Every exception the
 * kernel does not expect (NMI, MemManage, BusFault and UsageFault, which
 * are disabled and so escalate to HardFault anyway, SVCall, PendSV,
 * external interrupts) ends in a panic naming its number. HardFault
 * prints the stacked frame and the fault status registers and panics
 * (exit status non-zero), except for one case it steps over: a
 * semihosting BKPT 0xab executed while QEMU has semihosting off (the
 * debug event escalates to HardFault; armv7m_semihosting_call() then
 * returns -1).
 *
 * DOC: the clock
 *
 * SysTick counts the 25 MHz processor clock down from its reload value
 * R to 0 and interrupts at the 1 -> 0 step; a period is R + 1 cycles.
 * It always runs, from armv7m_clock_init() on: its handler counts the
 * periods (clk_wraps) and calls the kernel's tick handler only while one
 * is installed (arch_timer_stop() only removes it, so arch_time_ns()
 * keeps going). Time = clk_base_ns + (periods * (R + 1) + cycles into
 * this period) * 40 ns, read with interrupts masked: a period that ended
 * but whose interrupt is still pending (ICSR.PENDSTSET) is counted there.
 * QEMU may read the counter as 0 for an expired period before it sets
 * the pending bit; the clock then reads the start of the period, and
 * clk_last_ns keeps it from going backwards. Changing the rate restarts
 * the count at the current time. Under -icount shift=0 one cycle is 40
 * instructions' worth of time.
 *
 * State: clk_* and tick_handler, written with interrupts masked (one
 * CPU), read by the SysTick handler.
 */
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "armv7m.h"

#define NR_EXTERNAL_IRQS	32	/* mps2-an385 */
#define SYSTICK_PRIO		0xe0U	/* lowest (3 priority bits) */
#define DEFAULT_HZ		100U

void armv7m_reset(void);
void armv7m_hardfault_entry(void);
void armv7m_hardfault(uint32_t *frame, uint32_t exc_return);
void armv7m_systick_entry(void);
void armv7m_systick(uint32_t *frame);
void armv7m_unexpected(void);

static uint32_t clk_reload;
static uint64_t clk_wraps;
static uint64_t clk_base_ns;
static uint64_t clk_last_ns;
static void (*tick_handler)(void);
static unsigned int faults_skipped;

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used))
static const vector_t vectors[16 + NR_EXTERNAL_IRQS] = {
	[0] = (vector_t)(uintptr_t)__stack_top,
	[1] = armv7m_reset,
	[2] = armv7m_unexpected,		/* NMI */
	[3] = armv7m_hardfault_entry,
	[4 ... 14] = armv7m_unexpected,
	[15] = armv7m_systick_entry,
	[16 ... 16 + NR_EXTERNAL_IRQS - 1] = armv7m_unexpected,
};

/**
 * armv7m_unexpected - any exception the kernel does not use.
 */
void armv7m_unexpected(void)
{
	uint32_t ipsr;

	__asm__ __volatile__("mrs %0, ipsr" : "=r"(ipsr));
	panic("unexpected exception %u", (unsigned int)(ipsr & 0x1ff));
}

/* Whether @pc may be read as an instruction of the image. */
static bool pc_in_image(uint32_t pc)
{
	return !(pc & 1) && pc >= (uintptr_t)__kernel_start &&
	       pc + 2 <= (uintptr_t)__etext;
}

/**
 * armv7m_hardfault - HardFault, from entry.S.
 * @frame: the stacked r0-r3, r12, lr, pc, xPSR.
 * @exc_return: lr at entry.
 *
 * Returns only after stepping over a semihosting BKPT that QEMU did not
 * take (semihosting off): the call's result, r0, becomes -1.
 */
void armv7m_hardfault(uint32_t *frame, uint32_t exc_return)
{
	uint32_t hfsr = REG32(SCB_HFSR), pc = frame[6];

	/* QEMU escalates the BKPT's debug event as FORCED with no
	 * configurable fault recorded; a core may say DEBUGEVT. */
	if ((hfsr & (HFSR_DEBUGEVT | HFSR_FORCED)) && !REG32(SCB_CFSR) &&
	    pc_in_image(pc) &&
	    *(const volatile uint16_t *)(uintptr_t)pc ==
	    THUMB_BKPT_SEMIHOSTING) {
		REG32(SCB_HFSR) = hfsr;		/* write 1 to clear */
		REG32(SCB_DFSR) = REG32(SCB_DFSR);
		frame[0] = (uint32_t)-1;
		frame[6] = pc + 2;
		faults_skipped++;
		return;
	}
	printk("HardFault: pc 0x%08x lr 0x%08x xpsr 0x%08x r0 0x%08x exc_return 0x%08x\n",
	       (unsigned int)pc, (unsigned int)frame[5],
	       (unsigned int)frame[7], (unsigned int)frame[0],
	       (unsigned int)exc_return);
	printk("HardFault: CFSR 0x%08x HFSR 0x%08x MMFAR 0x%08x BFAR 0x%08x\n",
	       (unsigned int)REG32(SCB_CFSR), (unsigned int)hfsr,
	       (unsigned int)REG32(SCB_MMFAR), (unsigned int)REG32(SCB_BFAR));
	panic("HardFault at pc 0x%08x", (unsigned int)pc);
}

/**
 * armv7m_faults_skipped - semihosting calls stepped over (QEMU had
 * semihosting off).
 *
 * Return: the count.
 */
unsigned int armv7m_faults_skipped(void)
{
	return faults_skipped;
}

/**
 * armv7m_systick - the SysTick exception (from armv7m_systick_entry):
 * send an interrupted restartable section of the allocator back to its
 * start, count the period, run the kernel's tick handler if one is
 * installed.
 * @frame: the stacked exception frame; frame[6] is the interrupted PC.
 */
void armv7m_systick(uint32_t *frame)
{
	struct kcpu *c = &kcpus[0];
	uintptr_t pc = frame[6];

	if (kma_rcs_fixup(&pc))
		frame[6] = (uint32_t)pc;
	clk_wraps++;
	if (!tick_handler)
		return;
	c->irq_depth++;
	tick_handler();
	c->irq_depth--;
}

/* Nanoseconds now; interrupts masked by the caller. */
static uint64_t clock_read(void)
{
	uint64_t wraps = clk_wraps, ns;
	uint32_t v = REG32(SYST_CVR), cycles;

	if (REG32(SCB_ICSR) & ICSR_PENDSTSET) {
		v = REG32(SYST_CVR);
		wraps++;
	}
	cycles = v ? clk_reload + 1 - v : 0;
	ns = clk_base_ns + (wraps * (clk_reload + 1) + cycles) * NS_PER_CYCLE;
	if (ns < clk_last_ns)
		ns = clk_last_ns;
	clk_last_ns = ns;
	return ns;
}

/* Restart SysTick with reload @reload, the clock going on from now. */
static void clock_set_reload(uint32_t reload)
{
	unsigned long flags = port_irq_save();
	uint64_t now = clk_reload ? clock_read() : 0;

	REG32(SYST_CSR) = 0;
	REG32(SCB_ICSR) = 1U << 25;		/* PENDSTCLR */
	REG32(SYST_RVR) = reload;
	REG32(SYST_CVR) = 0;			/* any write clears it */
	clk_reload = reload;
	clk_wraps = 0;
	clk_base_ns = now;
	REG32(SYST_CSR) = SYST_ENABLE | SYST_TICKINT | SYST_CLKSOURCE;
	port_irq_restore(flags);
}

/**
 * armv7m_clock_init - start SysTick as the clock, at 100 Hz, with no
 * tick handler. Boot CPU, interrupts masked, once.
 */
void armv7m_clock_init(void)
{
	REG32(SCB_SHPR3) = (REG32(SCB_SHPR3) & 0x00ffffffU) |
			   (SYSTICK_PRIO << 24);
	clock_set_reload(CPU_HZ / DEFAULT_HZ - 1);
}

/**
 * arch_time_ns - nanoseconds since armv7m_clock_init().
 *
 * Interrupt context: yes.
 *
 * Return: monotonic time.
 */
uint64_t arch_time_ns(void)
{
	unsigned long flags = port_irq_save();
	uint64_t ns = clock_read();

	port_irq_restore(flags);
	return ns;
}

/**
 * arch_timer_start - SysTick at @hz, calling @handler on each tick.
 * @hz: 2 .. 25,000,000 / 2 (the 24-bit counter: at most 0.67 s a tick).
 * @handler: interrupt context.
 *
 * Return: 0, or -1 when the counter cannot make that rate.
 */
int arch_timer_start(unsigned int hz, void (*handler)(void))
{
	uint32_t reload;

	if (!hz || hz > CPU_HZ / 2 || CPU_HZ / hz - 1 > SYST_MAX)
		return -1;
	reload = CPU_HZ / hz - 1;
	if (reload != clk_reload)
		clock_set_reload(reload);
	__atomic_store_n(&tick_handler, handler, __ATOMIC_RELEASE);
	return 0;
}

/**
 * arch_timer_stop - no more tick handler calls; SysTick keeps counting
 * for arch_time_ns().
 */
void arch_timer_stop(void)
{
	__atomic_store_n(&tick_handler, NULL, __ATOMIC_RELEASE);
}
