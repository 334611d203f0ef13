#!/bin/sh
# SPDX-License-Identifier: MIT
#
# run-tests.sh - every test of the project, then one closing line
# "N passed, N failed" over all runs. Exit status is non-zero if any case
# failed, any run crashed or timed out, or any build broke.
#
# Runs: the generated-file check (tools/mksizeclasses.py --check, one
# case), host tests (gcc), host tests under ASan+UBSan (gcc), threaded
# suites under TSan (clang), host tests as a 32-bit program (gcc -m32),
# the kernels (every arch/<arch>/ with a QEMU
# descriptor, qemu.conf) built by gcc and clang, the fuzz harnesses
# replayed over their seed corpora (make fuzz-replay), the installed
# library's checks (tools/lib-check.sh), the example kernel built from
# the installed library (tools/example-check.sh), the QEMU boots
# (tools/qemu-test.sh) of each descriptor's test configurations
# (QEMU_TESTS), the drop-in malloc (tools/preload_test.py) and a smoke
# run of the benchmark harness (tools/bench.py --smoke).
#
# Environment: JOBS (parallel make jobs, default: CPU count),
# TIMEOUT (seconds per host run, default 600).
set -u

cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
TIMEOUT=${TIMEOUT:-600}
LOGDIR=build/test-logs
mkdir -p "$LOGDIR"

total_pass=0
total_fail=0

count() {	# label log status
	out=$(python3 tools/ktap.py "$1" "$2" "$3")
	echo "$out" | grep -v '^COUNTS '
	set -- $(echo "$out" | sed -n 's/^COUNTS //p')
	total_pass=$((total_pass + $1))
	total_fail=$((total_fail + $2))
}

build() {	# label make-args...
	label=$1
	shift
	if ! make -s -j"$JOBS" "$@" >"$LOGDIR/build-$label.log" 2>&1; then
		echo "$label: BUILD FAILED (make $*):"
		tail -20 "$LOGDIR/build-$label.log" | sed 's/^/    | /'
		total_fail=$((total_fail + 1))
		return 1
	fi
	return 0
}

host_run() {	# label builddir filter [env]
	label=$1 dir=$2 filter=$3
	shift 3
	log="$LOGDIR/$label.log"
	env "$@" timeout "$TIMEOUT" "$dir/ktest-host" "$filter" >"$log" 2>&1
	st=$?
	[ $st = 124 ] && echo "$label: TIMEOUT after ${TIMEOUT}s"
	count "$label" "$log" $st
}

gen_check() {	# label command... : one KTAP case, passed if command succeeds
	label=$1
	shift
	r="ok"
	"$@" >"$LOGDIR/$label.out" 2>&1 || r="not ok"
	{
		printf 'KTAP version 1\n1..1\n    KTAP version 1\n'
		printf '    # Subtest: %s\n    1..1\n' "$label"
		sed 's/^/        # /' "$LOGDIR/$label.out"
		printf '    %s 1 %s\n%s 1 %s\n' "$r" "$label" "$r" "$label"
	} >"$LOGDIR/$label.log"
	count "$label" "$LOGDIR/$label.log" 0
}

gen_check sizeclasses python3 tools/mksizeclasses.py --check

# Suites that start threads: also run under ThreadSanitizer.
TSAN_SUITES="spinlock,*threads*"

if build host ARCH=host; then
	host_run host build/host ""
	# The debug mode chosen at start (KMA_DEBUG), as the drop-in reads it.
	host_run host-debug build/host "debug_env" \
		KMA_DEBUG=quarantine=2M,poison
fi
if build host-asan ARCH=host SAN=asan; then
	host_run host-asan build/host-asan "" \
		ASAN_OPTIONS=abort_on_error=1:detect_leaks=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fi
if build host-tsan ARCH=host SAN=tsan; then
	host_run host-tsan build/host-tsan "$TSAN_SUITES" \
		TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
fi

# The unit suites as a 32-bit program (make ARCH=host32: gcc -m32): run
# directly, or under qemu-i386 (user mode) where the kernel runs no 32-bit
# x86 programs (built without IA-32 emulation: exit status 126).
if build host32 ARCH=host32; then
	run=
	build/host32/ktest-host no-such-suite >/dev/null 2>&1
	[ $? = 126 ] && run=qemu-i386
	log="$LOGDIR/host32.log"
	timeout "$TIMEOUT" $run build/host32/ktest-host >"$log" 2>&1
	st=$?
	[ $st = 124 ] && echo "host32: TIMEOUT after ${TIMEOUT}s"
	count host32 "$log" $st
fi

# Every architecture with a QEMU descriptor (arch/<arch>/qemu.conf).
ARCHES=$(tools/qemu.sh --arches)

for arch in $ARCHES; do
	build "$arch-gcc" ARCH=$arch && echo "$arch-gcc: kernel builds"
	build "$arch-llvm" ARCH=$arch LLVM=1 && echo "$arch-llvm: kernel builds"
done

# The fuzz harnesses over their seed corpora (make fuzz-replay).
gen_check fuzz-replay make -s fuzz-replay

# The library as other kernels get it: make lib, make install, the link
# and dependency checks (tools/lib-check.sh).
log="$LOGDIR/lib.log"
timeout "$TIMEOUT" tools/lib-check.sh >"$log" 2>"$log.err"
count lib "$log" $?

# The example kernel built from the installed library, booted on both
# architectures (tools/example-check.sh).
log="$LOGDIR/example.log"
timeout "$TIMEOUT" tools/example-check.sh >"$log" 2>"$log.err"
count example "$log" $?

# The configurations of each descriptor (QEMU_TESTS), one boot each.
if [ -x tools/qemu-test.sh ]; then
	for arch in $ARCHES; do
		tools/qemu-test.sh --list "$arch" 2>/dev/null | while read -r cfg; do
			echo "$cfg"
		done > "$LOGDIR/qemu-$arch.cfgs"
		while read -r cfg; do
			log="$LOGDIR/qemu-$arch-$(echo "$cfg" | tr ' =,' '___').log"
			# shellcheck disable=SC2086
			tools/qemu-test.sh "$arch" $cfg >"$log" 2>&1
			count "qemu-$arch $cfg" "$log" $?
		done < "$LOGDIR/qemu-$arch.cfgs"
	done
fi

# The drop-in malloc: its API under LD_PRELOAD, and real programs on it.
log="$LOGDIR/preload.log"
timeout "$TIMEOUT" python3 tools/preload_test.py >"$log" 2>"$log.err"
count preload "$log" $?

# The benchmark harness with tiny parameters, so that it keeps working.
log="$LOGDIR/bench-smoke.log"
timeout "$TIMEOUT" python3 tools/bench.py --smoke >"$log" 2>"$log.err"
count bench-smoke "$log" $?

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" = 0 ]
