#!/bin/sh
# libsovchain.so exports exactly the functions that the installed header
# include/sovchain.h declares: nm -D --defined-only of the built library
# against the header's declarations. Any extra symbol (a testing hook, an
# internal unit) or any missing one fails, as does a testing hook declared
# in the installed header.
set -u

srcdir=${SC_SRCDIR:-.}
builddir=${SC_BUILDDIR:-.}
header=$srcdir/include/sovchain.h
so=$builddir/provider/.libs/libsovchain.so

for tool in nm perl; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "SKIP: $tool is not installed"
		exit 77
	fi
done
if [ ! -e "$so" ]; then
	echo "SKIP: $so not built (a build without shared libraries?)"
	exit 77
fi
if [ ! -f "$header" ]; then
	echo "FAIL: $header not found"
	exit 1
fi

tmp=$(mktemp -d -t sc-exports.XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Functions the header declares: every "sc_name(" outside comments and
# #define lines, except function pointer types such as (*sc_step_cb)(.
perl -0777 -ne '
	s{/\*.*?\*/}{ }gs;
	s{^[ \t]*#.*$}{}mg;
	print "$1\n" while /(?<!\(\*)(?<!\w)(sc_\w+)\s*\(/g;
' "$header" | sort -u >"$tmp/declared"
nm -D --defined-only "$so" | awk 'NF >= 3 { print $3 }' | sed 's/@.*//' |
	sort -u >"$tmp/exported"

fail=0
n=$(wc -l <"$tmp/declared")
if [ "$n" -lt 40 ]; then
	echo "FAIL: only $n functions found in $header; the parser no longer reads it"
	fail=1
fi
extra=$(comm -13 "$tmp/declared" "$tmp/exported")
missing=$(comm -23 "$tmp/declared" "$tmp/exported")
if [ -n "$extra" ]; then
	echo "FAIL: libsovchain.so exports symbols sovchain.h does not declare:"
	echo "$extra" | sed 's/^/  /'
	fail=1
fi
if [ -n "$missing" ]; then
	echo "FAIL: sovchain.h declares functions libsovchain.so does not export" \
	    "(provider/libsovchain.sym lists the exports):"
	echo "$missing" | sed 's/^/  /'
	fail=1
fi
if grep -n 'sc_testing' "$header"; then
	echo "FAIL: the installed header names testing hooks (they belong in provider/sovchain_testing.h)"
	fail=1
fi
if [ $fail -eq 0 ]; then
	echo "ok: libsovchain.so exports exactly the $n functions of sovchain.h"
fi
exit $fail
