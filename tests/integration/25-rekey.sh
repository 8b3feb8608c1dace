#!/usr/bin/env bash
# rekey_bytes and rekey_seconds (sctunnel.conf(5); SC1.md section 4,
# key update). sctunnel logs no line for a key update, so the key updates
# are counted on the wire: modrelay -v between the tunnels lists every
# record with its clear type (0x17 data, 0x18 key update).
#  - rekey_bytes at its smallest (1: every data byte under its own key) and
#    at a size that is no multiple of the record size: echoes of several
#    times that size come back byte-exact, each direction carries at least
#    size / rekey_bytes - 1 key updates, and no key seals more than
#    rekey_bytes of data.
#  - rekey_seconds at its smallest whole second (1) on an idle connection,
#    and at its smallest value (1ms) under a steady stream of key updates:
#    key updates go both ways with no data to carry, and data sent after
#    them still arrives byte-exact.
. "$(dirname "$0")/tunnel-lib.sh"

MODRELAY="$SC_BUILDDIR/tests/tools/modrelay"
[ -x "$MODRELAY" ] || fail "modrelay not built"
make_pki
start_echod echod -r 127.0.0.1:0

# relay_pair NAME ARGS...: server tunnel in front of the echo service,
# modrelay -v (listing in $T/NAME-relay.out), client tunnel in front of
# it, both with ARGS; sets CLI_ADDR and RELAY_OUT.
relay_pair() {
    local name=$1 relay
    shift
    # shellcheck disable=SC2046
    start_tunnel "$name-server" server --accept 127.0.0.1:0 \
        --connect "$ECHO_ADDR" $(server_args) --workers 1 -v "$@"
    RELAY_OUT="$T/$name-relay.out"
    "$MODRELAY" -v "$TUN_ADDR" >"$RELAY_OUT" 2>"$T/$name-relay.stderr" &
    PIDS+=("$!")
    wait_for "$RELAY_OUT" "listening on" || fail "modrelay $name did not start"
    relay=$(sed -n 's/^modrelay listening on //p' "$RELAY_OUT")
    # shellcheck disable=SC2046
    start_tunnel "$name-client" client --accept 127.0.0.1:0 --connect "$relay" \
        $(client_args) --workers 1 -v "$@"
    CLI_ADDR=$TUN_ADDR
}

# ku_stats FILE DIR: "KEY_UPDATES MAX_BYTES_UNDER_ONE_KEY DATA_BYTES" of
# connection 0 in direction DIR (c2s, s2c). A data record carries its
# length less the 16-byte tag.
ku_stats() {
    awk -v dir="$2" '
        $1 == "conn" && $2 == "0" && $3 == dir && $4 == "record" {
            if ($7 == "0x18") { ku++; n = 0 }
            if ($7 == "0x17") { n += $9 - 16; total += $9 - 16; if (n > max) max = n }
        }
        END { printf "%d %d %d\n", ku, max, total }' "$1"
}

# check_rekey_bytes NAME LIMIT SIZE: an echo of SIZE random bytes through a
# pair with rekey_bytes = LIMIT.
check_rekey_bytes() {
    local name=$1 limit=$2 size=$3 dir ku max total want
    relay_pair "$name" --rekey-bytes "$limit"
    head -c "$size" /dev/urandom >"$T/$name.data"
    netc "$CLI_ADDR" <"$T/$name.data" >"$T/$name.back" || fail "$name: echo failed"
    cmp -s "$T/$name.data" "$T/$name.back" || fail "$name: echo differs"
    wait_for "$RELAY_OUT" '^conn 0 op=' || fail "$name: no report from modrelay"
    want=$(( (size + limit - 1) / limit - 1 ))
    for dir in c2s s2c; do
        read -r ku max total < <(ku_stats "$RELAY_OUT" "$dir")
        echo "$name $dir: $total data bytes, $ku key updates, at most $max bytes under one key"
        [ "$total" = "$size" ] || fail "$name $dir: $total data bytes on the wire, not $size"
        [ "$ku" -ge "$want" ] || fail "$name $dir: $ku key updates, expected at least $want"
        [ "$max" -le "$limit" ] || fail "$name $dir: $max bytes under one key, limit $limit"
    done
    wait_for "$T/$name-client.log" 'close peer=.* end=eof' || fail "$name: client did not end cleanly"
    wait_for "$T/$name-server.log" 'close peer=.* end=eof' || fail "$name: server did not end cleanly"
}

check_rekey_bytes bytes1 1 4000
check_rekey_bytes bytes100k 100000 3000000

# A client that exchanges SIZE random bytes, waits (bounded) for the file
# GATE, exchanges SIZE bytes again, then ends its side and waits for the end.
cat >"$T/holder.py" <<'EOT'
import os, socket, sys, time
host, port = sys.argv[1].rsplit(":", 1)
gate, size = sys.argv[2], int(sys.argv[3])
s = socket.create_connection((host, int(port)), timeout=30)

def exchange(what):
    data = os.urandom(size)
    s.sendall(data)
    got = b""
    while len(got) < size:
        d = s.recv(65536)
        if not d:
            break
        got += d
    print("%s exchange %s" % (what, "ok" if got == data else "DIFFERENT"), flush=True)
    if got != data:
        sys.exit(1)

exchange("first")
for _ in range(600):
    if os.path.exists(gate):
        break
    time.sleep(0.05)
else:
    sys.exit("gate never opened")
exchange("second")
s.shutdown(socket.SHUT_WR)
print("end", "clean" if s.recv(1) == b"" else "data", flush=True)
EOT

# check_rekey_seconds NAME VALUE SIZE COUNT: a connection of a pair with
# rekey_seconds = VALUE exchanges SIZE bytes, stays open until COUNT key
# updates have gone each way (no data moves meanwhile), then exchanges
# SIZE bytes again. rekey_bytes is at its default (1 GiB), so every key
# update comes from the timer.
check_rekey_seconds() {
    local name=$1 value=$2 size=$3 count=$4 dir ku holder i
    relay_pair "$name" --rekey-seconds "$value"
    python3 "$T/holder.py" "$CLI_ADDR" "$T/$name.go" "$size" >"$T/$name.out" 2>&1 &
    holder=$!
    PIDS+=("$holder")
    wait_for "$T/$name.out" "first exchange ok" || fail "$name: first exchange"
    # COUNT key updates each way, awaited in a bounded loop.
    for ((i = 0; i < 300; i++)); do
        [ "$(grep -c '^conn 0 c2s record .* type 0x18 ' "$RELAY_OUT")" -ge "$count" ] &&
            [ "$(grep -c '^conn 0 s2c record .* type 0x18 ' "$RELAY_OUT")" -ge "$count" ] &&
            break
        sleep 0.05
    done
    for dir in c2s s2c; do
        read -r ku _ _ < <(ku_stats "$RELAY_OUT" "$dir")
        [ "$ku" -ge "$count" ] || fail "$name: $ku key updates $dir, expected $count"
    done
    touch "$T/$name.go"
    wait_for "$T/$name.out" "second exchange ok" || fail "$name: exchange after the key updates"
    wait_for "$T/$name.out" "end clean" || fail "$name: no clean end"
    wait_gone "$holder" || fail "$name: client stuck"
    wait_for "$RELAY_OUT" '^conn 0 op=' || fail "$name: no report from modrelay"
    for dir in c2s s2c; do
        read -r ku _ _ < <(ku_stats "$RELAY_OUT" "$dir")
        echo "$name $dir: $ku key updates in all"
    done
    # The second exchange went under a key installed by a key update.
    awk -v s="$size" '$1 == "conn" && $2 == "0" && $4 == "record" {
            if ($7 == "0x18") ku[$3] = 1
            if ($7 == "0x17" && ku[$3]) after[$3] += $9 - 16
        }
        END { exit !(after["c2s"] >= s && after["s2c"] >= s) }' "$RELAY_OUT" ||
        fail "$name: the second exchange was not sealed after a key update"
    wait_for "$T/$name-client.log" 'close peer=.* end=eof' || fail "$name: client did not end cleanly"
    wait_for "$T/$name-server.log" 'close peer=.* end=eof' || fail "$name: server did not end cleanly"
}

check_rekey_seconds seconds1 1 100000 1
check_rekey_seconds seconds1ms 1ms 1000000 50

grep -h 'key update refused' "$T"/*.log && fail "a key update was refused"
echo "PASS"
