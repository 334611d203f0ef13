#!/bin/sh
# SPDX-License-Identifier: MIT
#
# lockstat.sh - how often each layer's locks are taken and how long they
# are held, under the threaded benchmark workloads.
#
#   tools/lockstat.sh [workload ...]    (default: prodcons server random
#                                        batch threads)
#
# Builds the drop-in with -DKMA_LOCK_STATS into build/host-lockstat-pic
# (the default build is untouched: without the flag the lock code is the
# same), runs each workload of tools/bench/workloads at 1, 2 and 8
# threads with the arguments `make bench` uses (-n per thread, scaled by
# 2/threads above 2 threads), and prints one line per layer: lock
# acquisitions per 1000 operations (an operation is one object's malloc
# and free, as in the benchmark), the share of them that had to wait, the
# mean and the longest hold time. Layers: the centrals' locks (all
# classes), the page heap's, the frame allocator's zone lock and its
# per-CPU cache locks, the drop-in's shared slot and growth locks. Hold
# times are wall time from the time-stamp counter: a holder preempted by
# the OS (threads beyond the cores) counts its time off the CPU too.
set -u
cd "$(dirname "$0")/.."
B=build/host-lockstat
LIB=$B-pic/libkma.so
WL=build/bench

make -s ARCH=host BUILD=$B EXTRA_CFLAGS=-DKMA_LOCK_STATS -j2 preload ||
	exit 1
python3 -c 'import sys; sys.path.insert(0, "tools"); import bench
bench.build_workloads()' || exit 1
wls=${*:-prodcons server random batch threads}

args_of() {	# workload -> the benchmark's arguments at 2 threads
	case $1 in
	prodcons) echo "-n 500000" ;;
	server) echo "-n 500000 -b 2000" ;;
	random) echo "-n 2000000 -b 10000" ;;
	batch) echo "-n 1000000 -b 1000" ;;
	threads) echo "-n 1500000" ;;
	memeff) echo "-n 1000000 -b 16384" ;;
	large) echo "-n 1500" ;;
	*) echo "" ;;
	esac
}

printf '%-9s %3s %-12s %12s %8s %12s %12s\n' workload thr layer \
	'acq/1k ops' waited 'mean ns' 'max ns'
for w in $wls; do
	if [ ! -x "$WL/$w" ]; then
		echo "lockstat: no $WL/$w (make bench builds it)" >&2
		continue
	fi
	for t in 1 2 8; do
		set -- $(args_of "$w")
		if [ "$t" -gt 2 ] && [ "${1:-}" = "-n" ]; then
			n=$(( $2 * 2 / t ))
			shift 2
			set -- -n "$n" "$@"
		fi
		out=$(LD_PRELOAD=$LIB "$WL/$w" -t "$t" "$@" 2>&1)
		ops=$(echo "$out" | sed -n 's/.* ops=\([0-9]*\).*/\1/p' | head -1)
		[ -n "$ops" ] || { echo "lockstat: $w -t $t failed" >&2; continue; }
		echo "$out" | grep '^lockstat ' | awk -v w="$w" -v t="$t" \
			-v ops="$ops" '{
			for (i = 2; i <= NF; i++) {
				split($i, kv, "="); v[kv[1]] = kv[2]
			}
			if (v["acq"] == 0)
				next
			printf "%-9s %3d %-12s %12.2f %7.1f%% %12.0f %12.0f\n",
				w, t, v["layer"], v["acq"] * 1000 / ops,
				100 * v["waited"] / v["acq"],
				v["hold_ns"] / v["acq"], v["max_ns"]
		}'
	done
done
