#!/bin/sh
# SPDX-License-Identifier: MIT
#
# lib-check.sh - KTAP suite "lib": the installed library as another
# kernel gets it. For each kernel target and toolchain (x86_64, aarch64,
# arm; gcc and LLVM=1), and for the host:
#
#   install         make lib and make install DESTDIR=<tmp> work
#   stack           no function of the library takes more than 512 bytes
#                   of stack (-fstack-usage, from make lib's build)
#   names           every global name the archive defines is declared in
#                   the installed headers or starts with kma_, and none
#                   is a Linux name (kmalloc, kfree, ...: <kma/linux.h>
#                   has those as inline wrappers)
#   undefined       the archive, linked into one object (ld -r), needs no
#                   symbol but the port functions the installed make
#                   fragment lists (KMA_PORT_FUNCS): no libgcc or
#                   compiler-rt helper (__popcountdi2, outline atomics)
#   no_fp_simd      kernel targets: no instruction names an FP/SIMD
#                   register (xmm/ymm/zmm/st/mm on x86-64; q/d/s/h/b/v
#                   registers on AArch64 and 32-bit Arm)
#   links_low       kernel targets: a stub kernel that defines the port
#                   functions and its own kmalloc, kfree, heap_init,
#                   heap, centrals and caches, compiled with only the
#                   installed headers, KMA_CFLAGS and KMA_NO_LINUX_NAMES,
#                   links with `ld -nostdlib` and the archive alone at a
#                   low address
#   links_high      the same linked in the top 2 GiB (x86-64: the stub
#                   built with -mcmodel=kernel; 32-bit Arm: at 3 GiB)
#   init_order      host: tools/lib-init-order.c, a port in a process
#                   built from the installed files, runs mm_init() before
#                   its "per-CPU setup" and fails if port_cpu_id() was
#                   called before it, then allocates
#   max_cpus        x86-64: make lib KMA_MAX_CPUS=4 halves the data and
#                   bss at least, and the make fragment carries the
#                   setting
#   tunables        x86-64 and 32-bit Arm: make lib with the README's
#                   build-time knobs at their edges (KMA_CACHE_GROW_BYTES=0,
#                   KMA_MAX_CPUS=1, KMA_MAX_KMEM_CACHES=1) builds with the
#                   warnings as errors
#   rcs             x86-64, AArch64, 32-bit Arm, ARMv7-M: make lib PORT_INLINE=1
#                   KMA_RCS=1 builds, exports kma_rcs_fixup() and lists its
#                   restartable sections in the section kma_rcs
#   cortex_m3       mm/, lib/ and the device-tree parser (boot/fdt.c; the
#                   other parsers are x86 boot protocols, whose kernels
#                   provide memset) compiled for a Cortex-M3
#                   (arm-none-eabi-gcc -mthumb, and clang
#                   --target=thumbv7m-none-eabi; -O2 and -Os) with the
#                   kernel's warnings as errors, linked into one object
#                   (ld -r), need no symbol but the port functions: no
#                   8-byte atomic (__atomic_*_8: Cortex-M has no 64-bit
#                   exclusive access, and the toolchain no libatomic),
#                   no __aeabi_* or __*di2 helper, no memcpy/memset. The
#                   32-bit bitmap word is what keeps it so (mm/bitops.h)
#
# Usage: tools/lib-check.sh     (from anywhere; builds what it needs)
set -u
cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
JOBS=${JOBS:-2}

n=0
fails=0
out() {		# status name [diagnostic file]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "    ok $n $2"
	else
		[ -n "${3:-}" ] && sed -n '1,15s/^/        # /p' "$3"
		echo "    not ok $n $2"
		fails=$((fails + 1))
	fi
}

cat >"$TMP/stub.c" <<'EOF'
/* A kernel's side of the port, as small as links. */
#define KMA_NO_LINUX_NAMES
#include <kma/kmalloc.h>
#include <kma/frame.h>
#include <kma/mm_report.h>
#include <kma/port.h>

unsigned int port_cpu_id(void) { return 0; }
unsigned int port_cpu_count(void) { return 1; }
unsigned long port_irq_save(void) { return 0; }
void port_irq_restore(unsigned long f) { (void)f; }
void *port_phys_to_virt(phys_addr_t pa) { return (void *)(uintptr_t)pa; }
phys_addr_t port_virt_to_phys(const void *va) { return (uintptr_t)va; }
void port_print(const char *s, size_t len) { (void)s; (void)len; }
void port_panic(const char *msg) { (void)msg; for (;;) ; }
void port_report(const struct mm_report *r) { (void)r; }
void port_cpu_kick(unsigned int cpu) { (void)cpu; }

/* The kernel's own allocator and names, which kma's must not clash with. */
static char pool[4096];
void *kmalloc(size_t n);
void kfree(void *p);
void heap_init(void);
void *kmalloc(size_t n) { return n <= sizeof(pool) ? pool : 0; }
void kfree(void *p) { (void)p; }
void heap_init(void) { }
int heap, centrals, caches;

void stub_start(void);
void stub_start(void)
{
	heap_init();
	kfree(kmalloc(16));
	kma_kfree(kma_kmalloc(64, GFP_KERNEL));
	frame_free(frame_alloc(0), 0);
}
EOF

echo "KTAP version 1"
echo "1..1"
echo "    KTAP version 1"
echo "    # Subtest: lib"

for t in x86_64 x86_64:1 aarch64 aarch64:1 arm arm:1 host; do
	arch=${t%%:*}
	llvm=
	[ "$t" != "$arch" ] && llvm=1
	tag="$arch${llvm:+-llvm}"
	dest="$TMP/$tag"
	log="$TMP/$tag.log"
	if ! make -s -j"$JOBS" ARCH="$arch" LLVM="$llvm" lib >"$log" 2>&1 ||
	   ! make -s ARCH="$arch" LLVM="$llvm" install DESTDIR="$dest" \
		PREFIX=/usr >>"$log" 2>&1; then
		out fail "$tag install" "$log"
		continue
	fi
	out ok "$tag install"
	inst="$dest/usr"
	lib="$inst/lib/libkma.a"
	funcs=$(sed -n 's/^KMA_PORT_FUNCS := //p' "$inst/share/kma/kma.mk")
	cflags=$(sed -n 's/^KMA_CFLAGS := //p' "$inst/share/kma/kma.mk" |
		 sed "s#\$(KMA_PREFIX)#$inst#")
	case "$arch${llvm:+-llvm}" in
	aarch64) LD=aarch64-linux-gnu-ld CC=aarch64-linux-gnu-gcc
		 OD=aarch64-linux-gnu-objdump
		 KFLAGS="-mgeneral-regs-only -mno-outline-atomics" ;;
	aarch64-llvm) LD=ld.lld CC="clang --target=aarch64-unknown-none-elf"
		 OD=llvm-objdump KFLAGS="-mgeneral-regs-only" ;;
	x86_64) LD=ld CC=gcc OD=objdump
		KFLAGS="-mno-red-zone -mno-sse -mno-mmx -mno-80387" ;;
	x86_64-llvm) LD=ld.lld CC="clang --target=x86_64-unknown-none-elf"
		OD=llvm-objdump
		KFLAGS="-mno-red-zone -mno-sse -mno-mmx -mno-80387" ;;
	arm)	LD=arm-none-eabi-ld CC=arm-none-eabi-gcc
		OD=arm-none-eabi-objdump
		KFLAGS="-mcpu=cortex-a15 -marm -mfloat-abi=soft" ;;
	arm-llvm) LD=ld.lld CC="clang --target=armv7a-none-eabi"
		OD=llvm-objdump
		KFLAGS="-mcpu=cortex-a15 -marm -mfloat-abi=soft" ;;
	host) LD=ld CC=gcc OD=objdump KFLAGS= ;;
	esac

	# undefined: everything the archive needs from outside.
	if $LD -r --whole-archive "$lib" -o "$TMP/$tag-all.o" 2>"$log"; then
		nm -u "$TMP/$tag-all.o" | awk '{print $2}' | sort -u |
			while read -r s; do
				case " $funcs _GLOBAL_OFFSET_TABLE_ " in
				*" $s "*) ;;
				*) [ "$arch" = host ] || echo "$s" ;;
				esac
			done >"$log"
		if [ -s "$log" ]; then
			sed -i '1i undefined symbols other than port functions:' \
				"$log"
			out fail "$tag undefined" "$log"
		else
			out ok "$tag undefined"
		fi
	else
		out fail "$tag undefined" "$log"
	fi
	# stack: no function of the library uses more than 512 bytes of
	# stack (-fstack-usage; "dynamic" counts as too much).
	awk -F'\t' '$2 > 512 || $3 ~ /^dynamic$/ { print }' \
		"build/$tag/libkma/"*.su >"$log" 2>&1
	if [ -s "$log" ] || ! ls "build/$tag/libkma/"*.su >/dev/null 2>&1; then
		sed -i '1i functions above 512 bytes of stack:' "$log"
		out fail "$tag stack" "$log"
	else
		out ok "$tag stack"
	fi

	# names: every global the archive defines is declared in the
	# installed headers or starts with kma_; no Linux name is defined.
	nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u |
		while read -r s; do
			case "$s" in
			kmalloc|kfree|kzalloc|kcalloc|kmalloc_array|krealloc|ksize|\
			__get_free_pages|__get_free_page|get_zeroed_page|\
			free_pages|free_page|alloc_pages|__free_pages|\
			page_address|virt_to_page)
				echo "$s (a Linux name)"; continue ;;
			kma_*) continue ;;
			esac
			grep -qE "^[a-z].*[ *]$s\(|^extern .*[ *]$s(\[.*\])?;" \
				"$inst"/include/kma/*.h || echo "$s"
		done >"$log"
	if [ -s "$log" ]; then
		sed -i '1i global names neither public API nor kma_:' "$log"
		out fail "$tag names" "$log"
	else
		out ok "$tag names"
	fi
	if [ "$arch" = host ]; then
		# init_order: a port in a process, from the installed files.
		if gcc -O2 -Wall -Werror -I"$inst/include" \
			tools/lib-init-order.c "$lib" -o "$TMP/init-order" \
			>"$log" 2>&1 && "$TMP/init-order" >>"$log" 2>&1; then
			out ok "$tag init_order"
		else
			out fail "$tag init_order" "$log"
		fi
		continue
	fi

	# no_fp_simd: register names in the operands of the disassembly
	# (AArch64: the last tab-separated field, branch targets removed).
	if [ "$arch" = x86_64 ]; then
		$OD -d "$lib" | grep -E "^[[:space:]]*[0-9a-f]+:" |
			grep -E '%(xmm|ymm|zmm|st|mm)[0-9(]' >"$log"
	else
		$OD -d "$lib" | grep -E "^[[:space:]]*[0-9a-f]+:" |
			awk -F'\t' '{ print $NF }' |
			sed 's/[0-9a-fx]* *<[^>]*>//g' |
			grep -E '(^|[ ,{[])([qdshbv][0-9]+|z[0-9]+\.)([ ,.}]|]|$)' \
			>"$log"
	fi
	if [ -s "$log" ]; then
		sed -i '1i FP/SIMD registers used:' "$log"
		out fail "$tag no_fp_simd" "$log"
	else
		out ok "$tag no_fp_simd"
	fi

	# links_low / links_high: ld -nostdlib, the stub and the archive.
	for where in low high; do
		extra=
		if [ "$arch" = x86_64 ]; then
			base=0x100000
			[ $where = high ] && base=0xffffffff80100000 &&
				extra=-mcmodel=kernel
		elif [ "$arch" = arm ]; then
			base=0x40080000
			[ $where = high ] && base=0xc0080000
		else
			base=0x40080000
			[ $where = high ] && base=0xffffffffc0080000
		fi
		# shellcheck disable=SC2086
		if $CC -ffreestanding -nostdinc -isystem \
			"$($CC -print-file-name=include)" -fno-pic -fno-pie \
			-O2 -Wall -Werror $KFLAGS $extra $cflags -c "$TMP/stub.c" \
			-o "$TMP/$tag-stub.o" >"$log" 2>&1 &&
		   $LD -nostdlib -static -e stub_start -Ttext=$base \
			-o "$TMP/$tag-$where.elf" "$TMP/$tag-stub.o" "$lib" \
			>>"$log" 2>&1; then
			out ok "$tag links_$where"
		else
			out fail "$tag links_$where" "$log"
		fi
	done
done

# max_cpus: KMA_MAX_CPUS=4 reaches the headers' users through the make
# fragment and shrinks the per-CPU tables.
log="$TMP/cpus.log"
data_bss() { size "$1" | awk 'NR == 2 { print $2 + $3 }'; }
full=$(data_bss build/x86_64/libkma.a)
if make -s ARCH=x86_64 lib KMA_MAX_CPUS=4 >"$log" 2>&1 &&
   make -s ARCH=x86_64 install KMA_MAX_CPUS=4 DESTDIR="$TMP/cpus" \
	PREFIX=/usr >>"$log" 2>&1 &&
   grep -q -- '-DPORT_MAX_CPUS=4' "$TMP/cpus/usr/share/kma/kma.mk"; then
	small=$(data_bss build/x86_64/libkma.a)
	echo "data+bss: $full bytes for 64 CPUs, $small for 4" >"$log"
	if [ "$small" -lt $((full / 2)) ]; then
		out ok "x86_64 max_cpus"
	else
		out fail "x86_64 max_cpus" "$log"
	fi
else
	out fail "x86_64 max_cpus" "$log"
fi
make -s ARCH=x86_64 lib >/dev/null 2>&1

# tunables: each knob the README names, at its edge, still builds.
for arch in x86_64 arm; do
	for knob in KMA_CACHE_GROW_BYTES=0 KMA_MAX_CPUS=1 \
		    KMA_MAX_KMEM_CACHES=1; do
		log="$TMP/knob.log"
		if make -s ARCH=$arch lib "$knob" >"$log" 2>&1; then
			out ok "$arch tunables $knob"
		else
			out fail "$arch tunables $knob" "$log"
		fi
	done
	make -s ARCH=$arch lib >/dev/null 2>&1
done

# rcs: make lib PORT_INLINE=1 KMA_RCS=1 (docs/PORTING.md) builds, keeps
# kma_rcs_fixup() global and lists its sections in "kma_rcs".
for arch in x86_64 aarch64 arm armv7m; do
	log="$TMP/rcs.log"
	if make -s ARCH=$arch lib PORT_INLINE=1 KMA_RCS=1 >"$log" 2>&1 &&
	   nm build/$arch/libkma.a >>"$log" 2>&1 &&
	   nm build/$arch/libkma.a | grep -q ' T kma_rcs_fixup$' &&
	   objdump -h build/$arch/libkma.a >>"$log" 2>&1 &&
	   [ "$(objdump -h build/$arch/libkma.a |
		awk '$2 == "kma_rcs" { print $3 }')" != "" ] &&
	   [ $((0x$(objdump -h build/$arch/libkma.a |
		awk '$2 == "kma_rcs" { print $3 }'))) -gt 0 ]; then
		out ok "$arch rcs"
	else
		out fail "$arch rcs" "$log"
	fi
	make -s ARCH=$arch lib >/dev/null 2>&1
done

# cortex_m3: the sources themselves for a Cortex-M3, which the kernel
# targets above do not cover (no 64-bit exclusive access, Thumb-2 only).
funcs=$(sed -n 's/^[a-z_ ]*[ *]\(port_[a-z_]*\)(.*/\1/p' include/kma/port.h |
	sort -u | tr '\n' ' ')
m3_gcc_inc=$(arm-none-eabi-gcc -print-file-name=include 2>/dev/null)
for cc in gcc clang; do
	for opt in -O2 -Os; do
		tag="cortex_m3 $cc $opt"
		log="$TMP/m3.log"
		dir="$TMP/m3-$cc$opt"
		mkdir -p "$dir"
		if [ $cc = gcc ]; then
			CC="arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -nostdinc"
			CC="$CC -isystem $m3_gcc_inc"
			LD=arm-none-eabi-ld NM=arm-none-eabi-nm
		else
			CC="clang --target=thumbv7m-none-eabi -mcpu=cortex-m3"
			LD=ld.lld NM=llvm-nm
		fi
		: >"$log"
		ok=1
		for f in mm/*.c lib/*.c boot/fdt.c; do
			o="$dir/$(echo "$f" | tr / _).o"
			# shellcheck disable=SC2086
			$CC -std=gnu11 $opt -Wall -Wextra -Werror \
				-Wno-unused-parameter -Wshadow \
				-Wstrict-prototypes -Wmissing-prototypes \
				-ffreestanding -fno-builtin -fno-common \
				-DKMA_KERNEL -Iinclude -Iboot \
				-c "$f" -o "$o" >>"$log" 2>&1 || ok=0
		done
		[ $ok = 1 ] && { $LD -r "$dir"/*.o -o "$dir/all.o" \
			>>"$log" 2>&1 || ok=0; }
		if [ $ok = 1 ]; then
			$NM -u "$dir/all.o" | awk '{ print $2 }' | sort -u |
				while read -r s; do
					case " $funcs " in
					*" $s "*) ;;
					*) echo "$s" ;;
					esac
				done >"$log"
			if [ -s "$log" ]; then
				msg="undefined symbols other than port functions:"
				sed -i "1i $msg" "$log"
				ok=0
			fi
		fi
		if [ $ok = 1 ]; then
			out ok "$tag"
		else
			out fail "$tag" "$log"
		fi
	done
done

echo "    1..$n"
if [ $fails = 0 ]; then
	echo "ok 1 lib"
else
	echo "not ok 1 lib"
fi
[ $fails = 0 ]
