#!/bin/sh
# SPDX-License-Identifier: MIT
#
# qemu.sh - the one QEMU launcher: reads an architecture's descriptor
# (arch/<arch>/qemu.conf), builds the QEMU command line from it, runs it
# with a timeout and turns QEMU's exit status back into the kernel's.
# Every script that boots a kernel (qemu-run.sh, qemu-test.sh,
# bench-kernel.sh, bench-xcpu.sh) comes through here, so the command line
# is written once.
#
#   tools/qemu.sh [options] ARCH [kernel command line...]
#   tools/qemu.sh --list ARCH        the descriptor's test configurations
#   tools/qemu.sh --get VAR ARCH     one descriptor variable
#   tools/qemu.sh --arches           architectures with a descriptor
#
# Options:
#   --smp N, --mem SIZE  CPUs and RAM (default QEMU_SMP, QEMU_MEM)
#   --machine M          replaces QEMU_MACHINE (e.g. virt,virtualization=on)
#   --build DIR          the build directory holding the image (default
#                        build/ARCH); the image is DIR/QEMU_IMAGE
#   --iso                boot a GRUB CD image (tools/mkiso.sh) made from
#                        DIR/kernel.elf with the command line, as
#                        DIR/kma-test.iso, instead of -kernel (QEMU_ISO=1)
#   --status             have the kernel report its exit status through the
#                        exit device: with QEMU_EXIT=semihosting, adds
#                        QEMU_EXIT_ARGS and "semihosting" to the command
#                        line (a debug-exit device is always there)
#   --icount             -icount shift=0: one nanosecond of guest time per
#                        instruction (the benchmarks)
#   --interactive        the console on the terminal with QEMU's monitor
#                        multiplexed (Ctrl-A x quits), stdin passed through
#                        (make run); otherwise stdin is /dev/null and the
#                        serial port plain stdio
#   --timeout S          seconds before QEMU is killed (default 300)
#   --dry-run            print the command line instead of running it
#
# Exit status: the kernel's status decoded from the exit device (0 is
# success; a kernel that powers off without one reports 0), 124 when the
# timeout expired, 125 when QEMU ended without the status a debug-exit
# device always gives, 2 for a usage error.
#
# Environment: QEMU_EXTRA (more QEMU options, appended as words).
set -u
cd "$(dirname "$0")/.." || exit 2

usage() {
	echo "usage: tools/qemu.sh [options] ARCH [cmdline...] |" \
	     "--list ARCH | --get VAR ARCH | --arches" >&2
	exit 2
}

# load ARCH: source its descriptor, with every variable reset first (the
# DEPS_* are for --get).
# shellcheck disable=SC2034
load() {
	QEMU_SYSTEM='' QEMU_MACHINE='' QEMU_CPU='' QEMU_SMP=1 QEMU_MEM=128M
	QEMU_IMAGE='' QEMU_ISO='' QEMU_EXIT='' QEMU_EXIT_ARGS='' QEMU_TESTS=''
	QEMU_ARGS=''
	DEPS_RUN='' DEPS_TEST='' DEPS_ISO=''
	if [ ! -f "arch/$1/qemu.conf" ]; then
		echo "qemu.sh: no QEMU descriptor arch/$1/qemu.conf" >&2
		exit 2
	fi
	# shellcheck disable=SC1090
	. "./arch/$1/qemu.conf"
}

case "${1:-}" in
--arches)
	for f in arch/*/qemu.conf; do
		[ -f "$f" ] && basename "$(dirname "$f")"
	done
	exit 0 ;;
--list)
	load "${2:-}"
	[ -n "$QEMU_TESTS" ] && printf '%s\n' "$QEMU_TESTS"
	exit 0 ;;
--get)
	[ $# -ge 3 ] || usage
	load "$3"
	eval "printf '%s\n' \"\${$2:-}\""
	exit 0 ;;
esac

smp='' mem='' machine='' build='' iso='' status='' icount='' interactive=''
dry=''
timeout=300
while [ $# -gt 0 ]; do
	case "$1" in
	--smp)		smp=${2:?}; shift ;;
	--mem)		mem=${2:?}; shift ;;
	--machine)	machine=${2:?}; shift ;;
	--build)	build=${2:?}; shift ;;
	--timeout)	timeout=${2:?}; shift ;;
	--iso)		iso=1 ;;
	--status)	status=1 ;;
	--icount)	icount=1 ;;
	--interactive)	interactive=1 ;;
	--dry-run)	dry=1 ;;
	--*)		usage ;;
	*)		break ;;
	esac
	shift
done
[ $# -ge 1 ] || usage
arch=$1
shift
load "$arch"
cmdline="$*"
build=${build:-build/$arch}

if [ -n "$status" ] && [ "$QEMU_EXIT" = semihosting ]; then
	cmdline="${cmdline:+$cmdline }semihosting"
fi
if [ -n "$interactive" ]; then
	console="-serial mon:stdio"
else
	console="-serial stdio"
fi

# The machine, the exit device, the console; then the image.
# shellcheck disable=SC2086
set -- $QEMU_SYSTEM -machine "${machine:-$QEMU_MACHINE}" -cpu "$QEMU_CPU" \
	-smp "${smp:-$QEMU_SMP}" -m "${mem:-$QEMU_MEM}" \
	${icount:+-icount shift=0} \
	-display none -no-reboot $console -monitor none $QEMU_ARGS
if [ "$QEMU_EXIT" != semihosting ] || [ -n "$status" ]; then
	# shellcheck disable=SC2086
	set -- "$@" $QEMU_EXIT_ARGS
fi
# shellcheck disable=SC2086
set -- "$@" ${QEMU_EXTRA:-}
if [ -n "$iso" ]; then
	if [ "$QEMU_ISO" != 1 ]; then
		echo "qemu.sh: $arch does not boot from a CD image" >&2
		exit 2
	fi
	image=$build/kma-test.iso
	# shellcheck disable=SC2086
	if [ -z "$dry" ] &&
	   ! tools/mkiso.sh "$build/kernel.elf" "$image" $cmdline; then
		echo "qemu.sh: cannot make a GRUB image for $arch" >&2
		exit 2
	fi
	set -- "$@" -cdrom "$image"
else
	set -- "$@" -kernel "$build/$QEMU_IMAGE" -append "$cmdline"
fi

if [ -n "$dry" ]; then
	for w in timeout "$timeout" "$@"; do
		case "$w" in
		*[!A-Za-z0-9_./,=:+-]*|"") printf "'%s' " "$w" ;;
		*) printf '%s ' "$w" ;;
		esac
	done
	echo
	exit 0
fi

if [ -n "$interactive" ]; then
	timeout --foreground "$timeout" "$@"
else
	timeout "$timeout" "$@" </dev/null
fi
st=$?
[ $st = 124 ] && exit 124
case "$QEMU_EXIT" in
debug-exit)
	# (status << 1) | 1; QEMU's own 0 means the device was not used.
	[ $st = 0 ] && exit 125
	exit $(( (st - 1) / 2 )) ;;
*)
	exit $st ;;
esac
