#!/usr/bin/env bash
# One server port with websocket = yes serves raw SC1 clients and SC1 over
# WebSocket clients side by side (PROTOCOL.md Appendix A); a plain HTTP
# request gets 400, an upgrade it cannot take an HTTP error (404 wrong path,
# 426 another version, 400 without the sc1 subprotocol, 405 not GET), each
# with a log line; bytes that are
# neither HTTP nor SC1 get the usual not-SC1 alert. After an upgrade, a
# hand-made WebSocket client checks the framing rules: a ping is answered
# with a pong carrying its payload, a text frame is refused with close code
# 1003, an unmasked frame with 1002, an oversize frame with 1009, and a
# close frame before close_notify is logged as a truncation. A client
# whose server answers the upgrade badly refuses to go on.
. "$(dirname "$0")/tunnel-lib.sh"

make_pki
start_echod raw -r 127.0.0.1:0
start_pair "$ECHO_ADDR" --websocket yes -- --transport websocket
wsclient=$CLI_ADDR
# shellcheck disable=SC2046
start_tunnel rawclient client --accept 127.0.0.1:0 --connect "$SRV_ADDR" $(client_args) -v
rawclient=$TUN_ADDR

head -c 3000000 /dev/urandom >"$T/big"
# Several WebSocket ends: the close frames' order varies from run to run,
# and an end that closes the socket before reading the peer's close frame
# resets the peer (losing what it had not read yet) only in some runs.
for c in "$wsclient" "$rawclient" "$wsclient" "$wsclient" "$wsclient" "$wsclient"; do
    netc "$c" <"$T/big" >"$T/big.back" || fail "echo through $c"
    cmp -s "$T/big" "$T/big.back" || fail "echo through $c differs"
done
[ "$(grep -c 'WebSocket upgrade done' "$T/server.log")" = 5 ] ||
    fail "the server should have upgraded exactly the five WebSocket connections"
[ "$(grep -c "sent=3000000 received=3000000 .*end=eof" "$T/server.log")" = 6 ] ||
    fail "the server did not log six clean echoes"
echo "raw SC1 and WebSocket clients share the port"

# The server keeps TCP open until the client's close frame has come
# (RFC 6455 section 7), however late: wsgate.py holds it back.
python3 "$SC_SRCDIR/tests/integration/wsgate.py" "$SRV_ADDR" >"$T/gate.out" 2>&1 &
PIDS+=($!)
wait_for "$T/gate.out" "listening on" || fail "wsgate did not start"
# shellcheck disable=SC2046
start_tunnel gatecli client --accept 127.0.0.1:0 \
    --connect "$(sed -n 's/^wsgate listening on //p' "$T/gate.out")" $(client_args) \
    --transport websocket -v
head -c 200000 "$T/big" >"$T/small"
netc "$TUN_ADDR" <"$T/small" >"$T/small.back" || fail "echo through the gate"
cmp -s "$T/small" "$T/small.back" || fail "echo through the gate differs"
wait_for "$T/gate.out" "^waited$\|^early$" || fail "wsgate: $(cat "$T/gate.out")"
grep -q '^waited$' "$T/gate.out" ||
    fail "the server closed TCP before the client's close frame came"
wait_count "$T/server.log" "sent=200000 received=200000 .*end=eof" 1 ||
    fail "the gated connection did not end cleanly"

# http PATH [CURL ARGS...]: the status a plain HTTP request gets.
http() {
    local path=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' --max-time 20 "$@" "http://$SRV_ADDR$path"
}
ws=(-H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 13'
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==')
[ "$(http /)" = 400 ] || fail "a plain GET of / should get 400"
[ "$(http /sc1)" = 400 ] || fail "a plain GET of /sc1 (no upgrade) should get 400"
[ "$(http /sc1 -X POST -d x)" = 400 ] || fail "a plain POST should get 400"
[ "$(http /other "${ws[@]}" -H 'Sec-WebSocket-Protocol: sc1')" = 404 ] ||
    fail "an upgrade for another path should get 404"
[ "$(http /sc1 "${ws[@]}")" = 400 ] || fail "an upgrade without the sc1 subprotocol should get 400"
[ "$(http /sc1 -H 'Upgrade: websocket' -H 'Connection: Upgrade' -H 'Sec-WebSocket-Version: 8' \
    -H 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==' -H 'Sec-WebSocket-Protocol: sc1')" = 426 ] ||
    fail "WebSocket version 8 should get 426"
[ "$(http /sc1 -X POST "${ws[@]}" -H 'Sec-WebSocket-Protocol: sc1')" = 405 ] ||
    fail "an upgrade by POST should get 405"
wait_for "$T/server.log" 'WebSocket upgrade refused: HTTP 405: method POST' ||
    fail "the refusals are not logged"
grep -q 'WebSocket upgrade refused: HTTP 404: path /other is not served' "$T/server.log" ||
    fail "the 404 is not explained"
grep -q 'WebSocket upgrade refused: HTTP 400: a plain HTTP request' "$T/server.log" ||
    fail "the plain request's 400 is not explained"

# Neither HTTP nor SC1: the not-SC1 alert in the clear (SC1.md section 10).
out=$(printf 'SSH-2.0-OpenSSH_9.2\r\n' | netc "$SRV_ADDR" | od -An -tx1 | tr -d ' \n')
[ "$out" = 1500010a ] || fail "an SSH banner got '$out', not the clear unexpected_message alert"
wait_for "$T/server.log" 'not SC1: looks like SSH' || fail "the SSH banner is not logged as such"

# frames CASE: a hand-made WebSocket client after a real upgrade.
frames() {
    python3 - "$SRV_ADDR" "$1" <<'EOT'
import base64, hashlib, os, socket, struct, sys
host, port = sys.argv[1].rsplit(":", 1)
case = sys.argv[2]
s = socket.create_connection((host, int(port)), timeout=20)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /sc1 HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Protocol: sc1\r\n\r\n" % key).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    d = s.recv(4096)
    if not d:
        sys.exit("no 101")
    buf += d
head, buf = buf.split(b"\r\n\r\n", 1)
want = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
assert head.startswith(b"HTTP/1.1 101 "), head
assert b"Sec-WebSocket-Accept: " + want in head, head
assert b"Sec-WebSocket-Protocol: sc1" in head, head

def frame(op, payload, fin=True, masked=True, length=None):
    n = len(payload) if length is None else length
    b0 = (0x80 if fin else 0) | op
    m = 0x80 if masked else 0
    if n < 126:
        h = struct.pack("!BB", b0, m | n)
    elif n < 65536:
        h = struct.pack("!BBH", b0, m | 126, n)
    else:
        h = struct.pack("!BBQ", b0, m | 127, n)
    if not masked:
        return h + payload
    k = os.urandom(4)
    return h + k + bytes(c ^ k[i % 4] for i, c in enumerate(payload))

def read_frame():
    global buf
    while True:
        if len(buf) >= 2:
            n = buf[1] & 0x7f
            off = 2
            if n == 126:
                n, off = struct.unpack("!H", buf[2:4])[0], 4
            elif n == 127:
                n, off = struct.unpack("!Q", buf[2:10])[0], 10
            if len(buf) >= off + n:
                op, p, buf = buf[0] & 0x0f, buf[off:off + n], buf[off + n:]
                assert not (buf[1:2] and False)
                return op, p
        d = s.recv(65536)
        if not d:
            return None, b""
        buf += d

def expect_close(code):
    while True:
        op, p = read_frame()
        if op is None:
            sys.exit("no close frame")
        if op == 0x8:
            got = struct.unpack("!H", p[:2])[0]
            assert got == code, "close code %d, wanted %d" % (got, code)
            print("close %d" % got)
            return

if case == "ping":
    s.sendall(frame(0x9, b"are you there"))
    op, p = read_frame()
    assert op == 0xa and p == b"are you there", (op, p)
    print("pong")
elif case == "text":
    s.sendall(frame(0x1, b"hello"))
    expect_close(1003)
elif case == "unmasked":
    s.sendall(frame(0x2, b"\x16\x03\x01", masked=False))
    expect_close(1002)
elif case == "oversize":
    s.sendall(frame(0x2, b"", length=(16 << 20) + 1)[:14])
    expect_close(1009)
elif case == "close":
    s.sendall(frame(0x8, struct.pack("!H", 1000)))
    op, p = read_frame()
    print("end")
EOT
}
[ "$(frames ping)" = pong ] || fail "a ping was not answered with its pong"
[ "$(frames text)" = "close 1003" ] || fail "a text frame did not get close 1003"
wait_for "$T/server.log" 'end="WebSocket: WebSocket text frame' || fail "the text frame is not logged"
[ "$(frames unmasked)" = "close 1002" ] || fail "an unmasked frame did not get close 1002"
wait_for "$T/server.log" 'unmasked WebSocket frame from a client (close 1002 sent)' ||
    fail "the unmasked frame is not logged"
[ "$(frames oversize)" = "close 1009" ] || fail "an oversize frame did not get close 1009"
frames close >/dev/null || fail "close frame case"
wait_for "$T/server.log" 'end="handshake failed: truncated' ||
    fail "a close frame before close_notify is not a truncation"

# A server that answers the upgrade without the right accept value.
python3 - >"$T/badsrv.out" <<'EOT' &
import socket
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
ls.settimeout(30)
print("badsrv listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
c, _ = ls.accept()
c.settimeout(20)
buf = b""
while b"\r\n\r\n" not in buf:
    buf += c.recv(4096)
print(buf.split(b"\r\n")[0].decode(), flush=True)
c.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
          b"Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\nSec-WebSocket-Protocol: sc1\r\n\r\n")
c.recv(100)
EOT
PIDS+=($!)
wait_for "$T/badsrv.out" "listening on" || fail "bad server did not start"
bad=$(sed -n 's/^badsrv listening on //p' "$T/badsrv.out")
# shellcheck disable=SC2046
start_tunnel badcli client --accept 127.0.0.1:0 --connect "$bad" $(client_args) \
    --transport websocket --ws-path /tunnel/sc1 -v
set +e
out=$(printf 'secret\n' | netc "$TUN_ADDR" 2>/dev/null)
rc=$?
set -e
[ -z "$out" ] && [ "$rc" = 3 ] || fail "a bad 101 should reset the plaintext client ($rc, '$out')"
wait_for "$T/badcli.log" 'WebSocket upgrade failed: Sec-WebSocket-Accept does not match' ||
    fail "the bad accept value is not logged"
grep -q '^GET /tunnel/sc1 HTTP/1.1$' "$T/badsrv.out" || fail "ws_path not used: $(cat "$T/badsrv.out")"
# Each WebSocket option applies to one mode: file:line and status 2.
printf '[s]\nmode = client\naccept = 127.0.0.1:1\nconnect = 127.0.0.1:2\nca = %s\nserver_name = x\nwebsocket = yes\n' \
    "$PKI/ca.pem" >"$T/bad.conf"
set +e
"$SCTUNNEL" -t -c "$T/bad.conf" 2>"$T/bad.err"
rc=$?
set -e
[ "$rc" = 2 ] && grep -q "bad.conf:7: \[s\] 'websocket' applies to servers only" "$T/bad.err" ||
    fail "websocket = yes on a client: status $rc, $(cat "$T/bad.err")"
echo "PASS"
