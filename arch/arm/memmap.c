// SPDX-License-Identifier: MIT
/*
 * memmap.c - the 32-bit Arm boot memory map, from the device tree.
 *
 * Usable: every /memory bank, as far as the direct map covers it. Kept:
 * /reserved-memory children (firmware) and /memreserve/ entries
 * (reserved), the device tree blob, the kernel image (text through BSS),
 * the boot page table, and the initrd. RAM the direct map does not cover
 * (mmu.c: at or above 4 GiB, or a partial megabyte at a bank's end) is
 * entered as usable, so that the firmware's total counts it, and then
 * reserved over, so that the allocator never gets it; arm_boot_report()
 * prints how much. memmap_sanitize() (mm/memmap.c) resolves overlaps;
 * this file only adds.
 *
 * Reads the boot information written once by arm_boot(); no state.
 */
#include <kma/memmap.h>
#include "arm.h"

#define SECTION_SIZE	(1ULL << 20)

static int add(struct memmap *m, uint64_t base, uint64_t size, uint32_t type)
{
	return size ? memmap_add(m, base, size, type) : 0;
}

/* Reserve what mmu.c left out of bank [@base, @base + @size). */
static int reserve_unmapped(struct memmap *m, uint64_t base, uint64_t size)
{
	uint64_t end = base + size;
	uint64_t s = (base + SECTION_SIZE - 1) & ~(SECTION_SIZE - 1);
	uint64_t e = end & ~(SECTION_SIZE - 1);

	if (e > DIRECT_MAP_END)
		e = DIRECT_MAP_END;
	if (s >= e)
		return add(m, base, size, MEMMAP_RESERVED);
	return add(m, base, s - base, MEMMAP_RESERVED) |
	       add(m, e, end - e, MEMMAP_RESERVED);
}

/**
 * arch_memmap - fill the boot memory map from the device tree.
 * @m: an initialised, empty map.
 *
 * Return: 0, or -1 when the tree described no memory or the table is full
 * (memmap_add() reported it).
 */
int arch_memmap(struct memmap *m)
{
	const struct fdt_info *fi = &arm_fdt;
	uint64_t ks = (uintptr_t)__kernel_start, ps = (uintptr_t)__pt_start;
	unsigned int i;
	int ret = 0;

	if (!fi->nr_mem)
		return -1;
	for (i = 0; i < fi->nr_mem; i++) {
		ret |= add(m, fi->mem[i].base, fi->mem[i].size, MEMMAP_USABLE);
		ret |= reserve_unmapped(m, fi->mem[i].base, fi->mem[i].size);
	}
	for (i = 0; i < fi->nr_rsv; i++)
		ret |= add(m, fi->rsv[i].base, fi->rsv[i].size,
			   fi->rsv[i].memreserve ? MEMMAP_RESERVED :
						   MEMMAP_FIRMWARE);
	ret |= add(m, arm_dtb_pa, fi->totalsize, MEMMAP_DTB);
	ret |= add(m, ks, ps - ks, MEMMAP_KERNEL);
	ret |= add(m, ps, (uintptr_t)__pt_end - ps, MEMMAP_PAGETABLE);
	if (fi->has_initrd)
		ret |= add(m, fi->initrd_start,
			   fi->initrd_end - fi->initrd_start, MEMMAP_INITRD);
	kernel_fw_ram_unmapped = mmu_ram_unmapped();
	return ret ? -1 : 0;
}
