#!/usr/bin/env bash
# Records arriving in pieces: a relay between the tunnels delivers each
# direction in pieces of 1 to 3000 bytes, so reads end inside record
# headers, records and WebSocket frame headers. A tunnel waits for the
# rest of a record it has the start of (it opens whole records in place),
# so every byte still arrives once and in order, over raw SC1 and over
# WebSocket; and where the peer's bytes end inside a record, the wait
# ends too: the end is a truncation "(partial record)" at once, not a
# connection left waiting for bytes that cannot come. Over WebSocket the
# relay also makes new frames of random sizes (as another implementation
# or a proxy may), so records end inside frames and frames inside
# records: bulk data and a conversation of short lines, each waiting for
# its answer, still pass byte for byte.
. "$(dirname "$0")/tunnel-lib.sh"

SPLITRELAY="$SC_SRCDIR/tests/tools/splitrelay.py"
make_pki
start_echod echod -r 127.0.0.1:0
head -c 1500000 /dev/urandom >"$T/data"

# relay NAME TARGET [--cut DIR:N]: a split relay in front of TARGET; sets RELAY.
relay() {
    local name=$1 target=$2
    shift 2
    python3 "$SPLITRELAY" --seed "$RANDOM" "$@" "$target" >"$T/$name.out" 2>&1 &
    PIDS+=($!)
    wait_for "$T/$name.out" "splitrelay listening on" || fail "$name did not start"
    RELAY=$(sed -n 's/^splitrelay listening on //p' "$T/$name.out")
}

# pair NAME [SERVER_ARGS -- CLIENT_ARGS]: a server in front of the echo
# service, a split relay, a client through it; sets CLI and SRV_LOG.
pair() {
    local name=$1 sargs=() cargs=()
    shift
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do sargs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    cargs=("$@")
    # shellcheck disable=SC2046
    start_tunnel "$name-server" server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
        $(server_args) --workers 1 -v ${sargs[@]+"${sargs[@]}"}
    SRV_LOG="$T/$name-server.log"
    relay "$name-relay" "$TUN_ADDR" ${CUT:+--cut "$CUT"} ${REFRAME:+--reframe}
    # shellcheck disable=SC2046
    start_tunnel "$name-client" client --accept 127.0.0.1:0 --connect "$RELAY" \
        $(client_args) --workers 1 -v ${cargs[@]+"${cargs[@]}"}
    CLI=$TUN_ADDR
}

# converse WHAT: 40 lines through $CLI, each waiting for its echo, so a
# record the tunnel waits for the rest of must not be one whose rest is
# never sent (a record's end taken from a length read in the middle of a
# record would be such a wait).
converse() {
    python3 - "$CLI" <<'EOF' || fail "$1: the conversation failed"
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=20)
for i in range(1, 41):
    line = b"line %d %s\n" % (i, b"x" * (i * 37))
    s.sendall(line)
    got = b""
    while len(got) < len(line):
        d = s.recv(65536)
        if not d:
            sys.exit("end of stream after %d lines" % (i - 1))
        got += d
    if got != line:
        sys.exit("line %d came back as %r" % (i, got[:60]))
s.shutdown(socket.SHUT_WR)
if s.recv(1) != b"":
    sys.exit("bytes after the last echo")
EOF
}

for t in raw ws; do
    if [ "$t" = ws ]; then pair "$t" --websocket yes -- --transport websocket; else pair "$t"; fi
    netc "$CLI" <"$T/data" >"$T/$t.back" || fail "$t: the echo failed"
    cmp -s "$T/data" "$T/$t.back" || fail "$t: the echo differs ($(wc -c <"$T/$t.back") bytes back)"
    wait_for "$SRV_LOG" "close .* received=1500000 .*end=eof" ||
        fail "$t: the server did not end the connection cleanly"
    converse "$t"
    echo "$t: 1500000 bytes each way in pieces, byte for byte; 40 short exchanges"

    # The client's bytes end 200000 bytes in: inside a record (a boundary
    # there would be a coincidence of one in 16403), well after the
    # handshake.
    if [ "$t" = ws ]; then
        CUT=c2s:200000 pair "$t-cut" --websocket yes -- --transport websocket
    else
        CUT=c2s:200000 pair "$t-cut"
    fi
    netc "$CLI" <"$T/data" >/dev/null 2>&1 || true
    wait_for "$SRV_LOG" "truncation: end of stream without close_notify (partial record)" ||
        fail "$t: an end inside a record did not end the connection as a truncation"
    echo "$t: an end inside a record is a truncation"
done

REFRAME=1 pair reframe --websocket yes -- --transport websocket
netc "$CLI" <"$T/data" >"$T/reframe.back" || fail "reframed: the echo failed"
cmp -s "$T/data" "$T/reframe.back" || fail "reframed: the echo differs"
converse reframed
echo "reframed: bulk and 40 short exchanges byte for byte, frames and records split anywhere"
echo "PASS"
