/* SPDX-License-Identifier: MIT */
/*
 * entry.S - x86-64 boot: the PVH ELF note and multiboot2 header, the
 * 32-bit entry, the switch to long mode, the secondary CPUs' real-mode
 * trampoline, the GDT, the boot page tables, and the interrupt stubs.
 *
 * Boot protocols (both enter in 32-bit protected mode, paging off,
 * interrupts off, flat segments, no usable stack):
 *   PVH        %ebx = physical address of struct hvm_start_info
 *   multiboot2 %eax = 0x36d76289, %ebx = physical address of the info
 * _start32 clears BSS, saves %eax/%ebx in boot_magic/boot_info_pa, maps
 * the first 4 GiB 1:1 with 2 MiB pages, enters long mode and calls
 * kmain() on boot_stack with the GS base at kcpus[0]. arch_early_init()
 * later extends the same tables to all RAM (x86_paging_init()).
 *
 * Secondary CPUs: ap_tramp_start..ap_tramp_end is copied to a frame
 * below 1 MiB; the SIPI starts it in real mode at that frame. It loads
 * the kernel GDT (its address is below 4 GiB, so a 32-bit base works),
 * enables protection, jumps to ap_start32 in the kernel image, which
 * takes the same path to long mode and then ap_start64, which loads
 * ap_boot_stack and calls x86_ap_main(ap_boot_kcpu). The boot CPU starts
 * one secondary at a time, so the two ap_boot_* words need no lock.
 */
#include "x86.h"

#define PVH_NOTE_TYPE	18		/* XEN_ELFNOTE_PHYS32_ENTRY */
#define MB2_MAGIC	0xe85250d6
#define MB2_ARCH_I386	0
#define PTE_P		0x1
#define PTE_W		0x2
#define PTE_PS		0x80
#define BOOT_STACK_SIZE	16384

/* ------------------------------------------------------------ headers */
	.section .note.pvh, "a"
	.p2align 2
	.long	4				/* name size */
	.long	8				/* desc size */
	.long	PVH_NOTE_TYPE
	.asciz	"Xen"
	.quad	_start32

	.section .multiboot2, "a"
	.p2align 3
	.globl	mb2_header
mb2_header:
	.long	MB2_MAGIC
	.long	MB2_ARCH_I386
	.long	mb2_header_end - mb2_header
	.long	0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + \
			       (mb2_header_end - mb2_header))
	.p2align 3
	.short	0, 0				/* end tag */
	.long	8
mb2_header_end:

/* ------------------------------------------------------- 32-bit entry */
	.section .text.boot, "ax"
	.code32
	.globl	_start32
_start32:
	cli
	cld
	mov	%eax, %ebp
	mov	%ebx, %esi
	/* Clear BSS and the page table area. */
	mov	$__bss_start, %edi
	mov	$__bss_end, %ecx
	sub	%edi, %ecx
	xor	%eax, %eax
	rep stosb
	mov	%ebp, boot_magic
	mov	%esi, boot_info_pa
	mov	$boot_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> PD pages 0..3; 2048 x 2 MiB. */
	mov	$boot_pdpt + (PTE_P | PTE_W), %eax
	mov	%eax, boot_pml4
	mov	$boot_pd + (PTE_P | PTE_W), %eax
	xor	%ecx, %ecx
1:	mov	%eax, boot_pdpt(, %ecx, 8)
	add	$4096, %eax
	inc	%ecx
	cmp	$4, %ecx
	jne	1b
	mov	$(PTE_P | PTE_W | PTE_PS), %eax
	xor	%ecx, %ecx
2:	mov	%eax, boot_pd(, %ecx, 8)
	add	$0x200000, %eax
	inc	%ecx
	cmp	$2048, %ecx
	jne	2b
	jmp	enter_long_mode_bsp

/*
 * Shared by the boot CPU and the secondaries: PAE, CR3, EFER.LME,
 * paging, the 64-bit GDT, far jump to @target.
 */
.macro ENTER_LONG_MODE target
	mov	%cr4, %eax
	or	$(1 << 5), %eax			/* PAE */
	mov	%eax, %cr4
	mov	$boot_pml4, %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(1 << 8), %eax			/* LME */
	wrmsr
	mov	%cr0, %eax
	or	$0x80010001, %eax		/* PG | WP | PE */
	mov	%eax, %cr0
	lgdt	gdt_ptr
	ljmp	$GDT_CODE64, $\target
.endm

enter_long_mode_bsp:
	ENTER_LONG_MODE start64

	.globl	ap_start32
ap_start32:
	mov	$GDT_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	ENTER_LONG_MODE ap_start64

/* ------------------------------------------------------- 64-bit entry */
	.code64
start64:
	mov	$GDT_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	$boot_stack_top, %rsp
	/* GS base = &kcpus[0] before any C code asks for its CPU id. */
	mov	$kcpus, %rax
	mov	%rax, kcpus			/* kcpus[0].self (offset 0) */
	mov	%rax, %rdx
	shr	$32, %rdx
	mov	$MSR_GS_BASE, %ecx
	wrmsr
	xor	%ebp, %ebp
	call	kmain
3:	cli
	hlt
	jmp	3b

ap_start64:
	mov	$GDT_DATA, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	xor	%eax, %eax
	mov	%ax, %fs
	mov	%ax, %gs
	mov	ap_boot_stack(%rip), %rsp
	mov	ap_boot_kcpu(%rip), %rdi
	xor	%ebp, %ebp
	call	x86_ap_main
4:	cli
	hlt
	jmp	4b

/* ---------------------------------------------- real-mode trampoline */
	.section .rodata.trampoline, "a"
	.code16
	.globl	ap_tramp_start, ap_tramp_end
	.p2align 4
ap_tramp_start:
	cli
	cld
	mov	%cs, %ax
	mov	%ax, %ds
	lgdtl	ap_tramp_gdtr - ap_tramp_start
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$GDT_CODE32, $ap_start32
	.p2align 3
ap_tramp_gdtr:
	.word	gdt_end - gdt - 1
	.long	gdt
ap_tramp_end:
	.code64

/* ------------------------------------------------------------- GDT */
	.section .data
	.p2align 4
	.globl	gdt, gdt_end
gdt:
	.quad	0
	.quad	0x00af9a000000ffff		/* 0x08 code64 */
	.quad	0x00cf92000000ffff		/* 0x10 data */
	.quad	0x00cf9a000000ffff		/* 0x18 code32 */
	.fill	2 * 64, 8, 0			/* 0x20 TSS per CPU */
gdt_end:
	.p2align 3
	.word	0, 0, 0
gdt_ptr:
	.word	gdt_end - gdt - 1
	.quad	gdt

	.globl	boot_magic, boot_info_pa, ap_boot_stack, ap_boot_kcpu
	.p2align 3
boot_magic:	.quad	0
boot_info_pa:	.quad	0
ap_boot_stack:	.quad	0
ap_boot_kcpu:	.quad	0

/* ------------------------------------------------ stacks, page tables */
	.section .bss
	.p2align 12
	.globl	boot_stack, boot_stack_top
boot_stack:
	.skip	BOOT_STACK_SIZE
boot_stack_top:

	.section .pagetables, "aw", @nobits
	.p2align 12
	.globl	boot_pml4, boot_pdpt, boot_pd
boot_pml4:	.skip	4096
boot_pdpt:	.skip	4096
boot_pd:	.skip	4096 * 64		/* 64 GiB in 2 MiB pages */

/* ------------------------------------------------- interrupt stubs */
/*
 * One 16-byte stub per vector at trap_stubs + 16 * vector: push a zero
 * error code where the CPU pushes none, push the vector (push imm32),
 * jump to trap_common, which saves the registers in struct trap_frame
 * order and calls x86_trap(frame). The CPU aligned %rsp to 16 before its
 * frame; 7 words from it + 15 registers keep the call aligned.
 */
#define TRAP_HAS_ERR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || \
			 (v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || \
			 (v) == 29 || (v) == 30)
	.text
	.p2align 4
	.globl	trap_stubs
trap_stubs:
	vector = 0
	.rept	256
0:
	.if	TRAP_HAS_ERR(vector)
	.else
	.byte	0x68			/* push $0 */
	.long	0
	.endif
	.byte	0x68			/* push $vector */
	.long	vector
	jmp	trap_common
	.fill	0b + 16 - ., 1, 0xcc
	vector = vector + 1
	.endr

trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	cld
	call	x86_trap
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp
	iretq

	.section .note.GNU-stack, "", %progbits
