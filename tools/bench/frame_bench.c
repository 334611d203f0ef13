// SPDX-License-Identifier: MIT
/*
 * frame_bench.c - the frame allocator's costs, for tools/bench-frame.sh.
 *
 *   frame_bench time [GIB]          ns per pair and init time, printed
 *   frame_bench pair0 N [GIB]       N order-0 alloc/free pairs (callgrind)
 *   frame_bench pair9 N [GIB]       N order-9 (2 MiB) alloc/free pairs
 *   frame_bench init N [GIB]        N inits of the synthetic map
 *
 * GIB is the size of the map (default 64; valgrind cannot map 64 GiB, so
 * the script counts instructions on smaller maps).
 *
 * Memory: one MAP_NORESERVE mapping of "physical memory" with a
 * PC-like map over it (low memory, PCI hole, reservations, a bad frame);
 * only the metadata pages and the frames the pairs use are ever touched.
 * The measured loops are the noinline functions bench_pair0, bench_pair9
 * and bench_init, which the script names to callgrind's --toggle-collect.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma_host.h>

#define GiB		(1ULL << 30)
#define MiB		(1ULL << 20)

static struct memmap_region regions[64];
static struct memmap map;
static uint64_t SPAN = 64 * GiB;

static void build_map(void)
{
	memmap_init(&map, regions, 64);
	memmap_add(&map, 0, 0x9fc00, MEMMAP_USABLE);
	memmap_add(&map, 0x9fc00, 0x400, MEMMAP_RESERVED);
	memmap_add(&map, 0xf0000, 0x10000, MEMMAP_RESERVED);
	memmap_add(&map, MiB, 3 * GiB - MiB, MEMMAP_USABLE);
	memmap_add(&map, 3 * GiB - 0x20000, 0x20000, MEMMAP_ACPI_RECLAIM);
	memmap_add(&map, 3 * GiB + 512 * MiB, 16 * MiB, MEMMAP_RESERVED);
	memmap_add(&map, 4 * GiB, SPAN - 4 * GiB - MiB, MEMMAP_USABLE);
	memmap_add(&map, 16 * MiB, 24 * MiB + 0x3000, MEMMAP_KERNEL);
	memmap_add(&map, 100 * MiB, 37 * MiB + 0x800, MEMMAP_INITRD);
	memmap_add(&map, 33 * GiB + 0x1000, 0x1000, MEMMAP_BAD);
	memmap_add(&map, 47 * GiB, 0x3000, MEMMAP_RESERVED);
	memmap_add(&map, SPAN - MiB, MiB, MEMMAP_FIRMWARE);
	memmap_sanitize(&map);
}

/* Sanitize and build a zone over the 64 GiB map, @n times. */
static __attribute__((noinline)) struct frame_zone *bench_init(unsigned long n)
{
	struct frame_zone *z = NULL;

	while (n--) {
		build_map();
		z = frame_zone_create(&map);
	}
	return z;
}

static __attribute__((noinline)) void bench_pair0(struct frame_zone *z,
					   unsigned long n)
{
	while (n--)
		frame_zone_free(z, frame_zone_alloc(z, 0), 0);
}

static __attribute__((noinline)) void bench_pair9(struct frame_zone *z,
					   unsigned long n)
{
	while (n--)
		frame_zone_free(z, frame_zone_alloc(z, 9), 9);
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static struct frame_zone *setup(void)
{
	struct frame_zone *z;

	if (host_mem_map(SPAN)) {
		fprintf(stderr, "frame_bench: cannot map %llu GiB\n",
			(unsigned long long)(SPAN / GiB));
		exit(1);
	}
	build_map();
	z = frame_zone_create(&map);
	if (!z) {
		fprintf(stderr, "frame_bench: zone creation failed\n");
		exit(1);
	}
	return z;
}

static void run_times(void)
{
	struct frame_zone *z;
	struct frame_stats st;
	double t0, cold, warm = 1e30, p0, p9;
	unsigned long n0 = 20000000, n9 = 2000000;
	int i;

	if (host_mem_map(SPAN)) {
		fprintf(stderr, "frame_bench: cannot map %llu GiB\n",
			(unsigned long long)(SPAN / GiB));
		exit(1);
	}
	t0 = now_ns();
	z = bench_init(1);
	cold = now_ns() - t0;
	for (i = 0; i < 20; i++) {
		t0 = now_ns();
		z = bench_init(1);
		t0 = now_ns() - t0;
		if (t0 < warm)
			warm = t0;
	}
	bench_pair0(z, 1000);
	t0 = now_ns();
	bench_pair0(z, n0);
	p0 = (now_ns() - t0) / n0;
	bench_pair9(z, 1000);
	t0 = now_ns();
	bench_pair9(z, n9);
	p9 = (now_ns() - t0) / n9;
	frame_zone_get_stats(z, &st);
	printf("order-0 alloc+free pair: %.1f ns\n", p0);
	printf("order-9 alloc+free pair: %.1f ns\n", p9);
	printf("init, %llu GiB map (%zu regions after sanitizing): %.1f us "
	       "cold (first touch of the metadata pages), %.1f us warm\n",
	       (unsigned long long)(SPAN / GiB), map.nr, cold / 1e3,
	       warm / 1e3);
	printf("managed %llu frames (%.2f GiB), metadata %llu KiB = %.4f%% "
	       "(%llu bytes per GiB), %llu blocks initialised at init\n",
	       (unsigned long long)st.managed,
	       st.managed * 4096.0 / GiB,
	       (unsigned long long)st.metadata_bytes >> 10,
	       100.0 * st.metadata_bytes / (st.managed * 4096.0),
	       (unsigned long long)(st.metadata_bytes * GiB /
				    (st.managed * 4096)),
	       (unsigned long long)st.inited_blocks);
}

int main(int argc, char **argv)
{
	const char *what = argc > 1 ? argv[1] : "time";
	unsigned long n = argc > 2 && strcmp(what, "time") ?
			  strtoul(argv[2], NULL, 0) : 100000;
	struct frame_zone *z;

	if (argc > 3 || (argc > 2 && !strcmp(what, "time")))
		SPAN = strtoull(argv[argc - 1], NULL, 0) * GiB;
	if (SPAN < 8 * GiB) {
		fprintf(stderr, "frame_bench: the map needs 8 GiB at least\n");
		return 2;
	}
	if (!strcmp(what, "time")) {
		run_times();
		return 0;
	}
	if (!strcmp(what, "init")) {
		if (host_mem_map(SPAN))
			return 1;
		bench_init(n);
		return 0;
	}
	z = setup();
	if (!strcmp(what, "pair0")) {
		bench_pair0(z, n);
	} else if (!strcmp(what, "pair9")) {
		bench_pair9(z, n);
	} else {
		fprintf(stderr, "usage: frame_bench time|pair0 N|pair9 N|init N\n");
		return 2;
	}
	return 0;
}
