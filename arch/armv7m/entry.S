/* SPDX-License-Identifier: MIT */
/*
 * entry.S - ARMv7-M reset and fault entry: the reset handler from the
 * core's reset state to kmain(), and the HardFault trampoline. The
 * vector table itself is C (vectors.c).
 *
 * Reset state: Thread mode, privileged, on the main stack (MSP loaded
 * from vector 0), PRIMASK clear. We mask interrupts first (nothing may
 * run before .data and .bss are set up), copy .data from its load
 * address in CODE to RAM, clear .bss, then call kmain() with interrupts
 * still masked, as kernel.h asks. The kernel never leaves Thread mode
 * on the MSP; exceptions run in Handler mode on the same stack.
 *
 * No state.
 */
	.syntax	unified
	.thumb
	.text

	.globl	armv7m_reset
	.type	armv7m_reset, %function
	.thumb_func
armv7m_reset:
	cpsid	i
	ldr	r0, =__stack_top	/* the table's SP, again (a debugger */
	msr	msp, r0			/* may start us elsewhere) */
	ldr	r0, =__data_start
	ldr	r1, =__data_end
	ldr	r2, =__data_load
1:	cmp	r0, r1
	itt	lo
	ldrlo	r3, [r2], #4
	strlo	r3, [r0], #4
	blo	1b
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	movs	r2, #0
2:	cmp	r0, r1
	it	lo
	strlo	r2, [r0], #4
	blo	2b
	bl	kmain
3:	wfi
	b	3b
	.size	armv7m_reset, . - armv7m_reset

/*
 * armv7m_hardfault_entry - the stacked exception frame (r0-r3, r12, lr,
 * pc, xPSR) is on the stack the interrupted code used: MSP or PSP, as
 * EXC_RETURN bit 2 in lr says. Passes it and EXC_RETURN to
 * armv7m_hardfault(), which returns only when the fault was a BKPT
 * semihosting call to a QEMU without semihosting (it steps over it).
 */
	.globl	armv7m_hardfault_entry
	.type	armv7m_hardfault_entry, %function
	.thumb_func
armv7m_hardfault_entry:
	tst	lr, #4
	ite	eq
	mrseq	r0, msp
	mrsne	r0, psp
	mov	r1, lr
	push	{r4, lr}
	bl	armv7m_hardfault
	pop	{r4, pc}
	.size	armv7m_hardfault_entry, . - armv7m_hardfault_entry

/*
 * armv7m_systick_entry - SysTick: passes the stacked exception frame (on
 * MSP or PSP, as for HardFault) to armv7m_systick(), which moves a
 * stacked PC inside a restartable section of the allocator back to the
 * section's start (kma_rcs_fixup()) before anything else. A tail call:
 * lr still holds EXC_RETURN when armv7m_systick() returns.
 */
	.globl	armv7m_systick_entry
	.type	armv7m_systick_entry, %function
	.thumb_func
armv7m_systick_entry:
	tst	lr, #4
	ite	eq
	mrseq	r0, msp
	mrsne	r0, psp
	b	armv7m_systick
	.size	armv7m_systick_entry, . - armv7m_systick_entry

	.ltorg

	.section .note.GNU-stack, "", %progbits
