// SPDX-License-Identifier: MIT
/*
 * boot_test.c - KTAP checks of the booted machine (kernels only): every
 * CPU came up with its own per-CPU area, the count matches what QEMU was
 * given (expect_cpus=), every CPU takes timer interrupts, the firmware
 * reported the memory QEMU was given (expect_mem=), and RAM the direct
 * map cannot reach (32-bit Arm above 4 GiB) is counted but never used.
 *
 * State: seen[] is written by each CPU at its own index during
 * smp_call_all() and read by the caller after it returns.
 */
#include <ktest.h>
#include <kma/memmap.h>
#include <kma/frame.h>
#include <kma/kmalloc.h>
#include "kernel.h"
#include "test_mm.h"

#define TICK_WAIT_NS	3000000000ULL

static unsigned int seen_id[PORT_MAX_CPUS];
static unsigned int seen_count[PORT_MAX_CPUS];
static unsigned int seen_bad;

static void test_boot_cpus(struct ktest *t)
{
	uint64_t want = cmdline_get_u64("expect_cpus", 0);

	KT_EXPECT_EQ(t, kernel_nr_online(), arch_nr_cpus());
	if (want)
		KT_EXPECT_EQ(t, kernel_nr_online(), want);
	KT_EXPECT_LE(t, arch_nr_cpus(), PORT_MAX_CPUS);
	KT_EXPECT_EQ(t, port_cpu_count(), arch_nr_cpus());
}

static void percpu_probe(void *arg)
{
	unsigned long flags = port_irq_save();
	unsigned int id = port_cpu_id();
	struct kcpu *c = this_kcpu();

	(void)arg;
	if (id >= PORT_MAX_CPUS || c != &kcpus[id] || c->id != id ||
	    c->self != c || c->cache_row != kmalloc_cpu_row(id)
#ifdef port_cpu_row
	    || port_cpu_row() != kmalloc_cpu_row(id)
#endif
	    )
		__atomic_fetch_add(&seen_bad, 1, __ATOMIC_RELAXED);
	else
		__atomic_fetch_add(&seen_count[id], 1, __ATOMIC_RELAXED);
	port_irq_restore(flags);
}

static void test_boot_percpu(struct ktest *t)
{
	unsigned int i, n = kernel_nr_online();

	for (i = 0; i < PORT_MAX_CPUS; i++)
		seen_count[i] = 0;
	seen_bad = 0;
	smp_call_all(percpu_probe, NULL);
	KT_EXPECT_EQ(t, seen_bad, 0);
	for (i = 0; i < PORT_MAX_CPUS; i++)
		KT_EXPECT_EQ(t, seen_count[i], i < n ? 1 : 0);
	for (i = 1; i < n; i++)
		KT_EXPECT_NE(t, kcpus[i].hwid, kcpus[0].hwid);
}

static void test_boot_timer(struct ktest *t)
{
	unsigned int i, n = kernel_nr_online(), ok = 0;
	uint64_t start = arch_time_ns();

	if (!cmdline_get_u64("timer_hz", 100)) {
		ktest_log(t, "timer off (timer_hz=0)");
		return;
	}
	for (i = 0; i < n; i++)
		seen_id[i] = (unsigned int)kcpus[i].ticks;
	while (ok < n && arch_time_ns() - start < TICK_WAIT_NS) {
		ok = 0;
		for (i = 0; i < n; i++)
			ok += (unsigned int)kcpus[i].ticks != seen_id[i];
		arch_cpu_idle();
	}
	KT_EXPECT_EQ(t, ok, n);
}

/*
 * expect_mem=: the firmware reports all of it as RAM, but for at most the
 * legacy hole below 1 MiB (x86 firmware leaves 640 KiB - 1 MiB out); when
 * more than 4 GiB was given, part of it lies above 4 GiB and is usable.
 */
static void test_boot_memory(struct ktest *t)
{
	uint64_t want = cmdline_get_u64("expect_mem", 0);
	uint64_t high_usable = 0;
	const struct memmap_region *r;

	/* The part above 4 GiB of each usable range (on AArch64 one RAM
	 * bank runs across the 4 GiB line); the frame allocator carves its
	 * metadata from usable RAM. */
	for_each_memmap_region(&boot_map, r)
		if ((r->type == MEMMAP_USABLE || r->type == MEMMAP_METADATA) &&
		    r->base + r->size > (1ULL << 32))
			high_usable += r->base + r->size -
				       (r->base > (1ULL << 32) ? r->base :
								 (1ULL << 32));
	ktest_log(t, "firmware RAM %llu KiB, expected %llu KiB",
		  (unsigned long long)(kernel_fw_ram >> 10),
		  (unsigned long long)(want >> 10));
	KT_ASSERT_NE(t, want, 0);
	KT_EXPECT_LE(t, kernel_fw_ram, want);
	KT_EXPECT_GE(t, kernel_fw_ram, want - (1ULL << 20));
	KT_EXPECT_EQ(t, memmap_total(&boot_map, MEMMAP_USABLE) > 0, 1);
	if (want > (4ULL << 30) && !cmdline_get("mem")) {
		KT_EXPECT_GT(t, kernel_fw_ram_high, 0);
		KT_EXPECT_EQ(t, high_usable + kernel_fw_ram_unmapped,
			     kernel_fw_ram_high);
	}
	/* RAM outside the direct map is counted, and none of it usable. */
	if (kernel_fw_ram_unmapped)
		ktest_log(t, "%llu KiB outside the direct map",
			  (unsigned long long)(kernel_fw_ram_unmapped >> 10));
	KT_EXPECT_LE(t, memmap_total(&boot_map, MEMMAP_USABLE) +
			kernel_fw_ram_unmapped, kernel_fw_ram);
}

/*
 * The firmware total counts RAM once where the firmware describes it
 * twice (overlapping device-tree memory nodes, or an e820 entry repeated)
 * and ignores reservations over it.
 */
static void test_boot_fw_ram_overlap(struct ktest *t)
{
	struct memmap_region tab[8];
	struct memmap raw;
	uint64_t high;

	memmap_init(&raw, tab, 8);
	memmap_add(&raw, 0x40000000, 0x08000000, MEMMAP_USABLE);
	memmap_add(&raw, 0x44000000, 0x08000000, MEMMAP_USABLE);
	memmap_add(&raw, 0x40000000, 0x08000000, MEMMAP_USABLE);
	memmap_add(&raw, 0x41000000, 0x00100000, MEMMAP_RESERVED);
	memmap_add(&raw, 0xfff00000, 0x00200000, MEMMAP_USABLE);
	KT_EXPECT_EQ(t, kernel_fw_ram_of(&raw, &high),
		     0x0c000000ULL + 0x00200000);
	KT_EXPECT_EQ(t, high, 0x00100000);
}

/*
 * The frame allocator manages exactly the usable map, and memory above
 * 4 GiB really is handed out and works: take max-order blocks until one
 * lies above 4 GiB (or memory runs out), write and read back a pattern at
 * both ends of each, give everything back, and the free count is what it
 * was.
 */
#define HIGH_PROBE_MAX	4096

static phys_addr_t high_probe[HIGH_PROBE_MAX];

static void test_boot_frames(struct ktest *t)
{
	struct frame_stats before, after;
	unsigned int n = 0, i, bad = 0, high = 0;
	uint64_t blk = FRAME_SIZE << FRAME_MAX_ORDER;

	frame_drain_all();
	frame_get_stats(&before);
	KT_EXPECT_EQ(t, before.managed * FRAME_SIZE,
		     memmap_total(&boot_map, MEMMAP_USABLE));
	while (n < HIGH_PROBE_MAX && !high) {
		phys_addr_t pa = frame_alloc(FRAME_MAX_ORDER);
		volatile uint64_t *lo, *hi;

		if (pa == FRAME_NONE)
			break;
		high_probe[n++] = pa;
		high = pa >= (1ULL << 32);
		lo = port_phys_to_virt(pa);
		hi = port_phys_to_virt(pa + blk - 8);
		*lo = pa ^ 0x5a5a5a5a5a5a5a5aULL;
		*hi = ~pa;
		bad += *lo != (pa ^ 0x5a5a5a5a5a5a5a5aULL) || *hi != ~pa;
	}
	ktest_log(t, "%u blocks of 4 MiB taken, last at 0x%llx", n,
		  n ? (unsigned long long)high_probe[n - 1] : 0ULL);
	for (i = 0; i < n; i++)
		frame_free(high_probe[i], FRAME_MAX_ORDER);
	frame_drain_all();
	frame_get_stats(&after);
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, after.free, before.free);
	if (kernel_fw_ram_high > kernel_fw_ram_unmapped && !cmdline_get("mem"))
		KT_EXPECT_EQ(t, high, 1);
}

/*
 * kma.debug= on the command line set the heap's debug mode before
 * mm_init(): the options in force are the ones it names (none without
 * it), and the fast paths divert (a freed object waits in the quarantine
 * instead of coming back at once). Switched off afterwards, so that the
 * other suites see the default heap.
 */
static void test_boot_debug_option(struct ktest *t)
{
	test_debug_start_options(t, cmdline_get("kma.debug"));
}

/*
 * kma.guard= on the command line turned sampled guard pages on after
 * mm_init() (kernel/mem.c): the interval in force is the one it names
 * (KMA_GUARD_DEFAULT for "on", off without it), and guarded objects come
 * at that rate. Switched off afterwards.
 */
static void test_boot_guard_option(struct ktest *t)
{
	const char *spec = cmdline_get("kma.guard");
	unsigned int n = 0;

	if (spec && spec[0] == 'o' && spec[1] == 'n' && !spec[2])
		n = KMA_GUARD_DEFAULT;
	else if (spec)
		n = (unsigned int)cmdline_get_u64("kma.guard", 0);
	test_guard_start_option(t, n);
}

static struct ktest_case boot_cases[] = {
	KTEST_CASE(test_boot_cpus),
	KTEST_CASE(test_boot_percpu),
	KTEST_CASE(test_boot_timer),
	KTEST_CASE(test_boot_memory),
	KTEST_CASE(test_boot_fw_ram_overlap),
	KTEST_CASE(test_boot_frames),
	KTEST_CASE(test_boot_debug_option),
	KTEST_CASE(test_boot_guard_option),
	{}
};
KTEST_SUITE(boot, boot_cases);
