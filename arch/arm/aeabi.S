/* SPDX-License-Identifier: MIT */
/*
 * aeabi.S - run-time ABI entry points (Arm RTABI) whose register
 * conventions C cannot express; the work is in lib.c. No state.
 *
 * __aeabi_uldivmod: dividend in r0:r1, divisor in r2:r3; returns the
 * quotient in r0:r1 and the remainder in r2:r3. __aeabi_ldivmod: the
 * same, signed.
 *
 * ARM state on ARMv7-A; Thumb-2 for an M-profile core (ARCH=armv7m links
 * this file too): the instructions are the same.
 */
	.syntax	unified
#ifdef __thumb__
	.thumb
#else
	.arm
#endif
	.text

	.globl	__aeabi_uldivmod
	.type	__aeabi_uldivmod, %function
#ifdef __thumb__
	.thumb_func
#endif
__aeabi_uldivmod:
	push	{r4, lr}
	sub	sp, sp, #16		/* [sp]: &rem (5th word), [sp+8]: rem */
	add	r4, sp, #8
	str	r4, [sp]
	bl	arm_udivmod64
	ldrd	r2, r3, [sp, #8]
	add	sp, sp, #16
	pop	{r4, pc}
	.size	__aeabi_uldivmod, . - __aeabi_uldivmod

	.globl	__aeabi_ldivmod
	.type	__aeabi_ldivmod, %function
#ifdef __thumb__
	.thumb_func
#endif
__aeabi_ldivmod:
	push	{r4, lr}
	sub	sp, sp, #16		/* as above, with arm_sdivmod64 */
	add	r4, sp, #8
	str	r4, [sp]
	bl	arm_sdivmod64
	ldrd	r2, r3, [sp, #8]
	add	sp, sp, #16
	pop	{r4, pc}
	.size	__aeabi_ldivmod, . - __aeabi_ldivmod

	.section .note.GNU-stack, "", %progbits
