#!/usr/bin/env bash
# sctunnel --version and scca --version print the version this tree was
# configured with (AC_INIT in configure.ac, as config.status reports it),
# and exit 0.
set -u

: "${SC_BUILDDIR:=$(pwd)}"
status=$("$SC_BUILDDIR/config.status" --version 2>/dev/null | head -n 1)
want=${status##* }
[ -n "$want" ] || { echo "FAIL: no version from config.status"; exit 1; }

rc=0
for prog in tunnel/sctunnel ca/scca; do
    name=${prog#*/}
    [ -x "$SC_BUILDDIR/$prog" ] || { echo "FAIL: $prog not built"; exit 1; }
    if ! got=$("$SC_BUILDDIR/$prog" --version 2>&1); then
        echo "FAIL: $name --version exited with an error: $got"
        rc=1
    elif [ "$got" != "$name $want" ]; then
        echo "FAIL: $name --version printed '$got', not '$name $want'"
        rc=1
    else
        echo "ok: $got"
    fi
done
[ $rc -eq 0 ] && echo "PASS"
exit $rc
