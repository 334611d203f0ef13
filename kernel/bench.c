// SPDX-License-Identifier: MIT
/* placeholder replaced below */
#include "kernel.h"
void kernel_bench(void)
{
}
