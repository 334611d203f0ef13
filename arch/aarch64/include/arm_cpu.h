/* SPDX-License-Identifier: MIT */
/*
 * arm_cpu.h - the AArch64 spelling of what the Arm kernels' shared code
 * (drivers/) needs from the CPU: system register access, barriers and
 * the generic timer's registers. arch/arm/include/arm_cpu.h spells the
 * same names for 32-bit Arm. Found through -Iarch/$(ARCH)/include.
 *
 * Owns: macros only, no state.
 */
#ifndef KMA_ARM_CPU_H
#define KMA_ARM_CPU_H

#include <stdint.h>

#define read_sysreg(r) ({						\
	uint64_t __v;							\
	__asm__ __volatile__("mrs %0, " #r : "=r"(__v));		\
	__v;								\
})

#define write_sysreg(v, r)						\
	__asm__ __volatile__("msr " #r ", %0" : : "r"((uint64_t)(v)) : "memory")

#define isb()	__asm__ __volatile__("isb" ::: "memory")
#define dsb(o)	__asm__ __volatile__("dsb " #o ::: "memory")
#define dsb_ish() dsb(ish)

/* The generic timer (EL1 view): frequency, virtual count, virtual timer. */
#define read_cntfrq()	((uint32_t)read_sysreg(cntfrq_el0))
#define read_cntvct()	read_sysreg(cntvct_el0)
#define write_cntv_tval(v) write_sysreg(v, cntv_tval_el0)
#define write_cntv_ctl(v)  write_sysreg(v, cntv_ctl_el0)

#endif /* KMA_ARM_CPU_H */
