/* SPDX-License-Identifier: MIT */
/*
 * entry.S - AArch64 entry: the Linux arm64 Image header, the boot and
 * secondary CPU paths from reset state to C, the MMU switch, and the
 * exception vectors.
 *
 * Boot protocol (Linux arm64 booting.rst, as QEMU's -kernel follows it):
 * x0 holds the physical address of the device tree, the MMU is off,
 * interrupts are masked, we run at EL2 or EL1 at the physical address we
 * were linked at (header text_offset 0x80000 from the 2 MiB-aligned start
 * of RAM). Secondary CPUs enter secondary_entry through PSCI CPU_ON in the
 * same state with x0 = their struct kcpu (identity-mapped address).
 *
 * Register use before C: x19 = device tree address, x20 = struct kcpu.
 *
 * Exception frame (struct trap_frame in trap.c): x0..x30, elr, spsr, sp,
 * 34 double words, 272 bytes, a multiple of 16.
 */
#define KCPU_STACK_TOP	64	/* offsetof(struct kcpu, stack_top) */
#define FRAME_SIZE	272
#define SCTLR_EL1_RES1	0x30d00800	/* RES1; MMU, caches off; LE */
#define HCR_EL2_RW	(1 << 31)	/* EL1 is AArch64 */
#define SPSR_EL1H_MASKED 0x3c5		/* EL1h, D A I F masked */

	.macro	adr_l, reg, sym
	adrp	\reg, \sym
	add	\reg, \reg, :lo12:\sym
	.endm

	.section .text.head, "ax"
	.globl	_start
_start:
	b	primary_entry			/* code0 */
	.long	0				/* code1 */
	.quad	0x80000				/* text_offset */
	.quad	__image_size			/* image_size, with BSS */
	.quad	0x2				/* flags: LE, 4 KiB pages */
	.quad	0, 0, 0				/* res2..res4 */
	.ascii	"ARM\x64"			/* magic */
	.long	0				/* res5 (no PE header) */

primary_entry:
	mov	x19, x0
	mrs	x23, CurrentEL
	bl	el2_to_el1
	msr	spsel, #1
	adr_l	x0, boot_stack_top
	mov	sp, x0
	/* Were we loaded where we were linked? The code is not relocatable. */
	adr	x0, _start
	ldr	x1, =_start
	cmp	x0, x1
	b.ne	wrong_address
	/* Clear BSS (the page tables are zeroed as they are taken). */
	adr_l	x0, __bss_start
	adr_l	x1, __bss_end
1:	cmp	x0, x1
	b.hs	2f
	stp	xzr, xzr, [x0], #16
	b	1b
2:	adr_l	x0, vectors
	msr	vbar_el1, x0
	adr_l	x0, kcpus
	msr	tpidr_el1, x0
	isb
	mov	x0, x19
	mov	x1, x23
	bl	aarch64_boot			/* MMU still off: DT, page tables */
	/* Drop whatever the caches hold for memory written with the MMU
	 * off (BSS, stack, page tables): memory is right, lines may be
	 * stale. */
	adr_l	x0, __bss_start
	adr_l	x1, __pt_end
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4			/* DminLine, log2 words */
	mov	x2, #4
	lsl	x2, x2, x3
	sub	x4, x2, #1
	bic	x0, x0, x4
3:	dc	ivac, x0
	add	x0, x0, x2
	cmp	x0, x1
	b.lo	3b
	dsb	sy
	bl	mmu_ttbr0
	mov	x21, x0
	bl	mmu_tcr
	mov	x22, x0
	bl	mmu_mair
	mov	x2, x0
	mov	x1, x22
	mov	x0, x21
	adr_l	x9, mmu_boot_regs		/* for the secondaries; MMU off, */
	stp	x0, x1, [x9]			/* so this goes to memory */
	str	x2, [x9, #16]
	bl	aarch64_mmu_on
	bl	kmain
	b	park

wrong_address:
	/* Cannot run C that uses absolute addresses; print and stop. */
	adr	x1, wrong_msg
	mov	x2, #0x09000000			/* PL011 at its usual place */
4:	ldrb	w0, [x1], #1
	cbz	w0, park
	str	w0, [x2]
	b	4b
wrong_msg:
	.asciz	"kma: loaded at the wrong address (linked at 0x40080000)\r\n"
	.balign	4

park:
	msr	daifset, #0xf
5:	wfi
	b	5b

/*
 * secondary_entry - PSCI CPU_ON lands here; x0 = struct kcpu.
 * Reads kcpu->stack_top with the MMU off (the boot CPU cleaned it to the
 * point of coherency), turns the MMU on with the boot CPU's tables and
 * calls aarch64_secondary_main(kcpu).
 */
	.text
	.globl	secondary_entry
secondary_entry:
	mov	x20, x0
	bl	el2_to_el1
	msr	spsel, #1
	ldr	x0, [x20, #KCPU_STACK_TOP]
	mov	sp, x0
	adr_l	x0, vectors
	msr	vbar_el1, x0
	msr	tpidr_el1, x20
	adr_l	x0, mmu_boot_regs		/* written before the MMU went on */
	ldp	x0, x1, [x0]
	adr_l	x2, mmu_boot_regs
	ldr	x2, [x2, #16]
	bl	aarch64_mmu_on
	mov	x0, x20
	bl	aarch64_secondary_main
	b	park

/*
 * el2_to_el1 - if at EL2, set EL1 up to run alone (AArch64, timers and
 * GIC system registers reachable, no traps, true MPIDR) and return to the
 * caller at EL1 with interrupts masked. At EL1 just reset SCTLR_EL1.
 * Clobbers x9, x10.
 */
el2_to_el1:
	ldr	x9, =SCTLR_EL1_RES1
	msr	sctlr_el1, x9
	mrs	x9, CurrentEL
	lsr	x9, x9, #2
	cmp	x9, #2
	b.ne	1f
	mov	x9, #HCR_EL2_RW
	msr	hcr_el2, x9
	mrs	x9, cnthctl_el2
	orr	x9, x9, #3			/* EL1PCTEN, EL1PCEN */
	msr	cnthctl_el2, x9
	msr	cntvoff_el2, xzr
	mrs	x9, midr_el1
	msr	vpidr_el2, x9
	mrs	x9, mpidr_el1
	msr	vmpidr_el2, x9
	mov	x9, #0x33ff			/* CPTR_EL2: trap nothing */
	msr	cptr_el2, x9
	msr	hstr_el2, xzr
	msr	vttbr_el2, xzr
	mrs	x9, id_aa64pfr0_el1
	ubfx	x9, x9, #24, #4			/* GIC system registers? */
	cbz	x9, 2f
	mrs	x9, s3_4_c12_c9_5		/* ICC_SRE_EL2 */
	mov	x10, #0x9			/* SRE, Enable (EL1 may use it) */
	orr	x9, x9, x10
	msr	s3_4_c12_c9_5, x9
	isb
2:	mov	x9, #SPSR_EL1H_MASKED
	msr	spsr_el2, x9
	msr	elr_el2, x30
	isb
	eret
1:	isb
	ret

/*
 * aarch64_mmu_on - x0 = TTBR0_EL1, x1 = TCR_EL1, x2 = MAIR_EL1.
 * Turns on the MMU and both caches on this CPU; the tables map the code
 * running here at its own address.
 */
	.globl	aarch64_mmu_on
aarch64_mmu_on:
	msr	mair_el1, x2
	msr	tcr_el1, x1
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	mrs	x9, sctlr_el1
	mov	x10, #(1 << 0 | 1 << 2 | 1 << 3 | 1 << 12)	/* M C SA I */
	orr	x9, x9, x10
	msr	sctlr_el1, x9
	isb
	ret

/* ---------------------------------------------------------------- vectors */

	.macro	ventry, kind
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\kind
	b	exc_common
	.endm

	.balign	2048
	.globl	vectors
vectors:
	ventry	0	/* current EL, SP0: sync */
	ventry	1	/* irq */
	ventry	2	/* fiq */
	ventry	3	/* serror */
	ventry	4	/* current EL, SPx: sync */
	ventry	5	/* irq */
	ventry	6	/* fiq */
	ventry	7	/* serror */
	ventry	8	/* lower EL, AArch64 */
	ventry	9
	ventry	10
	ventry	11
	ventry	12	/* lower EL, AArch32 */
	ventry	13
	ventry	14
	ventry	15

exc_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x1, elr_el1
	stp	x30, x1, [sp, #240]
	mrs	x2, spsr_el1
	add	x3, sp, #FRAME_SIZE
	stp	x2, x3, [sp, #256]
	mov	x1, sp
	bl	aarch64_exception		/* returns only for interrupts */
	ldp	x30, x1, [sp, #240]
	ldr	x2, [sp, #256]
	msr	elr_el1, x1
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret

	.ltorg

	/* Read by secondaries with their MMU off: alone in its cache line,
	 * written once by the boot CPU with its MMU off. */
	.data
	.balign	64
	.globl	mmu_boot_regs
mmu_boot_regs:
	.quad	0, 0, 0				/* TTBR0, TCR, MAIR */
	.balign	64

	.bss
	.balign	16
boot_stack:
	.skip	16384
	.globl	boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", %progbits
