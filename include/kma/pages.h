/* SPDX-License-Identifier: MIT */
/*
 * pages.h - whole pages from the frame allocator, by order, through the
 * direct map: the page API. A block of 2^order pages costs the frame
 * allocator's metadata only (a byte per frame: about 0.03%), where
 * kmalloc(4096) would also pay for a span and its page-map entries.
 *
 * The Linux names (__get_free_pages(), free_pages(), alloc_pages(), ...)
 * are inline wrappers in <kma/linux.h>. There, struct page is opaque: a
 * struct page pointer is the block's direct-map address, which
 * page_address() and virt_to_page() convert without a table.
 *
 * Every function here may be called from interrupt context; none sleeps.
 */
#ifndef KMA_PAGES_H
#define KMA_PAGES_H

#include <kma/gfp.h>

/* libkma.a: these names stay global, the rest is made local. */
#ifdef KMA_BUILD_LIB
#pragma GCC visibility push(default)
#endif

/**
 * kma_get_free_pages - 2^@order pages, physically contiguous and aligned
 * to their size.
 * @gfp: GFP flags; __GFP_ZERO zeroes them.
 * @order: 0 .. FRAME_MAX_ORDER (10: 4 MiB); above is reported.
 *
 * On failure the memory pressure ladder runs once (caches drained, free
 * heap chunks returned) and the allocation is retried.
 *
 * Return: the direct-map address of the first page, or 0.
 */
unsigned long kma_get_free_pages(gfp_t gfp, unsigned int order);

/**
 * kma_free_pages - give back a block from kma_get_free_pages().
 * @addr: its address; 0 does nothing.
 * @order: the order it was allocated with; a different order, a double
 *         free or an address never handed out is reported and ignored.
 */
void kma_free_pages(unsigned long addr, unsigned int order);

#ifdef KMA_BUILD_LIB
#pragma GCC visibility pop
#endif

#endif /* KMA_PAGES_H */
