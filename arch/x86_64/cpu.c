// SPDX-License-Identifier: MIT
/*
 * port.c - the port interface (include/kma/port.h) on x86-64, the COM1
 * console and the end of a run.
 *
 * CPU id: the GS base of each CPU points at its struct kcpu (set before
 * the CPU runs C code), so port_cpu_id() is one load from %gs:8 and
 * this_kcpu() one load from %gs:0. The direct map is the identity map the
 * boot code builds over all RAM. Interrupt state is RFLAGS.IF.
 *
 * State: x86_nr_cpus (CPU slots, written by arch_early_init() before the
 * allocator starts, constant afterwards). The UART is written without a
 * lock: printk serialises its callers.
 */
#include <kma/port.h>
#include <kma/mm_report.h>
#include "kernel.h"
#include "x86.h"

#define COM1		0x3f8
#define DEBUG_EXIT_PORT	0xf4

unsigned int x86_nr_cpus = 1;

unsigned int (port_cpu_id)(void)
{
	unsigned int id;

	__asm__ __volatile__("movl %%gs:%c1, %0" : "=r"(id) : "i"(KCPU_ID));
	return id;
}

struct kcpu *this_kcpu(void)
{
	struct kcpu *c;

	__asm__ __volatile__("movq %%gs:%c1, %0" : "=r"(c) : "i"(KCPU_SELF));
	return c;
}

unsigned int port_cpu_count(void)
{
	return x86_nr_cpus;
}

unsigned long (port_irq_save)(void)
{
	unsigned long flags;

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void (port_irq_restore)(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		__asm__ __volatile__("sti" : : : "memory");
}

void *port_phys_to_virt(phys_addr_t pa)
{
	return (void *)(uintptr_t)pa;
}

phys_addr_t port_virt_to_phys(const void *va)
{
	return (phys_addr_t)(uintptr_t)va;
}

void arch_irq_enable(void)
{
	__asm__ __volatile__("sti" : : : "memory");
}

void arch_cpu_idle(void)
{
	/* sti takes effect after hlt starts: no wakeup is lost. */
	__asm__ __volatile__("sti; hlt" : : : "memory");
}

/**
 * x86_serial_init - program COM1 for 115200 8N1, FIFOs on.
 */
void x86_serial_init(void)
{
	outb(COM1 + 1, 0x00);		/* no interrupts */
	outb(COM1 + 3, 0x80);		/* DLAB */
	outb(COM1 + 0, 0x01);		/* divisor 1: 115200 baud */
	outb(COM1 + 1, 0x00);
	outb(COM1 + 3, 0x03);		/* 8N1 */
	outb(COM1 + 2, 0xc7);		/* FIFO on, cleared, 14-byte */
	outb(COM1 + 4, 0x03);		/* DTR, RTS */
}

static void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
}

void arch_console_write(const char *s, size_t len)
{
	while (len--) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
	}
}

__noreturn void arch_halt(int status)
{
	/* isa-debug-exit: QEMU exits with (status << 1) | 1. */
	outb(DEBUG_EXIT_PORT, (uint8_t)status);
	cpu_halt_forever();
	__builtin_unreachable();
}
