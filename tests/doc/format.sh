#!/bin/sh
# The C sources of provider/, include/ and tunnel/ are formatted as the
# tree's .clang-format says: clang-format --dry-run -Werror finds nothing
# to change. Releases of clang-format format the same file differently, so
# the check runs only with the release the tree was formatted with
# (major version 14, as clang-format or clang-format-14) and skips with any
# other.
set -u

srcdir=${SC_SRCDIR:-.}
want=14

# The major version of clang-format $1, or nothing.
major() {
	"$1" --version 2>/dev/null |
	    sed -n 's/.*clang-format version \([0-9][0-9]*\).*/\1/p' | head -n 1
}

cf=
seen=
for c in clang-format-$want clang-format; do
	command -v "$c" >/dev/null 2>&1 || continue
	v=$(major "$c")
	if [ "$v" = "$want" ]; then
		cf=$c
		break
	fi
	seen="$seen $c (version ${v:-unknown})"
done
if [ -z "$cf" ]; then
	if [ -z "$seen" ]; then
		echo "SKIP: clang-format is not installed"
	else
		echo "SKIP: the tree is formatted with clang-format $want; found only$seen"
	fi
	exit 77
fi

style=$srcdir/.clang-format
if [ ! -f "$style" ]; then
	echo "SKIP: $style is not there to check against"
	exit 77
fi
set --
for f in "$srcdir"/provider/*.[ch] "$srcdir"/include/*.h "$srcdir"/tunnel/*.[ch]; do
	[ -f "$f" ] && set -- "$@" "$f"
done
if [ $# -eq 0 ]; then
	echo "SKIP: the sources of provider/, include/ and tunnel/ are not in $srcdir"
	exit 77
fi

# --dry-run only reads, so a read-only source tree (make distcheck) is fine.
if out=$("$cf" --style="file:$style" --dry-run -Werror "$@" 2>&1); then
	echo "ok: $# files of provider/, include/ and tunnel/ are formatted ($cf, version $want)"
	exit 0
fi
echo "FAIL: these files differ from what $cf makes of them" \
    "(reformat with: $cf -i FILE):"
printf '%s\n' "$out" | sed -n 's/^\([^:]*\):[0-9]*:[0-9]*: error: .*/\1/p' |
    sort -u | sed "s|^$srcdir/|  |"
echo "the first differences:"
printf '%s\n' "$out" | head -n 30
exit 1
