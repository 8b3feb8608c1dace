#!/bin/sh
# doc/SC1.md keeps in step with the shared protocol description
# (PROTOCOL.md in SC_SHARED_DIR): every section heading of the description
# (its numbered sections, appendices and the subsections of section 4, which
# the code's comments cite by number and title) is a heading of SC1.md, and
# every code and name of its alert table (section 4, Alert) is a row of
# SC1.md's alert table.
set -u

srcdir=${SC_SRCDIR:-.}
doc=$srcdir/doc/SC1.md
shared=${SC_SHARED_DIR:-}

if [ -z "$shared" ] || [ ! -f "$shared/PROTOCOL.md" ]; then
	echo "SKIP: the shared protocol description (PROTOCOL.md in SC_SHARED_DIR," \
	    "configure --with-shared-dir) is not available to compare with"
	exit 77
fi
proto=$shared/PROTOCOL.md
if [ ! -f "$doc" ]; then
	echo "FAIL: $doc is missing"
	exit 1
fi

# The "## " and "### " headings of a Markdown file, outside code fences.
headings() {
	awk '/^```/ { fence = !fence; next }
	     !fence && /^###? / { sub(/[ \t]+$/, ""); print }' "$1"
}

# The "| code | name |" rows of the alert table of section 4, Alert, as
# "code name".
alerts() {
	awk '/^```/ { fence = !fence; next }
	     fence { next }
	     /^#/ { in_alert = ($0 ~ /^### Alert/); next }
	     in_alert && /^\|[ \t]*[0-9]+[ \t]*\|[ \t]*`?[a-z_]+`?[ \t]*\|/ {
		split($0, f, "|")
		code = f[2]; name = f[3]
		gsub(/[ \t`]/, "", code); gsub(/[ \t`]/, "", name)
		print code, name
	     }' "$1"
}

fail=0
tmp=${TMPDIR:-/tmp}/spec-sync.$$
trap 'rm -f "$tmp".*' EXIT
headings "$doc" >"$tmp.doc"
n=0
headings "$proto" | {
	while IFS= read -r h; do
		n=$((n + 1))
		if ! grep -qxF -- "$h" "$tmp.doc"; then
			echo "FAIL: SC1.md lacks the heading: $h"
			fail=1
		fi
	done
	if [ "$n" -eq 0 ]; then
		echo "FAIL: no section headings found in $proto"
		fail=1
	fi
	[ "$fail" -eq 0 ] && echo "ok: SC1.md has all $n section headings of PROTOCOL.md"
	exit $fail
} || fail=1

alerts "$doc" >"$tmp.alerts"
n=0
alerts "$proto" >"$tmp.proto"
while read -r code name; do
	n=$((n + 1))
	if ! grep -qx -- "$code $name" "$tmp.alerts"; then
		echo "FAIL: SC1.md's alert table lacks $code $name"
		fail=1
	fi
done <"$tmp.proto"
if [ "$n" -eq 0 ]; then
	echo "FAIL: no alert table found in section 4, Alert, of $proto"
	fail=1
elif [ "$fail" -eq 0 ]; then
	echo "ok: SC1.md's alert table has all $n alerts of PROTOCOL.md"
fi
exit $fail
