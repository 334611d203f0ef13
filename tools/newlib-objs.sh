#!/bin/sh
# SPDX-License-Identifier: MIT
#
# newlib-objs.sh - newlib's malloc and newlib-nano's malloc as two
# relocatable objects with renamed symbols, for the 32-bit Arm benchmark
# kernels (make ARCH=arm|armv7m BENCH=1; kernel/bench_newlib.c).
#
#   tools/newlib-objs.sh CC OUTDIR [CPUFLAGS]
#
# CC is arm-none-eabi-gcc (the kernel's clang builds use it too: the
# multilibs are gcc's); CPUFLAGS, the kernel's CPU flags (default
# -mcpu=cortex-a15 -marm), name the multilib: thumb/v7-a/nofp for the
# Cortex-A15, thumb/v7-m/nofp for -mcpu=cortex-m3 -mthumb. Takes the
# archive members of malloc and free from libc.a and libc_nano.a (the
# Debian package libnewlib-arm-none-eabi), links each set into one object
# and prefixes every global symbol, defined or not: nlf_ for newlib
# (malloc -> nlf_malloc, _sbrk -> nlf__sbrk, errno -> nlf_errno), nln_ for
# nano. So both live in one kernel beside kma, and the kernel provides
# each its own _sbrk, errno and _impure_ptr. Writes OUTDIR/newlib.o,
# OUTDIR/newlib-nano.o and OUTDIR/newlib-size.txt (text, data and bss of
# each set, for the benchmark's table).
set -eu
CC=$1
OUT=$2
CPUFLAGS=${3:--mcpu=cortex-a15 -marm}
PREFIX=${CC%gcc}
GCC="$CC $CPUFLAGS"
AR=${PREFIX}ar
LD=${PREFIX}ld
NM=${PREFIX}nm
OBJCOPY=${PREFIX}objcopy
SIZE=${PREFIX}size

mkdir -p "$OUT"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

one() {	# one() archive prefix output members...
	lib=$($GCC -print-file-name="$1")
	pfx=$2
	obj=$3
	shift 3
	if [ ! -f "$lib" ]; then
		echo "newlib-objs: no $1 (apt-get install libnewlib-arm-none-eabi)" >&2
		exit 1
	fi
	mkdir -p "$tmp/$pfx"
	(cd "$tmp/$pfx" && $AR x "$lib" "$@")
	(cd "$tmp/$pfx" && $LD -r -o all.o "$@")
	$NM "$tmp/$pfx/all.o" | awk -v p="$pfx" \
		'$NF !~ /^\./ && ($1 ~ /^[UDTBRC]$/ || $2 ~ /^[DTBRC]$/) {
			print $NF " " p $NF }' | sort -u > "$tmp/$pfx/syms"
	$OBJCOPY --redefine-syms="$tmp/$pfx/syms" "$tmp/$pfx/all.o" "$obj"
	$SIZE "$tmp/$pfx"/*.o | awk -v n="$pfx" '
		$NF != "filename" && $NF !~ /all\.o$/ {
			t += $1; d += $2; b += $3 }
		END { print n, t, d, b }' >> "$tmp/size"
}

one libc.a nlf_ "$OUT/newlib.o" \
	lib_a-malloc.o lib_a-mallocr.o lib_a-freer.o lib_a-mlock.o \
	lib_a-sbrkr.o
one libc_nano.a nln_ "$OUT/newlib-nano.o" \
	lib_a-malloc.o lib_a-nano-mallocr.o lib_a-nano-freer.o \
	lib_a-mlock.o lib_a-sbrkr.o
mv "$tmp/size" "$OUT/newlib-size.txt"
