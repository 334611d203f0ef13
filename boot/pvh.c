// SPDX-License-Identifier: MIT
/*
 * pvh.c - the PVH boot protocol's start information (struct
 * hvm_start_info, as QEMU and Xen hand it over in %ebx).
 *
 * Layout (all little-endian):
 *   hvm_start_info (56 bytes): magic, version, flags, nr_modules,
 *     modlist_paddr, cmdline_paddr, rsdp_paddr, then from version 1:
 *     memmap_paddr, memmap_entries, reserved
 *   hvm_memmap_table_entry (24 bytes): addr, size, type (e820), reserved
 *   hvm_modlist_entry (32 bytes): paddr, size, cmdline_paddr, reserved
 *
 * Every pointer in the structure goes through the boot_access accessor
 * before it is read. The structures are declared packed: a boot loader
 * may place them at any address, and reading a field must not depend on
 * its alignment (the fuzzer found a misaligned memory map). No state.
 */
#include <kma/mm_report.h>
#include "boot.h"

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info");

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct hvm_memmap_entry) == 24, "hvm memmap entry");

struct hvm_modlist_entry {
	uint64_t paddr;
	uint64_t size;
	uint64_t cmdline_paddr;
	uint64_t reserved;
} __attribute__((packed));
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm modlist entry");

/* More entries than any firmware sends: refuse as corrupt. */
#define PVH_MAX_MAP_ENTRIES	4096
#define CMDLINE_MAX		4096

uint32_t e820_to_memmap(uint32_t type)
{
	switch (type) {
	case 1: return MEMMAP_USABLE;
	case 3: return MEMMAP_ACPI_RECLAIM;
	case 4: return MEMMAP_ACPI_NVS;
	case 5: return MEMMAP_BAD;
	default: return MEMMAP_RESERVED;
	}
}

/* Find a NUL within CMDLINE_MAX bytes at @pa; return the string or NULL. */
static const char *boot_string(const struct boot_access *acc,
			       phys_addr_t pa, uint64_t *len)
{
	const char *s;
	uint64_t n;

	for (n = 0; n < CMDLINE_MAX; n++) {
		s = acc->map(acc->ctx, pa + n, 1);
		if (!s)
			return NULL;
		if (!*s) {
			*len = n + 1;
			return acc->map(acc->ctx, pa, n + 1);
		}
	}
	return NULL;
}

static int pvh_fail(const char *why, uint64_t v)
{
	mm_printf("pvh: bad start info: %s (0x%llx)\n", why,
		  (unsigned long long)v);
	return -1;
}

static int pvh_modules(const struct boot_access *acc,
		       const struct hvm_start_info *si,
		       const struct boot_sink *sink, struct boot_info *out)
{
	const struct hvm_modlist_entry *mod;
	uint64_t bytes = (uint64_t)si->nr_modules * sizeof(*mod);
	uint32_t i;

	if (!si->nr_modules)
		return 0;
	if (si->nr_modules > BOOT_MAX_MODULES)
		return pvh_fail("too many modules", si->nr_modules);
	mod = acc->map(acc->ctx, si->modlist_paddr, bytes);
	if (!mod)
		return pvh_fail("module list unreadable", si->modlist_paddr);
	sink->add(sink->ctx, si->modlist_paddr, bytes, MEMMAP_BOOTINFO);
	for (i = 0; i < si->nr_modules; i++)
		sink->add(sink->ctx, mod[i].paddr, mod[i].size, MEMMAP_MODULE);
	out->nr_modules = si->nr_modules;
	return 0;
}

int pvh_parse(const struct boot_access *acc, phys_addr_t info_pa,
	      const struct boot_sink *sink, struct boot_info *out)
{
	const struct hvm_start_info *si;
	const struct hvm_memmap_entry *e;
	uint64_t len = 0;
	uint32_t i;

	*out = (struct boot_info){ .protocol = "pvh", .cmdline = "" };
	si = acc->map(acc->ctx, info_pa, sizeof(*si));
	if (!si)
		return pvh_fail("start info unreadable", info_pa);
	if (si->magic != PVH_MAGIC)
		return pvh_fail("magic", si->magic);
	if (si->version < 1)
		return pvh_fail("version 0 has no memory map", si->version);
	if (!si->memmap_entries || si->memmap_entries > PVH_MAX_MAP_ENTRIES)
		return pvh_fail("memory map entries", si->memmap_entries);
	e = acc->map(acc->ctx, si->memmap_paddr,
		     (uint64_t)si->memmap_entries * sizeof(*e));
	if (!e)
		return pvh_fail("memory map unreadable", si->memmap_paddr);
	for (i = 0; i < si->memmap_entries; i++) {
		uint32_t type = e820_to_memmap(e[i].type);

		if (sink->add(sink->ctx, e[i].addr, e[i].size, type))
			return -1;
		if (type == MEMMAP_USABLE) {
			out->nr_ram++;
			out->ram_bytes += e[i].size;
		}
	}
	sink->add(sink->ctx, info_pa, sizeof(*si), MEMMAP_BOOTINFO);
	sink->add(sink->ctx, si->memmap_paddr,
		  (uint64_t)si->memmap_entries * sizeof(*e), MEMMAP_BOOTINFO);
	if (si->cmdline_paddr) {
		out->cmdline = boot_string(acc, si->cmdline_paddr, &len);
		if (!out->cmdline)
			return pvh_fail("command line unreadable",
					si->cmdline_paddr);
		out->cmdline_pa = si->cmdline_paddr;
		sink->add(sink->ctx, si->cmdline_paddr, len, MEMMAP_BOOTINFO);
	}
	out->rsdp_pa = si->rsdp_paddr;
	return pvh_modules(acc, si, sink, out);
}
