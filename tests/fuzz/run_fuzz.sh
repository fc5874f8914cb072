#!/bin/sh
# run_fuzz.sh: run libFuzzer harnesses for a bounded time each (make fuzz).
#
#   run_fuzz.sh BUILDDIR SECONDS "EXTRA-LIBFUZZER-FLAGS" HARNESS...
#
# Each harness H runs BUILDDIR/fuzz_H for SECONDS (-max_total_time) over
# BUILDDIR/corpus/H (new inputs land there) seeded from tests/fuzz/corpus/H;
# crashes are written to BUILDDIR/artifacts/H/.  Prints the execs, and any
# crash; exits 1 if a harness crashed.
set -u
cd "$(dirname "$0")/../.."
bdir=$1 secs=$2 extra=$3
shift 3
status=0
for h in "$@"; do
	mkdir -p "$bdir/corpus/$h" "$bdir/artifacts/$h"
	dict=""
	[ -f "tests/fuzz/$h.dict" ] && dict="-dict=tests/fuzz/$h.dict"
	log="$bdir/fuzz_$h.log"
	echo "fuzz $h: ${secs}s, log $log"
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bdir/fuzz_$h" -max_total_time="$secs" -timeout=25 -rss_limit_mb=2048 \
	    -print_final_stats=1 $dict \
	    -artifact_prefix="$bdir/artifacts/$h/" $extra \
	    "$bdir/corpus/$h" "tests/fuzz/corpus/$h" >"$log" 2>&1
	rc=$?
	runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" |
	    grep -o '[0-9]*$' | tail -1)
	[ -n "$runs" ] || runs=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
	took=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" |
	    tail -1)
	cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
	echo "fuzz $h: exit $rc, ${runs:-?} execs in ${took:-?}s (limit ${secs}s), $cov," \
	    "corpus $(ls "$bdir/corpus/$h" | wc -l) files"
	if [ "$rc" -ne 0 ]; then
		status=1
		echo "fuzz $h: CRASH; artifacts:"
		ls -l "$bdir/artifacts/$h/"
		grep -A40 -m1 'ERROR\|panic\|==[0-9]*==\|fuzz_api:\|fuzz_scenario:' "$log"
		echo "(minimize: $bdir/fuzz_$h -minimize_crash=1 -runs=10000 ARTIFACT;"
		echo " save as tests/fuzz/regressions/$h/NAME.pending until fixed)"
	fi
done
exit $status
