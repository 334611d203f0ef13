// SPDX-License-Identifier: MIT
/*
 * format_test.c - the freestanding printf and the report hook.
 */
#include <ktest.h>
#include <kma/mm_report.h>
#include "test_report.h"

static void test_format_numbers(struct ktest *t)
{
	char b[64];

	mm_snprintf(b, sizeof(b), "%d %u %x %5d|%-4d|%05x", -42, 42u, 0xbeefu,
		    7, 3, 0xabu);
	KT_EXPECT_STREQ(t, b, "-42 42 beef     7|3   |000ab");
	mm_snprintf(b, sizeof(b), "%llx %lu %zu %lld", 0x123456789abcdefULL,
		    4000000000UL, (size_t)17, -9000000000LL);
	KT_EXPECT_STREQ(t, b, "123456789abcdef 4000000000 17 -9000000000");
}

static void test_format_strings(struct ktest *t)
{
	char b[16];
	int n;

	mm_snprintf(b, sizeof(b), "%s|%c|%%|%6s", "ab", 'z', "r");
	KT_EXPECT_STREQ(t, b, "ab|z|%|     r");
	n = mm_snprintf(b, 8, "%s", "0123456789");
	KT_EXPECT_EQ(t, n, 10);
	KT_EXPECT_STREQ(t, b, "0123456");
	mm_snprintf(b, sizeof(b), "%p", (void *)0x1000);
	KT_EXPECT_STREQ(t, b, "0x1000");
}

static void test_report_hook(struct ktest *t)
{
	report_capture_begin();
	mm_report(MM_ERR_DOUBLE_FREE, 0x1234, 7, "object %d", 5);
	mm_report(MM_ERR_INVALID_FREE, 0x5678, 9, "pointer %p", (void *)0x5678);
	report_capture_end();
	KT_EXPECT_EQ(t, report_cap.count, 2);
	KT_EXPECT_EQ(t, report_cap.last_error, MM_ERR_INVALID_FREE);
	KT_EXPECT_EQ(t, report_cap.last_addr, 0x5678);
	KT_EXPECT_EQ(t, report_cap.last_info, 9);
	KT_EXPECT_STREQ(t, report_cap.last_msg,
			"mm: invalid-free: pointer 0x5678");
}

static struct ktest_case format_cases[] = {
	KTEST_CASE(test_format_numbers),
	KTEST_CASE(test_format_strings),
	KTEST_CASE(test_report_hook),
	{}
};
KTEST_SUITE(format, format_cases);
