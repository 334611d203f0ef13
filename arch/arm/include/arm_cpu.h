/* SPDX-License-Identifier: MIT */
/*
 * arm_cpu.h - the 32-bit Arm (ARMv7-A) spelling of what the Arm kernels'
 * shared code (drivers/) needs from the CPU: CP15 access, barriers and
 * the generic timer's registers. arch/aarch64/include/arm_cpu.h spells
 * the same names for AArch64. Found through -Iarch/$(ARCH)/include.
 *
 * Owns: macros only, no state.
 */
#ifndef KMA_ARM_CPU_H
#define KMA_ARM_CPU_H

#include <stdint.h>

/* 32-bit CP15 register, as "op1, cn, cm, op2". */
#define read_cp15(op1, cn, cm, op2) ({					\
	uint32_t __v;							\
	__asm__ __volatile__("mrc p15, " #op1 ", %0, " #cn ", " #cm	\
			     ", " #op2 : "=r"(__v));			\
	__v;								\
})

#define write_cp15(v, op1, cn, cm, op2)					\
	__asm__ __volatile__("mcr p15, " #op1 ", %0, " #cn ", " #cm	\
			     ", " #op2 : : "r"((uint32_t)(v)) : "memory")

/* 64-bit CP15 register, as "op1, cm". */
#define read_cp15_64(op1, cm) ({					\
	uint64_t __v;							\
	__asm__ __volatile__("mrrc p15, " #op1 ", %Q0, %R0, " #cm	\
			     : "=r"(__v));				\
	__v;								\
})

#define isb()	__asm__ __volatile__("isb" ::: "memory")
#define dsb()	__asm__ __volatile__("dsb sy" ::: "memory")
#define dsb_ish() __asm__ __volatile__("dsb ish" ::: "memory")

/* The generic timer: frequency, virtual count, virtual timer. */
#define read_cntfrq()	read_cp15(0, c14, c0, 0)
#define read_cntvct()	read_cp15_64(1, c14)
#define write_cntv_tval(v) write_cp15(v, 0, c14, c3, 0)
#define write_cntv_ctl(v)  write_cp15(v, 0, c14, c3, 1)

#endif /* KMA_ARM_CPU_H */
