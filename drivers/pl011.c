// SPDX-License-Identifier: MIT
/*
 * pl011.c - the Arm PrimeCell UART (PL011) as a polled console, for both
 * Arm kernels: bytes out, "\n" as "\r\n". It works with the MMU off (the
 * early messages) and on, at the address the caller gives.
 *
 * State: none. Callers serialise whole lines (printk's console lock);
 * the registers are the device's.
 */
#include "pl011.h"

#define PL011_DR	0x00
#define PL011_FR	0x18
#define PL011_FR_TXFF	(1U << 5)

/* One byte, after waiting (boundedly) for room in the transmit FIFO. */
static void pl011_putc(uintptr_t base, char c)
{
	volatile uint32_t *fr = (volatile uint32_t *)(base + PL011_FR);
	volatile uint32_t *dr = (volatile uint32_t *)(base + PL011_DR);
	unsigned int spins = 1000000;

	while ((*fr & PL011_FR_TXFF) && --spins)
		;
	*dr = (uint32_t)(unsigned char)c;
}

/**
 * pl011_write - write raw bytes to a PL011.
 * @base: the UART's registers.
 * @s: text.
 * @len: bytes.
 */
void pl011_write(uintptr_t base, const char *s, size_t len)
{
	while (len--) {
		if (*s == '\n')
			pl011_putc(base, '\r');
		pl011_putc(base, *s++);
	}
}
