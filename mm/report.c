// SPDX-License-Identifier: MIT
/*
 * report.c - delivery of misuse reports (see mm_report.h).
 *
 * Owns: the report hook pointer. It is changed only while nothing else
 * runs in the allocator (init, or a test between phases) and read with a
 * relaxed atomic load, so a report racing a hook change sees one or the
 * other, never a torn pointer.
 */
#include <kma/port.h>
#include <kma/mm_report.h>

static mm_report_hook_t report_hook;

static const char *const mm_error_names[MM_ERR_NR] = {
	[MM_ERR_NONE]		= "none",
	[MM_ERR_DOUBLE_FREE]	= "double-free",
	[MM_ERR_INVALID_FREE]	= "invalid-free",
	[MM_ERR_INTERIOR_FREE]	= "interior-free",
	[MM_ERR_WRONG_ORDER]	= "wrong-order",
	[MM_ERR_MISALIGNED]	= "misaligned",
	[MM_ERR_RESERVED]	= "reserved",
	[MM_ERR_BAD_SIZE]	= "bad-size",
	[MM_ERR_BAD_ALIGN]	= "bad-align",
	[MM_ERR_BAD_MAP]	= "bad-map",
	[MM_ERR_CORRUPT]	= "corrupt",
	[MM_ERR_LOCK]		= "lock",
	[MM_ERR_OUT_OF_BOUNDS]	= "out-of-bounds",
	[MM_ERR_USE_AFTER_FREE]	= "use-after-free",
};

const char *mm_error_name(enum mm_error error)
{
	if ((unsigned int)error >= MM_ERR_NR)
		return "unknown";
	return mm_error_names[error];
}

mm_report_hook_t mm_set_report_hook(mm_report_hook_t hook)
{
	mm_report_hook_t old;

	old = __atomic_exchange_n(&report_hook, hook, __ATOMIC_ACQ_REL);
	return old ? old : port_report;
}

void mm_report(enum mm_error error, uintptr_t addr, uint64_t info,
	       const char *fmt, ...)
{
	struct mm_report r;	/* no initializer: -Os makes it a memset() */
	mm_report_hook_t hook;
	char line[192];
	int n;
	va_list ap;

	n = mm_snprintf(line, sizeof(line), "mm: %s: ", mm_error_name(error));
	if (n > (int)sizeof(line) - 1)
		n = sizeof(line) - 1;
	va_start(ap, fmt);
	mm_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	r.error = error;
	r.addr = addr;
	r.info = info;
	r.msg = line;

	hook = __atomic_load_n(&report_hook, __ATOMIC_ACQUIRE);
	if (!hook)
		hook = port_report;
	hook(&r);
}
