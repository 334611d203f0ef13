/* SPDX-License-Identifier: MIT */
/*
 * arm_timer.h - the Arm generic timer (drivers/arm_timer.c) as the Arm
 * kernels' platform, trap and test code use it; arch_timer_start(),
 * arch_timer_stop() and arch_time_ns() are declared in kernel/kernel.h.
 *
 * Owns: the declarations only.
 */
#ifndef KMA_DRIVERS_ARM_TIMER_H
#define KMA_DRIVERS_ARM_TIMER_H

struct fdt_info;

void timer_init(const struct fdt_info *fi);
unsigned int timer_intid(void);
void timer_irq(void);

#endif /* KMA_DRIVERS_ARM_TIMER_H */
