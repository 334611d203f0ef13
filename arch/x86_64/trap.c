// SPDX-License-Identifier: MIT
/*
 * trap.c - the IDT, the per-CPU TSS (for the interrupt stacks), and the
 * dispatch of every vector: a page fault in the guard pool goes to
 * kma_guard_fault() (reported, the page opened, the access retried),
 * other exceptions are reported and panic, the LAPIC
 * timer calls the kernel's tick handler, the kick IPI only wakes a CPU
 * from hlt, an NMI during a panic parks the CPU.
 *
 * State: idt (written once by the boot CPU in x86_trap_init(), then
 * read-only); tss[] and ist_stacks[] (slot n written by CPU n when it
 * loads them in x86_trap_cpu_init()); the GDT's TSS descriptors (slot n
 * written by the CPU that brings up CPU n, before it starts).
 *
 * Double fault, NMI and machine check run on IST stack 1 so that a
 * kernel stack overflow still gets a report.
 */
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "kernel.h"
#include "x86.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

struct idt_gate {
	uint16_t off_lo;
	uint16_t sel;
	uint8_t ist;
	uint8_t type;
	uint16_t off_mid;
	uint32_t off_hi;
	uint32_t zero;
};
_Static_assert(sizeof(struct idt_gate) == 16, "idt gate");

struct tss {
	uint32_t res0;
	uint64_t rsp[3];
	uint64_t res1;
	uint64_t ist[7];
	uint64_t res2;
	uint16_t res3;
	uint16_t iomap;
} __attribute__((packed));
_Static_assert(sizeof(struct tss) == 104, "tss");

#define IST_STACK	4096

extern char trap_stubs[];
extern uint64_t gdt[];

static struct idt_gate idt[256] __attribute__((aligned(16)));
static struct tss tss[PORT_MAX_CPUS] __attribute__((aligned(16)));
static char ist_stacks[PORT_MAX_CPUS][IST_STACK] __attribute__((aligned(16)));

static void (*timer_handler)(void);

static const char *const exc_names[32] = {
	"#DE divide error", "#DB debug", "NMI", "#BP breakpoint",
	"#OF overflow", "#BR bound range", "#UD invalid opcode",
	"#NM device not available", "#DF double fault", "coprocessor",
	"#TS invalid TSS", "#NP segment not present", "#SS stack fault",
	"#GP general protection", "#PF page fault", "reserved",
	"#MF x87 error", "#AC alignment check", "#MC machine check",
	"#XM SIMD error", "#VE virtualization", "#CP control protection",
};

static void idt_set(unsigned int vec, uint8_t ist)
{
	uint64_t a = (uint64_t)(uintptr_t)(trap_stubs + 16 * vec);

	idt[vec] = (struct idt_gate){
		.off_lo = (uint16_t)a, .sel = GDT_CODE64, .ist = ist,
		.type = 0x8e, .off_mid = (uint16_t)(a >> 16),
		.off_hi = (uint32_t)(a >> 32),
	};
}

/**
 * x86_trap_init - fill the IDT (boot CPU, once).
 */
void x86_trap_init(void)
{
	unsigned int v;

	for (v = 0; v < 256; v++)
		idt_set(v, (v == 2 || v == 8 || v == 18) ? 1 : 0);
}

/**
 * x86_trap_cpu_init - load the IDT and this CPU's TSS.
 * @cpu: the calling CPU's id.
 */
void x86_trap_cpu_init(unsigned int cpu)
{
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) p = {
		sizeof(idt) - 1, (uint64_t)(uintptr_t)idt,
	};
	uint64_t base = (uint64_t)(uintptr_t)&tss[cpu];
	unsigned int slot = GDT_TSS / 8 + 2 * cpu;
	uint16_t sel = (uint16_t)(slot * 8);

	tss[cpu].ist[0] = (uint64_t)(uintptr_t)(ist_stacks[cpu] + IST_STACK);
	tss[cpu].iomap = sizeof(struct tss);
	gdt[slot] = (sizeof(struct tss) - 1) | ((base & 0xffffff) << 16) |
		    (0x89ULL << 40) | (((base >> 24) & 0xff) << 56);
	gdt[slot + 1] = base >> 32;
	__asm__ __volatile__("lidt %0" : : "m"(p));
	__asm__ __volatile__("ltr %0" : : "r"(sel));
}

/**
 * x86_set_timer_handler - the function the timer vector calls.
 * @fn: handler (shared by all CPUs).
 */
void x86_set_timer_handler(void (*fn)(void))
{
	timer_handler = fn;
}

static void trap_dump(const struct trap_frame *f)
{
	const char *name = f->vector < 32 && exc_names[f->vector] ?
			   exc_names[f->vector] : "unexpected vector";

	printk("\nEXCEPTION: %s (vector %llu) on CPU %u, error code 0x%llx\n",
	       name, (unsigned long long)f->vector, port_cpu_id(),
	       (unsigned long long)f->error);
	printk("RIP %04llx:%016llx RFLAGS %016llx CR2 %016llx\n",
	       (unsigned long long)f->cs, (unsigned long long)f->rip,
	       (unsigned long long)f->rflags, (unsigned long long)read_cr2());
	printk("RSP %04llx:%016llx CR3 %016llx\n", (unsigned long long)f->ss,
	       (unsigned long long)f->rsp, (unsigned long long)read_cr3());
	printk("RAX %016llx RBX %016llx RCX %016llx\n",
	       (unsigned long long)f->rax, (unsigned long long)f->rbx,
	       (unsigned long long)f->rcx);
	printk("RDX %016llx RSI %016llx RDI %016llx\n",
	       (unsigned long long)f->rdx, (unsigned long long)f->rsi,
	       (unsigned long long)f->rdi);
	printk("RBP %016llx R8  %016llx R9  %016llx\n",
	       (unsigned long long)f->rbp, (unsigned long long)f->r8,
	       (unsigned long long)f->r9);
	printk("R10 %016llx R11 %016llx R12 %016llx\n",
	       (unsigned long long)f->r10, (unsigned long long)f->r11,
	       (unsigned long long)f->r12);
	printk("R13 %016llx R14 %016llx R15 %016llx\n",
	       (unsigned long long)f->r13, (unsigned long long)f->r14,
	       (unsigned long long)f->r15);
}

/**
 * x86_trap - C side of every interrupt and exception stub.
 * @f: the saved state; changes to it are restored by iretq.
 */
void x86_trap(struct trap_frame *f)
{
	struct kcpu *c = this_kcpu();

	/* Interrupts (and NMIs) may land in the heap's fast paths. */
	if (f->vector >= 32 || f->vector == 2)
		kma_rcs_fixup(&f->rip);
	switch (f->vector) {
	case VEC_TIMER:
		c->irq_depth++;
		if (timer_handler)
			timer_handler();
		c->irq_depth--;
		x86_lapic_eoi();
		return;
	case VEC_KICK:
		x86_lapic_eoi();
		return;
	case VEC_SPURIOUS:
		return;
	case 14:
		/* Not present in the guard pool: reported, page opened. */
		if (!(f->error & 1) && kma_guard_fault(read_cr2()))
			return;
		break;
	case 2:
		if (kernel_in_panic())
			cpu_halt_forever();
		break;
	default:
		break;
	}
	trap_dump(f);
	panic("unhandled %s %llu at RIP 0x%llx",
	      f->vector < 32 ? "exception" : "interrupt",
	      (unsigned long long)f->vector, (unsigned long long)f->rip);
}
