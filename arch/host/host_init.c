// SPDX-License-Identifier: MIT
/*
 * host_init.c - "boot" on the host: a synthetic firmware memory map over
 * the host's emulated physical memory, then mm/.
 *
 * Owns: host_map and its table (written once by kma_host_init(), then
 * left to mm/, which marks its metadata in it).
 *
 * The map looks like a small PC's: low memory below 640 KiB with an
 * EBDA, the legacy hole and BIOS area, RAM from 1 MiB with the "kernel
 * image", boot page tables and boot information reserved inside it, ACPI
 * tables at the end of low RAM, a 2 MiB hole in the middle, a bad frame,
 * ACPI NVS and firmware at the top, and a partial frame at the very end.
 * Entries come unsorted, overlapping and duplicated, as firmware and boot
 * code produce them. Holes of the sanitized map are made PROT_NONE so
 * that any access to them faults.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <kma/port.h>
#include <kma/memmap.h>
#include <kma/frame.h>
#include <kma/kmalloc.h>
#include <kma/mm_report.h>
#include <kma_host.h>

#define MiB		(1ULL << 20)
#define HOST_MAP_CAP	64

static struct memmap_region host_regions[HOST_MAP_CAP];
static struct memmap host_map;

/**
 * host_build_memmap - the synthetic firmware map for @bytes of memory.
 * @m: an empty map with room for at least 16 entries.
 * @bytes: the size given to host_mem_map() (at least 32 MiB).
 */
void host_build_memmap(struct memmap *m, size_t bytes)
{
	const phys_addr_t b = HOST_PHYS_BASE, top = b + bytes;
	const phys_addr_t mid = b + (bytes / 2 & ~(MiB - 1));

	/* Firmware's view, in no particular order. */
	memmap_add(m, b + MiB, mid - MiB - b - MiB, MEMMAP_USABLE);
	memmap_add(m, b + 0xf0000, 0x10000, MEMMAP_RESERVED);
	memmap_add(m, b, 0x9fc00, MEMMAP_USABLE);
	memmap_add(m, b + 0x9fc00, 0x400, MEMMAP_RESERVED);	/* EBDA */
	memmap_add(m, mid + MiB, top - MiB - (mid + MiB), MEMMAP_USABLE);
	memmap_add(m, mid - MiB - 0x10000, 0x10000, MEMMAP_ACPI_RECLAIM);
	memmap_add(m, top - MiB, 0x8000, MEMMAP_ACPI_NVS);
	memmap_add(m, top - MiB + 0x8000, MiB - 0x8000 - 0x800,
		   MEMMAP_FIRMWARE);
	memmap_add(m, b + MiB, mid - MiB - b - MiB, MEMMAP_USABLE); /* dup */
	memmap_add(m, b + (bytes / 4 * 3 & ~0xfffULL), 0x1000, MEMMAP_BAD);
	/* Boot code's reservations, overlapping usable RAM. */
	memmap_add(m, b + MiB, 2 * MiB + 0x3000, MEMMAP_KERNEL);
	memmap_add(m, b + 4 * MiB, 0x4000, MEMMAP_PAGETABLE);
	memmap_add(m, b + 4 * MiB + 0x4000, 0x1800, MEMMAP_BOOTINFO);
}

/* Make every gap of the sanitized map below @top inaccessible. */
static void host_protect_holes(const struct memmap *m, phys_addr_t top)
{
	const struct memmap_region *r;
	phys_addr_t prev = HOST_PHYS_BASE;

	for_each_memmap_region(m, r) {
		if (r->base > prev)
			host_protect(prev, r->base);
		prev = r->base + r->size;
	}
	if (top > prev)
		host_protect(prev, top);
}

/**
 * host_protect - make [lo, hi) of the emulated memory PROT_NONE (whole
 * frames inside it only).
 * @lo: first byte.
 * @hi: end.
 */
void host_protect(phys_addr_t lo, phys_addr_t hi)
{
	lo = (lo + FRAME_SIZE - 1) & ~(phys_addr_t)(FRAME_SIZE - 1);
	hi &= ~(phys_addr_t)(FRAME_SIZE - 1);
	if (hi > lo && mprotect(port_phys_to_virt(lo), hi - lo, PROT_NONE))
		mm_printf("host: mprotect of hole 0x%llx-0x%llx failed\n",
			  (unsigned long long)lo, (unsigned long long)hi);
}

/**
 * kma_host_init - map "physical memory", build its map, start mm/.
 * @bytes: emulated memory size (0: 256 MiB; at least 32 MiB).
 *
 * Prints the sanitized map and the frame allocator's summary unless the
 * environment sets KMA_QUIET. A second call does nothing.
 *
 * Return: 0, or -1 with a message printed.
 */
/**
 * host_debug_from_env - the heap's debug mode from KMA_DEBUG (options as
 * kmalloc_parse_debug() reads them), before mm_init().
 *
 * Return: 0, or -1 if KMA_DEBUG is malformed (reported).
 */
int host_debug_from_env(void)
{
	const char *spec = getenv("KMA_DEBUG");
	unsigned int flags;
	uint64_t qbytes;

	if (!spec || !*spec)
		return 0;
	if (kmalloc_parse_debug(spec, &flags, &qbytes))
		return -1;
	return kmalloc_set_debug(flags, qbytes);
}

/* See kma_host.h. */
int host_guard_from_env(void)
{
	const char *spec = getenv("KMA_GUARD");
	unsigned long n;
	char *end;

	if (!spec || !*spec)
		return 0;
	if (!strcmp(spec, "on"))
		return kmalloc_set_guard(KMA_GUARD_DEFAULT);
	n = strtoul(spec, &end, 10);
	if (*end || n > UINT32_MAX) {
		mm_printf("host: KMA_GUARD=%s: a number or \"on\"\n", spec);
		return -1;
	}
	return kmalloc_set_guard((unsigned int)n);
}

int kma_host_init(size_t bytes)
{
	if (frame_ready())
		return 0;
	if (!bytes)
		bytes = 256 * MiB;
	if (bytes < 32 * MiB) {
		mm_printf("host: %zu bytes of memory is too little (32 MiB "
			  "at least)\n", bytes);
		return -1;
	}
	if (host_mem_map(bytes))
		return -1;
	bytes = host_mem_size();
	memmap_init(&host_map, host_regions, HOST_MAP_CAP);
	host_build_memmap(&host_map, bytes);
	if (memmap_sanitize(&host_map))
		return -1;
	host_protect_holes(&host_map, HOST_PHYS_BASE + bytes);
	if (host_debug_from_env())
		return -1;
	if (mm_init(&host_map)) {
		mm_printf("host: mm_init failed\n");
		return -1;
	}
	if (host_guard_from_env())
		return -1;
	if (!getenv("KMA_QUIET")) {
		memmap_dump(&host_map);
		frame_dump();
	}
	return 0;
}
