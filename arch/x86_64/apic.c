// SPDX-License-Identifier: MIT
/*
 * apic.c - the local APIC (xAPIC, memory-mapped): enabling it, the
 * periodic timer, inter-processor interrupts (kick, NMI, INIT, SIPI), and
 * the clocks: LAPIC timer and TSC rates measured against PIT channel 2.
 *
 * State: lapic (the MMIO base), lapic_hz and tsc_khz, tsc0 (all written
 * once by the boot CPU in x86_apic_init() before other CPUs start, then
 * read-only). The ICR is written by one CPU at a time in practice (boot
 * CPU during bring-up, smp_call_all() caller, the panicking CPU); each
 * sender waits for the previous delivery to finish.
 */
#include "kernel.h"
#include "x86.h"

#define LAPIC_ID	0x020
#define LAPIC_TPR	0x080
#define LAPIC_EOI	0x0b0
#define LAPIC_SVR	0x0f0
#define LAPIC_ESR	0x280
#define LAPIC_ICR_LO	0x300
#define LAPIC_ICR_HI	0x310
#define LAPIC_LVT_TMR	0x320
#define LAPIC_LVT_LINT0	0x350
#define LAPIC_LVT_LINT1	0x360
#define LAPIC_LVT_ERR	0x370
#define LAPIC_TMR_INIT	0x380
#define LAPIC_TMR_CUR	0x390
#define LAPIC_TMR_DIV	0x3e0

#define LVT_MASKED	(1u << 16)
#define LVT_PERIODIC	(1u << 17)
#define ICR_PENDING	(1u << 12)
#define ICR_ASSERT	(1u << 14)
#define ICR_LEVEL	(1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_FIXED	(0u << 8)
#define ICR_NMI		(4u << 8)
#define ICR_INIT	(5u << 8)
#define ICR_STARTUP	(6u << 8)

#define PIT_HZ		1193182u
#define CALIB_MS	10u

static volatile uint32_t *lapic = (volatile uint32_t *)0xfee00000UL;
static uint64_t lapic_hz;		/* timer ticks per second, divide 16 */
static uint64_t tsc_khz;
static uint64_t tsc0;

static inline uint32_t lapic_read(unsigned int reg)
{
	return lapic[reg / 4];
}

static inline void lapic_write(unsigned int reg, uint32_t v)
{
	lapic[reg / 4] = v;
}

/**
 * x86_lapic_eoi - signal end of interrupt.
 */
void x86_lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

/**
 * x86_lapic_id - the calling CPU's local APIC id.
 *
 * Return: the id (bits 31:24 of the ID register).
 */
uint32_t x86_lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}

/**
 * x86_lapic_cpu_init - enable the calling CPU's local APIC.
 */
void x86_lapic_cpu_init(void)
{
	wrmsr(MSR_APIC_BASE, rdmsr(MSR_APIC_BASE) | (1u << 11));
	lapic_write(LAPIC_TPR, 0);
	lapic_write(LAPIC_LVT_LINT0, LVT_MASKED);
	lapic_write(LAPIC_LVT_LINT1, LVT_MASKED);
	lapic_write(LAPIC_LVT_ERR, LVT_MASKED);
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED);
	lapic_write(LAPIC_SVR, 0x100 | VEC_SPURIOUS);
	lapic_write(LAPIC_ESR, 0);
	lapic_write(LAPIC_EOI, 0);
}

/* Count LAPIC timer ticks and TSC cycles over CALIB_MS of PIT ch. 2. */
static void apic_calibrate(void)
{
	uint32_t count = PIT_HZ * CALIB_MS / 1000, left;
	uint64_t t0, t1;
	uint8_t v;

	outb(0x61, (uint8_t)((inb(0x61) & ~0x02) & ~0x01));
	outb(0x43, 0xb0);		/* ch 2, lo/hi, mode 0 */
	outb(0x42, (uint8_t)count);
	outb(0x42, (uint8_t)(count >> 8));
	lapic_write(LAPIC_TMR_DIV, 0x3);	/* divide by 16 */
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED);
	v = inb(0x61);
	outb(0x61, (uint8_t)(v | 0x01));	/* gate on: count starts */
	lapic_write(LAPIC_TMR_INIT, 0xffffffffu);
	t0 = rdtsc();
	while (!(inb(0x61) & 0x20))
		;
	t1 = rdtsc();
	left = lapic_read(LAPIC_TMR_CUR);
	lapic_write(LAPIC_TMR_INIT, 0);
	outb(0x61, (uint8_t)(inb(0x61) & ~0x01));
	lapic_hz = (uint64_t)(0xffffffffu - left) * 1000 / CALIB_MS;
	tsc_khz = (t1 - t0) / CALIB_MS;
	if (!tsc_khz)
		tsc_khz = 1;
}

/**
 * x86_apic_init - boot CPU: map the LAPIC, mask the 8259s, enable the
 * LAPIC, measure the clocks.
 * @lapic_pa: physical address from the MADT (0: the default).
 */
void x86_apic_init(uint64_t lapic_pa)
{
	if (lapic_pa)
		lapic = (volatile uint32_t *)(uintptr_t)lapic_pa;
	outb(0x21, 0xff);		/* mask both 8259 PICs */
	outb(0xa1, 0xff);
	x86_lapic_cpu_init();
	tsc0 = rdtsc();
	apic_calibrate();
	printk("apic: LAPIC at 0x%llx, timer %llu kHz (/16), TSC %llu MHz\n",
	       (unsigned long long)(uintptr_t)lapic,
	       (unsigned long long)(lapic_hz / 1000),
	       (unsigned long long)(tsc_khz / 1000));
}

uint64_t arch_time_ns(void)
{
	uint64_t d = rdtsc() - tsc0;

	if (!tsc_khz)
		return 0;
	return d / tsc_khz * 1000000 + d % tsc_khz * 1000000 / tsc_khz;
}

/**
 * x86_udelay - busy-wait about @us microseconds (TSC).
 * @us: microseconds.
 */
void x86_udelay(uint64_t us)
{
	uint64_t end = arch_time_ns() + us * 1000;

	while (arch_time_ns() < end)
		__builtin_ia32_pause();
}

int arch_timer_start(unsigned int hz, void (*handler)(void))
{
	uint64_t count;

	if (!hz || !lapic_hz)
		return -1;
	count = lapic_hz / hz;
	if (!count || count > 0xffffffffu)
		return -1;
	x86_set_timer_handler(handler);
	lapic_write(LAPIC_TMR_DIV, 0x3);
	lapic_write(LAPIC_LVT_TMR, VEC_TIMER | LVT_PERIODIC);
	lapic_write(LAPIC_TMR_INIT, (uint32_t)count);
	return 0;
}

void arch_timer_stop(void)
{
	lapic_write(LAPIC_LVT_TMR, LVT_MASKED);
	lapic_write(LAPIC_TMR_INIT, 0);
}

static void icr_wait(void)
{
	unsigned int n;

	for (n = 0; n < 1000000 && (lapic_read(LAPIC_ICR_LO) & ICR_PENDING);
	     n++)
		__builtin_ia32_pause();
}

/**
 * x86_ipi - send an IPI.
 * @apic_id: destination (ignored with a shorthand in @icr).
 * @icr: delivery mode, vector and shorthand bits of ICR low.
 */
void x86_ipi(uint32_t apic_id, uint32_t icr)
{
	unsigned long flags = port_irq_save();

	icr_wait();
	lapic_write(LAPIC_ICR_HI, apic_id << 24);
	lapic_write(LAPIC_ICR_LO, icr);
	icr_wait();
	port_irq_restore(flags);
}

/**
 * x86_ipi_init_sipi - INIT, then two STARTUP IPIs at @page (below 1 MiB).
 * @apic_id: the CPU to start.
 * @page: physical address of the trampoline, 4 KiB aligned.
 * @started: set by the CPU when it runs; the second SIPI is skipped if
 *           the first worked.
 */
void x86_ipi_init_sipi(uint32_t apic_id, uint64_t page,
		       const volatile int *started)
{
	uint32_t vec = (uint32_t)(page >> 12) & 0xff;

	x86_ipi(apic_id, ICR_INIT | ICR_ASSERT | ICR_LEVEL);
	x86_udelay(10000);
	x86_ipi(apic_id, ICR_STARTUP | vec);
	x86_udelay(200);
	if (!*started)
		x86_ipi(apic_id, ICR_STARTUP | vec);
}

void arch_cpus_kick(void)
{
	if (kernel_nr_online() > 1)
		x86_ipi(0, ICR_ALL_BUT_SELF | ICR_FIXED | VEC_KICK);
}

void arch_stop_others(void)
{
	if (kernel_nr_online() > 1)
		x86_ipi(0, ICR_ALL_BUT_SELF | ICR_NMI | ICR_ASSERT);
}
