#!/usr/bin/env python3
"""Writes the seed corpora of the per-parser fuzz targets from the
known-answer vectors: message bodies and records of the positive cases, and
the test PKI's certificates. Each seed starts with the selector byte its
target reads first (see the comment at the top of each fuzz_*.c). Profile 0
of the harness is case a byte for byte, so case a's bodies and records are
valid there and lead the fuzzer past every check.

    tests/fuzz/make_seeds.py [VECTORS_DIR]

VECTORS_DIR defaults to $SC_SHARED_DIR/vectors, else ../shared/vectors next
to the source tree. Run from the source tree; rewrites tests/fuzz/corpus/*
except engine/."""
import json
import os
import re
import sys
import base64

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))

# Profiles of fuzz_harness.h.
CASE_A, AES256_X448, AES128_P256, AES256_P384, OPTIONAL_NOCERT, MODE_NONE = range(6)


def vectors_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    shared = os.environ.get("SC_SHARED_DIR") or os.path.join(os.path.dirname(TOP), "shared")
    return os.path.join(shared, "vectors")


VEC = vectors_dir()


def case(prefix):
    for name in sorted(os.listdir(VEC)):
        if name.startswith(prefix + "_") and name.endswith(".json"):
            with open(os.path.join(VEC, name)) as f:
                return json.load(f)
    raise SystemExit("no vector case " + prefix)


def body(c, step):
    return bytes.fromhex(c["handshake_bodies"][str(step)])


def records(c, direction, first=0, last=None):
    out = b""
    for r in c["records"]:
        if r["dir"] == direction and r["index"] >= first and (last is None or r["index"] <= last):
            out += bytes.fromhex(r["wire"])
    return out


def pki(name):
    with open(os.path.join(VEC, "pki", name), "rb") as f:
        return f.read()


def pem_chain(name):
    text = pki(name).decode()
    return [base64.b64decode("".join(m.split()))
            for m in re.findall(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
                                text, re.S)]


def sel(variant, n_variants, profile):
    return bytes([profile * n_variants + variant])


def item(op, data):
    return bytes([op, len(data)]) + data


def u16(n):
    return n.to_bytes(2, "big")


def ders(*blobs):
    return b"".join(u16(len(b)) + b for b in blobs)


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for old in os.listdir(d):
        os.unlink(os.path.join(d, old))
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def main():
    a, b, c, d, f, g = (case(x) for x in "abcdfg")

    write("hello", {
        "a_client_hello": sel(0, 2, CASE_A) + body(a, 1),
        "a_server_hello": sel(1, 2, CASE_A) + body(a, 2),
        "f_client_hello_ip_unknown_codes_ext": sel(0, 2, CASE_A) + body(f, 1),
        "g_client_hello_no_name": sel(0, 2, CASE_A) + body(g, 1),
        "b_server_hello_x448": sel(1, 2, AES256_X448) + body(b, 2),
        "c_server_hello_p256": sel(1, 2, AES128_P256) + body(c, 2),
    })
    via = pem_chain("server_via_intermediate_chain.pem")
    write("cert", {
        "a_server_cert": sel(0, 3, CASE_A) + body(a, 3),
        "a_cert_request": sel(1, 3, CASE_A) + body(a, 4),
        "a_client_cert": sel(2, 3, CASE_A) + body(a, 5),
        "f_cert_request_mode0": sel(1, 3, CASE_A) + body(f, 4),
        "d_client_cert_none_optional": sel(2, 3, OPTIONAL_NOCERT) + body(d, 5),
        "server_cert_via_intermediate": sel(0, 3, CASE_A) + bytes([len(via)]) + ders(*via),
    })
    write("kx", {
        "a_kx1_none": sel(0, 2, CASE_A) + body(a, 6),
        "a_kx2_none": sel(1, 2, CASE_A) + body(a, 7),
        "b_kx1_x448": sel(0, 2, AES256_X448) + body(b, 6),
        "b_kx2_x448": sel(1, 2, AES256_X448) + body(b, 7),
        "c_kx1_p256": sel(0, 2, AES128_P256) + body(c, 6),
        "c_kx2_p256": sel(1, 2, AES128_P256) + body(c, 7),
        "g_kx1_p384": sel(0, 2, AES256_P384) + body(g, 6),
        "g_kx2_p384": sel(1, 2, AES256_P384) + body(g, 7),
    })
    write("confirm", {
        "a_confirm1": sel(0, 3, CASE_A) + body(a, 8),
        "a_confirm2": sel(1, 3, CASE_A) + body(a, 9),
        "a_secure_ack": sel(2, 3, CASE_A) + body(a, 12),
    })
    write("auth", {
        "a_client_auth": sel(0, 2, CASE_A) + body(a, 10),
        "a_server_auth": sel(1, 2, CASE_A) + body(a, 11),
        "d_client_auth_empty_nocert": sel(0, 2, OPTIONAL_NOCERT) + body(d, 10),
    })
    # Case a's records: 12.. are the application phase.
    write("record", {
        "a_client_data_phase": sel(0, 4, CASE_A) + records(a, "s2c", first=12),
        "a_server_data_phase": sel(1, 4, CASE_A) + records(a, "c2s", first=12),
        "a_server_after_hello": sel(2, 4, CASE_A) + records(a, "c2s", first=1),
        "a_client_after_hello": sel(3, 4, CASE_A) + records(a, "s2c"),
        "a_server_clear_alert": sel(2, 4, CASE_A) + bytes([0x15, 0, 1, 47]),
        "a_client_one_record": sel(0, 4, CASE_A) + records(a, "s2c", first=13, last=13),
    })

    def plain(c, index):
        return bytes.fromhex(c["records"][index]["plaintext"])

    write("alert_ku", {
        "a_client_script": sel(0, 2, CASE_A) + b"".join(
            item(c_r["type"], plain(a, c_r["index"])) for c_r in a["records"]
            if c_r["dir"] == "s2c" and c_r["index"] >= 12),
        "a_server_script": sel(1, 2, CASE_A) + b"".join(
            item(c_r["type"], plain(a, c_r["index"])) for c_r in a["records"]
            if c_r["dir"] == "c2s" and c_r["index"] >= 12),
        "fatal_alert": sel(0, 2, CASE_A) + item(0x15, bytes([40])),
        "key_update_request_2": sel(1, 2, CASE_A) + item(0x18, bytes([2])),
        "alert_two_bytes": sel(0, 2, CASE_A) + item(0x15, bytes([0, 0])),
        "key_update_after_our_close": sel(1, 2, CASE_A) + item(0x81, b"")
        + item(0x18, bytes([1])) + item(0x15, bytes([0])),
        "second_close_notify": sel(0, 2, CASE_A) + item(0x15, bytes([0])) + item(0x15, bytes([0])),
        "data_after_close_notify": sel(1, 2, AES128_P256) + item(0x15, bytes([0]))
        + item(0x17, b"late"),
    })
    write("chain", {
        "a_server_chain": bytes([0x02]) + body(a, 3)[1:],
        "a_client_chain": bytes([0x00]) + body(a, 5)[1:],
        "server_by_ip": bytes([0x06]) + ders(pki("server.der")),
        "server_via_intermediate": bytes([0x02]) + ders(*via),
        "server_wrong_eku": bytes([0x02]) + ders(pki("server_wrong_eku.der")),
        "server_wrong_name": bytes([0x02]) + ders(pki("server_wrong_name.der")),
        "server_other_ca": bytes([0x02]) + ders(pki("server_other_ca.der")),
        "server_p256": bytes([0x02]) + ders(pki("server_p256.der")),
        "client_expired": bytes([0x00]) + ders(pki("client_expired.der")),
        "ca_as_leaf": bytes([0x00]) + ders(pki("ca.der")),
        "a_ca_names": bytes([0x01]) + body(a, 4)[3:],
    })


main()
