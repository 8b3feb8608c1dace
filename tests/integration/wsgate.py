#!/usr/bin/env python3
"""A relay for one SC1-over-WebSocket connection that holds back the
client's close frame, to see whether the server closes TCP before the
client's close frame reached it.

wsgate.py TARGET

Prints "wsgate listening on HOST:PORT", relays one connection to TARGET
(the HTTP upgrade and every frame pass unchanged), but keeps the client's
close frame until the server has sent its own close frame, then waits
HOLD seconds for the server's TCP end of stream before passing it on.
Prints "waited" if the server kept the connection open for the client's
close frame (RFC 6455 section 7: TCP closes once both close frames
crossed), "early" if it closed first: a server that closes with the
client's close frame still unread resets the connection, and the reset
discards whatever the client had not read yet.
"""
import socket
import struct
import sys
import threading

HOLD = 1.0

host, port = sys.argv[1].rsplit(":", 1)
ls = socket.socket()
ls.bind(("127.0.0.1", 0))
ls.listen(1)
ls.settimeout(60)
print("wsgate listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
cli, _ = ls.accept()
srv = socket.create_connection((host, int(port)), timeout=60)
cli.settimeout(60)
server_close = threading.Event()
server_eof = threading.Event()


def frames(buf):
    """Split whole frames off buf: (list of (opcode, bytes), rest)."""
    out = []
    while len(buf) >= 2:
        n, off = buf[1] & 0x7F, 2
        if n == 126:
            if len(buf) < 4:
                break
            n, off = struct.unpack("!H", buf[2:4])[0], 4
        elif n == 127:
            if len(buf) < 10:
                break
            n, off = struct.unpack("!Q", buf[2:10])[0], 10
        if buf[1] & 0x80:
            off += 4
        if len(buf) < off + n:
            break
        out.append((buf[0] & 0x0F, bytes(buf[:off + n])))
        buf = buf[off + n:]
    return out, buf


def pump(src, dst, on_close):
    """Relay src to dst: the HTTP head, then frame by frame; return the
    held close frame (if on_close says to hold it)."""
    buf, head, held = b"", True, b""
    while True:
        try:
            d = src.recv(65536)
        except OSError:
            d = b""
        if not d:
            return held
        buf += d
        if head:
            if b"\r\n\r\n" not in buf:
                continue
            h, buf = buf.split(b"\r\n\r\n", 1)
            dst.sendall(h + b"\r\n\r\n")
            head = False
        got, buf = frames(buf)
        for op, f in got:
            if op == 0x8 and on_close():
                held += f
            else:
                dst.sendall(f)


def s2c():
    def seen():
        server_close.set()
        return False

    pump(srv, cli, seen)
    server_eof.set()
    try:
        cli.shutdown(socket.SHUT_WR)
    except OSError:
        pass


t = threading.Thread(target=s2c)
t.start()
held = pump(cli, srv, lambda: True)
if not server_close.wait(30):
    sys.exit("the server sent no close frame")
print("early" if server_eof.wait(HOLD) else "waited", flush=True)
try:
    srv.sendall(held)
    srv.shutdown(socket.SHUT_WR)
except OSError:
    pass
t.join(30)
