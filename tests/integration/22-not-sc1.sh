#!/usr/bin/env bash
# Something other than SC1 on the SC1 port: a TLS ClientHello, an HTTP
# request, an SSH banner, random bytes. SC1.md sections 2 and 10: a
# record type outside the table (0x16, 'G', 'S', ...) is unexpected_message,
# and before any key is installed the alert travels in the clear, so the
# sender gets exactly 15 00 01 0a and then the end of the connection. The
# server's log line says what the bytes looked like; the daemon keeps
# serving. And the other way round: a client tunnel pointed at an SSH
# server says so, and answers the banner with the same clear alert.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
start_echod echod 127.0.0.1:0
start_pair "$ECHO_ADDR"

# probe ADDR FILE: send FILE's bytes, read what comes back until the end;
# prints the reply in hex and how the connection ended.
probe() {
    python3 - "$1" "$2" <<'EOT'
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
data = open(sys.argv[2], "rb").read()
s = socket.create_connection((host, int(port)), timeout=20)
end = "eof"
try:
    s.sendall(data)
except OSError:
    pass   # the server may close before it has read everything
got = b""
try:
    while True:
        d = s.recv(4096)
        if not d:
            break
        got += d
except ConnectionResetError:
    end = "reset"
except socket.timeout:
    end = "timeout"
print(got.hex(), end)
EOT
}

# round_trip: the daemons still serve a normal connection.
round_trip() {
    local reply
    reply=$(printf 'still there\n' | netc "$CLI_ADDR") || fail "round trip after $1"
    [ "$reply" = "echo: still there" ] || fail "reply after $1: '$reply'"
}

# A TLS 1.3 ClientHello, as openssl s_client sends it (captured by a
# listener that keeps the first record), else a hard-coded record start.
python3 - "$T/tls.bin" >"$T/capture.out" 2>&1 <<'EOT' &
import socket, sys
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
ls.settimeout(20)
print("capture listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
c, _ = ls.accept()
c.settimeout(20)
buf = b""
while len(buf) < 5 or len(buf) < 5 + int.from_bytes(buf[3:5], "big"):
    d = c.recv(4096)
    if not d:
        break
    buf += d
open(sys.argv[1], "wb").write(buf)
c.close()
EOT
PIDS+=($!)
wait_for "$T/capture.out" "listening on" || fail "capture listener did not start"
cap=$(sed -n 's/^capture listening on //p' "$T/capture.out")
if command -v openssl >/dev/null 2>&1; then
    timeout 20 openssl s_client -connect "$cap" -tls1_3 </dev/null >/dev/null 2>&1
fi
if [ ! -s "$T/tls.bin" ]; then
    echo "openssl s_client unavailable: using a hard-coded ClientHello start"
    printf '\026\003\001\000\052\001\000\000\046\003\003' >"$T/tls.bin"
    head -c 32 /dev/zero >>"$T/tls.bin"
fi
printf 'GET / HTTP/1.1\r\nHost: server.test\r\nUser-Agent: test\r\n\r\n' >"$T/http.bin"
printf 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n' >"$T/ssh.bin"
# Random bytes after a first byte that is no SC1 record type.
{ printf '\234'; head -c 200 /dev/urandom; } >"$T/random.bin"

alert=1500010a   # clear alert record: type 0x15, length 1, unexpected_message
for kind in tls:'looks like TLS' http:'looks like HTTP' ssh:'looks like SSH' \
    random:'unknown bytes'; do
    name=${kind%%:*}
    what=${kind#*:}
    out=$(probe "$SRV_ADDR" "$T/$name.bin")
    echo "$name: $out"
    read -r got how <<<"$out"
    [ "$got" = "$alert" ] || fail "$name: received '$got', expected the clear alert $alert"
    [ "$how" = eof ] || [ "$how" = reset ] || fail "$name: connection not closed ($how)"
    wait_for "$T/server.log" "end=\"handshake failed: not SC1: $what (first bytes [0-9a-f ]*); alert sent unexpected_message" ||
        fail "$name: the server did not log 'not SC1: $what'"
    round_trip "$name"
done
grep -h 'not SC1' "$T/server.log" | sed 's/.*end=/end=/'

# A client tunnel whose server answers with an SSH banner.
python3 - "$T/sshd.bin" >"$T/sshd.out" 2>&1 <<'EOT' &
import socket, sys
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
ls.settimeout(20)
print("sshd listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
c, _ = ls.accept()
c.settimeout(20)
c.sendall(b"SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n")
buf = b""
try:
    while True:
        d = c.recv(4096)
        if not d:
            break
        buf += d
except OSError:
    pass
open(sys.argv[1], "wb").write(buf)
EOT
sshd_pid=$!
PIDS+=("$sshd_pid")
wait_for "$T/sshd.out" "listening on" || fail "fake SSH server did not start"
sshd=$(sed -n 's/^sshd listening on //p' "$T/sshd.out")
# shellcheck disable=SC2046
start_tunnel sshcli client --accept 127.0.0.1:0 --connect "$sshd" \
    $(client_args) --workers 1
set +e
out=$(printf 'hello\n' | netc "$TUN_ADDR" 2>/dev/null)
rc=$?
set -e
[ -z "$out" ] || fail "data came back from an SSH server: '$out'"
[ "$rc" != 0 ] || fail "the plaintext client saw a clean end"
wait_for "$T/sshcli.log" 'end="handshake failed: not SC1: looks like SSH (first bytes 53 53 48 2d [0-9a-f ]*); alert sent unexpected_message' ||
    fail "the client did not log 'not SC1: looks like SSH'"
wait_gone "$sshd_pid" || fail "fake SSH server still waiting"
# What the SSH server got: ClientHello (type 0x01), then the clear alert.
python3 - "$T/sshd.bin" <<'EOT' || fail "the SSH server did not get ClientHello and the alert"
import sys
b = open(sys.argv[1], "rb").read()
n = 3 + int.from_bytes(b[1:3], "big")
print("SSH server received: ClientHello of %d bytes, then %s" % (n, b[n:].hex()))
sys.exit(0 if b[0] == 1 and b[n:] == bytes.fromhex("1500010a") else 1)
EOT
echo "PASS"
