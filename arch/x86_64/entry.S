/* SPDX-License-Identifier: MIT */
/*
 * entry.S - placeholder x86-64 entry: a PVH note pointing at a 32-bit
 * entry that halts. The real boot path replaces it.
 */
	.section .note.pvh, "a"
	.p2align 2
	.long	4			/* name size */
	.long	4			/* desc size */
	.long	18			/* XEN_ELFNOTE_PHYS32_ENTRY */
	.asciz	"Xen"
	.long	_start32

	.section .text.boot, "ax"
	.code32
	.globl	_start32
_start32:
	cli
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", %progbits
