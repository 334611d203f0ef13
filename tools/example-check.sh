#!/bin/sh
# SPDX-License-Identifier: MIT
#
# example-check.sh - KTAP suite "example": examples/minikernel built as
# another kernel builds kma, from an installed library only, and booted.
# For x86_64 and aarch64:
#
#   install    make install ARCH=<arch> DESTDIR=<tmp> PREFIX=/usr
#   build      make -C examples/minikernel KMA=<tmp>/usr: every compile
#              line's kma headers come from <tmp> (no include path into
#              the tree's include/, no mm/ or lib/ source compiled) and
#              the link takes <tmp>'s libkma.a
#   boot       make run: 4 CPUs, kmalloc, an object cache with a
#              constructor and the page API on every CPU and in every
#              CPU's timer interrupt; passes when the kernel prints
#              "minikernel: PASS" and exits with status 0
#
# Usage: tools/example-check.sh     (from anywhere)
set -u
cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

n=0
fails=0
out() {		# status name [diagnostic file]
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "    ok $n $2"
	else
		[ -n "${3:-}" ] && tail -15 "$3" | sed 's/^/        # /'
		echo "    not ok $n $2"
		fails=$((fails + 1))
	fi
}

echo "KTAP version 1"
echo "1..1"
echo "    KTAP version 1"
echo "    # Subtest: example"
echo "    1..6"
for arch in x86_64 aarch64; do
	inst="$TMP/inst-$arch"
	log="$TMP/$arch.log"
	if make -s install ARCH="$arch" DESTDIR="$inst" PREFIX=/usr \
		>"$log" 2>&1; then
		out ok "$arch install"
	else
		out fail "$arch install" "$log"
		out fail "$arch build"
		out fail "$arch boot"
		continue
	fi
	blog="$TMP/$arch-build.log"
	# Include paths: the installed headers and the platform's own
	# directories, nothing else.
	if make -C examples/minikernel KMA="$inst/usr" ARCH="$arch" \
		OUT="$TMP/build-$arch" >"$blog" 2>&1 &&
	   grep -q -- "-I$inst/usr/include " "$blog" &&
	   ! grep -o -- ' -I[^ ]*' "$blog" | sort -u |
		grep -v -e " -I$inst/usr/include\$" -e ' -I\.\./\.\./arch/' \
			-e ' -I\.\./\.\./drivers$' \
			-e ' -I\.\./\.\./boot$' -e ' -I\.\./\.\./kernel$' |
		grep . >>"$blog" &&
	   ! grep -E '\.\./\.\./(mm|lib)/' "$blog" | grep -q . &&
	   grep -q -- "$inst/usr/lib/libkma.a" "$blog"; then
		out ok "$arch build"
	else
		out fail "$arch build" "$blog"
		out fail "$arch boot"
		continue
	fi
	rlog="$TMP/$arch-run.log"
	if make -s -C examples/minikernel KMA="$inst/usr" ARCH="$arch" \
		OUT="$TMP/build-$arch" run >"$rlog" 2>&1 &&
	   grep -q "^minikernel: PASS" "$rlog"; then
		out ok "$arch boot"
		grep "^minikernel:" "$rlog" | sed 's/^/        # /'
	else
		out fail "$arch boot" "$rlog"
	fi
done
[ $fails = 0 ] && echo "ok 1 example" || echo "not ok 1 example"
[ $fails = 0 ]
