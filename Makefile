# SPDX-License-Identifier: MIT
#
# Build for one target per invocation:
#
#   make [ARCH=host|x86_64|aarch64|arm|armv7m] [LLVM=1] [CROSS_COMPILE=prefix-] [V=1]
#   make ARCH=host SAN=asan|tsan        sanitizer builds of the host port
#   make ARCH=host32    the host port's unit suites as a 32-bit program
#                       (gcc -m32): build/host32/ktest-host
#   make test      every test: host (plain, ASan+UBSan, TSan, 32-bit), QEMU
#   make run       boot the demo kernel in QEMU (ARCH=x86_64 by default)
#   make iso       build/x86_64/kma.iso: GRUB boots the kernel via multiboot2
#   make stress    smp_stress soak on -smp 1/2/4/8 x -m 128M/3G/8G in QEMU
#   make bench     malloc benchmarks against glibc, jemalloc, tcmalloc, mimalloc
#   make lib       build/<arch>/libkma.a: mm/ alone, to link into a kernel
#   make install   [DESTDIR=...] [PREFIX=/usr/local] headers, archive,
#                  kma.pc and the make fragment share/kma/kma.mk
#   make fuzz      FUZZ_SECONDS=N: every libFuzzer harness (fuzz/) for N s
#   make clean
#
# Objects go to build/<arch>[-<san>]/. mm/ is compiled with include/ as its
# only include directory, and every mm/ object's dependency list is checked
# so that no header from arch/, boot/ or kernel/ slips in.

ARCH ?= host
SAN ?=
V ?= 0
LLVM ?=

ifeq ($(V),1)
Q :=
else
Q := @
endif
# make -s: no "CC file" lines either.
ifneq ($(findstring s,$(firstword -$(MAKEFLAGS))),)
V := s
endif

# ARCH=host32: the host build again with gcc -m32 (arch/host/build.mk,
# HOST32=1) into build/host32/, the unit suites' binary only; size_t,
# pointers and unsigned long have 32 bits there, as on the 32-bit Arm
# targets.
ifeq ($(ARCH),host32)
host32:
	$(Q)$(MAKE) --no-print-directory ARCH=host BUILD=build/host32 \
		HOST_MARCH= HOST32=1 SAN= build/host32/ktest-host

all: host32

clean help:
	$(Q)$(MAKE) --no-print-directory ARCH=host $@

.PHONY: host32 all clean help
else

# One folder per architecture: arch/<name>/build.mk says how to build it
# (toolchain, flags, objects, linker script, images; docs/PORTING.md).
ARCHES := $(sort $(patsubst arch/%/build.mk,%,$(wildcard arch/*/build.mk)))
ifeq ($(filter $(ARCH),$(ARCHES)),)
$(error ARCH must be one of $(ARCHES) or host32, not '$(ARCH)')
endif

ifneq ($(SAN),)
ifneq ($(ARCH),host)
$(error SAN= applies to ARCH=host only)
endif
ifeq ($(filter $(SAN),asan tsan),)
$(error SAN must be asan or tsan, not '$(SAN)')
endif
endif

# ---------------------------------------------------------------- toolchain
# The fragment sets CROSS_COMPILE's default and LLVM_TARGET, clang's
# target triple (and may name the gcc driver: HOST_GCC); its flags are
# expanded below.
include arch/$(ARCH)/build.mk

ifeq ($(LLVM),1)
CLANG_TARGET := $(if $(LLVM_TARGET),--target=$(LLVM_TARGET))
CC := clang
LD := ld.lld
AR := llvm-ar
OBJCOPY := llvm-objcopy
else
CC := $(or $(HOST_GCC),$(CROSS_COMPILE)gcc)
LD := $(CROSS_COMPILE)ld
AR := $(CROSS_COMPILE)ar
OBJCOPY := $(CROSS_COMPILE)objcopy
endif

# BENCH=1: a kernel or host build for measurements, in its own
# directory, without the test builds' checks (FAULT below).
BUILD := build/$(ARCH)$(if $(SAN),-$(SAN))$(if $(filter 1,$(LLVM)),-llvm)$(if $(filter 1,$(BENCH)),-bench)

# ---------------------------------------------------------------- flags
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes
CSTD := -std=gnu11
OPT ?= -O2
COMMON := $(CSTD) $(OPT) -g $(WARN) -fno-common -MMD -MP $(CLANG_TARGET)

MM_INC := -Iinclude

# Instruction set extensions. The allocator counts bits in its bitmap
# words (kma_popcount() over span bitmaps, kma_ctz() in the kmalloc fast
# path and the frame and page-heap searches: mm/bitops.h); without these
# flags an x86-64 kernel counts with shifts and masks, the host calls
# libgcc (__popcountdi2), and ctz is bsf. Integer instructions only, so
# kernels keep their no-FP/SIMD rule. The host (arch/host/build.mk:
# HOST_MARCH, when the build machine has them) and the x86-64 kernel
# (arch/x86_64/build.mk: X86_64_MARCH) use them. Override on the command
# line, e.g. HOST_MARCH= (none), HOST_MARCH=-march=native,
# X86_64_MARCH=-mpopcnt (x86-64-v2 machines).
X86_ISA := -mpopcnt -mbmi -mbmi2 -mlzcnt

ifneq ($(ARCH),host)
# Freestanding kernel: no hosted libc headers, only the compiler's own
# (stddef.h, stdint.h, stdarg.h, stdbool.h). port_cpu_id() and
# port_irq_save/restore() inline in every caller. The fragment's
# ARCH_CFLAGS start with these.
COMPILER_INC := $(shell $(CC) $(CLANG_TARGET) -print-file-name=include)
KERNEL_CFLAGS := -ffreestanding -fno-builtin -nostdinc \
	-isystem $(COMPILER_INC) \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -DKMA_KERNEL \
	-DPORT_INLINE_HEADER='<kma/port/$(ARCH).h>'
# The compiler runtime, unless the fragment says NO_LIBGCC := 1 (it
# provides the helpers itself); clang's kernels link none.
LIBGCC := $(if $(filter 1,$(LLVM))$(NO_LIBGCC),,\
	$(shell $(CC) -print-libgcc-file-name))
endif

# Test builds (host, sanitizers, demo kernels) have fail-nth fault
# injection (mm/fault.h) and the lock rules as checks (mm/lockdep.c);
# libkma.a and the drop-in do not.
FAULT := $(if $(filter 1,$(BENCH)),,-DKMA_FAULT_INJECT -DKMA_LOCKDEP)
# The demo kernels whose interrupt entry calls kma_rcs_fixup() build the
# fast paths as restartable sections (port.h, KMA_RCS; the fragment sets
# ARCH_RCS := 1). libkma.a has them only with make lib KMA_RCS=1, since
# they need that call from the kernel it links into.
RCS := $(if $(filter 1,$(ARCH_RCS)),-DKMA_RCS)
CFLAGS_MM := $(COMMON) $(ARCH_CFLAGS) $(MM_INC) $(FAULT) $(RCS) \
	$(EXTRA_CFLAGS)
CFLAGS_ALL := $(COMMON) $(ARCH_CFLAGS) -Iinclude -Iarch/$(ARCH)/include \
	-Idrivers -Iboot -Ikernel -Itests $(FAULT) $(RCS) $(EXTRA_CFLAGS)

# ---------------------------------------------------------------- sources
MM_SRCS := $(sort $(wildcard mm/*.c))
# lib/: helpers that mm/, boot/ and kernel/ share (the formatter); built
# with mm/'s rules (include/ only) and part of everything mm/ goes into.
LIBC_SRCS := $(sort $(wildcard lib/*.c))
BOOT_SRCS := $(sort $(wildcard boot/*.c))
TEST_SRCS := $(sort $(wildcard tests/*.c))

MM_OBJS := $(MM_SRCS:%.c=$(BUILD)/%.o) $(LIBC_SRCS:%.c=$(BUILD)/%.o)
BOOT_OBJS := $(BOOT_SRCS:%.c=$(BUILD)/%.o)
TEST_OBJS := $(TEST_SRCS:%.c=$(BUILD)/%.o)
ARCH_OBJS := $(patsubst %.S,$(BUILD)/%.o,$(ARCH_SRCS:%.c=$(BUILD)/%.o))

ifeq ($(ARCH),host)
HOST_TEST_SRCS := $(sort $(wildcard tests/host/*.c))
HOST_TEST_OBJS := $(HOST_TEST_SRCS:%.c=$(BUILD)/%.o)
LIB := $(BUILD)/libkmalloc.a
TEST_BIN := $(BUILD)/ktest-host
TOOL_SRCS := $(sort $(wildcard tools/bench/*.c))
TOOL_BINS := $(TOOL_SRCS:tools/bench/%.c=$(BUILD)/bench/%)
all: $(LIB) $(TEST_BIN) $(TOOL_BINS)
else
KERNEL_SRCS := $(sort $(wildcard kernel/*.c))
KERNEL_OBJS := $(KERNEL_SRCS:%.c=$(BUILD)/%.o)
KERNEL := $(BUILD)/kernel.elf
ALL_KOBJS := $(ARCH_OBJS) $(KERNEL_OBJS) $(BOOT_OBJS) $(MM_OBJS) $(TEST_OBJS)
# A benchmark kernel whose build.mk names NEWLIB_CPU (the multilib's
# CPU flags) also links newlib's malloc and newlib-nano's, renamed
# (tools/newlib-objs.sh, kernel/bench_newlib.c).
ifeq ($(BENCH)$(if $(NEWLIB_CPU),y),1y)
NEWLIB_OBJS := $(BUILD)/newlib/newlib.o $(BUILD)/newlib/newlib-nano.o
ALL_KOBJS += $(NEWLIB_OBJS)
CFLAGS_ALL += -DKMA_BENCH_NEWLIB
endif
all: $(KERNEL) $(addprefix $(BUILD)/,$(ARCH_IMAGES))
ifneq ($(NEWLIB_OBJS),)
$(NEWLIB_OBJS) &: tools/newlib-objs.sh
	@$(if $(filter 0,$(V)),echo "  NEWLIB  $(BUILD)/newlib")
	$(Q)tools/newlib-objs.sh arm-none-eabi-gcc $(BUILD)/newlib \
		"$(NEWLIB_CPU)"
endif
endif

.PHONY: all clean test run check-boundary help deps stress bench preload iso \
	lib install FORCE fuzz fuzz-replay

# ---------------------------------------------------------------- rules
# Objects are rebuilt when the flags may have changed.
MAKE_DEPS := Makefile arch/$(ARCH)/build.mk

# mm/ and lib/ objects: include/ only, then prove it from the dependency
# file.
define cc_mm
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS_MM) -c $< -o $@
	$(Q)if sed -e 's/^[^:]*://' $(@:.o=.d) | tr ' ' '\n' | \
		grep -E '(^|/)(arch|boot|kernel)/'; then \
		echo "error: $< includes a header from arch/, boot/ or kernel/;" \
		     "mm/ and lib/ may only use include/ (see include/kma/port.h)" >&2; \
		rm -f $@; exit 1; fi
endef

$(BUILD)/mm/%.o: mm/%.c $(MAKE_DEPS)
	$(cc_mm)

$(BUILD)/lib/%.o: lib/%.c $(MAKE_DEPS)
	$(cc_mm)

$(BUILD)/%.o: %.c $(MAKE_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

$(BUILD)/%.o: %.S $(MAKE_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  AS      $@")
	$(Q)$(CC) $(CFLAGS_ALL) -D__ASSEMBLY__ -c $< -o $@

ifeq ($(ARCH),host)
$(LIB): $(MM_OBJS) $(ARCH_OBJS)
	@$(if $(filter 0,$(V)),echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(TEST_BIN): $(TEST_OBJS) $(HOST_TEST_OBJS) $(BOOT_OBJS) $(LIB)
	@$(if $(filter 0,$(V)),echo "  LD      $@")
	$(Q)$(CC) $(ARCH_LDFLAGS) -o $@ $(TEST_OBJS) $(HOST_TEST_OBJS) \
		$(BOOT_OBJS) $(LIB) -lm

# The drop-in malloc (tools/preload/): mm/ and the host port again, -fPIC
# with hidden symbols (only the malloc family is exported), initial-exec
# TLS (no allocation on first access), no frame pointer and link-time
# optimisation with gcc (malloc inlines kmalloc), into one .so.
PIC := $(BUILD)-pic
PIC_LTO := $(if $(filter 1,$(LLVM)),,-flto)
PIC_FLAGS := -fPIC -fvisibility=hidden -ftls-model=initial-exec \
	-fomit-frame-pointer $(PIC_LTO)
PIC_OBJS := $(MM_SRCS:%.c=$(PIC)/%.o) $(LIBC_SRCS:%.c=$(PIC)/%.o) \
	$(patsubst %.c,$(PIC)/%.o,$(wildcard arch/host/*.c)) \
	$(PIC)/tools/preload/kma_malloc.o
PRELOAD := $(PIC)/libkma.so

preload: $(PRELOAD)

# A plain host build makes the drop-in too (not the sanitizer builds).
ifeq ($(SAN),)
all: $(PRELOAD)
endif

$(PRELOAD): $(PIC_OBJS)
	@$(if $(filter 0,$(V)),echo "  LD      $@")
	$(Q)$(CC) -shared -pthread $(OPT) $(PIC_LTO) $(HOST_MARCH) -Wl,-z,defs \
		-Wl,-soname,libkma.so \
		-o $@ $^

$(PIC)/mm/%.o: mm/%.c $(MAKE_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  CC      $@")
	$(Q)$(CC) $(filter-out $(FAULT),$(CFLAGS_MM)) $(PIC_FLAGS) -c $< -o $@

$(PIC)/%.o: %.c $(MAKE_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  CC      $@")
	$(Q)$(CC) $(filter-out $(FAULT),$(CFLAGS_ALL)) $(PIC_FLAGS) -c $< -o $@

$(BUILD)/bench/%: tools/bench/%.c $(LIB) $(MAKE_DEPS)
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS_ALL) $(ARCH_LDFLAGS) -o $@ $< $(LIB) -lm
else
$(KERNEL): $(ALL_KOBJS) $(LDSCRIPT)
	@$(if $(filter 0,$(V)),echo "  LD      $@")
	$(Q)$(LD) -nostdlib -static -z max-page-size=4096 -z noexecstack \
		--fatal-warnings -T $(LDSCRIPT) \
		-o $@ $(ALL_KOBJS) $(LIBGCC)

$(BUILD)/Image: $(KERNEL)
	@$(if $(filter 0,$(V)),echo "  OBJCOPY $@")
	$(Q)$(OBJCOPY) -O binary $< $@
endif

# ---------------------------------------------------------------- library
# make lib: $(BUILD)/libkma.a, mm/ alone, for linking into another kernel
# (or program). Its global names are the public API of include/kma/ and
# nothing else. Built with the port as plain functions: PORT_INLINE=1
# inlines include/kma/port/<arch>.h instead, which binds the kernel to
# that header's per-CPU convention. Kernel targets build position-
# independent code with hidden symbols (every reference PC-relative, no
# GOT left after a static link), so the archive links into kernels at any
# address: low, or the top 2 GiB of -mcmodel=kernel.
LIB_BUILD := $(BUILD)/libkma
LIB_OBJS := $(MM_SRCS:mm/%.c=$(LIB_BUILD)/%.o) \
	$(LIBC_SRCS:lib/%.c=$(LIB_BUILD)/%.o)
LIBKMA := $(BUILD)/libkma.a
CFLAGS_LIB := $(filter-out $(FAULT) $(RCS),$(if $(filter 1,$(PORT_INLINE)),\
	$(CFLAGS_MM),$(filter-out -DPORT_INLINE_HEADER=%,$(CFLAGS_MM)))) \
	$(if $(filter 1,$(KMA_RCS)),-DKMA_RCS) \
	-fvisibility=hidden -DKMA_BUILD_LIB -fstack-usage
ifneq ($(ARCH),host)
CFLAGS_LIB := $(filter-out -fno-pic -fno-pie,$(CFLAGS_LIB)) -fpie
endif
# KMA_MAX_CPUS=N: per-CPU tables for N CPUs (include/kma/port.h).
# KMA_CACHE_GROW_BYTES=N: how far one CPU's object caches may grow
# beyond their starting capacities (mm/heap.h; 0: fixed capacities).
ifneq ($(KMA_MAX_CPUS),)
CFLAGS_LIB += -DPORT_MAX_CPUS=$(KMA_MAX_CPUS)
endif
ifneq ($(KMA_CACHE_GROW_BYTES),)
CFLAGS_LIB += -DKMA_CACHE_GROW_BYTES=$(KMA_CACHE_GROW_BYTES)
endif
# KMA_MAX_KMEM_CACHES=N: object caches alive at once (mm/heap.h, 16).
ifneq ($(KMA_MAX_KMEM_CACHES),)
CFLAGS_LIB += -DKMA_MAX_KMEM_CACHES=$(KMA_MAX_KMEM_CACHES)
endif
# gcc also writes call graphs with frame sizes, for tools/stack-depth.py.
ifneq ($(LLVM),1)
CFLAGS_LIB += -fcallgraph-info=su
endif

lib: $(LIBKMA)

# The objects are rebuilt when the flags change (KMA_MAX_CPUS=,
# PORT_INLINE=): $(LIB_BUILD)/config holds the last ones.
LIB_CONFIG := $(LIB_BUILD)/config
$(LIB_CONFIG): FORCE
	$(shell mkdir -p $(LIB_BUILD))$(file >$@.new,$(CFLAGS_LIB))
	@cmp -s $@.new $@ || mv $@.new $@; rm -f $@.new

FORCE:

# One relocatable object, kma.o, in which only the names the public
# headers declare (KMA_BUILD_LIB: default visibility) stay global; every
# internal name is made local, so none can clash with the kernel's.
$(LIBKMA): $(LIB_OBJS)
	@$(if $(filter 0,$(V)),echo "  AR      $@")
	$(Q)$(LD) -r -o $(LIB_BUILD)/kma.o $^
	$(Q)$(OBJCOPY) --localize-hidden $(LIB_BUILD)/kma.o
	$(Q)rm -f $@ && $(AR) rcs $@ $(LIB_BUILD)/kma.o

$(LIB_BUILD)/%.o: mm/%.c $(MAKE_DEPS) $(LIB_CONFIG)
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS_LIB) -c $< -o $@

$(LIB_BUILD)/%.o: lib/%.c $(MAKE_DEPS) $(LIB_CONFIG)
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  CC      $@")
	$(Q)$(CC) $(CFLAGS_LIB) -c $< -o $@

# make install [DESTDIR=...] [PREFIX=...]: the headers (include/kma/),
# the archive, a pkg-config file and a make fragment (share/kma/kma.mk)
# that gives a kernel's Makefile KMA_CFLAGS (for code that includes the
# headers), KMA_LIB_CFLAGS (what the archive was built with: the target
# flags a kernel must share), KMA_LIBS and KMA_PORT_FUNCS. One target per
# prefix: install each ARCH into its own. Both files find the tree from
# where they are, so an installed tree may be moved (or used from DESTDIR).
PREFIX ?= /usr/local
KMA_DEFS := $(if $(filter host,$(ARCH)),,-DKMA_KERNEL) \
	$(if $(filter 1,$(PORT_INLINE)),-DPORT_INLINE_HEADER='<kma/port/$(ARCH).h>') \
	$(if $(KMA_MAX_CPUS),-DPORT_MAX_CPUS=$(KMA_MAX_CPUS))
INST := $(DESTDIR)$(PREFIX)

install: $(LIBKMA)
	$(Q)install -d $(INST)/include/kma/port $(INST)/lib/pkgconfig \
		$(INST)/share/kma
	$(Q)install -m 644 include/kma/*.h $(INST)/include/kma/
	$(Q)install -m 644 include/kma/port/*.h $(INST)/include/kma/port/
	$(Q)install -m 644 $(LIBKMA) $(INST)/lib/libkma.a
	$(Q){ echo "# kma for $(ARCH), from make install; include it from a" \
		"kernel's Makefile."; \
	  echo "# Where this file is: the fragment works wherever the tree" \
		"is moved (a DESTDIR staging directory, say)."; \
	  echo "KMA_PREFIX := \$$(abspath \$$(dir \$$(lastword" \
		"\$$(MAKEFILE_LIST)))../..)"; \
	  echo "KMA_ARCH := $(ARCH)"; \
	  echo "KMA_CFLAGS := -I\$$(KMA_PREFIX)/include $(KMA_DEFS)"; \
	  echo "KMA_LIB_CFLAGS := $(filter-out -I% -M% -W% -g -nostdinc \
		-isystem $(COMPILER_INC),$(CFLAGS_LIB))"; \
	  echo "KMA_LIBS := \$$(KMA_PREFIX)/lib/libkma.a"; \
	  echo "KMA_PORT_FUNCS := $$(sed -n 's/^[a-z_ ]*[ *]\(port_[a-z_]*\)(.*/\1/p' \
		include/kma/port.h | sort -u | tr '\n' ' ')"; \
	} > $(INST)/share/kma/kma.mk
	$(Q){ echo "prefix=\$${pcfiledir}/../.."; \
	  echo "Name: kma"; \
	  echo "Description: kma kernel memory allocator ($(ARCH))"; \
	  echo "Version: $$(git describe --always 2>/dev/null || echo 0)"; \
	  echo "Cflags: -I\$${prefix}/include $(KMA_DEFS)"; \
	  echo "Libs: \$${prefix}/lib/libkma.a"; \
	} > $(INST)/lib/pkgconfig/kma.pc
	@echo "installed kma ($(ARCH)) in $(INST)"

check-boundary:
	@if grep -rnE '#[[:space:]]*include[[:space:]]*["<](\.\./)*(arch|boot|kernel|mm)/' mm lib; then \
		echo "error: mm/ and lib/ must not include arch/, boot/ or kernel/ (nor lib/ mm/)" >&2; \
		exit 1; fi
	@echo "mm/ boundary: ok"

# ---------------------------------------------------------------- commands
# The two commands of the README. Both install what they lack first.
test:
	$(Q)tools/deps.sh test
	$(Q)tools/run-tests.sh

run:
	$(Q)tools/deps.sh run $(if $(filter host,$(ARCH)),x86_64,$(ARCH))
	$(Q)tools/qemu-run.sh run $(if $(filter host,$(ARCH)),x86_64,$(ARCH))

deps:
	$(Q)tools/deps.sh test

# A GRUB CD image of the x86-64 kernel (multiboot2 entry). Boot it with
# qemu-system-x86_64 -cpu max -cdrom build/x86_64/kma.iso -serial stdio ...
ISO_CMDLINE ?= ktest=all expect_cpus=2 expect_mem=512M
iso:
	$(Q)tools/deps.sh iso
	$(Q)$(MAKE) --no-print-directory ARCH=x86_64 all
	@$(if $(filter 0,$(V)),echo "  ISO     build/x86_64/kma.iso")
	$(Q)tools/mkiso.sh build/x86_64/kernel.elf build/x86_64/kma.iso \
		$(ISO_CMDLINE)

# The smp_stress suite with STRESS_ITERS rounds per CPU on every CPU count
# and memory size; stops at the first failing configuration.
STRESS_ITERS ?= 10000
STRESS_ARCH := $(if $(filter host,$(ARCH)),x86_64,$(ARCH))
stress:
	$(Q)tools/deps.sh test
	$(Q)mkdir -p build
	$(Q)for smp in 1 2 4 8; do for mem in 128M 3G 8G; do \
		TIMEOUT=$${TIMEOUT:-1800} tools/qemu-test.sh $(STRESS_ARCH) \
			smp=$$smp mem=$$mem ktest=smp_stress \
			stress_iters=$(STRESS_ITERS) >build/stress.log 2>&1; \
		st=$$?; grep -E 'stress_all_cpus:|timer handlers:|^# qemu-test' \
			build/stress.log; \
		[ $$st = 0 ] || { tail -20 build/stress.log; exit 1; }; \
	done; done; echo "stress: every configuration passed"

# libFuzzer harnesses (fuzz/*_fuzz.c) with ASan and UBSan, on mm/, lib/
# and the host port. make fuzz runs each for FUZZ_SECONDS on a working
# corpus seeded from fuzz/corpus/<name>/ (new finds stay in
# build/fuzz/corpus-<name>/, crashes in build/fuzz/<name>-crash-*; copy
# the inputs worth keeping into the tree);
# make fuzz-replay runs each harness once over its seed corpus (make test
# does).
FUZZ_SECONDS ?= 60
FUZZ_NAMES := $(patsubst fuzz/%_fuzz.c,%,$(sort $(wildcard fuzz/*_fuzz.c)))
FUZZ_BINS := $(FUZZ_NAMES:%=build/fuzz/%_fuzz)
FUZZ_CFLAGS := -std=gnu11 -g -O1 $(WARN) -pthread \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fsanitize-coverage-ignorelist=fuzz/coverage-ignore.txt \
	-Iinclude -Itests -Iboot -DPORT_INLINE_HEADER='<kma/port/host.h>'
# The boot parsers, and what the unit tests use too: the shadow models
# (tests/*_model.c) and test_mm_free_frames() (tests/test_mm.c).
FUZZ_LIB_SRCS := $(MM_SRCS) $(LIBC_SRCS) $(sort $(wildcard arch/host/*.c)) \
	$(BOOT_SRCS) $(sort $(wildcard tests/*_model.c)) tests/test_mm.c

build/fuzz/%_fuzz: fuzz/%_fuzz.c $(FUZZ_LIB_SRCS) fuzz/coverage-ignore.txt \
		Makefile
	@mkdir -p $(dir $@)
	@$(if $(filter 0,$(V)),echo "  FUZZCC  $@")
	$(Q)clang $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_LIB_SRCS)

fuzz: $(FUZZ_BINS)
	$(Q)for f in $(FUZZ_NAMES); do \
		mkdir -p build/fuzz/corpus-$$f; \
		echo "fuzz: $$f for $(FUZZ_SECONDS) s"; \
		KMA_QUIET=1 build/fuzz/$${f}_fuzz -max_total_time=$(FUZZ_SECONDS) \
			-artifact_prefix=build/fuzz/$$f- \
			-print_final_stats=1 build/fuzz/corpus-$$f \
			fuzz/corpus/$$f >build/fuzz/$$f.log 2>&1; st=$$?; \
		grep -E '^(stat::|#.*DONE)|ERROR|SUMMARY|^mm: ' build/fuzz/$$f.log; \
		[ $$st = 0 ] || { echo "fuzz: $$f failed (build/fuzz/$$f.log)"; \
			exit 1; }; \
	done

fuzz-replay: $(FUZZ_BINS)
	$(Q)for f in $(FUZZ_NAMES); do \
		KMA_QUIET=1 build/fuzz/$${f}_fuzz fuzz/corpus/$$f/* \
			>build/fuzz/replay-$$f.log 2>&1 || \
			{ tail -30 build/fuzz/replay-$$f.log; exit 1; }; \
		echo "fuzz-replay: $$f: $$(ls fuzz/corpus/$$f | wc -l) inputs ok"; \
	done

# Writes docs/BENCHMARKS.md and docs/bench-*.png (tools/bench.py).
bench:
	$(Q)tools/deps.sh bench
	$(Q)tools/bench.py

clean:
	rm -rf build

help:
	@sed -n '3,23p' Makefile

-include $(shell find $(BUILD) $(if $(filter host,$(ARCH)),build/host-pic) \
	-name '*.d' 2>/dev/null)
endif # ARCH=host32
