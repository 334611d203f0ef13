// SPDX-License-Identifier: MIT
/*
 * debug.c - the debug mode of the object heap: a quarantine that delays
 * the reuse of freed small objects, poisoning of freed objects checked
 * when they leave the quarantine, and zeroing on allocation or on free.
 * Chosen at boot (kma.debug= on a kernel command line, KMA_DEBUG= in the
 * host's environment: kmalloc_parse_debug()) or at run time
 * (kmalloc_set_debug()).
 *
 * Owns: kma_debug_flags (read-mostly; relaxed loads on slow paths), the
 * quarantine ring and its counters (qlock), and the frames of the ring.
 *
 * Nothing on the fast paths: while debug is on, every CPU's object
 * caches have a capacity of 0 (cache_drain() and cache_attach() set it,
 * and kmalloc_set_debug() has every CPU drain), so every kmalloc() finds
 * its cache empty and every kfree() finds it full, and both take their
 * slow paths, which divert here (cache_alloc_slow() -> debug_alloc(),
 * cache_free_slow() -> debug_free()). Allocations take one slot at a time
 * from this CPU's span of the class; frees go to the quarantine, a FIFO
 * ring of at most qbudget bytes (and QUARANTINE_MAX entries), and leave
 * it oldest first, back to their spans. A freed object keeps its tag in
 * the quarantine, so a second free of it is a double free however long
 * ago the first was, as long as it is still there: which is what catches
 * a stale pointer freed again after its memory would otherwise have gone
 * to another class. The ring also keeps each free's site (the caller's
 * return address) and CPU, which the reports print.
 *
 * Poisoning: a freed object's bytes past its tag word are set to
 * DEBUG_POISON; leaving the quarantine they must still be, or the write
 * after free is reported (MM_ERR_CORRUPT, with the free site) and the
 * object is left out, never handed out again. Objects of a constructor
 * cache are neither poisoned nor zeroed: they must stay constructed.
 * Tiny pieces are not made while debug is on (GFP_NOSCAN requests get
 * ordinary objects); large and huge objects are not quarantined.
 *
 * Locking: qlock, taken with interrupts off, nests inside nothing and
 * holds no other lock; objects leave the ring under it and go back to
 * their spans after it is dropped.
 */
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "heap.h"

#define DEBUG_POISON		0x6b
#define DEBUG_REDZONE		0xcc
#define REDZONE_MIN		8	/* bytes at least, when a class fits */
#define QUARANTINE_MAX		(1u << 16)	/* entries */
#define QUARANTINE_DEFAULT	(1u << 20)	/* bytes */
#define RELEASE_BATCH		8u

struct qentry {
	uintptr_t va;
	uintptr_t site;			/* the free's caller */
	uint16_t spc;
	uint16_t cpu;
	uint32_t poisoned;
};

/*
 * struct obj_debug - what the debug mode keeps of one slot (redzone,
 * track), in an array per span made by the span's owner on first need
 * and given back with the span (debug_span_free()).
 * @req: bytes the caller asked for; the slot's bytes from @req on are
 *       the redzone (0: no redzone, the whole slot is the object).
 */
struct obj_debug {
	uintptr_t alloc_site;
	uintptr_t free_site;
	uint32_t req;
	uint16_t alloc_cpu;
	uint16_t free_cpu;
};

unsigned int kma_debug_flags;
uintptr_t debug_free_site[PORT_MAX_CPUS];	/* own CPU, irqs off */
static uintptr_t debug_alloc_site[PORT_MAX_CPUS];	/* own CPU, irqs off */
static uint32_t debug_alloc_req[PORT_MAX_CPUS];	/* own CPU, irqs off */
uint64_t debug_released;			/* statistics, qlock */
unsigned long debug_corrupt;		/* statistics, atomic */

static spinlock_t qlock = SPINLOCK_INIT_RANK("kma-quarantine",
					     KMA_LOCK_RANK_LEAF);
static struct qentry *qring;		/* QUARANTINE_MAX entries */
static uint32_t qhead, qcount;		/* oldest entry, entries held */
static uint64_t qbytes, qbudget = QUARANTINE_DEFAULT;
static size_t qring_frames;

static bool kcache_constructs(unsigned int spc)
{
	return spc >= SPC_KCACHE && kcache_of(spc)->save_off;
}

static size_t dbg_frames(const struct span *s)
{
	return ((size_t)s->nobjs * sizeof(struct obj_debug) + FRAME_SIZE - 1) /
	       FRAME_SIZE;
}

/*
 * @s's records, made (zeroed) when @make and none exist yet; NULL without
 * them. Made only by the span's owner, published with release.
 */
static struct obj_debug *span_dbg(struct span *s, bool make)
{
	struct obj_debug *d = __atomic_load_n(&s->dbg, __ATOMIC_ACQUIRE);
	phys_addr_t pa;

	if (d || !make)
		return d;
	pa = mm_fault(MM_FAULT_DEBUG) ? FRAME_NONE :
					 frame_alloc_run(dbg_frames(s));
	if (pa == FRAME_NONE)
		return NULL;		/* this span goes untracked */
	d = port_phys_to_virt(pa);
	mm_memset(d, 0, dbg_frames(s) * FRAME_SIZE);
	__atomic_store_n(&s->dbg, d, __ATOMIC_RELEASE);
	return d;
}

/**
 * debug_span_free - a span leaves its class: its records go back.
 * @s: the span (nobody else reaches it).
 */
void debug_span_free(struct span *s)
{
	struct obj_debug *d = s->dbg;

	if (!d)
		return;
	s->dbg = NULL;
	frame_free_run(port_virt_to_phys(d), dbg_frames(s));
}

/* @va's record in its span @s, or NULL. */
static struct obj_debug *obj_dbg(struct span *s, uintptr_t va)
{
	struct obj_debug *d = s ? span_dbg(s, false) : NULL;
	int32_t idx;

	if (!d)
		return NULL;
	idx = span_obj_index(s, va);
	return idx >= 0 && (uint32_t)idx < s->nobjs ? &d[idx] : NULL;
}

/**
 * debug_obj_size - the size asked for @va, when the debug mode's redzone
 * follows it (ksize() then gives that), else 0.
 * @s: @va's span. @va: a live object.
 */
size_t debug_obj_size(const struct span *s, uintptr_t va)
{
	const struct obj_debug *e = obj_dbg((struct span *)s, va);

	return e ? e->req : 0;
}

/* " (allocated by X on cpu N)" for @va's reports, or "". */
static void describe(struct span *s, uintptr_t va, char *buf, size_t len)
{
	const struct obj_debug *e = obj_dbg(s, va);

	buf[0] = '\0';
	if (e && e->alloc_site)
		mm_snprintf(buf, len, "; allocated by %p on cpu %u",
			    (void *)e->alloc_site, e->alloc_cpu);
}

/*
 * Whether @p's bytes [@req, @size) all hold the redzone pattern: bytes up
 * to a word boundary, then words (@size is a multiple of 8).
 */
static bool redzone_intact(const uint8_t *p, uint32_t req, uint32_t size)
{
	const obj_word_t rz = (obj_word_t)0x0101010101010101ULL *
			      DEBUG_REDZONE;
	uint32_t i = req;

	for (; i < size && i % sizeof(obj_word_t); i++)
		if (p[i] != DEBUG_REDZONE)
			return false;
	for (; i < size; i += sizeof(obj_word_t))
		if (*(const obj_word_t *)(p + i) != rz)
			return false;
	return true;
}

/**
 * debug_kmalloc - kmalloc() of a small object while the debug mode is on:
 * with a redzone, from a class that leaves at least REDZONE_MIN bytes
 * after the object (twice the size for a power of two up to a page, which
 * keeps its natural alignment); the size asked and the caller kept.
 * @size: 1 .. SC_MAX_SIZE.
 * @site: the caller.
 *
 * Return: the object, or NULL.
 */
void *debug_kmalloc(size_t size, uintptr_t site)
{
	size_t need = size;
	unsigned long irq;
	unsigned int cpu;
	void *p;

	if (READ_ONCE(kma_debug_flags) & KMA_DEBUG_REDZONE) {
		need = size + REDZONE_MIN;
		if (!(size & (size - 1)) && size >= REDZONE_MIN &&
		    size <= PAGE_SIZE)
			need = 2 * size;
		if (need > SC_MAX_SIZE)
			need = size;		/* no class has the room */
	}
	irq = port_irq_save();
	cpu = port_cpu_id();
	debug_alloc_req[cpu] = (uint32_t)size;
	debug_alloc_site[cpu] = site;
	p = cache_alloc_slow(sc_of_size(need), cpu);
	debug_alloc_req[cpu] = 0;
	debug_alloc_site[cpu] = 0;
	port_irq_restore(irq);
	return p;
}

/**
 * debug_alloc - an object of class @spc while debug is on: one slot from
 * this CPU's span of the class (the cache holds nothing).
 * @spc: span class.
 * @cpu: the calling CPU, interrupts off.
 *
 * Return: the object (its tag cleared; zeroed with init_on_alloc), or
 * NULL when out of memory.
 */
void *debug_alloc(unsigned int spc, unsigned int cpu)
{
	struct cpu_cache *c = cpu_cache_of(cpu);
	uint32_t size = spc_size(spc), req = debug_alloc_req[cpu];
	struct obj_debug *d;
	bool pressed = false;
	unsigned int flags;
	struct span *s;
	void *p;

	if (spc >= SPC_KCACHE && __atomic_load_n(&kcache_of(spc)->state,
						 __ATOMIC_ACQUIRE) != KCACHE_LIVE)
		return NULL;
	while (!(s = cache_span(c, spc, cpu))) {
		if (pressed)
			return NULL;
		kmalloc_pressure((size_t)spc_pages(spc) * PAGE_SIZE);
		pressed = true;
	}
	span_take_batch(s, &p, 1);
	*(obj_word_t *)p = 0;
	flags = READ_ONCE(kma_debug_flags);
	if ((flags & KMA_DEBUG_INIT_ON_ALLOC) && !kcache_constructs(spc))
		mm_memset(p, 0, size);
	if ((flags & (KMA_DEBUG_TRACK | KMA_DEBUG_REDZONE)) &&
	    (d = span_dbg(s, true))) {
		struct obj_debug *e = &d[span_obj_index(s, (uintptr_t)p)];

		e->alloc_site = debug_alloc_site[cpu];
		e->alloc_cpu = (uint16_t)cpu;
		e->free_site = 0;
		e->free_cpu = 0;
		e->req = 0;
		if ((flags & KMA_DEBUG_REDZONE) && req && req < size) {
			e->req = req;
			mm_memset((char *)p + req, DEBUG_REDZONE, size - req);
		}
	}
	return p;
}

/*
 * Whether @p's bytes past its tag word all hold the poison, a word at a
 * time (objects are 8-byte aligned, their sizes multiples of 8).
 */
static bool poison_intact(const uint8_t *p, uint32_t size)
{
	const obj_word_t *w = (const obj_word_t *)p;
	const obj_word_t poison = (obj_word_t)0x0101010101010101ULL *
				  DEBUG_POISON;
	uint32_t i;

	for (i = 1; i < size / sizeof(obj_word_t); i++)
		if (w[i] != poison)
			return false;
	return true;
}

/* Objects that left the ring: check, then back to their spans. */
static void release(struct qentry *q, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		uintptr_t va = q[i].va;
		struct span *s = span_of(va);

		if (q[i].poisoned && !poison_intact((const uint8_t *)va,
						    spc_size(q[i].spc))) {
			char what[160], alloc[64];

			describe(s, va, alloc, sizeof(alloc));
			mm_snprintf(what, sizeof(what), "written after its "
				    "free (freed by %p on cpu %u%s); left out",
				    (void *)q[i].site, q[i].cpu, alloc);
			kmalloc_report_obj(MM_ERR_CORRUPT, "kfree", va, s, what);
			__atomic_fetch_add(&debug_corrupt, 1, __ATOMIC_RELAXED);
			continue;
		}
		span_free_obj(s, va);
	}
}

/*
 * Take up to RELEASE_BATCH of the oldest entries off the ring while it
 * is over its budget (or @all), into @out. qlock held.
 */
static unsigned int __evict(struct qentry *out, bool all)
{
	unsigned int n = 0;

	lockdep_assert_held(&qlock);
	while (qcount && n < RELEASE_BATCH &&
	       (all || qbytes > qbudget || qcount == QUARANTINE_MAX)) {
		struct qentry *e = &qring[qhead];

		out[n++] = *e;
		qbytes -= spc_size(e->spc);
		qhead = (qhead + 1) % QUARANTINE_MAX;
		qcount--;
		debug_released++;
	}
	return n;
}

/**
 * debug_free - free @p of class @spc while debug is on: tag it, poison
 * or zero it, and put it in the quarantine (or straight back to its span
 * without one).
 * @spc: span class.
 * @cpu: the calling CPU, interrupts off.
 * @p: a live object of the class, checked by the caller (a constructor
 *     cache's first word already kept).
 */
void debug_free(unsigned int spc, unsigned int cpu, void *p)
{
	unsigned int flags = READ_ONCE(kma_debug_flags), n;
	struct qentry out[RELEASE_BATCH], e = {
		.va = (uintptr_t)p, .site = debug_free_site[cpu],
		.spc = (uint16_t)spc, .cpu = (uint16_t)cpu,
	};
	uint32_t size = spc_size(spc);
	struct span *s = span_of((uintptr_t)p);
	struct obj_debug *o = obj_dbg(s, (uintptr_t)p);

	debug_free_site[cpu] = 0;
	if (o && o->req && !redzone_intact(p, o->req, size)) {
		char what[128];

		mm_snprintf(what, sizeof(what), "written past its end (%u "
			    "bytes asked, slot %u; allocated by %p on cpu %u)",
			    (unsigned int)o->req, (unsigned int)size,
			    (void *)o->alloc_site, (unsigned int)o->alloc_cpu);
		kmalloc_report_obj(MM_ERR_CORRUPT, "kfree", (uintptr_t)p, s,
				   what);
	}
	if (o) {
		o->free_site = e.site;
		o->free_cpu = (uint16_t)cpu;
	}
	obj_tag_set(p, OBJ_FREED);
	if (!kcache_constructs(spc) && size > sizeof(obj_word_t)) {
		if (flags & KMA_DEBUG_POISON) {
			mm_memset((char *)p + sizeof(obj_word_t), DEBUG_POISON,
				  size - sizeof(obj_word_t));
			e.poisoned = 1;
		} else if (flags & KMA_DEBUG_INIT_ON_FREE) {
			mm_memset((char *)p + sizeof(obj_word_t), 0,
				  size - sizeof(obj_word_t));
		}
	}
	spin_lock(&qlock);
	if (!(flags & KMA_DEBUG_QUARANTINE) || !qring) {
		spin_unlock(&qlock);
		release(&e, 1);
		return;
	}
	qring[(qhead + qcount) % QUARANTINE_MAX] = e;
	qcount++;
	qbytes += size;
	n = __evict(out, false);
	spin_unlock(&qlock);
	release(out, n);
}

/**
 * debug_describe - "; allocated by X on cpu N" for a report on @va, when
 * the debug mode tracked it, else "".
 * @va: an object. @buf, @len: where to write.
 */
void debug_describe(uintptr_t va, char *buf, size_t len)
{
	describe(span_of(va), va, buf, len);
}

/**
 * debug_quarantined - whether @va waits in the quarantine, and if so who
 * freed it (for the double-free report).
 * @va: an object address.
 * @site: receives the free's caller.
 * @cpu: receives the freeing CPU.
 */
bool debug_quarantined(uintptr_t va, uintptr_t *site, unsigned int *cpu)
{
	unsigned long irq = spin_lock_irqsave(&qlock);
	bool found = false;
	uint32_t i;

	for (i = 0; i < qcount && qring; i++) {
		const struct qentry *e = &qring[(qhead + i) % QUARANTINE_MAX];

		if (e->va == va) {
			*site = e->site;
			*cpu = e->cpu;
			found = true;
		}
	}
	spin_unlock_irqrestore(&qlock, irq);
	return found;
}

/* Empty the quarantine: every object back to its span (checked). */
static void quarantine_flush(void)
{
	struct qentry out[RELEASE_BATCH];
	unsigned long irq;
	unsigned int n;

	do {
		irq = spin_lock_irqsave(&qlock);
		n = __evict(out, true);
		spin_unlock_irqrestore(&qlock, irq);
		release(out, n);
	} while (n);
}

/* See kmalloc.h. */
void kmalloc_debug_flush(void)
{
	quarantine_flush();
}

/* The ring's frames, taken once (debug metadata, never given back). */
static int quarantine_ring(void)
{
	size_t frames = (QUARANTINE_MAX * sizeof(struct qentry) + FRAME_SIZE -
			 1) / FRAME_SIZE;
	phys_addr_t pa;

	if (qring)
		return 0;
	pa = mm_fault(MM_FAULT_DEBUG) ? FRAME_NONE : frame_alloc_run(frames);
	if (pa == FRAME_NONE)
		return -1;
	qring_frames = frames;
	qring = port_phys_to_virt(pa);
	return 0;
}

/* See kmalloc.h. */
int kmalloc_set_debug(unsigned int flags, uint64_t quarantine_bytes)
{
	unsigned int cpu, spc;
	unsigned long irq;

	if (flags & ~KMA_DEBUG_ALL) {
		mm_report(MM_ERR_BAD_SIZE, 0, flags,
			  "kmalloc_set_debug(0x%x): unknown options", flags);
		return -1;
	}
	if (heap_ncpus && (flags & KMA_DEBUG_QUARANTINE) && quarantine_ring())
		return -1;
	irq = spin_lock_irqsave(&qlock);
	qbudget = quarantine_bytes ? quarantine_bytes : QUARANTINE_DEFAULT;
	spin_unlock_irqrestore(&qlock, irq);
	__atomic_store_n(&kma_debug_flags, flags, __ATOMIC_RELEASE);
	if (!heap_ncpus)
		return 0;		/* before mm_init(): it reads the flags */
	if (!(flags & KMA_DEBUG_QUARANTINE))
		quarantine_flush();
	/* Every CPU's caches to capacity 0 (or back): each drains. */
	irq = port_irq_save();
	cpu = port_cpu_id();
	port_irq_restore(irq);
	cache_drain(cpu);
	pressure_drain_others(cpu, ~0u);
	/*
	 * Without redzone and track, the records of spans no CPU holds go
	 * (a held span's go when it is freed).
	 */
	if (!(flags & (KMA_DEBUG_REDZONE | KMA_DEBUG_TRACK)))
		for (spc = 1; spc < NR_SPC; spc++)
			if (spc_active(spc))
				central_debug_forget(spc);
	return 0;
}

/* See kmalloc.h. */
unsigned int kmalloc_debug(void)
{
	return READ_ONCE(kma_debug_flags);
}

/**
 * debug_init - mm_init()'s part: the quarantine ring, if chosen before.
 *
 * Return: 0, or -1 without the frames.
 */
int debug_init(void)
{
	if (READ_ONCE(kma_debug_flags) & KMA_DEBUG_QUARANTINE)
		return quarantine_ring();
	return 0;
}

/* One option's name and flag, for kmalloc_parse_debug(). */
static const struct {
	const char *name;
	unsigned int flag;
} debug_opts[] = {
	{ "quarantine", KMA_DEBUG_QUARANTINE },
	{ "poison", KMA_DEBUG_POISON },
	{ "init_on_alloc", KMA_DEBUG_INIT_ON_ALLOC },
	{ "init_on_free", KMA_DEBUG_INIT_ON_FREE },
	{ "redzone", KMA_DEBUG_REDZONE },
	{ "track", KMA_DEBUG_TRACK },
	{ "all", KMA_DEBUG_ALL },
};

static bool word_is(const char *s, size_t n, const char *w)
{
	size_t i;

	for (i = 0; i < n && w[i] && s[i] == w[i]; i++)
		;
	return i == n && !w[i];
}

/* [@s, @e) into @buf, cut to fit, terminated. */
static void copy_word(char *buf, size_t len, const char *s, const char *e)
{
	size_t i;

	for (i = 0; i + 1 < len && s + i < e; i++)
		buf[i] = s[i];
	buf[i] = '\0';
}

/* See kmalloc.h. */
int kmalloc_parse_debug(const char *spec, unsigned int *flags,
			uint64_t *quarantine_bytes)
{
	const char *p = spec;

	*flags = 0;
	*quarantine_bytes = 0;
	while (p && *p) {
		const char *e = p, *v = NULL;
		char opt[32];
		size_t n, i;

		while (*e && *e != ',' && *e != ' ')
			e++;
		for (n = 0; p + n < e && p[n] != '='; n++)
			;
		if (p + n < e)
			v = p + n + 1;
		for (i = 0; i < sizeof(debug_opts) / sizeof(debug_opts[0]); i++)
			if (word_is(p, n, debug_opts[i].name))
				break;
		copy_word(opt, sizeof(opt), p, e);
		if (i == sizeof(debug_opts) / sizeof(debug_opts[0]) ||
		    (v && debug_opts[i].flag != KMA_DEBUG_QUARANTINE)) {
			mm_report(MM_ERR_BAD_SIZE, 0, 0, "kma debug: unknown "
				  "option \"%s\"", opt);
			return -1;
		}
		*flags |= debug_opts[i].flag;
		if (v) {		/* quarantine=SIZE[K|M|G] */
			uint64_t b = 0;

			for (; v < e && *v >= '0' && *v <= '9'; v++)
				b = b * 10 + (uint64_t)(*v - '0');
			if (v < e && (*v == 'K' || *v == 'k'))
				b <<= 10, v++;
			else if (v < e && (*v == 'M' || *v == 'm'))
				b <<= 20, v++;
			else if (v < e && (*v == 'G' || *v == 'g'))
				b <<= 30, v++;
			if (v != e || !b) {
				mm_report(MM_ERR_BAD_SIZE, 0, 0, "kma debug: bad "
					  "size in \"%s\"", opt);
				return -1;
			}
			*quarantine_bytes = b;
		}
		p = *e ? e + 1 : e;
	}
	return 0;
}
