// SPDX-License-Identifier: MIT
/*
 * memmap.c - the AArch64 boot memory map, from the device tree.
 *
 * Usable: every /memory bank. Kept: /reserved-memory children (firmware)
 * and /memreserve/ entries (reserved), the device tree blob, the kernel
 * image (text through BSS), the boot page tables, and the initrd.
 * memmap_sanitize() (mm/memmap.c) resolves overlaps; this file only adds.
 *
 * Reads the boot information written once by aarch64_boot(); no state.
 */
#include <kma/memmap.h>
#include "aarch64.h"

static int add(struct memmap *m, uint64_t base, uint64_t size, uint32_t type)
{
	return size ? memmap_add(m, base, size, type) : 0;
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
	const struct fdt_info *fi = &aarch64_fdt;
	uint64_t ks = (uintptr_t)__kernel_start, ps = (uintptr_t)__pt_start;
	unsigned int i;
	int ret = 0;

	if (!fi->nr_mem)
		return -1;
	for (i = 0; i < fi->nr_mem; i++)
		ret |= add(m, fi->mem[i].base, fi->mem[i].size, MEMMAP_USABLE);
	for (i = 0; i < fi->nr_rsv; i++)
		ret |= add(m, fi->rsv[i].base, fi->rsv[i].size,
			   fi->rsv[i].memreserve ? MEMMAP_RESERVED :
						   MEMMAP_FIRMWARE);
	ret |= add(m, aarch64_dtb_pa, fi->totalsize, MEMMAP_DTB);
	ret |= add(m, ks, ps - ks, MEMMAP_KERNEL);
	ret |= add(m, ps, (uintptr_t)__pt_end - ps, MEMMAP_PAGETABLE);
	if (fi->has_initrd)
		ret |= add(m, fi->initrd_start,
			   fi->initrd_end - fi->initrd_start, MEMMAP_INITRD);
	return ret ? -1 : 0;
}
