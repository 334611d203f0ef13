// SPDX-License-Identifier: MIT
/*
 * format_test.c - the freestanding printf and the report hook.
 */
#include <ktest.h>
#include <kma/mm_report.h>
#include <kma/div64.h>
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
	/* 64-bit values beyond a word: kma_div64()'s long path on 32 bits */
	mm_snprintf(b, sizeof(b), "%llu %lld %llX", 18446744073709551615ULL,
		    -9223372036854775807LL - 1, 0xfedcba9876543210ULL);
	KT_EXPECT_STREQ(t, b, "18446744073709551615 -9223372036854775808 "
			"FEDCBA9876543210");
}

static void test_format_flags(struct ktest *t)
{
	char b[64];

	mm_snprintf(b, sizeof(b), "%#x|%#x|%#06x|%#X|%#8x|", 0x1fu, 0u, 0xau,
		    0xabu, 0x10u);
	KT_EXPECT_STREQ(t, b, "0x1f|0|0x000a|0XAB|    0x10|");
	mm_snprintf(b, sizeof(b), "%.3u|%6.4d|%-6.2x|%.3d|%05d", 7u, -5, 0xfu,
		    1234, -42);
	KT_EXPECT_STREQ(t, b, "007| -0005|0f    |1234|-0042");
	mm_snprintf(b, sizeof(b), "%*u|%-*u|%.*s|%.2s|%5.1s|", 4, 1u, 3, 2u,
		    3, "abcdef", "xyz", "pq");
	KT_EXPECT_STREQ(t, b, "   1|2  |abc|xy|    p|");
	mm_snprintf(b, sizeof(b), "%.*s|%.0s|", -1, "all", "none");
	KT_EXPECT_STREQ(t, b, "all||");
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

/*
 * kma_div64() against the compiler's division (a helper call on 32-bit
 * targets), over edge cases and a pseudo-random sweep of dividends and
 * divisors of every width, the top bit of the divisor set among them.
 */
static void test_format_div64(struct ktest *t)
{
	static const uint64_t edge[] = {
		0, 1, 2, 9, 10, 16, 0xffffffffULL, 0x100000000ULL,
		0x123456789abcdefULL, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, 0x8000000000000001ULL,
		0xffffffffffffffffULL,
	};
	uint64_t x = 0x9e3779b97f4a7c15ULL, q, r;
	unsigned int i, j, bad = 0;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		for (j = 1; j < sizeof(edge) / sizeof(edge[0]); j++) {
			q = kma_div64(edge[i], edge[j], &r);
			bad += q != edge[i] / edge[j] || r != edge[i] % edge[j];
		}
	for (i = 0; i < 2000; i++) {
		uint64_t n, d;

		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		n = x >> (i % 61);
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		d = (x >> (i % 64)) | 1;
		q = kma_div64(n, d, &r);
		bad += q != n / d || r != n % d;
	}
	KT_EXPECT_EQ(t, bad, 0);
	KT_EXPECT_EQ(t, kma_div64(0xffffffffffffffffULL, 0x8000000000000001ULL,
				  &r), 1);
	KT_EXPECT_EQ(t, r, 0x7ffffffffffffffeULL);
	KT_EXPECT_EQ(t, kma_div64(1000, 7, NULL), 142);
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
	KTEST_CASE(test_format_flags),
	KTEST_CASE(test_format_div64),
	KTEST_CASE(test_report_hook),
	{}
};
KTEST_SUITE(format, format_cases);
