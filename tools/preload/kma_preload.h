/* SPDX-License-Identifier: MIT */
/*
 * kma_preload.h - what libkma.so exports besides the malloc family.
 *
 * A program finds these with dlsym(RTLD_DEFAULT, ...) when it runs under
 * LD_PRELOAD=build/host-pic/libkma.so; it must not link them.
 */
#ifndef KMA_PRELOAD_H
#define KMA_PRELOAD_H

/**
 * kma_preload_owns - whether @p lies in memory libkma.so manages.
 * @p: any pointer.
 *
 * Return: 1 if @p is in the bootstrap arena or the heap's address space,
 * else 0.
 */
int kma_preload_owns(const void *p);

#endif /* KMA_PRELOAD_H */
