/* SPDX-License-Identifier: MIT */
/*
 * aeabi.S - run-time ABI entry points (Arm RTABI) whose register
 * conventions C cannot express; the work is in lib.c. No state.
 *
 * __aeabi_uldivmod: dividend in r0:r1, divisor in r2:r3; returns the
 * quotient in r0:r1 and the remainder in r2:r3.
 */
	.syntax	unified
	.arm
	.text

	.globl	__aeabi_uldivmod
	.type	__aeabi_uldivmod, %function
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

	.section .note.GNU-stack, "", %progbits
