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
#include "../test_mm.h"

/* The options in force are KMA_DEBUG's; with a quarantine, a freed
 * object does not come back at once. Switched off afterwards. */
static void test_debug_env_at_start(struct ktest *t)
{
	test_debug_start_options(t, getenv("KMA_DEBUG"));
}

static struct ktest_case debug_env_cases[] = {
	KTEST_CASE(test_debug_env_at_start),
	{}
};
KTEST_SUITE(debug_env, debug_env_cases);
