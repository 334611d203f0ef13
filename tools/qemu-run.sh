#!/bin/sh
# SPDX-License-Identifier: MIT
#
# qemu-run.sh - boot the demo kernel in QEMU with a timeout.
#
#   tools/qemu-run.sh run ARCH [extra kernel command line]
#
# Environment: SMP (default 4), MEM (default 512M), TIMEOUT (default 120).
set -eu
cd "$(dirname "$0")/.."
mode=${1:-run}
arch=${2:-x86_64}
shift 2 || true
SMP=${SMP:-4}
MEM=${MEM:-512M}
TIMEOUT=${TIMEOUT:-120}

make -s ARCH="$arch" -j"$(nproc 2>/dev/null || echo 2)"
case "$arch" in
x86_64)
	set +e
	timeout --foreground "$TIMEOUT" qemu-system-x86_64 \
		-machine q35 -cpu max -smp "$SMP" -m "$MEM" \
		-display none -no-reboot -serial stdio -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-kernel build/x86_64/kernel.elf -append "$*"
	st=$?
	# isa-debug-exit: QEMU exits with (status << 1) | 1; 1 is success.
	[ $st = 1 ] && exit 0
	echo "qemu-run: kernel ended with QEMU status $st" >&2
	exit 1 ;;
aarch64)
	exec timeout --foreground "$TIMEOUT" qemu-system-aarch64 \
		-machine virt -cpu cortex-a72 -smp "$SMP" -m "$MEM" \
		-nographic -no-reboot -serial mon:stdio -monitor none \
		-kernel build/aarch64/Image -append "$*" ;;
arm)
	exec timeout --foreground "$TIMEOUT" qemu-system-arm \
		-machine virt -cpu cortex-a15 -smp "$SMP" -m "$MEM" \
		-nographic -no-reboot -serial mon:stdio -monitor none \
		-kernel build/arm/Image -append "$*" ;;
*)
	echo "qemu-run: unknown ARCH $arch" >&2
	exit 2 ;;
esac
