// SPDX-License-Identifier: MIT
/*
 * test_mm.c - see test_mm.h. No state.
 */
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma/port.h>
#include "test_mm.h"
#include "../mm/heap.h"

void test_mm_quiesce(void)
{
	kmalloc_drain_cpu(port_cpu_id());
	kmalloc_scavenge();
	frame_drain_all();
}

/* Pages @fa holds beyond what its live objects need, packed. */
static uint64_t fixalloc_slack(const struct fixalloc *fa)
{
	uint64_t need = (fa->inuse + fa->per_page - 1) / fa->per_page;

	return fa->pages > need ? fa->pages - need : 0;
}

uint64_t test_mm_free_frames(void)
{
	struct frame_stats fs;
	uint64_t slack;
	unsigned long irq;

	test_mm_quiesce();
	frame_get_stats(&fs);
	irq = spin_lock_irqsave(&heap.lock);
	slack = fixalloc_slack(&heap.span_fa) + fixalloc_slack(&heap.tiny_fa);
	spin_unlock_irqrestore(&heap.lock, irq);
	return fs.free + slack;
}
