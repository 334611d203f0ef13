# SPDX-License-Identifier: MIT
#
# build.mk - how the 32-bit Arm (ARMv7-A, Cortex-A15) demo kernel is
# built: the Makefile includes it for ARCH=arm (docs/PORTING.md, "Adding
# an architecture", lists what a fragment sets). Flags are recursive (=):
# they may name KERNEL_CFLAGS, which the Makefile sets once the compiler
# is known.

# Toolchain: the GNU Arm Embedded Toolchain (Debian's gcc-arm-none-eabi).
CROSS_COMPILE ?= arm-none-eabi-
LLVM_TARGET := armv7a-none-eabi

# 32-bit Arm: ARM state, no FP/SIMD code, no unaligned accesses (real
# cores fault them while the MMU is off, when the device tree is read).
# arm-none-eabi-gcc's uint32_t and int32_t are `long' (clang's are
# `int'): a uint32_t is printed with %u and a cast to unsigned int.
# Interrupt entry calls kma_rcs_fixup(): restartable fast paths.
ARCH_RCS := 1

ARCH_CFLAGS = $(KERNEL_CFLAGS) -mcpu=cortex-a15 -marm -mfloat-abi=soft \
	-mno-unaligned-access -fno-unwind-tables
# arm links no compiler runtime at all: arch/arm/lib.c provides the few
# helpers the compilers call (64-bit division, bit counts, memory).
NO_LIBGCC := 1

# Objects, linker script, images: QEMU boots the raw Image, which it
# loads as a Linux zImage (DTB address in r2), made from the ELF.
ARCH_SRCS := $(sort $(wildcard arch/arm/*.c arch/arm/*.S)) \
	drivers/arm_timer.c drivers/gicv2.c drivers/pl011.c
LDSCRIPT := linker/arm.ld
ARCH_IMAGES := Image

# make BENCH=1: newlib's malloc and newlib-nano's from this multilib run
# beside kma in the benchmark kernel (tools/newlib-objs.sh).
NEWLIB_CPU := -mcpu=cortex-a15 -marm
