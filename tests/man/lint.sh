#!/bin/sh
# Every manual page must be lint-clean: mandoc -Tlint -Wwarning prints
# nothing for it.
set -u

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed"
	exit 77
fi
srcdir=${SC_SRCDIR:-.}
fail=0
found=0
for page in "$srcdir"/man/*.[1-8]; do
	[ -f "$page" ] || continue
	found=$((found + 1))
	msgs=$(mandoc -Tlint -Wwarning "$page" 2>&1)
	if [ -n "$msgs" ]; then
		echo "FAIL: ${page##*/}:"
		echo "$msgs"
		fail=1
	else
		echo "ok: ${page##*/}"
	fi
done
if [ "$found" -eq 0 ]; then
	echo "FAIL: no manual pages found in $srcdir/man"
	exit 1
fi
exit $fail
