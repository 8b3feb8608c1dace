#!/usr/bin/env bash
# Bulk data: an HTTP server behind a tunnel pair, a 64 MiB random file
# fetched with curl and a 64 MiB upload, checksums compared; then
# byte-at-a-time writes and a full-duplex echo.
. "$(dirname "$0")/tunnel-lib.sh"

need curl curl
need sha256sum coreutils

make_pki
mkdir -p "$T/www"
head -c $((64 * 1024 * 1024)) /dev/urandom >"$T/www/big.bin"
python3 "$SC_SRCDIR/tests/tools/httpd.py" "$T/www" >"$T/httpd.log" 2>&1 &
PIDS+=($!)
wait_for "$T/httpd.log" "listening on" || fail "httpd did not start"
http=$(sed -n 's/^httpd listening on //p' "$T/httpd.log")

start_pair "$http"

want=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
curl -sS --fail --max-time 300 -o "$T/got.bin" "http://$CLI_ADDR/big.bin" ||
    fail "download through the tunnel"
got=$(sha256sum <"$T/got.bin" | cut -d' ' -f1)
[ "$want" = "$got" ] || fail "download checksum differs"

head -c $((64 * 1024 * 1024)) /dev/urandom >"$T/up.bin"
want=$(sha256sum <"$T/up.bin" | cut -d' ' -f1)
got=$(curl -sS --fail --max-time 300 -T "$T/up.bin" "http://$CLI_ADDR/up.bin") ||
    fail "upload through the tunnel"
[ "$want" = "$got" ] || fail "upload checksum differs ($got)"
cmp -s "$T/up.bin" "$T/www/up.bin" || fail "uploaded file differs"

# Each transfer was one connection, logged with its byte counts.
wait_for "$T/server.log" "sent=6710[0-9]* received=[0-9]* .*end=eof" ||
    fail "no close line for the download"
wait_for "$T/server.log" "sent=[0-9]* received=6710[0-9]* .*end=eof" ||
    fail "no close line for the upload"

# Byte-at-a-time writes and a full-duplex echo (replies flow while sending).
start_echod raw -r 127.0.0.1:0
PAIR=raw- start_pair "$ECHO_ADDR"
head -c 3000 /dev/urandom >"$T/small"
netc "$CLI_ADDR" --bytewise <"$T/small" >"$T/small.back" || fail "bytewise echo"
cmp -s "$T/small" "$T/small.back" || fail "bytewise echo differs"
head -c $((16 * 1024 * 1024)) /dev/urandom >"$T/duplex"
netc "$CLI_ADDR" <"$T/duplex" >"$T/duplex.back" || fail "duplex echo"
cmp -s "$T/duplex" "$T/duplex.back" || fail "duplex echo differs"
echo "PASS"
