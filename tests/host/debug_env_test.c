// SPDX-License-Identifier: MIT
/*
 * debug_env_test.c - the host's boot-time choice of the debug mode:
 * KMA_DEBUG in the environment, read by kma_host_init() before mm_init()
 * (the drop-in malloc reads it the same way). make test runs this suite
 * with KMA_DEBUG=quarantine,poison and without.
 */
#include <stdlib.h>
#include <ktest.h>
#include <kma/kmalloc.h>

/* The options in force are KMA_DEBUG's; with a quarantine, a freed
 * object does not come back at once. Switched off afterwards. */
static void test_debug_env_at_start(struct ktest *t)
{
	const char *spec = getenv("KMA_DEBUG");
	unsigned int flags = 0;
	uint64_t qbytes = 0;
	void *p, *q;

	if (spec)
		KT_ASSERT_EQ(t, kmalloc_parse_debug(spec, &flags, &qbytes), 0);
	ktest_log(t, "KMA_DEBUG=%s: options 0x%x", spec ? spec : "(unset)",
		  kmalloc_debug());
	KT_EXPECT_EQ(t, kmalloc_debug(), flags);
	if (!(flags & KMA_DEBUG_QUARANTINE))
		return;
	p = kmalloc(40, GFP_KERNEL);
	kfree(p);
	q = kmalloc(40, GFP_KERNEL);
	KT_EXPECT(t, q != p);
	kfree(q);
	KT_EXPECT_EQ(t, kmalloc_set_debug(0, 0), 0);
}

static struct ktest_case debug_env_cases[] = {
	KTEST_CASE(test_debug_env_at_start),
	{}
};
KTEST_SUITE(debug_env, debug_env_cases);
