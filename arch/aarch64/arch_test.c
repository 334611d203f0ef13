// SPDX-License-Identifier: MIT
/*
 * arch_test.c - KTAP checks of the AArch64 port itself (kernel only):
 * the MMU's attributes as the hardware translates them, the memory the
 * device tree reports against what QEMU was given (expect_mem=), the
 * boot memory map's reservations, exception reports, PSCI and the
 * exception level.
 *
 * State: none shared; the map built by test_aarch64_memmap() lives in a
 * static table used only by that case.
 */
#include <ktest.h>
#include <kma/memmap.h>
#include "aarch64.h"

#define PAR_F		1ULL
#define PAR_ATTR(p)	((p) >> 56)
#define PAR_SH(p)	(((p) >> 7) & 3)
#define PAR_PA(p)	((p) & 0x0000fffffffff000ULL)

static uint64_t probe_word;

static uint64_t at_read(uint64_t va)
{
	__asm__ __volatile__("at s1e1r, %0" : : "r"(va) : "memory");
	isb();
	return read_sysreg(par_el1);
}

static uint64_t ram_end(void)
{
	const struct fdt_info *fi = &aarch64_fdt;
	uint64_t end = 0;
	unsigned int i;

	for (i = 0; i < fi->nr_mem; i++)
		if (fi->mem[i].base + fi->mem[i].size > end)
			end = fi->mem[i].base + fi->mem[i].size;
	return end;
}

static void test_aarch64_mmu(struct ktest *t)
{
	uint64_t sctlr = read_sysreg(sctlr_el1), par, va;

	KT_EXPECT(t, sctlr & 1);		/* M */
	KT_EXPECT(t, sctlr & (1 << 2));		/* C */
	KT_EXPECT(t, sctlr & (1 << 12));	/* I */
	/* Kernel data: normal write-back, inner shareable, identity. */
	va = (uint64_t)(uintptr_t)&probe_word;
	par = at_read(va);
	KT_ASSERT_EQ(t, par & PAR_F, 0);
	KT_EXPECT_EQ(t, PAR_ATTR(par), 0xff);
	KT_EXPECT_EQ(t, PAR_SH(par), 3);
	KT_EXPECT_EQ(t, PAR_PA(par), va & ~0xfffULL);
	/* The last page of RAM is mapped the same way, the next is not. */
	par = at_read(ram_end() - 8);
	KT_EXPECT_EQ(t, par & PAR_F, 0);
	KT_EXPECT_EQ(t, PAR_ATTR(par), 0xff);
	KT_EXPECT_EQ(t, at_read(ram_end()) & PAR_F, 1);
	/* The console is device memory. */
	par = at_read(aarch64_fdt.uart_base ? aarch64_fdt.uart_base :
					      UART_FALLBACK);
	KT_ASSERT_EQ(t, par & PAR_F, 0);
	KT_EXPECT_EQ(t, PAR_ATTR(par), 0x04);
	par = at_read(aarch64_fdt.gic_dist);
	KT_EXPECT_EQ(t, PAR_ATTR(par), 0x04);
	/* Nothing at the bottom of the address space. */
	KT_EXPECT_EQ(t, at_read(0x1000) & PAR_F, 1);
	/* Exclusives work on normal memory (they need the MMU on). */
	__atomic_store_n(&probe_word, 5, __ATOMIC_RELAXED);
	KT_EXPECT_EQ(t, __atomic_fetch_add(&probe_word, 3, __ATOMIC_ACQ_REL),
		     5);
	KT_EXPECT_EQ(t, probe_word, 8);
}

/* Sum of the tree's banks against expect_mem= from the test runner. */
static void test_aarch64_memory(struct ktest *t)
{
	const struct fdt_info *fi = &aarch64_fdt;
	uint64_t want = cmdline_get_u64("expect_mem", 0), total = 0;
	unsigned int i;

	for (i = 0; i < fi->nr_mem; i++)
		total += fi->mem[i].size;
	ktest_log(t, "%u bank(s), %llu MiB", fi->nr_mem,
		  (unsigned long long)(total >> 20));
	KT_EXPECT_GE(t, fi->nr_mem, 1);
	if (want)
		KT_EXPECT_EQ(t, total, want);
	else
		ktest_log(t, "no expect_mem= on the command line");
}

static void test_aarch64_memmap(struct ktest *t)
{
	static struct memmap_region regions[64];
	uint64_t ks = (uintptr_t)__kernel_start, usable, total = 0, covered = 0;
	struct memmap_region *r;
	struct memmap m;
	unsigned int i;

	memmap_init(&m, regions, 64);
	KT_ASSERT_SEQ(t, arch_memmap(&m), 0);
	KT_ASSERT_SEQ(t, memmap_sanitize(&m), 0);
	for (i = 0; i < aarch64_fdt.nr_mem; i++)
		total += aarch64_fdt.mem[i].size;
	KT_EXPECT_EQ(t, memmap_type_at(&m, ks), MEMMAP_KERNEL);
	KT_EXPECT_EQ(t, memmap_type_at(&m, (uintptr_t)__bss_end - 1),
		     MEMMAP_KERNEL);
	KT_EXPECT_EQ(t, memmap_type_at(&m, (uintptr_t)__pt_start),
		     MEMMAP_PAGETABLE);
	KT_EXPECT_EQ(t, memmap_type_at(&m, aarch64_dtb_pa), MEMMAP_DTB);
	KT_EXPECT_EQ(t, memmap_type_at(&m, aarch64_dtb_pa +
				       aarch64_fdt.totalsize - 1),
		     MEMMAP_DTB);
	KT_EXPECT_EQ(t, memmap_type_at(&m, ks - 1), MEMMAP_USABLE);
	if (aarch64_fdt.has_initrd)
		KT_EXPECT_EQ(t, memmap_type_at(&m, aarch64_fdt.initrd_start),
			     MEMMAP_INITRD);
	/* Everything lies inside RAM; only the partial frames that usable
	 * ranges lose to trimming are missing from the sum. */
	usable = memmap_total(&m, MEMMAP_USABLE);
	for_each_memmap_region(&m, r)
		covered += r->size;
	KT_EXPECT_LE(t, covered, total);
	KT_EXPECT_LT(t, total - covered, 2 * FRAME_SIZE * m.nr);
	KT_EXPECT_LT(t, usable, total);
}

static void test_aarch64_exceptions(struct ktest *t)
{
	uint64_t esr, far, elr, v = 0x5a5a;
	const char *rep;

	trap_expect(true);
	__asm__ __volatile__("brk #0x77" ::: "memory");
	rep = trap_last(&esr, &far, &elr);
	KT_EXPECT_EQ(t, esr >> 26 & 0x3f, 0x3c);
	KT_EXPECT_EQ(t, esr & 0xffff, 0x77);
	KT_EXPECT_NE(t, elr, 0);
	KT_EXPECT_STREQ(t, rep,
			"BRK instruction (EC 0x3c, ISS 0x77, ESR 0xf2000077)");

	trap_expect(true);
	__asm__ __volatile__("ldr %0, [%1]" : "+r"(v) : "r"(0x1000UL)
			     : "memory");
	rep = trap_last(&esr, &far, &elr);
	KT_EXPECT_EQ(t, v, 0x5a5a);	/* the load was skipped */
	KT_EXPECT_EQ(t, esr >> 26 & 0x3f, 0x25);
	KT_EXPECT_EQ(t, far, 0x1000);
	ktest_log(t, "%s", rep);
	KT_EXPECT(t, ktest_streq(rep, "data abort: translation fault level 1, read at 0x1000 (ESR 0x96000005)") ||
		     ktest_streq(rep, "data abort: translation fault level 2, read at 0x1000 (ESR 0x96000006)") ||
		     ktest_streq(rep, "data abort: translation fault level 3, read at 0x1000 (ESR 0x96000007)"));

	trap_expect(true);
	__asm__ __volatile__("str %0, [%1]" : : "r"(v), "r"(0x2008UL)
			     : "memory");
	rep = trap_last(&esr, &far, &elr);
	KT_EXPECT_EQ(t, far, 0x2008);
	KT_EXPECT_EQ(t, esr & (1 << 6), 1 << 6);	/* WnR */
	trap_expect(false);
}

static void test_aarch64_psci(struct ktest *t)
{
	long v = psci_call(PSCI_VERSION, 0, 0, 0);

	KT_ASSERT_NE(t, aarch64_fdt.psci, FDT_PSCI_NONE);
	ktest_log(t, "PSCI %ld.%ld through %s", v >> 16, v & 0xffff,
		  aarch64_fdt.psci == FDT_PSCI_HVC ? "hvc" : "smc");
	KT_EXPECT(t, v >= 2);		/* 0.2 or later, not an error */
}

static void test_aarch64_el(struct ktest *t)
{
	KT_EXPECT_EQ(t, read_sysreg(CurrentEL) >> 2, 1);
	/* Interrupts are unmasked in thread context after boot. */
	KT_EXPECT_EQ(t, read_sysreg(daif) & (1 << 7), 0);
	KT_EXPECT_EQ(t, (uintptr_t)this_kcpu(), (uintptr_t)&kcpus[0]);
}

static struct ktest_case aarch64_cases[] = {
	KTEST_CASE(test_aarch64_mmu),
	KTEST_CASE(test_aarch64_memory),
	KTEST_CASE(test_aarch64_memmap),
	KTEST_CASE(test_aarch64_exceptions),
	KTEST_CASE(test_aarch64_psci),
	KTEST_CASE(test_aarch64_el),
	{}
};
KTEST_SUITE(aarch64, aarch64_cases);
