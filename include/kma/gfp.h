/* SPDX-License-Identifier: MIT */
/*
 * gfp.h - allocation flags, shared by the object allocator (kmalloc.h)
 * and the page API (pages.h).
 */
#ifndef KMA_GFP_H
#define KMA_GFP_H

typedef unsigned int gfp_t;

#define __GFP_ZERO	0x1u	/* zero the memory */
#define __GFP_ATOMIC	0x2u	/* caller cannot wait (accepted, never waits anyway) */
#define __GFP_NOSCAN	0x4u	/* holds no pointers: may use the tiny allocator */

#define GFP_KERNEL	0u
#define GFP_ATOMIC	__GFP_ATOMIC
#define GFP_NOSCAN	__GFP_NOSCAN

#endif /* KMA_GFP_H */
