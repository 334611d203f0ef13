// SPDX-License-Identifier: MIT
/*
 * boot_parse_test.c - the boot/ parsers (PVH start info, multiboot2
 * information, ACPI MADT) fed with structures built in a fake physical
 * space: valid ones checked range by range, truncated and hostile ones
 * expected to be refused without reading outside the space.
 *
 * The fake space is FAKE_SIZE bytes at physical FAKE_BASE; the accessor
 * refuses anything outside it, so an out-of-bounds read is a parse error,
 * not a crash. Each case builds its own structures; the space and the
 * recorded ranges are static (tests run one at a time).
 */
#include <ktest.h>
#include <kma/mm_report.h>
#include "boot.h"

#define FAKE_BASE	0x10000ULL
#define FAKE_SIZE	8192

static uint8_t fake[FAKE_SIZE] __attribute__((aligned(16)));

struct rec {
	unsigned int nr;
	struct memmap_region r[32];
};
static struct rec rec;

static const void *fake_map(void *ctx, phys_addr_t pa, uint64_t len)
{
	(void)ctx;
	if (pa < FAKE_BASE || len > FAKE_SIZE ||
	    pa - FAKE_BASE > FAKE_SIZE - len)
		return NULL;
	return fake + (pa - FAKE_BASE);
}

static int rec_add(void *ctx, phys_addr_t base, uint64_t size, uint32_t type)
{
	(void)ctx;
	if (rec.nr == 32)
		return -1;
	rec.r[rec.nr++] = (struct memmap_region){ base, size, type };
	return 0;
}

static const struct boot_access acc = { fake_map, NULL };
static const struct boot_sink sink = { rec_add, NULL };

static void fake_reset(void)
{
	unsigned int i;

	for (i = 0; i < FAKE_SIZE; i++)
		fake[i] = 0;
	rec.nr = 0;
}

static void put32(unsigned int off, uint32_t v)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		fake[off + i] = (uint8_t)(v >> (8 * i));
}

static void put64(unsigned int off, uint64_t v)
{
	put32(off, (uint32_t)v);
	put32(off + 4, (uint32_t)(v >> 32));
}

static void put_str(unsigned int off, const char *s)
{
	while (*s)
		fake[off++] = (uint8_t)*s++;
	fake[off] = 0;
}

static int rec_has(uint64_t base, uint64_t size, uint32_t type)
{
	unsigned int i;

	for (i = 0; i < rec.nr; i++)
		if (rec.r[i].base == base && rec.r[i].size == size &&
		    rec.r[i].type == type)
			return 1;
	return 0;
}

/* ---- PVH: info at +0, map at +0x100 (3 entries), cmdline at +0x200 */
static void pvh_build(void)
{
	fake_reset();
	put32(0, PVH_MAGIC);
	put32(4, 1);				/* version */
	put64(24, FAKE_BASE + 0x200);		/* cmdline */
	put64(32, 0xf5a40);			/* rsdp */
	put64(40, FAKE_BASE + 0x100);		/* memmap */
	put32(48, 3);
	put64(0x100, 0);			/* RAM 0..639K */
	put64(0x108, 0x9fc00);
	put32(0x110, 1);
	put64(0x118, 0x100000);			/* RAM 1M..6G over the hole */
	put64(0x120, 0x17ff00000ULL);
	put32(0x128, 1);
	put64(0x130, 0xfeffc000);		/* reserved */
	put64(0x138, 0x4000);
	put32(0x140, 2);
	put_str(0x200, "ktest=all mem=1G");
}

static void test_pvh_valid(struct ktest *t)
{
	struct boot_info bi;

	pvh_build();
	KT_ASSERT_EQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), 0);
	KT_EXPECT_STREQ(t, bi.protocol, "pvh");
	KT_EXPECT_STREQ(t, bi.cmdline, "ktest=all mem=1G");
	KT_EXPECT_EQ(t, bi.cmdline_pa, FAKE_BASE + 0x200);
	KT_EXPECT_EQ(t, bi.rsdp_pa, 0xf5a40);
	KT_EXPECT_EQ(t, bi.nr_ram, 2);
	KT_EXPECT_EQ(t, bi.ram_bytes, 0x9fc00 + 0x17ff00000ULL);
	KT_EXPECT(t, rec_has(0, 0x9fc00, MEMMAP_USABLE));
	KT_EXPECT(t, rec_has(0x100000, 0x17ff00000ULL, MEMMAP_USABLE));
	KT_EXPECT(t, rec_has(0xfeffc000, 0x4000, MEMMAP_RESERVED));
	KT_EXPECT(t, rec_has(FAKE_BASE, 56, MEMMAP_BOOTINFO));
	KT_EXPECT(t, rec_has(FAKE_BASE + 0x100, 72, MEMMAP_BOOTINFO));
	KT_EXPECT(t, rec_has(FAKE_BASE + 0x200, 17, MEMMAP_BOOTINFO));
	KT_EXPECT_EQ(t, rec.nr, 6);
}

/*
 * A memory map at an address that is not 8-byte aligned (a boot loader
 * may put it anywhere) is read like an aligned one: the fuzzer found the
 * parser reading it through misaligned struct pointers (undefined; the
 * sanitizer build stops on it).
 */
static void test_pvh_misaligned_map(struct ktest *t)
{
	struct boot_info bi;
	unsigned int i;

	fake_reset();
	put32(0, PVH_MAGIC);
	put32(4, 1);
	put64(40, FAKE_BASE + 0x104);		/* memmap, 4 bytes off */
	put32(48, 3);
	for (i = 0; i < 3; i++) {
		put64(0x104 + 24 * i, 0x100000ULL * (i + 1) * 16);
		put64(0x10c + 24 * i, 0x100000);
		put32(0x114 + 24 * i, 1);
	}
	KT_ASSERT_EQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), 0);
	KT_EXPECT_EQ(t, bi.nr_ram, 3);
	KT_EXPECT(t, rec_has(0x2000000, 0x100000, MEMMAP_USABLE));
	KT_EXPECT(t, rec_has(0x3000000, 0x100000, MEMMAP_USABLE));
	KT_EXPECT(t, rec_has(FAKE_BASE + 0x104, 72, MEMMAP_BOOTINFO));
}

static void test_pvh_hostile(struct ktest *t)
{
	struct boot_info bi;

	pvh_build();
	put32(0, 0x12345678);			/* magic */
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	pvh_build();
	put32(4, 0);				/* version 0: no map */
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	pvh_build();
	put32(48, 0);				/* empty map */
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	pvh_build();
	put32(48, 0x10000000);			/* absurd entry count */
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	pvh_build();
	put32(48, 400);				/* map runs off the space */
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	pvh_build();
	put64(40, 0xffffffffffffff00ULL);	/* map pointer wraps */
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	pvh_build();				/* unterminated cmdline */
	put64(24, FAKE_BASE + FAKE_SIZE - 4);
	put_str(FAKE_SIZE - 4, "abc");
	fake[FAKE_SIZE - 1] = 'd';
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	pvh_build();
	KT_EXPECT_SEQ(t, pvh_parse(&acc, FAKE_BASE + FAKE_SIZE - 8, &sink,
				   &bi), -1);	/* info truncated */
}

/* ---- multiboot2: info at +0; cmdline, module, mmap, ACPI, end ----- */
static unsigned int mb2_build(void)
{
	unsigned int off = 8;

	fake_reset();
	put32(off, 1);				/* cmdline */
	put32(off + 4, 8 + 10);
	put_str(off + 8, "ktest=mb2");
	off += 24;
	put32(off, 3);				/* module */
	put32(off + 4, 16 + 4);
	put32(off + 8, 0x200000);
	put32(off + 12, 0x201000);
	put_str(off + 16, "m");
	off += 24;
	put32(off, 6);				/* mmap: 2 entries */
	put32(off + 4, 16 + 48);
	put32(off + 8, 24);
	put64(off + 16, 0x100000);
	put64(off + 24, 0x7ee0000);
	put32(off + 32, 1);
	put64(off + 40, 0x7fe0000);
	put64(off + 48, 0x20000);
	put32(off + 56, 2);
	off += 64;
	put32(off, 15);				/* ACPI new RSDP */
	put32(off + 4, 8 + 36);
	off += 48;
	put32(off, 0);				/* end */
	put32(off + 4, 8);
	off += 8;
	put32(0, off);
	return off;
}

static void test_mb2_valid(struct ktest *t)
{
	struct boot_info bi;
	unsigned int total = mb2_build();

	KT_ASSERT_EQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), 0);
	KT_EXPECT_STREQ(t, bi.protocol, "multiboot2");
	KT_EXPECT_STREQ(t, bi.cmdline, "ktest=mb2");
	KT_EXPECT_EQ(t, bi.nr_modules, 1);
	KT_EXPECT_EQ(t, bi.nr_ram, 1);
	KT_EXPECT_EQ(t, bi.ram_bytes, 0x7ee0000);
	KT_EXPECT_EQ(t, bi.rsdp_pa, FAKE_BASE + 8 + 24 + 24 + 64 + 8);
	KT_EXPECT(t, rec_has(0x200000, 0x1000, MEMMAP_MODULE));
	KT_EXPECT(t, rec_has(0x100000, 0x7ee0000, MEMMAP_USABLE));
	KT_EXPECT(t, rec_has(0x7fe0000, 0x20000, MEMMAP_RESERVED));
	KT_EXPECT(t, rec_has(FAKE_BASE, total, MEMMAP_BOOTINFO));
	KT_EXPECT_EQ(t, rec.nr, 4);
}

static void test_mb2_hostile(struct ktest *t)
{
	struct boot_info bi;
	unsigned int total;

	mb2_build();
	put32(8 + 4, 0x100000);			/* tag runs past the end */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	mb2_build();
	put32(8 + 4, 4);			/* tag smaller than header */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	total = mb2_build();
	put32(0, total - 8);			/* end tag cut off */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	mb2_build();
	put32(8 + 24 + 24 + 8, 0);		/* mmap entry size 0 */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	mb2_build();
	put32(8 + 24 + 24, 99);			/* mmap tag gone */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	mb2_build();
	put32(8 + 24 + 12, 0x100000);		/* module ends first */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	mb2_build();
	fake[8 + 8 + 9] = 'x';			/* cmdline unterminated */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
	mb2_build();
	put32(0, 0x7fffffff);			/* total size absurd */
	KT_EXPECT_SEQ(t, mb2_parse(&acc, FAKE_BASE, &sink, &bi), -1);
}

/* ---- ACPI: RSDP at +0, XSDT at +0x100, RSDT +0x200, MADT +0x300 ---- */
static void acpi_checksum(unsigned int off, unsigned int len,
			  unsigned int at)
{
	uint8_t s = 0;
	unsigned int i;

	fake[at] = 0;
	for (i = 0; i < len; i++)
		s += fake[off + i];
	fake[at] = (uint8_t)(0 - s);
}

static void acpi_header(unsigned int off, const char *sig, uint32_t len)
{
	unsigned int i;

	for (i = 0; i < 4; i++)
		fake[off + i] = (uint8_t)sig[i];
	put32(off + 4, len);
	fake[off + 8] = 1;
}

/* MADT: LAPIC ids 0, 1, 2 (disabled), 3 (online capable), x2APIC 300. */
static uint32_t madt_build(unsigned int off)
{
	unsigned int e = off + 44;
	static const uint8_t ids[4] = { 0, 1, 2, 3 };
	static const uint8_t flags[4] = { 1, 1, 0, 2 };
	unsigned int i;

	for (i = 0; i < 4; i++, e += 8) {
		fake[e] = 0;
		fake[e + 1] = 8;
		fake[e + 2] = (uint8_t)i;
		fake[e + 3] = ids[i];
		put32(e + 4, flags[i]);
	}
	fake[e] = 9;
	fake[e + 1] = 16;
	put32(e + 4, 300);
	put32(e + 8, 1);
	e += 16;
	acpi_header(off, "APIC", e - off);
	put32(off + 36, 0xfee00000);
	put32(off + 40, 1);
	acpi_checksum(off, e - off, off + 9);
	return e - off;
}

static void acpi_build(int rev)
{
	fake_reset();
	put_str(0, "RSD PTR ");
	fake[15] = (uint8_t)rev;
	put32(16, (uint32_t)FAKE_BASE + 0x200);
	put32(20, 36);
	put64(24, FAKE_BASE + 0x100);
	acpi_checksum(0, 20, 8);
	acpi_checksum(0, 36, 32);
	acpi_header(0x100, "XSDT", 36 + 16);	/* an unrelated table first */
	put64(0x100 + 36, FAKE_BASE + 0x400);
	put64(0x100 + 44, FAKE_BASE + 0x300);
	acpi_checksum(0x100, 52, 0x100 + 9);
	acpi_header(0x200, "RSDT", 36 + 4);
	put32(0x200 + 36, (uint32_t)FAKE_BASE + 0x300);
	acpi_checksum(0x200, 40, 0x200 + 9);
	acpi_header(0x400, "FACP", 36);
	acpi_checksum(0x400, 36, 0x400 + 9);
	madt_build(0x300);
}

static void test_acpi_valid(struct ktest *t)
{
	struct acpi_cpus c;
	int rev;

	for (rev = 0; rev <= 2; rev += 2) {
		acpi_build(rev);
		KT_ASSERT_EQ(t, acpi_find_cpus(&acc, FAKE_BASE, 64, &c), 0);
		KT_EXPECT_EQ(t, c.nr, 4);
		KT_EXPECT_EQ(t, c.apic_ids[0], 0);
		KT_EXPECT_EQ(t, c.apic_ids[1], 1);
		KT_EXPECT_EQ(t, c.apic_ids[2], 3);
		KT_EXPECT_EQ(t, c.apic_ids[3], 300);
		KT_EXPECT_EQ(t, c.lapic_pa, 0xfee00000);
		KT_EXPECT_EQ(t, c.has_8259, 1);
	}
	acpi_build(2);
	KT_ASSERT_EQ(t, acpi_find_cpus(&acc, FAKE_BASE, 2, &c), 0);
	KT_EXPECT_EQ(t, c.nr, 2);
	KT_EXPECT_EQ(t, c.skipped, 2);
}

static void test_acpi_hostile(struct ktest *t)
{
	struct acpi_cpus c;

	acpi_build(2);
	fake[0] = 'X';				/* RSDP signature */
	KT_EXPECT_SEQ(t, acpi_find_cpus(&acc, FAKE_BASE, 64, &c), -1);
	acpi_build(0);
	fake[0x300 + 50]++;			/* MADT checksum */
	KT_EXPECT_SEQ(t, acpi_find_cpus(&acc, FAKE_BASE, 64, &c), -1);
	acpi_build(0);
	fake[0x300 + 44 + 1] = 0;		/* entry length 0 */
	acpi_checksum(0x300, 44 + 48, 0x300 + 9);
	KT_EXPECT_SEQ(t, acpi_find_cpus(&acc, FAKE_BASE, 64, &c), -1);
	acpi_build(0);
	put32(0x300 + 4, 0x7fffffff);		/* length past the space */
	KT_EXPECT_SEQ(t, acpi_find_cpus(&acc, FAKE_BASE, 64, &c), -1);
	acpi_build(0);
	put32(0x200 + 36, 0xdead0000);		/* RSDT points nowhere */
	acpi_checksum(0x200, 40, 0x200 + 9);
	KT_EXPECT_SEQ(t, acpi_find_cpus(&acc, FAKE_BASE, 64, &c), -1);
	/* A broken XSDT falls back to the RSDT. */
	acpi_build(2);
	fake[0x100 + 20]++;
	KT_EXPECT_SEQ(t, acpi_find_cpus(&acc, FAKE_BASE, 64, &c), 0);
	KT_EXPECT_EQ(t, c.nr, 4);
	KT_EXPECT_EQ(t, c.apic_ids[3], 300);
}

static struct ktest_case boot_parse_cases[] = {
	KTEST_CASE(test_pvh_valid),
	KTEST_CASE(test_pvh_misaligned_map),
	KTEST_CASE(test_pvh_hostile),
	KTEST_CASE(test_mb2_valid),
	KTEST_CASE(test_mb2_hostile),
	KTEST_CASE(test_acpi_valid),
	KTEST_CASE(test_acpi_hostile),
	{}
};
KTEST_SUITE(boot_parse, boot_parse_cases);
