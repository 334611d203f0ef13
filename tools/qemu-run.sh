#!/bin/sh
# SPDX-License-Identifier: MIT
#
# qemu-run.sh - build the demo kernel and boot it in QEMU with a timeout,
# the console on the terminal (make run). The command line comes from
# tools/qemu.sh and the architecture's arch/<arch>/qemu.conf.
#
#   tools/qemu-run.sh run ARCH [extra kernel command line]
#
# Environment: SMP, MEM (default: the descriptor's QEMU_SMP and QEMU_MEM,
# 4 and 512M but on armv7m, whose machine has one CPU and 16 MiB),
# TIMEOUT (default 120).
set -eu
cd "$(dirname "$0")/.."
mode=${1:-run}
arch=${2:-x86_64}
shift 2 || true
TIMEOUT=${TIMEOUT:-120}

[ "$mode" = run ] || { echo "qemu-run: unknown mode $mode" >&2; exit 2; }
[ -f "arch/$arch/qemu.conf" ] ||
	{ echo "qemu-run: unknown ARCH $arch" >&2; exit 2; }
make -s ARCH="$arch" -j"$(nproc 2>/dev/null || echo 2)"
set +e
tools/qemu.sh --interactive --timeout "$TIMEOUT" ${SMP:+--smp "$SMP"} \
	${MEM:+--mem "$MEM"} "$arch" "$@"
st=$?
[ $st = 0 ] && exit 0
echo "qemu-run: kernel ended with status $st" >&2
exit 1
