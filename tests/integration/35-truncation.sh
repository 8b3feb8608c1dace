#!/usr/bin/env bash
# A truncated SC1 link is not a clean end (SC1.md section 4: an end of
# stream without close_notify is a truncation): a relay between the tunnels
# ends both directions of a live session with a plain FIN, after the N-th
# application-data record client to server or server to client. Both
# tunnels log the truncation, and both plaintext ends see a reset: the
# backend service and the local client get ECONNRESET, never a clean EOF
# that would pass a cut-off stream for a complete one.
. "$(dirname "$0")/tunnel-lib.sh"

MODRELAY="$SC_BUILDDIR/tests/tools/modrelay"
[ -x "$MODRELAY" ] || fail "modrelay not built"
make_pki
python3 "$NETC" --serve >"$T/backend.out" 2>"$T/backend.stderr" &
PIDS+=($!)
wait_for "$T/backend.out" "listening on" || fail "backend did not start"
backend=$(sed -n 's/^netc listening on //p' "$T/backend.out")
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$backend" \
    $(server_args) --workers 1 -v
: >"$T/ops"
"$MODRELAY" -f "$T/ops" "$TUN_ADDR" >"$T/modrelay.out" 2>"$T/modrelay.stderr" &
PIDS+=($!)
wait_for "$T/modrelay.out" "listening on" || fail "modrelay did not start"
relay=$(sed -n 's/^modrelay listening on //p' "$T/modrelay.out")
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$relay" \
    $(client_args) --workers 1 -v

n=0
# session OP EXPECTED_CLIENT_RC EXPECTED_CLIENT_END EXPECTED_BACKEND_END:
# one chat ("one", then "two" once "one" came back) through the relay
# doing OP; checks how each plaintext end and each tunnel saw the end.
session() {
    local op=$1 want_rc=$2 want_end=$3 want_backend=$4 rc out back
    echo "$op" >>"$T/ops"
    set +e
    out=$(netc --chat "$TUN_ADDR" one two 2>&1)
    rc=$?
    set -e
    n=$((n + 1))
    echo "$op: the local client saw $out (rc $rc)"
    [ "$out" = "end=$want_end" ] && [ "$rc" = "$want_rc" ] ||
        fail "$op: the local client saw '$out' (rc $rc), expected end=$want_end"
    wait_count "$T/backend.out" '^conn [0-9]* end=' "$n" ||
        fail "$op: the backend connection did not end"
    back=$(grep '^conn [0-9]* end=' "$T/backend.out" | tail -n 1)
    echo "  backend: $back"
    case $back in *"end=$want_backend "*) ;;
        *) fail "$op: the backend saw '$back', expected end=$want_backend" ;; esac
    wait_count "$T/modrelay.out" '^conn [0-9]* op=' "$n" ||
        fail "$op: the relay did not report the session"
    wait_count "$T/client.log" 'close peer=' "$n" || fail "$op: no client close line"
    wait_count "$T/server.log" 'close peer=' "$n" || fail "$op: no server close line"
    local rep cl sl
    rep=$(grep '^conn [0-9]* op=' "$T/modrelay.out" | tail -n 1)
    cl=$(grep 'close peer=' "$T/client.log" | tail -n 1)
    sl=$(grep 'close peer=' "$T/server.log" | tail -n 1)
    echo "  relay: $rep"
    case $rep in *applied=1*) ;; *) fail "$op: the relay did not cut: $rep" ;; esac
    case $rep in *reset=0*) ;; *) fail "$op: the relay reset instead of cutting: $rep" ;; esac
    for l in "$cl" "$sl"; do
        case $l in *'end="truncated'*) ;;
            *) fail "$op: truncation not logged: $l" ;; esac
    done
}

set -e
# Both cuts come once "one" has made the round trip: the backend
# connection is up. Cut after the second data record client to server
# ("two"): the server tunnel may pass "two" on, but the stream was cut.
session "c2s cut 2" 3 reset reset
# Cut after the first data record server to client (the echo of "one").
session "s2c cut 1" 3 reset reset
echo "PASS"
