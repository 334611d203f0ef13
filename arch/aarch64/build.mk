# SPDX-License-Identifier: MIT
#
# build.mk - how the AArch64 demo kernel is built: the Makefile includes
# it for ARCH=aarch64 (docs/PORTING.md, "Adding an architecture", lists
# what a fragment sets). Flags are recursive (=): they may name
# KERNEL_CFLAGS, which the Makefile sets once the compiler is known.

# Toolchain: Debian's Linux cross compiler, or a bare-metal one.
ifeq ($(origin CROSS_COMPILE),undefined)
CROSS_COMPILE := $(shell \
	if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then \
		echo aarch64-linux-gnu-; \
	elif command -v aarch64-none-elf-gcc >/dev/null 2>&1; then \
		echo aarch64-none-elf-; \
	fi)
endif
LLVM_TARGET := aarch64-unknown-none-elf

# No FP/SIMD register in the kernel; no unaligned access (the device
# tree is read with the MMU off); atomics inline (no libgcc helpers).
# Interrupt entry calls kma_rcs_fixup(): restartable fast paths.
ARCH_RCS := 1

ARCH_CFLAGS = $(KERNEL_CFLAGS) -mgeneral-regs-only -mstrict-align
ifneq ($(LLVM),1)
ARCH_CFLAGS += -mno-outline-atomics
endif

# Objects, linker script, images: QEMU boots the raw Image (Linux arm64
# boot protocol), made from the ELF.
ARCH_SRCS := $(sort $(wildcard arch/aarch64/*.c arch/aarch64/*.S)) \
	drivers/arm_timer.c drivers/gicv2.c drivers/pl011.c
LDSCRIPT := linker/aarch64.ld
ARCH_IMAGES := Image
