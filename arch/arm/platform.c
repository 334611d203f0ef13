// SPDX-License-Identifier: MIT
/*
 * platform.c - the 32-bit Arm platform: boot before the MMU (arm_boot()),
 * the console, and the kernel.h arch functions that are not about CPUs,
 * interrupts or time. kma's port is in kma_port.c.
 *
 * Boot order on the boot CPU (entry.S calls the first two):
 *   arm_boot(dtb, cpsr)    MMU off: parse the device tree, pick the
 *                          console, build the translation table
 *   arm_mmu_on()           MMU and caches on
 *   kmain() -> arch_early_init()
 *                          CPU list, GIC, timer, boot report
 *
 * State: everything here is written by the boot CPU before other CPUs
 * start and is read-only afterwards (arm_fdt, uart_base, the CPU list),
 * except the console registers, which every CPU writes (printk
 * serialises lines; arch_console_write() itself takes no lock).
 */
#include <kma/mm_report.h>
#include "arm.h"
#include "pl011.h"

#define DTB_MAX_SIZE	(64U << 20)

/* Semihosting (QEMU -semihosting): SVC 0x123456 in ARM state. */
#define SEMI_SYS_EXIT		0x18
#define SEMI_SYS_EXIT_EXTENDED	0x20
#define ADP_STOPPED_APP_EXIT	0x20026

struct fdt_info arm_fdt;
uint64_t arm_dtb_pa;
unsigned int arm_nr_cpus = 1;

static uintptr_t uart_base = UART_FALLBACK;
static uint32_t entry_mode;
static bool use_semihosting;

/**
 * arch_console_write - write raw bytes to the PL011 (drivers/pl011.c).
 * @s: text.
 * @len: bytes.
 */
void arch_console_write(const char *s, size_t len)
{
	pl011_write(uart_base, s, len);
}

/**
 * arm_early_puts - print before printk works (even with the MMU off).
 * @s: NUL-terminated text.
 */
void arm_early_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	arch_console_write(s, n);
}

static __noreturn void early_stop(void)
{
	for (;;)
		__asm__ __volatile__("cpsid aif; wfi");
}

/**
 * arm_boot - first C code, boot CPU, MMU off.
 * @dtb: physical address of the device tree (r2 at entry).
 * @cpsr: CPSR at entry (its mode: SVC, or HYP when we dropped from it).
 *
 * Parses the device tree, selects the console and builds the translation
 * table. A tree it cannot use stops the CPU with the parser's
 * explanation.
 */
void arm_boot(uint32_t dtb, uint32_t cpsr)
{
	const void *blob = (const void *)(uintptr_t)dtb;
	uint32_t size;
	int ret;

	entry_mode = cpsr & PSR_MODE_MASK;
	arm_dtb_pa = dtb;
	if (!dtb || dtb % 8) {
		arm_early_puts("kma: no device tree in r2 (boot the Image, not the ELF)\n");
		early_stop();
	}
	size = fdt_header_size(blob);
	if (!size || size > DTB_MAX_SIZE) {
		arm_early_puts("kma: r2 does not point at a device tree\n");
		early_stop();
	}
	ret = fdt_parse(blob, size, &arm_fdt);
	if (ret) {
		arm_early_puts("kma: unusable device tree: ");
		arm_early_puts(arm_fdt.err);
		arm_early_puts("\n");
		early_stop();
	}
	if (arm_fdt.uart_base && arm_fdt.uart_base < DIRECT_MAP_END)
		uart_base = (uintptr_t)arm_fdt.uart_base;
	if (mmu_build(&arm_fdt, uart_base))
		early_stop();
}

/* Boot CPU first, then the tree's other CPUs, up to maxcpus=. */
static void cpus_enumerate(void)
{
	uint32_t me = read_mpidr() & MPIDR_AFF_MASK, m;
	uint64_t max = cmdline_get_u64("maxcpus", PORT_MAX_CPUS);
	const struct fdt_info *fi = &arm_fdt;
	unsigned int i, n = 1;
	bool found = false;

	if (cmdline_get("nosmp"))
		max = 1;
	if (!max || max > PORT_MAX_CPUS)
		max = PORT_MAX_CPUS;
	arm_cpu_mpidr[0] = me;
	for (i = 0; i < fi->nr_cpus; i++) {
		m = (uint32_t)fi->cpu_mpidr[i] & MPIDR_AFF_MASK;
		if (m == me) {
			found = true;
			continue;
		}
		if (n < max)
			arm_cpu_mpidr[n++] = m;
	}
	if (fi->nr_cpus && !found)
		printk("cpu: boot CPU (MPIDR 0x%x) missing from /cpus\n",
		       (unsigned int)me);
	arm_nr_cpus = n;
	for (i = 0; i < n; i++) {
		kcpus[i].self = &kcpus[i];
		kcpus[i].id = i;
		kcpus[i].hwid = arm_cpu_mpidr[i];
	}
}

static const char *const psci_names[] = { "none", "hvc", "smc" };

static const char *mode_name(uint32_t mode)
{
	switch (mode) {
	case PSR_MODE_SVC: return "SVC";
	case PSR_MODE_HYP: return "HYP";
	default:	   return "another";
	}
}

static void boot_report(void)
{
	const struct fdt_info *fi = &arm_fdt;
	uint64_t total = 0;
	unsigned int i;

	printk("arm: entered in %s mode, now %s; device tree at 0x%llx (%u bytes)\n",
	       mode_name(entry_mode), mode_name(read_cpsr() & PSR_MODE_MASK),
	       (unsigned long long)arm_dtb_pa, (unsigned int)fi->totalsize);
	for (i = 0; i < fi->nr_mem; i++) {
		printk("arm: memory [0x%llx-0x%llx]\n",
		       (unsigned long long)fi->mem[i].base,
		       (unsigned long long)(fi->mem[i].base +
					    fi->mem[i].size - 1));
		total += fi->mem[i].size;
	}
	for (i = 0; i < fi->nr_rsv; i++)
		printk("arm: reserved [0x%llx-0x%llx]%s%s\n",
		       (unsigned long long)fi->rsv[i].base,
		       (unsigned long long)(fi->rsv[i].base +
					    fi->rsv[i].size - 1),
		       fi->rsv[i].memreserve ? " memreserve" : "",
		       fi->rsv[i].no_map ? " no-map" : "");
	if (fi->has_initrd)
		printk("arm: initrd [0x%llx-0x%llx]\n",
		       (unsigned long long)fi->initrd_start,
		       (unsigned long long)fi->initrd_end - 1);
	printk("arm: %llu MiB RAM, %u CPU(s) in the tree, PSCI %s, UART 0x%llx%s\n",
	       (unsigned long long)(total >> 20), fi->nr_cpus,
	       psci_names[fi->psci], (unsigned long long)uart_base,
	       fi->uart_base ? "" : " (fallback)");
	printk("arm: GICv%u distributor 0x%llx, CPU interface 0x%llx; timer INTID %u at %u Hz\n",
	       fi->gic_version, (unsigned long long)fi->gic_dist,
	       (unsigned long long)fi->gic_cpu, timer_intid(),
	       (unsigned int)read_cntfrq());
	printk("arm: MMU on, %u 1 MiB section(s) identity-mapped; RAM normal write-back, devices shareable device\n",
	       mmu_sections());
	if (mmu_ram_unmapped())
		printk("arm: %llu MiB of RAM lies outside the direct map (at or above 4 GiB): counted, not used\n",
		       (unsigned long long)(mmu_ram_unmapped() >> 20));
}

/**
 * arch_early_init - CPU list, GIC, timer and the boot report.
 */
void arch_early_init(void)
{
	use_semihosting = cmdline_get("semihosting") != NULL;
	cpus_enumerate();
	timer_init(&arm_fdt);
	if (gic_init(&arm_fdt))
		panic("arm: no GICv2 in the device tree");
	__asm__ __volatile__("cpsie a");	/* asynchronous aborts */
	boot_report();
}

/**
 * arch_cmdline - /chosen/bootargs.
 *
 * Return: the string, "" when absent.
 */
const char *arch_cmdline(void)
{
	return arm_fdt.bootargs ? arm_fdt.bootargs : "";
}

/** arch_nr_cpus - CPUs to run (tree's list, boot CPU first, maxcpus=). */
unsigned int arch_nr_cpus(void)
{
	return arm_nr_cpus;
}

/**
 * this_kcpu - the calling CPU's area, from TPIDRPRW.
 *
 * Return: &kcpus[port_cpu_id()].
 */
struct kcpu *this_kcpu(void)
{
	return (struct kcpu *)(uintptr_t)read_cp15(0, c13, c0, 4);
}

/**
 * arch_irq_enable - unmask IRQs on this CPU.
 */
void arch_irq_enable(void)
{
	__asm__ __volatile__("cpsie i" ::: "memory");
}

/**
 * arch_cpu_idle - wait for an interrupt, then let it in.
 *
 * WFI with IRQs masked still wakes on a pending interrupt, so nothing
 * is lost between the caller's check and the wait.
 */
void arch_cpu_idle(void)
{
	__asm__ __volatile__("cpsid i; wfi; cpsie i" ::: "memory");
}

/* Semihosting call @op with parameter @arg (ARM state, SVC mode). */
static void semihosting_call(uint32_t op, uintptr_t arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register uint32_t r1 __asm__("r1") = arg;

	__asm__ __volatile__("svc #0x123456" : "+r"(r0) : "r"(r1) : "memory");
}

/* End QEMU with @status: SYS_EXIT_EXTENDED carries the exit code. */
static void semihosting_exit(int status)
{
	uint32_t block[2] = { ADP_STOPPED_APP_EXIT, (uint32_t)status };

	if (!status)
		semihosting_call(SEMI_SYS_EXIT, ADP_STOPPED_APP_EXIT);
	semihosting_call(SEMI_SYS_EXIT_EXTENDED, (uintptr_t)block);
}

/**
 * arch_halt - end the run.
 * @status: 0 for success.
 *
 * With "semihosting" on the command line (QEMU -semihosting), the status
 * becomes QEMU's exit code; otherwise PSCI SYSTEM_OFF powers off.
 */
__noreturn void arch_halt(int status)
{
	port_irq_save();
	if (use_semihosting)
		semihosting_exit(status);
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	arm_early_puts("kma: power-off failed; parking\n");
	early_stop();
}
