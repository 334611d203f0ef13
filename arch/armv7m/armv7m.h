/* SPDX-License-Identifier: MIT */
/*
 * armv7m.h - what the ARMv7-M port's files share: the System Control
 * Space registers they use, the semihosting call and the entry points
 * between them.
 *
 * Owns: the declarations only. armv7m_semihosting is written once by
 * arch_early_init() (boot CPU, interrupts masked) and read-only after.
 */
#ifndef KMA_ARMV7M_H
#define KMA_ARMV7M_H

#include <kma/port.h>
#include "kernel.h"

#define REG32(a)	(*(volatile uint32_t *)(uintptr_t)(a))

/* System Control Block. */
#define SCB_CPUID	0xe000ed00U
#define SCB_ICSR	0xe000ed04U
#define  ICSR_PENDSTSET	(1U << 26)
#define SCB_VTOR	0xe000ed08U
#define SCB_AIRCR	0xe000ed0cU
#define  AIRCR_VECTKEY	0x05fa0000U
#define  AIRCR_SYSRESETREQ (1U << 2)
#define SCB_CCR		0xe000ed14U
#define  CCR_STKALIGN	(1U << 9)
#define SCB_SHPR3	0xe000ed20U
#define SCB_CFSR	0xe000ed28U
#define SCB_HFSR	0xe000ed2cU
#define  HFSR_FORCED	(1U << 30)
#define  HFSR_DEBUGEVT	(1U << 31)
#define SCB_DFSR	0xe000ed30U
#define SCB_MMFAR	0xe000ed34U
#define SCB_BFAR	0xe000ed38U

/* SysTick. */
#define SYST_CSR	0xe000e010U
#define  SYST_ENABLE	(1U << 0)
#define  SYST_TICKINT	(1U << 1)
#define  SYST_CLKSOURCE	(1U << 2)	/* the processor clock */
#define SYST_RVR	0xe000e014U
#define SYST_CVR	0xe000e018U
#define SYST_MAX	0x00ffffffU	/* 24-bit counter */

/* mps2-an385: the processor (and SysTick) clock, 25 MHz. */
#define CPU_HZ		25000000U
#define NS_PER_CYCLE	40U

/* Semihosting (BKPT 0xab): operations, and SYS_EXIT's reasons. */
#define SEMI_SYS_GET_CMDLINE	0x15
#define SEMI_SYS_EXIT		0x18
#define SEMI_SYS_EXIT_EXTENDED	0x20
#define ADP_STOPPED_APP_EXIT	0x20026

/* The instruction BKPT 0xab, as a Thumb halfword. */
#define THUMB_BKPT_SEMIHOSTING	0xbeab

extern bool armv7m_semihosting;
extern char __kernel_start[], __kernel_end[], __etext[], __image_end[];
extern char __heap_start[], __heap_end[];
extern char __data_start[], __bss_end[], __stack_top[];

/* platform.c */
long armv7m_semihosting_call(uint32_t op, uintptr_t arg);
void armv7m_early_puts(const char *s);

/* vectors.c */
void armv7m_clock_init(void);
unsigned int armv7m_faults_skipped(void);

#endif /* KMA_ARMV7M_H */
