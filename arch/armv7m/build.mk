# SPDX-License-Identifier: MIT
#
# build.mk - how the ARMv7-M (Cortex-M3, QEMU mps2-an385) demo kernel is
# built: the Makefile includes it for ARCH=armv7m (docs/PORTING.md,
# "Adding an architecture", lists what a fragment sets). Flags are
# recursive (=): they may name KERNEL_CFLAGS, which the Makefile sets
# once the compiler is known.

# Toolchain: the GNU Arm Embedded Toolchain (Debian's gcc-arm-none-eabi).
CROSS_COMPILE ?= arm-none-eabi-
LLVM_TARGET := thumbv7m-none-eabi

# Cortex-M3: Thumb-2 only, no FP, one core. The per-CPU tables of mm/
# and kernel/ are sized for that one CPU (PORT_MAX_CPUS=1). The core
# takes unaligned word accesses, but the kernel is built as the 32-bit
# Arm one is, without them.
ARCH_CFLAGS = $(KERNEL_CFLAGS) -mcpu=cortex-m3 -mthumb -mfloat-abi=soft \
	-mno-unaligned-access -fno-unwind-tables -DPORT_MAX_CPUS=1 \
	-DTMEM_POOL_FRAMES=0 $(if $(filter 1,$(LLVM)),-Wno-atomic-alignment)
# No compiler runtime is linked: the 32-bit Arm kernel's helpers
# (arch/arm/lib.c, arch/arm/aeabi.S: 64-bit division, __ctzdi2, the
# run-time ABI's memory functions) assemble for Thumb-2 as well.
NO_LIBGCC := 1
# The SysTick entry calls kma_rcs_fixup(): restartable fast paths.
ARCH_RCS := 1

# Objects, linker script, images: QEMU loads the ELF's segments at their
# load addresses and the core starts from the vector table at 0.
ARCH_SRCS := $(sort $(wildcard arch/armv7m/*.c arch/armv7m/*.S)) \
	arch/arm/lib.c arch/arm/aeabi.S
LDSCRIPT := linker/armv7m.ld
ARCH_IMAGES :=

# make BENCH=1: newlib's malloc and newlib-nano's from this multilib run
# beside kma in the benchmark kernel (tools/newlib-objs.sh).
NEWLIB_CPU := -mcpu=cortex-m3 -mthumb
