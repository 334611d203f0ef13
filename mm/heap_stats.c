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

void kmalloc_get_stats(struct kmalloc_stats *st)
{
	unsigned int spc, cpu;
	uint64_t held;

	mm_memset(st, 0, sizeof(*st));
	for (spc = 1; spc < NR_SPC && spc < 72; spc++) {
		struct central *c = &centrals[spc];
		struct kmalloc_class_stats *cs = &st->cls[spc];
		unsigned long flags;
		struct span *s;

		cs->size = spc == SPC_TINY ? TINY_BLOCK : sc_size[spc];
		cs->span_pages = spc == SPC_TINY ? 1 : sc_pages[spc];
		flags = spin_lock_irqsave(&c->lock);
		cs->spans = c->nspans;
		for (s = c->partial.first; s; s = s->next)
			cs->objs_in_use += span_live_objs(s);
		for (s = c->full.first; s; s = s->next)
			cs->objs_in_use += span_live_objs(s);
		st->central_locks += c->nlocks;
		spin_unlock_irqrestore(&c->lock, flags);
		for (cpu = 0; cpu < heap_ncpus; cpu++) {
			struct span *s2 = __atomic_load_n(&caches[cpu].alloc[spc],
							  __ATOMIC_RELAXED);

			if (s2 != &empty_span)
				cs->objs_in_use += span_live_objs(s2);
		}
		/* Free objects in CPU caches and batches are out of their
		 * spans but not in use. */
		held = cache_objs_held(spc);
		cs->objs_in_use -= held < cs->objs_in_use ? held : cs->objs_in_use;
		cs->objs_total = cs->spans * (cs->span_pages * PAGE_SIZE /
					      cs->size);
	}
	st->nr_classes = NR_SPC - 1;
	{
		unsigned long flags = spin_lock_irqsave(&heap.lock);

		st->heap_sys = heap.sys_bytes;
		st->heap_idle = heap.idle_bytes;
		st->heap_inuse = heap.sys_bytes - heap.idle_bytes;
		st->heap_released = heap.released_bytes;
		st->large_bytes = heap.large_bytes + heap.huge_bytes;
		st->large_objs = heap.large_objs;
		st->meta_bytes = (heap.meta_frames + heap.map_frames) * PAGE_SIZE +
				 (uint64_t)heap_ncpus * sizeof(struct cpu_cache) +
				 cache_meta_bytes();
		st->heap_locks = heap.nlocks;
		st->pressure_runs = READ_ONCE(pressure_runs);
		st->pressure_kicks = READ_ONCE(pressure_kicks);
		st->pressure_late = READ_ONCE(pressure_late);
		st->pressure_grows = READ_ONCE(pressure_grows);
		spin_unlock_irqrestore(&heap.lock, flags);
	}
}

void kmalloc_dump_meminfo(void)
{
	struct kmalloc_stats st;
	struct frame_stats fs;
	uint64_t slab = 0;
	unsigned int i;

	kmalloc_get_stats(&st);
	frame_get_stats(&fs);
	for (i = 1; i <= st.nr_classes; i++)
		slab += st.cls[i].spans * st.cls[i].span_pages * PAGE_SIZE;
	mm_printf("MemTotal:       %8llu kB\n",
		  (unsigned long long)fs.managed * 4);
	mm_printf("MemFree:        %8llu kB\n",
		  (unsigned long long)fs.free * 4);
	mm_printf("HeapSys:        %8llu kB\n",
		  (unsigned long long)st.heap_sys / 1024);
	mm_printf("HeapInuse:      %8llu kB\n",
		  (unsigned long long)st.heap_inuse / 1024);
	mm_printf("HeapIdle:       %8llu kB\n",
		  (unsigned long long)st.heap_idle / 1024);
	mm_printf("HeapReleased:   %8llu kB\n",
		  (unsigned long long)st.heap_released / 1024);
	mm_printf("Slab:           %8llu kB\n", (unsigned long long)slab / 1024);
	mm_printf("LargeObjects:   %8llu kB\n",
		  (unsigned long long)st.large_bytes / 1024);
	mm_printf("HeapMetadata:   %8llu kB\n",
		  (unsigned long long)st.meta_bytes / 1024);
	mm_printf("FrameMetadata:  %8llu kB\n",
		  (unsigned long long)fs.metadata_bytes / 1024);
}

void kmalloc_dump_slabinfo(void)
{
	struct kmalloc_stats st;
	unsigned int i;

	kmalloc_get_stats(&st);
	mm_printf("slabinfo - version: 2.1\n");
	mm_printf("# name            <active_objs> <num_objs> <objsize> "
		  "<objperslab> <pagesperslab> : slabdata <active_slabs> "
		  "<num_slabs>\n");
	for (i = 1; i <= st.nr_classes; i++) {
		struct kmalloc_class_stats *c = &st.cls[i];
		char name[24];

		if (i == SPC_TINY)
			mm_snprintf(name, sizeof(name), "kmalloc-tiny");
		else
			mm_snprintf(name, sizeof(name), "kmalloc-%u", c->size);
		mm_printf("%-17s %8llu %8llu %6u %4u %4u : slabdata %6llu %6llu\n",
			  name, (unsigned long long)c->objs_in_use,
			  (unsigned long long)c->objs_total, c->size,
			  c->span_pages * (uint32_t)PAGE_SIZE / c->size,
			  c->span_pages, (unsigned long long)c->spans,
			  (unsigned long long)c->spans);
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
			if (READ_ONCE(s->xstate) != SPAN_SMALL ||
			    READ_ONCE(s->spc) != spc ||
			    __atomic_load_n(&s->xowner, __ATOMIC_RELAXED) !=
			    (int32_t)cpu ||
			    __atomic_load_n(&s->xlist, __ATOMIC_RELAXED) !=
			    LIST_CACHED || span_of(s->base) != s) {
				mm_report(MM_ERR_CORRUPT, s->base, spc,
					  "cpu %u: cached span %p of class %u "
					  "is inconsistent", cpu,
					  (void *)s->base, spc);
				bad++;
			}
		}
	}
	return bad;
}
