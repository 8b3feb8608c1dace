#!/usr/bin/env python3
"""A plaintext service that expects a PROXY protocol header (v1 or v2).

ppbackend.py [HOST]: listen on HOST (default 127.0.0.1), ephemeral port;
print "ppbackend listening on ADDR". For each connection, read the header
strictly (HAProxy's proxy-protocol.txt), print one line

  conn N version=2 cmd=PROXY|LOCAL src=A sport=P dst=A dport=P
         authority=.. unique_id=.. ssl_client=0xNN ssl_verify=N
         ssl_version=.. cn=.. cipher=.. sig_alg=.. key_alg=..
         cert=HEX crc32c=ok|none tlvs=2,5,32,3

(absent fields are "-"), then echo every byte after the header until the
end of stream. A header that breaks the spec is printed as
"conn N error=WHY" and the connection is reset. Every TLV is accounted
for: an unknown type, a length running past its container or a CRC32C
that does not match is an error.
"""
import socket
import struct
import sys
import threading

SIG2 = b"\r\n\r\n\x00\r\nQUIT\n"
lock = threading.Lock()


def say(line):
    with lock:
        print(line, flush=True)


class Bad(Exception):
    pass


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def recv_exact(s, buf, n):
    while len(buf) < n:
        d = s.recv(65536)
        if not d:
            raise Bad("end of stream inside the header (%d of %d bytes)" % (len(buf), n))
        buf += d
    return buf


def text(v):
    try:
        t = v.decode("ascii")
    except UnicodeDecodeError:
        raise Bad("TLV value not ASCII: %r" % v)
    if not t or any(c <= " " or c > "~" for c in t):
        raise Bad("TLV value empty or not visible ASCII: %r" % v)
    return t


def tlvs(data):
    out = []
    i = 0
    while i < len(data):
        if len(data) - i < 3:
            raise Bad("TLV header cut at %d" % i)
        t, n = data[i], struct.unpack(">H", data[i + 1:i + 3])[0]
        if i + 3 + n > len(data):
            raise Bad("TLV 0x%02x length %d runs past its container" % (t, n))
        out.append((t, data[i + 3:i + 3 + n], i))
        i += 3 + n
    return out


def parse_v2(s, buf):
    buf = recv_exact(s, buf, 16)
    ver_cmd, fam = buf[12], buf[13]
    length = struct.unpack(">H", buf[14:16])[0]
    buf = recv_exact(s, buf, 16 + length)
    hdr, rest = bytes(buf[:16 + length]), bytes(buf[16 + length:])
    if ver_cmd >> 4 != 2 or ver_cmd & 15 not in (0, 1):
        raise Bad("version/command byte 0x%02x" % ver_cmd)
    f = {"version": "2", "cmd": "LOCAL" if ver_cmd & 15 == 0 else "PROXY"}
    body = hdr[16:]
    if ver_cmd & 15 == 1:
        if fam == 0x11:
            alen = 12
            if len(body) < alen:
                raise Bad("IPv4 addresses cut")
            f["src"] = socket.inet_ntop(socket.AF_INET, body[0:4])
            f["dst"] = socket.inet_ntop(socket.AF_INET, body[4:8])
            f["sport"], f["dport"] = struct.unpack(">HH", body[8:12])
        elif fam == 0x21:
            alen = 36
            if len(body) < alen:
                raise Bad("IPv6 addresses cut")
            f["src"] = socket.inet_ntop(socket.AF_INET6, body[0:16])
            f["dst"] = socket.inet_ntop(socket.AF_INET6, body[16:32])
            f["sport"], f["dport"] = struct.unpack(">HH", body[32:36])
        else:
            raise Bad("PROXY with family/protocol 0x%02x" % fam)
    else:
        if fam != 0:
            raise Bad("LOCAL with family 0x%02x" % fam)
        alen = 0
    types = []
    crc = "none"
    for t, v, at in tlvs(body[alen:]):
        types.append(str(t))
        if t in (0x02, 0x05) and ("authority" if t == 2 else "unique_id") in f:
            raise Bad("TLV 0x%02x twice" % t)
        if t == 0x02:
            f["authority"] = text(v)
        elif t == 0x05:
            if len(v) > 128:
                raise Bad("unique id of %d bytes" % len(v))
            f["unique_id"] = text(v)
        elif t == 0x03:
            if len(v) != 4:
                raise Bad("CRC32C TLV of %d bytes" % len(v))
            pos = 16 + alen + at + 3
            zeroed = hdr[:pos] + b"\0\0\0\0" + hdr[pos + 4:]
            if struct.unpack(">I", v)[0] != crc32c(zeroed):
                raise Bad("CRC32C mismatch")
            crc = "ok"
        elif t == 0x20:
            if len(v) < 5:
                raise Bad("SSL TLV of %d bytes" % len(v))
            f["ssl_client"] = "0x%02x" % v[0]
            f["ssl_verify"] = str(struct.unpack(">I", v[1:5])[0])
            names = {0x21: "ssl_version", 0x22: "cn", 0x23: "cipher", 0x24: "sig_alg",
                     0x25: "key_alg"}
            for st, sv, _ in tlvs(v[5:]):
                if st in names:
                    if names[st] in f:
                        raise Bad("SSL sub-TLV 0x%02x twice" % st)
                    f[names[st]] = text(sv)
                elif st == 0x28:
                    if "cert" in f or not sv:
                        raise Bad("client certificate sub-TLV twice or empty")
                    f["cert"] = sv.hex()
                else:
                    raise Bad("unknown SSL sub-TLV 0x%02x" % st)
        else:
            raise Bad("unexpected TLV 0x%02x" % t)
    f["crc32c"] = crc
    f["tlvs"] = ",".join(types) or "-"
    return f, rest


def parse_v1(s, buf):
    while b"\r\n" not in buf:
        if len(buf) > 107:
            raise Bad("v1 line longer than 107 bytes")
        d = s.recv(65536)
        if not d:
            raise Bad("end of stream inside the v1 line")
        buf += d
    end = buf.index(b"\r\n")
    if end + 2 > 107:
        raise Bad("v1 line longer than 107 bytes")
    line, rest = bytes(buf[:end]).decode("ascii"), bytes(buf[end + 2:])
    w = line.split(" ")
    f = {"version": "1"}
    if w == ["PROXY", "UNKNOWN"]:
        f["cmd"] = "UNKNOWN"
        return f, rest
    if len(w) != 6 or w[0] != "PROXY" or w[1] not in ("TCP4", "TCP6"):
        raise Bad("v1 line %r" % line)
    fam = socket.AF_INET if w[1] == "TCP4" else socket.AF_INET6
    for a in (w[2], w[3]):
        if socket.inet_ntop(fam, socket.inet_pton(fam, a)) != a:
            raise Bad("v1 address %r not canonical" % a)
    for p in (w[4], w[5]):
        if not p.isdigit() or (p != "0" and p[0] == "0") or int(p) > 65535:
            raise Bad("v1 port %r" % p)
    f.update(cmd="PROXY", src=w[2], dst=w[3], sport=int(w[4]), dport=int(w[5]))
    return f, rest


def serve(s, n):
    try:
        buf = bytearray()
        while True:
            b = bytes(buf)
            if b[:12] == SIG2:
                f, rest = parse_v2(s, buf)
                break
            if b[:6] == b"PROXY ":
                f, rest = parse_v1(s, buf)
                break
            if not (SIG2.startswith(b[:12]) or b"PROXY ".startswith(b[:6])):
                raise Bad("no PROXY header: %r" % b[:16])
            d = s.recv(65536)
            if not d:
                raise Bad("end of stream before a header")
            buf += d
    except Bad as e:
        say("conn %d error=%s" % (n, str(e).replace(" ", "_")))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
        return
    except OSError as e:
        say("conn %d error=%s" % (n, e))
        s.close()
        return
    keys = ("version", "cmd", "src", "sport", "dst", "dport", "authority", "unique_id",
            "ssl_client", "ssl_verify", "ssl_version", "cn", "cipher", "sig_alg", "key_alg",
            "cert", "crc32c", "tlvs")
    say("conn %d " % n + " ".join("%s=%s" % (k, f.get(k, "-")) for k in keys))
    total = 0
    try:
        if rest:
            s.sendall(rest)
            total += len(rest)
        while True:
            d = s.recv(65536)
            if not d:
                break
            s.sendall(d)
            total += len(d)
        s.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    say("conn %d end bytes=%d" % (n, total))
    s.close()


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1"
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    ls = socket.socket(fam, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((host, 0))
    ls.listen(128)
    port = ls.getsockname()[1]
    say("ppbackend listening on %s:%d" % ("[%s]" % host if fam == socket.AF_INET6 else host,
                                            port))
    n = 0
    while True:
        c, _ = ls.accept()
        n += 1
        threading.Thread(target=serve, args=(c, n), daemon=True).start()


if __name__ == "__main__":
    main()
