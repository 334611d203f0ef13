#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench-checks.sh - what kfree()'s deterministic misuse checks cost on the
# fast path, in instructions per malloc+free pair through the drop-in.
#
#   tools/bench-checks.sh [size ...]        (default: 16 64 1024 4096)
#
# Builds the drop-in twice: as shipped (build/host-pic/libkma.so) and with
# the fast-path checks emptied (-DKMA_MEASURE_UNCHECKED, into
# build/host-unchecked-pic/; see mm/heap.h: no slot-start test, no object
# tag test or write, so it catches no double free and is never used
# otherwise). Then runs the fastpath workload under callgrind with n and
# 2n pairs for each and prints instructions per pair and the difference.
set -eu
cd "$(dirname "$0")/.."
sizes=${*:-16 64 1024 4096}
N=20000

make -s ARCH=host -j2 preload
make -s ARCH=host -j2 preload BUILD=build/host-unchecked \
	EXTRA_CFLAGS=-DKMA_MEASURE_UNCHECKED
[ -x build/bench/fastpath ] || tools/bench.py --callgrind-only \
	--cg-filter pair-16 >/dev/null 2>&1 || true

# instructions and operations of one run: lib n size
run() {
	out=$(mktemp)
	ops=$(LD_PRELOAD=$1 valgrind --tool=callgrind --callgrind-out-file="$out" \
		build/bench/fastpath -s "$3" -n "$2" 2>/dev/null |
		sed -n 's/.* ops=\([0-9]*\) .*warm_ops=\([0-9]*\).*/\1 \2/p')
	ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out")
	rm -f "$out"
	set -- $ops
	echo "$ir $(($1 + $2))"
}

per_pair() {	# lib size
	set -- $(run "$1" $N "$2") $(run "$1" $((2 * N)) "$2")
	echo "$1 $2 $3 $4" | awk '{ printf "%.1f", ($3 - $1) / ($4 - $2) }'
}

printf '%8s %10s %10s %8s\n' size checked unchecked checks
for s in $sizes; do
	a=$(per_pair build/host-pic/libkma.so "$s")
	b=$(per_pair build/host-unchecked-pic/libkma.so "$s")
	printf '%8s %10s %10s %8s\n' "$s" "$a" "$b" \
		"$(echo "$a $b" | awk '{ printf "%.1f", $1 - $2 }')"
done
