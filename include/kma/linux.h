/* SPDX-License-Identifier: MIT */
/*
 * linux.h - the Linux names of kma's object allocator: kmalloc(),
 * kzalloc(), kcalloc(), kmalloc_array(), krealloc(), kfree() and ksize(),
 * of its object caches (<kma/slab.h>): struct kmem_cache,
 * kmem_cache_create(), kmem_cache_alloc(), kmem_cache_zalloc(),
 * kmem_cache_free(), kmem_cache_alloc_bulk(), kmem_cache_free_bulk(),
 * kmem_cache_destroy() and kmem_cache_size(),
 * and of its page API (<kma/pages.h>): __get_free_pages(),
 * __get_free_page(), get_zeroed_page(), free_pages(), free_page(),
 * alloc_pages(), __free_pages(), page_address() and virt_to_page(), as
 * inline wrappers over the kma_ functions, included by <kma/kmalloc.h>
 * unless KMA_NO_LINUX_NAMES is defined. The library
 * itself defines only the kma_ names, so a kernel that has its own
 * kmalloc() builds with -DKMA_NO_LINUX_NAMES and calls the kma_ names.
 */
#ifndef KMA_LINUX_H
#define KMA_LINUX_H

#include <kma/kmalloc.h>
#include <kma/pages.h>
#include <kma/slab.h>

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return kma_kmalloc(size, flags);
}

#define kmalloc_track_caller(size, flags)				\
	kma_kmalloc_caller(size, flags,					\
			   (uintptr_t)__builtin_return_address(0))

static inline void *kzalloc(size_t size, gfp_t flags)
{
	return kma_kzalloc(size, flags);
}

static inline void *kmalloc_array(size_t n, size_t size, gfp_t flags)
{
	return kma_kmalloc_array(n, size, flags);
}

static inline void *kcalloc(size_t n, size_t size, gfp_t flags)
{
	return kma_kcalloc(n, size, flags);
}

static inline void *krealloc(const void *p, size_t size, gfp_t flags)
{
	return kma_krealloc(p, size, flags);
}

static inline void kfree(const void *p)
{
	kma_kfree(p);
}

static inline size_t ksize(const void *p)
{
	return kma_ksize(p);
}

/*
 * Object caches. struct kmem_cache is kma's struct kma_kmem_cache: the
 * name is a macro, so it must not name anything else in the including
 * file (a kernel with its own struct kmem_cache leaves these names out).
 */
#define kmem_cache kma_kmem_cache
#define SLAB_HWCACHE_ALIGN KMA_SLAB_HWCACHE_ALIGN

static inline struct kmem_cache *kmem_cache_create(const char *name,
						   unsigned int size,
						   unsigned int align,
						   unsigned long flags,
						   void (*ctor)(void *))
{
	return kma_kmem_cache_create(name, size, align, flags, ctor);
}

static inline void *kmem_cache_alloc(struct kmem_cache *c, gfp_t flags)
{
	return kma_kmem_cache_alloc(c, flags);
}

static inline void *kmem_cache_zalloc(struct kmem_cache *c, gfp_t flags)
{
	return kma_kmem_cache_alloc(c, flags | __GFP_ZERO);
}

static inline void kmem_cache_free(struct kmem_cache *c, void *p)
{
	kma_kmem_cache_free(c, p);
}

static inline int kmem_cache_alloc_bulk(struct kmem_cache *c, gfp_t flags,
					size_t n, void **p)
{
	return (int)kma_kmem_cache_alloc_bulk(c, flags, n, p);
}

static inline void kmem_cache_free_bulk(struct kmem_cache *c, size_t n,
					void **p)
{
	kma_kmem_cache_free_bulk(c, n, p);
}

static inline void kmem_cache_destroy(struct kmem_cache *c)
{
	kma_kmem_cache_destroy(c);
}

static inline unsigned int kmem_cache_size(struct kmem_cache *c)
{
	return (unsigned int)kma_kmem_cache_size(c);
}

/*
 * The page API. struct page is opaque here: a struct page pointer is the
 * direct-map address of the block's first page.
 */
struct page;

static inline unsigned long __get_free_pages(gfp_t gfp, unsigned int order)
{
	return kma_get_free_pages(gfp, order);
}

static inline unsigned long __get_free_page(gfp_t gfp)
{
	return kma_get_free_pages(gfp, 0);
}

static inline unsigned long get_zeroed_page(gfp_t gfp)
{
	return kma_get_free_pages(gfp | __GFP_ZERO, 0);
}

static inline void free_pages(unsigned long addr, unsigned int order)
{
	kma_free_pages(addr, order);
}

static inline void free_page(unsigned long addr)
{
	kma_free_pages(addr, 0);
}

static inline struct page *alloc_pages(gfp_t gfp, unsigned int order)
{
	return (struct page *)(uintptr_t)kma_get_free_pages(gfp, order);
}

static inline void __free_pages(struct page *page, unsigned int order)
{
	kma_free_pages((unsigned long)(uintptr_t)page, order);
}

static inline void *page_address(const struct page *page)
{
	return (void *)(uintptr_t)page;
}

static inline struct page *virt_to_page(const void *addr)
{
	return (struct page *)(uintptr_t)addr;
}

#endif /* KMA_LINUX_H */
