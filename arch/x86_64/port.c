// SPDX-License-Identifier: MIT
/*
 * port.c - the port interface for the x86-64 kernel (boot CPU only yet).
 */
#include <port.h>
#include <mm_report.h>
#include "kernel.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

#define COM1 0x3f8

static void serial_putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, (uint8_t)c);
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

	__asm__ __volatile__("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

void port_irq_restore(unsigned long flags)
{
	if (flags & (1UL << 9))
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

void arch_console_write(const char *s, size_t len)
{
	while (len--) {
		if (*s == '\n')
			serial_putc('\r');
		serial_putc(*s++);
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
	__asm__ __volatile__("sti; hlt");
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
	/* isa-debug-exit at 0xf4: QEMU exits with (status << 1) | 1. */
	outb(0xf4, (uint8_t)status);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}
