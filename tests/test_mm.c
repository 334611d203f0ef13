// SPDX-License-Identifier: MIT
/*
 * test_mm.c - see test_mm.h. No state.
 */
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma/port.h>
#include "test_mm.h"

void test_mm_quiesce(void)
{
	kmalloc_drain_cpu(port_cpu_id());
	kmalloc_scavenge();
	frame_drain_all();
}

uint64_t test_mm_free_frames(void)
{
	struct frame_stats fs;

	test_mm_quiesce();
	frame_get_stats(&fs);
	return fs.free;
}
