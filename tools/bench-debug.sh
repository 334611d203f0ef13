#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench-debug.sh - what each debug mode option costs, in instructions per
# operation through the drop-in (KMA_DEBUG, ARCHITECTURE.md "Debug mode"),
# on the malloc+free pair and on the benchmark's own workloads.
#
#   tools/bench-debug.sh [option-set ...]
#
# Default option sets: none (KMA_DEBUG unset), quarantine,
# quarantine,poison, init_on_alloc, redzone,track, all. For each, runs
# under callgrind with n and 2n operations and prints (Ir(2n) - Ir(n)) /
# (ops(2n) - ops(n)), deterministic (start-up and warm-up cancel out):
#   pair-64, pair-1k  fastpath -s 64 / -s 1024: one malloc and its free
#   random            workload (g): random sizes (8 B-256 KiB, most under
#                     512 B), random order, 1000 live (an operation: one
#                     object allocated and freed)
#   memeff            workload (f): phases of live sets of mixed sizes,
#                     1 MiB base (an operation: an allocation or a free)
# and each workload's cost against the unset row.
set -eu
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null 2>&1 || tools/deps.sh bench >/dev/null
make -s ARCH=host -j2 preload
[ -x build/bench/random ] || tools/bench.py --callgrind-only \
	--cg-filter pair-16 >/dev/null 2>&1 || true
LIB=build/host-pic/libkma.so

if [ $# -eq 0 ]; then
	set -- none quarantine quarantine,poison init_on_alloc \
		redzone,track all
fi

# instructions and operations of one run: option workload n
run() {
	out=$(mktemp)
	case $2 in
	pair-64) cmd="build/bench/fastpath -s 64 -n $3" ;;
	pair-1k) cmd="build/bench/fastpath -s 1024 -n $3" ;;
	random)	cmd="build/bench/random -n $3 -b 1000" ;;
	memeff)	cmd="build/bench/memeff -n $3 -b 1024" ;;
	esac
	if [ "$1" = none ]; then
		ops=$(env -u KMA_DEBUG LD_PRELOAD=$LIB valgrind --tool=callgrind \
			--callgrind-out-file="$out" $cmd 2>/dev/null |
			sed -n 's/.* ops=\([0-9]*\) .*warm_ops=\([0-9]*\).*/\1 \2/p')
	else
		ops=$(KMA_DEBUG=$1 LD_PRELOAD=$LIB valgrind --tool=callgrind \
			--callgrind-out-file="$out" $cmd 2>/dev/null |
			sed -n 's/.* ops=\([0-9]*\) .*warm_ops=\([0-9]*\).*/\1 \2/p')
	fi
	ir=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out")
	rm -f "$out"
	set -- $ops
	echo "$ir $(($1 + $2))"
}

per_op() {	# option workload n
	set -- $(run "$1" "$2" "$3") $(run "$1" "$2" $((2 * $3)))
	echo "$1 $2 $3 $4" | awk '{ printf "%.0f", ($3 - $1) / ($4 - $2) }'
}

WL="pair-64 pair-1k random memeff"
printf '%-20s' KMA_DEBUG
for w in $WL; do printf ' %9s' "$w"; done
for w in $WL; do printf ' %9s' "x $w"; done
echo
base=""
for o in "$@"; do
	row=""
	for w in $WL; do
		case $w in
		pair-*) n=20000 ;;
		random) n=40000 ;;
		*) n=8000 ;;
		esac
		row="$row $(per_op "$o" "$w" $n)"
	done
	[ -n "$base" ] || base=$row
	printf '%-20s' "$o"
	for v in $row; do printf ' %9s' "$v"; done
	echo "$base $row" | awk '{ n = NF / 2
		for (i = 1; i <= n; i++) printf " %9.2f", $(i + n) / $i
		printf "\n" }'
done
