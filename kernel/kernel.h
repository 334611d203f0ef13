/* SPDX-License-Identifier: MIT */
/*
 * kernel.h - what the generic demo kernel needs from an architecture.
 */
#ifndef KMA_KERNEL_H
#define KMA_KERNEL_H

#include <port.h>

/* Generic entry, called by arch code on the boot CPU. */
void kmain(void);

/**
 * arch_halt - end the run: report @status to the host and stop.
 * @status: 0 for success.
 */
__noreturn void arch_halt(int status);

#endif
