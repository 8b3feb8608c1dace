#!/bin/sh
# No source file is longer than 800 lines: the C sources and headers of
# provider/, include/, tunnel/, ca/, tests/ and bench/, and the Python and
# shell scripts among them. A file that grows past the limit is split by
# job, not allowed to keep growing.
set -u

srcdir=${SC_SRCDIR:-.}
limit=800

dirs=
for d in provider include tunnel ca tests bench; do
	[ -d "$srcdir/$d" ] && dirs="$dirs $srcdir/$d"
done
if [ -z "$dirs" ]; then
	echo "SKIP: no sources in $srcdir to measure"
	exit 77
fi

list=${TMPDIR:-/tmp}/file-length.$$
trap 'rm -f "$list"' EXIT
find $dirs -type f \( -name '*.c' -o -name '*.h' -o -name '*.py' -o -name '*.sh' \) \
    -print >"$list"
n=$(wc -l <"$list")
if [ "$n" -eq 0 ]; then
	echo "SKIP: no sources found under$dirs"
	exit 77
fi

fail=0
while IFS= read -r f; do
	lines=$(wc -l <"$f")
	if [ "$lines" -gt "$limit" ]; then
		echo "FAIL: ${f#"$srcdir"/} has $lines lines (limit $limit): split it by job"
		fail=1
	fi
done <"$list"
[ "$fail" -eq 0 ] && echo "ok: none of $n source files is longer than $limit lines"
exit $fail
