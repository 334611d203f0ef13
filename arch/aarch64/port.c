// SPDX-License-Identifier: MIT
/*
 * port.c - the port interface and the kernel.h arch interface for the
 * AArch64 kernel: placeholder, boot CPU only, no timer, no memory map.
 */
#include <port.h>
#include <mm_report.h>
#include "kernel.h"

#define PL011_BASE	0x09000000UL

static void uart_putc(char c)
{
	volatile uint32_t *uart = (volatile uint32_t *)PL011_BASE;

	while (uart[0x18 / 4] & (1U << 5))	/* FR.TXFF */
		;
	uart[0] = (uint32_t)c;
}

unsigned int port_cpu_id(void)
{
	return 0;
}

unsigned int port_cpu_count(void)
{
	return 1;
}

unsigned long port_irq_save(void)
{
	unsigned long flags;

	__asm__ __volatile__("mrs %0, daif; msr daifset, #2"
			     : "=r"(flags) : : "memory");
	return flags;
}

void port_irq_restore(unsigned long flags)
{
	__asm__ __volatile__("msr daif, %0" : : "r"(flags) : "memory");
}

void *port_phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}

phys_addr_t port_virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}

void arch_console_write(const char *s, size_t len)
{
	while (len--) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

/* Placeholders of the kernel.h arch interface until the real port. */
void arch_early_init(void)
{
	kcpus[0].self = &kcpus[0];
}

const char *arch_cmdline(void)
{
	return "";
}

int arch_memmap(struct memmap *m)
{
	(void)m;
	return -1;
}

unsigned int arch_nr_cpus(void)
{
	return 1;
}

unsigned int arch_cpus_start(void)
{
	return 1;
}

int arch_timer_start(unsigned int hz, void (*handler)(void))
{
	(void)hz;
	(void)handler;
	return -1;
}

void arch_timer_stop(void)
{
}

uint64_t arch_time_ns(void)
{
	return 0;
}

void arch_irq_enable(void)
{
}

void arch_cpu_idle(void)
{
	__asm__ __volatile__("wfi");
}

void arch_cpus_kick(void)
{
}

void arch_stop_others(void)
{
}

struct kcpu *this_kcpu(void)
{
	return &kcpus[0];
}

__noreturn void arch_halt(int status)
{
	(void)status;
	/* PSCI SYSTEM_OFF through hvc. */
	register unsigned long x0 __asm__("x0") = 0x84000008UL;

	__asm__ __volatile__("hvc #0" : "+r"(x0) : : "memory");
	for (;;)
		__asm__ __volatile__("wfi");
}
