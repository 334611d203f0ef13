// SPDX-License-Identifier: MIT
/*
 * mem.c - the demo kernel's memory start: the boot memory map from the
 * arch, the mem= limit, the sanitized map's dump, and the allocator.
 *
 * State (written on the boot CPU by kernel_mem_init() before other CPUs
 * start, read-only afterwards): boot_map and its storage, and
 * kernel_fw_ram, the RAM total the firmware reported before any
 * reservation (the boot test compares it with what QEMU was given), and
 * kernel_fw_ram_unmapped, the part of it the arch's direct map cannot
 * reach (set by arch_memmap(), which reserves it; 0 but on 32-bit Arm).
 */
#include <kma/memmap.h>
#include <kma/frame.h>
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include "kernel.h"

#define BOOT_MAP_CAP	512

static struct memmap_region boot_map_storage[BOOT_MAP_CAP];
struct memmap boot_map;
uint64_t kernel_fw_ram;
uint64_t kernel_fw_ram_high;		/* of which above 4 GiB */
uint64_t kernel_fw_ram_unmapped;	/* of which outside the direct map */

/**
 * kernel_fw_ram_of - the RAM a raw (unsanitized) map reports: the union
 * of its usable entries, so that entries that overlap (two device-tree
 * memory nodes over the same bank) count once; reservations are ignored.
 * Uses a static table: boot CPU only, one caller at a time.
 * @raw: the map as the arch filled it.
 * @high: set to the part above 4 GiB.
 *
 * Return: bytes (whole frames: the union is sanitized).
 */
uint64_t kernel_fw_ram_of(const struct memmap *raw, uint64_t *high)
{
	static struct memmap_region tab[BOOT_MAP_CAP];
	const struct memmap_region *r;
	struct memmap u;
	uint64_t sum = 0;

	*high = 0;
	memmap_init(&u, tab, BOOT_MAP_CAP);
	for_each_memmap_region(raw, r)
		if (r->type == MEMMAP_USABLE)
			memmap_add(&u, r->base, r->size, MEMMAP_USABLE);
	memmap_sanitize(&u);
	for_each_memmap_region(&u, r) {
		uint64_t end = r->base + r->size;

		sum += r->size;
		if (end > (1ULL << 32))
			*high += end - (r->base > (1ULL << 32) ? r->base :
							       (1ULL << 32));
	}
	return sum;
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
/* kma.debug=OPTIONS: the heap's debug mode, before mm_init(). */
static void mem_debug_option(void)
{
	const char *spec = cmdline_get("kma.debug");
	unsigned int flags;
	uint64_t qbytes;

	if (!spec)
		return;
	if (kmalloc_parse_debug(spec, &flags, &qbytes) ||
	    kmalloc_set_debug(flags, qbytes))
		panic("mem: bad kma.debug=%s", spec);
	printk("mem: kma debug options 0x%x, quarantine %llu bytes\n", flags,
	       (unsigned long long)qbytes);
}

/*
 * kma.guard=N (one allocation in N, 0 off) or kma.guard=on (the default
 * interval): sampled guard pages, once the heap runs (the pool comes
 * from the frame allocator).
 */
static void mem_guard_option(void)
{
	const char *spec = cmdline_get("kma.guard");
	uint64_t n;

	if (!spec)
		return;
	if (spec[0] == 'o' && spec[1] == 'n' && !spec[2])
		n = KMA_GUARD_DEFAULT;
	else
		n = cmdline_get_u64("kma.guard", UINT64_MAX);
	if (n > UINT32_MAX || kmalloc_set_guard((unsigned int)n))
		panic("mem: bad kma.guard=%s", spec);
	printk("mem: kma guard pages: one allocation in %u\n",
	       kmalloc_guard());
}

void kernel_mem_init(void)
{
	memmap_init(&boot_map, boot_map_storage, BOOT_MAP_CAP);
	if (arch_memmap(&boot_map))
		panic("mem: no usable boot memory map");
	kernel_fw_ram = kernel_fw_ram_of(&boot_map, &kernel_fw_ram_high);
	if (memmap_sanitize(&boot_map))
		panic("mem: boot memory map does not fit %u entries",
		      BOOT_MAP_CAP);
	mem_apply_limit();
	printk("mem: firmware reported %llu KiB of RAM (%llu KiB above 4 GiB)\n",
	       (unsigned long long)(kernel_fw_ram >> 10),
	       (unsigned long long)(kernel_fw_ram_high >> 10));
	if (kernel_fw_ram_unmapped)
		printk("mem: %llu KiB of that RAM lies outside the direct map: counted, reserved, not used\n",
		       (unsigned long long)(kernel_fw_ram_unmapped >> 10));
	memmap_dump(&boot_map);
	mem_debug_option();
	if (mm_init(&boot_map))
		panic("mem: the frame allocator and heap cannot start");
	mem_guard_option();
	frame_dump();
}
