# HAProxy for the PROXY protocol scenarios (sourced after tunnel-lib.sh):
# run unprivileged from a test configuration on loopback, in the
# foreground (-db), logging to standard output; never a system service.

need haproxy haproxy
need ss iproute2

# free_port: a loopback port the kernel just chose (and released).
free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_haproxy NAME PORT...: haproxy -f $T/NAME.cfg, log in $T/NAME.log;
# waits until it listens on every PORT. Sets HAP_PID.
start_haproxy() {
    local name=$1 p i ok
    shift
    haproxy -f "$T/$name.cfg" -db >"$T/$name.log" 2>&1 &
    HAP_PID=$!
    PIDS+=($HAP_PID)
    for p in "$@"; do
        ok=
        for ((i = 0; i < 300; i++)); do
            if [ -n "$(ss -Hltn "( sport = :$p )")" ]; then ok=1; break; fi
            kill -0 "$HAP_PID" 2>/dev/null || break
            sleep 0.05
        done
        [ -n "$ok" ] || fail "haproxy $name did not listen on $p: $(cat "$T/$name.log")"
    done
}

# haproxy_global: the global and defaults sections every test config uses.
haproxy_global() {
    cat <<EOC
global
    maxconn 2000
    log stdout format raw local0 info
defaults
    mode tcp
    log global
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout check 5s
EOC
}
