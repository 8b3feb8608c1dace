#!/usr/bin/env bash
# make demo: a throwaway CA and certificates, a plaintext echo service on
# loopback, a server tunnel in front of it, a client tunnel in front of
# that; send "hello server", show the reply and the twelve handshake steps
# from the log, then stop everything that was started.
set -euo pipefail
build=${SC_BUILDDIR:-$(pwd)}
shared=${SC_SHARED_DIR:-${SC_SRCDIR:-$(pwd)}/../shared}
sctunnel=$build/tunnel/sctunnel
echod=$build/tests/tools/echod
scca=$build/ca/scca
work=$(mktemp -d -t sctunnel-demo.XXXXXX)
pids=()

stop() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    rm -rf "$work"
}
trap stop EXIT

# Poll for a line in a log, at most 15 s.
wait_for() {
    for _ in $(seq 300); do
        grep -q -e "$2" "$1" 2>/dev/null && return 0
        sleep 0.05
    done
    echo "demo: timed out waiting for '$2' in $1" >&2
    cat "$1" >&2
    return 1
}

echo "== 1. a throwaway CA, a server and a client certificate"
if [ -x "$scca" ]; then
    "$scca" init "$work/ca" --name "demo CA"
    "$scca" issue "$work/ca" server localhost --san DNS:localhost,IP:127.0.0.1
    "$scca" issue "$work/ca" client demo-client
    ca=$work/ca/ca.crt
    scert=$work/ca/localhost.crt skey=$work/ca/localhost.key
    ccert=$work/ca/demo-client.crt ckey=$work/ca/demo-client.key
    name=localhost
else
    echo "(scca not built: using the fixed test PKI)"
    ca=$shared/vectors/pki/ca.pem
    scert=$shared/vectors/pki/server.pem skey=$shared/vectors/pki/server.key
    ccert=$shared/vectors/pki/client.pem ckey=$shared/vectors/pki/client.key
    name=server.test
fi

echo "== 2. a plaintext echo service on loopback"
"$echod" 127.0.0.1:0 >"$work/echod.log" 2>&1 &
pids+=($!)
wait_for "$work/echod.log" "listening on"
backend=$(sed -n 's/^echod listening on //p' "$work/echod.log")
echo "echod on $backend"

echo "== 3. sctunnel server: SC1 on an ephemeral port, plaintext to $backend"
"$sctunnel" server --accept 127.0.0.1:0 --connect "$backend" \
    --cert "$scert" --key "$skey" --ca "$ca" --workers 1 -v 2>"$work/server.log" &
pids+=($!)
wait_for "$work/server.log" "listening on"
server=$(sed -n 's/.* listening on //p' "$work/server.log")
echo "server tunnel on $server"

echo "== 4. sctunnel client: plaintext on an ephemeral port, SC1 to $server"
"$sctunnel" client --accept 127.0.0.1:0 --connect "$server" --server-name "$name" \
    --cert "$ccert" --key "$ckey" --ca "$ca" --workers 1 -v 2>"$work/client.log" &
pids+=($!)
wait_for "$work/client.log" "listening on"
client=$(sed -n 's/.* listening on //p' "$work/client.log")
echo "client tunnel on $client"

echo "== 5. send 'hello server' to the client tunnel"
reply=$(printf 'hello server\n' | python3 -c '
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=15)
s.sendall(sys.stdin.buffer.read())
s.shutdown(socket.SHUT_WR)
while True:
    d = s.recv(4096)
    if not d:
        break
    sys.stdout.buffer.write(d)
' "$client")
echo "reply: $reply"

wait_for "$work/server.log" "close peer="
wait_for "$work/client.log" "close peer="
echo "== 6. the twelve steps, as the server tunnel logged them (-v)"
grep -E 'step [0-9]+ ' "$work/server.log" | sed 's/^.*\] //'
echo "== 7. one line per connection at close"
grep 'close peer=' "$work/server.log" "$work/client.log" | sed 's/^.*\] //'

[ "$reply" = "echo: hello server" ] || { echo "demo: unexpected reply" >&2; exit 1; }
echo "== demo OK; stopping everything it started"
