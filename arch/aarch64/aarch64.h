/* SPDX-License-Identifier: MIT */
/*
 * aarch64.h - what the AArch64 port's files share: system register
 * access, boot information, and the entry points between them.
 *
 * Owns: the declarations only. The boot information (aarch64_fdt) is
 * written once by the boot CPU in aarch64_boot(), before the MMU is on and
 * before any other CPU runs, and is read-only afterwards.
 */
#ifndef KMA_AARCH64_H
#define KMA_AARCH64_H

#include <kma/port.h>
#include "fdt.h"
#include "kernel.h"

#define read_sysreg(r) ({						\
	uint64_t __v;							\
	__asm__ __volatile__("mrs %0, " #r : "=r"(__v));		\
	__v;								\
})

#define write_sysreg(v, r)						\
	__asm__ __volatile__("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

#define isb()	__asm__ __volatile__("isb" ::: "memory")
#define dsb(o)	__asm__ __volatile__("dsb " #o ::: "memory")

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

/* gic.c */
int gic_init(const struct fdt_info *fi);
void gic_cpu_init(void);
void gic_enable_ppi(unsigned int intid);
unsigned int gic_ack(void);
void gic_eoi(unsigned int iar);
void gic_send_sgi_others(unsigned int intid);
unsigned int gic_version(void);

#define SGI_KICK	1
#define SGI_STOP	2
#define GIC_SPURIOUS	1020

/* timer.c */
void timer_init(const struct fdt_info *fi);
unsigned int timer_intid(void);
void timer_irq(void);

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
