// SPDX-License-Identifier: MIT
/*
 * trap.c - exceptions: interrupts go to the GIC dispatcher, a data abort
 * in the guard pool to kma_guard_fault() (reported, the page opened, the
 * access retried), everything else prints a report (kind, fault status
 * decoded, fault address, every register) and panics.
 *
 * The report is written straight to the console, without printk's lock:
 * the faulting code may hold it. Interrupt handlers run with interrupts
 * masked (no nesting); kcpu->irq_depth counts them.
 *
 * A test may arm a one-shot fixup on its CPU (trap_expect()): the next
 * undefined-instruction or abort exception on that CPU is recorded
 * instead of reported, and execution resumes after the faulting
 * instruction. Only the owning CPU touches its slot.
 */
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "arm.h"

enum { EXC_RESET, EXC_UND, EXC_SVC, EXC_PABT, EXC_DABT, EXC_HYP, EXC_IRQ,
       EXC_FIQ };

/**
 * struct trap_frame - registers saved by the vectors (entry.S), on the
 * SVC stack, lowest address first.
 * @r: r0..r12.
 * @lr: SVC mode's lr at the exception.
 * @pc: the instruction to return to (or that faulted).
 * @cpsr: the CPSR at the exception (SPSR of the exception mode).
 */
struct trap_frame {
	uint32_t r[13];
	uint32_t lr;
	uint32_t pc;
	uint32_t cpsr;
};
_Static_assert(sizeof(struct trap_frame) == 64, "entry.S FRAME_SIZE");

struct trap_fixup {
	bool armed;
	uint32_t fsr, far, pc;
	char report[160];
};

static struct trap_fixup fixups[PORT_MAX_CPUS];

static const char *const kind_names[8] = {
	"reset", "undefined instruction", "supervisor call",
	"prefetch abort", "data abort", "hyp trap", "IRQ", "FIQ",
};

/* Short-descriptor FSR status FS[4:0] (bit 10 and bits 3:0). */
static const char *fs_name(uint32_t fs)
{
	switch (fs) {
	case 0x01: return "alignment fault";
	case 0x02: return "debug event";
	case 0x03: return "access flag fault, section";
	case 0x06: return "access flag fault, page";
	case 0x05: return "translation fault, section";
	case 0x07: return "translation fault, page";
	case 0x09: return "domain fault, section";
	case 0x0b: return "domain fault, page";
	case 0x0d: return "permission fault, section";
	case 0x0f: return "permission fault, page";
	case 0x08: return "synchronous external abort";
	case 0x16: return "asynchronous external abort";
	default:   return "fault";
	}
}

static uint32_t fsr_status(uint32_t fsr)
{
	return (fsr & 0xf) | ((fsr >> 6) & 0x10);
}

/* The fault status and address of @kind (0 for the other kinds). */
static void fault_regs(unsigned int kind, uint32_t *fsr, uint32_t *far)
{
	*fsr = 0;
	*far = 0;
	if (kind == EXC_DABT) {
		*fsr = read_cp15(0, c5, c0, 0);		/* DFSR */
		*far = read_cp15(0, c6, c0, 0);		/* DFAR */
	} else if (kind == EXC_PABT) {
		*fsr = read_cp15(0, c5, c0, 1);		/* IFSR */
		*far = read_cp15(0, c6, c0, 2);		/* IFAR */
	}
}

/* One line describing exception @kind at @pc. */
static void trap_describe(char *buf, size_t len, unsigned int kind,
			  uint32_t fsr, uint32_t far, uint32_t pc)
{
	if (kind == EXC_DABT)
		mm_snprintf(buf, len, "data abort: %s, %s at 0x%x (DFSR 0x%x)",
			    fs_name(fsr_status(fsr)),
			    fsr & (1U << 11) ? "write" : "read",
			    (unsigned int)far,
			    (unsigned int)fsr);
	else if (kind == EXC_PABT)
		mm_snprintf(buf, len,
			    "prefetch abort: %s at 0x%x (IFSR 0x%x)",
			    fs_name(fsr_status(fsr)), (unsigned int)far,
			    (unsigned int)fsr);
	else if (kind == EXC_UND)
		mm_snprintf(buf, len,
			    "undefined instruction 0x%08x at 0x%x",
			    (unsigned int)*(const volatile uint32_t *)(uintptr_t)pc,
			    (unsigned int)pc);
	else
		mm_snprintf(buf, len, "%s at 0x%x", kind_names[kind & 7],
			    (unsigned int)pc);
}

static void trap_puts(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	arch_console_write(s, n);
}

static __noreturn void trap_report(unsigned int kind, struct trap_frame *f)
{
	uint32_t fsr, far;
	char line[200], what[160];
	unsigned int i;

	fault_regs(kind, &fsr, &far);
	trap_describe(what, sizeof(what), kind, fsr, far, f->pc);
	mm_snprintf(line, sizeof(line), "\nEXCEPTION on CPU %u: %s\n",
		    port_cpu_id(), what);
	trap_puts(line);
	mm_snprintf(line, sizeof(line),
		    " pc 0x%08x  lr 0x%08x  sp 0x%08x  cpsr 0x%08x\n",
		    (unsigned int)f->pc,
		    (unsigned int)f->lr,
		    (unsigned int)(uintptr_t)(f + 1), (unsigned int)f->cpsr);
	trap_puts(line);
	for (i = 0; i < 13; i += 4) {
		if (i == 12)
			mm_snprintf(line, sizeof(line), " r12 0x%08x\n",
				    (unsigned int)f->r[12]);
		else
			mm_snprintf(line, sizeof(line),
				    " r%-2u 0x%08x  r%-2u 0x%08x  r%-2u 0x%08x  r%-2u 0x%08x\n",
				    i, (unsigned int)f->r[i], i + 1,
				    (unsigned int)f->r[i + 1], i + 2,
				    (unsigned int)f->r[i + 2], i + 3,
				    (unsigned int)f->r[i + 3]);
		trap_puts(line);
	}
	panic("unhandled exception: %s", what);
}

/**
 * trap_expect - arm a one-shot fixup for the next undefined-instruction
 * or abort exception on this CPU (tests only): it is recorded, not
 * reported, and the faulting instruction is skipped.
 * @armed: false disarms.
 */
void trap_expect(bool armed)
{
	struct trap_fixup *fx = &fixups[port_cpu_id()];

	fx->fsr = 0;
	fx->far = 0;
	fx->pc = 0;
	fx->report[0] = '\0';
	__atomic_store_n(&fx->armed, armed, __ATOMIC_RELEASE);
}

/**
 * trap_last - what the last fixed-up exception on this CPU was.
 * @fsr: set to its DFSR or IFSR (0 for an undefined instruction).
 * @far: set to its DFAR or IFAR.
 * @pc: set to the faulting instruction's address (0 if none was taken).
 *
 * Return: the one-line description the report would have printed.
 */
const char *trap_last(uint32_t *fsr, uint32_t *far, uint32_t *pc)
{
	struct trap_fixup *fx = &fixups[port_cpu_id()];

	*fsr = fx->fsr;
	*far = fx->far;
	*pc = fx->pc;
	return fx->report;
}

/* Dispatch pending interrupts until the GIC has none. */
static void arm_irq(void)
{
	unsigned int iar, intid;

	for (;;) {
		iar = gic_ack();
		intid = iar & 0x3ff;
		if (intid >= GIC_SPURIOUS)
			return;
		if (intid == timer_intid()) {
			timer_irq();
		} else if (intid == SGI_STOP) {
			gic_eoi(iar);
			__atomic_store_n(&this_kcpu()->online, 0,
					 __ATOMIC_RELEASE);
			for (;;)
				__asm__ __volatile__("wfi");
		}
		/* SGI_KICK: waking up was the point. */
		gic_eoi(iar);
	}
}

/*
 * A translation fault (section or page) of a data access in the guard
 * pool: reported by kma_guard_fault(), which opens the page; returning
 * retries the access (the saved pc is the faulting instruction).
 */
static bool guard_fault(void)
{
	uint32_t fsr, far, fs;

	fault_regs(EXC_DABT, &fsr, &far);
	fs = fsr_status(fsr);
	return (fs == 0x05 || fs == 0x07) && kma_guard_fault(far);
}

/**
 * arm_exception - C side of every vector.
 * @kind: vector index 0..7 (see kind_names).
 * @f: the saved registers; changes to @f->pc take effect on return.
 *
 * Returns only for interrupts and for an armed fixup.
 */
void arm_exception(unsigned int kind, struct trap_frame *f)
{
	struct kcpu *c = this_kcpu();
	struct trap_fixup *fx;

	if (kind == EXC_IRQ) {
		uintptr_t pc = f->pc;

		/* It may land in the heap's fast paths. */
		if (kma_rcs_fixup(&pc))
			f->pc = (uint32_t)pc;
		c->irq_depth++;
		arm_irq();
		c->irq_depth--;
		return;
	}
	if (kind == EXC_DABT && guard_fault())
		return;
	fx = &fixups[port_cpu_id()];
	if ((kind == EXC_UND || kind == EXC_PABT || kind == EXC_DABT) &&
	    fx->armed && !(f->cpsr & (1U << 5))) {
		fault_regs(kind, &fx->fsr, &fx->far);
		fx->pc = f->pc;
		trap_describe(fx->report, sizeof(fx->report), kind, fx->fsr,
			      fx->far, f->pc);
		f->pc += 4;		/* ARM state: the next instruction */
		fx->armed = false;
		return;
	}
	trap_report(kind, f);
}
