// SPDX-License-Identifier: MIT
/*
 * mmu.c - the boot page tables: an identity map of RAM as normal
 * write-back cacheable memory and of the devices we touch as device
 * memory, built before the MMU is turned on.
 *
 * Translation: 4 KiB granule, 48-bit virtual addresses (walk from level
 * 0), TTBR0 only (TTBR1 walks disabled), inner-shareable write-back
 * walks. Virtual == physical everywhere, so port_phys_to_virt() is the
 * identity and the direct map is trivially linear.
 *
 * Memory attributes (MAIR_EL1):
 *   index 0  0xff  normal, inner/outer write-back, read/write-allocate
 *   index 1  0x04  Device-nGnRE (UART, GIC)
 * RAM is mapped read-write and executable (no W^X: the demo kernel has no
 * untrusted code); devices are never executable.
 *
 * Ranges are mapped with the largest blocks that fit (1 GiB, 2 MiB, then
 * 4 KiB pages); a block later cut by another range is split into a table
 * that keeps its attributes. Tables come from a static pool in the
 * .pagetables section at the end of the image (reserved as page tables in
 * the memory map).
 *
 * mmu_build() runs once on the boot CPU with the MMU off (plain aligned
 * stores, no atomics); the tables are shared by every CPU.
 *
 * Afterwards only the guard-page hook changes them (aarch64_guard_protect(),
 * port_guard_protect() of port.h, for mm/guard.c): it clears and sets the
 * valid bit of level-3 page descriptors in the pool's range (the other
 * bits stay, so the page comes back as it was), and the first call for a
 * range splits the blocks above it into tables of the same mappings. Those
 * tables come from frame_alloc(), not from the static pool, which is sized
 * for the boot map: the guard pool may sit anywhere in RAM, and a split
 * costs one frame per level. They are never freed: a split stays split,
 * so later calls for the same pages only flip valid bits.
 */
#include <kma/frame.h>
#include "aarch64.h"

#define PT_POOL		64
#define PT_ENTRIES	512
#define PTE_ADDR	0x0000fffffffff000ULL
#define PTE_VALID	(1ULL << 0)
#define PTE_TABLE	(3ULL << 0)	/* table (levels 0-2) or page (3) */
#define PTE_BLOCK	(1ULL << 0)
#define PTE_ATTR(i)	((uint64_t)(i) << 2)
#define PTE_SH_INNER	(3ULL << 8)
#define PTE_AF		(1ULL << 10)
#define PTE_PXN		(1ULL << 53)
#define PTE_UXN		(1ULL << 54)

#define ATTR_NORMAL	(PTE_ATTR(0) | PTE_SH_INNER | PTE_AF)
#define ATTR_DEVICE	(PTE_ATTR(1) | PTE_AF | PTE_PXN | PTE_UXN)

#define VA_LIMIT	(1ULL << 48)

static uint64_t pt_pool[PT_POOL][PT_ENTRIES]
	__attribute__((aligned(4096), section(".pagetables")));
static unsigned int pt_used;
static uint64_t *pt_root;
static uint64_t tcr_value;

static uint64_t *pt_alloc(void)
{
	uint64_t *t;
	unsigned int i;

	if (pt_used == PT_POOL)
		return NULL;
	t = pt_pool[pt_used++];
	for (i = 0; i < PT_ENTRIES; i++)
		t[i] = 0;
	return t;
}

/* Replace the block in *@slot (at @level) by a table of its pieces. */
static uint64_t *pt_split(uint64_t *slot, int level)
{
	uint64_t d = *slot, attr = d & ~PTE_ADDR & ~3ULL, sub_size;
	uint64_t pa = d & PTE_ADDR;
	uint64_t *t = pt_alloc();
	unsigned int i;

	if (!t)
		return NULL;
	sub_size = 1ULL << (39 - 9 * (level + 1));
	pa &= ~((sub_size << 9) - 1);
	for (i = 0; i < PT_ENTRIES; i++)
		t[i] = (pa + i * sub_size) | attr |
		       (level + 1 == 3 ? PTE_TABLE : PTE_BLOCK);
	*slot = (uint64_t)(uintptr_t)t | PTE_TABLE;
	return t;
}

static int pt_map(uint64_t *table, int level, uint64_t va, uint64_t end,
		  uint64_t attr)
{
	int shift = 39 - 9 * level;
	uint64_t blk = 1ULL << shift, next, *sub = NULL;
	uint64_t *slot;

	while (va < end) {
		slot = &table[(va >> shift) & (PT_ENTRIES - 1)];
		next = (va & ~(blk - 1)) + blk;
		if (next > end)
			next = end;
		if (level == 3) {
			*slot = va | attr | PTE_TABLE;
		} else if (level >= 1 && !(va & (blk - 1)) &&
			   next - va == blk && (*slot & 3) != PTE_TABLE) {
			*slot = va | attr | PTE_BLOCK;
		} else {
			if ((*slot & 3) == PTE_BLOCK)
				sub = pt_split(slot, level);
			else if ((*slot & 3) == PTE_TABLE)
				sub = (uint64_t *)(uintptr_t)(*slot & PTE_ADDR);
			else if ((sub = pt_alloc()) != NULL)
				*slot = (uint64_t)(uintptr_t)sub | PTE_TABLE;
			if (!sub)
				return -1;
			if (pt_map(sub, level + 1, va, next, attr))
				return -1;
		}
		va = next;
	}
	return 0;
}

static int map_range(uint64_t base, uint64_t size, uint64_t attr,
		     const char *what)
{
	uint64_t start = base & ~(FRAME_SIZE - 1);
	uint64_t end = (base + size + FRAME_SIZE - 1) & ~(FRAME_SIZE - 1);

	if (!size)
		return 0;
	if (end > VA_LIMIT || end < start) {
		aarch64_early_puts("kma: mmu: range beyond 48 bits: ");
		aarch64_early_puts(what);
		aarch64_early_puts("\n");
		return -1;
	}
	if (pt_map(pt_root, 0, start, end, attr)) {
		aarch64_early_puts("kma: mmu: out of page tables mapping ");
		aarch64_early_puts(what);
		aarch64_early_puts("\n");
		return -1;
	}
	return 0;
}

/**
 * mmu_build - build the identity map for RAM and devices (MMU off).
 * @fi: the parsed device tree.
 * @uart: console base address.
 *
 * Return: 0, or -1 (already printed) if a range cannot be mapped.
 */
int mmu_build(const struct fdt_info *fi, uint64_t uart)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	unsigned int i;
	int ret = 0;

	pt_used = 0;
	pt_root = pt_alloc();
	for (i = 0; i < fi->nr_mem && !ret; i++)
		ret = map_range(fi->mem[i].base, fi->mem[i].size, ATTR_NORMAL,
				"memory");
	if (!ret)
		ret = map_range(uart, FRAME_SIZE, ATTR_DEVICE, "uart");
	if (!ret)
		ret = map_range(fi->gic_dist, fi->gic_dist_size, ATTR_DEVICE,
				"gic distributor");
	if (!ret)
		ret = map_range(fi->gic_cpu, fi->gic_cpu_size, ATTR_DEVICE,
				"gic cpu/redistributor");
	if (parange > 5)
		parange = 5;	/* 48 bits is all a 48-bit VA can reach */
	tcr_value = 16			/* T0SZ: 48-bit VA */
		| 1ULL << 8		/* IRGN0: write-back, w-allocate */
		| 1ULL << 10		/* ORGN0 */
		| 3ULL << 12		/* SH0: inner shareable */
		| 0ULL << 14		/* TG0: 4 KiB */
		| 16ULL << 16		/* T1SZ */
		| 1ULL << 23		/* EPD1: no TTBR1 walks */
		| parange << 32;	/* IPS */
	return ret;
}

/** mmu_ttbr0 - the root table's address, for TTBR0_EL1. */
uint64_t mmu_ttbr0(void)
{
	return (uint64_t)(uintptr_t)pt_root;
}

/** mmu_tcr - the TCR_EL1 value that goes with the tables. */
uint64_t mmu_tcr(void)
{
	return tcr_value;
}

/** mmu_mair - the MAIR_EL1 value (see the file comment). */
uint64_t mmu_mair(void)
{
	return 0xffULL | 0x04ULL << 8;
}

/** mmu_tables_used - page tables taken from the pool. */
unsigned int mmu_tables_used(void)
{
	return pt_used;
}

/*
 * Replace the live block descriptor @d in *@slot (at @level 1 or 2) by a
 * table of the same mappings with the same attributes; the table (or the
 * one another CPU installed first), or NULL with no frame.
 *
 * The block becomes a table by one descriptor write, without the
 * architecture's break-before-make sequence: breaking would unmap, for a
 * moment, the code and stack running this (they may share the block).
 * The output addresses and attributes are unchanged, so a walk sees the
 * same translation either way; a core without FEAT_BBM may take a TLB
 * conflict abort while both sizes are cached, which the TLB invalidation
 * right after the write ends. QEMU, which runs the demo kernel, does not
 * model conflicts.
 */
static uint64_t *mmu_split_live(uint64_t *slot, uint64_t d, int level)
{
	uint64_t attr = d & ~PTE_ADDR & ~3ULL, sub_size, base;
	phys_addr_t pa;
	uint64_t *t;
	unsigned int i;

	sub_size = 1ULL << (39 - 9 * (level + 1));
	pa = frame_alloc(0);
	if (pa == FRAME_NONE)
		return NULL;
	t = (uint64_t *)(uintptr_t)pa;
	base = d & PTE_ADDR & ~((sub_size << 9) - 1);
	for (i = 0; i < PT_ENTRIES; i++)
		t[i] = (base + i * sub_size) | attr |
		       (level + 1 == 3 ? PTE_TABLE : PTE_BLOCK);
	dsb(ishst);			/* the table before the walker sees it */
	if (!__atomic_compare_exchange_n(slot, &d, pa | PTE_TABLE, false,
					 __ATOMIC_RELEASE, __ATOMIC_ACQUIRE)) {
		frame_free(pa, 0);	/* another CPU split it */
		return (d & 3) == PTE_TABLE ?
		       (uint64_t *)(uintptr_t)(d & PTE_ADDR) : NULL;
	}
	dsb(ishst);
	__asm__ __volatile__("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	isb();
	return t;
}

/*
 * The level-3 descriptor of @va, splitting the blocks above it if @split
 * (may allocate), or NULL (not mapped, or a block and not @split).
 */
static uint64_t *mmu_page_slot(uint64_t va, bool split)
{
	uint64_t *table = pt_root, *slot, d;
	int level;

	for (level = 0; level < 3; level++) {
		slot = &table[(va >> (39 - 9 * level)) & (PT_ENTRIES - 1)];
		d = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
		if ((d & 3) == PTE_TABLE)
			table = (uint64_t *)(uintptr_t)(d & PTE_ADDR);
		else if ((d & 3) == PTE_BLOCK && level && split)
			table = mmu_split_live(slot, d, level);
		else
			return NULL;
		if (!table)
			return NULL;
	}
	return &table[(va >> 12) & (PT_ENTRIES - 1)];
}

/* Whether @va is mapped by a valid block (so accessible, never split). */
static bool mmu_in_block(uint64_t va)
{
	uint64_t *table = pt_root, d;
	int level;

	for (level = 0; level < 3; level++) {
		d = __atomic_load_n(&table[(va >> (39 - 9 * level)) &
					   (PT_ENTRIES - 1)], __ATOMIC_ACQUIRE);
		if ((d & 3) != PTE_TABLE)
			return (d & 3) == PTE_BLOCK;
		table = (uint64_t *)(uintptr_t)(d & PTE_ADDR);
	}
	return false;
}

/**
 * aarch64_guard_protect - make the 4 KiB pages of [@va, @va + @bytes)
 * invalid (@access false) or valid again (port.h, port_guard_protect()).
 * @va: page aligned, in the identity map of RAM.
 * @bytes: a multiple of the page size.
 * @access: true to map the pages again.
 *
 * The first call for a range splits the blocks it touches (frames from
 * frame_alloc(); no kma lock may be held). An invalidated page leaves
 * every CPU's TLB (tlbi vaae1is); a page made valid needs no invalidation
 * (invalid descriptors are never cached), only the barriers.
 *
 * Return: 0, or -1 (a page outside the map, or no frame for a split).
 */
int aarch64_guard_protect(void *va, size_t bytes, bool access)
{
	uint64_t p = (uint64_t)(uintptr_t)va, end = p + bytes, *slot;

	if ((p | bytes) & (FRAME_SIZE - 1) || end < p || end > VA_LIMIT)
		return -1;
	for (; p < end; p += FRAME_SIZE) {
		slot = mmu_page_slot(p, !access);
		if (!slot && access && mmu_in_block(p))
			continue;		/* never split: mapped */
		if (!slot || !(*slot & PTE_ADDR))
			return -1;
		if (access) {
			__atomic_store_n(slot, *slot | PTE_VALID,
					 __ATOMIC_RELAXED);
			continue;
		}
		__atomic_store_n(slot, *slot & ~PTE_VALID, __ATOMIC_RELAXED);
		dsb(ishst);
		__asm__ __volatile__("tlbi vaae1is, %0" : : "r"(p >> 12)
				     : "memory");
	}
	dsb(ish);
	isb();
	return 0;
}
