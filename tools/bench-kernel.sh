#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench-kernel.sh - kmalloc/kfree instruction counts inside the kernels.
#
#   tools/bench-kernel.sh [x86_64|aarch64 ...]     (default: both)
#
# Boots each kernel on one CPU with "bench=1" under QEMU -icount shift=0,
# where the guest's clock advances one nanosecond per instruction, so the
# kernel's nanosecond figures (kernel/bench.c) are instructions per
# operation: "pair" is one kmalloc+kfree on the fast path, "alloc" and
# "free" are per operation in batches of 1000 (16 above 32 KiB), clk/1k
# and hlk/1k central and page-heap lock acquisitions per 1000 operations.
#
# Environment: TIMEOUT (seconds per boot, default 300).
set -u
cd "$(dirname "$0")/.."
TIMEOUT=${TIMEOUT:-300}
archs=${*:-x86_64 aarch64}
st=0

for arch in $archs; do
	if ! make -s ARCH="$arch" -j2 >/dev/null; then
		echo "bench-kernel: $arch build failed" >&2
		st=1
		continue
	fi
	case "$arch" in
	x86_64)
		set -- qemu-system-x86_64 -machine q35 -cpu max \
			-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
			-kernel build/x86_64/kernel.elf ;;
	aarch64)
		set -- qemu-system-aarch64 -machine virt -cpu cortex-a72 \
			-kernel build/aarch64/Image ;;
	*)
		echo "bench-kernel: unknown arch $arch" >&2
		st=1
		continue ;;
	esac
	echo "## $arch (QEMU -icount shift=0: ns = instructions)"
	timeout "$TIMEOUT" "$@" -smp 1 -m 512M -icount shift=0 \
		-display none -no-reboot -serial stdio -monitor none \
		-append "bench=1" </dev/null 2>&1 | tr -d '\r' |
		sed -n 's/^bench: //p' > "build/bench-kernel-$arch.txt"
	if ! grep -q '^done' "build/bench-kernel-$arch.txt"; then
		echo "bench-kernel: $arch: no complete output" >&2
		st=1
	fi
	grep -v '^done' "build/bench-kernel-$arch.txt"
done
exit $st
