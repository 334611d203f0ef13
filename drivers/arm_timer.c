// SPDX-License-Identifier: MIT
/*
 * arm_timer.c - the Arm generic timer, for both Arm kernels (AArch64 and
 * 32-bit Arm): the virtual timer of the kernel's level (EL1, PL1) as each
 * CPU's periodic interrupt, the virtual count as the clock.
 *
 * The virtual timer is what such a kernel owns whether or not the level
 * above exists (each entry.S sets CNTVOFF to 0 when we came from EL2 or
 * HYP, so the virtual count equals the physical one). Its interrupt is
 * the third PPI of the device tree's arm,armv8-timer or arm,armv7-timer
 * node (INTID 27 on the virt machine). The registers come from the
 * architecture's arm_cpu.h; CNTFRQ and TVAL are 32 bits on both.
 *
 * State: cnt_freq, ns_per_tick and timer_ppi are set by timer_init() on
 * the boot CPU; tick_handler by the first arch_timer_start() (one handler
 * for all CPUs); interval[cpu] is written and read only by that CPU.
 */
#include "arm_cpu.h"
#include "arm_timer.h"
#include "fdt.h"
#include "gic.h"
#include "kernel.h"

static uint32_t cnt_freq;
static uint32_t ns_per_tick;	/* 10^9 / cnt_freq when exact, else 0 */
static unsigned int timer_ppi = 27;
static void (*tick_handler)(void);
static uint32_t interval[PORT_MAX_CPUS];

/**
 * timer_init - read the counter frequency and the timer's interrupt.
 * @fi: the parsed device tree.
 */
void timer_init(const struct fdt_info *fi)
{
	cnt_freq = read_cntfrq();
	if (cnt_freq && 1000000000u % cnt_freq == 0)
		ns_per_tick = 1000000000u / cnt_freq;
	if (fi->has_timer && fi->timer_ppi[2])
		timer_ppi = fi->timer_ppi[2];
}

/** timer_intid - the INTID of the virtual timer. */
unsigned int timer_intid(void)
{
	return timer_ppi;
}

/**
 * arch_timer_start - periodic interrupt on the calling CPU.
 * @hz: ticks per second.
 * @handler: called in interrupt context on each tick.
 *
 * Return: 0, or -1 if the counter runs too slowly for @hz.
 */
int arch_timer_start(unsigned int hz, void (*handler)(void))
{
	unsigned int cpu = port_cpu_id();

	if (!hz || !cnt_freq || cnt_freq / hz == 0)
		return -1;
	tick_handler = handler;
	interval[cpu] = cnt_freq / hz;
	write_cntv_tval(interval[cpu]);
	write_cntv_ctl(1);		/* ENABLE, not masked */
	isb();
	gic_enable_ppi(timer_ppi);
	return 0;
}

/**
 * arch_timer_stop - stop the calling CPU's periodic interrupt.
 */
void arch_timer_stop(void)
{
	write_cntv_ctl(0);
	isb();
}

/**
 * timer_irq - the timer fired on this CPU: re-arm, call the handler.
 */
void timer_irq(void)
{
	unsigned int cpu = port_cpu_id();

	if (!interval[cpu]) {
		write_cntv_ctl(0);
		return;
	}
	write_cntv_tval(interval[cpu]);
	isb();
	if (tick_handler)
		tick_handler();
}

/**
 * arch_time_ns - nanoseconds of the virtual count.
 *
 * Return: count converted to ns (0 before timer_init()).
 */
uint64_t arch_time_ns(void)
{
	uint64_t cnt, sec;

	if (!cnt_freq)
		return 0;
	isb();
	cnt = read_cntvct();
	if (ns_per_tick)	/* 62.5 MHz on QEMU's virt: no division */
		return cnt * ns_per_tick;
	sec = cnt / cnt_freq;
	return sec * 1000000000ULL +
	       (cnt - sec * cnt_freq) * 1000000000ULL / cnt_freq;
}
