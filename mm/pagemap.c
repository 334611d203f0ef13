// SPDX-License-Identifier: MIT
/*
 * pagemap.c - the page map: heap page -> span, one flat array over the
 * physical span the frame allocator manages, read without locks by
 * kfree() and friends (span_of() in heap.h: one load after a bounds
 * check, so the span of any address is found with at most two dependent
 * loads, the map entry and then the span's fields).
 *
 * Owns: heap.map (one entry per 4 KiB page, 8 bytes per page on 64-bit
 * targets: 0.195% of the memory covered; an entry is its span's address
 * minus that of the map's all-zero "no span", 0 for none, the no span
 * in the PAGEMAP_NO_SPAN_OFF bytes below the first entry; see
 * pagemap_entry() in heap.h), heap.regions (one
 * struct pagemap_region per 2 MiB: pages mapped and whether the region
 * is a heap chunk, used by the validator and the page heap).
 *
 * Memory: both arrays come from one frame run at init, zeroed there,
 * unless the port declares that memory never handed out reads as zero
 * (PORT_FRESH_MEMORY_ZERO, the host's fresh anonymous mapping), in which
 * case the pages of the map are only touched where the heap lives.
 *
 * Locking: writers hold heap.lock; entries are published after a release
 * fence that follows the set-up of the span they point to. Readers load
 * an entry and then the span it points to (an address dependency, which
 * every supported CPU orders).
 */
#include <kma/frame.h>
#include "heap.h"

static struct pagemap_region *region_of(uintptr_t va)
{
	return &heap.regions[(va - heap.va_base) >> CHUNK_SHIFT];
}

/**
 * pagemap_init - allocate the map over [@lo, @hi) (physical, 2 MiB
 * aligned) and the region table.
 * @lo: first physical address covered.
 * @hi: end of the range covered.
 *
 * Return: 0, or -1 if no frame run of the size is available.
 */
int pagemap_init(phys_addr_t lo, phys_addr_t hi)
{
	size_t pages = (size_t)((hi - lo) >> PAGE_SHIFT);
	size_t nreg = (size_t)((hi - lo) >> CHUNK_SHIFT);
	size_t map_bytes = pages * sizeof(uintptr_t);
	size_t bytes = PAGEMAP_NO_SPAN_OFF + map_bytes +
		       nreg * sizeof(struct pagemap_region);
	size_t nframes = (bytes + PAGE_SIZE - 1) >> PAGE_SHIFT;
	phys_addr_t pa;
	char *p;

	pa = frame_alloc_run(nframes);
	if (pa == FRAME_NONE)
		return -1;
	p = port_phys_to_virt(pa);
	if (!PORT_FRESH_MEMORY_ZERO)
		mm_memset(p, 0, nframes * PAGE_SIZE);
	p += PAGEMAP_NO_SPAN_OFF;
	heap.map = (uintptr_t *)p;
	heap.regions = (struct pagemap_region *)(p + map_bytes);
	heap.nregions = nreg;
	heap.map_frames = nframes;
	return 0;
}

/**
 * pagemap_set - point every page of [@va, @va + @npages pages) at @s.
 * @va: page-aligned address inside the map.
 * @npages: pages.
 * @s: the span, or NULL to unmap.
 * @mapped: whether those pages are mapped now (to one span or several),
 *          all of them, or none of them: the regions' use counts follow
 *          from it without reading the entries (the validator checks
 *          them), so a huge object's map is one store per page.
 *
 * Caller holds heap.lock.
 */
void pagemap_set(uintptr_t va, uint32_t npages, struct span *s, bool mapped)
{
	uintptr_t off = va - heap.va_base;
	uintptr_t *slot = pagemap_slot(off);

	lockdep_assert_held(&heap.lock);	uintptr_t e = pagemap_entry(s);

	/* The span's set-up before any entry that points to it. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	/* A region at a time: its use count changes once. */
	while (npages) {
		struct pagemap_region *r = &heap.regions[off >> CHUNK_SHIFT];
		uint32_t n = CHUNK_PAGES -
			     (uint32_t)((off >> PAGE_SHIFT) & (CHUNK_PAGES - 1));
		uint32_t i;

		if (n > npages)
			n = npages;
		for (i = 0; i + 4 <= n; i += 4) {
			__atomic_store_n(&slot[i], e, __ATOMIC_RELAXED);
			__atomic_store_n(&slot[i + 1], e, __ATOMIC_RELAXED);
			__atomic_store_n(&slot[i + 2], e, __ATOMIC_RELAXED);
			__atomic_store_n(&slot[i + 3], e, __ATOMIC_RELAXED);
		}
		for (; i < n; i++)
			__atomic_store_n(&slot[i], e, __ATOMIC_RELAXED);
		r->used = (uint16_t)(r->used + (s ? n : 0) - (mapped ? n : 0));
		slot += n;
		off += (uintptr_t)n << PAGE_SHIFT;
		npages -= n;
	}
}

/**
 * pagemap_covers - whether [@va, @va + @bytes) lies inside the map.
 * @va: address. @bytes: length.
 */
bool pagemap_covers(uintptr_t va, size_t bytes)
{
	return va - heap.va_base < heap.va_len &&
	       bytes <= heap.va_len - (va - heap.va_base);
}

/**
 * pagemap_set_chunk - record whether the 2 MiB region at @va is a chunk
 * of the page heap. Caller holds heap.lock.
 * @va: 2 MiB aligned address inside the map.
 * @chunk: true when the region becomes a chunk.
 */
void pagemap_set_chunk(uintptr_t va, bool chunk)
{
	region_of(va)->chunk = chunk;
}

/**
 * pagemap_chunk_kind - the span kind of the chunk at @va (HEAP_KIND_*).
 * Caller holds heap.lock.
 * @va: an address inside a chunk.
 */
unsigned int pagemap_chunk_kind(uintptr_t va)
{
	return region_of(va)->kind;
}

/**
 * pagemap_set_chunk_kind - set the span kind of the chunk at @va.
 * Caller holds heap.lock; the chunk is wholly free.
 * @va: an address inside the chunk.
 * @kind: HEAP_KIND_SMALL or HEAP_KIND_LARGE.
 */
void pagemap_set_chunk_kind(uintptr_t va, unsigned int kind)
{
	region_of(va)->kind = (uint8_t)kind;
}

/**
 * pagemap_validate - check every region that maps a page: each page maps
 * to a span that contains it, a chunk maps all its pages, use counts are
 * right. Caller holds heap.lock.
 * @chunks: set to the number of chunk regions.
 *
 * Return: problems found (each reported).
 */
unsigned int pagemap_validate(uint64_t *chunks)
{
	unsigned int bad = 0;
	size_t i;

	*chunks = 0;
	for (i = 0; i < heap.nregions; i++) {
		struct pagemap_region *r = &heap.regions[i];
		uintptr_t base = heap.va_base + (i << CHUNK_SHIFT);
		uint32_t used = 0, k;

		*chunks += r->chunk;
		if (!r->used && !r->chunk)
			continue;	/* untouched: never read, stays cold */
		for (k = 0; k < CHUNK_PAGES; k++) {
			uintptr_t va = base + k * PAGE_SIZE;
			struct span *s = span_of(va);

			if (!s) {
				if (r->chunk)
					bad += heap_corrupt(va,
							    "chunk page unmapped");
				continue;
			}
			used++;
			if (va < s->base ||
			    va >= s->base + (uintptr_t)s->npages * PAGE_SIZE)
				bad += heap_corrupt(va, "page maps to wrong span");
		}
		if (used != r->used)
			bad += heap_corrupt(base, "region use count wrong");
	}
	return bad;
}
