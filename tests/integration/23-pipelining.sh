#!/usr/bin/env bash
# The engine is driven right when records arrive back to back (STYLE.md,
# libevent: bytes buffered behind message 12 must not wait for the next
# read). A backend that speaks first (a banner, like SMTP): the relay holds
# the server's messages 11 and 12 until the banner's data record follows,
# and sends all three in one write; the client delivers the banner at once.
# And data written into the client tunnel before the handshake can even
# start (the relay lets the ClientHello through only after the plaintext
# client has sent everything and half-closed) arrives whole, in order.
. "$(dirname "$0")/tunnel-lib.sh"

MODRELAY="$SC_BUILDDIR/tests/tools/modrelay"
[ -x "$MODRELAY" ] || fail "modrelay not built"
make_pki
banner="220 server.test ESMTP ready"
start_echod echod -g "$banner" 127.0.0.1:0
# shellcheck disable=SC2046
start_tunnel server server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 -v
server=$TUN_ADDR
# Connection 0: server records from the 6th (step 11) on go out together
# with the first data record. Connection 1: held until $T/go exists.
printf 's2c join 6\ngate %s\n' "$T/go" >"$T/ops"
"$MODRELAY" -v -f "$T/ops" "$server" >"$T/modrelay.out" 2>"$T/modrelay.stderr" &
PIDS+=($!)
wait_for "$T/modrelay.out" "listening on" || fail "modrelay did not start"
relay=$(sed -n 's/^modrelay listening on //p' "$T/modrelay.out")
# shellcheck disable=SC2046
start_tunnel client client --accept 127.0.0.1:0 --connect "$relay" \
    $(client_args) --workers 1 -v

# 1. The banner arrives without the client sending anything first.
python3 - "$TUN_ADDR" "$banner" <<'EOT' || fail "banner behind message 12 not delivered"
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
banner = sys.argv[2].encode() + b"\n"
s = socket.create_connection((host, int(port)), timeout=20)
got = b""
while not got.endswith(b"\n"):
    d = s.recv(4096)
    if not d:
        break
    got += d
print("banner: %r" % got)
if got != banner:
    sys.exit(1)
s.sendall(b"hello\n")
s.shutdown(socket.SHUT_WR)
rest = b""
while True:
    d = s.recv(4096)
    if not d:
        break
    rest += d
print("reply: %r" % rest)
sys.exit(0 if rest == b"echo: hello\n" else 1)
EOT
wait_for "$T/modrelay.out" '^conn 0 op=' || fail "no report of connection 0"
grep -q '^conn 0 s2c record 6 type 0x0b ' "$T/modrelay.out" || fail "record 6 is not step 11"
grep -q '^conn 0 s2c record 7 type 0x0c ' "$T/modrelay.out" || fail "record 7 is not step 12"
grep -q '^conn 0 op="s2c join 6" applied=1 hit="record 8 type 0x17 sent in one write' \
    "$T/modrelay.out" || fail "11, 12 and the banner were not sent together: $(grep '^conn 0 op' "$T/modrelay.out")"

# 2. Early data: everything is written and the sending side shut down while
# the relay still holds the ClientHello; then the gate opens.
python3 - "$TUN_ADDR" "$T/go" "$banner" <<'EOT' || fail "early data did not arrive whole"
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
lines = [b"early\n", b"bird\n"] + [b"line %05d %s\n" % (i, b"x" * 200) for i in range(100)]
s = socket.create_connection((host, int(port)), timeout=20)
s.sendall(b"".join(lines))
s.shutdown(socket.SHUT_WR)
open(sys.argv[2], "w").close()
got = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    got += d
want = sys.argv[3].encode() + b"\n" + b"".join(b"echo: " + l for l in lines)
print("early data: %d bytes sent, %d of %d expected bytes back, %s" %
      (sum(map(len, lines)), len(got), len(want), "equal" if got == want else "DIFFERENT"))
sys.exit(0 if got == want else 1)
EOT
wait_for "$T/modrelay.out" '^conn 1 op="gate' || fail "no report of connection 1"
grep -q "close peer=.* end=eof" "$T/client.log" || fail "client did not end cleanly"
[ "$(grep -c 'close peer=.* end=eof' "$T/server.log")" = 2 ] || fail "server did not end both cleanly"
echo "PASS"
