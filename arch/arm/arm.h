/* SPDX-License-Identifier: MIT */
/*
 * arm.h - what the 32-bit Arm (ARMv7-A) port's files share: processor
 * modes, boot information, and the entry points between them; CP15
 * access is in include/arm_cpu.h, the interfaces shared with AArch64 in
 * drivers/.
 *
 * Owns: the declarations only. The boot information (arm_fdt,
 * arm_dtb_pa) is written once by the boot CPU in arm_boot(), before the
 * MMU is on and before any other CPU runs, and is read-only afterwards.
 */
#ifndef KMA_ARM_H
#define KMA_ARM_H

#include <kma/port.h>
#include "arm_cpu.h"		/* CP15 access, barriers, timer registers */
#include "arm_timer.h"
#include "fdt.h"
#include "gic.h"
#include "kernel.h"

/* Registers by name. */
#define read_mpidr()	read_cp15(0, c0, c0, 5)
#define read_sctlr()	read_cp15(0, c1, c0, 0)

/* CPSR. */
#define PSR_MODE_MASK	0x1f
#define PSR_MODE_SVC	0x13
#define PSR_MODE_HYP	0x1a
#define PSR_I		(1U << 7)

static inline uint32_t read_cpsr(void)
{
	uint32_t v;

	__asm__ __volatile__("mrs %0, cpsr" : "=r"(v));
	return v;
}

/* MPIDR affinity fields Aff2..Aff0 (the rest is flags). */
#define MPIDR_AFF_MASK	0x00ffffffU

#define UART_FALLBACK	0x09000000UL
#define CPU_STACK_SIZE	16384

/*
 * The direct map is the identity: virtual == physical, so it covers RAM
 * below 4 GiB. Physical RAM at or above it (an LPAE machine with more
 * than 3 GiB, RAM starting at 1 GiB) is counted and reported, not used.
 */
#define DIRECT_MAP_END	(1ULL << 32)

/* Boot information, parsed from the device tree by arm_boot(). */
extern struct fdt_info arm_fdt;
extern uint64_t arm_dtb_pa;
extern unsigned int arm_nr_cpus;
extern uint32_t arm_cpu_mpidr[PORT_MAX_CPUS];

/* entry.S */
extern char __kernel_start[], __kernel_end[], __pt_start[], __pt_end[];
extern char __bss_start[], __bss_end[];
extern char secondary_entry[];
void arm_mmu_on(uint32_t ttbr0);

/* mmu.c */
int mmu_build(const struct fdt_info *fi, uint32_t uart);
uint32_t mmu_ttbr0(void);
unsigned int mmu_sections(void);
uint64_t mmu_ram_unmapped(void);

/* smp.c: PSCI, SMC32 function ids. */
long psci_call(uint32_t fn, uint32_t a1, uint32_t a2, uint32_t a3);
#define PSCI_VERSION	0x84000000U
#define PSCI_CPU_ON	0x84000003U
#define PSCI_SYSTEM_OFF	0x84000008U

/* platform.c */
void arm_early_puts(const char *s);
void arm_boot(uint32_t dtb, uint32_t cpsr);

/* smp.c */
__noreturn void arm_secondary_main(struct kcpu *c);

/* trap.c */
struct trap_frame;
void arm_exception(unsigned int kind, struct trap_frame *f);
void trap_expect(bool armed);
const char *trap_last(uint32_t *fsr, uint32_t *far, uint32_t *pc);

#endif /* KMA_ARM_H */
