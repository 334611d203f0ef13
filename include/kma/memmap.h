/* SPDX-License-Identifier: MIT */
/*
 * memmap.h - the boot memory map: what physical memory exists and who
 * may use it.
 *
 * Boot code (PVH, multiboot2, device tree, the host port) adds whatever
 * the firmware reports, in any order and shape, then adds its own
 * reservations (kernel image, boot page tables, modules, ...), then calls
 * memmap_sanitize(). After sanitizing, the map is sorted, has no overlaps
 * and no zero-length entries, touching entries of one type are merged,
 * usable entries start and end on frame boundaries, and every byte
 * covered by a non-usable entry is absent from the usable ones. The frame
 * allocator is fed from the sanitized map only.
 *
 * Storage: the caller provides the initial table (boot code has no heap
 * yet). When it fills up, memmap_add() fails loudly with -1 and a
 * MM_ERR_BAD_MAP report; nothing is dropped silently.
 *
 * Not thread-safe: used during single-threaded boot, or on a map a test
 * owns.
 */
#ifndef KMA_MEMMAP_H
#define KMA_MEMMAP_H

#include <kma/port.h>

/* libkma.a: these names stay global, the rest is made local. */
#ifdef KMA_BUILD_LIB
#pragma GCC visibility push(default)
#endif

/**
 * enum memmap_type - kinds of physical ranges.
 *
 * Only %MEMMAP_USABLE ranges are handed to the frame allocator. Any
 * other type, including values the map does not know, is treated as not
 * usable. The explicit reservation types say why a range is kept.
 */
enum memmap_type {
	MEMMAP_USABLE = 1,
	MEMMAP_RESERVED,
	MEMMAP_ACPI_RECLAIM,
	MEMMAP_ACPI_NVS,
	MEMMAP_BAD,
	MEMMAP_KERNEL,		/* the kernel image */
	MEMMAP_MODULE,		/* boot modules */
	MEMMAP_INITRD,
	MEMMAP_DTB,		/* flattened device tree blob */
	MEMMAP_PAGETABLE,	/* boot page tables */
	MEMMAP_FIRMWARE,	/* firmware code/data, /reserved-memory */
	MEMMAP_TRAMPOLINE,	/* SMP trampoline */
	MEMMAP_BOOTINFO,	/* boot protocol structures, command line */
	MEMMAP_METADATA,	/* frame allocator metadata carved at init */
	MEMMAP_HOTPLUG,		/* not usable at boot; may be handed over
				 * later with frame_add_memory() */
	MEMMAP_TYPE_NR
};

/**
 * struct memmap_region - one range of physical memory.
 * @base: first byte.
 * @size: length in bytes (never 0 after sanitizing).
 * @type: an enum memmap_type value (or an unknown one from firmware).
 */
struct memmap_region {
	phys_addr_t base;
	uint64_t size;
	uint32_t type;
};

/**
 * struct memmap - a table of regions with caller-provided storage.
 * @regions: the table.
 * @nr:      entries in use.
 * @cap:     capacity of @regions.
 */
struct memmap {
	struct memmap_region *regions;
	size_t nr;
	size_t cap;
};

#define for_each_memmap_region(m, r) \
	for ((r) = (m)->regions; (r) < (m)->regions + (m)->nr; (r)++)

/**
 * memmap_init - start an empty map.
 * @m: the map.
 * @storage: table of @cap entries owned by the caller.
 * @cap: capacity.
 */
void memmap_init(struct memmap *m, struct memmap_region *storage, size_t cap);

/**
 * memmap_add - add a range as the firmware or boot code reports it.
 * @m: the map.
 * @base: first byte.
 * @size: length; 0 is accepted and ignored.
 * @type: kind of memory.
 *
 * A range that wraps past the top of the address space is clipped and a
 * warning is printed.
 *
 * Return: 0, or -1 when the table is full (reported, never silent).
 */
int memmap_add(struct memmap *m, phys_addr_t base, uint64_t size,
	       uint32_t type);

/**
 * memmap_sanitize - turn what was added into a correct map, in place.
 * @m: the map.
 *
 * Sorts, drops empty entries, lets every non-usable type win over usable
 * where they overlap (splitting the usable range), merges touching or
 * overlapping entries of one type, trims usable ranges inward to whole
 * frames. Never fails on any input except for lack of table space while
 * splitting, which is reported.
 *
 * Return: 0, or -1 if the table overflowed.
 */
int memmap_sanitize(struct memmap *m);

/**
 * memmap_set_range - give a range of a sanitized map a new type.
 * @m: a sanitized map.
 * @base: first byte.
 * @size: length in bytes; 0 does nothing.
 * @type: the new type, which replaces whatever covered the range (unlike
 *        memmap_sanitize(), no priority applies).
 *
 * Splits the entries the range cuts, drops what it covers, and merges the
 * new entry with touching entries of the same type, then trims usable
 * entries inward to whole frames, so that the map stays sanitized in any
 * order of calls: a frame that holds a byte of another type (or of a
 * hole) is never usable, whatever the alignment of @base and @size. Used
 * to mark metadata carved at init and memory added later.
 *
 * Return: 0, or -1 (reported) if the table has no room for the split, in
 * which case the map is unchanged.
 */
int memmap_set_range(struct memmap *m, phys_addr_t base, uint64_t size,
		     uint32_t type);

/**
 * memmap_type_at - the type of the byte at @pa in a sanitized map.
 * @m: a sanitized map.
 * @pa: the address.
 *
 * Binary search, O(log nr).
 *
 * Return: the type of the entry covering @pa, or 0 if @pa is in a hole.
 */
uint32_t memmap_type_at(const struct memmap *m, phys_addr_t pa);

/**
 * memmap_type_rank - which type wins where two overlap.
 * @type: a type; unknown values rank like %MEMMAP_RESERVED.
 *
 * Return: the rank; the higher rank wins. %MEMMAP_USABLE ranks lowest,
 * %MEMMAP_BAD highest, and no two known types share a rank.
 */
unsigned int memmap_type_rank(uint32_t type);

/**
 * memmap_total - bytes of one type in the map.
 * @m: the map.
 * @type: the type to count.
 */
uint64_t memmap_total(const struct memmap *m, uint32_t type);

/**
 * memmap_type_name - short name for a type ("usable", "kernel", ...).
 * @type: the type.
 */
const char *memmap_type_name(uint32_t type);

/**
 * memmap_dump - print the map and its totals, one line per region.
 * @m: the map.
 */
void memmap_dump(const struct memmap *m);

#ifdef KMA_BUILD_LIB
#pragma GCC visibility pop
#endif

#endif /* KMA_MEMMAP_H */
