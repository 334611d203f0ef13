// SPDX-License-Identifier: MIT
/*
 * main.c - the host test binary: run the KTAP suites in a process.
 *
 *   ktest-host [filter]
 *
 * filter: comma-separated suite names, '*' suffix for a prefix match.
 * Exit status: 0 if every case passed, 1 otherwise.
 */
#include <stdio.h>
#include <ktest.h>
#include <kma_host.h>

int main(int argc, char **argv)
{
	unsigned int failed;

	setvbuf(stdout, NULL, _IONBF, 0);
	/* The live allocator, as a kernel has it before running tests. */
	if (kma_host_init(0))
		return 1;
	failed = ktest_run(argc > 1 ? argv[1] : NULL);
	return failed ? 1 : 0;
}
