#!/usr/bin/env bash
# Redis behind a tunnel pair (the server tunnel reaches Redis over a Unix
# socket): SET/GET with redis-cli and a short redis-benchmark run through
# the client tunnel.
. "$(dirname "$0")/tunnel-lib.sh"

need redis-server redis-server
need redis-cli redis-tools
need redis-benchmark redis-tools

make_pki
redis-server --port 0 --unixsocket "$T/redis.sock" --save '' --appendonly no \
    --logfile "$T/redis.log" &
PIDS+=($!)
wait_for "$T/redis.log" "eady to accept connections" || fail "redis did not start"

start_pair "unix:$T/redis.sock"
host=${CLI_ADDR%:*}
port=${CLI_ADDR##*:}

[ "$(redis-cli -h "$host" -p "$port" SET sctunnel works)" = OK ] || fail "SET"
[ "$(redis-cli -h "$host" -p "$port" GET sctunnel)" = works ] || fail "GET"
redis-benchmark -h "$host" -p "$port" -n 2000 -c 20 -t set,get,lpush -q \
    >"$T/bench.out" 2>&1 || fail "redis-benchmark: $(cat "$T/bench.out")"
grep -q "requests per second" "$T/bench.out" || fail "benchmark output: $(cat "$T/bench.out")"
[ "$(redis-cli -h "$host" -p "$port" GET sctunnel)" = works ] || fail "GET after benchmark"
echo "PASS"
