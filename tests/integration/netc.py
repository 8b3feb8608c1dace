#!/usr/bin/env python3
"""Small network client for the sctunnel tests.

netc.py ADDR [--bytewise] [--keep-open]: send standard input, shut down the
sending side (unless --keep-open), copy everything received to standard
output. Exit 0 on a clean end of stream, 3 on a connection reset.
ADDR is host:port, [v6addr]:port or unix:/path.
netc.py --many N SIZE ADDR: N concurrent connections, SIZE random bytes
each, full duplex; checks every reply is byte-exact. Exit 0 if all are.
netc.py --chat ADDR LINE...: send each LINE (and a newline) only once
everything sent so far has come back (an echo service behind ADDR), then
read to the end without closing; print "end=eof" or "end=reset".
Exit 0 on a clean end of stream, 3 on a reset, 1 otherwise (20 s bound).
netc.py --serve: a raw echo service on 127.0.0.1 (ephemeral port); prints
"netc listening on HOST:PORT", then for each connection, when it ends,
"conn N end=eof|reset bytes=B" (B bytes received).
"""
import os
import random
import errno
import socket
import sys
import threading


def connect(addr):
    if addr.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(addr[5:])
        return s
    host, port = addr.rsplit(":", 1)
    host = host.strip("[]")
    return socket.create_connection((host, int(port)), timeout=60)


def single(addr, bytewise, keep_open):
    data = sys.stdin.buffer.read()
    try:
        s = connect(addr)
    except ConnectionResetError:
        # Accepted and reset before the connect call even returned.
        print("netc: reset", file=sys.stderr)
        return 3
    s.settimeout(60)
    out = []
    err = []

    def reader():
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    return
                out.append(d)
        except ConnectionResetError:
            err.append("reset")
        except OSError as e:
            err.append(str(e))

    t = threading.Thread(target=reader)
    t.start()
    try:
        if bytewise:
            for i in range(len(data)):
                s.sendall(data[i:i + 1])
        else:
            s.sendall(data)
        if not keep_open:
            s.shutdown(socket.SHUT_WR)
    except (ConnectionResetError, BrokenPipeError):
        err.append("reset")
    except OSError as e:
        # ENOTCONN on our shutdown: a reset already tore the connection
        # down and this call took its error (the reader then sees an end).
        err.append("reset" if e.errno == errno.ENOTCONN else str(e))
    t.join()
    sys.stdout.buffer.write(b"".join(out))
    sys.stdout.flush()
    if err:
        # A reset seen by either thread is the outcome: the other may then
        # fail with ENOTCONN (a shutdown after the reset), in either order.
        print("netc: " + ", ".join(err), file=sys.stderr)
        return 3 if "reset" in err else 1
    return 0


def many(n, size, addr):
    failures = []
    barrier = threading.Barrier(n)

    def one(i):
        try:
            data = random.randbytes(size)
            s = connect(addr)
            s.settimeout(120)
            barrier.wait()   # all n are open at the same time
            got = []

            def reader():
                while True:
                    d = s.recv(65536)
                    if not d:
                        return
                    got.append(d)

            t = threading.Thread(target=reader)
            t.start()
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            t.join()
            s.close()
            if b"".join(got) != data:
                failures.append("connection %d: reply differs" % i)
        except Exception as e:  # noqa: BLE001 - report every failure
            failures.append("connection %d: %r" % (i, e))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for f in failures[:10]:
        print("netc: " + f, file=sys.stderr)
    return 1 if failures else 0


def chat(addr, lines):
    s = connect(addr)
    s.settimeout(20)
    want = 0
    got = b""
    try:
        for line in lines:
            data = line.encode() + b"\n"
            s.sendall(data)
            want += len(data)
            while len(got) < want:
                d = s.recv(65536)
                if not d:
                    break
                got += d
        while True:
            d = s.recv(65536)
            if not d:
                print("end=eof")
                return 0
            got += d
    except (ConnectionResetError, BrokenPipeError):
        print("end=reset")
        return 3
    except OSError as e:
        print("end=error " + str(e))
        return 1
    finally:
        sys.stdout.flush()


def serve():
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    print("netc listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    lock = threading.Lock()

    def one(s, i):
        total = 0
        end = "eof"
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    break
                total += len(d)
                s.sendall(d)
        except (ConnectionResetError, BrokenPipeError):
            end = "reset"
        except OSError as e:
            end = "error " + str(e)
        s.close()
        with lock:
            print("conn %d end=%s bytes=%d" % (i, end, total), flush=True)

    i = 0
    while True:
        s, _ = ls.accept()
        threading.Thread(target=one, args=(s, i), daemon=True).start()
        i += 1


def main(argv):
    if len(argv) >= 1 and argv[0] == "--chat":
        return chat(argv[1], argv[2:])
    if len(argv) >= 1 and argv[0] == "--serve":
        return serve()
    if len(argv) >= 1 and argv[0] == "--many":
        return many(int(argv[1]), int(argv[2]), argv[3])
    args = [a for a in argv if not a.startswith("--")]
    return single(args[0], "--bytewise" in argv, "--keep-open" in argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
