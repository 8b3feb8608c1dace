#!/usr/bin/env bash
# idle_timeout (sctunnel.conf(5): reset a connection that moved no data for
# this long), set on the client tunnel of one pair and on the server tunnel
# of another; the other tunnel of each pair sends a key update every 200 ms
# (rekey_seconds), which is not data and must not count as activity. On
# each pair, at the same time:
#  - an idle connection is reset: its tunnel logs end="idle timeout" no
#    sooner than the timeout after it was opened, the other tunnel logs a
#    reset, and both the plaintext client and the backend see a reset;
#  - connections that move a little data far more often than the timeout
#    (one line per 100 ms over twice the timeout: echoed, only client to
#    backend, only backend to client) are not closed: they finish and end
#    cleanly.
. "$(dirname "$0")/tunnel-lib.sh"

TIMEOUT_MS=1000
LINES=20        # one per 100 ms: twice the timeout
make_pki

# The backend. A connection's first line names its kind:
#   idle      answered with "ok idle", then nothing
#   echo      every line answered with "echo: " and the line
#   sink N    N lines read without an answer, then "got N"
#   push N    N lines sent, one per 100 ms
# Each kind ends by half-closing (after the client's end, for idle and echo);
# one line per connection says how it ended: "end KIND eof|reset".
cat >"$T/backend.py" <<'EOT'
import socket, sys, threading, time

def serve(c):
    f = c.makefile("rb")
    kind = "?"
    try:
        words = f.readline().split()
        kind = words[0].decode() if words else "?"
        if kind == "idle":
            c.sendall(b"ok idle\n")
        elif kind == "sink":
            n = int(words[1])
            for _ in range(n):
                if not f.readline():
                    break
            else:
                c.sendall(b"got %d\n" % n)
                c.shutdown(socket.SHUT_WR)
        elif kind == "push":
            for i in range(int(words[1])):
                c.sendall(b"tick %d\n" % i)
                time.sleep(0.1)
            c.shutdown(socket.SHUT_WR)
        while True:
            line = f.readline()
            if not line:
                break
            if kind == "echo":
                c.sendall(b"echo: " + line)
        if kind in ("idle", "echo"):
            c.shutdown(socket.SHUT_WR)
        how = "eof"
    except ConnectionResetError:
        how = "reset"
    except OSError as e:
        how = "error %s" % e
    print("end %s %s" % (kind, how), flush=True)
    c.close()

ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(64)
print("backend listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
while True:
    c, _ = ls.accept()
    c.settimeout(30)
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOT

# The plaintext client: KIND ADDR LINES. Prints one result line:
# "idle reset|eof|...", or "KIND ok" once its exchange finished and the
# connection ended cleanly.
cat >"$T/client.py" <<'EOT'
import socket, sys, time
kind, addr, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
host, port = addr.rsplit(":", 1)
s = socket.create_connection((host, int(port)), timeout=30)
f = s.makefile("rb")

def expect(want):
    got = f.readline()
    if got != want:
        sys.exit("%s: got %r, expected %r" % (kind, got, want))

try:
    if kind == "idle":
        s.sendall(b"idle\n")
        expect(b"ok idle\n")
        print("idle opened", flush=True)
        print("idle", "eof" if s.recv(100) == b"" else "data", flush=True)
        sys.exit(0)
    if kind == "echo":
        s.sendall(b"echo\n")
        for i in range(n):
            s.sendall(b"line %d\n" % i)
            expect(b"echo: line %d\n" % i)
            time.sleep(0.1)
    elif kind == "sink":
        s.sendall(b"sink %d\n" % n)
        for i in range(n):
            time.sleep(0.1)
            s.sendall(b"line %d\n" % i)
        expect(b"got %d\n" % n)
    elif kind == "push":
        s.sendall(b"push %d\n" % n)
        for i in range(n):
            expect(b"tick %d\n" % i)
    s.shutdown(socket.SHUT_WR)
    if f.read() != b"":
        sys.exit("%s: data after the exchange" % kind)
    print(kind, "ok", flush=True)
except ConnectionResetError:
    print(kind, "reset", flush=True)
    sys.exit(0 if kind == "idle" else 1)
EOT

python3 "$T/backend.py" >"$T/backend.out" 2>&1 &
PIDS+=($!)
wait_for "$T/backend.out" "listening on" || fail "backend did not start"
backend=$(sed -n 's/^backend listening on //p' "$T/backend.out")

# Pair "c": idle_timeout on the client tunnel; pair "s": on the server tunnel.
declare -A addr
PAIR=c- start_pair "$backend" --rekey-seconds 200ms -- --idle-timeout "${TIMEOUT_MS}ms"
addr[c]=$CLI_ADDR
PAIR=s- start_pair "$backend" --idle-timeout "${TIMEOUT_MS}ms" -- --rekey-seconds 200ms
addr[s]=$CLI_ADDR

clients=()
for p in c s; do
    for kind in idle echo sink push; do
        python3 "$T/client.py" "$kind" "${addr[$p]}" "$LINES" >"$T/$p-$kind.out" 2>&1 &
        clients+=("$!")
        PIDS+=("$!")
    done
done

for p in c s; do
    wait_for "$T/$p-idle.out" "^idle opened" || fail "pair $p: idle connection did not open"
    if [ "$p" = c ]; then timed=client other=server; else timed=server other=client; fi
    wait_for "$T/$p-$timed.log" 'close peer=.* end="idle timeout"' ||
        fail "pair $p: no idle timeout logged by the $timed tunnel"
    # The other tunnel sees the reset on its SC1 side and passes it on.
    wait_for "$T/$p-$other.log" 'close peer=.* end="reset (SC1 side)' ||
        fail "pair $p: the $other tunnel did not log the reset"
    d=$(sed -n 's/.* duration=\([0-9.]*\)s end="idle timeout".*/\1/p' "$T/$p-$timed.log")
    # A lower bound only (slack for the log's cached clock): never sooner.
    awk -v d="$d" -v t="$TIMEOUT_MS" 'BEGIN { exit !(d * 1000 >= t * 0.95) }' ||
        fail "pair $p: closed as idle after ${d}s, before the timeout"
    echo "pair $p: idle connection closed by the $timed tunnel after ${d}s"
done

for pid in "${clients[@]}"; do
    wait_gone "$pid" 20 || fail "a client is stuck"
done
for p in c s; do
    grep -qx "idle reset" "$T/$p-idle.out" ||
        fail "pair $p: idle client saw '$(cat "$T/$p-idle.out")', not a reset"
    for kind in echo sink push; do
        grep -qx "$kind ok" "$T/$p-$kind.out" ||
            fail "pair $p: $kind connection: $(cat "$T/$p-$kind.out")"
    done
done
# Two idle connections were reset; the six busy ones ended cleanly.
wait_count "$T/backend.out" '^end ' 8 || fail "backend: $(grep '^end ' "$T/backend.out" | tr '\n' ' ')"
[ "$(grep -c '^end idle reset$' "$T/backend.out")" = 2 ] ||
    fail "backend: $(grep '^end ' "$T/backend.out" | tr '\n' ' ')"
[ "$(grep -c '^end \(echo\|sink\|push\) eof$' "$T/backend.out")" = 6 ] ||
    fail "backend: $(grep '^end ' "$T/backend.out" | tr '\n' ' ')"
for log in c-client c-server s-client s-server; do
    wait_count "$T/$log.log" 'close peer=.* end=eof' 3 ||
        fail "$log: busy connections did not all end cleanly"
    [ "$(grep -c 'close peer=' "$T/$log.log")" = 4 ] || fail "$log: close lines"
done
echo "PASS"
