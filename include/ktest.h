/* SPDX-License-Identifier: MIT */
/*
 * ktest.h - a small KUnit-like test framework that prints KTAP version 1.
 *
 * The same test sources run in the host test binary and inside the booted
 * kernels. A test file defines cases and a suite and registers it:
 *
 *	static void test_add(struct ktest *t)
 *	{
 *		KT_EXPECT_EQ(t, 1 + 1, 2);
 *	}
 *	static struct ktest_case demo_cases[] = {
 *		KTEST_CASE(test_add),
 *		{}
 *	};
 *	KTEST_SUITE(demo, demo_cases);
 *
 * Suites are collected through the "ktest_suites" linker section (the
 * kernels' linker scripts KEEP it and define __start_/__stop_ symbols).
 * ktest_run() prints one KTAP document: a plan over suites, each suite a
 * nested subtest with one line per case.
 *
 * KT_EXPECT_* records a failure and continues; KT_ASSERT_* records it and
 * returns from the calling function (use them in the case function
 * itself). Every failure prints file:line and both values.
 */
#ifndef KMA_KTEST_H
#define KMA_KTEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

struct ktest {
	const char *name;
	unsigned int failures;
	unsigned int checks;
};

struct ktest_case {
	const char *name;
	void (*run)(struct ktest *t);
};

/**
 * struct ktest_suite - a named list of cases.
 * @name:  suite name, printed as the subtest name.
 * @cases: array ending with an empty entry.
 * @init:  optional, run before each case; non-zero fails the case.
 * @exit:  optional, run after each case.
 */
struct ktest_suite {
	const char *name;
	struct ktest_case *cases;
	int (*init)(struct ktest *t);
	void (*exit)(struct ktest *t);
};

#define KTEST_CASE(fn) { .name = #fn, .run = fn }

#define KTEST_SUITE_FULL(sym, cases_, init_, exit_)			\
	static struct ktest_suite sym##_suite = {			\
		.name = #sym, .cases = cases_,				\
		.init = init_, .exit = exit_,				\
	};								\
	static struct ktest_suite *sym##_suite_ptr			\
	__attribute__((used, section("ktest_suites"), aligned(8))) =	\
		&sym##_suite

#define KTEST_SUITE(sym, cases_) KTEST_SUITE_FULL(sym, cases_, NULL, NULL)

void ktest_fail(struct ktest *t, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 4, 5)));
void ktest_log(struct ktest *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * ktest_run - run every registered suite whose name matches @filter.
 * @filter: NULL or "" for all; otherwise a comma-separated list of suite
 *          names, each optionally ending in '*' for a prefix match,
 *          starting with '*' for a suffix match, or both ("*threads*")
 *          for a substring match.
 *
 * Return: number of failed cases.
 */
unsigned int ktest_run(const char *filter);

#define __KT_CHECK(t, cond, ret, ...)					\
	do {								\
		(t)->checks++;						\
		if (!(cond)) {						\
			ktest_fail((t), __FILE__, __LINE__, __VA_ARGS__); \
			ret;						\
		}							\
	} while (0)

#define __KT_CMP(t, a, op, b, ret)					\
	do {								\
		unsigned long long __a = (unsigned long long)(a);	\
		unsigned long long __b = (unsigned long long)(b);	\
		__KT_CHECK(t, __a op __b, ret,				\
			   "expected %s %s %s, got %lld (0x%llx) vs %lld (0x%llx)", \
			   #a, #op, #b, (long long)__a, __a,		\
			   (long long)__b, __b);			\
	} while (0)

#define __KT_SCMP(t, a, op, b, ret)					\
	do {								\
		long long __a = (long long)(a);				\
		long long __b = (long long)(b);				\
		__KT_CHECK(t, __a op __b, ret,				\
			   "expected %s %s %s, got %lld vs %lld",	\
			   #a, #op, #b, __a, __b);			\
	} while (0)

#define KT_EXPECT(t, c)		__KT_CHECK(t, c, (void)0, "expected %s", #c)
#define KT_ASSERT(t, c)		__KT_CHECK(t, c, return, "expected %s", #c)
#define KT_EXPECT_EQ(t, a, b)	__KT_CMP(t, a, ==, b, (void)0)
#define KT_EXPECT_NE(t, a, b)	__KT_CMP(t, a, !=, b, (void)0)
#define KT_EXPECT_LT(t, a, b)	__KT_CMP(t, a, <, b, (void)0)
#define KT_EXPECT_LE(t, a, b)	__KT_CMP(t, a, <=, b, (void)0)
#define KT_EXPECT_GT(t, a, b)	__KT_CMP(t, a, >, b, (void)0)
#define KT_EXPECT_GE(t, a, b)	__KT_CMP(t, a, >=, b, (void)0)
#define KT_ASSERT_EQ(t, a, b)	__KT_CMP(t, a, ==, b, return)
#define KT_ASSERT_NE(t, a, b)	__KT_CMP(t, a, !=, b, return)
#define KT_ASSERT_LT(t, a, b)	__KT_CMP(t, a, <, b, return)
#define KT_ASSERT_LE(t, a, b)	__KT_CMP(t, a, <=, b, return)
#define KT_ASSERT_GT(t, a, b)	__KT_CMP(t, a, >, b, return)
#define KT_ASSERT_GE(t, a, b)	__KT_CMP(t, a, >=, b, return)
#define KT_EXPECT_SEQ(t, a, b)	__KT_SCMP(t, a, ==, b, (void)0)
#define KT_ASSERT_SEQ(t, a, b)	__KT_SCMP(t, a, ==, b, return)
#define KT_EXPECT_NULL(t, p)	KT_EXPECT(t, (p) == NULL)
#define KT_ASSERT_NOT_NULL(t, p) KT_ASSERT(t, (p) != NULL)
#define KT_EXPECT_STREQ(t, a, b)					\
	__KT_CHECK(t, ktest_streq((a), (b)), (void)0,			\
		   "expected %s == %s, got \"%s\" vs \"%s\"", #a, #b,	\
		   (a), (b))

bool ktest_streq(const char *a, const char *b);
#define KT_EXPECT_NOT_NULL(t, p) KT_EXPECT(t, (p) != NULL)

/*
 * The test kit's random numbers: xorshift64 (shifts 13, 7, 17), one
 * state per user (a suite, a thread, a CPU), so runs repeat exactly from
 * their seeds. A state must not be 0.
 */
struct ktest_rng {
	uint64_t s;
};

static inline uint64_t ktest_rand(struct ktest_rng *r)
{
	r->s ^= r->s << 13;
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

/* Uniform enough in [0, @n) for tests; 0 when @n is 0. */
static inline uint64_t ktest_rand_below(struct ktest_rng *r, uint64_t n)
{
	return n ? ktest_rand(r) % n : 0;
}

#endif /* KMA_KTEST_H */
