// SPDX-License-Identifier: MIT
/*
 * port.c - the port interface for the AArch64 kernel (boot CPU only yet).
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

void port_print(const char *s, size_t len)
{
	while (len--) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

__noreturn void port_panic(const char *msg)
{
	mm_printf("PANIC: %s\n", msg);
	arch_halt(2);
}

void port_report(const struct mm_report *r)
{
	mm_printf("%s\n", r->msg);
	port_panic("misuse detected");
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
