// SPDX-License-Identifier: MIT
/*
 * mmu.c - the boot translation table: an identity map of RAM below 4 GiB
 * as normal write-back cacheable memory and of the devices we touch as
 * device memory, built before the MMU is turned on.
 *
 * Format: the short-descriptor format with 1 MiB sections only, one
 * first-level table of 4096 entries (16 KiB) in TTBR0 for the whole
 * 32-bit address space (TTBCR.N = 0), domain 0 as client. Why not LPAE:
 * the direct map is the identity, and a 32-bit virtual address space
 * cannot reach physical addresses at or above 4 GiB whatever the table
 * format, so LPAE's 40-bit output would buy nothing here; sections need
 * one table and no second level, and 1 MiB granularity is finer than
 * anything the virt machine's RAM or devices need. On virt RAM starts at
 * 1 GiB, so the map covers up to 3 GiB of it; the rest (LPAE machines
 * given more) is counted here and reported at boot, never handed to the
 * allocator (memmap.c).
 *
 * Attributes (TEX remap off, SCTLR.TRE = 0):
 *   RAM      TEX 001 C 1 B 1: normal, inner/outer write-back
 *            write-allocate, shareable, read/write, executable
 *   devices  TEX 000 C 0 B 1: shareable device, read/write, execute never
 * RAM is mapped read-write and executable (no W^X: the demo kernel has
 * no untrusted code). A RAM bank is mapped in whole sections only: a
 * partial megabyte at either end is left out (and counted as unmapped),
 * so nothing that is not RAM is ever mapped cacheable.
 *
 * mmu_build() runs once on the boot CPU with the MMU off (plain aligned
 * stores, no atomics); the table is shared by every CPU.
 *
 * Afterwards only the guard-page hook changes it (arm_guard_protect(),
 * port_guard_protect() of port.h, for mm/guard.c): it clears and sets
 * bit 1 of second-level small-page descriptors in the pool's range (a
 * RAM page has XN clear, so the descriptor becomes a fault entry, and
 * the rest of it stays for when the page comes back). The first call
 * for a range splits each section it touches into a second-level table
 * of 256 small pages with the section's attributes, in a frame from
 * frame_alloc() (the table needs 1 KiB of it; the pool spans at most two
 * sections), installed by one compare-and-exchange. Split sections stay
 * split, so later calls only flip descriptors.
 */
#include <kma/frame.h>
#include "arm.h"

#define SECTION_SHIFT	20
#define SECTION_SIZE	(1ULL << SECTION_SHIFT)
#define L1_ENTRIES	4096

#define SECT		(2U << 0)
#define SECT_B		(1U << 2)
#define SECT_C		(1U << 3)
#define SECT_XN		(1U << 4)
#define SECT_AP_RW	(3U << 10)	/* AP[1:0] = 11, AP[2] = 0 */
#define SECT_TEX(x)	((uint32_t)(x) << 12)
#define SECT_S		(1U << 16)

#define ATTR_NORMAL	(SECT | SECT_TEX(1) | SECT_C | SECT_B | SECT_S | \
			 SECT_AP_RW)
#define ATTR_DEVICE	(SECT | SECT_B | SECT_XN | SECT_AP_RW)

/* TTBR0 walk attributes: inner and outer write-back write-allocate,
 * shareable, inner shareable (IRGN 01, RGN 01, S, NOS). */
#define TTBR_WALK	((1U << 6) | (1U << 3) | (1U << 1) | (1U << 5))

static uint32_t l1_table[L1_ENTRIES]
	__attribute__((aligned(16384), section(".pagetables")));
static unsigned int nr_sections;
static uint64_t ram_unmapped;

static void map_sections(uint64_t start, uint64_t end, uint32_t attr)
{
	uint64_t a;

	for (a = start; a < end; a += SECTION_SIZE) {
		if (!l1_table[a >> SECTION_SHIFT])
			nr_sections++;
		l1_table[a >> SECTION_SHIFT] = (uint32_t)a | attr;
	}
}

/* RAM: whole sections below DIRECT_MAP_END; count the rest. */
static void map_ram(uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	uint64_t s = (base + SECTION_SIZE - 1) & ~(SECTION_SIZE - 1);
	uint64_t e = end & ~(SECTION_SIZE - 1);

	if (e > DIRECT_MAP_END)
		e = DIRECT_MAP_END;
	if (s >= e) {
		ram_unmapped += size;
		return;
	}
	ram_unmapped += size - (e - s);
	map_sections(s, e, ATTR_NORMAL);
}

/* A device: the sections around it; refused above 4 GiB. */
static int map_device(uint64_t base, uint64_t size, const char *what)
{
	uint64_t s = base & ~(SECTION_SIZE - 1);
	uint64_t e = (base + size + SECTION_SIZE - 1) & ~(SECTION_SIZE - 1);

	if (!size)
		return 0;
	if (e > DIRECT_MAP_END || e < s) {
		arm_early_puts("kma: mmu: device beyond 32 bits: ");
		arm_early_puts(what);
		arm_early_puts("\n");
		return -1;
	}
	map_sections(s, e, ATTR_DEVICE);
	return 0;
}

/**
 * mmu_build - build the identity map for RAM and devices (MMU off).
 * @fi: the parsed device tree.
 * @uart: console base address.
 *
 * Return: 0, or -1 (already printed) if a device cannot be mapped.
 */
int mmu_build(const struct fdt_info *fi, uint32_t uart)
{
	unsigned int i;
	int ret;

	for (i = 0; i < L1_ENTRIES; i++)
		l1_table[i] = 0;
	nr_sections = 0;
	ram_unmapped = 0;
	for (i = 0; i < fi->nr_mem; i++)
		map_ram(fi->mem[i].base, fi->mem[i].size);
	ret = map_device(uart, FRAME_SIZE, "uart");
	if (!ret)
		ret = map_device(fi->gic_dist, fi->gic_dist_size,
				 "gic distributor");
	if (!ret)
		ret = map_device(fi->gic_cpu, fi->gic_cpu_size,
				 "gic cpu interface");
	return ret;
}

/** mmu_ttbr0 - the TTBR0 value: the table's address and walk attributes. */
uint32_t mmu_ttbr0(void)
{
	return (uint32_t)(uintptr_t)l1_table | TTBR_WALK;
}

/** mmu_sections - 1 MiB sections mapped. */
unsigned int mmu_sections(void)
{
	return nr_sections;
}

/**
 * mmu_ram_unmapped - RAM the direct map does not cover.
 *
 * Return: bytes of the device tree's memory banks outside the map (above
 * 4 GiB, or partial megabytes at a bank's ends).
 */
uint64_t mmu_ram_unmapped(void)
{
	return ram_unmapped;
}

#define L1_TYPE_MASK	3U
#define L1_TABLE	1U		/* a second-level table */
#define L1_TABLE_ADDR	0xfffffc00U
#define L1_DOMAIN	(0xfU << 5)
#define L2_ENTRIES	256
#define L2_SMALL	(2U << 0)	/* bit 1: a small page (bit 0: XN) */
#define SECT_BASE	0xfff00000U

/* The small-page descriptor of the page at @pa in section descriptor @d. */
static uint32_t small_of_section(uint32_t d, uint32_t pa)
{
	return pa | L2_SMALL | (d & (SECT_B | SECT_C)) |
	       ((d >> 10) & 3) << 4 |		/* AP[1:0] */
	       ((d >> 12) & 7) << 6 |		/* TEX */
	       ((d >> 15) & 1) << 9 |		/* AP[2] */
	       ((d >> 16) & 3) << 10 |		/* S, nG */
	       ((d >> 4) & 1);			/* XN */
}

/*
 * The second-level table under the first-level entry of @va; a section
 * there is split if @split (one frame), else NULL.
 */
static uint32_t *mmu_guard_table(uint32_t va, bool split)
{
	uint32_t *l1 = &l1_table[va >> SECTION_SHIFT], d, *t, i;
	phys_addr_t pa;

	d = __atomic_load_n(l1, __ATOMIC_ACQUIRE);
	for (;;) {
		if ((d & L1_TYPE_MASK) == L1_TABLE)
			return (uint32_t *)(uintptr_t)(d & L1_TABLE_ADDR);
		if ((d & L1_TYPE_MASK) != SECT || !split)
			return NULL;
		pa = frame_alloc(0);
		if (pa == FRAME_NONE)
			return NULL;
		t = (uint32_t *)(uintptr_t)pa;
		for (i = 0; i < L2_ENTRIES; i++)
			t[i] = small_of_section(d, (d & SECT_BASE) +
						   (i << 12));
		dsb_ish();		/* the table before the walker sees it */
		if (__atomic_compare_exchange_n(l1, &d, (uint32_t)pa |
						(d & L1_DOMAIN) | L1_TABLE,
						false, __ATOMIC_RELEASE,
						__ATOMIC_ACQUIRE)) {
			dsb_ish();
			write_cp15(0, 0, c8, c3, 0);	/* TLBIALLIS */
			dsb_ish();
			isb();
			return t;
		}
		frame_free(pa, 0);	/* another CPU split it */
	}
}

/**
 * arm_guard_protect - make the 4 KiB pages of [@va, @va + @bytes) fault
 * (@access false) or map them again (port.h, port_guard_protect()).
 * @va: page aligned, in the identity map of RAM.
 * @bytes: a multiple of the page size.
 * @access: true to map the pages again.
 *
 * The first call for a range splits the sections it touches (frames from
 * frame_alloc(); no kma lock may be held). A page made to fault leaves
 * every CPU's TLB (TLBIMVAAIS); one mapped again needs only barriers.
 *
 * Return: 0, or -1 (a page outside the map, or no frame for a split).
 */
int arm_guard_protect(void *va, size_t bytes, bool access)
{
	uint32_t p = (uint32_t)(uintptr_t)va, *t = NULL, *pte;
	uint64_t end = (uint64_t)p + bytes;

	if ((p | bytes) & (FRAME_SIZE - 1))
		return -1;
	for (; p < end; p += FRAME_SIZE) {
		if (!t || !(p & (SECTION_SIZE - 1)))
			t = mmu_guard_table(p, !access);
		if (!t && access && (l1_table[p >> SECTION_SHIFT] &
				     L1_TYPE_MASK) == SECT) {
			p |= SECTION_SIZE - FRAME_SIZE;	/* never split */
			continue;
		}
		if (!t)
			return -1;
		pte = &t[(p >> 12) & (L2_ENTRIES - 1)];
		if (access) {
			__atomic_store_n(pte, *pte | L2_SMALL,
					 __ATOMIC_RELAXED);
			continue;
		}
		__atomic_store_n(pte, *pte & ~L2_SMALL, __ATOMIC_RELAXED);
		dsb_ish();
		write_cp15(p, 0, c8, c3, 3);		/* TLBIMVAAIS */
	}
	dsb_ish();
	isb();
	return 0;
}
