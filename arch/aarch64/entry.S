/* SPDX-License-Identifier: MIT */
/*
 * entry.S - placeholder AArch64 entry with a Linux arm64 Image header:
 * sets up a stack and calls kmain. The real boot path replaces it.
 */
	.section .text.head, "ax"
	.globl	_start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	__kernel_end - _start	/* image_size */
	.quad	0xa			/* flags: LE, 4K pages, anywhere */
	.quad	0, 0, 0			/* res2-4 */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* res5 */

primary_entry:
	adrp	x1, __stack_top
	add	x1, x1, :lo12:__stack_top
	mov	sp, x1
	bl	kmain
1:	wfe
	b	1b

	.section .note.GNU-stack, "", %progbits
