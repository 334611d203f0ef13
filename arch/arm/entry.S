/* SPDX-License-Identifier: MIT */
/*
 * entry.S - 32-bit Arm entry: the boot and secondary CPU paths from reset
 * state to C, the HYP to SVC drop, the MMU switch, and the exception
 * vectors.
 *
 * Boot protocol (Linux arm booting.rst, as QEMU's -kernel follows it for
 * a raw image): loaded at RAM base + 0x10000, r0 = 0, r1 = machine type,
 * r2 = physical address of the device tree, MMU and caches off, IRQs and
 * FIQs masked, in SVC mode, or in HYP mode when the machine has the
 * virtualization extensions on (then we drop to SVC). Secondary CPUs
 * enter secondary_entry through PSCI CPU_ON in the same state with
 * r0 = their struct kcpu (identity-mapped address).
 *
 * Register use before C: r10 = device tree address (boot CPU) or struct
 * kcpu (secondaries), r11 = CPSR at entry.
 *
 * Exceptions are all handled in SVC mode, on the interrupted code's
 * stack: the vector stores the return address and SPSR there (SRS),
 * switches to SVC and saves r0-r12 and lr (struct trap_frame in trap.c,
 * 16 words). The kernel only ever runs in SVC mode, so that stack is
 * always the current one. Handlers return with RFE.
 */
#define KCPU_STACK_TOP	64	/* offsetof(struct kcpu, stack_top) */
#define MODE_SVC	0x13
#define MODE_HYP	0x1a
#define PSR_F		(1 << 6)
#define PSR_I		(1 << 7)
#define PSR_A		(1 << 8)
#define SCTLR_M		(1 << 0)
#define SCTLR_A		(1 << 1)
#define SCTLR_C		(1 << 2)
#define SCTLR_Z		(1 << 11)
#define SCTLR_I		(1 << 12)
#define SCTLR_V		(1 << 13)
#define SCTLR_TRE	(1 << 28)
#define SCTLR_AFE	(1 << 29)
#define SCTLR_TE	(1 << 30)
#define FRAME_SIZE	64
#define ACTLR_SMP	(1 << 6)

	.syntax	unified
	.arm
	.arch_extension virt

	.section .text.head, "ax"
	.globl	_start
_start:
	mov	r10, r2
	mrs	r11, cpsr
	bl	hyp_to_svc
	bl	sctlr_reset
	/* Were we loaded where we were linked? The code is not relocatable. */
	adr	r0, _start
	ldr	r1, =_start
	cmp	r0, r1
	bne	wrong_address
	ldr	sp, =boot_stack_top
	/* Clear BSS (the page tables are zeroed as they are built). */
	ldr	r0, =__bss_start
	ldr	r1, =__bss_end
	mov	r2, #0
	mov	r3, #0
1:	cmp	r0, r1
	strdlo	r2, r3, [r0], #8
	blo	1b
	ldr	r0, =vectors
	mcr	p15, 0, r0, c12, c0, 0		/* VBAR */
	ldr	r0, =kcpus
	mcr	p15, 0, r0, c13, c0, 4		/* TPIDRPRW */
	isb
	mov	r0, r10
	mov	r1, r11
	bl	arm_boot			/* MMU still off: DT, tables */
	/* Drop whatever the caches hold for memory written with the MMU
	 * off (BSS, stack, page tables): memory is right, lines may be
	 * stale. */
	ldr	r0, =__bss_start
	ldr	r1, =__pt_end
	mrc	p15, 0, r3, c0, c0, 1		/* CTR */
	ubfx	r3, r3, #16, #4			/* DminLine, log2 words */
	mov	r2, #4
	lsl	r2, r2, r3
	sub	r3, r2, #1
	bic	r0, r0, r3
2:	mcr	p15, 0, r0, c7, c6, 1		/* DCIMVAC */
	add	r0, r0, r2
	cmp	r0, r1
	blo	2b
	dsb	sy
	bl	mmu_ttbr0
	ldr	r1, =mmu_boot_ttbr0		/* for the secondaries; MMU */
	str	r0, [r1]			/* off, so to memory */
	bl	arm_mmu_on
	bl	kmain
	b	park

wrong_address:
	/* Cannot run C that uses absolute addresses; print and stop. */
	adr	r1, wrong_msg
	mov	r2, #0x09000000			/* PL011 at its usual place */
3:	ldrb	r0, [r1], #1
	cmp	r0, #0
	beq	park
	str	r0, [r2]
	b	3b
wrong_msg:
	.asciz	"kma: loaded at the wrong address (linked at 0x40010000; boot the Image, not the ELF)\r\n"
	.balign	4

park:
	cpsid	aif
4:	wfi
	b	4b

/*
 * secondary_entry - PSCI CPU_ON lands here; r0 = struct kcpu.
 * Reads kcpu->stack_top with the MMU off (the boot CPU cleaned it to the
 * point of coherency), turns the MMU on with the boot CPU's tables and
 * calls arm_secondary_main(kcpu).
 */
	.text
	.globl	secondary_entry
secondary_entry:
	mov	r10, r0
	bl	hyp_to_svc
	bl	sctlr_reset
	ldr	sp, [r10, #KCPU_STACK_TOP]
	ldr	r0, =vectors
	mcr	p15, 0, r0, c12, c0, 0		/* VBAR */
	mcr	p15, 0, r10, c13, c0, 4		/* TPIDRPRW */
	ldr	r0, =mmu_boot_ttbr0		/* written before the MMU */
	ldr	r0, [r0]			/* went on */
	bl	arm_mmu_on
	mov	r0, r10
	bl	arm_secondary_main
	b	park

/*
 * hyp_to_svc - if in HYP mode, set PL1 up to run alone (timers
 * reachable, CNTVOFF 0, no traps, true MIDR/MPIDR) and return to the
 * caller in SVC mode with A, I, F masked. In any other mode switch to
 * SVC with the same masks. Clobbers r9.
 */
hyp_to_svc:
	mrs	r9, cpsr
	and	r9, r9, #0x1f
	cmp	r9, #MODE_HYP
	bne	1f
	mrc	p15, 4, r9, c14, c1, 0		/* CNTHCTL */
	orr	r9, r9, #3			/* PL1PCTEN, PL1PCEN */
	mcr	p15, 4, r9, c14, c1, 0
	mov	r9, #0
	mcrr	p15, 4, r9, r9, c14		/* CNTVOFF */
	mcr	p15, 4, r9, c1, c1, 0		/* HCR: no traps, no stage 2 */
	mcr	p15, 4, r9, c1, c1, 3		/* HSTR */
	movw	r9, #0x33ff
	mcr	p15, 4, r9, c1, c1, 2		/* HCPTR: trap nothing */
	mrc	p15, 0, r9, c0, c0, 0
	mcr	p15, 4, r9, c0, c0, 0		/* VPIDR = MIDR */
	mrc	p15, 0, r9, c0, c0, 5
	mcr	p15, 4, r9, c0, c0, 5		/* VMPIDR = MPIDR */
	mov	r9, #(MODE_SVC | PSR_A | PSR_I | PSR_F)
	msr	spsr_cxsf, r9			/* SPSR_hyp */
	msr	elr_hyp, lr
	isb
	eret
1:	mov	r9, lr				/* lr is banked */
	cpsid	aif, #MODE_SVC
	mov	lr, r9
	bx	lr

/* sctlr_reset - MMU, caches, alignment checks off; VBAR vectors, ARM
 * exceptions, no TEX remap, no access flag. Clobbers r9. */
sctlr_reset:
	mrc	p15, 0, r9, c1, c0, 0
	bic	r9, r9, #(SCTLR_M | SCTLR_A | SCTLR_C)
	bic	r9, r9, #(SCTLR_I | SCTLR_V)
	bic	r9, r9, #(SCTLR_TRE | SCTLR_AFE | SCTLR_TE)
	mcr	p15, 0, r9, c1, c0, 0
	isb
	bx	lr

/*
 * arm_mmu_on - r0 = TTBR0. Short-descriptor tables, TTBR0 for the whole
 * address space, domain 0 client; turns on the MMU, both caches and
 * branch prediction on this CPU. The tables map the code running here at
 * its own address.
 */
	.globl	arm_mmu_on
arm_mmu_on:
	/* Cortex-A15: take part in coherency (ACTLR.SMP) before the caches
	 * and the MMU go on. Written only when clear: firmware that sets it
	 * itself may leave ACTLR read-only to the non-secure side
	 * (NSACR.NS_SMP clear), where a write is undefined. The A15
	 * invalidates its caches and TLBs at reset, so a CPU just powered
	 * on holds no stale lines. */
	mrc	p15, 0, r1, c1, c0, 1		/* ACTLR */
	tst	r1, #ACTLR_SMP
	orreq	r1, r1, #ACTLR_SMP
	mcreq	p15, 0, r1, c1, c0, 1
	isb
	mcr	p15, 0, r0, c2, c0, 0		/* TTBR0 */
	mov	r1, #0
	mcr	p15, 0, r1, c2, c0, 2		/* TTBCR: N = 0, no LPAE */
	mov	r1, #1
	mcr	p15, 0, r1, c3, c0, 0		/* DACR: domain 0 client */
	mov	r1, #0
	mcr	p15, 0, r1, c8, c7, 0		/* TLBIALL */
	mcr	p15, 0, r1, c7, c5, 0		/* ICIALLU */
	mcr	p15, 0, r1, c7, c5, 6		/* BPIALL */
	dsb	sy
	isb
	mrc	p15, 0, r1, c1, c0, 0
	orr	r1, r1, #(SCTLR_M | SCTLR_C)
	orr	r1, r1, #(SCTLR_Z | SCTLR_I)
	mcr	p15, 0, r1, c1, c0, 0
	isb
	bx	lr

/* ---------------------------------------------------------------- vectors */

/*
 * One entry per kind: \adj is what the CPU added to the address of the
 * instruction to return to (or that faulted) in lr. The frame gets that
 * address as its pc.
 */
	.macro	ventry, kind, adj
	.if	\adj
	sub	lr, lr, #\adj
	.endif
	srsdb	sp!, #MODE_SVC			/* pc, cpsr onto SVC stack */
	cps	#MODE_SVC
	push	{r0-r12, lr}
	mov	r0, #\kind
	b	exc_common
	.endm

	.balign	32
	.globl	vectors
vectors:
	b	vec_reset
	b	vec_und
	b	vec_svc
	b	vec_pabt
	b	vec_dabt
	b	vec_hyp
	b	vec_irq
	b	vec_fiq

vec_reset:	ventry	0, 0
vec_und:	ventry	1, 4		/* lr = instruction + 4 */
vec_svc:	ventry	2, 4		/* lr = instruction + 4 */
vec_pabt:	ventry	3, 4		/* lr = instruction + 4 */
vec_dabt:	ventry	4, 8		/* lr = instruction + 8 */
vec_hyp:	ventry	5, 0
vec_irq:	ventry	6, 4		/* lr = next instruction + 4 */
vec_fiq:	ventry	7, 4

exc_common:
	mov	r1, sp				/* struct trap_frame */
	mov	r4, sp
	bic	sp, sp, #7			/* AAPCS: 8-byte aligned */
	bl	arm_exception			/* returns for interrupts */
	mov	sp, r4
	pop	{r0-r12, lr}
	rfeia	sp!

	.ltorg

	/* Read by secondaries with their MMU off: alone in its cache line,
	 * written once by the boot CPU with its MMU off. */
	.data
	.balign	64
	.globl	mmu_boot_ttbr0
mmu_boot_ttbr0:
	.long	0
	.balign	64

	.bss
	.balign	16
boot_stack:
	.skip	16384
	.globl	boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", %progbits
