#!/bin/sh
# SPDX-License-Identifier: MIT
#
# qemu-test.sh - boot a kernel in QEMU, run its KTAP suites, check the end.
#
#   tools/qemu-test.sh --list ARCH          configurations make test runs
#   tools/qemu-test.sh ARCH [smp=N] [mem=SIZE] [machine=M] [boot=iso]
#                      [llvm=1] [kernel options...]
#
# Builds the kernel, boots it with a timeout and the command line
# "ktest=all expect_cpus=N expect_mem=SIZE ...", prints the serial output
# (a KTAP document) on stdout, and exits non-zero if QEMU hung (timeout),
# the kernel panicked, the KTAP output or the closing line is missing, or
# the exit status is not success (x86_64: isa-debug-exit; aarch64 and
# arm: semihosting SYS_EXIT, asked for with "semihosting" on the command
# line).
# On failure the last lines of output are printed as KTAP comments.
#
# machine=M replaces QEMU's -machine (x86_64 default q35; aarch64 and arm
# default virt, e.g. machine=virt,virtualization=on,gic-version=3 for EL2
# entry and GICv3 on aarch64, machine=virt,virtualization=on for HYP
# entry on arm).
#
# llvm=1: boot the kernel built by clang (make LLVM=1) instead of gcc's.
#
# boot=iso (x86_64): instead of -kernel (the PVH entry), boot a GRUB CD
# image made by tools/mkiso.sh with the same command line, so the kernel
# comes up through the multiboot2 entry.
#
# Environment: TIMEOUT (seconds, default 300), QEMU_EXTRA (more options).
set -u
cd "$(dirname "$0")/.."

if [ "${1:-}" = "--list" ]; then
	case "${2:-}" in
	x86_64)	echo "smp=4 mem=8G"
		echo "smp=1 mem=128M"
		echo "smp=2 mem=512M boot=iso"
		echo "smp=8 mem=512M"
		echo "smp=8 mem=128M ktest=smp_stress stress_iters=11000"
		echo "smp=2 mem=256M kma.debug=quarantine=2M,poison ktest=boot,debug"
		echo "smp=2 mem=256M kma.guard=on ktest=boot,guard" ;;
	aarch64) echo "smp=4 mem=2G"
		echo "smp=8 mem=512M"
		echo "smp=1 mem=8G machine=virt,virtualization=on,gic-version=3"
		echo "smp=8 mem=128M ktest=smp_stress stress_iters=11000"
		echo "smp=2 mem=256M kma.debug=quarantine=2M,poison ktest=boot,debug" ;;
	arm)	echo "smp=1 mem=128M"
		echo "smp=4 mem=1G"
		echo "smp=1 mem=1G llvm=1"
		echo "smp=4 mem=128M llvm=1"
		echo "smp=2 mem=4G machine=virt,virtualization=on ktest=arm,boot" ;;
	esac
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
if [ "$boot" = iso ]; then
	iso=build/$arch/kma-test.iso
	# shellcheck disable=SC2086
	if [ "$arch" != x86_64 ] ||
	   ! tools/mkiso.sh build/x86_64/kernel.elf "$iso" $cmdline; then
		echo "# qemu-test: cannot make a GRUB image for $arch"
		exit 2
	fi
	set -- -cdrom "$iso"
else
	set -- -kernel $build/kernel.elf -append "$cmdline"
fi
case "$arch" in
x86_64)
	# shellcheck disable=SC2086
	timeout "$TIMEOUT" qemu-system-x86_64 -machine "${machine:-q35}" \
		-cpu max \
		-smp "$smp" -m "$mem" -display none -no-reboot \
		-serial stdio -monitor none \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		${QEMU_EXTRA:-} "$@" \
		</dev/null >"$out" 2>&1
	st=$?
	# isa-debug-exit: QEMU exits with (status << 1) | 1.
	case $st in
	1)	kst=0 ;;
	124)	kst=timeout ;;
	*)	kst=$(( (st - 1) / 2 )) ;;
	esac ;;
aarch64)
	# shellcheck disable=SC2086
	timeout "$TIMEOUT" qemu-system-aarch64 -machine "${machine:-virt}" \
		-cpu cortex-a72 -smp "$smp" -m "$mem" -display none \
		-no-reboot -serial stdio -monitor none -semihosting \
		${QEMU_EXTRA:-} \
		-kernel $build/Image -append "$cmdline semihosting" \
		</dev/null >"$out" 2>&1
	st=$?
	# Semihosting SYS_EXIT: QEMU exits with the kernel's status.
	case $st in
	124)	kst=timeout ;;
	*)	kst=$st ;;
	esac ;;
arm)
	# The raw Image: QEMU passes it the device tree in r2 (an ELF gets
	# none).
	# shellcheck disable=SC2086
	timeout "$TIMEOUT" qemu-system-arm -machine "${machine:-virt}" \
		-cpu cortex-a15 -smp "$smp" -m "$mem" -display none \
		-no-reboot -serial stdio -monitor none -semihosting \
		${QEMU_EXTRA:-} \
		-kernel $build/Image -append "$cmdline semihosting" \
		</dev/null >"$out" 2>&1
	st=$?
	case $st in
	124)	kst=timeout ;;
	*)	kst=$st ;;
	esac ;;
*)
	echo "# qemu-test: no QEMU configuration for $arch"
	exit 2 ;;
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
	fail="${fail:+$fail; }exit status $kst (QEMU $st)"
fi
echo "# qemu-test: $arch smp=$smp mem=$mem${machine:+ machine=$machine}${boot:+ boot=$boot}${llvm:+ llvm=1}: ${secs}s"
if [ -n "$fail" ]; then
	echo "# qemu-test: FAILED: $fail; last lines:"
	tail -15 "$out" | sed 's/^/#   | /'
	exit 1
fi
exit 0
