// SPDX-License-Identifier: MIT
/*
 * mem.c - the demo kernel's memory start: the boot memory map from the
 * arch, the mem= limit, the sanitized map's dump, and the allocator.
 *
 * State (written on the boot CPU by kernel_mem_init() before other CPUs
 * start, read-only afterwards): boot_map and its storage, and
 * kernel_fw_ram, the RAM total the firmware reported before any
 * reservation (the boot test compares it with what QEMU was given).
 */
#include <memmap.h>
#include <frame.h>
#include <kmalloc.h>
#include <mm_report.h>
#include "kernel.h"

#define BOOT_MAP_CAP	512

static struct memmap_region boot_map_storage[BOOT_MAP_CAP];
struct memmap boot_map;
uint64_t kernel_fw_ram;
uint64_t kernel_fw_ram_high;		/* of which above 4 GiB */

static void mem_count_fw_ram(void)
{
	const struct memmap_region *r;

	for_each_memmap_region(&boot_map, r) {
		uint64_t end = r->base + r->size;

		if (r->type != MEMMAP_USABLE)
			continue;
		kernel_fw_ram += r->size;
		if (end > (1ULL << 32))
			kernel_fw_ram_high += end - (r->base > (1ULL << 32) ?
						     r->base : (1ULL << 32));
	}
}

/* mem=SIZE: usable memory at and above SIZE becomes reserved. */
static void mem_apply_limit(void)
{
	uint64_t limit = cmdline_get_u64("mem", 0);
	const struct memmap_region *r;
	int changed = 1;

	if (!limit)
		return;
	while (changed) {
		changed = 0;
		for_each_memmap_region(&boot_map, r) {
			uint64_t b = r->base, e = r->base + r->size;

			if (r->type != MEMMAP_USABLE || e <= limit)
				continue;
			if (b < limit)
				b = limit;
			if (memmap_set_range(&boot_map, b, e - b,
					     MEMMAP_RESERVED))
				return;
			changed = 1;
			break;
		}
	}
	printk("mem: limited to %llu MiB by mem=\n",
	       (unsigned long long)(limit >> 20));
}

/**
 * kernel_mem_init - build, sanitize and print the boot memory map, start
 * the frame allocator and the heap on it (mm_init()).
 *
 * Panics if the arch has no memory map, it cannot be sanitized, or the
 * frame allocator cannot start.
 */
void kernel_mem_init(void)
{
	memmap_init(&boot_map, boot_map_storage, BOOT_MAP_CAP);
	if (arch_memmap(&boot_map))
		panic("mem: no usable boot memory map");
	mem_count_fw_ram();
	if (memmap_sanitize(&boot_map))
		panic("mem: boot memory map does not fit %u entries",
		      BOOT_MAP_CAP);
	mem_apply_limit();
	printk("mem: firmware reported %llu KiB of RAM (%llu KiB above 4 GiB)\n",
	       (unsigned long long)(kernel_fw_ram >> 10),
	       (unsigned long long)(kernel_fw_ram_high >> 10));
	memmap_dump(&boot_map);
	if (mm_init(&boot_map))
		panic("mem: the frame allocator and heap cannot start");
	frame_dump();
}
