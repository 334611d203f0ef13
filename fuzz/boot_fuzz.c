// SPDX-License-Identifier: MIT
/*
 * boot_fuzz.c - libFuzzer harness for the x86-64 boot parsers: PVH start
 * info, multiboot2 information and the ACPI tables (RSDP -> XSDT/RSDT ->
 * MADT), which read structures a boot loader or firmware hands over.
 *
 * The first byte picks the parser; the rest is "physical memory" at
 * IMAGE_PA, which the accessor maps only within its bounds (in a buffer
 * of exactly its size, so AddressSanitizer sees any read past it), the
 * structure at its start. Pointers inside the structures therefore
 * reach the image only when they land in it. The ranges go to a memory
 * map through memmap_add(), as in the kernel. Checked: every range has a
 * type, the map sanitizes, the counts stay within their arrays, and on
 * success the command line lies in the image or is the empty string,
 * NUL-terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "boot.h"

#define IMAGE_PA	0x100000ULL

struct image {
	const uint8_t *p;
	size_t n;
};

static const void *image_map(void *ctx, phys_addr_t pa, uint64_t len)
{
	const struct image *im = ctx;

	if (pa < IMAGE_PA || pa - IMAGE_PA > im->n ||
	    len > im->n - (pa - IMAGE_PA))
		return NULL;
	return im->p + (pa - IMAGE_PA);
}

/* The kernel's sink: memmap_add(), which takes raw firmware ranges
 * (empty or wrapping ones included) and sanitizes them later. */
static struct memmap_region table[4096];

static int sink_add(void *ctx, phys_addr_t base, uint64_t size,
		    uint32_t type)
{
	if (!type)
		abort();			/* a parser gives a type */
	return memmap_add(ctx, base, size, type);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct acpi_cpus cpus;
	struct boot_info info;
	struct image im;
	struct boot_access acc = { image_map, &im };
	struct memmap map;
	struct boot_sink sink = { sink_add, &map };
	uint8_t *buf;
	int ret;

	if (n < 1)
		return 0;
	buf = malloc(n - 1 ? n - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, d + 1, n - 1);
	im.p = buf;
	im.n = n - 1;
	memmap_init(&map, table, sizeof(table) / sizeof(table[0]));
	memset(&info, 0, sizeof(info));
	switch (d[0] % 3) {
	case 0:
		ret = pvh_parse(&acc, IMAGE_PA, &sink, &info);
		break;
	case 1:
		ret = mb2_parse(&acc, IMAGE_PA, &sink, &info);
		break;
	default:
		ret = acpi_find_cpus(&acc, IMAGE_PA, PORT_MAX_CPUS, &cpus);
		if (!ret && cpus.nr > PORT_MAX_CPUS)
			abort();
		ret = 1;	/* no boot_info to check */
		break;
	}
	if (!ret && info.cmdline) {
		const uint8_t *c = (const uint8_t *)info.cmdline;

		if (*info.cmdline &&
		    (c < buf || c >= buf + im.n ||
		     !memchr(c, 0, (size_t)(buf + im.n - c))))
			abort();
	}
	if (!ret && info.nr_modules > BOOT_MAX_MODULES)
		abort();
	if (memmap_sanitize(&map))
		abort();
	free(buf);
	return 0;
}
