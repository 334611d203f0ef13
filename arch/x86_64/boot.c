// SPDX-License-Identifier: MIT
/*
 * boot.c - x86-64 early init: which protocol booted us (PVH or
 * multiboot2), the firmware memory map kept as raw regions, the identity
 * map extended over all RAM, the CPUs from the ACPI MADT, the command line.
 *
 * State (written on the boot CPU in arch_early_init(), read-only after):
 *   boot_regions[]  ranges as the boot protocol reported them plus the
 *                   boot structures it occupies; replayed into the memory
 *                   map by arch_memmap()
 *   binfo           what the protocol said (command line, RSDP)
 *   x86_mapped_top  end of the identity map
 */
#include <kma/mm_report.h>
#include "boot.h"
#include "kernel.h"
#include "x86.h"

#define BOOT_REGIONS	256
#define PD_PAGES	64			/* 2 MiB pages: 64 GiB */
#define GIB		(1ULL << 30)

extern uint64_t boot_magic, boot_info_pa;
extern uint64_t boot_pdpt[512], boot_pd[512 * PD_PAGES];

struct memmap_region boot_regions[BOOT_REGIONS];
unsigned int boot_nr_regions;
unsigned int boot_dropped;
struct boot_info binfo;
struct acpi_cpus x86_acpi;
uint64_t x86_mapped_top = 4 * GIB;

static const void *ident_map(void *ctx, phys_addr_t pa, uint64_t len)
{
	(void)ctx;
	if (!pa || pa + len < pa || pa + len > x86_mapped_top)
		return NULL;
	return (const void *)(uintptr_t)pa;
}

static const struct boot_access ident_access = { ident_map, NULL };

static int boot_record(void *ctx, phys_addr_t base, uint64_t size,
		       uint32_t type)
{
	(void)ctx;
	if (boot_nr_regions == BOOT_REGIONS) {
		boot_dropped++;
		return -1;
	}
	boot_regions[boot_nr_regions++] = (struct memmap_region){
		.base = base, .size = size, .type = type,
	};
	return 0;
}

static const struct boot_sink record_sink = { boot_record, NULL };

/* Highest end of a usable region, capped at what the tables can map. */
static uint64_t boot_ram_top(void)
{
	uint64_t top = 0, end;
	unsigned int i;

	for (i = 0; i < boot_nr_regions; i++) {
		if (boot_regions[i].type != MEMMAP_USABLE)
			continue;
		end = boot_regions[i].base + boot_regions[i].size;
		if (end > top)
			top = end;
	}
	return top;
}

/* Extend the 1:1 map (first 4 GiB from entry.S) with 2 MiB pages. */
static void x86_paging_init(void)
{
	uint64_t top = boot_ram_top(), gib;

	if (top > PD_PAGES * GIB) {
		printk("x86: RAM above %u GiB is not mapped and not used\n",
		       PD_PAGES);
		top = PD_PAGES * GIB;
	}
	for (gib = 4; gib * GIB < top; gib++) {
		uint64_t *pd = &boot_pd[512 * gib];
		unsigned int i;

		for (i = 0; i < 512; i++)
			pd[i] = (gib * GIB + ((uint64_t)i << 21)) | 0x83;
		boot_pdpt[gib] = (uint64_t)(uintptr_t)pd | 0x3;
	}
	write_cr3(read_cr3());
	if (gib * GIB > x86_mapped_top)
		x86_mapped_top = gib * GIB;
}

static int boot_parse(void)
{
	if ((uint32_t)boot_magic == MB2_BOOT_MAGIC)
		return mb2_parse(&ident_access, boot_info_pa, &record_sink,
				 &binfo);
	return pvh_parse(&ident_access, boot_info_pa, &record_sink, &binfo);
}

/* Boot CPU first, then the MADT's other CPUs, up to maxcpus=. */
static void x86_cpus_init(void)
{
	uint64_t max = cmdline_get_u64("maxcpus", PORT_MAX_CPUS);
	uint32_t bsp = x86_lapic_id();
	unsigned int i, n = 1;

	if (cmdline_get("nosmp"))
		max = 1;
	if (max < 1 || max > PORT_MAX_CPUS)
		max = PORT_MAX_CPUS;
	kcpus[0].hwid = bsp;
	kcpus[0].online = 1;
	for (i = 0; i < x86_acpi.nr && n < max; i++) {
		if (x86_acpi.apic_ids[i] == bsp)
			continue;
		kcpus[n].hwid = x86_acpi.apic_ids[i];
		kcpus[n].id = n;
		kcpus[n].self = &kcpus[n];
		n++;
	}
	x86_nr_cpus = n;
}

/*
 * The kernel is compiled for the instruction set extensions in the
 * Makefile's X86_64_MARCH; a CPU without one would take #UD somewhere in
 * mm/. Say which, while only the serial port has run (the compiler may
 * use them in any code, so this is best effort, but the check itself is
 * plain cpuid and bit tests).
 */
static void x86_cpu_check(void)
{
	uint32_t r1[4], r7[4] = { 0 }, rx[4] = { 0 }, max[4];
	const char *miss = NULL;

	cpuid(0, 0, max);
	cpuid(1, 0, r1);
	if (max[0] >= 7)
		cpuid(7, 0, r7);
	cpuid(0x80000000u, 0, rx);
	if (rx[0] >= 0x80000001u)
		cpuid(0x80000001u, 0, rx);
	else
		rx[2] = 0;
	(void)r1; (void)r7; (void)rx;
#ifdef __POPCNT__
	if (!(r1[2] & (1u << 23)))
		miss = "popcnt";
#endif
#ifdef __BMI__
	if (!(r7[1] & (1u << 3)))
		miss = "bmi1";
#endif
#ifdef __BMI2__
	if (!(r7[1] & (1u << 8)))
		miss = "bmi2";
#endif
#ifdef __LZCNT__
	if (!(rx[2] & (1u << 5)))
		miss = "lzcnt";
#endif
	if (miss)
		panic("x86: the CPU lacks %s, which this kernel is built for "
		      "(make X86_64_MARCH=...; QEMU: -cpu max)", miss);
}

void arch_early_init(void)
{
	int r;

	x86_serial_init();
	arch_console_write("\n", 1);	/* after the firmware's text */
	x86_cpu_check();
	kcpus[0].self = &kcpus[0];
	x86_trap_init();
	x86_trap_cpu_init(0);
	r = boot_parse();
	if (r)
		panic("x86: cannot read the %s boot information at 0x%llx",
		      binfo.protocol, (unsigned long long)boot_info_pa);
	if (boot_dropped)
		panic("x86: boot memory map has more than %u entries",
		      BOOT_REGIONS);
	printk("x86: booted through %s, %u RAM range(s), %llu MiB\n",
	       binfo.protocol, binfo.nr_ram,
	       (unsigned long long)(binfo.ram_bytes >> 20));
	x86_paging_init();
	if (!binfo.rsdp_pa ||
	    acpi_find_cpus(&ident_access, binfo.rsdp_pa, PORT_MAX_CPUS,
			   &x86_acpi)) {
		printk("x86: no ACPI MADT, running on the boot CPU only\n");
		x86_acpi.nr = 0;
	}
	x86_apic_init(x86_acpi.lapic_pa);
	x86_cpus_init();
}

const char *arch_cmdline(void)
{
	return binfo.cmdline ? binfo.cmdline : "";
}

unsigned int arch_nr_cpus(void)
{
	return x86_nr_cpus;
}
