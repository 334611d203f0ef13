#!/bin/sh
# SPDX-License-Identifier: MIT
#
# deps.sh - install what the build and tests need, skipping what is there.
#
#   tools/deps.sh test          everything `make test` uses
#   tools/deps.sh run [ARCH]    what `make run` uses for ARCH (x86_64)
#   tools/deps.sh bench         what `make bench` uses
#   tools/deps.sh iso           what `make iso` uses (GRUB, xorriso, mtools)
#
# Runs apt-get as root when a tool is missing. Without root or apt it
# prints the exact command to run and fails: a missing tool is never
# skipped silently.
set -eu

what=${1:-test}
arch=${2:-x86_64}

# "command:package" pairs (or "@file:package", a file or glob that the
# package installs). What each architecture's kernel and QEMU need comes
# from its descriptor, arch/<arch>/qemu.conf (DEPS_RUN, DEPS_TEST).
base="make:make gcc:gcc python3:python3"
pytests="@/usr/lib/python3.11/test/test_queue.py:libpython3.11-testsuite"
host="clang:clang ld.lld:lld llvm-ar:llvm"
# make ARCH=host32 (gcc -m32): the compiler's 32-bit parts, not the
# gcc-multilib package, which conflicts with gcc-aarch64-linux-gnu; and
# qemu-i386 to run the program where the kernel runs no 32-bit x86 code.
host32="@/usr/lib/gcc/x86_64-linux-gnu/*/32/libgcc.a:gcc-12-multilib \
@/usr/lib32/libc.so:libc6-dev-i386 qemu-i386:qemu-user"
tsan="@/usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.tsan-x86_64.a:libclang-rt-14-dev"
bench="valgrind:valgrind gnuplot:gnuplot-nox sqlite3:sqlite3 git:git \
@/usr/lib/*/libjemalloc.so.2:libjemalloc2 \
@/usr/lib/*/libtcmalloc_minimal.so.4:libtcmalloc-minimal4 \
@/usr/lib/*/libmimalloc.so.2:libmimalloc2.0"

desc() {	# VAR ARCH: a variable of the architecture's QEMU descriptor
	"$(dirname "$0")/qemu.sh" --get "$1" "$2"
}

case "$what" in
test)	need="$base $pytests $host $host32 $tsan"
	for a in $("$(dirname "$0")/qemu.sh" --arches); do
		need="$need $(desc DEPS_RUN "$a") $(desc DEPS_TEST "$a")"
	done
	need="$need $bench" ;;
run)	need="$base $(desc DEPS_RUN "$arch")" ;;
bench)	need="$base $host $bench" ;;
iso)	need="$base $(desc DEPS_ISO x86_64)" ;;
*)	echo "usage: $0 test|run [ARCH]|bench|iso" >&2; exit 2 ;;
esac

missing=""
for pair in $need; do
	cmd=${pair%%:*}
	pkg=${pair#*:}
	case "$cmd" in
	@*)	# a file, possibly a glob
		set -- ${cmd#@}
		[ -e "$1" ] && continue ;;
	*)	command -v "$cmd" >/dev/null 2>&1 && continue ;;
	esac
	case " $missing " in *" $pkg "*) ;; *) missing="$missing $pkg" ;; esac
done

[ -z "$missing" ] && exit 0

cmdline="apt-get update && apt-get install -y$missing"
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: missing packages:$missing" >&2
	echo "deps: run as root:  $cmdline" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q $missing >/dev/null
echo "deps: done"
