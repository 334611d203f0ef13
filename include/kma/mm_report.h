/* SPDX-License-Identifier: MIT */
/*
 * mm_report.h - formatted output and misuse reports for mm/ and friends.
 *
 * Every detected misuse (double free, bad pointer, corrupted map, ...)
 * becomes one struct mm_report, formatted as a single line, and goes to
 * the current report hook. The default hook is port_report(); tests
 * install a recording hook, assert on the exact report and carry on. When
 * the hook returns, the operation that was reported has been ignored and
 * the allocator is intact.
 *
 * The hook pointer is written only while the system is quiescent (at init
 * or by a test between phases); it is read without a lock.
 */
#ifndef KMA_MM_REPORT_H
#define KMA_MM_REPORT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* libkma.a: these names stay global, the rest is made local. */
#ifdef KMA_BUILD_LIB
#pragma GCC visibility push(default)
#endif

/**
 * enum mm_error - what kind of misuse or corruption was found.
 */
enum mm_error {
	MM_ERR_NONE = 0,
	MM_ERR_DOUBLE_FREE,	/* object or frame already free */
	MM_ERR_INVALID_FREE,	/* pointer the allocator never handed out */
	MM_ERR_INTERIOR_FREE,	/* pointer inside an object, not its start */
	MM_ERR_WRONG_ORDER,	/* frame freed with a different order */
	MM_ERR_MISALIGNED,	/* frame number not aligned to the order */
	MM_ERR_RESERVED,	/* frame belongs to a reserved range or hole */
	MM_ERR_BAD_SIZE,	/* size overflow or absurd size */
	MM_ERR_BAD_ALIGN,	/* alignment not a power of two, or too large */
	MM_ERR_BAD_MAP,		/* malformed boot memory map entry */
	MM_ERR_CORRUPT,		/* internal invariant broken (validator) */
	MM_ERR_LOCK,		/* spinlock recursion or foreign unlock */
	MM_ERR_OUT_OF_BOUNDS,	/* access past an object (guard pages) */
	MM_ERR_USE_AFTER_FREE,	/* access to a freed object (guard pages) */
	MM_ERR_NR
};

/**
 * struct mm_report - one detected problem.
 * @error: kind of problem.
 * @addr:  the address involved (virtual or physical, as the text says).
 * @info:  extra number (size class, order, ...), meaning per @error.
 * @msg:   the formatted one-line text, without a trailing newline.
 */
struct mm_report {
	enum mm_error error;
	uintptr_t addr;
	uint64_t info;
	const char *msg;
};

typedef void (*mm_report_hook_t)(const struct mm_report *r);

/**
 * mm_set_report_hook - install the sink for misuse reports.
 * @hook: new hook, or NULL for the default (port_report()).
 *
 * Return: the previous hook (never NULL).
 */
mm_report_hook_t mm_set_report_hook(mm_report_hook_t hook);

/**
 * mm_report - format and deliver a report to the current hook.
 * @error: kind of problem.
 * @addr:  address involved.
 * @info:  extra number.
 * @fmt:   printf-style format of the one-line message.
 *
 * Safe with interrupts off and locks held; does not allocate.
 */
void mm_report(enum mm_error error, uintptr_t addr, uint64_t info,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/**
 * mm_error_name - short name of an error kind, e.g. "double-free".
 * @error: the kind.
 */
const char *mm_error_name(enum mm_error error);

/**
 * mm_vsnprintf - freestanding vsnprintf.
 * @buf: destination, always NUL-terminated when @size > 0.
 * @size: size of @buf.
 * @fmt: format: %d %i %u %x %X %p %s %c %%, flags '-' and '0', a width,
 *       length modifiers l, ll, z.
 * @ap: arguments.
 *
 * Return: the length the full output would have had.
 */
int mm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/**
 * mm_snprintf - freestanding snprintf; see mm_vsnprintf().
 */
int mm_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * mm_printf - format into a stack buffer and write through port_print().
 * @fmt: format, see mm_vsnprintf(). Output longer than 256 bytes is cut.
 */
void mm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#ifdef KMA_BUILD_LIB
#pragma GCC visibility pop
#endif

#endif /* KMA_MM_REPORT_H */
