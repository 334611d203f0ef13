/* SPDX-License-Identifier: MIT */
/*
 * boot.h - boot protocol and firmware table parsers (PVH, multiboot2,
 * ACPI MADT), arch-neutral C.
 *
 * The parsers never dereference a physical address directly: they ask a
 * struct boot_access for a pointer to [pa, pa + len) and fail cleanly when
 * it says no. The x86-64 kernel's accessor is the identity map; host tests
 * map a fake physical space onto a buffer, so that truncated and hostile
 * structures are caught by the same bounds checks.
 *
 * Ranges come out through a callback (struct boot_sink) in the memmap.h
 * type vocabulary, so that the parsers do not depend on the map's
 * storage; the kernel's sink is memmap_add().
 *
 * No state, no locks: each call works on what it is given.
 */
#ifndef KMA_BOOT_H
#define KMA_BOOT_H

#include <kma/port.h>
#include <kma/memmap.h>

/**
 * struct boot_access - how a parser reads physical memory.
 * @map: return a pointer to @len readable bytes at @pa, or NULL.
 * @ctx: passed to @map.
 */
struct boot_access {
	const void *(*map)(void *ctx, phys_addr_t pa, uint64_t len);
	void *ctx;
};

/**
 * struct boot_sink - where a parser puts the ranges it finds.
 * @add: record [@base, @base + @size) of memmap type @type; 0 or -1.
 * @ctx: passed to @add.
 */
struct boot_sink {
	int (*add)(void *ctx, phys_addr_t base, uint64_t size, uint32_t type);
	void *ctx;
};

/* Most boot modules a parser reports. */
#define BOOT_MAX_MODULES	8

/**
 * struct boot_info - what a boot protocol told the kernel.
 * @protocol:   "pvh" or "multiboot2".
 * @cmdline:    the command line, NUL-terminated, or "".
 * @cmdline_pa: its physical address (0 if none).
 * @rsdp_pa:    ACPI RSDP physical address, 0 if not given.
 * @rsdp_copy:  multiboot2 gives the RSDP inline: its address in the info.
 * @nr_ram:     RAM ranges reported.
 * @ram_bytes:  sum of the RAM ranges as reported.
 * @nr_modules: boot modules.
 */
struct boot_info {
	const char *protocol;
	const char *cmdline;
	phys_addr_t cmdline_pa;
	phys_addr_t rsdp_pa;
	unsigned int nr_ram;
	uint64_t ram_bytes;
	unsigned int nr_modules;
};

/* struct hvm_start_info magic ("xEn3" with the top bit set). */
#define PVH_MAGIC		0x336ec578

/**
 * pvh_parse - read a PVH struct hvm_start_info (version 1 or later).
 * @acc: physical memory accessor.
 * @info_pa: physical address of the start info (%ebx at entry).
 * @sink: receives the memory map (e820 types translated), and
 *        %MEMMAP_BOOTINFO for the start info, the map, the command line
 *        and the module list, %MEMMAP_MODULE for each module.
 * @out: filled in.
 *
 * Return: 0, or a negative number when the structure is unreadable or
 * malformed (bad magic, version 0 without a map, a pointer the accessor
 * refuses, an empty or absurd map); a message says which.
 */
int pvh_parse(const struct boot_access *acc, phys_addr_t info_pa,
	      const struct boot_sink *sink, struct boot_info *out);

/* Multiboot2 boot magic in %eax. */
#define MB2_BOOT_MAGIC		0x36d76289

/**
 * mb2_parse - read a multiboot2 information structure.
 * @acc: physical memory accessor.
 * @info_pa: physical address of the information (%ebx at entry).
 * @sink: receives the memory map, %MEMMAP_BOOTINFO for the information
 *        itself and %MEMMAP_MODULE for each module.
 * @out: filled in (the RSDP from an ACPI new/old tag is returned as the
 *       physical address of the copy inside the information).
 *
 * Return: 0, or negative on a malformed structure (sizes out of bounds,
 * a tag running past the end, no memory map tag).
 */
int mb2_parse(const struct boot_access *acc, phys_addr_t info_pa,
	      const struct boot_sink *sink, struct boot_info *out);

/**
 * e820_to_memmap - translate an e820 type (PVH and multiboot2 use it).
 * @type: 1 RAM, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad.
 *
 * Return: the memmap.h type; unknown types become %MEMMAP_RESERVED.
 */
uint32_t e820_to_memmap(uint32_t type);

/**
 * struct acpi_cpus - what the MADT says about processors.
 * @lapic_pa:  local APIC physical address (override applied).
 * @nr:        enabled processors found (at most @max passed in).
 * @apic_ids:  their APIC ids, in table order.
 * @skipped:   processors disabled or beyond @max.
 * @has_8259:  PC-AT compatible dual 8259 present (MADT flag).
 */
/*
 * CPUs the MADT walk records: a capacity of the parser, like
 * FDT_MAX_CPUS, not of the allocator's per-CPU tables (a kernel built
 * with PORT_MAX_CPUS=1 still parses, and tests, a 4-CPU table).
 */
#define ACPI_MAX_CPUS	64

struct acpi_cpus {
	uint64_t lapic_pa;
	unsigned int nr;
	uint32_t apic_ids[ACPI_MAX_CPUS];
	unsigned int skipped;
	int has_8259;
};

/**
 * acpi_find_cpus - walk RSDP -> XSDT (or RSDT) -> MADT.
 * @acc: physical memory accessor.
 * @rsdp_pa: physical address of the RSDP.
 * @max: keep at most this many CPUs (<= %ACPI_MAX_CPUS).
 * @out: filled in.
 *
 * Checks signatures, lengths and checksums of every table it reads;
 * entries of local APIC (type 0) and local x2APIC (type 9) with the
 * enabled or online-capable flag count as processors.
 *
 * Return: 0, or negative when no valid MADT is found.
 */
int acpi_find_cpus(const struct boot_access *acc, phys_addr_t rsdp_pa,
		   unsigned int max, struct acpi_cpus *out);

#endif /* KMA_BOOT_H */
