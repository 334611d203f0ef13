# SPDX-License-Identifier: MIT
#
# build.mk - how the host port is built (ARCH=host, the default): mm/ in
# a Linux process, where CPUs are threads, for the unit suites, the
# sanitizers, the drop-in malloc and the benchmarks. The Makefile
# includes it; its host-only targets (ktest-host, the drop-in, the
# benchmark programs) stay in the Makefile.

# Toolchain: the host's gcc, clang for ThreadSanitizer (SAN=tsan).
HOST_GCC := $(if $(filter tsan,$(SAN)),clang,gcc)

# The instruction set extensions of the allocator's bit counts (X86_ISA,
# Makefile): the build machine's CPU runs the tests and the drop-in, so
# the set is used when that CPU has all four (/proc/cpuinfo: popcnt,
# bmi1, bmi2, abm = lzcnt) and $(CC) accepts them; gcc and clang both
# do. Found once, on first use ($(CC) is known only then).
ifeq ($(origin HOST_MARCH),undefined)
HOST_MARCH = $(eval HOST_MARCH := $(shell \
	f=$$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null) && \
	for x in popcnt bmi1 bmi2 abm; do \
		echo "$$f" | grep -qw $$x || exit 0; \
	done && \
	$(CC) $(X86_ISA) -x c -c -o /dev/null /dev/null 2>/dev/null && \
		echo "$(X86_ISA)"))$(HOST_MARCH)
endif

ARCH_CFLAGS = -pthread -fno-omit-frame-pointer $(HOST_MARCH) \
	-DPORT_INLINE_HEADER='<kma/port/host.h>'
ifeq ($(SAN),asan)
ARCH_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=undefined
endif
ifeq ($(SAN),tsan)
ARCH_CFLAGS += -fsanitize=thread
endif
# host32 (make ARCH=host32): Debian's gcc-multilib package, whose
# /usr/include/asm link shows the (bi-arch) x86 kernel headers to -m32,
# conflicts with the cross compilers; its parts (gcc-12-multilib,
# libc6-dev-i386) do not, and the link's target is searched last instead.
ifeq ($(HOST32),1)
ARCH_CFLAGS += -m32 $(if $(wildcard /usr/include/asm/errno.h),,-idirafter \
	/usr/include/$(shell gcc -print-multiarch 2>/dev/null))
endif
ARCH_LDFLAGS = -pthread $(filter -fsanitize=%,$(ARCH_CFLAGS)) \
	$(filter -m32,$(ARCH_CFLAGS))

ARCH_SRCS := $(sort $(wildcard arch/host/*.c))
