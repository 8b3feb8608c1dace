#!/usr/bin/env python3
"""A stand-in for the service manager's notification socket (sd_notify(3)).

notifyd.py PATH OUT: bind a Unix datagram socket at PATH and append every
message received to OUT, one line per message with its newlines shown as
"|". Prints "notifyd ready" once bound. Stops after 120 s without a message.
"""
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
s.settimeout(120)
print("notifyd ready", flush=True)
with open(out, "a", buffering=1) as f:
    while True:
        try:
            msg = s.recv(4096)
        except socket.timeout:
            break
        f.write(msg.decode("utf-8", "replace").replace("\n", "|") + "\n")
os.unlink(path)
