// SPDX-License-Identifier: MIT
/*
 * test_report.c - the recording report hook (see test_report.h).
 *
 * report_cap is written under cap_lock by the hook, read by the test after
 * the reporting operations have finished.
 */
#include <kma/spinlock.h>
#include <ktest.h>
#include "test_report.h"

struct report_capture report_cap;
static spinlock_t cap_lock = SPINLOCK_INIT("report_cap");
static mm_report_hook_t saved_hook;

static void capture_hook(const struct mm_report *r)
{
	size_t i;

	spin_lock(&cap_lock);
	report_cap.count++;
	report_cap.last_error = r->error;
	report_cap.last_addr = r->addr;
	report_cap.last_info = r->info;
	for (i = 0; i + 1 < sizeof(report_cap.last_msg) && r->msg[i]; i++)
		report_cap.last_msg[i] = r->msg[i];
	report_cap.last_msg[i] = '\0';
	spin_unlock(&cap_lock);
}

void report_capture_begin(void)
{
	report_cap.count = 0;
	report_cap.last_error = MM_ERR_NONE;
	report_cap.last_addr = 0;
	report_cap.last_info = 0;
	report_cap.last_msg[0] = '\0';
	saved_hook = mm_set_report_hook(capture_hook);
}

void report_capture_end(void)
{
	mm_set_report_hook(saved_hook);
}

bool report_msg_has(const char *needle)
{
	const char *h;

	for (h = report_cap.last_msg; *h; h++) {
		const char *a = h, *b = needle;

		while (*a && *b && *a == *b) {
			a++;
			b++;
		}
		if (!*b)
			return true;
	}
	return !*needle;
}

void report_expect(struct ktest *t, const char *file, int line,
		   enum mm_error err, const char *text)
{
	if (report_cap.count != 1)
		ktest_fail(t, file, line, "expected 1 report, got %u",
			   report_cap.count);
	if (report_cap.last_error != err)
		ktest_fail(t, file, line, "expected report kind %s, got %s",
			   mm_error_name(err),
			   mm_error_name(report_cap.last_error));
	if (!report_msg_has(text))
		ktest_fail(t, file, line, "report \"%s\" lacks \"%s\"",
			   report_cap.last_msg, text);
	report_cap.count = 0;
}
