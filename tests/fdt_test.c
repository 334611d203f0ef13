// SPDX-License-Identifier: MIT
/*
 * fdt_test.c - the device tree reader (boot/fdt.c) on blobs built here.
 *
 * A small builder writes blobs the way dtc lays them out (header,
 * /memreserve/ block, structure block, strings block). Valid blobs check
 * every extracted field; then truncated, corrupted and hostile blobs must
 * each give their specific error with a readable message. Blobs are copied
 * to the very end of a static arena before parsing, so that under ASan
 * (host) any read past the blob hits the global's redzone.
 *
 * No libc, no allocation: runs on the host and in the kernels. The
 * builder state is static; suites run one at a time.
 */
#include <stdarg.h>
#include <ktest.h>
#include <kma/mm_report.h>
#include "fdt.h"

#define ST_CAP	16384
#define STR_CAP	1024

struct fdtb {
	uint8_t st[ST_CAP];
	uint32_t st_len;
	char str[STR_CAP];
	uint32_t str_len;
	uint64_t rsv[8][2];
	unsigned int nr_rsv;
	bool overflow;
};

static struct fdtb bld;
static uint8_t out[ST_CAP + STR_CAP + 512];
static uint8_t arena[ST_CAP + STR_CAP + 512];
static struct fdt_info info;

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void b_init(void)
{
	bld.st_len = 0;
	bld.str_len = 0;
	bld.nr_rsv = 0;
	bld.overflow = false;
}

static void b_u32(uint32_t v)
{
	if (bld.st_len + 4 > ST_CAP) {
		bld.overflow = true;
		return;
	}
	put32(bld.st + bld.st_len, v);
	bld.st_len += 4;
}

static void b_bytes(const void *data, uint32_t len)
{
	const uint8_t *d = data;
	uint32_t i;

	if (bld.st_len + len + 3 > ST_CAP) {
		bld.overflow = true;
		return;
	}
	for (i = 0; i < len; i++)
		bld.st[bld.st_len++] = d[i];
	while (bld.st_len % 4)
		bld.st[bld.st_len++] = 0;
}

static uint32_t slen(const char *s)
{
	uint32_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Add @name to the strings block, or find it there (as dtc does). */
static uint32_t b_string(const char *name)
{
	uint32_t off = bld.str_len, n = slen(name) + 1, i;

	for (i = 0; i < bld.str_len; i += slen(bld.str + i) + 1)
		if (ktest_streq(bld.str + i, name))
			return i;

	if (bld.str_len + n > STR_CAP) {
		bld.overflow = true;
		return 0;
	}
	for (i = 0; i < n; i++)
		bld.str[bld.str_len++] = name[i];
	return off;
}

static void b_begin(const char *name)
{
	b_u32(FDT_BEGIN_NODE);
	b_bytes(name, slen(name) + 1);
}

static void b_end(void)
{
	b_u32(FDT_END_NODE);
}

static void b_prop(const char *name, const void *data, uint32_t len)
{
	b_u32(FDT_PROP);
	b_u32(len);
	b_u32(b_string(name));
	b_bytes(data, len);
}

static void b_str(const char *name, const char *s)
{
	b_prop(name, s, slen(s) + 1);
}

static void b_empty(const char *name)
{
	b_prop(name, NULL, 0);
}

/* A property of @n 32-bit cells. */
static void b_cells(const char *name, unsigned int n, ...)
{
	uint8_t buf[64 * 4];
	unsigned int i;
	va_list ap;

	va_start(ap, n);
	for (i = 0; i < n && i < 64; i++)
		put32(buf + 4 * i, va_arg(ap, uint32_t));
	va_end(ap);
	b_prop(name, buf, 4 * i);
}

static void b_u32prop(const char *name, uint32_t v)
{
	b_cells(name, 1, v);
}

static void b_memreserve(uint64_t base, uint64_t size)
{
	if (bld.nr_rsv < 8) {
		bld.rsv[bld.nr_rsv][0] = base;
		bld.rsv[bld.nr_rsv][1] = size;
		bld.nr_rsv++;
	}
}

/* Lay the blob out in @out; returns totalsize. */
static uint32_t b_finish(void)
{
	uint32_t rsv_off = FDT_HEADER_SIZE, st_off, str_off, total, i;

	b_u32(FDT_END);
	st_off = rsv_off + 16 * (bld.nr_rsv + 1);
	str_off = st_off + bld.st_len;
	total = str_off + bld.str_len;
	if (bld.overflow || total > sizeof(out))
		return 0;
	put32(out + 0, FDT_MAGIC);
	put32(out + 4, total);
	put32(out + 8, st_off);
	put32(out + 12, str_off);
	put32(out + 16, rsv_off);
	put32(out + 20, 17);
	put32(out + 24, 16);
	put32(out + 28, 0);
	put32(out + 32, bld.str_len);
	put32(out + 36, bld.st_len);
	for (i = 0; i <= bld.nr_rsv; i++) {
		uint64_t b = i < bld.nr_rsv ? bld.rsv[i][0] : 0;
		uint64_t s = i < bld.nr_rsv ? bld.rsv[i][1] : 0;

		put32(out + rsv_off + 16 * i, (uint32_t)(b >> 32));
		put32(out + rsv_off + 16 * i + 4, (uint32_t)b);
		put32(out + rsv_off + 16 * i + 8, (uint32_t)(s >> 32));
		put32(out + rsv_off + 16 * i + 12, (uint32_t)s);
	}
	for (i = 0; i < bld.st_len; i++)
		out[st_off + i] = bld.st[i];
	for (i = 0; i < bld.str_len; i++)
		out[str_off + i] = (uint8_t)bld.str[i];
	return total;
}

/* Copy @len bytes of @src to the end of the arena; return where. */
static const uint8_t *place(const uint8_t *src, uint32_t len)
{
	uint8_t *dst = arena + sizeof(arena) - len;
	uint32_t i;

	for (i = 0; i < len; i++)
		dst[i] = src[i];
	return dst;
}

static int parse_out(uint32_t len)
{
	return fdt_parse(place(out, len), len, &info);
}

static bool contains(const char *s, const char *needle)
{
	uint32_t i, j;

	for (i = 0; s[i]; i++) {
		for (j = 0; needle[j] && s[i + j] == needle[j]; j++)
			;
		if (!needle[j])
			return true;
	}
	return !needle[0];
}

#define EXPECT_FDT_ERR(t, ret, code, needle)				\
	do {								\
		KT_EXPECT_SEQ(t, ret, code);				\
		KT_EXPECT(t, contains(info.err, needle));		\
		if (!contains(info.err, needle))			\
			ktest_log(t, "message: %s", info.err);		\
	} while (0)

/* The shape of QEMU's virt machine, plus an initrd and a memreserve. */
static uint32_t build_virt(bool stdout_alias, unsigned int ncpus)
{
	static const char pl011[] = "arm,pl011\0arm,primecell";
	static const char psci[] = "arm,psci-1.0\0arm,psci-0.2\0arm,psci";
	char name[16];
	unsigned int i;

	b_init();
	b_memreserve(0x48000000, 0x10000);
	b_begin("");
	b_u32prop("#address-cells", 2);
	b_u32prop("#size-cells", 2);
	b_str("compatible", "linux,dummy-virt");
	b_begin("psci");
	b_prop("compatible", psci, sizeof(psci));
	b_str("method", "hvc");
	b_end();
	b_begin("memory@40000000");
	b_cells("reg", 4, 0, 0x40000000, 0, 0x8000000);
	b_str("device_type", "memory");
	b_end();
	b_begin("pl011@9000000");
	b_cells("reg", 4, 0, 0x9000000, 0, 0x1000);
	b_prop("compatible", pl011, sizeof(pl011));
	b_end();
	b_begin("intc@8000000");
	b_cells("reg", 8, 0, 0x8000000, 0, 0x10000, 0, 0x8010000, 0, 0x10000);
	b_str("compatible", "arm,cortex-a15-gic");
	b_u32prop("#interrupt-cells", 3);
	b_empty("interrupt-controller");
	b_end();
	b_begin("cpus");
	b_u32prop("#address-cells", 1);
	b_u32prop("#size-cells", 0);
	for (i = 0; i < ncpus; i++) {
		mm_snprintf(name, sizeof(name), "cpu@%u", i);
		b_begin(name);
		b_str("device_type", "cpu");
		b_str("compatible", "arm,cortex-a72");
		b_u32prop("reg", i);
		b_end();
	}
	b_begin("cpu-map");
	b_end();
	b_end();
	b_begin("timer");
	b_cells("interrupts", 12, 1, 13, 0x104, 1, 14, 0x104, 1, 11, 0x104,
		1, 10, 0x104);
	b_str("compatible", "arm,armv8-timer");
	b_end();
	b_begin("chosen");
	b_str("bootargs", "test=all smp");
	b_str("stdout-path", stdout_alias ? "serial0:115200n8" :
					    "/pl011@9000000");
	b_u32prop("linux,initrd-start", 0x44000000);
	b_u32prop("linux,initrd-end", 0x44100000);
	b_end();
	if (stdout_alias) {
		b_begin("aliases");
		b_str("serial0", "/pl011@9000000");
		b_end();
	}
	b_end();
	return b_finish();
}

static void test_fdt_virt(struct ktest *t)
{
	uint32_t len = build_virt(false, 4);
	int ret;

	KT_ASSERT_NE(t, len, 0);
	ret = parse_out(len);
	KT_EXPECT_SEQ(t, ret, 0);
	KT_EXPECT_STREQ(t, info.err, "");
	KT_EXPECT_EQ(t, info.totalsize, len);
	KT_ASSERT_EQ(t, info.nr_mem, 1);
	KT_EXPECT_EQ(t, info.mem[0].base, 0x40000000);
	KT_EXPECT_EQ(t, info.mem[0].size, 0x8000000);
	KT_ASSERT_EQ(t, info.nr_rsv, 1);
	KT_EXPECT_EQ(t, info.rsv[0].base, 0x48000000);
	KT_EXPECT_EQ(t, info.rsv[0].size, 0x10000);
	KT_EXPECT(t, info.rsv[0].memreserve);
	KT_EXPECT_STREQ(t, info.bootargs, "test=all smp");
	KT_EXPECT_STREQ(t, info.stdout_path, "/pl011@9000000");
	KT_EXPECT(t, info.has_initrd);
	KT_EXPECT_EQ(t, info.initrd_start, 0x44000000);
	KT_EXPECT_EQ(t, info.initrd_end, 0x44100000);
	KT_ASSERT_EQ(t, info.nr_cpus, 4);
	KT_EXPECT_EQ(t, info.cpu_mpidr[0], 0);
	KT_EXPECT_EQ(t, info.cpu_mpidr[3], 3);
	KT_EXPECT_EQ(t, info.psci, FDT_PSCI_HVC);
	KT_EXPECT_EQ(t, info.uart_base, 0x9000000);
	KT_EXPECT_EQ(t, info.gic_version, 2);
	KT_EXPECT_EQ(t, info.gic_dist, 0x8000000);
	KT_EXPECT_EQ(t, info.gic_cpu, 0x8010000);
	KT_EXPECT_EQ(t, info.gic_cpu_size, 0x10000);
	KT_EXPECT(t, info.has_timer);
	KT_EXPECT_EQ(t, info.timer_ppi[1], 30);
	KT_EXPECT_EQ(t, info.timer_ppi[2], 27);
}

static void test_fdt_memory_shapes(struct ktest *t)
{
	int ret;

	b_init();
	b_begin("");
	b_u32prop("#address-cells", 1);
	b_u32prop("#size-cells", 1);
	b_begin("memory@80000000");
	b_str("device_type", "memory");
	b_cells("reg", 6, 0x80000000, 0x100000, 0x90000000, 0x200000,
		0xa0000000, 0);
	b_end();
	b_begin("ram");		/* named otherwise, typed memory */
	b_str("device_type", "memory");
	b_cells("reg", 2, 0x10000000, 0x1000);
	b_end();
	b_begin("memory@c0000000");
	b_str("status", "disabled");
	b_cells("reg", 2, 0xc0000000, 0x1000);
	b_end();
	b_begin("reserved-memory");
	b_u32prop("#address-cells", 2);
	b_u32prop("#size-cells", 2);
	b_empty("ranges");
	b_begin("fw@80010000");
	b_cells("reg", 4, 0, 0x80010000, 0, 0x4000);
	b_empty("no-map");
	b_end();
	b_begin("pool");
	b_cells("size", 2, 0, 0x100000);	/* dynamic: no reg */
	b_end();
	b_begin("cma@1");
	b_cells("reg", 4, 1, 0, 0, 0x2000);
	b_end();
	b_end();
	b_end();
	ret = parse_out(b_finish());
	KT_ASSERT_SEQ(t, ret, 0);
	/* The zero-sized bank and the disabled node are not memory. */
	KT_ASSERT_EQ(t, info.nr_mem, 3);
	KT_EXPECT_EQ(t, info.mem[0].base, 0x80000000);
	KT_EXPECT_EQ(t, info.mem[1].base, 0x90000000);
	KT_EXPECT_EQ(t, info.mem[1].size, 0x200000);
	KT_EXPECT_EQ(t, info.mem[2].base, 0x10000000);
	KT_ASSERT_EQ(t, info.nr_rsv, 2);
	KT_EXPECT_EQ(t, info.rsv[0].base, 0x80010000);
	KT_EXPECT(t, info.rsv[0].no_map);
	KT_EXPECT(t, !info.rsv[0].memreserve);
	KT_EXPECT_EQ(t, info.rsv[1].base, 0x100000000ULL);
	KT_EXPECT_EQ(t, info.rsv[1].size, 0x2000);
	KT_EXPECT(t, !info.rsv[1].no_map);
	KT_EXPECT_EQ(t, info.nr_cpus, 0);
	KT_EXPECT_EQ(t, info.psci, FDT_PSCI_NONE);
	KT_EXPECT_NULL(t, info.bootargs);
	KT_EXPECT(t, !info.has_initrd);
}

/* Root without #address-cells/#size-cells: the defaults 2 and 1. */
static void test_fdt_default_cells(struct ktest *t)
{
	int ret;

	b_init();
	b_begin("");
	b_begin("memory@100000000");
	b_str("device_type", "memory");
	b_cells("reg", 6, 1, 0, 0x40000000, 0, 0x1000, 0x1000);
	b_end();
	b_begin("memory@200000000");	/* a second node */
	b_str("device_type", "memory");
	b_cells("reg", 3, 2, 0, 0x80000000);
	b_end();
	b_end();
	ret = parse_out(b_finish());
	KT_ASSERT_SEQ(t, ret, 0);
	KT_ASSERT_EQ(t, info.nr_mem, 3);
	KT_EXPECT_EQ(t, info.mem[0].base, 0x100000000ULL);
	KT_EXPECT_EQ(t, info.mem[0].size, 0x40000000);
	KT_EXPECT_EQ(t, info.mem[1].base, 0x1000);
	KT_EXPECT_EQ(t, info.mem[2].base, 0x200000000ULL);
	KT_EXPECT_EQ(t, info.mem[2].size, 0x80000000);
}

static void test_fdt_stdout_alias(struct ktest *t)
{
	static const char pl011[] = "arm,pl011";
	int ret;

	/* Alias with options; the named UART is the second one. */
	b_init();
	b_begin("");
	b_u32prop("#address-cells", 1);
	b_u32prop("#size-cells", 1);
	b_begin("uart@a000000");
	b_prop("compatible", pl011, sizeof(pl011));
	b_cells("reg", 2, 0xa000000, 0x1000);
	b_end();
	b_begin("uart@b000000");
	b_prop("compatible", pl011, sizeof(pl011));
	b_cells("reg", 2, 0xb000000, 0x1000);
	b_end();
	b_begin("uart@c000000");
	b_prop("compatible", pl011, sizeof(pl011));
	b_cells("reg", 2, 0xc000000, 0x1000);
	b_end();
	b_begin("memory");
	b_cells("reg", 2, 0, 0x1000000);
	b_end();
	b_begin("aliases");
	b_str("serial1", "/uart@b000000");
	b_end();
	b_begin("chosen");
	b_str("stdout-path", "serial1:115200n8");
	b_end();
	b_begin("psci");
	b_str("method", "smc");
	b_end();
	b_begin("interrupt-controller@8000000");
	b_str("compatible", "arm,gic-v3");
	b_cells("reg", 4, 0x8000000, 0x10000, 0x80a0000, 0xf60000);
	b_end();
	b_end();
	ret = parse_out(b_finish());
	KT_ASSERT_SEQ(t, ret, 0);
	KT_EXPECT_EQ(t, info.uart_base, 0xb000000);
	KT_EXPECT_EQ(t, info.psci, FDT_PSCI_SMC);
	KT_EXPECT_EQ(t, info.gic_version, 3);
	KT_EXPECT_EQ(t, info.gic_cpu, 0x80a0000);
	KT_EXPECT_EQ(t, info.gic_cpu_size, 0xf60000);
	KT_EXPECT(t, !info.has_timer);

	/* Alias through "serial0" in the virt layout gives the same UART. */
	ret = parse_out(build_virt(true, 1));
	KT_ASSERT_SEQ(t, ret, 0);
	KT_EXPECT_EQ(t, info.uart_base, 0x9000000);
	KT_EXPECT_EQ(t, info.nr_cpus, 1);
}

static void test_fdt_find_prop(struct ktest *t)
{
	struct fdt f;
	uint32_t len = build_virt(true, 2), plen = 0;
	const uint8_t *blob;
	const char *v;

	KT_ASSERT_NE(t, len, 0);
	blob = place(out, len);
	KT_ASSERT_SEQ(t, fdt_open(&f, blob, len), 0);
	v = fdt_find_prop(&f, "/chosen", "bootargs", &plen);
	KT_ASSERT_NOT_NULL(t, v);
	KT_EXPECT_EQ(t, plen, 13);
	KT_EXPECT_STREQ(t, v, "test=all smp");
	v = fdt_find_prop(&f, "/cpus/cpu@1", "reg", &plen);
	KT_ASSERT_NOT_NULL(t, v);
	KT_EXPECT_EQ(t, plen, 4);
	KT_EXPECT_EQ(t, get32((const uint8_t *)v), 1);
	/* Without unit address, the first matching node. */
	v = fdt_find_prop(&f, "/cpus/cpu", "reg", &plen);
	KT_ASSERT_NOT_NULL(t, v);
	KT_EXPECT_EQ(t, get32((const uint8_t *)v), 0);
	v = fdt_find_prop(&f, "/", "compatible", &plen);
	KT_EXPECT_STREQ(t, v, "linux,dummy-virt");
	KT_EXPECT_NULL(t, fdt_find_prop(&f, "/chosen", "nope", &plen));
	KT_EXPECT_NULL(t, fdt_find_prop(&f, "/nope", "reg", &plen));
	KT_EXPECT_NULL(t, fdt_find_prop(&f, "/cpus/cpu@1/x", "reg", &plen));
	/* A property of a child is not one of its parent's. */
	KT_EXPECT_NULL(t, fdt_find_prop(&f, "/cpus", "device_type", &plen));
}

/* Every prefix of a valid blob, at the very end of the arena. */
static void test_fdt_truncated(struct ktest *t)
{
	uint32_t len = build_virt(false, 2), n, bad = 0;
	int ret;

	KT_ASSERT_NE(t, len, 0);
	for (n = 0; n < len; n++) {
		ret = fdt_parse(place(out, n), n, &info);
		if (ret != FDT_ERR_TRUNCATED || !contains(info.err, "fdt: "))
			bad++;
	}
	KT_EXPECT_EQ(t, bad, 0);
	ret = fdt_parse(place(out, 39), 39, &info);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_TRUNCATED, "cannot hold");
	ret = fdt_parse(place(out, len - 1), len - 1, &info);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_TRUNCATED, "only");
	ret = fdt_parse(NULL, 100, &info);
	KT_EXPECT_SEQ(t, ret, FDT_ERR_TRUNCATED);
}

/* Header fields: magic, versions, block offsets and sizes. */
static void test_fdt_bad_header(struct ktest *t)
{
	static const struct {
		uint32_t off, val;
		int err;
		const char *msg;
	} cases[] = {
		{ 0, 0xfeedd00d, FDT_ERR_MAGIC, "magic 0xfeedd00d" },
		{ 20, 15, FDT_ERR_VERSION, "version 15" },
		{ 24, 18, FDT_ERR_VERSION, "last compatible 18" },
		{ 4, 20, FDT_ERR_LAYOUT, "smaller than the header" },
		{ 8, 0xfffffff0, FDT_ERR_LAYOUT, "structure block offset" },
		{ 8, 6, FDT_ERR_LAYOUT, "structure block offset" },
		{ 36, 0xffffffff, FDT_ERR_LAYOUT, "past totalsize" },
		{ 12, 0xfffffff0, FDT_ERR_LAYOUT, "strings block" },
		{ 32, 0x7fffffff, FDT_ERR_LAYOUT, "strings block" },
		{ 16, 44, FDT_ERR_LAYOUT, "memreserve block offset" },
		{ 16, 0xfffffff8, FDT_ERR_LAYOUT, "memreserve block offset" },
		{ 12, 0, FDT_ERR_LAYOUT, "strings block" },
	};
	uint32_t len = build_virt(false, 1), i, saved;
	int ret;

	KT_ASSERT_NE(t, len, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		saved = get32(out + cases[i].off);
		put32(out + cases[i].off, cases[i].val);
		ret = parse_out(len);
		EXPECT_FDT_ERR(t, ret, cases[i].err, cases[i].msg);
		put32(out + cases[i].off, saved);
	}
	/* Strings block moved onto the structure block. */
	put32(out + 12, get32(out + 8));
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_LAYOUT, "overlap");
	/* Intact again. */
	build_virt(false, 1);
	KT_EXPECT_SEQ(t, parse_out(len), 0);
}

/* /memreserve/ with no terminating entry before the end of the blob. */
static void test_fdt_rsvmap_unterminated(struct ktest *t)
{
	uint32_t len = build_virt(false, 1), off, i;
	int ret;

	KT_ASSERT_NE(t, len, 0);
	/* Point the block at the last whole entry, which is not zero. */
	off = (len - 16) & ~7U;
	for (i = off; i < len; i++)
		out[i] = 0x11;
	put32(out + 16, off);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_RSVMAP, "no terminating entry");
}

static uint32_t struct_off(void)
{
	return get32(out + 8);
}

static uint32_t struct_len(void)
{
	return get32(out + 36);
}

/* Find the first property token named @name in the built blob. */
static uint32_t find_prop_tok(const char *name)
{
	uint32_t so = struct_off(), n = struct_len(), p;
	uint32_t strs = get32(out + 12), noff;

	for (p = 0; p + 12 <= n; p += 4) {
		if (get32(out + so + p) != FDT_PROP)
			continue;
		noff = get32(out + so + p + 8);
		if (noff < get32(out + 32) &&
		    ktest_streq((const char *)out + strs + noff, name))
			return so + p;
	}
	return 0;
}

/* Tokens: lengths that wrap, names out of bounds, unknown tokens. */
static void test_fdt_bad_tokens(struct ktest *t)
{
	uint32_t len, p;
	int ret;

	/* A length that, in 32-bit arithmetic, would send the walk back
	 * to an earlier token forever. */
	len = build_virt(false, 1);
	p = find_prop_tok("bootargs");
	KT_ASSERT_NE(t, p, 0);
	put32(out + p + 4, 0xfffffff8);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "runs past the structure block");

	/* The last property runs 4 bytes past the block's end (into the
	 * strings block, still inside the blob). */
	build_virt(false, 1);
	p = find_prop_tok("linux,initrd-end");
	KT_ASSERT_NE(t, p, 0);
	put32(out + p + 4, struct_off() + struct_len() - (p + 12) + 4);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "runs past the structure block");

	build_virt(false, 1);
	put32(out + p + 8, 0x7fffffff);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRING, "outside the strings block");

	build_virt(false, 1);
	put32(out + p, 0x77);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "unknown token 0x77");

	/* The last string loses its NUL: shrink the strings block by 1. */
	build_virt(false, 1);
	put32(out + 32, get32(out + 32) - 1);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRING, "not terminated");

	/* Missing FDT_END: structure block one token shorter. */
	build_virt(false, 1);
	put32(out + 36, struct_len() - 4);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "without FDT_END");

	/* A node name running to the end of the structure block. */
	b_init();
	b_begin("");
	b_begin("abcdefg");
	b_end();
	b_end();
	len = b_finish();
	put32(out + 36, 4 + 4 + 4 + 6);	/* cut inside "abcdefg" */
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRING, "node name at 0x8");

	/* A property header cut off by the block end. */
	b_init();
	b_begin("");
	b_u32prop("x", 1);
	b_end();
	len = b_finish();
	put32(out + 36, 4 + 4 + 8);
	ret = parse_out(len);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "property header");
}

/* Nesting: unbalanced, unclosed, too deep, order, second root. */
static void test_fdt_bad_nesting(struct ktest *t)
{
	unsigned int i;
	int ret;

	b_init();
	b_begin("");
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "closes no node");

	b_init();
	b_begin("");
	b_begin("a");
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "1 node(s) open");

	b_init();
	for (i = 0; i < FDT_MAX_DEPTH + 8; i++)
		b_begin(i ? "n" : "");
	for (i = 0; i < FDT_MAX_DEPTH + 8; i++)
		b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_DEPTH, "deeper than 32");

	b_init();
	b_begin("");
	b_begin("a");
	b_end();
	b_u32prop("late", 1);
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "'late'");

	b_init();
	b_begin("");
	b_end();
	b_begin("");
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "second root");

	b_init();
	b_u32prop("orphan", 1);
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "outside any node");

	b_init();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRUCT, "no root node");
}

/* A root with the given cells and one memory node with @ncells cells. */
static int parse_cells(uint32_t ac, uint32_t sc, unsigned int ncells)
{
	b_init();
	b_begin("");
	b_u32prop("#address-cells", ac);
	b_u32prop("#size-cells", sc);
	b_begin("memory@0");
	b_str("device_type", "memory");
	b_cells("reg", ncells, 1, 0x1000, 1, 0x1000, 1, 0x1000);
	b_end();
	b_end();
	return parse_out(b_finish());
}

static void test_fdt_bad_cells(struct ktest *t)
{
	int ret;

	ret = parse_cells(0xffffffff, 2, 4);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_CELLS, "#address-cells 4294967295");
	ret = parse_cells(2, 0x40000000, 4);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_CELLS, "#size-cells 1073741824");
	ret = parse_cells(0, 1, 4);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_CELLS, "#address-cells 0");
	ret = parse_cells(3, 1, 4);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_CELLS, "need 1-2");
	ret = parse_cells(2, 0, 4);	/* memory needs a size */
	EXPECT_FDT_ERR(t, ret, FDT_ERR_CELLS, "#size-cells 0");
	ret = parse_cells(2, 2, 6);
	EXPECT_FDT_ERR(t, ret, FDT_ERR_REG, "not a multiple of 16");
	ret = parse_cells(2, 1, 6);	/* 2 entries of 3 cells: fine */
	KT_EXPECT_SEQ(t, ret, 0);
	KT_EXPECT_EQ(t, info.nr_mem, 2);

	/* #address-cells of the wrong length counts as unusable. */
	b_init();
	b_begin("");
	b_cells("#address-cells", 2, 0, 2);
	b_begin("memory");
	b_cells("reg", 3, 0, 0, 0x1000);
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_CELLS, "memory: parent '/'");

	/* CPU reg with a huge #address-cells in /cpus. */
	b_init();
	b_begin("");
	b_begin("memory");
	b_cells("reg", 3, 0, 0, 0x1000);
	b_end();
	b_begin("cpus");
	b_u32prop("#address-cells", 0x10000000);
	b_u32prop("#size-cells", 0);
	b_begin("cpu@0");
	b_str("device_type", "cpu");
	b_u32prop("reg", 0);
	b_end();
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_CELLS, "cpu@0: parent 'cpus'");
}

static void test_fdt_bad_values(struct ktest *t)
{
	unsigned int i;
	int ret;

	/* A bank that wraps around the address space. */
	b_init();
	b_begin("");
	b_begin("memory");
	b_cells("reg", 3, 0xffffffff, 0xfffff000, 0x2000);
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_REG, "wraps around");

	/* More banks than the table holds: an error, not a silent drop. */
	b_init();
	b_begin("");
	b_u32prop("#address-cells", 1);
	b_u32prop("#size-cells", 1);
	b_begin("memory");
	b_u32(FDT_PROP);
	b_u32(8 * (FDT_MAX_MEM + 1));
	b_u32(b_string("reg"));
	for (i = 0; i <= FDT_MAX_MEM; i++) {
		b_u32(0x100000 * (i + 1));
		b_u32(0x1000);
	}
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_FULL, "more than 32 memory ranges");

	ret = parse_out(build_virt(false, FDT_MAX_CPUS + 1));
	EXPECT_FDT_ERR(t, ret, FDT_ERR_FULL, "more than 64 CPUs");

	b_init();
	b_begin("");
	b_begin("chosen");
	b_prop("bootargs", "abc", 3);
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_STRING, "/chosen/bootargs");

	b_init();
	b_begin("");
	b_begin("chosen");
	b_prop("linux,initrd-start", "abc", 3);
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_REG, "length 3");

	b_init();
	b_begin("");
	b_begin("memory");
	b_cells("reg", 3, 0, 0, 0x1000);
	b_end();
	b_begin("chosen");
	b_u32prop("linux,initrd-start", 0x2000);
	b_u32prop("linux,initrd-end", 0x1000);
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_REG, "ends (0x1000) before");

	b_init();
	b_begin("");
	b_begin("cpus");
	b_end();
	b_end();
	ret = parse_out(b_finish());
	EXPECT_FDT_ERR(t, ret, FDT_ERR_NOMEM, "no /memory");
}

/*
 * Every byte of a valid blob replaced by a few hostile values: each parse
 * must end in success or a named error with a message, never a crash or
 * an out-of-bounds read (ASan watches on the host).
 */
static void test_fdt_mutations(struct ktest *t)
{
	static const uint8_t vals[] = { 0x00, 0xff, 0x80, 0x09, 0x03 };
	uint32_t len = build_virt(true, 2), i, v, ok = 0, bad = 0, odd = 0;
	uint8_t saved;
	int ret;

	KT_ASSERT_NE(t, len, 0);
	for (i = 0; i < len; i++) {
		saved = out[i];
		for (v = 0; v < sizeof(vals); v++) {
			if (vals[v] == saved)
				continue;
			out[i] = vals[v];
			ret = parse_out(len);
			if (!ret)
				ok++;
			else if (ret >= FDT_ERR_NOTFOUND &&
				 contains(info.err, "fdt: ") &&
				 !contains(info.err, "unknown error"))
				bad++;
			else
				odd++;
		}
		out[i] = saved;
	}
	ktest_log(t, "%u mutations parsed, %u refused with a reason",
		  (unsigned int)ok, (unsigned int)bad);
	KT_EXPECT_EQ(t, odd, 0);
	KT_EXPECT_GT(t, bad, 0);
	KT_EXPECT_GT(t, ok, 0);
	KT_EXPECT_SEQ(t, parse_out(len), 0);
}

static struct ktest_case fdt_cases[] = {
	KTEST_CASE(test_fdt_virt),
	KTEST_CASE(test_fdt_memory_shapes),
	KTEST_CASE(test_fdt_default_cells),
	KTEST_CASE(test_fdt_stdout_alias),
	KTEST_CASE(test_fdt_find_prop),
	KTEST_CASE(test_fdt_truncated),
	KTEST_CASE(test_fdt_bad_header),
	KTEST_CASE(test_fdt_rsvmap_unterminated),
	KTEST_CASE(test_fdt_bad_tokens),
	KTEST_CASE(test_fdt_bad_nesting),
	KTEST_CASE(test_fdt_bad_cells),
	KTEST_CASE(test_fdt_bad_values),
	KTEST_CASE(test_fdt_mutations),
	{}
};
KTEST_SUITE(fdt, fdt_cases);
