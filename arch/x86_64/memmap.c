// SPDX-License-Identifier: MIT
/*
 * memmap.c - the x86-64 boot memory map: the PVH or multiboot2 ranges
 * recorded by arch_early_init(), plus what this kernel must keep.
 *
 * Kept: the kernel image (text through BSS) and the boot page tables by
 * name; the boot information structures, command line and modules (the
 * parsers recorded them); below 1 MiB, the first 64 KiB (real-mode IVT,
 * BIOS data area) and 0x9f000-0x100000 (EBDA, VGA memory, option and BIOS
 * ROMs, where QEMU's PVH loader keeps the start info). Conventional memory
 * between them stays usable, so the SMP trampoline can be taken from the
 * frame allocator below 1 MiB. memmap_sanitize() resolves overlaps; this
 * file only adds. No state of its own.
 */
#include <kma/memmap.h>
#include "kernel.h"
#include "x86.h"

extern char __kernel_start[], __pt_start[], __pt_end[];
extern struct memmap_region boot_regions[];
extern unsigned int boot_nr_regions;

#define LOW_KEEP_END	0x10000ULL
#define EBDA_START	0x9f000ULL
#define ONE_MIB		0x100000ULL

/**
 * arch_memmap - fill the boot memory map (see kernel.h).
 * @m: an initialised, empty map.
 *
 * Return: 0, or -1 if the boot protocol gave no RAM or the table is full.
 */
int arch_memmap(struct memmap *m)
{
	uint64_t ks = (uintptr_t)__kernel_start, ps = (uintptr_t)__pt_start;
	unsigned int i;
	int ret = 0, ram = 0;

	for (i = 0; i < boot_nr_regions; i++) {
		const struct memmap_region *r = &boot_regions[i];

		ram |= r->type == MEMMAP_USABLE && r->size;
		if (r->size)
			ret |= memmap_add(m, r->base, r->size, r->type);
	}
	if (!ram)
		return -1;
	ret |= memmap_add(m, 0, LOW_KEEP_END, MEMMAP_FIRMWARE);
	ret |= memmap_add(m, EBDA_START, ONE_MIB - EBDA_START,
			  MEMMAP_FIRMWARE);
	ret |= memmap_add(m, ks, ps - ks, MEMMAP_KERNEL);
	ret |= memmap_add(m, ps, (uintptr_t)__pt_end - ps, MEMMAP_PAGETABLE);
	return ret ? -1 : 0;
}
