// SPDX-License-Identifier: MIT
/*
 * heap_fuzz.c - libFuzzer harness for the object heap against a shadow
 * model (make fuzz; make test replays fuzz/corpus/heap/).
 *
 * The input is a program of operations on 64 slots: kmalloc, kzalloc,
 * kmalloc_aligned, krealloc and kfree with sizes and alignments from the
 * input (every class, large and huge objects, alignments up to 2 MiB),
 * and a quiesce, and object caches: up to 4 per input, made on first use
 * with a size, alignment and (or not) a constructor from the input,
 * allocated from and freed to (kmem_cache_free() or kfree()), and
 * destroyed at the end of the input. A constructor cache's objects must
 * come constructed (the harness puts the pattern back before each free,
 * as the contract asks). The operations run on 4 simulated CPUs: the
 * harness's thread holds 4 CPU slots of the host port and becomes one or
 * another (host_cpu_become()) when the input says so, so objects are
 * freed on other CPUs than the ones that allocated them, each CPU with
 * its own caches; at the end of an input every CPU's caches are drained.
 * The shadow keeps each live object's size and fill byte.
 * Checked after every operation: alignment (8 or 16 bytes, or the asked
 * one), ksize() at least the size, kzalloc's zeroes, the contents of an
 * object intact until its free (and across krealloc up to the smaller
 * size), no two live objects overlapping. At the end of an input every
 * object is freed and, after a quiesce, every frame is back (exact
 * accounting); the validators run after every 64th input (walking
 * every frame, they would set the pace). Any misuse report aborts (the
 * host port's default), which libFuzzer records as a crash.
 *
 * Pages the heap releases stay resident (host_mem_keep_released()): the
 * heap makes the same calls, but without it every input's quiesce gave
 * the freed memory back with madvise() and the next input faulted it in
 * again page by page, which set the pace (225 inputs per second). Then
 * the memset of kzalloc() did (58% of the instructions, 4 MB per call on
 * average: released pages kept resident are never fresh): above 64 KiB
 * only one in eight of the kzalloc() asks stays one, the others become
 * kmalloc().
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <kma_host.h>
#include <kma/kmalloc.h>
#include <kma/slab.h>
#include <kma/frame.h>
#include <kma/port.h>
#include "test_mm.h"

#define SLOTS	64
#define CACHES	4
#define CPUS	4
#define CTOR_BYTE	0xc3
/* kzalloc() above this many bytes: one in eight of the inputs' asks. */
#define ZERO_BIG	(64u << 10)

struct shadow {
	unsigned char *p;
	size_t size;
	unsigned char fill;
	int cache;		/* the object cache it came from, or -1 */
};

static struct shadow slot[SLOTS];
static unsigned int cpu_ids[CPUS], ncpus;
static struct kma_kmem_cache *cache[CACHES];
static size_t cache_size[CACHES];
static bool cache_ctor[CACHES];
static size_t cache_align[CACHES];

/* The constructors: every byte of the object, one per cache. */
static void ctor0(void *p) { memset(p, CTOR_BYTE, cache_size[0]); }
static void ctor1(void *p) { memset(p, CTOR_BYTE, cache_size[1]); }
static void ctor2(void *p) { memset(p, CTOR_BYTE, cache_size[2]); }
static void ctor3(void *p) { memset(p, CTOR_BYTE, cache_size[3]); }
static void (*const ctors[CACHES])(void *) = { ctor0, ctor1, ctor2, ctor3 };
static uint64_t base_free, inputs;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int i;

	(void)argc;
	(void)argv;
	if (kma_host_init(48u << 20))
		abort();
	host_mem_keep_released(true);
	cpu_ids[ncpus++] = port_cpu_id();
	while (ncpus < CPUS) {
		int c = host_cpu_claim_extra();

		if (c < 0)
			abort();
		cpu_ids[ncpus++] = (unsigned int)c;
	}
	base_free = test_mm_free_frames();
	for (i = 0; i < SLOTS; i++)
		slot[i].cache = -1;
	return 0;
}

static void die(const char *what, int i)
{
	fprintf(stderr, "heap_fuzz: slot %d: %s\n", i, what);
	abort();
}

/* Sizes: mostly small, sometimes large, rarely huge. */
static size_t size_of(const uint8_t *b)
{
	unsigned int v = (unsigned int)b[0] | (unsigned int)b[1] << 8;
	size_t n;

	switch (b[2] & 7) {
	case 0:
		n = (v & 0xff) + 1;
		break;
	case 1: case 2: case 3:
		n = (v & 0x7fff) + 1;			/* up to 32 KiB */
		break;
	case 4: case 5:
		n = ((size_t)v << 4) + 1;		/* up to 1 MiB */
		break;
	case 6:
		n = ((size_t)(v & 0x3ff) << 12) + (b[2] >> 3);	/* 4 MiB */
		break;
	default:
		n = (size_t)(b[2] >> 3) << 18 | (v & 0xfff);	/* 8 MiB */
		break;
	}
	return n ? n : 1;
}

static void check_live(int i)
{
	struct shadow *s = &slot[i];
	size_t k, step = s->size > 4096 ? s->size / 64 : 1;

	if (!s->p)
		return;
	for (k = 0; k < s->size; k += step)
		if (s->p[k] != s->fill)
			die("contents changed", i);
	if (s->p[s->size - 1] != s->fill)
		die("last byte changed", i);
}

/* Every byte of small objects; of larger ones, the bytes check_live()
 * reads (a stride of a 64th, and the last). */
static void fill(int i)
{
	struct shadow *s = &slot[i];
	size_t k, step = s->size > 4096 ? s->size / 64 : 1;

	for (k = 0; k < s->size; k += step)
		s->p[k] = s->fill;
	s->p[s->size - 1] = s->fill;
}

static void check_new(int i, size_t align)
{
	struct shadow *s = &slot[i];
	uintptr_t a = (uintptr_t)s->p;
	int j;

	if (a % (align > 8 ? align : 8))
		die("misaligned", i);
	/* kmalloc()'s rule; a cache's objects have its own alignment. */
	if (s->cache < 0 && s->size >= 16 && align <= 16 && a % 16)
		die("not 16-byte aligned", i);
	if (ksize(s->p) < s->size)
		die("ksize below the size", i);
	for (j = 0; j < SLOTS; j++) {
		uintptr_t b = (uintptr_t)slot[j].p;

		if (j == i || !b)
			continue;
		if (a < b + slot[j].size && b < a + s->size)
			die("overlaps another live object", i);
	}
}

static void drop(int i)
{
	struct shadow *s = &slot[i];

	check_live(i);
	if (s->cache >= 0 && cache_ctor[s->cache])
		memset(s->p, CTOR_BYTE, s->size);	/* constructed again */
	if (s->cache >= 0 && !(s->fill & 2))
		kma_kmem_cache_free(cache[s->cache], s->p);
	else
		kfree(s->p);
	s->p = NULL;
	s->cache = -1;
}

/*
 * An object from cache @c (made on first use from @b: a size up to
 * 32 KiB, an alignment up to 4 KiB, a constructor or not) into slot @i,
 * filled with @fill (whose bit 1 picks kfree() for its free).
 */
static void cache_alloc(int i, unsigned int c, const uint8_t *b,
			unsigned char fillb)
{
	struct shadow *s = &slot[i];
	size_t k;

	if (!cache[c]) {
		cache_size[c] = ((size_t)b[0] | (size_t)(b[1] & 0x3f) << 8) *
				(b[1] & 0x20 ? 1 : 2) % 32768 + 1;
		cache_align[c] = b[1] & 0x80 ? (size_t)1 << (b[0] % 13) : 0;
		cache_ctor[c] = b[1] & 0x40;
		cache[c] = kma_kmem_cache_create("fuzz", cache_size[c],
						 cache_align[c], 0,
						 cache_ctor[c] ? ctors[c] : NULL);
		if (!cache[c])
			die("kmem_cache_create failed", i);
	}
	s->p = kma_kmem_cache_alloc(cache[c], GFP_KERNEL);
	if (!s->p)
		return;
	s->size = cache_size[c];
	s->cache = (int)c;
	if (cache_ctor[c])
		for (k = 0; k < s->size; k++)
			if (s->p[k] != CTOR_BYTE)
				die("object of a constructor cache not "
				    "constructed", i);
	if (kma_kmem_cache_size(cache[c]) < s->size)
		die("kmem_cache_size below the size", i);
	check_new(i, cache_align[c]);
	s->fill = fillb | 1;
	fill(i);
}

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);
int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	size_t pos = 0, k;
	int i;

	while (pos + 4 <= n) {
		const uint8_t *op = d + pos;
		struct shadow *s;
		size_t size, align;
		unsigned char *q;
		bool zero;

		pos += 4;
		i = op[0] % SLOTS;
		s = &slot[i];
		switch ((op[0] >> 6) & 3) {
		case 0:				/* kmalloc or kzalloc */
			if (s->p)
				drop(i);
			size = size_of(op + 1);
			zero = (op[3] & 1) &&
			       (size <= ZERO_BIG || !(op[3] & 0x0e));
			s->p = zero ? kzalloc(size, GFP_KERNEL) :
				      kmalloc(size, GFP_KERNEL);
			if (!s->p)
				break;		/* out of memory is allowed */
			s->size = size;
			if (zero)
				for (k = 0; k < size; k += size > 4096 ? 509 : 1)
					if (s->p[k])
						die("kzalloc not zero", i);
			check_new(i, 8);
			s->fill = op[1] | 1;
			fill(i);
			break;
		case 1:				/* kmalloc_aligned */
			if (s->p)
				drop(i);
			size = size_of(op + 1);
			align = (size_t)1 << (op[3] % 22);	/* to 2 MiB */
			s->p = kmalloc_aligned(size, align, GFP_KERNEL);
			if (!s->p)
				break;
			s->size = size;
			check_new(i, align);
			s->fill = op[2] | 1;
			fill(i);
			break;
		case 2:				/* krealloc */
			if (!s->p || s->cache >= 0)
				break;
			check_live(i);
			size = size_of(op + 1);
			q = krealloc(s->p, size, GFP_KERNEL);
			if (!q)
				break;		/* the old object stays */
			for (k = 0; k < (size < s->size ? size : s->size);
			     k += s->size > 4096 ? s->size / 64 : 1)
				if (q[k] != s->fill)
					die("krealloc lost contents", i);
			s->p = q;
			s->size = size;
			check_new(i, 8);
			fill(i);
			break;
		default:		/* kfree, quiesce, or an object cache */
			if (s->p)
				drop(i);
			else if (op[1] == 0xff)
				(void)test_mm_free_frames();
			else if (op[1] == 0xfe)	/* another CPU */
				host_cpu_become(cpu_ids[op[2] % CPUS]);
			else if (op[1] & 0x80)
				cache_alloc(i, op[1] % CACHES, op + 2, op[1]);
			break;
		}
	}
	for (i = 0; i < SLOTS; i++)
		if (slot[i].p)
			drop(i);
	/* Every CPU's caches back to the shared lists, on CPU 0 after. */
	for (i = 0; i < CPUS; i++) {
		host_cpu_become(cpu_ids[i]);
		kmalloc_drain_cpu(cpu_ids[i]);
	}
	host_cpu_become(cpu_ids[0]);
	for (i = 0; i < CACHES; i++) {
		if (cache[i] && kma_kmem_cache_destroy(cache[i]))
			die("kmem_cache_destroy with every object freed", i);
		cache[i] = NULL;
	}
	/* The validators walk every frame: every 64th input (the first
	 * included, so a replay of one input runs them). */
	if (!(inputs++ & 63) && (kmalloc_validate() || frame_validate()))
		die("validator", -1);
	if (test_mm_free_frames() != base_free)
		die("frames not all back after freeing everything", -1);
	return 0;
}
