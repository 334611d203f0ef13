// SPDX-License-Identifier: MIT
/*
 * printk.c - the kernel console: printk(), the log buffer, and
 * kernel_console_write(), which kma's port_print() (kma_port.c) and the
 * test framework write through.
 *
 * Owns: log_buf (a ring of the last LOG_BUF_SIZE bytes printed) and the
 * console lock.
 *
 * Locking: console_owner is a recursive-safe lock: it holds the id + 1 of
 * the CPU writing, 0 when free. Every write (console and log buffer) is
 * done under it with interrupts disabled, so lines from different CPUs do
 * not interleave. A CPU that already holds it (an exception or an NMI
 * while printing) writes without waiting, and so does every CPU once a
 * panic has started, so that the panic message always gets out.
 *
 * Invariant: log_head counts every byte ever written; the ring holds the
 * last min(log_head, LOG_BUF_SIZE) of them, the newest at
 * (log_head - 1) % LOG_BUF_SIZE.
 */
#include <stdarg.h>
#include <kma/mm_report.h>
#include <kma/spinlock.h>
#include "kernel.h"

#define LOG_BUF_SIZE	(1u << 16)

static char log_buf[LOG_BUF_SIZE];
static uint64_t log_head;
static unsigned int console_owner;	/* cpu + 1, 0 = free; atomic */

static unsigned int console_lock(void)
{
	unsigned int me = port_cpu_id() + 1;
	unsigned int free_val;

	if (__atomic_load_n(&console_owner, __ATOMIC_RELAXED) == me)
		return 0;		/* nested: exception while printing */
	for (;;) {
		free_val = 0;
		if (__atomic_compare_exchange_n(&console_owner, &free_val, me,
						false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED))
			return 1;
		if (kernel_in_panic())
			return 0;
		cpu_relax();
	}
}

static void console_unlock(unsigned int taken)
{
	if (taken)
		__atomic_store_n(&console_owner, 0, __ATOMIC_RELEASE);
}

static void log_store(const char *s, size_t len)
{
	while (len--)
		log_buf[log_head++ % LOG_BUF_SIZE] = *s++;
}

/* Write @len bytes to the log and the console, serialised. */
void kernel_console_write(const char *s, size_t len)
{
	unsigned long flags = port_irq_save();
	unsigned int taken = console_lock();

	log_store(s, len);
	arch_console_write(s, len);
	console_unlock(taken);
	port_irq_restore(flags);
}

void vprintk(const char *fmt, va_list ap)
{
	char buf[512];
	int n;

	n = mm_vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	kernel_console_write(buf, (size_t)n);
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

size_t printk_log_copy(char *dst, size_t len)
{
	uint64_t head = log_head, start, i;
	uint64_t held = head < LOG_BUF_SIZE ? head : LOG_BUF_SIZE;

	if (len > held)
		len = held;
	start = head - len;
	for (i = 0; i < len; i++)
		dst[i] = log_buf[(start + i) % LOG_BUF_SIZE];
	return len;
}

uint64_t printk_log_bytes(void)
{
	return log_head;
}
