// SPDX-License-Identifier: MIT
/*
 * heap_stats.c - statistics, /proc-style dumps and the validator of the
 * object heap.
 *
 * Owns: nothing; reads every structure under its lock (centrals, the page
 * heap) or racily (CPU caches), so figures are exact only on a quiescent
 * heap.
 */
#include <kma/frame.h>
#include <kma/mm_report.h>
#include "heap.h"

/* Class @spc's figures; its central's lock count is added to *@locks. */
static void class_stats(unsigned int spc, struct kmalloc_class_stats *cs,
			uint64_t *locks)
{
	struct central *c = &centrals[spc];
	unsigned long flags;
	unsigned int cpu;
	struct span *s;
	uint64_t held;

	mm_memset(cs, 0, sizeof(*cs));
	cs->size = spc_size(spc);
	cs->span_pages = spc_pages(spc);
	flags = spin_lock_irqsave(&c->lock);
	cs->spans = c->nspans;
	for (s = c->partial.first; s; s = s->next)
		cs->objs_in_use += span_live_objs(s);
	for (s = c->full.first; s; s = s->next)
		cs->objs_in_use += span_live_objs(s);
	*locks += c->nlocks;
	spin_unlock_irqrestore(&c->lock, flags);
	for (cpu = 0; cpu < heap_ncpus; cpu++) {
		struct span *s2 = __atomic_load_n(&caches[cpu].alloc[spc],
						  __ATOMIC_RELAXED);
		uint32_t k;

		if (s2 == &empty_span)
			continue;
		/* With the spans it kept (bounded: another CPU's chain is
		 * read racily, and may change under the walk). */
		for (k = 0; s2 && k <= CACHE_KEPT_MAX; k++) {
			cs->objs_in_use += span_live_objs(s2);
			s2 = READ_ONCE(s2->next);
		}
	}
	/* Free objects in CPU caches and batches are out of their spans but
	 * not in use. */
	held = cache_objs_held(spc);
	cs->objs_in_use -= held < cs->objs_in_use ? held : cs->objs_in_use;
	cs->objs_total = cs->spans * (cs->span_pages * PAGE_SIZE / cs->size);
}

/* The heap-wide figures, read under heap.lock. */
struct heap_totals {
	uint64_t sys, idle, released, large, meta, locks;
};

static void heap_totals(struct heap_totals *t)
{
	unsigned long flags = spin_lock_irqsave(&heap.lock);

	t->sys = heap.sys_bytes;
	t->idle = heap.idle_bytes;
	t->released = heap.released_bytes;
	t->large = heap.large_bytes + heap.huge_bytes;
	t->meta = (heap.meta_frames + heap.map_frames) * PAGE_SIZE +
		  (uint64_t)heap_ncpus * sizeof(struct cpu_cache) +
		  cache_meta_bytes();
	t->locks = heap.nlocks;
	spin_unlock_irqrestore(&heap.lock, flags);
}

void kmalloc_get_stats(struct kmalloc_stats *st)
{
	struct heap_totals t;
	unsigned int spc;

	mm_memset(st, 0, sizeof(*st));
	_Static_assert(SPC_KCACHE <= sizeof(st->cls) / sizeof(st->cls[0]),
		       "kmalloc_stats holds every fixed class");
	for (spc = 1; spc < SPC_KCACHE; spc++)
		class_stats(spc, &st->cls[spc], &st->central_locks);
	st->nr_classes = SPC_KCACHE - 1;
	heap_totals(&t);
	st->heap_sys = t.sys;
	st->heap_idle = t.idle;
	st->heap_inuse = t.sys - t.idle;
	st->heap_released = t.released;
	st->large_bytes = t.large;
	st->meta_bytes = t.meta;
	st->heap_locks = t.locks;
	st->pressure_runs = READ_ONCE(pressure_runs);
	st->pressure_kicks = READ_ONCE(pressure_kicks);
	st->pressure_late = READ_ONCE(pressure_late);
	st->pressure_grows = READ_ONCE(pressure_grows);
}

/*
 * The dumps print line by line from one class's figures at a time, so
 * their stack stays small (a struct kmalloc_stats is over 2 KiB, too
 * much for kernels with 4 KiB stacks).
 */
void kmalloc_dump_meminfo(void)
{
	struct kmalloc_class_stats cs;
	struct frame_stats fs;
	struct heap_totals t;
	uint64_t slab = 0, locks = 0;
	unsigned int spc;

	for (spc = 1; spc < NR_SPC; spc++) {
		if (!spc_active(spc))
			continue;
		class_stats(spc, &cs, &locks);
		slab += cs.spans * cs.span_pages * PAGE_SIZE;
	}
	heap_totals(&t);
	frame_get_stats(&fs);
	mm_printf("MemTotal:       %8llu kB\n",
		  (unsigned long long)fs.managed * 4);
	mm_printf("MemFree:        %8llu kB\n",
		  (unsigned long long)fs.free * 4);
	mm_printf("HeapSys:        %8llu kB\n",
		  (unsigned long long)t.sys / 1024);
	mm_printf("HeapInuse:      %8llu kB\n",
		  (unsigned long long)(t.sys - t.idle) / 1024);
	mm_printf("HeapIdle:       %8llu kB\n",
		  (unsigned long long)t.idle / 1024);
	mm_printf("HeapReleased:   %8llu kB\n",
		  (unsigned long long)t.released / 1024);
	mm_printf("Slab:           %8llu kB\n", (unsigned long long)slab / 1024);
	mm_printf("LargeObjects:   %8llu kB\n",
		  (unsigned long long)t.large / 1024);
	mm_printf("HeapMetadata:   %8llu kB\n",
		  (unsigned long long)t.meta / 1024);
	mm_printf("FrameMetadata:  %8llu kB\n",
		  (unsigned long long)fs.metadata_bytes / 1024);
}

void kmalloc_dump_slabinfo(void)
{
	struct kmalloc_class_stats c;
	uint64_t locks = 0;
	unsigned int spc;

	mm_printf("slabinfo - version: 2.1\n");
	mm_printf("# name            <active_objs> <num_objs> <objsize> "
		  "<objperslab> <pagesperslab> : slabdata <active_slabs> "
		  "<num_slabs>\n");
	for (spc = 1; spc < NR_SPC; spc++) {
		char name[KMA_KMEM_CACHE_NAME];

		if (!spc_active(spc))
			continue;
		class_stats(spc, &c, &locks);
		if (spc == SPC_TINY)
			mm_snprintf(name, sizeof(name), "kmalloc-tiny");
		else if (spc >= SPC_KCACHE)
			mm_snprintf(name, sizeof(name), "%s",
				    kcache_of(spc)->name);
		else
			mm_snprintf(name, sizeof(name), "kmalloc-%u",
				    (unsigned int)c.size);
		mm_printf("%-17s %8llu %8llu %6u %4u %4u : slabdata %6llu %6llu\n",
			  name, (unsigned long long)c.objs_in_use,
			  (unsigned long long)c.objs_total,
			  (unsigned int)c.size,
			  (unsigned int)(c.span_pages * PAGE_SIZE / c.size),
			  (unsigned int)c.span_pages,
			  (unsigned long long)c.spans,
			  (unsigned long long)c.spans);
	}
}

/* ------------------------------------------------------------ validate */

/* One object held by a CPU cache or a central batch of class @spc. */
static unsigned int check_held(const char *where, unsigned int who,
			       unsigned int spc, void *p)
{
	uintptr_t va = (uintptr_t)p;
	struct span *s = span_of(va);
	int32_t idx;

	if (s && READ_ONCE(s->xstate) == SPAN_SMALL &&
	    READ_ONCE(s->spc) == spc && (idx = span_obj_index(s, va)) >= 0 &&
	    span_slot_out(s, (uint32_t)idx) &&
	    obj_tag_kind(p) < OBJ_TAG_KINDS)
		return 0;
	mm_report(MM_ERR_CORRUPT, va, spc,
		  "%s %u: cached object %p of class %u is inconsistent "
		  "(span, slot or tag)", where, who, p, spc);
	return 1;
}

unsigned int kmalloc_validate(void)
{
	unsigned int bad = heap_validate(), spc, cpu;

	for (spc = 1; spc < NR_SPC; spc++) {
		struct central *c = &centrals[spc];
		unsigned long flags;
		uint32_t i;

		bad += central_validate(spc);
		flags = spin_lock_irqsave(&c->lock);
		for (i = 0; i < c->nxfer; i++)
			bad += check_held("central", spc, spc, c->xfer[i]);
		spin_unlock_irqrestore(&c->lock, flags);
	}
	for (cpu = 0; cpu < heap_ncpus; cpu++) {
		for (spc = 1; spc < NR_SPC; spc++) {
			struct span *s = caches[cpu].alloc[spc];
			struct objcache *oc = objcache_of(cpu, spc);
			uint32_t i;

			for (i = 0; i < objcache_count(oc); i++)
				bad += check_held("cpu", cpu, spc, oc->lo[i]);

			if (s == &empty_span)
				continue;
			/* The current span, then those it keeps. */
			for (i = 0; s; i++, s = s->next) {
				if (i > CACHE_KEPT_MAX ||
				    READ_ONCE(s->xstate) != SPAN_SMALL ||
				    READ_ONCE(s->spc) != spc ||
				    __atomic_load_n(&s->xowner,
						    __ATOMIC_RELAXED) !=
				    (int32_t)cpu ||
				    __atomic_load_n(&s->xlist,
						    __ATOMIC_RELAXED) !=
				    LIST_CACHED || span_of(s->base) != s) {
					mm_report(MM_ERR_CORRUPT, s->base, spc,
						  "cpu %u: cached span %p of "
						  "class %u is inconsistent",
						  cpu, (void *)s->base, spc);
					bad++;
					break;
				}
			}
		}
	}
	return bad;
}
