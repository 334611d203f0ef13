// SPDX-License-Identifier: MIT
/*
 * bench_newlib.c - what newlib's malloc and newlib-nano's malloc need to
 * run inside the 32-bit Arm benchmark kernels (make ARCH=arm|armv7m
 * BENCH=1), so that kernel/bench.c measures them with the same loops as
 * kmalloc.
 *
 * tools/newlib-objs.sh takes their archive members from the toolchain's
 * libc.a and libc_nano.a and renames every global symbol (nlf_: newlib,
 * nln_: nano). Each then asks for its own _sbrk, errno and _impure_ptr,
 * defined here: an sbrk over a region of frames taken at the first call
 * (BENCH_NEWLIB_HEAP bytes each; growing past it fails with ENOMEM, as an
 * sbrk does), an errno, and a zeroed block standing for newlib's struct
 * _reent, of which malloc only writes the errno field on failure. Their
 * malloc locks are newlib's own (empty on a library built without
 * threads).
 *
 * State: one region per flavour, boot CPU only (bench=1 runs there).
 */
#ifdef KMA_BENCH_NEWLIB
#include <kma/frame.h>
#include <kma/port.h>
#include "kernel.h"
#include "bench_newlib.h"

#define BENCH_NEWLIB_HEAP	(4u << 20)

struct nl_heap {
	char *base;	/* NULL until the first sbrk */
	uint32_t brk;	/* bytes in use */
};

/* Newlib's struct _reent is about 1 KiB; malloc writes its errno only. */
static uint64_t nlf_reent[256], nln_reent[256];
void *nlf__impure_ptr = nlf_reent;
void *nln__impure_ptr = nln_reent;
int nlf_errno, nln_errno;

static struct nl_heap nlf_heap, nln_heap;

static void *nl_sbrk(struct nl_heap *h, int *err, intptr_t incr)
{
	char *old;

	if (!h->base) {
		phys_addr_t pa = frame_alloc_run(BENCH_NEWLIB_HEAP / FRAME_SIZE);

		if (pa == FRAME_NONE) {
			*err = 12;		/* ENOMEM */
			return (void *)-1;
		}
		h->base = port_phys_to_virt(pa);
	}
	if ((incr > 0 && (uint32_t)incr > BENCH_NEWLIB_HEAP - h->brk) ||
	    (incr < 0 && (uint32_t)-incr > h->brk)) {
		*err = 12;
		return (void *)-1;
	}
	old = h->base + h->brk;
	h->brk += (uint32_t)incr;
	return old;
}

void *nlf__sbrk(intptr_t incr);
void *nln__sbrk(intptr_t incr);

void *nlf__sbrk(intptr_t incr)
{
	return nl_sbrk(&nlf_heap, &nlf_errno, incr);
}

void *nln__sbrk(intptr_t incr)
{
	return nl_sbrk(&nln_heap, &nln_errno, incr);
}
#endif /* KMA_BENCH_NEWLIB */
