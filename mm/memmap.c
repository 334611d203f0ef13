// SPDX-License-Identifier: MIT
/*
 * memmap.c - the boot memory map and its sanitizer.
 *
 * Owns: nothing global. Every function works on a struct memmap whose
 * table the caller provides; there is no lock (boot is single-threaded,
 * and a test owns its maps).
 *
 * DOC: rules of a sanitized map
 *
 * Firmware and boot code add ranges in any order and shape. After
 * memmap_sanitize():
 *
 *  1. no entry has size 0, none ends past 2^64 - 1 (wrapping entries
 *     are clipped there when added, with a warning);
 *  2. entries are sorted by base and pairwise disjoint;
 *  3. no two touching entries have the same type (they were merged);
 *  4. where entries of different types overlapped, the type of higher
 *     rank (memmap_type_rank()) owns the overlap; every non-usable type
 *     outranks %MEMMAP_USABLE, so a reservation always cuts RAM;
 *  5. usable entries start and end on frame boundaries (trimmed inward:
 *     a frame that is only partly usable is not usable);
 *  6. types the map does not know are stored as %MEMMAP_RESERVED.
 *
 * Rank, lowest first: usable, acpi-reclaim, bootinfo, module, initrd,
 * dtb, pagetable, trampoline, metadata, hotplug, kernel, firmware,
 * reserved, acpi-nvs, bad. The idea: the type that stays unusable for
 * longest wins (ACPI reclaimable memory and boot structures may be freed
 * one day, firmware and bad memory never).
 *
 * Table space: the table never grows behind the caller's back. An add to
 * a full table, or a split that finds no free slot, is reported as
 * %MM_ERR_BAD_MAP and the call returns -1. A split that cannot be stored
 * degrades safely: a usable remainder is dropped (memory lost, never
 * handed out wrongly), a non-usable remainder is absorbed by the entry
 * that outranked it (still not usable).
 *
 * Cost: O(n log n) sort, then O(n^2) worst case for the overlap pass on
 * adversarial input (each step removes an entry or moves one boundary to
 * a boundary of the input); firmware maps have tens of entries.
 */
#include <kma/port.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>

#define MEMMAP_TOP	(~(phys_addr_t)0)	/* exclusive end limit */
#define FRAME_MASK	((phys_addr_t)FRAME_SIZE - 1)

static const char *const memmap_names[MEMMAP_TYPE_NR] = {
	[MEMMAP_USABLE]		= "usable",
	[MEMMAP_RESERVED]	= "reserved",
	[MEMMAP_ACPI_RECLAIM]	= "acpi-reclaim",
	[MEMMAP_ACPI_NVS]	= "acpi-nvs",
	[MEMMAP_BAD]		= "bad",
	[MEMMAP_KERNEL]		= "kernel",
	[MEMMAP_MODULE]		= "module",
	[MEMMAP_INITRD]		= "initrd",
	[MEMMAP_DTB]		= "dtb",
	[MEMMAP_PAGETABLE]	= "pagetable",
	[MEMMAP_FIRMWARE]	= "firmware",
	[MEMMAP_TRAMPOLINE]	= "trampoline",
	[MEMMAP_BOOTINFO]	= "bootinfo",
	[MEMMAP_METADATA]	= "metadata",
	[MEMMAP_HOTPLUG]	= "hotplug",
};

static const unsigned char memmap_ranks[MEMMAP_TYPE_NR] = {
	[MEMMAP_USABLE]		= 0,
	[MEMMAP_ACPI_RECLAIM]	= 1,
	[MEMMAP_BOOTINFO]	= 2,
	[MEMMAP_MODULE]		= 3,
	[MEMMAP_INITRD]		= 4,
	[MEMMAP_DTB]		= 5,
	[MEMMAP_PAGETABLE]	= 6,
	[MEMMAP_TRAMPOLINE]	= 7,
	[MEMMAP_METADATA]	= 8,
	[MEMMAP_HOTPLUG]	= 9,
	[MEMMAP_KERNEL]		= 10,
	[MEMMAP_FIRMWARE]	= 11,
	[MEMMAP_RESERVED]	= 12,
	[MEMMAP_ACPI_NVS]	= 13,
	[MEMMAP_BAD]		= 14,
};

static bool memmap_type_known(uint32_t type)
{
	return type >= MEMMAP_USABLE && type < MEMMAP_TYPE_NR;
}

unsigned int memmap_type_rank(uint32_t type)
{
	if (!memmap_type_known(type))
		type = MEMMAP_RESERVED;
	return memmap_ranks[type];
}

const char *memmap_type_name(uint32_t type)
{
	if (!memmap_type_known(type))
		return type ? "unknown" : "hole";
	return memmap_names[type];
}

static inline phys_addr_t region_end(const struct memmap_region *r)
{
	return r->base + r->size;
}

void memmap_init(struct memmap *m, struct memmap_region *storage, size_t cap)
{
	m->regions = storage;
	m->nr = 0;
	m->cap = storage ? cap : 0;
}

/* Clip @r so that it ends at or below MEMMAP_TOP; true if it was cut. */
static bool region_clip(struct memmap_region *r)
{
	if (r->size <= MEMMAP_TOP - r->base)
		return false;
	r->size = MEMMAP_TOP - r->base;
	return true;
}

int memmap_add(struct memmap *m, phys_addr_t base, uint64_t size,
	       uint32_t type)
{
	struct memmap_region r = { .base = base, .size = size, .type = type };

	if (!size)
		return 0;
	if (region_clip(&r))
		mm_printf("memmap: warning: %s range 0x%llx+0x%llx wraps past "
			  "the top of the address space; clipped to end at "
			  "0x%llx\n", memmap_type_name(type),
			  (unsigned long long)base, (unsigned long long)size,
			  (unsigned long long)MEMMAP_TOP);
	if (!r.size)
		return 0;
	if (m->nr >= m->cap) {
		mm_report(MM_ERR_BAD_MAP, (uintptr_t)base, m->cap,
			  "memmap: table full (%zu entries), cannot add %s "
			  "range 0x%llx+0x%llx", m->cap,
			  memmap_type_name(type), (unsigned long long)base,
			  (unsigned long long)size);
		return -1;
	}
	m->regions[m->nr++] = r;
	return 0;
}

static bool region_less(const struct memmap_region *a,
			const struct memmap_region *b)
{
	if (a->base != b->base)
		return a->base < b->base;
	return a->type < b->type;
}

static void region_swap(struct memmap_region *a, struct memmap_region *b)
{
	struct memmap_region t = *a;

	*a = *b;
	*b = t;
}

static void heap_sift(struct memmap_region *r, size_t i, size_t n)
{
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			return;
		if (c + 1 < n && region_less(&r[c], &r[c + 1]))
			c++;
		if (!region_less(&r[i], &r[c]))
			return;
		region_swap(&r[i], &r[c]);
		i = c;
	}
}

/* Heapsort: in place, no recursion, O(n log n) on any input. */
static void memmap_sort(struct memmap *m)
{
	size_t n = m->nr, i;

	for (i = n / 2; i-- > 0;)
		heap_sift(m->regions, i, n);
	for (i = n; i-- > 1;) {
		region_swap(&m->regions[0], &m->regions[i]);
		heap_sift(m->regions, 0, i);
	}
}

static void memmap_remove(struct memmap *m, size_t i)
{
	size_t j;

	for (j = i; j + 1 < m->nr; j++)
		m->regions[j] = m->regions[j + 1];
	m->nr--;
}

/* Insert @r in base order at or after index @from; false if full. */
static bool memmap_insert_sorted(struct memmap *m, size_t from,
				 struct memmap_region r)
{
	size_t p = from, j;

	if (m->nr >= m->cap)
		return false;
	while (p < m->nr && m->regions[p].base <= r.base)
		p++;
	for (j = m->nr; j > p; j--)
		m->regions[j] = m->regions[j - 1];
	m->regions[p] = r;
	m->nr++;
	return true;
}

/* Step 1: clip, normalise types, drop empty entries. */
static void memmap_normalise(struct memmap *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nr; i++) {
		struct memmap_region r = m->regions[i];

		region_clip(&r);
		if (!memmap_type_known(r.type))
			r.type = MEMMAP_RESERVED;
		if (r.size)
			m->regions[n++] = r;
	}
	m->nr = n;
}

/*
 * Resolve the overlap of regions[i] (a) and regions[i + 1] (b), which
 * start in that order, overlap, and differ in type. Returns the number of
 * remainders that could not be stored (0 or 1).
 */
static unsigned int memmap_resolve_pair(struct memmap *m, size_t i)
{
	struct memmap_region *a = &m->regions[i], *b = &m->regions[i + 1];
	phys_addr_t a_end = region_end(a), b_end = region_end(b);
	struct memmap_region rem;

	if (memmap_type_rank(a->type) > memmap_type_rank(b->type)) {
		/* a wins: b keeps only what lies beyond a. */
		rem = *b;
		memmap_remove(m, i + 1);
		if (b_end <= a_end)
			return 0;
		rem.base = a_end;
		rem.size = b_end - a_end;
		/* A slot was just freed: this cannot fail. */
		memmap_insert_sorted(m, i + 1, rem);
		return 0;
	}
	/* b wins: a keeps what lies before b, and what lies beyond it. */
	rem.base = b_end;
	rem.size = a_end > b_end ? a_end - b_end : 0;
	rem.type = a->type;
	if (a->base == b->base)
		memmap_remove(m, i);
	else
		a->size = b->base - a->base;
	if (!rem.size || memmap_insert_sorted(m, i + 1, rem))
		return 0;
	/*
	 * No room for the remainder. Usable: drop it (lost, never wrongly
	 * handed out). Not usable: let the winner cover it too, so that it
	 * keeps cutting any usable range that overlaps it.
	 */
	if (rem.type != MEMMAP_USABLE) {
		/* a->base < b->base here (else a slot was freed above). */
		b = &m->regions[i + 1];
		b->size = a_end - b->base;
	}
	return 1;
}

/* Step 3: make entries disjoint, merging touching entries of one type. */
static unsigned int memmap_resolve(struct memmap *m)
{
	unsigned int lost = 0;
	size_t i = 0;

	while (i + 1 < m->nr) {
		struct memmap_region *a = &m->regions[i];
		struct memmap_region *b = &m->regions[i + 1];
		phys_addr_t a_end = region_end(a), b_end = region_end(b);

		if (b->base > a_end ||
		    (b->base == a_end && b->type != a->type)) {
			i++;
		} else if (b->type == a->type) {
			if (b_end > a_end)
				a->size = b_end - a->base;
			memmap_remove(m, i + 1);
		} else {
			lost += memmap_resolve_pair(m, i);
		}
	}
	return lost;
}

/* Step 4: usable entries shrink inward to whole frames. */
static void memmap_trim_usable(struct memmap *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nr; i++) {
		struct memmap_region r = m->regions[i];

		if (r.type == MEMMAP_USABLE) {
			phys_addr_t end = region_end(&r) & ~FRAME_MASK;
			phys_addr_t base;

			if (r.base > (MEMMAP_TOP & ~FRAME_MASK))
				continue;
			base = (r.base + FRAME_MASK) & ~FRAME_MASK;
			if (end <= base)
				continue;
			r.base = base;
			r.size = end - base;
		}
		m->regions[n++] = r;
	}
	m->nr = n;
}

/* Merge touching neighbours of one type (sorted, disjoint map). */
static void memmap_merge(struct memmap *m)
{
	size_t i = 0;

	while (i + 1 < m->nr) {
		struct memmap_region *a = &m->regions[i];
		struct memmap_region *b = &m->regions[i + 1];

		if (a->type == b->type && region_end(a) == b->base) {
			a->size += b->size;
			memmap_remove(m, i + 1);
		} else {
			i++;
		}
	}
}

int memmap_sanitize(struct memmap *m)
{
	unsigned int lost;

	memmap_normalise(m);
	memmap_sort(m);
	lost = memmap_resolve(m);
	memmap_trim_usable(m);
	memmap_merge(m);
	if (!lost)
		return 0;
	mm_report(MM_ERR_BAD_MAP, 0, lost,
		  "memmap: table full (%zu entries) while splitting "
		  "overlaps; %u remainder(s) not stored (usable dropped, "
		  "reserved widened)", m->cap, lost);
	return -1;
}

/* Index of the first entry that ends after @pa (m->nr if none). */
static size_t memmap_first_after(const struct memmap *m, phys_addr_t pa)
{
	size_t lo = 0, hi = m->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (region_end(&m->regions[mid]) <= pa)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

uint32_t memmap_type_at(const struct memmap *m, phys_addr_t pa)
{
	size_t i = memmap_first_after(m, pa);

	if (i < m->nr && m->regions[i].base <= pa)
		return m->regions[i].type;
	return 0;
}

int memmap_set_range(struct memmap *m, phys_addr_t base, uint64_t size,
		     uint32_t type)
{
	struct memmap_region r, left, right;
	size_t lo, hi, need, put, j;
	phys_addr_t end;

	/*
	 * Field by field: gcc -Os turns a struct initializer into a call
	 * of memset(), which a kernel without libc may not have.
	 */
	r.base = base;
	r.size = size;
	r.type = type;
	left.base = right.base = 0;
	left.size = right.size = 0;
	left.type = right.type = 0;
	region_clip(&r);
	if (!r.size)
		return 0;
	end = region_end(&r);
	lo = memmap_first_after(m, base);
	for (hi = lo; hi < m->nr && m->regions[hi].base < end; hi++)
		;
	if (lo < hi && m->regions[lo].base < base) {
		left = m->regions[lo];
		left.size = base - left.base;
	}
	if (lo < hi && region_end(&m->regions[hi - 1]) > end) {
		right = m->regions[hi - 1];
		right.size = region_end(&right) - end;
		right.base = end;
	}
	need = lo + !!left.size + !!type + !!right.size + (m->nr - hi);
	if (need > m->cap) {
		mm_report(MM_ERR_BAD_MAP, (uintptr_t)base, m->cap,
			  "memmap: table full (%zu entries), cannot mark "
			  "0x%llx+0x%llx %s", m->cap, (unsigned long long)base,
			  (unsigned long long)size, memmap_type_name(type));
		return -1;
	}
	put = lo + !!left.size + !!type + !!right.size;
	if (put > hi) {
		for (j = m->nr; j-- > hi;)
			m->regions[j + put - hi] = m->regions[j];
	} else {
		for (j = hi; j < m->nr; j++)
			m->regions[j - (hi - put)] = m->regions[j];
	}
	m->nr = need;
	j = lo;
	if (left.size)
		m->regions[j++] = left;
	if (type)
		m->regions[j++] = r;
	if (right.size)
		m->regions[j++] = right;
	memmap_merge(m);
	/* A range not on frame boundaries leaves usable frames partly
	 * covered by another type (or a hole): those are not usable. */
	memmap_trim_usable(m);
	return 0;
}

uint64_t memmap_total(const struct memmap *m, uint32_t type)
{
	const struct memmap_region *r;
	uint64_t sum = 0;

	for_each_memmap_region(m, r)
		if (r->type == type)
			sum += r->size;
	return sum;
}

/* "123 KiB" / "45 MiB" / "6 GiB", rounded down, into @buf. */
static const char *memmap_fmt_size(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	unsigned int u = 0;
	uint64_t v = bytes, frac = 0;

	while (v >= 10240 && u + 1 < sizeof(units) / sizeof(units[0])) {
		frac = v % 1024;
		v /= 1024;
		u++;
	}
	if (v < 100 && u)
		mm_snprintf(buf, len, "%llu.%llu %s", (unsigned long long)v,
			    (unsigned long long)(frac * 10 / 1024), units[u]);
	else
		mm_snprintf(buf, len, "%llu %s", (unsigned long long)v,
			    units[u]);
	return buf;
}

void memmap_dump(const struct memmap *m)
{
	const struct memmap_region *r;
	uint64_t totals[MEMMAP_TYPE_NR];
	uint64_t holes = 0;
	phys_addr_t prev = 0;
	char sz[32];
	unsigned int t;

	for (t = 0; t < MEMMAP_TYPE_NR; t++)
		totals[t] = 0;

	mm_printf("memmap: %zu regions\n", m->nr);
	for_each_memmap_region(m, r) {
		mm_printf("  [mem 0x%016llx-0x%016llx] %-12s %s\n",
			  (unsigned long long)r->base,
			  (unsigned long long)(region_end(r) - 1),
			  memmap_type_name(r->type),
			  memmap_fmt_size(sz, sizeof(sz), r->size));
		if (memmap_type_known(r->type))
			totals[r->type] += r->size;
		if (r->base > prev)
			holes += r->base - prev;
		prev = region_end(r);
	}
	for (t = MEMMAP_USABLE; t < MEMMAP_TYPE_NR; t++)
		if (totals[t])
			mm_printf("memmap: total %-12s %s\n",
				  memmap_type_name(t),
				  memmap_fmt_size(sz, sizeof(sz), totals[t]));
	mm_printf("memmap: holes below 0x%llx: %s\n",
		  (unsigned long long)prev,
		  memmap_fmt_size(sz, sizeof(sz), holes));
}
