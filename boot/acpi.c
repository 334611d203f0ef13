// SPDX-License-Identifier: MIT
/*
 * acpi.c - just enough ACPI to find the processors: RSDP, then the XSDT
 * (revision >= 2) or RSDT, then the MADT ("APIC").
 *
 * Every table is mapped through the boot_access accessor with its header
 * first, then with its full length, and must have a correct signature and
 * checksum before anything in it is trusted. MADT entries are walked with
 * each entry's length checked against the table's end. No state.
 */
#include <kma/mm_report.h>
#include "boot.h"

#define ACPI_HDR_LEN		36
#define ACPI_MAX_TABLE		(1u << 20)
#define MADT_LAPIC		0
#define MADT_LAPIC_OVERRIDE	5
#define MADT_X2APIC		9
#define MADT_ENABLED		0x1
#define MADT_ONLINE_CAPABLE	0x2

static uint8_t acpi_sum(const uint8_t *p, uint64_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static int sig_is(const uint8_t *p, const char *sig, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (p[i] != (uint8_t)sig[i])
			return 0;
	return 1;
}

/* Map a whole table whose signature is @sig; NULL if bad. */
static const uint8_t *acpi_table(const struct boot_access *acc,
				 phys_addr_t pa, const char *sig,
				 uint32_t *len)
{
	const uint8_t *h = acc->map(acc->ctx, pa, ACPI_HDR_LEN);

	if (!h || (sig && !sig_is(h, sig, 4)))
		return NULL;
	*len = rd32(h + 4);
	if (*len < ACPI_HDR_LEN || *len > ACPI_MAX_TABLE)
		return NULL;
	h = acc->map(acc->ctx, pa, *len);
	if (!h || acpi_sum(h, *len))
		return NULL;
	return h;
}

static int acpi_fail(const char *why, uint64_t v)
{
	mm_printf("acpi: %s (0x%llx)\n", why, (unsigned long long)v);
	return -1;
}

static void madt_cpu(struct acpi_cpus *out, unsigned int max, uint32_t id,
		     uint32_t flags)
{
	if (!(flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)))
		return;
	if (out->nr >= max) {
		out->skipped++;
		return;
	}
	out->apic_ids[out->nr++] = id;
}

static int madt_parse(const uint8_t *t, uint32_t len, unsigned int max,
		      struct acpi_cpus *out)
{
	uint32_t off = ACPI_HDR_LEN + 8;

	if (len < off)
		return acpi_fail("MADT too short", len);
	out->lapic_pa = rd32(t + ACPI_HDR_LEN);
	out->has_8259 = rd32(t + ACPI_HDR_LEN + 4) & 1;
	while (off + 2 <= len) {
		uint8_t type = t[off], elen = t[off + 1];

		if (elen < 2 || elen > len - off)
			return acpi_fail("MADT entry length", elen);
		if (type == MADT_LAPIC && elen >= 8)
			madt_cpu(out, max, t[off + 3], rd32(t + off + 4));
		else if (type == MADT_X2APIC && elen >= 16)
			madt_cpu(out, max, rd32(t + off + 4),
				 rd32(t + off + 8));
		else if (type == MADT_LAPIC_OVERRIDE && elen >= 12)
			out->lapic_pa = rd64(t + off + 4);
		off += elen;
	}
	return out->nr ? 0 : acpi_fail("MADT lists no enabled CPU", 0);
}

/* Find the MADT through the XSDT (8-byte entries) or RSDT (4-byte). */
static int acpi_walk(const struct boot_access *acc, phys_addr_t sdt_pa,
		     int xsdt, unsigned int max, struct acpi_cpus *out)
{
	unsigned int esz = xsdt ? 8 : 4;
	const uint8_t *sdt, *t;
	uint32_t len, tlen, off;

	sdt = acpi_table(acc, sdt_pa, xsdt ? "XSDT" : "RSDT", &len);
	if (!sdt)
		return acpi_fail(xsdt ? "bad XSDT" : "bad RSDT", sdt_pa);
	for (off = ACPI_HDR_LEN; off + esz <= len; off += esz) {
		phys_addr_t pa = xsdt ? rd64(sdt + off) : rd32(sdt + off);

		t = acpi_table(acc, pa, "APIC", &tlen);
		if (t)
			return madt_parse(t, tlen, max, out);
	}
	return acpi_fail("no valid MADT", sdt_pa);
}

int acpi_find_cpus(const struct boot_access *acc, phys_addr_t rsdp_pa,
		   unsigned int max, struct acpi_cpus *out)
{
	const uint8_t *r;

	*out = (struct acpi_cpus){ 0 };
	if (max > ACPI_MAX_CPUS)
		max = ACPI_MAX_CPUS;
	r = acc->map(acc->ctx, rsdp_pa, 20);
	if (!r || !sig_is(r, "RSD PTR ", 8) || acpi_sum(r, 20))
		return acpi_fail("bad RSDP", rsdp_pa);
	if (r[15] >= 2) {
		r = acc->map(acc->ctx, rsdp_pa, 36);
		if (r && rd32(r + 20) >= 36 && rd32(r + 20) <= 4096 &&
		    !acpi_sum(r, 36) && rd64(r + 24) &&
		    !acpi_walk(acc, rd64(r + 24), 1, max, out))
			return 0;
		/* Broken XSDT or none: the RSDT may still be good. */
		*out = (struct acpi_cpus){ 0 };
		r = acc->map(acc->ctx, rsdp_pa, 20);
	}
	return acpi_walk(acc, rd32(r + 16), 0, max, out);
}
