# Shared functions of the sctunnel integration scenarios (sourced, bash).
# Every process a test starts is recorded and stopped on exit; readiness is
# awaited by polling a log line with a bounded loop, never by a fixed sleep.
set -u

: "${SC_BUILDDIR:=$(pwd)}"
: "${SC_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
SCTUNNEL="$SC_BUILDDIR/tunnel/sctunnel"
ECHOD="$SC_BUILDDIR/tests/tools/echod"
SCCA="$SC_BUILDDIR/ca/scca"
NETC="$SC_SRCDIR/tests/integration/netc.py"
VECTOR_PKI="${SC_SHARED_DIR:-$SC_SRCDIR/../shared}/vectors/pki"

T=$(mktemp -d -t sctunnel-test.XXXXXX)
PIDS=()

cleanup() {
    local p
    set +e
    for p in "${PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    # Under --enable-sanitizers, a report in any log fails the test.
    if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$T"/*.log \
        "$T"/*.stderr >/dev/null 2>&1; then
        grep -h -A30 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
            "$T"/*.log "$T"/*.stderr 2>/dev/null | head -n 80 >&2
        rm -rf "$T"
        exit 1
    fi
    rm -rf "$T"
}
trap cleanup EXIT

fail() {
    local f
    echo "FAIL: $*" >&2
    for f in "$T"/*.log; do
        [ -f "$f" ] || continue
        echo "--- $f" >&2
        tail -n 40 "$f" >&2
    done
    exit 1
}

skip() {
    echo "SKIP: $*"
    exit 77
}

need() {
    command -v "$1" >/dev/null 2>&1 || skip "$1 not installed (Debian package ${2:-$1})"
}

[ -x "$SCTUNNEL" ] || fail "sctunnel not built"
need python3

# wait_for FILE PATTERN [SECONDS]: poll until FILE has a line matching.
wait_for() {
    local i n=$(( ${3:-15} * 20 ))
    for ((i = 0; i < n; i++)); do
        grep -q -e "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    return 1
}

# wait_count FILE PATTERN N [SECONDS]: poll until N lines of FILE match.
wait_count() {
    local i n=$(( ${4:-15} * 20 ))
    for ((i = 0; i < n; i++)); do
        [ "$(grep -c -e "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
        sleep 0.05
    done
    return 1
}

# wait_gone PID [SECONDS]: poll until the process has exited.
wait_gone() {
    local i n=$(( ${2:-15} * 20 ))
    for ((i = 0; i < n; i++)); do
        kill -0 "$1" 2>/dev/null || return 0
        sleep 0.05
    done
    return 1
}

# start_echod NAME [ARGS...] ADDR: sets ECHO_ADDR.
start_echod() {
    local name=$1
    shift
    "$ECHOD" "$@" >"$T/$name.log" 2>&1 &
    PIDS+=($!)
    wait_for "$T/$name.log" "listening on" || fail "echod did not start"
    ECHO_ADDR=$(sed -n 's/^echod listening on //p' "$T/$name.log")
}

# start_tunnel NAME ARGS...: sctunnel in the foreground, log in $T/NAME.log;
# sets TUN_PID and TUN_ADDR (its first listening address).
start_tunnel() {
    local name=$1
    shift
    "$SCTUNNEL" "$@" 2>"$T/$name.log" &
    TUN_PID=$!
    PIDS+=($TUN_PID)
    wait_for "$T/$name.log" "listening on" || fail "sctunnel $name did not start"
    # Its workers run once it says so: descriptors and memory are settled.
    wait_for "$T/$name.log" "started [0-9]* worker" ||
        fail "sctunnel $name did not start its workers"
    TUN_ADDR=$(sed -n 's/.* listening on //p' "$T/$name.log" | head -n 1)
}

# make_pki: CA, server (server.test, 127.0.0.1, ::1), client (client.test),
# a client of another CA, an expired client, and server2 (also valid for
# server.test, identity DNS:server2.test with scca) in $T/pki as NAME.pem/.key.
# Uses scca from this build when it works, else the fixed test PKI.
make_pki() {
    local d="$T/pki"
    mkdir -p "$d"
    if [ -x "$SCCA" ] && "$SCCA" init "$d/ca" >/dev/null 2>&1 &&
        "$SCCA" init "$d/other" >/dev/null 2>&1 &&
        "$SCCA" issue "$d/ca" server server.test --san DNS:server.test,IP:127.0.0.1,IP:::1 \
            --out "$d/server" >/dev/null 2>&1 &&
        "$SCCA" issue "$d/ca" server server2.test \
            --san DNS:server2.test,DNS:server.test,IP:127.0.0.1,IP:::1 \
            --out "$d/server2" >/dev/null 2>&1 &&
        "$SCCA" issue "$d/ca" client client.test --out "$d/client" >/dev/null 2>&1 &&
        "$SCCA" issue "$d/other" client client.test --out "$d/other_client" >/dev/null 2>&1 &&
        "$SCCA" issue "$d/ca" client expired.test --not-before 20200101000000Z \
            --not-after 20210101000000Z --out "$d/expired_client" >/dev/null 2>&1; then
        cp "$d/ca/ca.crt" "$d/ca.pem"
        local n
        for n in server server2 client other_client expired_client; do
            mv "$d/$n.crt" "$d/$n.pem"
        done
        PKI_FROM=scca
    else
        [ -f "$VECTOR_PKI/ca.pem" ] || skip "neither scca nor the test PKI available"
        cp "$VECTOR_PKI/ca.pem" "$VECTOR_PKI/server.pem" "$VECTOR_PKI/server.key" \
            "$VECTOR_PKI/client.pem" "$VECTOR_PKI/client.key" "$d/"
        cp "$VECTOR_PKI/client_other_ca.pem" "$d/other_client.pem"
        cp "$VECTOR_PKI/client_other_ca.key" "$d/other_client.key"
        cp "$VECTOR_PKI/client_expired.pem" "$d/expired_client.pem"
        cp "$VECTOR_PKI/client_expired.key" "$d/expired_client.key"
        cp "$VECTOR_PKI/server_p256.pem" "$d/server2.pem"
        cp "$VECTOR_PKI/server_p256.key" "$d/server2.key"
        # As scca makes them: sctunnel warns about keys others can read.
        chmod 600 "$d"/*.key
        PKI_FROM=vectors
    fi
    PKI=$d
}

# server_args / client_args: the credentials of each side.
server_args() {
    echo --cert "$PKI/server.pem" --key "$PKI/server.key" --ca "$PKI/ca.pem"
}
client_args() {
    echo --cert "$PKI/${1:-client}.pem" --key "$PKI/${1:-client}.key" \
        --ca "$PKI/ca.pem" --server-name server.test
}

# start_pair BACKEND_ADDR [SERVER_ARGS...] [-- CLIENT_ARGS...]: a server
# tunnel in front of the backend and a client tunnel in front of it; sets
# SRV_ADDR, SRV_PID, CLI_ADDR, CLI_PID. Logs: $T/${PAIR}server.log, ...client.log.
start_pair() {
    local backend=$1 sargs=() cargs=()
    shift
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do sargs+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    cargs=("$@")
    # shellcheck disable=SC2046
    start_tunnel "${PAIR:-}server" server --accept 127.0.0.1:0 --connect "$backend" \
        $(server_args) --workers 2 -v "${sargs[@]}"
    SRV_ADDR=$TUN_ADDR
    SRV_PID=$TUN_PID
    # shellcheck disable=SC2046
    start_tunnel "${PAIR:-}client" client --accept 127.0.0.1:0 --connect "$SRV_ADDR" \
        $(client_args) --workers 2 -v "${cargs[@]}"
    CLI_ADDR=$TUN_ADDR
    CLI_PID=$TUN_PID
}

netc() {
    python3 "$NETC" "$@"
}

# server_section NAME BACKEND [CERT KEY]: a [NAME] server section of a
# configuration file, in front of BACKEND, with the test PKI's server
# credentials (or CERT and KEY).
server_section() {
    printf '\n[%s]\nmode = server\naccept = 127.0.0.1:0\nconnect = %s\n' "$1" "$2"
    printf 'cert = %s\nkey = %s\nca = %s\n' "${3:-$PKI/server.pem}" "${4:-$PKI/server.key}" \
        "$PKI/ca.pem"
}

# start_live NAME ADDR FIRST SECOND: a connection to an echo service
# behind ADDR that sends the line FIRST, then waits for $T/NAME.go to
# send SECOND and end; what it sees goes to $T/NAME.out. Sets LIVE_PID
# once the first reply is in. finish_live NAME FIRST SECOND: let it finish
# and check that both replies and a clean end came.
start_live() {
    python3 - "$2" "$T/$1.go" "$3" "$4" >"$T/$1.out" 2>&1 <<'EOT' &
import os, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=60)
f = s.makefile("rb")
s.sendall(sys.argv[3].encode() + b"\n")
print(f.readline().decode().strip(), flush=True)
for _ in range(2400):           # bounded wait for the test's go-ahead
    if os.path.exists(sys.argv[2]):
        break
    time.sleep(0.05)
s.sendall(sys.argv[4].encode() + b"\n")
print(f.readline().decode().strip(), flush=True)
s.shutdown(socket.SHUT_WR)
print("end" if f.read() == b"" else "extra", flush=True)
EOT
    LIVE_PID=$!
    PIDS+=($LIVE_PID)
    wait_for "$T/$1.out" "echo: $3" || fail "live connection $1 did not start"
}
finish_live() {
    touch "$T/$1.go"
    wait_gone "$LIVE_PID" || fail "live connection $1 stuck"
    [ "$(cat "$T/$1.out")" = "$(printf 'echo: %s\necho: %s\nend' "$2" "$3")" ] ||
        fail "live connection $1: $(cat "$T/$1.out")"
}

# start_conf NAME: sctunnel -f -c $T/NAME.conf, whose `log` is $T/NAME.log;
# sets TUN_PID, TUN_ADDR (its first service's address) and MET_ADDR (its
# metrics address, if any) once its workers run.
start_conf() {
    "$SCTUNNEL" -f -c "$T/$1.conf" 2>"$T/$1.stderr" &
    TUN_PID=$!
    PIDS+=($TUN_PID)
    wait_for "$T/$1.log" "started [0-9]* worker" || fail "sctunnel $1 did not start"
    TUN_ADDR=$(sed -n 's/.* listening on //p' "$T/$1.stderr" | head -n 1)
    MET_ADDR=$(sed -n 's/.* metrics on //p' "$T/$1.stderr")
}
