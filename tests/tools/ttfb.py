#!/usr/bin/env python3
"""ttfb.py ADDR N [PAUSE_MS]: N connections in turn (PAUSE_MS apart) to ADDR (an echo service behind
it); each sends one line as soon as it is connected and measures the time
from the start of connect() to the first byte of the reply. Prints each
time in milliseconds, then "median MS". Exit 1 if a reply is wrong."""
import socket
import sys
import time


def one(host, port):
    t0 = time.monotonic()
    s = socket.create_connection((host, port), timeout=30)
    s.sendall(b"ping\n")
    first = s.recv(1)
    t1 = time.monotonic()
    rest = b""
    while len(first + rest) < 5:
        d = s.recv(64)
        if not d:
            break
        rest += d
    s.close()
    if (first + rest)[:5] != b"ping\n":
        sys.stderr.write("bad reply %r\n" % (first + rest))
        sys.exit(1)
    return (t1 - t0) * 1000.0


def main():
    host, port = sys.argv[1].rsplit(":", 1)
    pause = int(sys.argv[3]) / 1000.0 if len(sys.argv) > 3 else 0
    times = []
    for i in range(int(sys.argv[2])):
        if i and pause:
            time.sleep(pause)
        times.append(one(host.strip("[]"), int(port)))
    for t in times:
        print("%.1f" % t)
    print("median %.1f" % sorted(times)[len(times) // 2], flush=True)


if __name__ == "__main__":
    main()
