#!/usr/bin/env python3
"""Drive many echo sessions through a client tunnel whose SC1 connection
passes through modrelay, each session with its own alteration.

relaydrive.py sweep TUNNEL RELAY_OUT OPS_FILE [--jobs N] [--step S]
    [--sample N] [--long BYTES] [--seed N] [--hang SECONDS]
relaydrive.py cases TUNNEL RELAY_OUT OPS_FILE CLIENT_LOG SERVER_LOG
    < lines "SIZE|OP|PATTERN"

modrelay (-f OPS_FILE) takes the operation of its i-th connection from line
i+1 of OPS_FILE, and prints one report line per connection to RELAY_OUT.
Every session sends data to a raw echo service behind the tunnels and
checks the reply: an altered session must never return a byte that differs
from what was sent (the reply is a prefix of the data) and must not end
cleanly (the tunnel ends it with a reset). Exit 0 when every session
passed, 1 otherwise, with the failures on standard error.

sweep: one unaltered session learns the byte counts of a short session
(handshake, one data record each way, close_notify) and of a long one;
then one session per offset S apart over the whole short session in each
direction, and N random offsets in the data of long sessions, N/2 per
direction, with JOBS sessions at a time. A session that has not ended
SECONDS (--hang, default 30) after its last byte was sent hangs: only a
flip in a record's length field may leave a receiver waiting for bytes
that never come, so the number of hung sessions of a batch must not
exceed the number of its sessions whose relay report says "length
altered" (sessions run concurrently and cannot be paired with their
connections, hence a count). Give the tunnels timeouts longer than
SECONDS, or the tunnels end a hang before it can be seen here.

cases: one session at a time, of SIZE bytes with the operation OP (e.g.
"c2s swap 2"), each size after an unaltered session that shows the record
layout; besides the checks above, one of the close lines the session left
in the tunnels' logs must match PATTERN (a Python regular expression).
"""
import os
import random
import re
import socket
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

TIMEOUT = 30


class Relay:
    """The ops file (line i: the operation of connection i) and reports."""

    def __init__(self, out_path, ops_path):
        self.out_path = out_path
        self.ops_path = ops_path
        # Connections made before (earlier runs on the same relay).
        try:
            with open(ops_path) as f:
                self.ops = f.read().splitlines()
        except FileNotFoundError:
            self.ops = []

    def plan(self, lines):
        """Append operations for the next connections; returns their ids."""
        first = len(self.ops)
        self.ops.extend(lines)
        tmp = self.ops_path + ".tmp"
        with open(tmp, "w") as f:
            f.write("".join(op + "\n" for op in self.ops))
        os.replace(tmp, self.ops_path)
        return range(first, len(self.ops))

    def reports(self, ids, verbose_lines=False):
        """Wait (bounded) for the report lines of connections `ids`."""
        want = set(ids)
        deadline = time.monotonic() + TIMEOUT
        while True:
            got = {}
            records = {}
            with open(self.out_path, errors="replace") as f:
                for line in f:
                    m = re.match(r"conn (\d+) op=", line)
                    if m and int(m.group(1)) in want:
                        got[int(m.group(1))] = parse_report(line)
                    m = re.match(r"conn (\d+) (c2s|s2c) record (\d+) type "
                                 r"0x([0-9a-f]+)", line)
                    if verbose_lines and m and int(m.group(1)) in want:
                        records.setdefault(int(m.group(1)), []).append(
                            (m.group(2), int(m.group(3)), int(m.group(4), 16)))
            if len(got) == len(want):
                return (got, records) if verbose_lines else got
            if time.monotonic() > deadline:
                raise SystemExit("modrelay reported %d of %d connections"
                                 % (len(got), len(want)))
            time.sleep(0.05)


def parse_report(line):
    r = {"line": line.strip()}
    for k, v in re.findall(r'(\w+)=("[^"]*"|\S+)', line):
        r[k] = v.strip('"')
    return r


def session(addr, data, timeout=TIMEOUT):
    """Send data, half-close, read until the end. (reply, how it ended)."""
    host, port = addr.rsplit(":", 1)
    try:
        s = socket.create_connection((host, int(port)), timeout=timeout)
    except ConnectionResetError:
        # The tunnel may fail the handshake and reset the connection
        # before connect() has returned here.
        return b"", "reset"
    s.settimeout(timeout)
    got = []
    end = ["eof"]

    def reader():
        try:
            while True:
                d = s.recv(65536)
                if not d:
                    return
                got.append(d)
        except ConnectionResetError:
            end[0] = "reset"
        except socket.timeout:
            end[0] = "timeout"
        except OSError as e:
            end[0] = "error: %s" % e

    t = threading.Thread(target=reader)
    t.start()
    sent = "ok"
    try:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
    except (ConnectionResetError, BrokenPipeError):
        # A reset is reported once: to the sender here, and the reader
        # then sees an end of stream.
        sent = "reset"
    except OSError as e:
        sent = "error: %s" % e
    t.join()
    s.close()
    if end[0] == "eof" and sent != "ok":
        end[0] = sent
    return b"".join(got), end[0]


def check_altered(data, reply, end, timeout=TIMEOUT):
    """None if the session passed, else why it did not."""
    if reply != data[:len(reply)]:
        i = next(i for i in range(len(reply)) if reply[i] != data[i])
        return "altered data delivered at offset %d" % i
    if end == "timeout":
        return "hung (no end within %d s)" % timeout
    if end == "eof":
        return "ended cleanly (%d of %d bytes back)" % (len(reply), len(data))
    return None


def calibrate(relay, addr, data):
    """One unaltered session: it must echo exactly and end cleanly."""
    (cid,) = relay.plan(["none"])
    reply, end = session(addr, data)
    if reply != data or end != "eof":
        raise SystemExit("unaltered session failed: %s, %d of %d bytes"
                         % (end, len(reply), len(data)))
    got, records = relay.reports([cid], verbose_lines=True)
    return got[cid], records.get(cid, [])


def sweep(args):
    addr, out_path, ops_path = args[:3]
    opts = dict(jobs=8, step=1, sample=30, long=262144, seed=None,
                hang=TIMEOUT)
    rest = args[3:]
    while rest:
        k, v = rest[0].lstrip("-"), rest[1]
        opts[k] = int(v)
        rest = rest[2:]
    seed = opts["seed"] if opts["seed"] is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    relay = Relay(out_path, ops_path)

    short = rng.randbytes(100)
    base, _ = calibrate(relay, addr, short)
    longdata = rng.randbytes(opts["long"])
    lbase, _ = calibrate(relay, addr, longdata)

    jobs = []
    for d in ("c2s", "s2c"):
        for off in range(0, int(base[d]), opts["step"]):
            jobs.append(("%s flip %d" % (d, off), short))
    for i in range(opts["sample"]):
        d = ("c2s", "s2c")[i % 2]
        start = int(lbase[d + "_data"])
        off = rng.randrange(start, start + len(longdata))
        jobs.append(("%s flip %d" % (d, off), longdata))
    print("seed %d: %d sessions (short: c2s %s bytes, s2c %s bytes, handshake "
          "c2s %s, s2c %s; long: %d bytes), %d at a time"
          % (seed, len(jobs), base["c2s"], base["s2c"], base["c2s_data"],
             base["s2c_data"], len(longdata), opts["jobs"]))
    # Short and long sessions run as two batches, so that the connections
    # of each batch take the operations planned for it, in any order.
    failures = []
    ends = {}
    hung_total = length_total = 0
    for kind in (short, longdata):
        batch = [j for j in jobs if j[1] is kind]
        ids = relay.plan([op for op, _ in batch])
        with ThreadPoolExecutor(max_workers=opts["jobs"]) as ex:
            results = list(ex.map(
                lambda j: session(addr, j[1], opts["hang"]), batch))
        hung = []
        for (op, data), (reply, end) in zip(batch, results):
            ends[end.split(":")[0]] = ends.get(end.split(":")[0], 0) + 1
            why = check_altered(data, reply, end, opts["hang"])
            if why is not None and end == "timeout" and \
                    reply == data[:len(reply)]:
                hung.append(op if opts["jobs"] == 1 else
                            "a %d-byte session" % len(data))
                continue
            if why is not None:
                # With one job at a time, the session is this operation's.
                who = op if opts["jobs"] == 1 else "a %d-byte session" % len(data)
                failures.append("%s: %s" % (who, why))
        reports = relay.reports(ids)
        for i in ids:
            if reports[i].get("applied") != "1":
                failures.append("operation not applied: %s" % reports[i]["line"])
        length = sum(1 for i in ids
                     if reports[i].get("hit", "").endswith("length altered"))
        if len(hung) > length:
            failures.extend("%s: hung (no end within %d s; %d sessions hung, "
                            "%d had a length field altered)"
                            % (h, opts["hang"], len(hung), length)
                            for h in hung)
        hung_total += len(hung)
        length_total += length
    print("plaintext ends: %s" % ", ".join("%s %d" % kv for kv in sorted(ends.items())))
    print("hung: %d, at most the %d sessions with a length field altered"
          % (hung_total, length_total))
    for f in failures[:30]:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if failures else 0


def close_lines(path):
    with open(path, errors="replace") as f:
        return [line.strip() for line in f if "close peer=" in line]


def wait_close(path, count):
    """The close lines of `path` once there are more than `count` (bounded)."""
    deadline = time.monotonic() + TIMEOUT
    while True:
        lines = close_lines(path)
        if len(lines) > count or time.monotonic() > deadline:
            return lines[count:]
        time.sleep(0.02)


def cases(args):
    """One session per line of standard input, "SIZE|OP|PATTERN", one at a
    time (in OP, "@data" stands for the offset of the direction's first
    application-data record): the altered session must pass check_altered, and one of the close
    lines it caused (client or server log) must match the regular
    expression PATTERN."""
    addr, out_path, ops_path, client_log, server_log = args[:5]
    relay = Relay(out_path, ops_path)
    failures = []
    layouts = {}
    for line in sys.stdin:
        if not line.strip() or line.startswith("#"):
            continue
        size, op, pattern = line.rstrip("\n").split("|", 2)
        data = random.randbytes(int(size))
        if size not in layouts:
            nc, ns = len(close_lines(client_log)), len(close_lines(server_log))
            base, records = calibrate(relay, addr, data)
            wait_close(client_log, nc)
            wait_close(server_log, ns)
            layouts[size] = base
            print("%s-byte session, records (direction:number:type): %s" % (
                size, " ".join("%s:%d:0x%02x" % r for r in sorted(records))))
        # "@data": the offset of the first application-data record of the
        # operation's direction in the unaltered session.
        op = op.replace("@data", layouts[size].get(op.split()[0] + "_data", ""))
        nc, ns = len(close_lines(client_log)), len(close_lines(server_log))
        (cid,) = relay.plan([op])
        reply, end = session(addr, data)
        rep = relay.reports([cid])[cid]
        ends = wait_close(client_log, nc) + wait_close(server_log, ns)
        why = check_altered(data, reply, end)
        if rep.get("applied") != "1":
            why = "operation not applied"
        elif why is None and not any(re.search(pattern, e) for e in ends):
            why = "no close line matches %r" % pattern
        print("%s (%s): plaintext %s, %d of %d bytes back" % (
            op, rep.get("hit"), end, len(reply), len(data)))
        for e in ends:
            print("    " + e[e.index("[") if "[" in e else 0:])
        if why is not None:
            failures.append("%s: %s" % (op, why))
    for f in failures:
        print("FAIL: " + f, file=sys.stderr)
    return 1 if failures else 0


def main(argv):
    if argv and argv[0] == "sweep":
        return sweep(argv[1:])
    if argv and argv[0] == "cases":
        return cases(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
