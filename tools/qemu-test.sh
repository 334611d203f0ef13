#!/bin/sh
# SPDX-License-Identifier: MIT
#
# qemu-test.sh - boot a kernel in QEMU, run its KTAP suites, check the end.
#
#   tools/qemu-test.sh --list ARCH          configurations make test runs
#                                           (QEMU_TESTS, arch/ARCH/qemu.conf)
#   tools/qemu-test.sh ARCH [smp=N] [mem=SIZE] [machine=M] [boot=iso]
#                      [llvm=1] [kernel options...]
#
# Builds the kernel, boots it with a timeout and the command line
# "ktest=all expect_cpus=N expect_mem=SIZE ...", prints the serial output
# (a KTAP document) on stdout, and exits non-zero if QEMU hung (timeout),
# the kernel panicked, the KTAP output or the closing line is missing, or
# the exit status is not success (the descriptor's exit device:
# x86_64's isa-debug-exit, aarch64's and arm's semihosting SYS_EXIT,
# asked for with "semihosting" on the command line). QEMU is started by
# tools/qemu.sh from arch/ARCH/qemu.conf.
# On failure the last lines of output are printed as KTAP comments.
#
# machine=M replaces QEMU's -machine (x86_64 default q35; aarch64 and arm
# default virt, e.g. machine=virt,virtualization=on,gic-version=3 for EL2
# entry and GICv3 on aarch64, machine=virt,virtualization=on for HYP
# entry on arm).
#
# llvm=1: boot the kernel built by clang (make LLVM=1) instead of gcc's.
#
# boot=iso (QEMU_ISO=1: x86_64): instead of -kernel (the PVH entry), boot a GRUB CD
# image made by tools/mkiso.sh with the same command line, so the kernel
# comes up through the multiboot2 entry.
#
# Environment: TIMEOUT (seconds, default 300), QEMU_EXTRA (more options).
set -u
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--list" ]; then
	tools/qemu.sh --list "${2:-}" 2>/dev/null
	exit 0
fi

arch=${1:?usage: qemu-test.sh --list ARCH | ARCH [smp=N] [mem=SIZE] [opts]}
shift
smp=4
mem=512M
machine=""
boot=""
llvm=""
extra=""
for a in "$@"; do
	case "$a" in
	smp=*)	smp=${a#smp=} ;;
	llvm=1)	llvm=1 ;;
	mem=*)	mem=${a#mem=} ;;
	machine=*) machine=${a#machine=} ;;
	boot=iso) boot=iso ;;
	*)	extra="$extra $a" ;;
	esac
done
TIMEOUT=${TIMEOUT:-300}

if ! make -s ARCH="$arch" ${llvm:+LLVM=1} -j2 >/dev/null; then
	echo "# qemu-test: kernel build failed for $arch${llvm:+ (LLVM=1)}"
	exit 2
fi
build=build/$arch${llvm:+-llvm}

out=$(mktemp)
trap 'rm -f "$out"' EXIT
cmdline="ktest=all expect_cpus=$smp expect_mem=$mem$extra"
start=$(date +%s)
# shellcheck disable=SC2086
tools/qemu.sh --status --timeout "$TIMEOUT" --build "$build" \
	--smp "$smp" --mem "$mem" ${machine:+--machine "$machine"} \
	${boot:+--iso} "$arch" $cmdline >"$out" 2>&1
kst=$?
case $kst in
124)	kst=timeout ;;
2)	if [ ! -s "$out" ] || grep -q '^qemu.sh:' "$out"; then
		cat "$out"
		echo "# qemu-test: cannot boot $arch"
		exit 2
	fi ;;
esac
secs=$(( $(date +%s) - start ))

# Strip the firmware's escape sequences; keep the kernel's lines.
sed 's/[[0-9;?]*[a-zA-Z]//g; s/c//g' "$out"

fail=""
[ "$kst" = timeout ] && fail="hang: no exit after ${TIMEOUT}s"
grep -q '^PANIC' "$out" && fail="${fail:+$fail; }kernel panic"
grep -q '^KTAP version 1' "$out" || fail="${fail:+$fail; }no KTAP output"
grep -q '^kma: done' "$out" || fail="${fail:+$fail; }no closing line"
if [ "$boot" = iso ] && ! grep -q 'booted through multiboot2' "$out"; then
	fail="${fail:+$fail; }not booted through multiboot2"
fi
if [ "$kst" != timeout ] && [ "$kst" != 0 ]; then
	fail="${fail:+$fail; }exit status $kst"
fi
echo "# qemu-test: $arch smp=$smp mem=$mem${machine:+ machine=$machine}${boot:+ boot=$boot}${llvm:+ llvm=1}: ${secs}s"
if [ -n "$fail" ]; then
	echo "# qemu-test: FAILED: $fail; last lines:"
	tail -15 "$out" | sed 's/^/#   | /'
	exit 1
fi
exit 0
