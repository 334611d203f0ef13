// SPDX-License-Identifier: MIT
/*
 * platform.c - the ARMv7-M (Cortex-M3, QEMU mps2-an385) platform: the
 * CMSDK UART console, semihosting (command line, exit status), the boot
 * memory map from the linker's heap symbols, the single CPU, and the
 * kernel.h arch functions that are not about time or faults (those are
 * in vectors.c).
 *
 * One core, no MMU: physical == virtual, the per-CPU area is kcpus[0]
 * and port_cpu_id() is 0 (include/kma/port/armv7m.h); interrupts are
 * masked with PRIMASK. There is no boot information to parse: the RAM
 * the heap gets is the region linker/armv7m.ld names (PSRAM, the 16 MiB
 * QEMU's -m describes), and the command line comes from semihosting
 * SYS_GET_CMDLINE when QEMU has semihosting on (it returns "<image>
 * <-append text>"; the first word is dropped).
 *
 * State: cmdline_buf and armv7m_semihosting are written once by
 * arch_early_init() (interrupts masked) and read-only afterwards; the
 * UART registers are written by every printk() (printk serialises).
 */
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include "armv7m.h"

/* CMSDK APB UART0. */
#define UART_BASE	0x40004000U
#define UART_DATA	(UART_BASE + 0x00)
#define UART_STATE	(UART_BASE + 0x04)
#define  UART_TX_FULL	(1U << 0)
#define UART_CTRL	(UART_BASE + 0x08)
#define  UART_TX_EN	(1U << 0)
#define UART_BAUDDIV	(UART_BASE + 0x10)
#define UART_BAUD	115200U

#define CMDLINE_MAX	512

bool armv7m_semihosting;
static char cmdline_buf[CMDLINE_MAX];
static const char *cmdline = "";

static void uart_putc(char ch)
{
	while (REG32(UART_STATE) & UART_TX_FULL)
		;
	REG32(UART_DATA) = (uint8_t)ch;
}

/**
 * arch_console_write - write raw bytes to the CMSDK UART, "\n" as
 * "\r\n".
 * @s: text.
 * @len: bytes.
 */
void arch_console_write(const char *s, size_t len)
{
	while (len--) {
		if (*s == '\n')
			uart_putc('\r');
		uart_putc(*s++);
	}
}

/**
 * armv7m_early_puts - print before printk is wanted.
 * @s: NUL-terminated text.
 */
void armv7m_early_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	arch_console_write(s, n);
}

/**
 * armv7m_semihosting_call - one semihosting operation (BKPT 0xab).
 * @op: operation number (r0).
 * @arg: its parameter (r1): a value or a parameter block's address.
 *
 * Without semihosting in QEMU the BKPT faults and the HardFault handler
 * steps over it with r0 = -1; if the core ignores it instead, r0 keeps
 * @op. Callers check for the operation's own success value.
 *
 * Return: r0 after the call.
 */
long armv7m_semihosting_call(uint32_t op, uintptr_t arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register uint32_t r1 __asm__("r1") = arg;

	__asm__ __volatile__("bkpt #0xab" : "+r"(r0) : "r"(r1) : "memory");
	return (long)(int32_t)r0;
}

/* SYS_GET_CMDLINE into cmdline_buf; true if semihosting answered. */
static bool semihosting_cmdline(void)
{
	struct { char *buf; uint32_t len; } blk = {
		cmdline_buf, sizeof(cmdline_buf) - 1
	};
	const char *p = cmdline_buf;

	if (armv7m_semihosting_call(SEMI_SYS_GET_CMDLINE,
				    (uintptr_t)&blk) != 0)
		return false;
	cmdline_buf[blk.len < CMDLINE_MAX ? blk.len : CMDLINE_MAX - 1] = 0;
	while (*p && *p != ' ')		/* the image's name */
		p++;
	while (*p == ' ')
		p++;
	cmdline = p;
	return true;
}

/**
 * arch_early_init - console, CPU 0's area, fault handling, the clock,
 * semihosting and the command line.
 */
void arch_early_init(void)
{
	REG32(SCB_CCR) |= CCR_STKALIGN;	/* 8-byte aligned exception frames */
	REG32(UART_BAUDDIV) = CPU_HZ / UART_BAUD;
	REG32(UART_CTRL) = UART_TX_EN;
	kcpus[0].self = &kcpus[0];
	kcpus[0].id = 0;
	kcpus[0].hwid = REG32(SCB_CPUID);
	kcpus[0].stack_top = __stack_top;
	__atomic_store_n(&kcpus[0].online, 1, __ATOMIC_RELEASE);
	armv7m_clock_init();
	armv7m_semihosting = semihosting_cmdline();
	printk("armv7m: Cortex-M CPUID 0x%08x, image [0x%08x-0x%08x), data and stack [0x%08x-0x%08x)\n",
	       (unsigned int)kcpus[0].hwid,
	       (unsigned int)(uintptr_t)__kernel_start,
	       (unsigned int)(uintptr_t)__image_end,
	       (unsigned int)(uintptr_t)__data_start,
	       (unsigned int)(uintptr_t)__stack_top);
	printk("armv7m: heap RAM [0x%08x-0x%08x), SysTick %u Hz at %u MHz, semihosting %s\n",
	       (unsigned int)(uintptr_t)__heap_start,
	       (unsigned int)(uintptr_t)__heap_end, 100U, CPU_HZ / 1000000,
	       armv7m_semihosting ? "on" : "off (no command line)");
}

/**
 * arch_cmdline - the command line semihosting gave, without the image
 * name.
 *
 * Return: the string, "" without semihosting.
 */
const char *arch_cmdline(void)
{
	return cmdline;
}

/**
 * arch_memmap - the heap region of the linker script as usable RAM, and
 * the image as the kernel's (outside it: for the dump only).
 * @m: an initialised, empty map.
 *
 * Return: 0, or -1 if the map is full.
 */
int arch_memmap(struct memmap *m)
{
	uintptr_t hs = (uintptr_t)__heap_start, he = (uintptr_t)__heap_end;
	uintptr_t ks = (uintptr_t)__kernel_start;
	uintptr_t ds = (uintptr_t)__data_start;
	uintptr_t de = (uintptr_t)__stack_top;
	int ret;

	ret = memmap_add(m, hs, he - hs, MEMMAP_USABLE);
	ret |= memmap_add(m, ks, (uintptr_t)__image_end - ks, MEMMAP_KERNEL);
	ret |= memmap_add(m, ds, de - ds, MEMMAP_KERNEL);
	return ret ? -1 : 0;
}

/** arch_nr_cpus - one CPU. */
unsigned int arch_nr_cpus(void)
{
	return 1;
}

/** arch_cpus_start - nothing to start. Return: 1. */
unsigned int arch_cpus_start(void)
{
	return kernel_nr_online();
}

/** arch_cpus_kick - there is no other CPU to wake. */
void arch_cpus_kick(void)
{
}

/** arch_stop_others - there is no other CPU to stop. */
void arch_stop_others(void)
{
}

/**
 * this_kcpu - the only CPU's area.
 *
 * Return: &kcpus[0].
 */
struct kcpu *this_kcpu(void)
{
	return &kcpus[0];
}

/**
 * arch_irq_enable - clear PRIMASK.
 */
void arch_irq_enable(void)
{
	__asm__ __volatile__("cpsie i" ::: "memory");
}

/**
 * arch_cpu_idle - wait for an interrupt, then let it in.
 *
 * WFI with PRIMASK set still wakes on a pending interrupt, so nothing is
 * lost between the caller's check and the wait.
 */
void arch_cpu_idle(void)
{
	__asm__ __volatile__("cpsid i; wfi; cpsie i" ::: "memory");
}

/**
 * arch_halt - end the run.
 * @status: 0 for success.
 *
 * With semihosting, SYS_EXIT (ApplicationExit) for 0 and
 * SYS_EXIT_EXTENDED with @status otherwise: QEMU exits with @status.
 * Without it, a system reset request, which QEMU's -no-reboot turns
 * into its exit (status 0).
 */
__noreturn void arch_halt(int status)
{
	uint32_t block[2] = { ADP_STOPPED_APP_EXIT, (uint32_t)status };

	port_irq_save();
	if (armv7m_semihosting) {
		if (!status)
			armv7m_semihosting_call(SEMI_SYS_EXIT,
						ADP_STOPPED_APP_EXIT);
		armv7m_semihosting_call(SEMI_SYS_EXIT_EXTENDED,
					(uintptr_t)block);
	}
	__asm__ __volatile__("dsb" ::: "memory");
	REG32(SCB_AIRCR) = AIRCR_VECTKEY | AIRCR_SYSRESETREQ;
	__asm__ __volatile__("dsb" ::: "memory");
	armv7m_early_puts("kma: reset request ignored; parking\n");
	for (;;)
		__asm__ __volatile__("wfi");
}
