// SPDX-License-Identifier: MIT
/*
 * ktest.c - the KTAP runner behind ktest.h.
 *
 * Owns: iteration over the "ktest_suites" section and the KTAP output.
 * Suites run one after another on the calling CPU; a case may start
 * threads (host) or use other CPUs (kernels) but must have finished them
 * when it returns. No locks: the runner itself is single-threaded.
 */
#include <stdarg.h>
#include <ktest.h>
#include <kma/mm_report.h>

extern struct ktest_suite *__start_ktest_suites[];
extern struct ktest_suite *__stop_ktest_suites[];

bool ktest_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

void ktest_fail(struct ktest *t, const char *file, int line,
		const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	t->failures++;
	va_start(ap, fmt);
	mm_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mm_printf("        # %s: %s:%d: %s\n", t->name, file, line, buf);
}

void ktest_log(struct ktest *t, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	mm_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	mm_printf("        # %s: %s\n", t->name, buf);
}

/* Does @name contain @pat[0..len) at offset @at, or anywhere if @any? */
static bool ktest_match_at(const char *name, const char *pat, size_t len,
			   bool any, bool whole)
{
	size_t n = 0, i, at;

	while (name[n])
		n++;
	for (at = 0; at + len <= n; at++) {
		for (i = 0; i < len && name[at + i] == pat[i]; i++)
			;
		if (i == len && (!whole || at + len == n))
			return true;
		if (!any)
			return false;
	}
	return false;
}

/*
 * One pattern: "name" exact, "pre*" prefix, "*suf" suffix, "*mid*"
 * substring.
 */
static bool ktest_match_one(const char *name, const char *pat, size_t len)
{
	bool lead = len && pat[0] == '*';

	if (lead) {
		pat++;
		len--;
	}
	if (len && pat[len - 1] == '*')
		return ktest_match_at(name, pat, len - 1, lead, false);
	if (lead) {
		size_t n = 0;

		while (name[n])
			n++;
		return n >= len && ktest_match_at(name + n - len, pat, len,
						  false, true);
	}
	return ktest_match_at(name, pat, len, false, true);
}

static bool ktest_match(const char *name, const char *filter)
{
	const char *p = filter;

	if (!filter || !*filter)
		return true;
	while (*p) {
		const char *e = p;

		while (*e && *e != ',')
			e++;
		if (e > p && ktest_match_one(name, p, (size_t)(e - p)))
			return true;
		p = *e ? e + 1 : e;
	}
	return false;
}

static unsigned int ktest_run_suite(struct ktest_suite *s, unsigned int nr)
{
	unsigned int n = 0, i, failed = 0;

	while (s->cases[n].name)
		n++;
	mm_printf("    KTAP version 1\n    # Subtest: %s\n    1..%u\n",
		  s->name, n);
	for (i = 0; i < n; i++) {
		struct ktest t = { .name = s->cases[i].name };

		if (s->init && s->init(&t) != 0)
			ktest_fail(&t, __FILE__, __LINE__, "suite init failed");
		else
			s->cases[i].run(&t);
		if (s->exit)
			s->exit(&t);
		if (t.failures)
			failed++;
		mm_printf("    %sok %u %s\n", t.failures ? "not " : "", i + 1,
			  s->cases[i].name);
	}
	mm_printf("%sok %u %s\n", failed ? "not " : "", nr, s->name);
	return failed;
}

unsigned int ktest_run(const char *filter)
{
	struct ktest_suite **sp;
	unsigned int nsuites = 0, nr = 0, failed = 0;

	for (sp = __start_ktest_suites; sp < __stop_ktest_suites; sp++)
		if (*sp && ktest_match((*sp)->name, filter))
			nsuites++;
	mm_printf("KTAP version 1\n1..%u\n", nsuites);
	for (sp = __start_ktest_suites; sp < __stop_ktest_suites; sp++)
		if (*sp && ktest_match((*sp)->name, filter))
			failed += ktest_run_suite(*sp, ++nr);
	mm_printf("# ktest: %u failed case(s)\n", failed);
	return failed;
}
