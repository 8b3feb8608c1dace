#!/bin/sh
# Runs every fuzz target for N seconds (default 20) over a copy of its seed
# corpus, so the committed seeds stay as they are. Fails on any crash, leak
# or timeout and keeps the reproducer. Run from the build directory of a tree
# configured with --enable-fuzz (CC=clang) after `make fuzz`.
#   tests/fuzz/run.sh [seconds]
set -u
secs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
build=${SC_BUILDDIR:-.}
status=0

for target in engine record hello cert kx confirm auth alert_ku chain conf addr proxy ws wsconn via; do
	bin=$build/tests/fuzz/fuzz_$target
	if [ ! -x "$bin" ]; then
		echo "run.sh: $bin not built (configure CC=clang --enable-fuzz, then make fuzz)" >&2
		exit 1
	fi
	work=$(mktemp -d -t "sc-fuzz-$target.XXXXXX")
	mkdir "$work/corpus" "$work/artifacts"
	cp "$here/corpus/$target/"* "$work/corpus/"
	echo "fuzz_$target: ${secs}s over $(ls "$work/corpus" | wc -l) seeds in $work"
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 \
	    -artifact_prefix="$work/artifacts/" -print_final_stats=1 \
	    "$work/corpus" >"$work/log" 2>&1; then
		grep -E '^stat::number_of_executed_units|^Done' "$work/log" || true
		rm -rf "$work"
	else
		echo "fuzz_$target FAILED: log $work/log, reproducers in $work/artifacts:" >&2
		ls "$work/artifacts" >&2
		tail -n 60 "$work/log" >&2
		status=1
	fi
done
exit $status
