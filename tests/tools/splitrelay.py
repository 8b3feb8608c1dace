#!/usr/bin/env python3
"""A TCP relay that delivers each direction in small pieces.

splitrelay.py [--seed N] [--reframe [--hold PATH]] [--cut DIR:BYTES] TARGET: listen on 127.0.0.1 (an
ephemeral port), print "splitrelay listening on 127.0.0.1:PORT", and relay
every connection to TARGET (host:port). Every chunk read is written on in
pieces of 1 to 3 or 1 to 3000 bytes (sizes from a seeded generator), each sent alone
(TCP_NODELAY) with a pause of a millisecond after it, so the receiver's
reads end anywhere: inside record headers, inside records, inside
WebSocket frame headers. The pauses shape delivery; nothing waits on them.

--reframe (SC1 over WebSocket): after the HTTP upgrade heads, which pass
unchanged, each direction's data frames are taken apart and their payload
sent on in new binary frames of random sizes (1 to 3, 1 to 40 or 1 to
3000 bytes; masked with new keys client to server), so frame boundaries fall
anywhere in records too; control frames pass unchanged, in order.

--hold PATH (with --reframe): on the first connection, client to server,
pass everything before the first application-data record (SC1 type 0x17,
found in the frames' payload), then hold it and what follows until PATH
exists (bounded: 30 s); prints "conn 0 released held=BYTES" then. Pieces
are not split while a hold is set.

--cut c2s:N (or s2c:N) ends the connection after N bytes of that direction
were passed on: both directions get a plain end of stream (FIN), wherever
byte N falls; what either side sends after it is read and discarded.
Prints "conn K c2s=BYTES s2c=BYTES" when a connection ends.
Test tool: loopback only.
"""
import argparse
import os
import random
import socket
import struct
import threading
import time


def ws_frame(fin_op, payload, masked):
    n = len(payload)
    if n < 126:
        head = struct.pack("!BB", fin_op, n | (0x80 if masked else 0))
    elif n < 65536:
        head = struct.pack("!BBH", fin_op, 126 | (0x80 if masked else 0), n)
    else:
        head = struct.pack("!BBQ", fin_op, 127 | (0x80 if masked else 0), n)
    if not masked:
        return head + payload
    key = os.urandom(4)
    return head + key + bytes(b ^ key[i & 3] for i, b in enumerate(payload))


class Reframer:
    """Takes a direction's bytes apart into frames and makes new ones."""

    def __init__(self, masked, rng, hold=None):
        self.masked = masked
        self.rng = rng
        self.buf = b""
        self.head_done = False
        self.hold = hold  # PATH: hold from the first application-data record
        self.hdr = b""    # SC1 record header being read (with a hold)
        self.body = 0     # its body bytes still to come
        self.holding = False
        self.released = False
        self.held = []
        self.lock = threading.Lock()

    def _split_hold(self, payload):
        """payload before the first application-data record, and from it."""
        i = 0
        while i < len(payload):
            if self.body > 0:
                k = min(self.body, len(payload) - i)
                self.body -= k
                i += k
                continue
            if not self.hdr and payload[i] == 0x17:
                self.holding = True
                return payload[:i], payload[i:]
            self.hdr += payload[i:i + 1]
            i += 1
            if len(self.hdr) == 3:
                self.body = self.hdr[1] << 8 | self.hdr[2]
                self.hdr = b""
        return payload, b""

    def _frames(self, payload):
        out = []
        while payload:
            top = self.rng.choice((3, 40, 3000))
            k = min(len(payload), self.rng.randint(1, top))
            out.append(ws_frame(0x82, payload[:k], self.masked))
            payload = payload[k:]
        return b"".join(out)

    def send(self, dst, data):
        """Reframe data and send what is not held, in order."""
        with self.lock:
            was = self.holding
            out = self.feed(data)
            if self.holding and not was:
                dst.sendall(self.held_first)
            if self.holding and not self.released:
                self.held.append(out)
            elif out:
                dst.sendall(out)

    def release(self, dst):
        for _ in range(600):
            if os.path.exists(self.hold):
                break
            time.sleep(0.05)
        with self.lock:
            self.released = True
            data = b"".join(self.held)
            self.held = []
            try:
                dst.sendall(data)
            except OSError:
                pass
        print("conn 0 released held=%d" % len(data), flush=True)

    def feed(self, data):
        self.buf += data
        out = []
        if not self.head_done:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return b""
            out.append(self.buf[:end + 4])
            self.buf = self.buf[end + 4:]
            self.head_done = True
        while len(self.buf) >= 2:
            b0, b1 = self.buf[0], self.buf[1]
            n, hl = b1 & 0x7F, 2
            if n == 126:
                if len(self.buf) < 4:
                    break
                n, hl = struct.unpack("!H", self.buf[2:4])[0], 4
            elif n == 127:
                if len(self.buf) < 10:
                    break
                n, hl = struct.unpack("!Q", self.buf[2:10])[0], 10
            mk = None
            if b1 & 0x80:
                mk = self.buf[hl:hl + 4]
                hl += 4
            if len(self.buf) < hl + n:
                break
            raw, payload = self.buf[:hl + n], self.buf[hl:hl + n]
            self.buf = self.buf[hl + n:]
            if b0 & 0x0F >= 8:
                out.append(raw)
                continue
            if mk is not None:
                payload = bytes(b ^ mk[i & 3] for i, b in enumerate(payload))
            if self.hold is not None and not self.holding:
                before, after = self._split_hold(payload)
                out.append(self._frames(before))
                if self.holding:
                    # From here on the output is held: what precedes goes now.
                    self.held_first = b"".join(out)
                    out = [self._frames(after)]
                    continue
            else:
                out.append(self._frames(payload))
        return b"".join(out)


def cut_both(src, dst):
    """The cut: a plain end of stream to both sides at once."""
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def pipe(src, dst, rng, limit, done, counts, key, cut_event, reframer):
    total = 0
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if cut_event.is_set():
                # After the cut what still comes is read and discarded, so
                # that no side is reset for bytes left unread.
                continue
            if reframer is not None and reframer.hold is not None:
                reframer.send(dst, data)
                continue
            if reframer is not None:
                data = reframer.feed(data)
            while data and not cut_event.is_set():
                n = min(len(data), rng.randint(1, rng.choice((3, 3000))))
                if limit is not None and total + n >= limit:
                    n = limit - total
                dst.sendall(data[:n])
                total += n
                data = data[n:]
                if limit is not None and total >= limit:
                    cut_event.set()
                    cut_both(src, dst)
                    break
                time.sleep(0.001)
    except OSError:
        pass
    counts[key] = total
    try:
        dst.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    done.release()


def serve(conn, target, seed, cut, k, reframe, hold):
    up = socket.create_connection(target)
    for s in (conn, up):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    done = threading.Semaphore(0)
    counts = {}
    cut_event = threading.Event()
    limits = {"c2s": None, "s2c": None}
    if cut is not None:
        limits[cut[0]] = cut[1]
    for src, dst, key, off in ((conn, up, "c2s", 1), (up, conn, "s2c", 2)):
        rng = random.Random(seed * 3 + off + k * 7)
        reframer = Reframer(key == "c2s", random.Random(seed * 5 + off + k * 11),
                            hold if key == "c2s" and k == 0 else None) \
            if reframe else None
        if reframer is not None and reframer.hold is not None:
            threading.Thread(target=reframer.release, args=(up,), daemon=True).start()
        threading.Thread(target=pipe, daemon=True,
                         args=(src, dst, rng, limits[key], done, counts, key, cut_event,
                               reframer)).start()
    done.acquire()
    done.acquire()
    print("conn %d c2s=%d s2c=%d" % (k, counts["c2s"], counts["s2c"]), flush=True)
    conn.close()
    up.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--cut", default=None)
    ap.add_argument("--reframe", action="store_true")
    ap.add_argument("--hold", default=None)
    ap.add_argument("target")
    a = ap.parse_args()
    host, port = a.target.rsplit(":", 1)
    cut = None
    if a.cut:
        d, n = a.cut.split(":")
        cut = (d, int(n))
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(64)
    print("splitrelay listening on 127.0.0.1:%d" % ls.getsockname()[1], flush=True)
    k = 0
    while True:
        conn, _ = ls.accept()
        threading.Thread(target=serve, daemon=True,
                         args=(conn, (host, int(port)), a.seed, cut, k, a.reframe,
                               a.hold)).start()
        k += 1


if __name__ == "__main__":
    main()
