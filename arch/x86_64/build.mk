# SPDX-License-Identifier: MIT
#
# build.mk - how the x86-64 demo kernel is built: the Makefile includes
# it for ARCH=x86_64 (docs/PORTING.md, "Adding an architecture", lists
# what a fragment sets). Flags are recursive (=): they may name
# KERNEL_CFLAGS, which the Makefile sets once the compiler is known.

# Toolchain: the host's gcc (no cross prefix), or clang for this target.
LLVM_TARGET := x86_64-unknown-none-elf

# The instruction set extensions of the allocator's bit counts
# (X86_ISA, Makefile): every QEMU launch passes -cpu max, which has them
# (arch/x86_64/qemu.conf), as has every x86-64 CPU since Haswell (2013)
# and Excavator (2015); arch/x86_64/boot.c checks CPUID at boot and says
# which one is missing.
X86_64_MARCH ?= $(X86_ISA)

# Interrupt entry calls kma_rcs_fixup(): restartable fast paths.
ARCH_RCS := 1

ARCH_CFLAGS = $(KERNEL_CFLAGS) -m64 -mno-red-zone -mno-sse -mno-sse2 \
	-mno-mmx -mno-80387 -mno-avx $(X86_64_MARCH)

# Objects, linker script, images: QEMU boots the ELF (its PVH note),
# GRUB the same file through multiboot2 (make iso).
ARCH_SRCS := $(sort $(wildcard arch/x86_64/*.c arch/x86_64/*.S))
LDSCRIPT := linker/x86_64.ld
ARCH_IMAGES :=
