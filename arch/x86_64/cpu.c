// SPDX-License-Identifier: MIT
/*
 * cpu.c - this CPU's area (this_kcpu()), interrupts on and idle, the
 * COM1 console and the end of a run on x86-64. kma's port is in
 * kma_port.c.
 *
 * The GS base of each CPU points at its struct kcpu (set before the CPU
 * runs C code), so this_kcpu() is one load from %gs:0.
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

struct kcpu *this_kcpu(void)
{
	struct kcpu *c;

	__asm__ __volatile__("movq %%gs:%c1, %0" : "=r"(c) : "i"(KCPU_SELF));
	return c;
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
