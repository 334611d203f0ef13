/* SPDX-License-Identifier: MIT */
/*
 * fdt.h - a defensive reader of flattened device trees (DTB, spec v0.4).
 *
 * Owns: validation of a blob and extraction of what a kernel needs to boot:
 * memory banks (/memory nodes), reserved ranges (/memreserve/ block and
 * /reserved-memory children), /chosen (bootargs, stdout-path, initrd),
 * the CPUs' MPIDRs (/cpus), the PSCI conduit (/psci), and the console,
 * interrupt controller and timer nodes.
 *
 * Invariants: nothing outside [blob, blob + avail) is ever read, and no
 * byte beyond the header's totalsize either. fdt_open() checks the header
 * and walks the whole structure block once: every token is aligned and
 * inside the block, every node name and property-name string ends inside
 * its block, every property's data fits, nesting is balanced and bounded
 * (FDT_MAX_DEPTH), and the block ends with FDT_END. Every later access
 * still goes through bounds-checked helpers. Offsets only ever grow during
 * a walk, so a hostile blob cannot make the reader loop.
 *
 * Errors: every function returns 0 or a negative enum fdt_error and, on
 * error, writes a one-line explanation (with the offending offset) into
 * the caller's struct's @err buffer.
 *
 * Pure C with no allocation, no global state and no libc: the same file
 * runs in the kernels before the MMU is on (byte loads only) and in the
 * host tests under ASan.
 */
#ifndef KMA_FDT_H
#define KMA_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FDT_MAGIC	0xd00dfeedU
#define FDT_BEGIN_NODE	1U
#define FDT_END_NODE	2U
#define FDT_PROP	3U
#define FDT_NOP		4U
#define FDT_END		9U

#define FDT_HEADER_SIZE	40U	/* v17 header */
#define FDT_MAX_DEPTH	32	/* deeper nesting is refused */
#define FDT_MAX_MEM	32	/* memory banks */
#define FDT_MAX_RSV	32	/* reserved ranges (both kinds) */
#define FDT_MAX_CPUS	64
#define FDT_ERR_LEN	160

/**
 * enum fdt_error - why a blob was refused.
 */
enum fdt_error {
	FDT_OK = 0,
	FDT_ERR_TRUNCATED = -1,	/* shorter than its header says */
	FDT_ERR_MAGIC = -2,	/* not a device tree */
	FDT_ERR_VERSION = -3,	/* version we cannot read */
	FDT_ERR_LAYOUT = -4,	/* blocks outside the blob or overlapping */
	FDT_ERR_RSVMAP = -5,	/* /memreserve/ block without terminator */
	FDT_ERR_STRUCT = -6,	/* bad token, nesting, missing FDT_END */
	FDT_ERR_STRING = -7,	/* name or string unterminated in bounds */
	FDT_ERR_DEPTH = -8,	/* nested deeper than FDT_MAX_DEPTH */
	FDT_ERR_CELLS = -9,	/* #address-cells/#size-cells unusable */
	FDT_ERR_REG = -10,	/* reg length or range invalid */
	FDT_ERR_FULL = -11,	/* more banks/ranges/CPUs than we hold */
	FDT_ERR_NOMEM = -12,	/* no /memory at all */
	FDT_ERR_NOTFOUND = -13,	/* lookup: no such node or property */
};

/**
 * struct fdt - a validated blob.
 * @blob:  first byte.
 * @size:  totalsize from the header (never more than the caller allowed).
 * @struct_off, @struct_size:   structure block.
 * @strings_off, @strings_size: strings block.
 * @rsvmap_off: memory reservation block.
 * @version: header version.
 * @err: explanation of the last error, "" if none.
 */
struct fdt {
	const uint8_t *blob;
	uint32_t size;
	uint32_t struct_off, struct_size;
	uint32_t strings_off, strings_size;
	uint32_t rsvmap_off;
	uint32_t version;
	char err[FDT_ERR_LEN];
};

/**
 * struct fdt_range - a physical range [@base, @base + @size).
 * @base: first byte.
 * @size: length.
 * @no_map: /reserved-memory child with "no-map" (never map it).
 * @memreserve: came from the /memreserve/ block.
 */
struct fdt_range {
	uint64_t base;
	uint64_t size;
	bool no_map;
	bool memreserve;
};

enum fdt_psci_method { FDT_PSCI_NONE = 0, FDT_PSCI_HVC, FDT_PSCI_SMC };

/**
 * struct fdt_info - what fdt_parse() extracts.
 *
 * Strings point into the blob and are NUL-terminated inside it; NULL when
 * absent. Device fields are 0 when no such node was found (or it has
 * status other than "okay").
 */
struct fdt_info {
	uint32_t totalsize;
	unsigned int nr_mem;
	struct fdt_range mem[FDT_MAX_MEM];
	unsigned int nr_rsv;
	struct fdt_range rsv[FDT_MAX_RSV];
	const char *bootargs;
	const char *stdout_path;
	bool has_initrd;
	uint64_t initrd_start, initrd_end;
	unsigned int nr_cpus;
	uint64_t cpu_mpidr[FDT_MAX_CPUS];
	enum fdt_psci_method psci;
	uint64_t uart_base;	/* arm,pl011: stdout-path's, else first */
	unsigned int gic_version;	/* 2 or 3, 0 if none */
	uint64_t gic_dist, gic_dist_size;
	/* v2: CPU interface; v3: redistributor region. */
	uint64_t gic_cpu, gic_cpu_size;
	bool has_timer;
	uint32_t timer_ppi[4];	/* arm,armv8-timer: sec, phys, virt, hyp */
	char err[FDT_ERR_LEN];
};

/**
 * fdt_open - check a blob's header and its whole structure block.
 * @f: filled in.
 * @blob: the blob.
 * @avail: bytes the caller knows are readable at @blob; the header's
 *         totalsize must not exceed it.
 *
 * Return: 0, or a negative enum fdt_error with @f->err explaining it.
 */
int fdt_open(struct fdt *f, const void *blob, size_t avail);

/**
 * fdt_header_size - totalsize from a header, after checking the magic.
 * @blob: at least FDT_HEADER_SIZE readable bytes.
 *
 * Lets boot code learn how much to make readable before fdt_open().
 *
 * Return: totalsize, or 0 if the magic is wrong.
 */
uint32_t fdt_header_size(const void *blob);

/**
 * fdt_find_prop - look up a property by node path.
 * @f: an opened blob.
 * @path: absolute path, components with or without their unit address
 *        ("/chosen", "/memory@40000000", "/memory").
 * @prop: property name.
 * @len: set to the property's length.
 *
 * Return: pointer to the property's data inside the blob, or NULL.
 */
const void *fdt_find_prop(struct fdt *f, const char *path, const char *prop,
			  uint32_t *len);

/**
 * fdt_parse - open @blob and extract a struct fdt_info.
 * @blob: the blob.
 * @avail: readable bytes at @blob (see fdt_open()).
 * @info: filled in; @info->err explains a failure.
 *
 * Fails on any malformation of the blob, on unusable cell counts or reg
 * properties in the nodes it reads, when a table overflows, and when no
 * memory is described.
 *
 * Return: 0 or a negative enum fdt_error.
 */
int fdt_parse(const void *blob, size_t avail, struct fdt_info *info);

/**
 * fdt_error_name - short name of an error code.
 * @err: a value returned by this file's functions.
 */
const char *fdt_error_name(int err);

#endif /* KMA_FDT_H */
