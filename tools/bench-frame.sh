#!/bin/sh
# SPDX-License-Identifier: MIT
#
# bench-frame.sh - the frame allocator's figures:
#   instructions (callgrind) and ns per order-0 and per order-9 (2 MiB)
#   alloc/free pair, and the time to sanitize a 64 GiB synthetic map and
#   build the allocator over it (plus its instruction count).
#
#   tools/bench-frame.sh
#
# A benchmark, not a test: it prints numbers and checks nothing. Needs
# valgrind (tools/deps.sh bench installs it).
set -eu
cd "$(dirname "$0")/.."

B=build/host/bench/frame_bench
make -s ARCH=host "$B"
command -v valgrind >/dev/null 2>&1 || tools/deps.sh bench

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# instructions per call of the toggled function: Ir total / N.
ir() {	# function what N GiB
	valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
		--toggle-collect="$1" "$B" "$2" "$3" "$4" >/dev/null 2>&1
	tot=$(sed -n 's/^totals: *\([0-9]*\).*/\1/p' "$out/cg" | head -1)
	[ -n "$tot" ] || tot=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out/cg")
	echo $((tot / $3))
}

# Valgrind cannot map 64 GiB: instructions are counted on an 8 GiB map
# for the pairs and on 32 and 56 GiB maps for init (the cost grows with
# regions and blocks / 64); the timings below use the full 64 GiB.
echo "frame allocator ($(gcc --version | head -1), -O2, host port)"
echo "order-0 alloc+free pair: $(ir bench_pair0 pair0 200000 8) instructions (callgrind)"
echo "order-9 alloc+free pair: $(ir bench_pair9 pair9 100000 8) instructions (callgrind)"
echo "init (sanitize + build), 32 GiB map: $(ir bench_init init 20 32) instructions (callgrind)"
echo "init (sanitize + build), 56 GiB map: $(ir bench_init init 20 56) instructions (callgrind)"
"$B" time 64
