#!/usr/bin/env python3
"""A small SOCKS5 server (RFC 1928, CONNECT only) with username/password
authentication (RFC 1929), for the sctunnel tests of connect_via where
dante cannot check a password unprivileged (its username method reads the
system's password database).

socks5d.py [--user U --password P] [--reply N]: listens on 127.0.0.1:0 and
prints "socks5d listening on HOST:PORT". With --user, only username/
password is accepted and checked; without it, only "no authentication".
--reply N answers every CONNECT with reply code N without connecting.
Each request is logged as "socks5d auth=ok|refused|none target=HOST:PORT
atyp=N reply=N", and the relay copies bytes both ways with half-close.
"""
import argparse
import ipaddress
import socket
import struct
import sys
import threading


def log(msg):
    print("socks5d " + msg, flush=True)


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        d = s.recv(n - len(data))
        if not d:
            raise EOFError("short read")
        data += d
    return data


def pipe(src, dst):
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            dst.sendall(d)
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass


def reply(s, code, bound=None):
    if bound is None:
        s.sendall(bytes([5, code, 0, 1, 0, 0, 0, 0, 0, 0]))
        return
    host, port = bound[0], bound[1]
    ip = ipaddress.ip_address(host)
    atyp = 1 if ip.version == 4 else 4
    s.sendall(bytes([5, code, 0, atyp]) + ip.packed + struct.pack("!H", port))


def handle(c, args):
    try:
        ver, n = recv_exact(c, 2)
        methods = recv_exact(c, n)
        want = 2 if args.user is not None else 0
        if ver != 5 or want not in methods:
            c.sendall(bytes([5, 0xFF]))
            log("auth=no-acceptable-method target=-")
            return
        c.sendall(bytes([5, want]))
        auth = "none"
        if want == 2:
            v, ulen = recv_exact(c, 2)
            user = recv_exact(c, ulen)
            (plen,) = recv_exact(c, 1)
            pw = recv_exact(c, plen)
            ok = v == 1 and user == args.user.encode() and pw == args.password.encode()
            c.sendall(bytes([1, 0 if ok else 1]))
            if not ok:
                log("auth=refused target=-")
                return
            auth = "ok"
        ver, cmd, _, atyp = recv_exact(c, 4)
        if atyp == 1:
            host = socket.inet_ntop(socket.AF_INET, recv_exact(c, 4))
        elif atyp == 4:
            host = socket.inet_ntop(socket.AF_INET6, recv_exact(c, 16))
        elif atyp == 3:
            (ln,) = recv_exact(c, 1)
            host = recv_exact(c, ln).decode()
        else:
            reply(c, 8)
            return
        (port,) = struct.unpack("!H", recv_exact(c, 2))
        code = args.reply
        if code == 0 and cmd != 1:
            code = 7
        up = None
        if code == 0:
            try:
                up = socket.create_connection((host, port), timeout=10)
                up.settimeout(None)
            except OSError:
                code = 5
        log("auth=%s target=%s:%d atyp=%d reply=%d" % (auth, host, port, atyp, code))
        if code != 0:
            reply(c, code)
            return
        reply(c, 0, up.getsockname()[:2])
        t = threading.Thread(target=pipe, args=(up, c), daemon=True)
        t.start()
        pipe(c, up)
        t.join()
        up.close()
    except (EOFError, OSError) as e:
        log("error %s" % e)
    finally:
        c.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--user")
    ap.add_argument("--password", default="")
    ap.add_argument("--reply", type=int, default=0)
    args = ap.parse_args()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    log("listening on %s:%d" % srv.getsockname())
    while True:
        c, _ = srv.accept()
        threading.Thread(target=handle, args=(c, args), daemon=True).start()


if __name__ == "__main__":
    sys.exit(main())
