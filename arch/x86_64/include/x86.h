/* SPDX-License-Identifier: MIT */
/*
 * x86.h - x86-64 instructions, registers and constants used by the port.
 *
 * Only static inline wrappers and constants; no state. Shared by the
 * C files of arch/x86_64 (and usable by kernel/ code that is x86-only).
 */
#ifndef KMA_X86_H
#define KMA_X86_H

/* GDT selectors (entry.S builds the GDT). */
#define GDT_CODE64	0x08
#define GDT_DATA	0x10
#define GDT_CODE32	0x18
#define GDT_TSS		0x20	/* 16 bytes per CPU from here */

#define MSR_APIC_BASE	0x1b
#define MSR_EFER	0xc0000080
#define MSR_GS_BASE	0xc0000101

#define X86_RFLAGS_IF	(1UL << 9)

/* Interrupt vectors. */
#define VEC_TIMER	0x40
#define VEC_KICK	0x41
#define VEC_SPURIOUS	0xff

#ifndef __ASSEMBLY__
#include <stdint.h>

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	__asm__ __volatile__("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ __volatile__("wrmsr" : : "c"(msr), "a"((uint32_t)v),
			     "d"((uint32_t)(v >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ __volatile__("cpuid"
			     : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
			     : "a"(leaf), "c"(sub));
}

static inline uint64_t read_cr2(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline uint64_t read_cr3(void)
{
	uint64_t v;

	__asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
	return v;
}

static inline void write_cr3(uint64_t v)
{
	__asm__ __volatile__("mov %0, %%cr3" : : "r"(v) : "memory");
}

static inline void invlpg(uintptr_t va)
{
	__asm__ __volatile__("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void cpu_halt_forever(void)
{
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

/*
 * The identity map (boot.c, entry.S): boot_pd[pa >> 21] is the page
 * directory entry of the 2 MiB at pa, below x86_mapped_top.
 */
extern uint64_t boot_pd[];
extern uint64_t x86_mapped_top;

/* Port-internal functions (the C files of arch/x86_64). */
extern unsigned int x86_nr_cpus;
void x86_serial_init(void);
void x86_trap_init(void);
void x86_trap_cpu_init(unsigned int cpu);
void x86_set_timer_handler(void (*fn)(void));
void x86_apic_init(uint64_t lapic_pa);
void x86_lapic_cpu_init(void);
void x86_lapic_eoi(void);
uint32_t x86_lapic_id(void);
void x86_udelay(uint64_t us);
void x86_ipi(uint32_t apic_id, uint32_t icr);
void x86_ipi_init_sipi(uint32_t apic_id, uint64_t page,
		       const volatile int *started);
struct trap_frame;
struct kcpu;
void x86_trap(struct trap_frame *f);
__attribute__((noreturn)) void x86_ap_main(struct kcpu *c);
#endif /* __ASSEMBLY__ */
#endif /* KMA_X86_H */
