/* SPDX-License-Identifier: MIT */
/*
 * bench_newlib.h - newlib's malloc (nlf_) and newlib-nano's (nln_), with
 * the names tools/newlib-objs.sh gives them, for kernel/bench.c on 32-bit
 * Arm (KMA_BENCH_NEWLIB); see kernel/bench_newlib.c.
 */
#ifndef KMA_BENCH_NEWLIB_H
#define KMA_BENCH_NEWLIB_H

#include <stddef.h>

void *nlf_malloc(size_t size);
void nlf_free(void *p);
void *nln_malloc(size_t size);
void nln_free(void *p);

#endif /* KMA_BENCH_NEWLIB_H */
