#!/usr/bin/env bash
# --stdio with regular files and /dev/null, as nc, socat and ssh accept
# them: 8 MiB from a file reach a raw echo backend and come back into the
# output file byte-exact (backpressure holds: the file is read only as the
# tunnel drains); < /dev/null ends cleanly with nothing sent; > /dev/null
# takes the whole reply. No libevent message reaches standard error raw.
. "$(dirname "$0")/tunnel-lib.sh"

need cmp diffutils
need timeout coreutils

make_pki
start_echod echod -r 127.0.0.1:0
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1
server=$TUN_ADDR

# stdio NAME IN OUT: one --stdio client, bounded in time; its standard
# error in $T/NAME.log. Fails the test if it exits non-zero.
stdio() {
    local rc=0
    # shellcheck disable=SC2046
    timeout 120 "$SCTUNNEL" client --stdio --connect "$server" \
        $(client_args) -v <"$2" >"$3" 2>"$T/$1.log" || rc=$?
    [ $rc -eq 0 ] || fail "--stdio $1 exited with status $rc"
    grep -q 'close peer=.*end=eof' "$T/$1.log" || fail "--stdio $1: no clean close"
    if grep -q '\[warn\]\|\[err\]\|\[msg\]\|\[debug\]' "$T/$1.log"; then
        fail "--stdio $1: a raw libevent line on standard error"
    fi
}

# 8 MiB of varied bytes, file in, file out.
head -c $((8 * 1024 * 1024)) /dev/urandom >"$T/in.bin"
stdio files "$T/in.bin" "$T/out.bin"
cmp "$T/in.bin" "$T/out.bin" || fail "file in, file out: not byte-exact"
grep -q "sent=8388608 received=8388608" "$T/files.log" ||
    fail "file in, file out: byte counts in the close line"

# Nothing in: a clean end, nothing back.
stdio devnull_in /dev/null "$T/empty.out"
[ ! -s "$T/empty.out" ] || fail "< /dev/null: output not empty"
grep -q "sent=0 received=0" "$T/devnull_in.log" || fail "< /dev/null: byte counts"

# File in, /dev/null out.
stdio devnull_out "$T/in.bin" /dev/null
grep -q "sent=8388608 received=8388608" "$T/devnull_out.log" ||
    fail "> /dev/null: byte counts in the close line"

# A small file in, a pipe out (mixed kinds).
printf 'line one\nline two\n' >"$T/small.txt"
# shellcheck disable=SC2046
reply=$(timeout 60 "$SCTUNNEL" client --stdio --connect "$server" \
    $(client_args) <"$T/small.txt" 2>"$T/mixed.log") || fail "file in, pipe out"
[ "$reply" = "$(cat "$T/small.txt")" ] || fail "file in, pipe out: '$reply'"
echo "PASS"
