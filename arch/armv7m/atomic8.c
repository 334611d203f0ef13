// SPDX-License-Identifier: MIT
/*
 * atomic8.c - the 8-byte atomic operations the compilers call on a
 * Cortex-M3, which has no 64-bit exclusive access (arm-none-eabi ships
 * no libatomic): each one runs with PRIMASK set, which makes it atomic
 * on this one core against interrupt handlers (NMI and HardFault
 * excepted: they do not touch these variables).
 *
 * Who calls them: only the test builds. mm/fault.c's fail-nth counters
 * (KMA_FAULT_INJECT) and the kernel's tests read uint64_t counters
 * atomically; kma itself (mm/ without the test flags) needs none, as
 * tools/lib-check.sh proves. Only the sizes and operations the link asks
 * for are here; the memory order argument is met by masking (a single
 * core sees its own accesses in order).
 *
 * No state of its own.
 */
#include <stdint.h>
#include <kma/port.h>

uint64_t __atomic_load_8(const volatile void *p, int order);
void __atomic_store_8(volatile void *p, uint64_t v, int order);
uint64_t __atomic_fetch_add_8(volatile void *p, uint64_t v, int order);

/**
 * __atomic_load_8 - read a 64-bit value in one piece.
 * @p: the value.
 * @order: ignored (one core).
 *
 * Return: *@p.
 */
uint64_t __atomic_load_8(const volatile void *p, int order)
{
	unsigned long flags = port_irq_save();
	uint64_t v = *(const volatile uint64_t *)p;

	(void)order;
	port_irq_restore(flags);
	return v;
}

/**
 * __atomic_store_8 - write a 64-bit value in one piece.
 * @p: where.
 * @v: the value.
 * @order: ignored (one core).
 */
void __atomic_store_8(volatile void *p, uint64_t v, int order)
{
	unsigned long flags = port_irq_save();

	(void)order;
	*(volatile uint64_t *)p = v;
	port_irq_restore(flags);
}

/**
 * __atomic_fetch_add_8 - add to a 64-bit value in one piece.
 * @p: the value.
 * @v: what to add.
 * @order: ignored (one core).
 *
 * Return: the value before the addition.
 */
uint64_t __atomic_fetch_add_8(volatile void *p, uint64_t v, int order)
{
	unsigned long flags = port_irq_save();
	uint64_t old = *(volatile uint64_t *)p;

	(void)order;
	*(volatile uint64_t *)p = old + v;
	port_irq_restore(flags);
	return old;
}
