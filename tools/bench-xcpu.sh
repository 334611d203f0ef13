#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench-xcpu.sh - instructions per object freed on another CPU than the
# one that allocated it, against the same CPU, inside the kernels.
#
#   tools/bench-xcpu.sh [x86_64|aarch64 ...]       (default: both)
#
# Boots each kernel (tools/qemu.sh, the architecture's descriptor) with
# -smp 4 and "bench=xcpu" under QEMU -icount
# shift=0: the guest clock advances one nanosecond per instruction of any
# running vCPU (halted ones execute none), so the kernel's nanosecond
# figures (kernel/bench_xcpu.c) are instruction counts of all CPUs
# together. CPU 0 allocates batches of 1000 objects of 16, 64, 256, 1024
# and 4096 bytes (one store into each); the same CPU frees them (same),
# or CPU 1 does after a hand-over by flag and kick, each CPU halted while
# the other works (cross). 16 timed rounds after one untimed round, all
# timers stopped.
#
# Prints the kernel's raw table, then:
#   - instructions per object with the "loop" line (the same loops and
#     hand-over calling functions that do nothing) subtracted, and the
#     ratio cross/same, raw and net;
#   - shared-lock acquisitions: the centrals' locks (sum of every
#     central's nlocks), the page heap's and the frame allocator's zone
#     lock, per 1000 cross-CPU frees (CPU 1's frees alone), per 1000
#     objects of the cross-CPU run (both CPUs) and of the same-CPU run.
# The project's target: cross/same <= 2 and <= 40 shared-lock
# acquisitions per 1000 cross-CPU frees. Raw lines in
# build/bench-xcpu-<arch>.txt.
#
# Environment: TIMEOUT (seconds per boot, default 300).
set -u
cd "$(dirname "$0")/.." || exit 1
TIMEOUT=${TIMEOUT:-300}
archs=${*:-x86_64 aarch64}
st=0

for arch in $archs; do
	if ! make -s ARCH="$arch" BENCH=1 -j2 >/dev/null; then
		echo "bench-xcpu: $arch build failed" >&2
		st=1
		continue
	fi
	raw=build/bench-xcpu-$arch.txt
	echo "## $arch, -smp 4 (QEMU -icount shift=0: ns = instructions)"
	tools/qemu.sh --timeout "$TIMEOUT" --build "build/$arch-bench" \
		--smp 4 --mem 512M --icount "$arch" bench=xcpu 2>&1 |
		tr -d '\r' |
		sed -n 's/^xcpu: //p' > "$raw"
	if ! grep -q '^done' "$raw" || ! grep -q '^ *loop ' "$raw"; then
		echo "bench-xcpu: $arch: no complete output" >&2
		grep -v '^done' "$raw"
		st=1
		continue
	fi
	grep -v '^done' "$raw"
	echo
	echo "## $arch: instructions per object (net: loop line subtracted)"
	awk '
		$1 == "loop" { ls = $2; lx = $3; next }
		NF == 12 && $1 ~ /^[0-9]+$/ {
			if (!hdr++)
				printf "%6s %9s %9s %7s %9s %9s %7s\n", "size",
				       "same", "cross", "ratio", "net same",
				       "net cross", "net rat"
			printf "%6s %9.2f %9.2f %7.2f %9.2f %9.2f %7.2f\n",
			       $1, $2, $3, $3 / $2, $2 - ls, $3 - lx,
			       ($3 - lx) / ($2 - ls)
		}' "$raw"
	echo
	echo "## $arch: shared-lock acquisitions (central + page heap + frame zone)"
	awk '
		NF == 12 && $1 ~ /^[0-9]+$/ {
			if (!hdr++)
				printf "%6s | %7s %6s %6s %7s | %11s | %10s\n",
				       "size", "central", "heap", "frame",
				       "/1k xfr", "/1k xobj", "/1k same"
			printf "%6s | %7.2f %6.2f %6.2f %7.2f | %11.2f | %10.2f\n",
			       $1, $10, $11, $12, $10 + $11 + $12,
			       $7 + $8 + $9, $4 + $5 + $6
		}' "$raw"
	echo "  /1k xfr: by CPU 1's frees, per 1000 cross-CPU frees (split by lock)"
	echo "  /1k xobj: by both CPUs in the cross-CPU run, per 1000 objects"
	echo "  /1k same: in the same-CPU run, per 1000 objects (alloc + free)"
	echo
done
exit $st
