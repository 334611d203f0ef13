// SPDX-License-Identifier: MIT
/*
 * frame.c - the physical frame allocator: zones, the buddy core, runs,
 * allocation below a limit, hot-add, and the global allocator.
 *
 * Owns: struct frame_zone (see frame_internal.h for its locks and
 * invariants) and the global zone pointer frame_global, written once by
 * frame_init() before other CPUs use the allocator.
 *
 * DOC: design
 *
 * A zone covers a span of physical frames rounded out to max-order
 * blocks (2^FRAME_MAX_ORDER frames, 4 MiB). Its state is out of band:
 *
 *  - meta[]: one byte per frame. Non-zero only at the head of a block:
 *    kind (FREE, CACHED, ALLOC, RUN) and order. Tail frames and frames
 *    the zone does not manage hold 0. Any frame's block is found by
 *    looking at its aligned-down addresses of orders 0 .. MAX, so every
 *    misuse can be told apart exactly.
 *  - free_max: one bit per block, set for a free max-order block. Free
 *    max-order blocks are not on a list: allocation takes the lowest set
 *    bit, so nothing is written into free RAM at init.
 *  - inited: one bit per block, set once its 1024 meta bytes have been
 *    zeroed. A block whose bit is clear is either wholly free (free_max)
 *    or wholly unmanaged, and its meta bytes are never read. That is
 *    what keeps init from touching per-frame state: the meta array is
 *    not zeroed at init, a block's bytes are zeroed the first time it is
 *    split or handed out (1 KiB per 4 MiB).
 *  - free lists for orders 0 .. MAX-1: circular doubly linked lists whose
 *    nodes live in the first bytes of each free block (direct map).
 *
 * Init cost: O(regions + blocks / 64): bitmap words for whole blocks,
 * plus at most two partial blocks per region (zeroed 1 KiB each and fed
 * to the buddy as aligned pieces).
 *
 * Allocation of order k: the smallest non-empty list of order >= k, or
 * the lowest free max-order block; split, keeping the lower half,
 * pushing upper halves onto their lists. Free: check the head byte is
 * ALLOC|k with one compare-and-swap, then merge with the buddy while the
 * buddy's head byte is FREE|k. Order 0 goes through the per-CPU caches
 * (frame_pcp.c).
 *
 * Runs (frame_alloc_run): up to 2^MAX frames, a buddy block of the next
 * power of two whose tail is given back; beyond, consecutive free
 * max-order blocks found in free_max. A run is stored as its aligned
 * binary decomposition, each piece a RUN head, so frame_free_run() can
 * check the exact (address, length) it was given.
 *
 * Metadata is carved from the top of the highest usable region that
 * holds it and marked MEMMAP_METADATA: the zone struct, the CPU caches,
 * the bitmaps, a copy of the map (for reports and hot-add), and meta[].
 * Hot-add (frame_add_memory) needs nothing more: the span, and so meta[],
 * covers MEMMAP_HOTPLUG ranges of the init map as well.
 */
#include <kma/port.h>
#include <kma/frame.h>
#include <kma/memmap.h>
#include <kma/mm_report.h>
#include "frame_internal.h"

static struct frame_zone *frame_global;

/* ------------------------------------------------------------ lists */

static inline struct frame_node *pfn_node(uint64_t pfn)
{
	return port_phys_to_virt((phys_addr_t)pfn << FRAME_SHIFT);
}

static inline uint64_t node_pfn(const struct frame_node *n)
{
	return port_virt_to_phys(n) >> FRAME_SHIFT;
}

static void list_init(struct frame_node *h)
{
	h->next = h;
	h->prev = h;
}

static void list_push(struct frame_node *h, struct frame_node *n)
{
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
}

/*
 * The node is cleared as it leaves its list: the frame allocator writes
 * into free memory only the node at the head of each free block, and
 * takes it out again, so a frame handed out for the first time reads as
 * zero wherever the port says fresh memory does (PORT_FRESH_MEMORY_ZERO,
 * which the page map relies on).
 */
static void list_del(struct frame_node *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = NULL;
	n->prev = NULL;
}

/* Is @n the list head of @order or the node of a FREE|@order block? */
static bool __node_valid(struct frame_zone *z, struct frame_node *n,
			 unsigned int order)
{
	uint64_t pfn = node_pfn(n);

	if (n == &z->free_list[order])
		return true;
	return pfn_in_zone(z, pfn) && block_inited(z, pfn) &&
	       meta_get(z, pfn) == (META_FREE | order) &&
	       !(pfn & ((1ULL << order) - 1));
}

/*
 * A node that names a frame outside the zone or not FREE|order, or whose
 * neighbours do not point back at it, means free memory was written to
 * (a use after free). Report it and give up the list: its frames are
 * lost, never handed out twice. The zone is no longer exact after this.
 */
static bool __list_node_ok(struct frame_zone *z, struct frame_node *n,
			   unsigned int order)
{
	uint64_t pfn = node_pfn(n);

	if (__node_valid(z, n, order) && __node_valid(z, n->next, order) &&
	    __node_valid(z, n->prev, order) && n->next->prev == n &&
	    n->prev->next == n)
		return true;
	mm_report(MM_ERR_CORRUPT, (uintptr_t)pfn << FRAME_SHIFT, order,
		  "frame: free list of order %u broken at 0x%llx (free "
		  "memory written to?); list dropped", order,
		  (unsigned long long)pfn << FRAME_SHIFT);
	z->free_frames -= z->nr_free[order] << order;
	z->managed -= z->nr_free[order] << order;
	z->nr_free[order] = 0;
	list_init(&z->free_list[order]);
	return false;
}

/* ------------------------------------------------------------ bitmaps */

/* Zero a block's meta bytes the first time they are needed. */
static void __block_init(struct frame_zone *z, uint64_t blk)
{
	uint8_t *m = &z->meta[blk << MAX_ORDER];
	uint64_t i;

	if (bit_test(z->inited, blk))
		return;
	for (i = 0; i < BLOCK_FRAMES; i++)
		__atomic_store_n(&m[i], 0, __ATOMIC_RELAXED);
	bit_assign(z->inited, blk, true);
	z->inited_blocks++;
}

static void __free_max_set(struct frame_zone *z, uint64_t blk)
{
	bit_assign(z->free_max, blk, true);
	if (blk / KMA_BITS_PER_WORD < z->max_hint)
		z->max_hint = blk / KMA_BITS_PER_WORD;
	z->nr_free[MAX_ORDER]++;
	if (bit_test(z->inited, blk))
		meta_set(z, z->base_pfn + (blk << MAX_ORDER),
			 META_FREE | MAX_ORDER);
}

static void __free_max_take(struct frame_zone *z, uint64_t blk)
{
	bit_assign(z->free_max, blk, false);
	z->nr_free[MAX_ORDER]--;
	__block_init(z, blk);
	meta_set(z, z->base_pfn + (blk << MAX_ORDER), 0);
}

/* Lowest free max-order block below @limit_blk, or PFN_NONE. */
static uint64_t __free_max_find(struct frame_zone *z, uint64_t limit_blk)
{
	uint64_t w;

	for (w = z->max_hint; w < z->nr_words; w++) {
		kma_bitword_t word = z->free_max[w];
		uint64_t blk;

		if (!word) {
			if (w == z->max_hint)
				z->max_hint = w + 1;
			continue;
		}
		blk = w * KMA_BITS_PER_WORD + kma_ctz(word);
		return blk < limit_blk ? blk : PFN_NONE;
	}
	return PFN_NONE;
}

/* First of @n consecutive free max-order blocks, or PFN_NONE. */
static uint64_t __free_max_find_run(struct frame_zone *z, uint64_t n)
{
	uint64_t blk, start = 0, len = 0;

	for (blk = z->max_hint * KMA_BITS_PER_WORD; blk < z->nr_blocks; blk++) {
		if (!(blk % KMA_BITS_PER_WORD) &&
		    !z->free_max[blk / KMA_BITS_PER_WORD]) {
			len = 0;
			blk += KMA_BITS_PER_WORD - 1;
			continue;
		}
		if (!bit_test(z->free_max, blk)) {
			len = 0;
			continue;
		}
		if (!len++)
			start = blk;
		if (len == n)
			return start;
	}
	return PFN_NONE;
}

/* ------------------------------------------------------------ buddy */

/**
 * __zone_alloc - take a block of 2^@order frames from the buddy.
 * @z: the zone, lock held.
 * @order: 0 .. MAX_ORDER.
 * @limit_pfn: the block must end at or below this frame number.
 *
 * The block's head byte is left as ALLOC|order.
 *
 * Return: first frame number, or PFN_NONE.
 */
uint64_t __zone_alloc(struct frame_zone *z, unsigned int order,
		      uint64_t limit_pfn)
{
	unsigned int o;
	uint64_t pfn = PFN_NONE, blk;

	lockdep_assert_held(&z->lock);
	for (o = order; o < MAX_ORDER && pfn == PFN_NONE; o++) {
		struct frame_node *h = &z->free_list[o], *n;

		for (n = h->next; n != h; n = n->next) {
			if (!__list_node_ok(z, n, o))
				break;
			if (node_pfn(n) + (1ULL << order) <= limit_pfn) {
				pfn = node_pfn(n);
				list_del(n);
				z->nr_free[o]--;
				break;
			}
		}
	}
	if (pfn == PFN_NONE) {
		if (limit_pfn < z->base_pfn + (1ULL << order))
			return PFN_NONE;
		blk = __free_max_find(z, (limit_pfn - z->base_pfn -
					  (1ULL << order)) / BLOCK_FRAMES + 1);
		if (blk == PFN_NONE || blk >= z->nr_blocks)
			return PFN_NONE;
		__free_max_take(z, blk);
		pfn = z->base_pfn + (blk << MAX_ORDER);
		o = MAX_ORDER + 1;
	}
	/* o is one above the order of the block taken. */
	while (--o > order) {
		uint64_t buddy = pfn + (1ULL << (o - 1));

		meta_set(z, buddy, META_FREE | (o - 1));
		list_push(&z->free_list[o - 1], pfn_node(buddy));
		z->nr_free[o - 1]++;
	}
	meta_set(z, pfn, META_ALLOC | order);
	z->free_frames -= 1ULL << order;
	return pfn;
}

/**
 * __zone_free_block - give a block to the buddy, merging with free buddies.
 * @z: the zone, lock held.
 * @pfn: first frame, aligned to 2^@order; its head byte is overwritten.
 * @order: 0 .. MAX_ORDER.
 */
void __zone_free_block(struct frame_zone *z, uint64_t pfn, unsigned int order)
{
	lockdep_assert_held(&z->lock);
	z->free_frames += 1ULL << order;
	meta_set(z, pfn, 0);
	while (order < MAX_ORDER) {
		uint64_t buddy = pfn ^ (1ULL << order);

		if (meta_get(z, buddy) != (META_FREE | order) ||
		    !__list_node_ok(z, pfn_node(buddy), order))
			break;
		list_del(pfn_node(buddy));
		z->nr_free[order]--;
		meta_set(z, buddy, 0);
		pfn &= ~(1ULL << order);
		order++;
	}
	if (order == MAX_ORDER) {
		__free_max_set(z, pfn_block(z, pfn));
		return;
	}
	meta_set(z, pfn, META_FREE | order);
	list_push(&z->free_list[order], pfn_node(pfn));
	z->nr_free[order]++;
}

/* Largest order of an aligned block at @pfn no longer than @left frames. */
static unsigned int piece_order(uint64_t pfn, uint64_t left)
{
	unsigned int o = 0;

	while (o < MAX_ORDER && !(pfn & (1ULL << o)) &&
	       (2ULL << o) <= left)
		o++;
	return o;
}

/* Free [s, e) into the buddy as aligned pieces (meta of the block valid). */
static void __zone_free_range(struct frame_zone *z, uint64_t s, uint64_t e)
{
	while (s < e) {
		unsigned int o = piece_order(s, e - s);

		__zone_free_block(z, s, o);
		s += 1ULL << o;
	}
}

/* Hand [s, e) (frame numbers, unmanaged so far) to the zone. */
static void __zone_add_range(struct frame_zone *z, uint64_t s, uint64_t e)
{
	z->managed += e - s;
	while (s < e) {
		uint64_t blk = pfn_block(z, s);
		uint64_t bend = z->base_pfn + ((blk + 1) << MAX_ORDER);

		if (!((s - z->base_pfn) % BLOCK_FRAMES) && e >= bend) {
			z->free_frames += BLOCK_FRAMES;
			__free_max_set(z, blk);
			s = bend;
			continue;
		}
		if (bend > e)
			bend = e;
		__block_init(z, blk);
		__zone_free_range(z, s, bend);
		s = bend;
	}
}

/* ------------------------------------------------------------ create */

struct zone_layout {
	uint64_t base_pfn, nr_frames, nr_blocks, nr_words;
	size_t map_cap;
	uint64_t off_pcp, off_free_max, off_inited, off_used, off_map;
	uint64_t off_meta, size;
};

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

/* Span: the hull of usable and hotplug entries, rounded out to blocks. */
static bool zone_span(const struct memmap *m, uint64_t *lo, uint64_t *hi)
{
	const struct memmap_region *r;
	uint64_t s = PFN_NONE, e = 0;

	for_each_memmap_region(m, r) {
		if (r->type != MEMMAP_USABLE && r->type != MEMMAP_HOTPLUG)
			continue;
		if (r->type == MEMMAP_HOTPLUG && r->size < FRAME_SIZE)
			continue;
		if (r->base >> FRAME_SHIFT < s)
			s = r->base >> FRAME_SHIFT;
		if ((r->base + r->size - 1) >> FRAME_SHIFT >= e)
			e = ((r->base + r->size - 1) >> FRAME_SHIFT) + 1;
	}
	if (s == PFN_NONE)
		return false;
	*lo = s & ~(uint64_t)(BLOCK_FRAMES - 1);
	*hi = align_up(e, BLOCK_FRAMES);
	return true;
}

static void zone_layout(struct zone_layout *l, uint64_t lo, uint64_t hi,
			size_t map_nr, unsigned int cpus)
{
	l->base_pfn = lo;
	l->nr_frames = hi - lo;
	l->nr_blocks = l->nr_frames / BLOCK_FRAMES;
	l->nr_words = KMA_BITWORDS(l->nr_blocks);
	l->map_cap = map_nr + 1 + ZONE_MAP_SPARE;
	l->off_pcp = align_up(sizeof(struct frame_zone), 64);
	l->off_free_max = l->off_pcp + cpus * sizeof(struct frame_pcp);
	l->off_inited = l->off_free_max + l->nr_words * sizeof(kma_bitword_t);
	l->off_used = l->off_inited + l->nr_words * sizeof(kma_bitword_t);
	l->off_map = align_up(l->off_used + KMA_BITWORDS(l->nr_blocks <<
				(MAX_ORDER - USED_SHIFT)) *
			      sizeof(kma_bitword_t),
			      _Alignof(struct memmap_region));
	l->off_meta = align_up(l->off_map + l->map_cap *
			       sizeof(struct memmap_region), 64);
	l->size = align_up(l->off_meta + l->nr_frames, FRAME_SIZE);
}

/* Highest usable range that can hold @size bytes: its top part. */
static phys_addr_t zone_carve(const struct memmap *m, uint64_t size)
{
	size_t i;

	for (i = m->nr; i-- > 0;) {
		const struct memmap_region *r = &m->regions[i];

		if (r->type == MEMMAP_USABLE && r->size >= size)
			return r->base + r->size - size;
	}
	return (phys_addr_t)-1;
}

/* Zero @n bytes (a multiple of 8, 8-aligned); no memset in a kernel. */
static void zero_words(void *p, uint64_t n)
{
	volatile uint64_t *w = p;

	for (n /= 8; n; n--)
		*w++ = 0;
}

static void zone_setup(struct frame_zone *z, const struct zone_layout *l,
		       const struct memmap *m, unsigned int cpus)
{
	char *base = (char *)z;
	unsigned int i;

	zero_words(z, l->off_meta);
	spin_lock_init_rank(&z->lock, "frame_zone", KMA_LOCK_RANK_FRAME_ZONE);
	z->base_pfn = l->base_pfn;
	z->nr_frames = l->nr_frames;
	z->nr_blocks = l->nr_blocks;
	z->nr_words = l->nr_words;
	z->pcp = (struct frame_pcp *)(base + l->off_pcp);
	z->free_max = (kma_bitword_t *)(base + l->off_free_max);
	z->inited = (kma_bitword_t *)(base + l->off_inited);
	z->used = (kma_bitword_t *)(base + l->off_used);
	z->meta = (uint8_t *)(base + l->off_meta);
	z->nr_cpus = cpus;
	z->metadata_bytes = l->size;
	for (i = 0; i < cpus; i++)
		spin_lock_init_rank(&z->pcp[i].lock, "frame_pcp",
				    KMA_LOCK_RANK_FRAME_PCP);
	for (i = 0; i < MAX_ORDER; i++)
		list_init(&z->free_list[i]);
	memmap_init(&z->map, (struct memmap_region *)(base + l->off_map),
		    l->map_cap);
	for (i = 0; i < m->nr; i++)
		z->map.regions[i] = m->regions[i];
	z->map.nr = m->nr;
}

/**
 * frame_zone_create - build an allocator instance over a sanitized map.
 * @m: the map; metadata is carved from it and marked %MEMMAP_METADATA.
 *
 * Return: the zone, or NULL (reported) if there is no usable memory, no
 * usable range large enough for the metadata, or no table entry left to
 * mark it.
 */
struct frame_zone *frame_zone_create(struct memmap *m)
{
	const struct memmap_region *r;
	struct zone_layout l;
	struct frame_zone *z;
	unsigned int cpus = port_cpu_count();
	uint64_t lo, hi;
	phys_addr_t meta;
	unsigned long flags;

	if (cpus > PORT_MAX_CPUS)
		cpus = PORT_MAX_CPUS;
	if (!zone_span(m, &lo, &hi)) {
		mm_report(MM_ERR_BAD_MAP, 0, 0,
			  "frame: the memory map has no usable memory");
		return NULL;
	}
	zone_layout(&l, lo, hi, m->nr, cpus);
	meta = zone_carve(m, l.size);
	if (meta == (phys_addr_t)-1) {
		mm_report(MM_ERR_BAD_MAP, 0, l.size,
			  "frame: no usable range holds the %llu bytes of "
			  "metadata", (unsigned long long)l.size);
		return NULL;
	}
	if (memmap_set_range(m, meta, l.size, MEMMAP_METADATA))
		return NULL;
	z = port_phys_to_virt(meta);
	zone_setup(z, &l, m, cpus);
	z->meta_base = meta;
	flags = zone_lock_irqsave(z);
	for_each_memmap_region(m, r)
		if (r->type == MEMMAP_USABLE)
			__zone_add_range(z, r->base >> FRAME_SHIFT,
					 (r->base + r->size) >> FRAME_SHIFT);
	zone_unlock_irqrestore(z, flags);
	return z;
}

/* ------------------------------------------------------------ alloc/free */

/**
 * __zone_take - note that [@pfn, @pfn + @nr) leaves the zone (handed out,
 * or moved to a CPU cache), and tell whether it is fresh.
 * @z: the zone, lock held.
 * @pfn: first frame.
 * @nr: frames.
 *
 * One bit per 2 MiB of the span (z->used) says that a frame in it has
 * left the zone since the zone was created; the range is fresh when none
 * of its bits was set. A frame is never called fresh twice, and a freed
 * frame never again; a fresh range may be called used because something
 * else once left its 2 MiB, which costs a memset, nothing more. (Go
 * keeps the same promise per arena with one mark, zeroedBase; a mark
 * would do here only if allocation moved one way, but chunks come from
 * the bottom and long runs from the top.) A fresh block reads as zero
 * where the port's fresh memory does (PORT_FRESH_MEMORY_ZERO): the only
 * bytes the zone writes into free memory, its list nodes, are cleared as
 * the blocks leave their lists. Cost: one bit per 2 MiB taken.
 *
 * Return: true if no frame of the range's 2 MiB pieces had left before.
 */
bool __zone_take(struct frame_zone *z, uint64_t pfn, uint64_t nr)
{
	uint64_t i = (pfn - z->base_pfn) >> USED_SHIFT;
	uint64_t last = (pfn + nr - 1 - z->base_pfn) >> USED_SHIFT;
	bool fresh = true;

	lockdep_assert_held(&z->lock);
	for (; i <= last; i++) {
		fresh = fresh && !bit_test(z->used, i);
		bit_assign(z->used, i, true);
	}
	return fresh;
}

/* After the zone ran dry: drain every CPU cache; true if any frame came. */
static bool zone_reclaim_caches(struct frame_zone *z)
{
	return frame_zone_drain_all(z) > 0;
}

static uint64_t __zone_alloc_placed(struct frame_zone *z, unsigned int order,
				    bool high);

static phys_addr_t zone_alloc_limit(struct frame_zone *z, unsigned int order,
				    uint64_t limit_pfn, bool drained,
				    bool *fresh)
{
	unsigned long flags;
	uint64_t pfn;

	flags = zone_lock_irqsave(z);
	/* Large blocks low, large runs high (see __zone_alloc_placed()). */
	if (order >= MAX_ORDER - 2 && limit_pfn == PFN_NONE)
		pfn = __zone_alloc_placed(z, order, false);
	else
		pfn = __zone_alloc(z, order, limit_pfn);
	if (pfn != PFN_NONE)
		*fresh = __zone_take(z, pfn, 1ULL << order);
	zone_unlock_irqrestore(z, flags);
	if (pfn == PFN_NONE && !drained && zone_reclaim_caches(z))
		return zone_alloc_limit(z, order, limit_pfn, true, fresh);
	return pfn == PFN_NONE ? FRAME_NONE : (phys_addr_t)pfn << FRAME_SHIFT;
}

static bool frame_order_ok(unsigned int order, const char *fn)
{
	if (order <= MAX_ORDER)
		return true;
	mm_report(MM_ERR_BAD_SIZE, 0, order, "%s: order %u above %u", fn,
		  order, MAX_ORDER);
	return false;
}

/**
 * frame_zone_alloc_fresh - allocate 2^@order naturally aligned frames from
 * @z, and tell whether they read as zero.
 * @z: the zone.
 * @order: 0 .. %FRAME_MAX_ORDER (larger is reported and fails).
 * @zero: set to true if the block has never been handed out since the
 *        zone was created and the port's fresh memory reads as zero
 *        (%PORT_FRESH_MEMORY_ZERO), else false. Order 0 from a CPU cache
 *        is never known zero.
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_zone_alloc_fresh(struct frame_zone *z, unsigned int order,
				   bool *zero)
{
	bool fresh = false;
	phys_addr_t pa;
	uint64_t pfn;

	*zero = false;
	if (order == 0) {
		pfn = pcp_alloc(z);
		if (pfn != PFN_NONE)
			return (phys_addr_t)pfn << FRAME_SHIFT;
		return zone_alloc_limit(z, 0, PFN_NONE, false, &fresh);
	}
	if (!frame_order_ok(order, "frame_alloc"))
		return FRAME_NONE;
	pa = zone_alloc_limit(z, order, PFN_NONE, false, &fresh);
	*zero = PORT_FRESH_MEMORY_ZERO && pa != FRAME_NONE && fresh;
	return pa;
}

/**
 * frame_zone_alloc - allocate 2^@order naturally aligned frames from @z.
 * @z: the zone.
 * @order: 0 .. %FRAME_MAX_ORDER (larger is reported and fails).
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_zone_alloc(struct frame_zone *z, unsigned int order)
{
	bool zero;

	return frame_zone_alloc_fresh(z, order, &zero);
}

/**
 * frame_zone_alloc_below - allocate 2^@order frames ending at or below
 * @limit, from @z.
 * @z: the zone.
 * @order: 0 .. %FRAME_MAX_ORDER.
 * @limit: physical address limit.
 *
 * Bypasses the CPU caches. Cost: a walk of the free lists of orders
 * @order .. MAX-1 in the worst case, plus a bitmap scan.
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_zone_alloc_below(struct frame_zone *z, unsigned int order,
				   phys_addr_t limit)
{
	bool fresh;

	if (!frame_order_ok(order, "frame_alloc_below"))
		return FRAME_NONE;
	return zone_alloc_limit(z, order, limit >> FRAME_SHIFT, false, &fresh);
}

/**
 * frame_zone_free - give back a block allocated from @z.
 * @z: the zone.
 * @pa: physical address of the block.
 * @order: the order it was allocated with.
 *
 * Misuse is reported (see frame_check.c) and the call ignored.
 */
void frame_zone_free(struct frame_zone *z, phys_addr_t pa, unsigned int order)
{
	uint64_t pfn = pa >> FRAME_SHIFT;
	unsigned long flags;

	if (frame_free_args_bad(z, pa, order))
		goto bad;
	if (order == 0) {
		pcp_free(z, pfn);
		return;
	}
	flags = zone_lock_irqsave(z);
	if (meta_cas(z, pfn, META_ALLOC | order, 0))
		__zone_free_block(z, pfn, order);
	else
		__frame_report_bad_free(z, pa, order, false);
	zone_unlock_irqrestore(z, flags);
	return;
bad:
	flags = zone_lock_irqsave(z);
	__frame_report_bad_free(z, pa, order, false);
	zone_unlock_irqrestore(z, flags);
}

/* ------------------------------------------------------------ runs */

/* Mark [pfn, pfn + nr) as RUN pieces; the frames are already taken. */
static void __run_mark(struct frame_zone *z, uint64_t pfn, uint64_t nr)
{
	uint8_t start = META_RUN_START;

	while (nr) {
		unsigned int o = piece_order(pfn, nr);

		meta_set(z, pfn, META_RUN | start | o);
		start = 0;
		pfn += 1ULL << o;
		nr -= 1ULL << o;
	}
}

static unsigned int order_for(uint64_t nr)
{
	unsigned int o = 0;

	while ((1ULL << o) < nr)
		o++;
	return o;
}

/* Highest free max-order block, or PFN_NONE. */
static uint64_t __free_max_find_high(struct frame_zone *z)
{
	uint64_t w;

	for (w = z->nr_words; w-- > z->max_hint;)
		if (z->free_max[w])
			return w * KMA_BITS_PER_WORD +
			       kma_fls(z->free_max[w]);
	return PFN_NONE;
}

/*
 * Placement of large blocks. Runs of RUN_HIGH_ORDER and more (huge
 * objects, 1 MiB up) are taken from the top of the zone: the highest free
 * block that holds them, cut from its top. Single blocks of those orders
 * (the heap's 2 MiB chunks, which one live span pins) are taken from the
 * bottom: the lowest free block, cut from its bottom. The two then grow
 * towards each other instead of interleaving, and the frees and
 * re-allocations of multi-MiB runs keep the top in large free pieces.
 * Linear in the lengths of the free lists of those orders (short).
 */
#define RUN_HIGH_ORDER	(MAX_ORDER - 2)

static uint64_t __zone_alloc_placed(struct frame_zone *z, unsigned int order,
				    bool high)
{
	uint64_t best = PFN_NONE, blk, at;
	unsigned int o, best_o = 0;
	struct frame_node *h, *n;

	for (o = order; o < MAX_ORDER; o++) {
		h = &z->free_list[o];
		for (n = h->next; n != h; n = n->next) {
			if (!__list_node_ok(z, n, o))
				break;
			if (best == PFN_NONE ||
			    (high ? node_pfn(n) > best : node_pfn(n) < best)) {
				best = node_pfn(n);
				best_o = o;
			}
		}
	}
	blk = high ? __free_max_find_high(z) :
		     __free_max_find(z, z->nr_blocks);
	at = blk == PFN_NONE ? 0 : z->base_pfn + (blk << MAX_ORDER);
	if (blk != PFN_NONE && blk < z->nr_blocks &&
	    (best == PFN_NONE || (high ? at > best : at < best))) {
		__free_max_take(z, blk);
		best = at;
		best_o = MAX_ORDER;
	} else if (best != PFN_NONE) {
		list_del(pfn_node(best));
		z->nr_free[best_o]--;
	} else {
		return PFN_NONE;
	}
	/* Keep the top (or bottom) piece, give back the other halves. */
	for (o = best_o; o > order; o--) {
		uint64_t other = high ? best : best + (1ULL << (o - 1));

		meta_set(z, other, META_FREE | (o - 1));
		list_push(&z->free_list[o - 1], pfn_node(other));
		z->nr_free[o - 1]++;
		if (high)
			best += 1ULL << (o - 1);
	}
	meta_set(z, best, META_ALLOC | order);
	z->free_frames -= 1ULL << order;
	return best;
}

/*
 * Where a run of @nr frames fits in the free stretch [@s, @e): the highest
 * start aligned to @align (absolute frame numbers), or PFN_NONE.
 */
static uint64_t stretch_fit(uint64_t s, uint64_t e, uint64_t nr,
			    uint64_t align)
{
	uint64_t cand;

	if (s == PFN_NONE || e == PFN_NONE || e - s < nr)
		return PFN_NONE;
	cand = (e - nr) & ~(align - 1);
	return cand >= s ? cand : PFN_NONE;
}

/*
 * The highest stretch of @nr free frames made of any free blocks in a
 * row, whatever their orders and alignment (a run is stored as pieces,
 * so it needs no buddy block of its own). Buddy blocks never merge
 * across their alignment, so after long use free memory lies in pieces
 * that the lists cannot join: the tails of earlier runs, halves on
 * either side of a max-order boundary. Walks the zone down from its top
 * a max-order block at a time (a word of 64 untouched blocks alike in
 * one step; the pieces of a block in use from its head up) and stops at
 * the first stretch that holds the run, which is the highest: O(blocks
 * above it plus their pieces), and a few blocks when huge runs come and
 * go at the top. The first choice for large runs whose length is not a
 * power of two, the last resort for the others. The run takes the top
 * of its stretch; the rest of the first and last blocks goes back.
 */
static uint64_t __run_alloc_scan(struct frame_zone *z, uint64_t nr)
{
	/* The run's alignment: the largest power of two dividing @nr, up to
	 * a max-order block (frame_alloc_run()'s promise). */
	uint64_t align = nr & -nr, blk = z->nr_blocks, best = PFN_NONE;
	uint64_t top = PFN_NONE;	/* the free stretch from above ends here */
	uint64_t b, lo, hi, o;
	uint8_t m;

	if (align > BLOCK_FRAMES)
		align = BLOCK_FRAMES;

	while (blk > 0 && best == PFN_NONE) {
		uint64_t w = (blk - 1) / KMA_BITS_PER_WORD;
		uint64_t bpfn, bend, p, s, first_end, cand;
		bool whole;

		if (!(blk % KMA_BITS_PER_WORD) && !z->inited[w] &&
		    (!z->free_max[w] || !~z->free_max[w])) {
			/* A word of untouched blocks alike: one step. */
			bend = z->base_pfn + (blk << MAX_ORDER);
			blk -= KMA_BITS_PER_WORD;
			if (z->free_max[w]) {
				if (top == PFN_NONE)
					top = bend;
				continue;
			}
			best = stretch_fit(bend, top, nr, align);
			top = PFN_NONE;
			continue;
		}
		blk--;
		bpfn = z->base_pfn + (blk << MAX_ORDER);
		bend = bpfn + BLOCK_FRAMES;
		if (!bit_test(z->inited, blk)) {
			if (bit_test(z->free_max, blk)) {	/* wholly free */
				if (top == PFN_NONE)
					top = bend;
				continue;
			}
			best = stretch_fit(bend, top, nr, align); /* unmanaged */
			top = PFN_NONE;
			continue;
		}
		/*
		 * A block in use: its pieces from the head up. The stretch
		 * at its bottom may go on below (first_end), the one at its
		 * top joins the stretch from above; in between, the highest
		 * stretch that holds the run wins.
		 */
		first_end = PFN_NONE;
		s = PFN_NONE;
		cand = PFN_NONE;
		for (p = bpfn; p < bend; p += 1ULL << o) {
			m = meta_get(z, p);
			o = m ? (m & META_ORDER_MASK) : 0;
			if (m && (m & META_KIND_MASK) == META_FREE) {
				if (s == PFN_NONE)
					s = p;
				continue;
			}
			if (s == bpfn) {
				first_end = p;
			} else if (s != PFN_NONE) {
				uint64_t fit = stretch_fit(s, p, nr, align);

				if (fit != PFN_NONE)
					cand = fit;
			}
			s = PFN_NONE;
		}
		whole = s == bpfn;
		if (s != PFN_NONE && !whole) {
			/* The top stretch, going on above. */
			best = stretch_fit(s, top == PFN_NONE ? bend : top, nr,
					   align);
		} else if (s == PFN_NONE) {
			best = stretch_fit(bend, top, nr, align);
		}
		if (best == PFN_NONE)
			best = cand;
		if (whole) {
			if (top == PFN_NONE)
				top = bend;
		} else {
			top = first_end;
		}
	}
	if (best == PFN_NONE)
		best = stretch_fit(top == PFN_NONE ? PFN_NONE : z->base_pfn,
				   top, nr, align);
	if (best == PFN_NONE)
		return PFN_NONE;
	/*
	 * Take every free block that overlaps [best, best + nr), from the
	 * head of the max-order block holding best (blocks never cross one).
	 */
	lo = hi = PFN_NONE;
	for (b = z->base_pfn + (pfn_block(z, best) << MAX_ORDER);
	     b < best + nr; b += 1ULL << o) {
		if (!((b - z->base_pfn) % BLOCK_FRAMES) && !block_inited(z, b)) {
			o = MAX_ORDER;
		} else {
			m = meta_get(z, b);
			o = m & META_ORDER_MASK;
		}
		if (b + (1ULL << o) <= best)
			continue;
		if (o == MAX_ORDER) {
			__free_max_take(z, pfn_block(z, b));
		} else {
			list_del(pfn_node(b));
			z->nr_free[o]--;
			meta_set(z, b, 0);
		}
		z->free_frames -= 1ULL << o;
		if (lo == PFN_NONE)
			lo = b;
		hi = b + (1ULL << o);
	}
	__run_mark(z, best, nr);
	__zone_free_range(z, lo, best);
	__zone_free_range(z, best + nr, hi);
	return best;
}

static uint64_t __run_alloc_small(struct frame_zone *z, uint64_t nr)
{
	unsigned int o = order_for(nr);
	uint64_t pfn;

	/*
	 * A large run whose length is not a power of two fits exactly where
	 * the scan finds room: a buddy block of the next power of two would
	 * leave a tail of up to half its size that smaller blocks then take,
	 * and those pin holes between multi-MiB runs until none fits.
	 */
	if (o >= RUN_HIGH_ORDER && (nr & (nr - 1))) {
		pfn = __run_alloc_scan(z, nr);
		if (pfn != PFN_NONE)
			return pfn;
	}
	pfn = o >= RUN_HIGH_ORDER ? __zone_alloc_placed(z, o, true) :
				    __zone_alloc(z, o, PFN_NONE);
	if (pfn == PFN_NONE)
		return __run_alloc_scan(z, nr);
	/* Give the tail back first: its pieces are then FREE, not RUN. */
	__zone_free_range(z, pfn + nr, pfn + (1ULL << o));
	__run_mark(z, pfn, nr);
	return pfn;
}

static uint64_t __run_alloc_large(struct frame_zone *z, uint64_t nr)
{
	uint64_t n = (nr + BLOCK_FRAMES - 1) / BLOCK_FRAMES, blk, i, pfn;

	blk = __free_max_find_run(z, n);
	if (blk == PFN_NONE)
		return __run_alloc_scan(z, nr);
	for (i = 0; i < n; i++)
		__free_max_take(z, blk + i);
	pfn = z->base_pfn + (blk << MAX_ORDER);
	z->free_frames -= n * BLOCK_FRAMES;
	__zone_free_range(z, pfn + nr, pfn + n * BLOCK_FRAMES);
	__run_mark(z, pfn, nr);
	return pfn;
}

/**
 * frame_zone_alloc_run - allocate @nr contiguous frames from @z.
 * @z: the zone.
 * @nr: number of frames, at least 1 (0 is reported).
 *
 * Up to 2^%FRAME_MAX_ORDER frames: below a quarter of a max-order block,
 * or of a power-of-two length, a buddy block of the next power of two
 * (tail given back); of other lengths, the top of the highest stretch of
 * free blocks in a row that holds it (__run_alloc_scan(), linear in the
 * number of blocks), rounded down to the run's alignment. Beyond: whole
 * free max-order blocks (the search is linear in the number of blocks);
 * the address is then 4 MiB aligned. When none of these finds room, the
 * scan. Whatever the path, the run is aligned to the largest power of
 * two that divides @nr, up to a max-order block (kmalloc_aligned()
 * relies on it).
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_zone_alloc_run(struct frame_zone *z, size_t nr)
{
	bool zero;

	return frame_zone_alloc_run_fresh(z, nr, &zero);
}

/**
 * frame_zone_alloc_run_fresh - frame_zone_alloc_run(), and whether the
 * run reads as zero.
 * @z: the zone.
 * @nr: number of frames, at least 1.
 * @zero: as for frame_zone_alloc_fresh().
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_zone_alloc_run_fresh(struct frame_zone *z, size_t nr,
				       bool *zero)
{
	unsigned long flags;
	uint64_t pfn;
	int tries;

	*zero = false;

	if (!nr) {
		mm_report(MM_ERR_BAD_SIZE, 0, 0, "frame_alloc_run: 0 frames");
		return FRAME_NONE;
	}
	if (nr > z->nr_frames)
		return FRAME_NONE;
	for (tries = 0; tries < 2; tries++) {
		flags = zone_lock_irqsave(z);
		pfn = nr <= BLOCK_FRAMES ? __run_alloc_small(z, nr) :
					   __run_alloc_large(z, nr);
		if (pfn != PFN_NONE)
			*zero = __zone_take(z, pfn, nr) &&
				PORT_FRESH_MEMORY_ZERO;
		zone_unlock_irqrestore(z, flags);
		if (pfn != PFN_NONE)
			return (phys_addr_t)pfn << FRAME_SHIFT;
		if (!zone_reclaim_caches(z))
			break;
	}
	return FRAME_NONE;
}

/**
 * run_mismatch - first frame where [@pfn, @pfn + @nr) stops looking like
 * one whole run: a piece without its RUN head (the first with
 * META_RUN_START), or, just past the end, a piece of the same run.
 * @z: the zone.
 * @pfn: first frame, inside the zone.
 * @nr: length, not past the zone's end.
 * @order: set to the order expected at the returned frame.
 *
 * Return: the frame number, or PFN_NONE if the range is exactly a run.
 */
uint64_t run_mismatch(struct frame_zone *z, uint64_t pfn, uint64_t nr,
		      unsigned int *order)
{
	uint8_t start = META_RUN_START;

	while (nr) {
		unsigned int o = piece_order(pfn, nr);

		*order = o;
		if (!block_inited(z, pfn) ||
		    meta_get(z, pfn) != (META_RUN | start | o))
			return pfn;
		start = 0;
		pfn += 1ULL << o;
		nr -= 1ULL << o;
	}
	*order = 0;
	if (pfn_in_zone(z, pfn) && block_inited(z, pfn) &&
	    (meta_get(z, pfn) & (META_KIND_MASK | META_RUN_START)) == META_RUN)
		return pfn;
	return PFN_NONE;
}

/**
 * frame_zone_free_run - give back a run from frame_zone_alloc_run().
 * @z: the zone.
 * @pa: its address.
 * @nr: the count it was allocated with.
 *
 * Checked whole before anything is freed: a wrong address or count is
 * reported and nothing changes.
 */
void frame_zone_free_run(struct frame_zone *z, phys_addr_t pa, size_t nr)
{
	uint64_t pfn = pa >> FRAME_SHIFT;
	unsigned long flags;
	unsigned int bad_order;

	flags = zone_lock_irqsave(z);
	if ((pa & (FRAME_SIZE - 1)) || !nr || !pfn_in_zone(z, pfn) ||
	    nr > z->nr_frames - (pfn - z->base_pfn) ||
	    run_mismatch(z, pfn, nr, &bad_order) != PFN_NONE) {
		__frame_report_bad_free(z, pa, nr, true);
	} else {
		uint64_t left = nr;

		while (left) {
			unsigned int o = piece_order(pfn, left);

			__zone_free_block(z, pfn, o);
			pfn += 1ULL << o;
			left -= 1ULL << o;
		}
	}
	zone_unlock_irqrestore(z, flags);
}

/* ------------------------------------------------------------ hot-add */

static int __add_check(struct frame_zone *z, phys_addr_t b, phys_addr_t e)
{
	const struct memmap_region *r;

	if (b >> FRAME_SHIFT < z->base_pfn ||
	    e >> FRAME_SHIFT > z->base_pfn + z->nr_frames) {
		mm_report(MM_ERR_BAD_MAP, (uintptr_t)b, e - b,
			  "frame_add_memory: [0x%llx-0x%llx) is outside the "
			  "span [0x%llx-0x%llx) sized at init",
			  (unsigned long long)b, (unsigned long long)e,
			  (unsigned long long)z->base_pfn << FRAME_SHIFT,
			  (unsigned long long)(z->base_pfn + z->nr_frames)
				  << FRAME_SHIFT);
		return -1;
	}
	for_each_memmap_region(&z->map, r) {
		if (r->base >= e || r->base + r->size <= b ||
		    r->type == MEMMAP_HOTPLUG)
			continue;
		mm_report(MM_ERR_BAD_MAP, (uintptr_t)b, r->type,
			  "frame_add_memory: [0x%llx-0x%llx) overlaps %s "
			  "memory at 0x%llx", (unsigned long long)b,
			  (unsigned long long)e, memmap_type_name(r->type),
			  (unsigned long long)r->base);
		return -1;
	}
	return 0;
}

/**
 * frame_zone_add_memory - hand more memory to @z after creation.
 * @z: the zone.
 * @base: first byte, rounded up to a frame.
 * @size: length, end rounded down to a frame.
 *
 * See frame_add_memory().
 *
 * Return: 0, or -1 (reported).
 */
int frame_zone_add_memory(struct frame_zone *z, phys_addr_t base,
			  uint64_t size)
{
	phys_addr_t b, e;
	unsigned long flags;
	int ret = -1;

	if (base > ~(phys_addr_t)0 - (FRAME_SIZE - 1) ||
	    size > ~(phys_addr_t)0 - base)
		b = e = 0;
	else {
		b = align_up(base, FRAME_SIZE);
		e = (base + size) & ~(phys_addr_t)(FRAME_SIZE - 1);
	}
	if (e <= b) {
		mm_report(MM_ERR_BAD_MAP, (uintptr_t)base, size,
			  "frame_add_memory: 0x%llx+0x%llx holds no whole "
			  "frame", (unsigned long long)base,
			  (unsigned long long)size);
		return -1;
	}
	flags = zone_lock_irqsave(z);
	if (!__add_check(z, b, e) &&
	    !memmap_set_range(&z->map, b, e - b, MEMMAP_USABLE)) {
		__zone_add_range(z, b >> FRAME_SHIFT, e >> FRAME_SHIFT);
		ret = 0;
	}
	zone_unlock_irqrestore(z, flags);
	return ret;
}

/* ------------------------------------------------------------ global */

/**
 * frame_init - bring up the global frame allocator from a sanitized map.
 * @m: the map (metadata is carved from it and marked in it).
 *
 * Return: 0, or -1 (reported) if there is no memory for the metadata or
 * the allocator was already initialised.
 */
int frame_init(struct memmap *m)
{
	struct frame_zone *z;

	if (frame_global) {
		mm_report(MM_ERR_BAD_MAP, 0, 0,
			  "frame_init: already initialised");
		return -1;
	}
	z = frame_zone_create(m);
	if (!z)
		return -1;
	__atomic_store_n(&frame_global, z, __ATOMIC_RELEASE);
	return 0;
}

uint64_t frame_release_free(unsigned int min_order)
{
#ifdef PORT_MEM_RELEASE_NONE
	(void)min_order;
	return 0;
#else
	struct frame_zone *z = frame_global_zone();
	uint64_t done = 0, w, blk;
	kma_bitword_t m;
	struct frame_node *h, *n;
	unsigned long flags;
	unsigned int o;

	if (!z)
		return 0;
	flags = zone_lock_irqsave(z);
	for (o = min_order ? min_order : 1; o < MAX_ORDER; o++) {
		h = &z->free_list[o];
		for (n = h->next; n != h; n = n->next) {
			if (!__list_node_ok(z, n, o))
				break;
			port_mem_release((char *)n + FRAME_SIZE,
					 ((1UL << o) - 1) * FRAME_SIZE);
			done += ((1ULL << o) - 1) * FRAME_SIZE;
		}
	}
	/* Free max-order blocks hold nothing in their pages. */
	for (w = z->max_hint; w < z->nr_words; w++) {
		for (m = z->free_max[w]; m; m &= m - 1) {
			blk = w * KMA_BITS_PER_WORD + kma_ctz(m);
			if (blk >= z->nr_blocks)
				break;
			port_mem_release(pfn_node(z->base_pfn +
						  (blk << MAX_ORDER)),
					 FRAME_SIZE << MAX_ORDER);
			done += FRAME_SIZE << MAX_ORDER;
		}
	}
	zone_unlock_irqrestore(z, flags);
	return done;
#endif
}

/**
 * frame_global_zone - the global zone, or NULL before frame_init().
 */
struct frame_zone *frame_global_zone(void)
{
	return __atomic_load_n(&frame_global, __ATOMIC_ACQUIRE);
}

/**
 * frame_ready - whether frame_init() has succeeded.
 */
bool frame_ready(void)
{
	return frame_global_zone() != NULL;
}

/**
 * frame_alloc - allocate 2^@order frames from the global allocator.
 * @order: 0 .. %FRAME_MAX_ORDER.
 *
 * Return: physical address, or %FRAME_NONE (also before frame_init()).
 */
phys_addr_t frame_alloc(unsigned int order)
{
	struct frame_zone *z = frame_global_zone();

	return z ? frame_zone_alloc(z, order) : FRAME_NONE;
}

/**
 * frame_alloc_fresh - global frame_zone_alloc_fresh().
 * @order: 0 .. %FRAME_MAX_ORDER.
 * @zero: set to true if the block is known to read as zero.
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_alloc_fresh(unsigned int order, bool *zero)
{
	struct frame_zone *z = frame_global_zone();

	*zero = false;
	return z ? frame_zone_alloc_fresh(z, order, zero) : FRAME_NONE;
}

/**
 * frame_alloc_below - global frame_zone_alloc_below().
 * @order: 0 .. %FRAME_MAX_ORDER.
 * @limit: the block ends at or below this address.
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_alloc_below(unsigned int order, phys_addr_t limit)
{
	struct frame_zone *z = frame_global_zone();

	return z ? frame_zone_alloc_below(z, order, limit) : FRAME_NONE;
}

static struct frame_zone *frame_zone_for_free(phys_addr_t pa)
{
	struct frame_zone *z = frame_global_zone();

	if (!z)
		mm_report(MM_ERR_INVALID_FREE, (uintptr_t)pa, 0,
			  "frame_free(0x%llx): the frame allocator is not "
			  "initialised", (unsigned long long)pa);
	return z;
}

/**
 * frame_free - give back a block to the global allocator.
 * @pa: its address.
 * @order: its order.
 */
void frame_free(phys_addr_t pa, unsigned int order)
{
	struct frame_zone *z = frame_zone_for_free(pa);

	if (z)
		frame_zone_free(z, pa, order);
}

/**
 * frame_alloc_run - global frame_zone_alloc_run().
 * @nr: frames.
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_alloc_run(size_t nr)
{
	struct frame_zone *z = frame_global_zone();

	return z ? frame_zone_alloc_run(z, nr) : FRAME_NONE;
}

/**
 * frame_alloc_run_fresh - global frame_zone_alloc_run_fresh().
 * @nr: frames.
 * @zero: set to true if the run is known to read as zero.
 *
 * Return: physical address, or %FRAME_NONE.
 */
phys_addr_t frame_alloc_run_fresh(size_t nr, bool *zero)
{
	struct frame_zone *z = frame_global_zone();

	*zero = false;
	return z ? frame_zone_alloc_run_fresh(z, nr, zero) : FRAME_NONE;
}

/**
 * frame_free_run - global frame_zone_free_run().
 * @pa: the run's address.
 * @nr: its length.
 */
void frame_free_run(phys_addr_t pa, size_t nr)
{
	struct frame_zone *z = frame_zone_for_free(pa);

	if (z)
		frame_zone_free_run(z, pa, nr);
}

/**
 * frame_add_memory - global frame_zone_add_memory().
 * @base: first byte.
 * @size: length.
 *
 * Return: 0 or -1.
 */
int frame_add_memory(phys_addr_t base, uint64_t size)
{
	struct frame_zone *z = frame_global_zone();

	if (!z) {
		mm_report(MM_ERR_BAD_MAP, (uintptr_t)base, size,
			  "frame_add_memory: the frame allocator is not "
			  "initialised");
		return -1;
	}
	return frame_zone_add_memory(z, base, size);
}

/**
 * frame_drain_cpu - drain @cpu's cache of the global allocator.
 * @cpu: a CPU not running the allocator, or the caller.
 */
void frame_drain_cpu(unsigned int cpu)
{
	struct frame_zone *z = frame_global_zone();

	if (z)
		frame_zone_drain_cpu(z, cpu);
}

/**
 * frame_drain_all - drain every CPU cache of the global allocator.
 */
void frame_drain_all(void)
{
	struct frame_zone *z = frame_global_zone();

	if (z)
		frame_zone_drain_all(z);
}

/**
 * frame_get_stats - counters of the global allocator (zeros before init).
 * @st: filled in.
 */
void frame_get_stats(struct frame_stats *st)
{
	struct frame_zone *z = frame_global_zone();

	if (z) {
		frame_zone_get_stats(z, st);
		return;
	}
	zero_words(st, sizeof(*st));
}

/**
 * frame_dump - print the global allocator's counts.
 */
void frame_dump(void)
{
	struct frame_zone *z = frame_global_zone();

	if (z)
		frame_zone_dump(z);
	else
		mm_printf("frame: not initialised\n");
}

/**
 * frame_validate - check the global allocator's invariants.
 *
 * Return: problems found (0 before init).
 */
unsigned int frame_validate(void)
{
	struct frame_zone *z = frame_global_zone();

	return z ? frame_zone_validate(z) : 0;
}

/**
 * frame_lock_all - take every lock of the global allocator, in lock order
 * (each CPU cache's lock, then the zone's); used around fork() by the
 * host's drop-in malloc. Pair with frame_unlock_all() in the parent and
 * frame_fork_child() in the child.
 */
void frame_lock_all(void)
{
	struct frame_zone *z = frame_global_zone();
	unsigned int cpu;

	if (!z)
		return;
	for (cpu = 0; cpu < z->nr_cpus; cpu++)
		spin_lock(&z->pcp[cpu].lock);
	spin_lock(&z->lock);
}

/**
 * frame_unlock_all - release what frame_lock_all() took.
 */
void frame_unlock_all(void)
{
	struct frame_zone *z = frame_global_zone();
	unsigned int cpu;

	if (!z)
		return;
	spin_unlock(&z->lock);
	for (cpu = z->nr_cpus; cpu--;)
		spin_unlock(&z->pcp[cpu].lock);
}

/**
 * frame_fork_child - in a child of fork(), made while frame_lock_all()
 * was held: start every lock afresh. Threads of the parent that were
 * waiting hold tickets nobody in the child will ever serve, so releasing
 * the locks one by one is not enough.
 */
void frame_fork_child(void)
{
	struct frame_zone *z = frame_global_zone();
	unsigned int cpu;

	if (!z)
		return;
	spin_lock_init_rank(&z->lock, "frame_zone", KMA_LOCK_RANK_FRAME_ZONE);
	for (cpu = 0; cpu < z->nr_cpus; cpu++)
		spin_lock_init_rank(&z->pcp[cpu].lock, "frame_pcp",
				    KMA_LOCK_RANK_FRAME_PCP);
}
