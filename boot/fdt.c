// SPDX-License-Identifier: MIT
/*
 * fdt.c - flattened device tree reader: validation, lookups, extraction.
 *
 * Owns: the rules of fdt.h. Three layers:
 *
 *  1. fdt_open() checks the header (magic, versions 16/17, every block
 *     inside totalsize, struct and strings blocks disjoint, /memreserve/
 *     terminated) and walks the structure block once with fdt_next().
 *  2. fdt_next() reads one token at a 64-bit offset that only grows; it
 *     refuses anything that would read past the structure block or, for
 *     property names, past the strings block.
 *  3. fdt_parse() walks again keeping a stack of open nodes; a node's
 *     properties are remembered while it is open and interpreted when it
 *     closes, with its parent's #address-cells/#size-cells (defaults 2
 *     and 1). Properties must precede subnodes (the spec's order), so the
 *     parent's cell counts are known by then.
 *
 * Addresses are taken as the nodes state them: "ranges" translation is
 * not applied (memory and reserved-memory sit under the root, where none
 * exists; devices we read sit directly under the root on the machines we
 * boot).
 *
 * Multi-byte values are read one byte at a time: the blob may be
 * unaligned and, in the kernels, read before the MMU is on.
 *
 * No state outside the caller's structures, no locks.
 */
#include <stdarg.h>
#include <kma/mm_report.h>
#include "fdt.h"

/* A token as fdt_next() returns it. */
struct fdt_tok {
	uint32_t type;
	uint32_t off;		/* token offset in the struct block */
	const char *name;	/* node name or property name */
	const uint8_t *data;	/* property value */
	uint32_t len;		/* property length */
};

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) << 32 | rd32(p + 4);
}

static int fdt_fail(char *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fdt_fail(char *err, int code, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = mm_snprintf(err, FDT_ERR_LEN, "fdt: %s: ", fdt_error_name(code));
	if (n < 0 || n >= FDT_ERR_LEN)
		return code;
	va_start(ap, fmt);
	mm_vsnprintf(err + n, FDT_ERR_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return code;
}

/**
 * fdt_error_name - short name of an error code.
 * @err: a value returned by this file's functions.
 *
 * Return: a static string.
 */
const char *fdt_error_name(int err)
{
	static const char *const names[] = {
		"ok", "truncated", "bad magic", "bad version", "bad layout",
		"bad memreserve block", "bad structure", "bad string",
		"too deep", "bad cells", "bad reg", "table full",
		"no memory", "not found",
	};

	if (err > 0 || -err >= (int)(sizeof(names) / sizeof(names[0])))
		return "unknown error";
	return names[-err];
}

/* Length of a NUL-terminated string starting at @p with @max bytes
 * readable, or -1 if there is no NUL in them. */
static long fdt_strnlen(const uint8_t *p, uint64_t max)
{
	uint64_t i;

	for (i = 0; i < max; i++)
		if (!p[i])
			return (long)i;
	return -1;
}

static uint64_t align4(uint64_t x)
{
	return (x + 3) & ~(uint64_t)3;
}

/* Read the token at *@pos and advance *@pos past it. */
static int fdt_next(struct fdt *f, uint64_t *pos, struct fdt_tok *t)
{
	const uint8_t *sb = f->blob + f->struct_off;
	uint64_t end = f->struct_size;
	uint64_t p = *pos;
	uint32_t nameoff;
	long n;

	if (p + 4 > end)
		return fdt_fail(f->err, FDT_ERR_STRUCT,
				"structure block ends at 0x%llx without FDT_END",
				(unsigned long long)end);
	t->off = (uint32_t)p;
	t->type = rd32(sb + p);
	t->name = NULL;
	t->data = NULL;
	t->len = 0;
	p += 4;
	switch (t->type) {
	case FDT_BEGIN_NODE:
		n = fdt_strnlen(sb + p, end - p);
		if (n < 0)
			return fdt_fail(f->err, FDT_ERR_STRING,
					"node name at 0x%x runs past the structure block",
					(unsigned int)t->off);
		t->name = (const char *)(sb + p);
		p = align4(p + (uint64_t)n + 1);
		break;
	case FDT_PROP:
		if (p + 8 > end)
			return fdt_fail(f->err, FDT_ERR_STRUCT,
					"property header at 0x%x cut off",
					(unsigned int)t->off);
		t->len = rd32(sb + p);
		nameoff = rd32(sb + p + 4);
		p += 8;
		if (t->len > end - p)
			return fdt_fail(f->err, FDT_ERR_STRUCT,
					"property at 0x%x: length %u runs past the structure block",
					(unsigned int)t->off, (unsigned int)t->len);
		if (nameoff >= f->strings_size)
			return fdt_fail(f->err, FDT_ERR_STRING,
					"property at 0x%x: name offset %u outside the strings block (%u bytes)",
					(unsigned int)t->off, (unsigned int)nameoff,
					(unsigned int)f->strings_size);
		n = fdt_strnlen(f->blob + f->strings_off + nameoff,
				f->strings_size - nameoff);
		if (n < 0)
			return fdt_fail(f->err, FDT_ERR_STRING,
					"property at 0x%x: name at string offset %u not terminated",
					(unsigned int)t->off, (unsigned int)nameoff);
		t->name = (const char *)(f->blob + f->strings_off + nameoff);
		t->data = sb + p;
		p = align4(p + t->len);
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return fdt_fail(f->err, FDT_ERR_STRUCT,
				"unknown token 0x%x at 0x%x",
				(unsigned int)t->type, (unsigned int)t->off);
	}
	*pos = p;
	return 0;
}

static bool ranges_overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return an && bn && a < b + bn && b < a + an;
}

static int fdt_check_header(struct fdt *f, const uint8_t *b, size_t avail)
{
	uint32_t total, hdr, comp;

	if (avail < FDT_HEADER_SIZE)
		return fdt_fail(f->err, FDT_ERR_TRUNCATED,
				"%zu bytes cannot hold a %u-byte header",
				avail, FDT_HEADER_SIZE);
	if (rd32(b) != FDT_MAGIC)
		return fdt_fail(f->err, FDT_ERR_MAGIC,
				"magic 0x%08x, expected 0x%08x",
				(unsigned int)rd32(b),
				FDT_MAGIC);
	total = rd32(b + 4);
	f->version = rd32(b + 20);
	comp = rd32(b + 24);
	if (f->version < 16 || comp > 17)
		return fdt_fail(f->err, FDT_ERR_VERSION,
				"version %u (last compatible %u); need 16 or 17",
				(unsigned int)f->version, (unsigned int)comp);
	hdr = f->version >= 17 ? FDT_HEADER_SIZE : 36;
	if (total < hdr)
		return fdt_fail(f->err, FDT_ERR_LAYOUT,
				"totalsize %u smaller than the header",
				(unsigned int)total);
	if (total > avail)
		return fdt_fail(f->err, FDT_ERR_TRUNCATED,
				"totalsize %u but only %zu bytes available",
				(unsigned int)total, avail);
	f->size = total;
	f->struct_off = rd32(b + 8);
	f->strings_off = rd32(b + 12);
	f->rsvmap_off = rd32(b + 16);
	f->strings_size = rd32(b + 32);
	if (f->struct_off < hdr || f->struct_off > total ||
	    f->struct_off % 4)
		return fdt_fail(f->err, FDT_ERR_LAYOUT,
				"structure block offset %u invalid (totalsize %u)",
				(unsigned int)f->struct_off, (unsigned int)total);
	f->struct_size = f->version >= 17 ? rd32(b + 36) :
			 total - f->struct_off;
	if (f->struct_size > total - f->struct_off)
		return fdt_fail(f->err, FDT_ERR_LAYOUT,
				"structure block [%u, +%u) past totalsize %u",
				(unsigned int)f->struct_off, (unsigned int)f->struct_size,
				(unsigned int)total);
	if (f->strings_off < hdr || f->strings_off > total ||
	    f->strings_size > total - f->strings_off)
		return fdt_fail(f->err, FDT_ERR_LAYOUT,
				"strings block [%u, +%u) outside the blob (totalsize %u)",
				(unsigned int)f->strings_off, (unsigned int)f->strings_size,
				(unsigned int)total);
	if (f->rsvmap_off < hdr || f->rsvmap_off % 8 ||
	    f->rsvmap_off > total)
		return fdt_fail(f->err, FDT_ERR_LAYOUT,
				"memreserve block offset %u invalid",
				(unsigned int)f->rsvmap_off);
	if (f->version >= 17 &&
	    ranges_overlap(f->struct_off, f->struct_size, f->strings_off,
			   f->strings_size))
		return fdt_fail(f->err, FDT_ERR_LAYOUT,
				"structure and strings blocks overlap");
	return 0;
}

static int fdt_check_rsvmap(struct fdt *f)
{
	uint64_t off;

	for (off = f->rsvmap_off; off + 16 <= f->size; off += 16)
		if (!rd64(f->blob + off) && !rd64(f->blob + off + 8))
			return 0;
	return fdt_fail(f->err, FDT_ERR_RSVMAP,
			"memreserve block at %u has no terminating entry",
			(unsigned int)f->rsvmap_off);
}

static int fdt_check_struct(struct fdt *f)
{
	bool had_child[FDT_MAX_DEPTH + 1];
	bool root_done = false;
	struct fdt_tok t;
	uint64_t pos = 0;
	int depth = 0, ret;

	for (;;) {
		ret = fdt_next(f, &pos, &t);
		if (ret)
			return ret;
		switch (t.type) {
		case FDT_BEGIN_NODE:
			if (root_done)
				return fdt_fail(f->err, FDT_ERR_STRUCT,
						"second root node at 0x%x",
						(unsigned int)t.off);
			if (depth == FDT_MAX_DEPTH)
				return fdt_fail(f->err, FDT_ERR_DEPTH,
						"node at 0x%x nested deeper than %d",
						(unsigned int)t.off, FDT_MAX_DEPTH);
			had_child[depth] = true;
			had_child[++depth] = false;
			break;
		case FDT_PROP:
			if (!depth)
				return fdt_fail(f->err, FDT_ERR_STRUCT,
						"property at 0x%x outside any node",
						(unsigned int)t.off);
			if (had_child[depth])
				return fdt_fail(f->err, FDT_ERR_STRUCT,
						"property '%s' at 0x%x after a subnode",
						t.name, (unsigned int)t.off);
			break;
		case FDT_END_NODE:
			if (!depth)
				return fdt_fail(f->err, FDT_ERR_STRUCT,
						"FDT_END_NODE at 0x%x closes no node",
						(unsigned int)t.off);
			if (--depth == 0)
				root_done = true;
			break;
		case FDT_END:
			if (depth)
				return fdt_fail(f->err, FDT_ERR_STRUCT,
						"FDT_END at 0x%x with %d node(s) open",
						(unsigned int)t.off, depth);
			if (!root_done)
				return fdt_fail(f->err, FDT_ERR_STRUCT,
						"no root node");
			return 0;
		default:	/* FDT_NOP */
			break;
		}
	}
}

/**
 * fdt_header_size - totalsize from a header, after checking the magic.
 * @blob: at least FDT_HEADER_SIZE readable bytes.
 *
 * Return: totalsize, or 0 if the magic is wrong.
 */
uint32_t fdt_header_size(const void *blob)
{
	const uint8_t *b = blob;

	return rd32(b) == FDT_MAGIC ? rd32(b + 4) : 0;
}

/**
 * fdt_open - check a blob's header and its whole structure block.
 * @f: filled in.
 * @blob: the blob.
 * @avail: bytes readable at @blob.
 *
 * Return: 0, or a negative enum fdt_error with @f->err explaining it.
 */
int fdt_open(struct fdt *f, const void *blob, size_t avail)
{
	int ret;

	f->err[0] = '\0';
	f->blob = blob;
	f->size = 0;
	if (!blob)
		return fdt_fail(f->err, FDT_ERR_TRUNCATED, "no blob");
	ret = fdt_check_header(f, blob, avail);
	if (!ret)
		ret = fdt_check_rsvmap(f);
	if (!ret)
		ret = fdt_check_struct(f);
	return ret;
}

/* ---------------------------------------------------------------- paths */

/* Component @idx of @path ("/a/b@1:opts"): sets *@c and *@len. */
static bool path_comp(const char *path, unsigned int idx, const char **c,
		      uint32_t *len)
{
	const char *p = path;
	unsigned int i;

	for (i = 0;; i++) {
		while (*p == '/')
			p++;
		if (!*p || *p == ':')
			return false;
		*c = p;
		while (*p && *p != '/' && *p != ':')
			p++;
		if (i == idx) {
			*len = (uint32_t)(p - *c);
			return true;
		}
	}
}

static unsigned int path_depth(const char *path)
{
	const char *c;
	uint32_t len;
	unsigned int n = 0;

	while (path_comp(path, n, &c, &len))
		n++;
	return n;
}

/* Does node @name match path component @c? "memory" matches "memory@0". */
static bool name_match(const char *name, const char *c, uint32_t len)
{
	uint32_t i;
	bool has_at = false;

	for (i = 0; i < len; i++) {
		if (name[i] != c[i])
			return false;
		if (c[i] == '@')
			has_at = true;
	}
	return name[len] == '\0' || (!has_at && name[len] == '@');
}

/* Base name match: "memory@40000000" is a "memory". */
static bool base_is(const char *name, const char *base)
{
	while (*base && *name == *base) {
		name++;
		base++;
	}
	return !*base && (!*name || *name == '@');
}

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

/*
 * Tracks whether the walk is on a given path: @matched counts the leading
 * components matched by the open nodes.
 */
struct path_track {
	const char *path;
	unsigned int ncomp;
	unsigned int matched;
};

static void track_begin(struct path_track *pt, int depth, const char *name)
{
	const char *c;
	uint32_t len;

	/* Node at @depth (root 1) is component depth - 2. */
	if (!pt->path || depth < 2 || pt->matched != (unsigned int)depth - 2)
		return;
	if (path_comp(pt->path, (unsigned int)depth - 2, &c, &len) &&
	    name_match(name, c, len))
		pt->matched = (unsigned int)depth - 1;
}

static void track_end(struct path_track *pt, int depth)
{
	if (pt->path && depth >= 2 && pt->matched == (unsigned int)depth - 1)
		pt->matched = (unsigned int)depth - 2;
}

/* Is the node open at @depth the one the path names? */
static bool track_on(const struct path_track *pt, int depth)
{
	return pt->path && pt->matched == pt->ncomp &&
	       pt->ncomp == (unsigned int)depth - 1;
}

/**
 * fdt_find_prop - look up a property by node path.
 * @f: an opened blob.
 * @path: absolute path.
 * @prop: property name.
 * @len: set to the property's length.
 *
 * Return: the property's data inside the blob, or NULL.
 */
const void *fdt_find_prop(struct fdt *f, const char *path, const char *prop,
			  uint32_t *len)
{
	struct path_track pt = { path, path_depth(path), 0 };
	struct fdt_tok t;
	uint64_t pos = 0;
	int depth = 0;

	while (!fdt_next(f, &pos, &t)) {
		switch (t.type) {
		case FDT_BEGIN_NODE:
			track_begin(&pt, ++depth, t.name);
			break;
		case FDT_END_NODE:
			track_end(&pt, depth--);
			break;
		case FDT_PROP:
			if (track_on(&pt, depth) && str_eq(t.name, prop)) {
				*len = t.len;
				return t.data;
			}
			break;
		case FDT_END:
			return NULL;
		}
	}
	return NULL;
}

/* ---------------------------------------------------------------- parse */

/* A property value kept while its node is open. */
struct fdt_val {
	const uint8_t *p;
	uint32_t len;
};

/* One open node. @ac/@sc are its #address-cells/#size-cells, which apply
 * to its children's reg. */
struct fdt_node {
	const char *name;
	uint32_t ac, sc;
	struct fdt_val reg, dtype, compat, status, method, intr;
	bool no_map;
};

struct fdt_parser {
	struct fdt f;
	struct fdt_info *info;
	struct path_track out;	/* stdout-path target */
	bool uart_is_stdout;
	struct fdt_node stack[FDT_MAX_DEPTH + 1];
};

/* Is the property a string equal to @s (exact length, NUL included)? */
static bool val_is(const struct fdt_val *v, const char *s)
{
	uint32_t i;

	if (!v->p)
		return false;
	for (i = 0; i < v->len; i++) {
		if (v->p[i] != (uint8_t)s[i])
			return false;
		if (!s[i])
			return i + 1 == v->len;
	}
	return false;
}

/* Does the string list @v contain @s? */
static bool val_has(const struct fdt_val *v, const char *s)
{
	uint32_t i = 0;
	long n;

	while (v->p && i < v->len) {
		n = fdt_strnlen(v->p + i, v->len - i);
		if (n < 0)
			return false;
		if (str_eq((const char *)v->p + i, s))
			return true;
		i += (uint32_t)n + 1;
	}
	return false;
}

static bool node_enabled(const struct fdt_node *n)
{
	return !n->status.p || val_is(&n->status, "okay") ||
	       val_is(&n->status, "ok");
}

static int check_cells(struct fdt_parser *ps, const struct fdt_node *n,
		       const struct fdt_node *parent, bool need_size)
{
	if (parent->ac == 0 || parent->ac > 2 || parent->sc > 2 ||
	    (need_size && parent->sc == 0))
		return fdt_fail(ps->f.err, FDT_ERR_CELLS,
				"%s: parent '%s' has #address-cells %u, #size-cells %u; need 1-2, %s",
				n->name, parent->name[0] ? parent->name : "/",
				(unsigned int)parent->ac, (unsigned int)parent->sc,
				need_size ? "1-2" : "0-2");
	if (n->reg.len % ((parent->ac + parent->sc) * 4))
		return fdt_fail(ps->f.err, FDT_ERR_REG,
				"%s: reg length %u is not a multiple of %u",
				n->name, (unsigned int)n->reg.len,
				(unsigned int)((parent->ac + parent->sc) * 4));
	return 0;
}

static uint64_t read_cells(const uint8_t *p, uint32_t cells)
{
	return cells == 2 ? rd64(p) : cells == 1 ? rd32(p) : 0;
}

/* Entry @i of a reg already checked by check_cells(). */
static bool reg_entry(const struct fdt_node *n, const struct fdt_node *parent,
		      uint32_t i, uint64_t *base, uint64_t *size)
{
	uint32_t esz = (parent->ac + parent->sc) * 4;

	if (!n->reg.p || i >= n->reg.len / esz)
		return false;
	*base = read_cells(n->reg.p + i * esz, parent->ac);
	*size = read_cells(n->reg.p + i * esz + parent->ac * 4, parent->sc);
	return true;
}

static int add_range(struct fdt_parser *ps, const char *what, uint64_t base,
		     uint64_t size, bool rsv, bool no_map, bool memreserve)
{
	struct fdt_info *in = ps->info;
	struct fdt_range *r;

	if (!size)
		return 0;
	if (base + size - 1 < base)
		return fdt_fail(ps->f.err, FDT_ERR_REG,
				"%s: range 0x%llx + 0x%llx wraps around",
				what, (unsigned long long)base,
				(unsigned long long)size);
	if (rsv ? in->nr_rsv == FDT_MAX_RSV : in->nr_mem == FDT_MAX_MEM)
		return fdt_fail(ps->f.err, FDT_ERR_FULL,
				"%s: more than %d %s ranges", what,
				rsv ? FDT_MAX_RSV : FDT_MAX_MEM,
				rsv ? "reserved" : "memory");
	r = rsv ? &in->rsv[in->nr_rsv++] : &in->mem[in->nr_mem++];
	r->base = base;
	r->size = size;
	r->no_map = no_map;
	r->memreserve = memreserve;
	return 0;
}

static int add_reg_ranges(struct fdt_parser *ps, const struct fdt_node *n,
			  const struct fdt_node *parent, bool rsv)
{
	uint64_t base, size;
	uint32_t i;
	int ret;

	if (!n->reg.p)
		return 0;
	ret = check_cells(ps, n, parent, true);
	for (i = 0; !ret && reg_entry(n, parent, i, &base, &size); i++)
		ret = add_range(ps, n->name, base, size, rsv, n->no_map, false);
	return ret;
}

static int add_cpu(struct fdt_parser *ps, const struct fdt_node *n,
		   const struct fdt_node *parent)
{
	struct fdt_info *in = ps->info;
	uint64_t mpidr, unused;
	int ret;

	if (!n->reg.p || !n->reg.len)
		return fdt_fail(ps->f.err, FDT_ERR_REG, "%s: no reg", n->name);
	ret = check_cells(ps, n, parent, false);
	if (ret)
		return ret;
	if (in->nr_cpus == FDT_MAX_CPUS)
		return fdt_fail(ps->f.err, FDT_ERR_FULL,
				"%s: more than %d CPUs", n->name, FDT_MAX_CPUS);
	reg_entry(n, parent, 0, &mpidr, &unused);
	in->cpu_mpidr[in->nr_cpus++] = mpidr;
	return 0;
}

static int add_gic(struct fdt_parser *ps, const struct fdt_node *n,
		   const struct fdt_node *parent, unsigned int version)
{
	struct fdt_info *in = ps->info;
	int ret;

	if (in->gic_version || !n->reg.p)
		return 0;
	ret = check_cells(ps, n, parent, true);
	if (ret)
		return ret;
	if (!reg_entry(n, parent, 0, &in->gic_dist, &in->gic_dist_size) ||
	    !reg_entry(n, parent, 1, &in->gic_cpu, &in->gic_cpu_size))
		return fdt_fail(ps->f.err, FDT_ERR_REG,
				"%s: GIC needs two reg entries", n->name);
	in->gic_version = version;
	return 0;
}

static void add_timer(struct fdt_parser *ps, const struct fdt_node *n)
{
	struct fdt_info *in = ps->info;
	uint32_t i, type, num;

	/* Three cells per interrupt (GIC binding): type, number, flags. */
	if (in->has_timer || n->intr.len < 36 || n->intr.len % 12)
		return;
	for (i = 0; i < 4 && i < n->intr.len / 12; i++) {
		type = rd32(n->intr.p + 12 * i);
		num = rd32(n->intr.p + 12 * i + 4);
		in->timer_ppi[i] = type == 1 && num < 16 ? 16 + num : 0;
	}
	in->has_timer = true;
}

static int add_device(struct fdt_parser *ps, const struct fdt_node *n,
		      const struct fdt_node *parent, int depth)
{
	struct fdt_info *in = ps->info;
	uint64_t base, size;
	int ret;

	if (val_has(&n->compat, "arm,pl011") && n->reg.p) {
		bool out = track_on(&ps->out, depth);

		if (in->uart_base && (ps->uart_is_stdout || !out))
			return 0;
		ret = check_cells(ps, n, parent, true);
		if (ret)
			return ret;
		if (reg_entry(n, parent, 0, &base, &size)) {
			in->uart_base = base;
			ps->uart_is_stdout = out;
		}
		return 0;
	}
	if (val_has(&n->compat, "arm,gic-v3"))
		return add_gic(ps, n, parent, 3);
	if (val_has(&n->compat, "arm,cortex-a15-gic") ||
	    val_has(&n->compat, "arm,gic-400") ||
	    val_has(&n->compat, "arm,cortex-a9-gic"))
		return add_gic(ps, n, parent, 2);
	if (val_has(&n->compat, "arm,armv8-timer") ||
	    val_has(&n->compat, "arm,armv7-timer"))
		add_timer(ps, n);
	if (val_has(&n->compat, "arm,psci") ||
	    val_has(&n->compat, "arm,psci-0.2") ||
	    val_has(&n->compat, "arm,psci-1.0") ||
	    (depth == 2 && base_is(n->name, "psci"))) {
		if (val_is(&n->method, "hvc"))
			in->psci = FDT_PSCI_HVC;
		else if (val_is(&n->method, "smc"))
			in->psci = FDT_PSCI_SMC;
	}
	return 0;
}

/* A node closes: interpret what it held. */
static int node_close(struct fdt_parser *ps, int depth)
{
	const struct fdt_node *n = &ps->stack[depth];
	const struct fdt_node *parent = &ps->stack[depth - 1];

	if (depth < 2 || !node_enabled(n))
		return 0;
	if (depth == 2 && (val_is(&n->dtype, "memory") ||
			   base_is(n->name, "memory")))
		return add_reg_ranges(ps, n, parent, false);
	if (depth == 3 && base_is(parent->name, "reserved-memory"))
		return add_reg_ranges(ps, n, parent, true);
	if (depth == 3 && base_is(parent->name, "cpus") &&
	    val_is(&n->dtype, "cpu"))
		return add_cpu(ps, n, parent);
	return add_device(ps, n, parent, depth);
}

static int chosen_string(struct fdt_parser *ps, const struct fdt_tok *t,
			 const char **out)
{
	if (!t->len || t->data[t->len - 1])
		return fdt_fail(ps->f.err, FDT_ERR_STRING,
				"/chosen/%s is not a NUL-terminated string",
				t->name);
	*out = (const char *)t->data;
	return 0;
}

static int chosen_addr(struct fdt_parser *ps, const struct fdt_tok *t,
		       uint64_t *out)
{
	if (t->len != 4 && t->len != 8)
		return fdt_fail(ps->f.err, FDT_ERR_REG,
				"/chosen/%s has length %u, expected 4 or 8",
				t->name, (unsigned int)t->len);
	*out = t->len == 8 ? rd64(t->data) : rd32(t->data);
	return 0;
}

static int chosen_prop(struct fdt_parser *ps, const struct fdt_tok *t,
		       bool *start, bool *end)
{
	struct fdt_info *in = ps->info;

	if (str_eq(t->name, "bootargs"))
		return chosen_string(ps, t, &in->bootargs);
	if (str_eq(t->name, "stdout-path"))
		return chosen_string(ps, t, &in->stdout_path);
	if (str_eq(t->name, "linux,initrd-start")) {
		*start = true;
		return chosen_addr(ps, t, &in->initrd_start);
	}
	if (str_eq(t->name, "linux,initrd-end")) {
		*end = true;
		return chosen_addr(ps, t, &in->initrd_end);
	}
	return 0;
}

static void node_prop(struct fdt_node *n, const struct fdt_tok *t)
{
	struct fdt_val v = { t->data, t->len };

	if (str_eq(t->name, "#address-cells"))
		n->ac = t->len == 4 ? rd32(t->data) : ~0U;
	else if (str_eq(t->name, "#size-cells"))
		n->sc = t->len == 4 ? rd32(t->data) : ~0U;
	else if (str_eq(t->name, "reg"))
		n->reg = v;
	else if (str_eq(t->name, "device_type"))
		n->dtype = v;
	else if (str_eq(t->name, "compatible"))
		n->compat = v;
	else if (str_eq(t->name, "status"))
		n->status = v;
	else if (str_eq(t->name, "method"))
		n->method = v;
	else if (str_eq(t->name, "interrupts"))
		n->intr = v;
	else if (str_eq(t->name, "no-map"))
		n->no_map = true;
}

static void val_clear(struct fdt_val *v)
{
	v->p = NULL;
	v->len = 0;
}

/* Field by field: a struct copy could become a memcpy() call. */
static void node_open(struct fdt_node *n, const char *name)
{
	val_clear(&n->reg);
	val_clear(&n->dtype);
	val_clear(&n->compat);
	val_clear(&n->status);
	val_clear(&n->method);
	val_clear(&n->intr);
	n->no_map = false;
	n->name = name;
	n->ac = 2;	/* defaults of the spec */
	n->sc = 1;
}

/* Resolve stdout-path (maybe an alias, maybe with ":options") to a path. */
static const char *stdout_target(struct fdt *f, const char *sp)
{
	char alias[32];
	const char *v;
	uint32_t i, len;

	if (!sp || sp[0] == '/')
		return sp;
	for (i = 0; sp[i] && sp[i] != ':'; i++) {
		if (i == sizeof(alias) - 1)
			return NULL;
		alias[i] = sp[i];
	}
	alias[i] = '\0';
	v = fdt_find_prop(f, "/aliases", alias, &len);
	if (!v || !len || v[len - 1] || v[0] != '/')
		return NULL;
	return v;
}

static int fdt_walk(struct fdt_parser *ps)
{
	bool initrd_start = false, initrd_end = false;
	struct fdt_tok t;
	uint64_t pos = 0;
	int depth = 0, ret = 0;

	node_open(&ps->stack[0], "");	/* above the root: defaults */
	while (!ret) {
		ret = fdt_next(&ps->f, &pos, &t);
		if (ret)
			break;
		switch (t.type) {
		case FDT_BEGIN_NODE:
			if (depth == FDT_MAX_DEPTH)
				return fdt_fail(ps->f.err, FDT_ERR_DEPTH,
						"node at 0x%x too deep",
						(unsigned int)t.off);
			node_open(&ps->stack[++depth], t.name);
			track_begin(&ps->out, depth, t.name);
			break;
		case FDT_PROP:
			if (!depth)
				return fdt_fail(ps->f.err, FDT_ERR_STRUCT,
						"property outside any node");
			node_prop(&ps->stack[depth], &t);
			if (depth == 2 && base_is(ps->stack[2].name, "chosen"))
				ret = chosen_prop(ps, &t, &initrd_start,
						  &initrd_end);
			break;
		case FDT_END_NODE:
			if (!depth)
				return fdt_fail(ps->f.err, FDT_ERR_STRUCT,
						"unbalanced FDT_END_NODE");
			ret = node_close(ps, depth);
			track_end(&ps->out, depth--);
			break;
		case FDT_END:
			goto done;
		}
	}
	return ret;
done:
	if (initrd_start && initrd_end) {
		uint64_t s = ps->info->initrd_start, e = ps->info->initrd_end;

		if (e < s)
			return fdt_fail(ps->f.err, FDT_ERR_REG,
					"initrd ends (0x%llx) before it starts (0x%llx)",
					(unsigned long long)e,
					(unsigned long long)s);
		ps->info->has_initrd = true;
	}
	return 0;
}

static int fdt_read_rsvmap(struct fdt_parser *ps)
{
	const uint8_t *b = ps->f.blob;
	uint64_t off, base, size;
	int ret;

	/* fdt_open() proved a terminator exists before totalsize. */
	for (off = ps->f.rsvmap_off; off + 16 <= ps->f.size; off += 16) {
		base = rd64(b + off);
		size = rd64(b + off + 8);
		if (!base && !size)
			break;
		ret = add_range(ps, "/memreserve/", base, size, true, false,
				true);
		if (ret)
			return ret;
	}
	return 0;
}

static void fdt_copy_err(char *dst, const char *src)
{
	size_t i;

	for (i = 0; i < FDT_ERR_LEN - 1 && src[i]; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void fdt_info_clear(struct fdt_info *info)
{
	volatile uint8_t *p = (volatile uint8_t *)info;
	size_t i;

	/* Byte stores: no memset in the kernels, and the MMU may be off. */
	for (i = 0; i < sizeof(*info); i++)
		p[i] = 0;
}

/**
 * fdt_parse - open @blob and extract a struct fdt_info.
 * @blob: the blob.
 * @avail: readable bytes at @blob.
 * @info: filled in; @info->err explains a failure.
 *
 * Return: 0 or a negative enum fdt_error.
 */
int fdt_parse(const void *blob, size_t avail, struct fdt_info *info)
{
	struct fdt_parser ps;
	const char *target;
	int ret;

	fdt_info_clear(info);
	ps.info = info;
	ps.uart_is_stdout = false;
	ret = fdt_open(&ps.f, blob, avail);
	if (ret)
		goto out;
	info->totalsize = ps.f.size;
	ret = fdt_read_rsvmap(&ps);
	if (ret)
		goto out;
	/* Find /chosen first: the console node may come before it. */
	{
		uint32_t len;
		const char *sp = fdt_find_prop(&ps.f, "/chosen", "stdout-path",
					       &len);

		target = sp && len && !sp[len - 1] ?
			 stdout_target(&ps.f, sp) : NULL;
	}
	ps.out.path = target;
	ps.out.ncomp = target ? path_depth(target) : 0;
	ps.out.matched = 0;
	ret = fdt_walk(&ps);
	if (!ret && !info->nr_mem)
		ret = fdt_fail(ps.f.err, FDT_ERR_NOMEM,
			       "no /memory node with a usable reg");
out:
	fdt_copy_err(info->err, ps.f.err);
	return ret;
}
