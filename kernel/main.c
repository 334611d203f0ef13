// SPDX-License-Identifier: MIT
/*
 * main.c - the demo kernel's generic start: runs after the arch code has
 * a stack and a console.
 */
#include <ktest.h>
#include <mm_report.h>
#include "kernel.h"

void kmain(void)
{
	unsigned int failed;

	mm_printf("kma: kernel started\n");
	failed = ktest_run(NULL);
	arch_halt(failed ? 1 : 0);
}
