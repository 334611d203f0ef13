// SPDX-License-Identifier: MIT
/*
 * multiboot2.c - the multiboot2 boot information (GRUB), as found at
 * %ebx when %eax holds 0x36d76289.
 *
 * Layout: u32 total_size, u32 reserved, then tags, each 8-byte aligned:
 * u32 type, u32 size (header included), payload. Tags used here:
 *   1 command line (string)      3 module (start, end, string)
 *   6 memory map (entry_size, entry_version, entries of
 *     u64 base, u64 length, u32 type, u32 reserved)
 *   14 ACPI old RSDP copy        15 ACPI new RSDP copy
 *   0 end
 * Every tag is bounds-checked against total_size before it is read. No
 * state.
 */
#include <kma/mm_report.h>
#include "boot.h"

#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_MODULE		3
#define MB2_TAG_MMAP		6
#define MB2_TAG_ACPI_OLD	14
#define MB2_TAG_ACPI_NEW	15
#define MB2_MAX_SIZE		(1u << 20)

struct mb2_tag {
	uint32_t type;
	uint32_t size;
} __attribute__((packed));

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t len;
	uint32_t type;
	uint32_t reserved;
} __attribute__((packed));

static int mb2_fail(const char *why, uint64_t v)
{
	mm_printf("multiboot2: bad boot information: %s (0x%llx)\n", why,
		  (unsigned long long)v);
	return -1;
}

/* NUL-terminated string filling at most @max bytes at @s. */
static const char *mb2_string(const char *s, uint32_t max)
{
	uint32_t i;

	for (i = 0; i < max; i++)
		if (!s[i])
			return s;
	return NULL;
}

static int mb2_mmap(const uint8_t *p, uint32_t size,
		    const struct boot_sink *sink, struct boot_info *out)
{
	uint32_t esz, off;

	if (size < 16)
		return mb2_fail("memory map tag too small", size);
	esz = *(const uint32_t *)(p + 8);
	if (esz < sizeof(struct mb2_mmap_entry) || (esz & 7))
		return mb2_fail("memory map entry size", esz);
	for (off = 16; off + esz <= size; off += esz) {
		const struct mb2_mmap_entry *e = (const void *)(p + off);
		uint32_t type = e820_to_memmap(e->type);

		if (sink->add(sink->ctx, e->base, e->len, type))
			return -1;
		if (type == MEMMAP_USABLE) {
			out->nr_ram++;
			out->ram_bytes += e->len;
		}
	}
	return 1;
}

static int mb2_tag(const uint8_t *p, uint32_t type, uint32_t size,
		   phys_addr_t pa, const struct boot_sink *sink,
		   struct boot_info *out)
{
	const char *s;

	switch (type) {
	case MB2_TAG_CMDLINE:
		s = mb2_string((const char *)p + 8, size - 8);
		if (!s)
			return mb2_fail("unterminated command line", pa);
		out->cmdline = s;
		out->cmdline_pa = pa + 8;
		return 0;
	case MB2_TAG_MODULE:
		if (size < 16)
			return mb2_fail("module tag too small", size);
		if (out->nr_modules >= BOOT_MAX_MODULES)
			return mb2_fail("too many modules", out->nr_modules);
		{
			uint32_t start = *(const uint32_t *)(p + 8);
			uint32_t end = *(const uint32_t *)(p + 12);

			if (end < start)
				return mb2_fail("module ends before start",
						start);
			sink->add(sink->ctx, start, end - start,
				  MEMMAP_MODULE);
		}
		out->nr_modules++;
		return 0;
	case MB2_TAG_MMAP:
		return mb2_mmap(p, size, sink, out);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		if (size < 8 + 20)
			return mb2_fail("ACPI tag too small", size);
		if (!out->rsdp_pa || type == MB2_TAG_ACPI_NEW)
			out->rsdp_pa = pa + 8;
		return 0;
	default:
		return 0;
	}
}

int mb2_parse(const struct boot_access *acc, phys_addr_t info_pa,
	      const struct boot_sink *sink, struct boot_info *out)
{
	const uint32_t *hdr;
	const uint8_t *base;
	uint32_t total, off;
	int r, have_map = 0;

	*out = (struct boot_info){ .protocol = "multiboot2", .cmdline = "" };
	hdr = acc->map(acc->ctx, info_pa, 8);
	if (!hdr)
		return mb2_fail("information unreadable", info_pa);
	total = hdr[0];
	if (total < 16 || total > MB2_MAX_SIZE || (info_pa & 7))
		return mb2_fail("total size or alignment", total);
	base = acc->map(acc->ctx, info_pa, total);
	if (!base)
		return mb2_fail("information unreadable", info_pa);
	for (off = 8; off + 8 <= total;) {
		const struct mb2_tag *t = (const void *)(base + off);

		if (t->size < 8 || t->size > total - off)
			return mb2_fail("tag size", t->size);
		if (t->type == MB2_TAG_END)
			break;
		r = mb2_tag(base + off, t->type, t->size, info_pa + off,
			    sink, out);
		if (r < 0)
			return r;
		have_map |= r;
		off += (t->size + 7) & ~7u;
	}
	if (off + 8 > total)
		return mb2_fail("no end tag", total);
	if (!have_map)
		return mb2_fail("no memory map tag", 0);
	sink->add(sink->ctx, info_pa, total, MEMMAP_BOOTINFO);
	return 0;
}
