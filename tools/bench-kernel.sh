#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench-kernel.sh - kmalloc/kfree instruction counts inside the kernels.
#
#   tools/bench-kernel.sh [x86_64|aarch64|arm ...] (default: x86_64 aarch64)
#
# Boots each kernel (tools/qemu.sh, the architecture's descriptor) on one
# CPU with "bench=1" under QEMU -icount shift=0,
# where the guest's clock advances one nanosecond per instruction, so the
# kernel's nanosecond figures (kernel/bench.c) are instructions per
# operation. One line per size (4t, 12t: the tiny path, 4 and 12 B
# GFP_NOSCAN; 8t: 8 B GFP_NOSCAN, an 8-byte class object; 64z, 1024z:
# kzalloc() of 64 B and 1 KiB; every class and every power of two 16
# B..32 KiB; 64 KiB; 2 MiB):
#   size pair alloc free batch clk/1k hlk/1k
# "pair" is one kmalloc+kfree on the fast path; "alloc" and "free" are
# per object in batches of 1000 (16 above 32 KiB) and "batch" their sum,
# one object allocated and freed; clk/1k and hlk/1k are central and
# page-heap lock acquisitions per 1000 operations of the batches. The
# line of size "loop" is the same loops calling functions that do
# nothing ("-" for the locks): the benchmark's own share. The script
# prints the kernel's table, then the same with the loop line subtracted
# (the allocator's share). Then the worst single operation of a long
# randomized run (allocations of 1 B-1 KiB and frees, each timed alone)
# with the timing loop's mean subtracted: from a quiesced heap, then
# warm; the kma-rsv lines the same from a heap given 2 MiB beforehand
# (kmalloc_reserve()). On arm and armv7m, newlib's malloc ("nl") and newlib-nano's
# ("nano") run in the same kernel with the same loops, and their code and
# static data are printed beside kma's. Raw lines in build/bench-kernel-<arch>.txt.
#
# Environment: TIMEOUT (seconds per boot, default 300).
set -u
cd "$(dirname "$0")/.."
TIMEOUT=${TIMEOUT:-300}
archs=${*:-x86_64 aarch64}
st=0

for arch in $archs; do
	if ! make -s ARCH="$arch" BENCH=1 -j2 >/dev/null; then
		echo "bench-kernel: $arch build failed" >&2
		st=1
		continue
	fi
	echo "## $arch (QEMU -icount shift=0: ns = instructions)"
	tools/qemu.sh --timeout "$TIMEOUT" --build "build/$arch-bench" \
		--smp 1 --icount "$arch" bench=1 2>&1 | tr -d '\r' |
		sed -n 's/^bench: //p' > "build/bench-kernel-$arch.txt"
	if ! grep -q '^done' "build/bench-kernel-$arch.txt"; then
		echo "bench-kernel: $arch: no complete output" >&2
		st=1
	fi
	grep -v '^done' "build/bench-kernel-$arch.txt"
	echo
	echo "## $arch, loop line subtracted: the allocator's instructions"
	awk '
		$1 == "loop" { for (i = 2; i <= 5; i++) loop[i] = $i; next }
		$1 == "size" || (NF == 7 && $2 ~ /^[0-9.]+$/) {
			printf "%7s", $1
			for (i = 2; i <= 5; i++)
				if ($1 == "size")
					printf " %11s", $i
				else
					printf " %11.2f", $i - loop[i]
			printf "\n"
		}' "build/bench-kernel-$arch.txt"
	echo
	echo "## $arch, worst single operation, the timing loop's mean subtracted"
	awk '
		$1 == "worst" && $2 == "loop" { la = $10; lf = $11; next }
		$1 == "worst" && $2 !~ /^loop/ {
			printf "%-10s alloc %6d (%4d B) free %6d mean %4d %4d\n",
			       $2, $4 - la, $6, $8 - lf, $10 - la, $11 - lf
		}' "build/bench-kernel-$arch.txt"
	echo
	d=build/$arch-bench
	if [ -f $d/newlib/newlib-size.txt ]; then
		echo "## $arch, code and static data (bytes: text data bss)"
		arm-none-eabi-size $d/mm/*.o $d/lib/*.o | awk '
			$NF != "filename" { t += $1; d += $2; b += $3 }
			END { printf "kma mm/ and lib/ %7d %6d %6d\n", t, d, b }'
		awk '{ n = $1 == "nlf_" ? "newlib malloc" : "newlib-nano";
		       printf "%-16s %7d %6d %6d\n", n, $2, $3, $4 }' \
			$d/newlib/newlib-size.txt
		echo
	fi
done
exit $st
