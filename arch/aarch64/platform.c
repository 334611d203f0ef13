// SPDX-License-Identifier: MIT
/*
 * platform.c - the AArch64 platform: boot before the MMU
 * (aarch64_boot()), the console, and the kernel.h arch functions that are
 * not about CPUs, interrupts or time. kma's port is in kma_port.c.
 *
 * Boot order on the boot CPU (entry.S calls the first two):
 *   aarch64_boot(dtb, el)  MMU off: parse the device tree, pick the
 *                          console, build the page tables
 *   aarch64_mmu_on()       MMU and caches on
 *   kmain() -> arch_early_init()
 *                          CPU list, GIC, timer, boot report
 *
 * State: everything here is written by the boot CPU before other CPUs
 * start and is read-only afterwards (aarch64_fdt, uart_base, the CPU
 * list), except the console registers, which every CPU writes (printk
 * serialises lines; arch_console_write() itself takes no lock).
 */
#include <kma/mm_report.h>
#include "aarch64.h"
#include "pl011.h"

#define DTB_MAX_SIZE	(64U << 20)

struct fdt_info aarch64_fdt;
uint64_t aarch64_dtb_pa;
unsigned int aarch64_nr_cpus = 1;
extern uint64_t aarch64_cpu_mpidr[PORT_MAX_CPUS];

static uintptr_t uart_base = UART_FALLBACK;
static unsigned int entry_el;
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
 * aarch64_early_puts - print before printk works (even with the MMU off).
 * @s: NUL-terminated text.
 */
void aarch64_early_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	arch_console_write(s, n);
}

static __noreturn void early_stop(void)
{
	for (;;)
		__asm__ __volatile__("msr daifset, #0xf; wfi");
}

/**
 * aarch64_boot - first C code, boot CPU, MMU off.
 * @dtb: physical address of the device tree (x0 at entry).
 * @el: CurrentEL at entry (1 or 2).
 *
 * Parses the device tree, selects the console and builds the page tables.
 * A tree it cannot use stops the CPU with the parser's explanation.
 */
void aarch64_boot(uint64_t dtb, uint64_t el)
{
	const void *blob = (const void *)(uintptr_t)dtb;
	uint32_t size;
	int ret;

	entry_el = (unsigned int)(el >> 2) & 3;
	aarch64_dtb_pa = dtb;
	if (entry_el == 3) {
		aarch64_early_puts("kma: entered at EL3; boot at EL2 or EL1 (no secure=on without firmware)\n");
		early_stop();
	}
	if (!dtb || dtb % 8) {
		aarch64_early_puts("kma: no device tree in x0 (boot with an Image, not an ELF)\n");
		early_stop();
	}
	size = fdt_header_size(blob);
	if (!size || size > DTB_MAX_SIZE) {
		aarch64_early_puts("kma: x0 does not point at a device tree\n");
		early_stop();
	}
	ret = fdt_parse(blob, size, &aarch64_fdt);
	if (ret) {
		aarch64_early_puts("kma: unusable device tree: ");
		aarch64_early_puts(aarch64_fdt.err);
		aarch64_early_puts("\n");
		early_stop();
	}
	if (aarch64_fdt.uart_base)
		uart_base = (uintptr_t)aarch64_fdt.uart_base;
	if (mmu_build(&aarch64_fdt, uart_base))
		early_stop();
}

/* Boot CPU first, then the tree's other CPUs, up to maxcpus=. */
static void cpus_enumerate(void)
{
	uint64_t me = read_sysreg(mpidr_el1) & MPIDR_AFF_MASK, m;
	uint64_t max = cmdline_get_u64("maxcpus", PORT_MAX_CPUS);
	const struct fdt_info *fi = &aarch64_fdt;
	unsigned int i, n = 1;
	bool found = false;

	if (cmdline_get("nosmp"))
		max = 1;
	if (!max || max > PORT_MAX_CPUS)
		max = PORT_MAX_CPUS;
	aarch64_cpu_mpidr[0] = me;
	for (i = 0; i < fi->nr_cpus; i++) {
		m = fi->cpu_mpidr[i] & MPIDR_AFF_MASK;
		if (m == me) {
			found = true;
			continue;
		}
		if (n < max)
			aarch64_cpu_mpidr[n++] = m;
	}
	if (fi->nr_cpus && !found)
		printk("cpu: boot CPU (MPIDR 0x%llx) missing from /cpus\n",
		       (unsigned long long)me);
	aarch64_nr_cpus = n;
	for (i = 0; i < n; i++) {
		m = aarch64_cpu_mpidr[i];
		kcpus[i].self = &kcpus[i];
		kcpus[i].id = i;
		kcpus[i].hwid = (uint32_t)(m & 0xffffff) |
				(uint32_t)((m >> 32) & 0xff) << 24;
	}
}

static const char *const psci_names[] = { "none", "hvc", "smc" };

static void boot_report(void)
{
	const struct fdt_info *fi = &aarch64_fdt;
	uint64_t total = 0;
	unsigned int i;

	printk("aarch64: entered at EL%u, now EL%llu; device tree at 0x%llx (%u bytes)\n",
	       entry_el, (unsigned long long)(read_sysreg(CurrentEL) >> 2),
	       (unsigned long long)aarch64_dtb_pa, fi->totalsize);
	for (i = 0; i < fi->nr_mem; i++) {
		printk("aarch64: memory [0x%llx-0x%llx]\n",
		       (unsigned long long)fi->mem[i].base,
		       (unsigned long long)(fi->mem[i].base +
					    fi->mem[i].size - 1));
		total += fi->mem[i].size;
	}
	for (i = 0; i < fi->nr_rsv; i++)
		printk("aarch64: reserved [0x%llx-0x%llx]%s%s\n",
		       (unsigned long long)fi->rsv[i].base,
		       (unsigned long long)(fi->rsv[i].base +
					    fi->rsv[i].size - 1),
		       fi->rsv[i].memreserve ? " memreserve" : "",
		       fi->rsv[i].no_map ? " no-map" : "");
	if (fi->has_initrd)
		printk("aarch64: initrd [0x%llx-0x%llx]\n",
		       (unsigned long long)fi->initrd_start,
		       (unsigned long long)fi->initrd_end - 1);
	printk("aarch64: %llu MiB RAM, %u CPU(s) in the tree, PSCI %s, UART 0x%llx%s\n",
	       (unsigned long long)(total >> 20), fi->nr_cpus,
	       psci_names[fi->psci], (unsigned long long)uart_base,
	       fi->uart_base ? "" : " (fallback)");
	printk("aarch64: GICv%u distributor 0x%llx, %s 0x%llx; timer INTID %u at %llu Hz\n",
	       fi->gic_version, (unsigned long long)fi->gic_dist,
	       fi->gic_version == 3 ? "redistributors" : "CPU interface",
	       (unsigned long long)fi->gic_cpu, timer_intid(),
	       (unsigned long long)read_sysreg(cntfrq_el0));
	printk("aarch64: MMU on, %u page table(s); RAM normal write-back, devices nGnRE\n",
	       mmu_tables_used());
}

/**
 * arch_early_init - CPU list, GIC, timer and the boot report.
 */
void arch_early_init(void)
{
	use_semihosting = cmdline_get("semihosting") != NULL;
	cpus_enumerate();
	timer_init(&aarch64_fdt);
	if (gic_init(&aarch64_fdt))
		panic("aarch64: no GICv2 or GICv3 in the device tree");
	__asm__ __volatile__("msr daifclr, #4");	/* SErrors */
	boot_report();
}

/**
 * arch_cmdline - /chosen/bootargs.
 *
 * Return: the string, "" when absent.
 */
const char *arch_cmdline(void)
{
	return aarch64_fdt.bootargs ? aarch64_fdt.bootargs : "";
}

/** arch_nr_cpus - CPUs to run (tree's list, boot CPU first, maxcpus=). */
unsigned int arch_nr_cpus(void)
{
	return aarch64_nr_cpus;
}

/**
 * this_kcpu - the calling CPU's area, from TPIDR_EL1.
 *
 * Return: &kcpus[port_cpu_id()].
 */
struct kcpu *this_kcpu(void)
{
	struct kcpu *c;

	__asm__ __volatile__("mrs %0, tpidr_el1" : "=r"(c));
	return c;
}

/**
 * arch_irq_enable - unmask IRQs on this CPU.
 */
void arch_irq_enable(void)
{
	__asm__ __volatile__("msr daifclr, #2" ::: "memory");
}

/**
 * arch_cpu_idle - wait for an interrupt, then let it in.
 *
 * WFI with IRQs masked still wakes on a pending interrupt, so nothing
 * is lost between the caller's check and the wait.
 */
void arch_cpu_idle(void)
{
	__asm__ __volatile__("msr daifset, #2; wfi; msr daifclr, #2"
			     ::: "memory");
}

/* Semihosting SYS_EXIT with ADP_Stopped_ApplicationExit and a code. */
static void semihosting_exit(int status)
{
	uint64_t block[2] = { 0x20026, (uint64_t)(unsigned int)status };
	register uint64_t x0 __asm__("x0") = 0x18;
	register uint64_t x1 __asm__("x1") = (uint64_t)(uintptr_t)block;

	__asm__ __volatile__("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
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
	aarch64_early_puts("kma: power-off failed; parking\n");
	early_stop();
}
