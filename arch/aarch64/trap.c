// SPDX-License-Identifier: MIT
/*
 * trap.c - exceptions: interrupts go to the GIC dispatcher, a data abort
 * in the guard pool to kma_guard_fault() (reported, the page opened, the
 * access retried), everything else prints a report (kind, ESR decoded,
 * FAR, ELR, SPSR, every register) and panics.
 *
 * The report is written straight to the console, without printk's lock:
 * the faulting code may hold it. Interrupt handlers run with interrupts
 * masked (no nesting); kcpu->irq_depth counts them.
 *
 * A test may arm a one-shot fixup on its CPU (trap_expect()): the next
 * synchronous exception on that CPU is recorded instead of reported, and
 * execution resumes after the faulting instruction. Only the owning CPU
 * touches its slot.
 */
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "aarch64.h"

/**
 * struct trap_frame - registers saved by the vectors (entry.S).
 * @x: x0..x30.
 * @elr: return address.
 * @spsr: saved PSTATE.
 * @sp: stack pointer before the exception.
 */
struct trap_frame {
	uint64_t x[31];
	uint64_t elr;
	uint64_t spsr;
	uint64_t sp;
};
_Static_assert(sizeof(struct trap_frame) == 272, "entry.S FRAME_SIZE");

struct trap_fixup {
	bool armed;
	uint64_t esr, far, elr;
	char report[160];
};

static struct trap_fixup fixups[PORT_MAX_CPUS];

static const char *const kind_names[16] = {
	"synchronous (EL1t)", "IRQ (EL1t)", "FIQ (EL1t)", "SError (EL1t)",
	"synchronous", "IRQ", "FIQ", "SError",
	"synchronous (EL0)", "IRQ (EL0)", "FIQ (EL0)", "SError (EL0)",
	"synchronous (AArch32)", "IRQ (AArch32)", "FIQ (AArch32)",
	"SError (AArch32)",
};

static const char *ec_name(unsigned int ec)
{
	switch (ec) {
	case 0x00: return "unknown instruction";
	case 0x01: return "WFI/WFE trapped";
	case 0x07: return "FP/SIMD access";
	case 0x0e: return "illegal execution state";
	case 0x15: return "SVC";
	case 0x16: return "HVC";
	case 0x17: return "SMC";
	case 0x18: return "system register access";
	case 0x20: return "instruction abort from EL0";
	case 0x21: return "instruction abort";
	case 0x22: return "PC alignment fault";
	case 0x24: return "data abort from EL0";
	case 0x25: return "data abort";
	case 0x26: return "SP alignment fault";
	case 0x2f: return "SError";
	case 0x3c: return "BRK instruction";
	default:   return "other";
	}
}

static const char *fsc_name(unsigned int fsc)
{
	switch (fsc & 0x3c) {
	case 0x00: return "address size fault";
	case 0x04: return "translation fault";
	case 0x08: return "access flag fault";
	case 0x0c: return "permission fault";
	}
	if (fsc == 0x10)
		return "external abort";
	if (fsc == 0x21)
		return "alignment fault";
	return "fault";
}

/* One line describing @esr and @far. */
static void esr_describe(char *buf, size_t len, uint64_t esr, uint64_t far)
{
	unsigned int ec = (unsigned int)(esr >> 26) & 0x3f;
	unsigned int fsc = (unsigned int)esr & 0x3f;

	if (ec == 0x24 || ec == 0x25 || ec == 0x20 || ec == 0x21)
		mm_snprintf(buf, len,
			    "%s: %s level %u, %s at 0x%llx (ESR 0x%llx)",
			    ec_name(ec), fsc_name(fsc), fsc & 3,
			    ec >= 0x24 ? (esr & (1 << 6) ? "write" : "read") :
			    "fetch",
			    (unsigned long long)far, (unsigned long long)esr);
	else
		mm_snprintf(buf, len, "%s (EC 0x%x, ISS 0x%llx, ESR 0x%llx)",
			    ec_name(ec), ec,
			    (unsigned long long)(esr & 0x1ffffff),
			    (unsigned long long)esr);
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
	uint64_t esr = read_sysreg(esr_el1), far = read_sysreg(far_el1);
	char line[200], what[160];
	unsigned int i;

	esr_describe(what, sizeof(what), esr, far);
	mm_snprintf(line, sizeof(line),
		    "\nEXCEPTION on CPU %u: %s: %s\n", port_cpu_id(),
		    kind_names[kind & 15], what);
	trap_puts(line);
	mm_snprintf(line, sizeof(line),
		    " ELR 0x%016llx  FAR 0x%016llx  SPSR 0x%08llx  SP 0x%016llx\n",
		    (unsigned long long)f->elr, (unsigned long long)far,
		    (unsigned long long)f->spsr, (unsigned long long)f->sp);
	trap_puts(line);
	for (i = 0; i < 31; i += 2) {
		if (i == 30)
			mm_snprintf(line, sizeof(line),
				    " x30 0x%016llx\n",
				    (unsigned long long)f->x[30]);
		else
			mm_snprintf(line, sizeof(line),
				    " x%-2u 0x%016llx  x%-2u 0x%016llx\n", i,
				    (unsigned long long)f->x[i], i + 1,
				    (unsigned long long)f->x[i + 1]);
		trap_puts(line);
	}
	panic("unhandled exception: %s at ELR 0x%llx", what,
	      (unsigned long long)f->elr);
}

/**
 * trap_expect - arm a one-shot fixup for the next synchronous exception
 * on this CPU (tests only): it is recorded, not reported, and the
 * faulting instruction is skipped.
 * @armed: false disarms.
 */
void trap_expect(bool armed)
{
	struct trap_fixup *fx = &fixups[port_cpu_id()];

	fx->esr = 0;
	fx->far = 0;
	fx->elr = 0;
	fx->report[0] = '\0';
	__atomic_store_n(&fx->armed, armed, __ATOMIC_RELEASE);
}

/**
 * trap_last - what the last fixed-up exception on this CPU was.
 * @esr: set to its ESR_EL1 (0 if none was taken).
 * @far: set to its FAR_EL1.
 * @elr: set to the faulting address.
 *
 * Return: the one-line description the report would have printed.
 */
const char *trap_last(uint64_t *esr, uint64_t *far, uint64_t *elr)
{
	struct trap_fixup *fx = &fixups[port_cpu_id()];

	*esr = fx->esr;
	*far = fx->far;
	*elr = fx->elr;
	return fx->report;
}

/*
 * A translation fault of a data access at EL1 in the guard pool: reported
 * by kma_guard_fault(), which opens the page; returning retries the
 * access (ELR still points at it).
 */
static bool guard_fault(void)
{
	uint64_t esr = read_sysreg(esr_el1);
	unsigned int fsc = (unsigned int)esr & 0x3f;

	return (esr >> 26 & 0x3f) == 0x25 && fsc >= 0x04 && fsc <= 0x07 &&
	       kma_guard_fault((uintptr_t)read_sysreg(far_el1));
}

/**
 * aarch64_exception - C side of every vector.
 * @kind: vector index 0..15 (see kind_names).
 * @f: the saved registers; changes to @f->elr take effect on return.
 *
 * Returns only for interrupts and for an armed fixup.
 */
void aarch64_exception(unsigned int kind, struct trap_frame *f)
{
	struct kcpu *c = this_kcpu();
	struct trap_fixup *fx;

	if (kind == 5) {
		kma_rcs_fixup(&f->elr);	/* it may land in the heap's fast paths */
		c->irq_depth++;
		aarch64_irq();
		c->irq_depth--;
		return;
	}
	if (kind == 4 && guard_fault())
		return;
	fx = &fixups[port_cpu_id()];
	if (kind == 4 && fx->armed) {
		fx->esr = read_sysreg(esr_el1);
		fx->far = read_sysreg(far_el1);
		fx->elr = f->elr;
		esr_describe(fx->report, sizeof(fx->report), fx->esr, fx->far);
		f->elr += 4;
		fx->armed = false;
		return;
	}
	trap_report(kind, f);
}

/**
 * aarch64_irq - dispatch pending interrupts until the GIC has none.
 */
void aarch64_irq(void)
{
	unsigned int iar, intid;

	for (;;) {
		iar = gic_ack();
		intid = iar & 0xffffff;
		if (gic_version() == 2)
			intid &= 0x3ff;
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
