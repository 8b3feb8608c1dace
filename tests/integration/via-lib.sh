# Proxies for the connect_via scenarios (sourced after tunnel-lib.sh):
# tinyproxy (HTTP CONNECT), dante (SOCKS5) and tests/tools/socks5d.py, each
# run unprivileged in the foreground from a configuration in $T, on
# 127.0.0.1 only. tinyproxy and dante take no port 0: a free port is picked
# and the start retried should another process take it first.
SOCKS5D="$SC_SRCDIR/tests/tools/socks5d.py"

# free_port: a TCP port of 127.0.0.1 free right now.
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_up NAME PID LOG PATTERN: 0 once LOG matches, 1 if the process ended.
wait_up() {
    local i
    for ((i = 0; i < 300; i++)); do
        grep -q -e "$4" "$3" 2>/dev/null && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.05
    done
    fail "$1 did not start: $(tail -n 5 "$3" 2>/dev/null)"
}

# start_tinyproxy NAME [CONFIG LINE...]: sets PROXY_PORT.
start_tinyproxy() {
    local name=$1 try pid line
    shift
    for try in 1 2 3 4 5; do
        PROXY_PORT=$(free_port)
        {
            echo "Port $PROXY_PORT"
            echo "Listen 127.0.0.1"
            echo "Timeout 60"
            echo "MaxClients 50"
            echo "PidFile \"$T/$name.pid\""
            echo "LogFile \"$T/$name.log\""
            echo "LogLevel Info"
            for line in "$@"; do echo "$line"; done
        } >"$T/$name.conf"
        : >"$T/$name.log"
        tinyproxy -d -c "$T/$name.conf" >"$T/$name.stderr" 2>&1 &
        pid=$!
        PIDS+=($pid)
        wait_up "tinyproxy $name" "$pid" "$T/$name.log" "Starting main loop" && return 0
    done
    fail "tinyproxy $name: no port after 5 tries: $(cat "$T/$name.stderr")"
}

# start_danted NAME [RULE LINE...]: dante with no authentication; the
# rules default to passing everything from loopback. Sets PROXY_PORT.
start_danted() {
    local name=$1 try pid line me
    shift
    me=$(id -un)
    for try in 1 2 3 4 5; do
        PROXY_PORT=$(free_port)
        {
            echo "logoutput: $T/$name.log"
            echo "internal: 127.0.0.1 port = $PROXY_PORT"
            echo "external: 127.0.0.1"
            echo "socksmethod: none"
            echo "clientmethod: none"
            echo "user.privileged: $me"
            echo "user.unprivileged: $me"
            echo "client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error }"
            for line in "$@"; do echo "$line"; done
            echo "socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: error connect }"
        } >"$T/$name.conf"
        : >"$T/$name.log"
        danted -f "$T/$name.conf" -p "$T/$name.pid" -N 1 >"$T/$name.stderr" 2>&1 &
        pid=$!
        PIDS+=($pid)
        wait_up "danted $name" "$pid" "$T/$name.log" " running" && return 0
    done
    fail "danted $name: no port after 5 tries: $(cat "$T/$name.log" "$T/$name.stderr")"
}

# start_socks5d NAME [ARGS...]: tests/tools/socks5d.py; sets PROXY_PORT.
start_socks5d() {
    local name=$1
    shift
    python3 "$SOCKS5D" "$@" >"$T/$name.log" 2>&1 &
    PIDS+=($!)
    wait_for "$T/$name.log" "listening on" || fail "socks5d $name did not start"
    PROXY_PORT=$(sed -n 's/^socks5d listening on .*://p' "$T/$name.log")
}

# start_via_client NAME VIA-URL [ARGS...]: a client tunnel to the server
# tunnel at $SRV_ADDR through the proxy; sets CLI_ADDR.
start_via_client() {
    local name=$1 via=$2
    shift 2
    # shellcheck disable=SC2046
    start_tunnel "$name" client --accept 127.0.0.1:0 --connect "$SRV_ADDR" \
        --connect-via "$via" $(client_args) --workers 1 -v "$@"
    CLI_ADDR=$TUN_ADDR
}

# start_redis: a Redis server on a Unix socket, and a server tunnel in
# front of it; sets SRV_ADDR and SRV_PORT.
start_redis_server_tunnel() {
    redis-server --port 0 --unixsocket "$T/redis.sock" --save '' --appendonly no \
        --logfile "$T/redis.log" &
    PIDS+=($!)
    wait_for "$T/redis.log" "eady to accept connections" || fail "redis did not start"
    # shellcheck disable=SC2046
    start_tunnel server server --accept 127.0.0.1:0 --connect "unix:$T/redis.sock" \
        $(server_args) --workers 2 -v
    SRV_ADDR=$TUN_ADDR
    SRV_PORT=${SRV_ADDR##*:}
}

# redis_roundtrip ADDR TAG: a 256 KiB random value SET and read back byte
# for byte, then a short benchmark, through the client tunnel at ADDR.
redis_roundtrip() {
    local host=${1%:*} port=${1##*:} tag=$2
    [ -f "$T/value" ] || head -c 262144 /dev/urandom >"$T/value"
    [ "$(redis-cli -h "$host" -p "$port" -x SET "$tag" <"$T/value")" = OK ] ||
        fail "$tag: SET through the proxy"
    redis-cli -h "$host" -p "$port" --raw GET "$tag" >"$T/got" || fail "$tag: GET"
    # --raw ends the value with a newline of its own.
    head -c -1 "$T/got" | cmp -s - "$T/value" || fail "$tag: value changed on the way"
    redis-benchmark -h "$host" -p "$port" -n 500 -c 5 -t set,get -q >"$T/bench.out" 2>&1 ||
        fail "$tag: redis-benchmark: $(cat "$T/bench.out")"
    grep -q "requests per second" "$T/bench.out" || fail "$tag: benchmark: $(cat "$T/bench.out")"
}
