/* SPDX-License-Identifier: MIT */
/*
 * port/rcs.h - restartable per-CPU sections (port.h, KMA_RCS): the C side
 * of port_rcs_pop() and port_rcs_push(), shared by the port headers that
 * have them. Such a header defines, then includes this one:
 *
 *   __PORT_RCS_OFF_T  the type of @off the instructions take;
 *   __PORT_RCS_POP    the pop's instructions: operands %[st], %[top] and
 *                     %[p] written (%[p] may serve as scratch before the
 *                     object is loaded), %[off] and %[row] read, and the
 *                     label %l[empty];
 *   __PORT_RCS_PUSH   the push's: %[st], %[top] and %[hi] written,
 *                     %[off], %[p], %[word] and %[row] read, the label
 *                     %l[full];
 *   __PORT_RCS_P      the constraint of the popped pointer ("=&r", or a
 *                     register the caller wants it in);
 *   __PORT_RCS_ADDR   the assembler's directive for one address, and
 *   __PORT_RCS_ALIGN  its size, as strings (".quad", "8");
 *   __PORT_RCS_ROW    optional: the constant operand %[row] (default
 *                     PORT_PERCPU_ROW_OFFSET, the row's offset in the
 *                     per-CPU area).
 *
 * The stack is three words at byte offset @off of this CPU's row: top
 * (one past the last pointer), lo (the first slot) and hi (one past the
 * last slot). Each section runs from its label 1 to its label 2 and
 * publishes with its last instruction, the store of top; it lists itself
 * in the section kma_rcs, where kma_rcs_fixup() looks up an interrupted
 * PC to move it back to label 1. So a section writes none of its inputs
 * (a redo starts from them), and before its last store only what a redo
 * writes again. __volatile__ although asm goto implies it: GCC 12 drops
 * an asm goto whose outputs go unused.
 */
#ifndef KMA_PORT_RCS_H
#define KMA_PORT_RCS_H

#ifndef __PORT_RCS_ROW
#define __PORT_RCS_ROW	PORT_PERCPU_ROW_OFFSET
#endif

#define __PORT_RCS_LIST							\
	"	.pushsection kma_rcs, \"a\"\n"				\
	"	.balign " __PORT_RCS_ALIGN "\n"				\
	"	" __PORT_RCS_ADDR " 1b, 2b\n"					\
	"	.popsection\n"

/* The hottest pointer of the stack at @off, or NULL if it is empty. */
static inline void *__port_rcs_pop_inline(__PORT_RCS_OFF_T off)
{
	void **top;
	void *p;
	char *st;

	__asm__ __volatile__ goto(
		__PORT_RCS_POP
		__PORT_RCS_LIST
		: [st] "=&r"(st), [top] "=&r"(top), [p] __PORT_RCS_P (p)
		: [off] "r"(off), [row] "i"(__PORT_RCS_ROW)
		: "memory", "cc"
		: empty);
	if (!p)				/* never: the stack holds no NULL */
		__builtin_unreachable();
	return p;
empty:
	return NULL;
}

/*
 * Store @word at @p, then push @p; false if the stack is full (nothing
 * pushed; *@p may hold @word from a section that was redone).
 */
static inline bool __port_rcs_push_inline(__PORT_RCS_OFF_T off, void *p,
					  uintptr_t word)
{
	void **top, **hi;
	char *st;

	__asm__ __volatile__ goto(
		__PORT_RCS_PUSH
		__PORT_RCS_LIST
		: [st] "=&r"(st), [top] "=&r"(top), [hi] "=&r"(hi)
		: [off] "r"(off), [p] "r"(p), [word] "r"(word),
		  [row] "i"(__PORT_RCS_ROW)
		: "memory", "cc"
		: full);
	return true;
full:
	return false;
}

#define port_rcs_pop(off)		__port_rcs_pop_inline(off)
#define port_rcs_push(off, p, word)	__port_rcs_push_inline(off, p, word)

#endif /* KMA_PORT_RCS_H */
