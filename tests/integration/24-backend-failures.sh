#!/usr/bin/env bash
# The backend fails behind a server tunnel: nothing listens on its port, it
# accepts and resets at once, or its listen queue is full so the connection
# is never answered (connect_timeout). Each time the plaintext client of
# the client tunnel sees a reset soon after connecting, not a hang and not
# a clean end, and the server's close line says why.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki

# A backend that accepts and resets every connection at once; and a port
# nothing listens on, held bound (without listen) so that no other process
# can take it meanwhile: connecting to it is refused.
python3 - >"$T/resetter.out" 2>&1 <<'EOT' &
import socket, struct
held = socket.socket()
held.bind(("127.0.0.1", 0))
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(16)
ls.settimeout(60)
print("closed port 127.0.0.1:%d" % held.getsockname()[1], flush=True)
print("resetter listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
while True:
    c, _ = ls.accept()
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
EOT
PIDS+=($!)
wait_for "$T/resetter.out" "listening on" || fail "resetting backend did not start"
resetter=$(sed -n 's/^resetter listening on //p' "$T/resetter.out")
closed=$(sed -n 's/^closed port //p' "$T/resetter.out")

# A backend whose accept queue is full: listen backlog 0, never accepting,
# one connection queued (awaited in /proc/net/tcp, where the rx_queue of
# a listening socket is its accept queue). Further SYNs are dropped.
python3 - "$T/stall.done" >"$T/stall.out" 2>&1 <<'EOT' &
import os, socket, sys, time
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(0)
port = ls.getsockname()[1]
filler = socket.create_connection(("127.0.0.1", port), timeout=10)
for _ in range(200):
    with open("/proc/net/tcp") as f:
        rows = [l.split() for l in f.readlines()[1:]]
    mine = [r for r in rows if r[1] == "0100007F:%04X" % port and r[3] == "0A"]
    if mine and int(mine[0][4].split(":")[1], 16) >= 1:
        break
    time.sleep(0.05)
else:
    sys.exit("accept queue did not fill")
print("stalled listening on 127.0.0.1:%d" % port, flush=True)
for _ in range(1200):   # stay until the test is done (bounded)
    if os.path.exists(sys.argv[1]):
        break
    time.sleep(0.05)
EOT
stall_pid=$!
PIDS+=("$stall_pid")
wait_for "$T/stall.out" "listening on" || fail "stalled backend did not start: $(cat "$T/stall.out")"
stalled=$(sed -n 's/^stalled listening on //p' "$T/stall.out")

# case NAME BACKEND SERVER_PATTERN [SERVER_ARGS...]
case_() {
    local name=$1 backend=$2 pat=$3 out rc
    shift 3
    PAIR=$name- start_pair "$backend" "$@"
    set +e
    out=$(printf 'hello\n' | netc "$CLI_ADDR" 2>"$T/$name.err")
    rc=$?
    set -e
    echo "$name: netc exit $rc, '$(cat "$T/$name.err")'"
    [ -z "$out" ] || fail "$name: data came back: '$out'"
    [ "$rc" = 3 ] || fail "$name: the client saw no reset (exit $rc: $(cat "$T/$name.err"))"
    wait_for "$T/$name-server.log" "close peer=" || fail "$name: no close line on the server"
    grep -q -E "close peer=.* end=\"$pat" "$T/$name-server.log" ||
        fail "$name: server close line does not say '$pat'"
    wait_for "$T/$name-client.log" "close peer=" || fail "$name: no close line on the client"
    grep -q 'close peer=.* end="reset (SC1 side)' "$T/$name-client.log" ||
        fail "$name: client close line is not a reset"
    grep -h 'close peer=' "$T/$name-server.log" | sed "s/.*end=/    server: end=/"
}
case_ refused "$closed" 'connect failed: Connection refused'
case_ reset "$resetter" '(reset \(plaintext side\)|connect failed): Connection reset by peer'
case_ stalled "$stalled" 'connect failed: connect timeout' --connect-timeout 500ms
grep -q "connect $stalled: connect timeout" "$T/stalled-server.log" ||
    fail "the stalled address is not named"
touch "$T/stall.done"
wait_gone "$stall_pid" || fail "stalled backend did not stop"
echo "PASS"
