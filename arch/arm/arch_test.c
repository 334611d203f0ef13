// SPDX-License-Identifier: MIT
/*
 * arch_test.c - KTAP checks of the 32-bit Arm port itself (kernel only):
 * the MMU's translation as the hardware walks it, the memory the device
 * tree reports against what QEMU was given (expect_mem=), the boot
 * memory map's reservations (RAM outside the direct map included),
 * exception reports, PSCI and the processor mode.
 *
 * State: none shared; the map built by test_arm_memmap() lives in a
 * static table used only by that case.
 */
#include <ktest.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include "arm.h"

#define PAR_F		1U
#define PAR_PA(p)	((p) & 0xfffff000U)

static uint32_t probe_word;

/* Stage 1 PL1 read translation of @va (ATS1CPR), the PAR it gives. */
static uint32_t at_read(uint32_t va)
{
	write_cp15(va, 0, c7, c8, 0);
	isb();
	return read_cp15(0, c7, c4, 0);
}

static uint64_t ram_end(void)
{
	const struct fdt_info *fi = &arm_fdt;
	uint64_t end = 0;
	unsigned int i;

	for (i = 0; i < fi->nr_mem; i++)
		if (fi->mem[i].base + fi->mem[i].size > end)
			end = fi->mem[i].base + fi->mem[i].size;
	return end;
}

static void test_arm_mmu(struct ktest *t)
{
	uint32_t sctlr = read_sctlr(), par, va;
	uint64_t end = ram_end();

	KT_EXPECT(t, sctlr & 1);		/* M */
	KT_EXPECT(t, sctlr & (1 << 2));		/* C */
	KT_EXPECT(t, sctlr & (1 << 12));	/* I */
	KT_EXPECT_EQ(t, read_cp15(0, c2, c0, 2), 0);	/* TTBCR: short */
	/* Kernel data: identity. */
	va = (uint32_t)(uintptr_t)&probe_word;
	par = at_read(va);
	KT_ASSERT_EQ(t, par & PAR_F, 0);
	KT_EXPECT_EQ(t, PAR_PA(par), va & ~0xfffU);
	/* The last page the direct map reaches is mapped, beyond is not. */
	if (end > DIRECT_MAP_END)
		end = DIRECT_MAP_END;
	par = at_read((uint32_t)(end - 8));
	KT_EXPECT_EQ(t, par & PAR_F, 0);
	KT_EXPECT_EQ(t, PAR_PA(par), (uint32_t)(end - 4096));
	if (end < DIRECT_MAP_END)
		KT_EXPECT_EQ(t, at_read((uint32_t)end) & PAR_F, 1);
	/* The console and the GIC are mapped. */
	par = at_read(arm_fdt.uart_base ? (uint32_t)arm_fdt.uart_base :
					  UART_FALLBACK);
	KT_EXPECT_EQ(t, par & PAR_F, 0);
	KT_EXPECT_EQ(t, at_read((uint32_t)arm_fdt.gic_dist) & PAR_F, 0);
	/* Nothing at the bottom of the address space. */
	KT_EXPECT_EQ(t, at_read(0x1000) & PAR_F, 1);
	/* Exclusives work on normal memory (LDREX/STREX, LDREXD/STREXD). */
	__atomic_store_n(&probe_word, 5, __ATOMIC_RELAXED);
	KT_EXPECT_EQ(t, __atomic_fetch_add(&probe_word, 3, __ATOMIC_ACQ_REL),
		     5);
	KT_EXPECT_EQ(t, probe_word, 8);
}

/* Sum of the tree's banks against expect_mem= from the test runner; the
 * part outside the direct map is what mmu.c counted. */
static void test_arm_memory(struct ktest *t)
{
	const struct fdt_info *fi = &arm_fdt;
	uint64_t want = cmdline_get_u64("expect_mem", 0), total = 0;
	uint64_t beyond = 0;
	unsigned int i;

	for (i = 0; i < fi->nr_mem; i++) {
		uint64_t b = fi->mem[i].base, e = b + fi->mem[i].size;

		total += fi->mem[i].size;
		if (e > DIRECT_MAP_END)
			beyond += e - (b > DIRECT_MAP_END ? b : DIRECT_MAP_END);
	}
	ktest_log(t, "%u bank(s), %llu MiB, %llu MiB outside the direct map",
		  fi->nr_mem, (unsigned long long)(total >> 20),
		  (unsigned long long)(mmu_ram_unmapped() >> 20));
	KT_EXPECT_GE(t, fi->nr_mem, 1);
	if (want)
		KT_EXPECT_EQ(t, total, want);
	else
		ktest_log(t, "no expect_mem= on the command line");
	KT_EXPECT_EQ(t, mmu_ram_unmapped(), beyond);
	KT_EXPECT_EQ(t, kernel_fw_ram_unmapped, beyond);
}

static void test_arm_memmap(struct ktest *t)
{
	static struct memmap_region regions[64];
	uint64_t ks = (uintptr_t)__kernel_start, usable, total = 0;
	uint64_t covered = 0;
	struct memmap_region *r;
	struct memmap m;
	unsigned int i;

	memmap_init(&m, regions, 64);
	KT_ASSERT_SEQ(t, arch_memmap(&m), 0);
	KT_ASSERT_SEQ(t, memmap_sanitize(&m), 0);
	for (i = 0; i < arm_fdt.nr_mem; i++)
		total += arm_fdt.mem[i].size;
	KT_EXPECT_EQ(t, memmap_type_at(&m, ks), MEMMAP_KERNEL);
	KT_EXPECT_EQ(t, memmap_type_at(&m, (uintptr_t)__bss_end - 1),
		     MEMMAP_KERNEL);
	KT_EXPECT_EQ(t, memmap_type_at(&m, (uintptr_t)__pt_start),
		     MEMMAP_PAGETABLE);
	KT_EXPECT_EQ(t, memmap_type_at(&m, arm_dtb_pa), MEMMAP_DTB);
	KT_EXPECT_EQ(t, memmap_type_at(&m, arm_dtb_pa +
				       arm_fdt.totalsize - 1),
		     MEMMAP_DTB);
	KT_EXPECT_EQ(t, memmap_type_at(&m, ks - 1), MEMMAP_USABLE);
	if (ram_end() > DIRECT_MAP_END) {
		KT_EXPECT_EQ(t, memmap_type_at(&m, DIRECT_MAP_END - 1),
			     MEMMAP_USABLE);
		KT_EXPECT_EQ(t, memmap_type_at(&m, DIRECT_MAP_END),
			     MEMMAP_RESERVED);
		KT_EXPECT_EQ(t, memmap_type_at(&m, ram_end() - 1),
			     MEMMAP_RESERVED);
	}
	/* Everything lies inside RAM; only the partial frames that usable
	 * ranges lose to trimming are missing from the sum. */
	usable = memmap_total(&m, MEMMAP_USABLE);
	for_each_memmap_region(&m, r)
		covered += r->size;
	KT_EXPECT_LE(t, covered, total);
	KT_EXPECT_LT(t, total - covered, 2 * FRAME_SIZE * m.nr);
	KT_EXPECT_LE(t, usable + mmu_ram_unmapped(), total);
}

static void test_arm_exceptions(struct ktest *t)
{
	uint32_t fsr, far, pc, v = 0x5a5a;
	const char *rep;
	char want[64];

	trap_expect(true);
	/* udf #7 */
	__asm__ __volatile__(".inst 0xe7f000f7" ::: "memory");
	rep = trap_last(&fsr, &far, &pc);
	KT_EXPECT_NE(t, pc, 0);
	KT_EXPECT_EQ(t, fsr, 0);
	mm_snprintf(want, sizeof(want),
		    "undefined instruction 0xe7f000f7 at 0x%x",
		    (unsigned int)pc);
	KT_EXPECT_STREQ(t, rep, want);

	trap_expect(true);
	__asm__ __volatile__("ldr %0, [%1]" : "+r"(v) : "r"(0x1000U)
			     : "memory");
	rep = trap_last(&fsr, &far, &pc);
	KT_EXPECT_EQ(t, v, 0x5a5a);	/* the load was skipped */
	KT_EXPECT_EQ(t, far, 0x1000);
	KT_EXPECT_EQ(t, fsr & (1U << 11), 0);	/* WnR: read */
	KT_EXPECT_STREQ(t, rep,
			"data abort: translation fault, section, read at 0x1000 (DFSR 0x5)");

	trap_expect(true);
	__asm__ __volatile__("str %0, [%1]" : : "r"(v), "r"(0x2008U)
			     : "memory");
	rep = trap_last(&fsr, &far, &pc);
	KT_EXPECT_EQ(t, far, 0x2008);
	KT_EXPECT_EQ(t, fsr & (1U << 11), 1U << 11);	/* WnR */
	ktest_log(t, "%s", rep);
	trap_expect(false);
}

static void test_arm_psci(struct ktest *t)
{
	long v = psci_call(PSCI_VERSION, 0, 0, 0);

	KT_ASSERT_NE(t, arm_fdt.psci, FDT_PSCI_NONE);
	ktest_log(t, "PSCI %ld.%ld through %s", v >> 16, v & 0xffff,
		  arm_fdt.psci == FDT_PSCI_HVC ? "hvc" : "smc");
	KT_EXPECT(t, v >= 2);		/* 0.2 or later, not an error */
}

static void test_arm_mode(struct ktest *t)
{
	uint32_t cpsr = read_cpsr();

	KT_EXPECT_EQ(t, cpsr & PSR_MODE_MASK, PSR_MODE_SVC);
	KT_EXPECT_EQ(t, cpsr & (1U << 5), 0);	/* ARM state, not Thumb */
	/* Interrupts are unmasked in thread context after boot. */
	KT_EXPECT_EQ(t, cpsr & PSR_I, 0);
	KT_EXPECT_EQ(t, (uintptr_t)this_kcpu(), (uintptr_t)&kcpus[0]);
}

static struct ktest_case arm_cases[] = {
	KTEST_CASE(test_arm_mmu),
	KTEST_CASE(test_arm_memory),
	KTEST_CASE(test_arm_memmap),
	KTEST_CASE(test_arm_exceptions),
	KTEST_CASE(test_arm_psci),
	KTEST_CASE(test_arm_mode),
	{}
};
KTEST_SUITE(arm, arm_cases);
