/* SPDX-License-Identifier: MIT */
/*
 * slab.h - object caches: objects of one exact size and alignment, on
 * spans of their own, optionally built by a constructor (the SLAB
 * interface of Linux). kma_kmem_cache_alloc() and kma_kmem_cache_free()
 * take the per-CPU fast path of kmalloc(): a cache is a span class of
 * its own, with a LIFO of free objects per CPU in front of its spans.
 *
 * The Linux names (kmem_cache_create(), kmem_cache_alloc(), ..., and
 * struct kmem_cache) are inline wrappers in <kma/linux.h>.
 *
 * Limits, all reported when crossed (the call returns NULL):
 *  - at most KMA_MAX_KMEM_CACHES caches at once (a build setting,
 *    default 16: each costs 24 bytes per CPU and a central);
 *  - an object of at most 32 KiB (larger objects: kmalloc());
 *  - an alignment of at most 4 KiB, a power of two;
 *  - flags: KMA_SLAB_HWCACHE_ALIGN only.
 *
 * A constructor runs once per object, when the span holding the object
 * is built (with interrupts disabled, before any of its objects is handed
 * out); a freed object must be in its constructed state, which the cache
 * keeps while it is free (its first word is saved beside the object, so
 * a constructor cache's objects take 8 bytes more). A constructor must
 * not call into kma.
 *
 * kma_kfree() also takes objects of a cache. Freeing an object to a cache
 * it does not belong to is reported, as double and invalid frees are.
 *
 * Every function but create and destroy may be called from interrupt
 * context; none sleeps. kma_kmem_cache_destroy() asks every CPU to give
 * back what its caches hold (see kmalloc_cpu_poll()) and waits a bounded
 * time for the answers.
 */
#ifndef KMA_SLAB_H
#define KMA_SLAB_H

#include <stddef.h>
#include <kma/gfp.h>

/* libkma.a: these names stay global, the rest is made local. */
#ifdef KMA_BUILD_LIB
#pragma GCC visibility push(default)
#endif

/* Align objects to a cache line (64 bytes), as Linux's SLAB_HWCACHE_ALIGN. */
#define KMA_SLAB_HWCACHE_ALIGN	0x00002000UL

/* A cache's name is kept up to this many bytes, its terminator included. */
#define KMA_KMEM_CACHE_NAME	32

struct kma_kmem_cache;

/**
 * kma_kmem_cache_create - make an object cache.
 * @name: for slabinfo and reports (copied; longer names are cut).
 * @size: object size in bytes, 1 to 32768.
 * @align: object alignment, 0 (8 bytes) or a power of two up to 4096;
 *         objects are aligned to at least 8 bytes.
 * @flags: 0 or KMA_SLAB_HWCACHE_ALIGN.
 * @ctor: NULL, or called on each object once, when its span is built.
 *
 * Return: the cache, or NULL (reported: bad size, alignment or flags, no
 * cache left, out of memory).
 */
struct kma_kmem_cache *kma_kmem_cache_create(const char *name, size_t size,
					     size_t align, unsigned long flags,
					     void (*ctor)(void *));

/**
 * kma_kmem_cache_alloc - an object from @cache.
 * @cache: the cache.
 * @flags: GFP flags; __GFP_ZERO zeroes the object (not for a cache with
 *         a constructor, where it is reported and ignored).
 *
 * Return: the object (constructed, for a cache with a constructor), or
 * NULL.
 */
void *kma_kmem_cache_alloc(struct kma_kmem_cache *cache, gfp_t flags);

/**
 * kma_kmem_cache_free - give back an object of @cache.
 * @cache: the cache it came from.
 * @p: the object; NULL does nothing.
 */
void kma_kmem_cache_free(struct kma_kmem_cache *cache, void *p);

/**
 * kma_kmem_cache_alloc_bulk - @n objects from @cache at once.
 * @cache: the cache.
 * @flags: GFP flags, as kma_kmem_cache_alloc().
 * @n: how many.
 * @p: receives them.
 *
 * Return: @n, or 0 if not all could be had (then none is kept).
 */
size_t kma_kmem_cache_alloc_bulk(struct kma_kmem_cache *cache, gfp_t flags,
				 size_t n, void **p);

/**
 * kma_kmem_cache_free_bulk - give back @n objects of @cache.
 * @cache: the cache. @n: how many. @p: the objects.
 */
void kma_kmem_cache_free_bulk(struct kma_kmem_cache *cache, size_t n,
			      void **p);

/**
 * kma_kmem_cache_destroy - drop an object cache.
 * @cache: the cache; NULL does nothing.
 *
 * Every CPU gives back the cache's free objects, and every span of the
 * cache goes back to the page heap. If objects are still allocated, that
 * is reported with their count and the cache stays as it was (its
 * objects may still be freed, and the cache destroyed again later).
 *
 * Return: 0 when the cache is gone, -1 when it stays.
 */
int kma_kmem_cache_destroy(struct kma_kmem_cache *cache);

/**
 * kma_kmem_cache_size - the usable size of @cache's objects.
 * @cache: the cache.
 */
size_t kma_kmem_cache_size(const struct kma_kmem_cache *cache);

/**
 * kma_kmem_cache_name - @cache's name.
 * @cache: the cache.
 */
const char *kma_kmem_cache_name(const struct kma_kmem_cache *cache);

#ifdef KMA_BUILD_LIB
#pragma GCC visibility pop
#endif

#endif /* KMA_SLAB_H */
