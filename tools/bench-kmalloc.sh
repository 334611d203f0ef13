#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench-kmalloc.sh - instructions per kmalloc+kfree pair by size class,
# counted by callgrind (deterministic), plus ns per pair and lock
# acquisitions per 1000 operations (timed, noisy: medians of a shared
# machine).
#
#   tools/bench-kmalloc.sh [size ...]     (default: every class)
set -eu
cd "$(dirname "$0")/.."
tools/deps.sh bench >/dev/null
make -s -j2 ARCH=host
bin=build/host/bench/kmalloc_bench
out=$(mktemp -d)
valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
	"$bin" icount >/dev/null 2>"$out/log"
echo "instructions per operation (callgrind, host build, call overhead included)"
printf "%8s %12s %14s\n" size "pair (1+1)" "batch (per op)"
for f in "$out"/cg.*; do
	trig=$(sed -n 's/^desc: Trigger: Client Request: //p' "$f")
	tot=$(sed -n 's/^summary: //p;s/^totals: //p' "$f" | head -1)
	set -- $trig
	echo "$1 $2 $3 $tot"
done | awk '
	$1 == "pair"  { pair[$2] = $4 / $3 }
	$1 == "batch" { batch[$2] = $4 / $3 / 2 }
	END { for (s in pair) printf "%8d %12.1f %14.1f\n", s, pair[s], batch[s] }' |
	sort -n
rm -rf "$out"
echo
echo "time per operation (wall clock)"
"$bin" ns
