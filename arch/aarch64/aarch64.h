/* SPDX-License-Identifier: MIT */
/*
 * aarch64.h - what the AArch64 port's files share: boot information and
 * the entry points between them; system register access is in
 * include/arm_cpu.h, the interfaces shared with 32-bit Arm in drivers/.
 *
 * Owns: the declarations only. The boot information (aarch64_fdt) is
 * written once by the boot CPU in aarch64_boot(), before the MMU is on and
 * before any other CPU runs, and is read-only afterwards.
 */
#ifndef KMA_AARCH64_H
#define KMA_AARCH64_H

#include <kma/port.h>
#include "arm_cpu.h"	/* system registers, barriers, timer registers */
#include "arm_timer.h"
#include "fdt.h"
#include "gic.h"
#include "kernel.h"

/* MPIDR affinity fields Aff3..Aff0 (the rest is flags). */
#define MPIDR_AFF_MASK	0xff00ffffffULL

#define UART_FALLBACK	0x09000000UL
#define CPU_STACK_SIZE	16384

/* Boot information, parsed from the device tree by aarch64_boot(). */
extern struct fdt_info aarch64_fdt;
extern uint64_t aarch64_dtb_pa;
extern unsigned int aarch64_nr_cpus;

/* entry.S */
extern char __kernel_start[], __kernel_end[], __pt_start[], __pt_end[];
extern char __bss_start[], __bss_end[];
extern char secondary_entry[];
void aarch64_mmu_on(uint64_t ttbr0, uint64_t tcr, uint64_t mair);

/* mmu.c */
int mmu_build(const struct fdt_info *fi, uint64_t uart);
uint64_t mmu_ttbr0(void);
uint64_t mmu_tcr(void);
uint64_t mmu_mair(void);
unsigned int mmu_tables_used(void);

/* gic.c: the rest of drivers/gic.h's interface. */
unsigned int gic_version(void);

/* psci.c */
long psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
#define PSCI_CPU_ON	0xc4000003ULL
#define PSCI_SYSTEM_OFF	0x84000008ULL
#define PSCI_VERSION	0x84000000ULL

/* platform.c */
void aarch64_early_puts(const char *s);
void aarch64_boot(uint64_t dtb, uint64_t el);

/* smp.c */
__noreturn void aarch64_secondary_main(struct kcpu *c);

/* trap.c */
struct trap_frame;
void aarch64_exception(unsigned int kind, struct trap_frame *f);
void aarch64_irq(void);
void trap_expect(bool armed);
const char *trap_last(uint64_t *esr, uint64_t *far, uint64_t *elr);

#endif /* KMA_AARCH64_H */
