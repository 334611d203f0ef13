// SPDX-License-Identifier: MIT
/*
 * fdt_fuzz.c - libFuzzer harness for the device-tree parser (boot/fdt.c),
 * which reads a blob a boot loader hands over and must survive any
 * bytes: fdt_parse() on the input, in a buffer of exactly its size (so
 * AddressSanitizer sees any read past it). Checked on success: the counts
 * within their arrays, every memory range non-empty and not wrapping,
 * and the strings it returns inside the blob and NUL-terminated there.
 * Seeds (fuzz/corpus/fdt/) include QEMU's virt machine blobs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "fdt.h"

static void check_str(const char *s, const uint8_t *blob, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;

	if (!s)
		return;
	if (p < blob || p >= blob + n || !memchr(p, 0, (size_t)(blob + n - p)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	static struct fdt_info info;
	uint8_t *blob = malloc(n ? n : 1);
	unsigned int i;

	if (!blob)
		return 0;
	memcpy(blob, d, n);
	if (fdt_parse(blob, n, &info) == 0) {
		if (info.nr_mem > FDT_MAX_MEM || info.nr_rsv > FDT_MAX_RSV ||
		    info.nr_cpus > FDT_MAX_CPUS)
			abort();
		for (i = 0; i < info.nr_mem; i++)
			if (!info.mem[i].size ||
			    info.mem[i].base + info.mem[i].size - 1 <
			    info.mem[i].base)
				abort();
		check_str(info.bootargs, blob, n);
		check_str(info.stdout_path, blob, n);
	}
	if (!memchr(info.err, 0, sizeof(info.err)))
		abort();
	free(blob);
	return 0;
}
