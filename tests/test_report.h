/* SPDX-License-Identifier: MIT */
/*
 * test_report.h - a recording report hook for misuse tests.
 *
 * report_capture_begin() installs a hook that records reports instead of
 * panicking; report_capture_end() restores the previous hook. Between the
 * two, cap->count, cap->last_error and cap->last_msg tell what arrived.
 * Reports from any CPU are recorded under a lock.
 */
#ifndef KMA_TEST_REPORT_H
#define KMA_TEST_REPORT_H

#include <kma/mm_report.h>
#include <stdbool.h>

struct report_capture {
	unsigned int count;
	enum mm_error last_error;
	uintptr_t last_addr;
	uint64_t last_info;
	char last_msg[192];
};

extern struct report_capture report_cap;

void report_capture_begin(void);
void report_capture_end(void);

/* Does the last message contain @needle? */
bool report_msg_has(const char *needle);

/*
 * KT_EXPECT_REPORT - the test kit's misuse expectation: exactly one report
 * arrived since the capture began (or since the last KT_EXPECT_REPORT),
 * of kind @err, and its message contains @text. The count starts again
 * at 0, so a test can expect one report per misuse in a row.
 */
struct ktest;
void report_expect(struct ktest *t, const char *file, int line,
		   enum mm_error err, const char *text);
#define KT_EXPECT_REPORT(t, err, text)					\
	report_expect(t, __FILE__, __LINE__, err, text)

#endif
