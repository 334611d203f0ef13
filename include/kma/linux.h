/* SPDX-License-Identifier: MIT */
/*
 * linux.h - the Linux names of kma's object allocator: kmalloc(),
 * kzalloc(), kcalloc(), kmalloc_array(), krealloc(), kfree() and ksize(),
 * as inline wrappers over the kma_ functions of <kma/kmalloc.h>, which
 * includes this header unless KMA_NO_LINUX_NAMES is defined. The library
 * itself defines only the kma_ names, so a kernel that has its own
 * kmalloc() builds with -DKMA_NO_LINUX_NAMES and calls the kma_ names.
 */
#ifndef KMA_LINUX_H
#define KMA_LINUX_H

#include <kma/kmalloc.h>

static inline void *kmalloc(size_t size, gfp_t flags)
{
	return kma_kmalloc(size, flags);
}

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

#endif /* KMA_LINUX_H */
