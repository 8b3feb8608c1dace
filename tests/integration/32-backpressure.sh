#!/usr/bin/env bash
# Back-pressure through a tunnel pair, against a reader that never reads:
# (1) a backend that accepts and never reads, (2) an echo backend whose
# client never reads the echo; both again with SC1 over WebSocket. Either way the sender ends up blocked (it
# never gets to write its cap), the tunnels do not spin, and each tunnel's
# resident memory stays within the per-connection bound of sctunnel(8):
# 416 KiB of data, under 512 KiB of memory. Afterwards the tunnels are back
# to their descriptors and memory.
. "$(dirname "$0")/tunnel-lib.sh"
. "$(dirname "$0")/load-lib.sh"

C=16                     # connections
CAP=$((96 << 20))        # a sender writing this much was never pushed back
BOUND=512                # KiB per connection, sctunnel(8) "Relaying"
SLACK=2048               # KiB of allocator noise for the whole process
make_pki

# scenario NAME BACKEND [SERVER_ARGS -- CLIENT_ARGS]: a tunnel pair in
# front of a fresh backend, C senders that never read; checks the bound at
# both tunnel ends.
scenario() {
    local name=$1 kind=$2 i s_fds s_rss c_fds c_rss s_peak c_peak s_cpu c_cpu pid
    shift 2
    start_backend "$kind" "$name-backend"
    PAIR=$name- start_pair "$BACK_ADDR" --max-connections 0 "$@" -- --max-connections 0 \
        ${TRANSPORT:+--transport "$TRANSPORT"}
    s_fds=$(fds "$SRV_PID") s_rss=$(rss "$SRV_PID")
    c_fds=$(fds "$CLI_PID") c_rss=$(rss "$CLI_PID")
    "$LOADC" noread -n "$C" -s "$CAP" -i 1000 -t 120 "$CLI_ADDR" >"$T/$name.out" 2>&1 &
    pid=$!
    PIDS+=($pid)
    wait_for "$T/$name.out" "blocked n=" 100 || fail "$name: sender never blocked: $(cat "$T/$name.out")"
    cat "$T/$name.out"
    grep -q "open=$C .*unbounded=0 reset=0" "$T/$name.out" ||
        fail "$name: every sender must be held back, none reset"
    s_peak=$(rss "$SRV_PID") c_peak=$(rss "$CLI_PID")
    # Held up, a tunnel waits: a second of it costs no CPU time to speak of
    # (it used to spin on the side it could not drain, a whole second of
    # CPU every second). One quiet second of three is enough: on a loaded
    # machine the last buffered bytes may still be moving in the first.
    for i in 1 2 3; do
        s_cpu=$(cpu "$SRV_PID") c_cpu=$(cpu "$CLI_PID")
        sleep 1
        s_cpu=$(($(cpu "$SRV_PID") - s_cpu)) c_cpu=$(($(cpu "$CLI_PID") - c_cpu))
        echo "$name: CPU while held up for a second: server $s_cpu, client $c_cpu ticks"
        [ "$s_cpu" -le 20 ] && [ "$c_cpu" -le 20 ] && break
        [ "$i" = 3 ] && fail "$name: a held-up tunnel keeps working"
    done
    if asan "$SRV_PID"; then
        echo "$name: memory per connection not measured under AddressSanitizer"
    else
        echo "$name: per connection, server $(((s_peak - s_rss) / C)) KiB," \
            "client $(((c_peak - c_rss) / C)) KiB (bound $BOUND KiB)"
        [ "$s_peak" -le $((s_rss + C * BOUND + SLACK)) ] ||
            fail "$name: server grew from $s_rss to $s_peak KiB"
        [ "$c_peak" -le $((c_rss + C * BOUND + SLACK)) ] ||
            fail "$name: client grew from $c_rss to $c_peak KiB"
    fi
    kill -TERM "$pid"
    wait "$pid" || fail "$name: a sender was reset or got through: $(tail -n 1 "$T/$name.out")"
    # What the sink never read keeps its connections open (rightly: no
    # idle_timeout): they end when it goes.
    [ "$kind" = sink ] && kill -TERM "$BACK_PID"
    recovered "$name server" "$SRV_PID" "$s_fds" "$s_rss" "$s_peak"
    recovered "$name client" "$CLI_PID" "$c_fds" "$c_rss" "$c_peak"
}

scenario sink sink
scenario echo echo
# Over WebSocket the payload waits where raw SC1 waits: the bound is the
# same (frames arriving faster than the backend reads must not pile up
# between the socket and the engine).
TRANSPORT=websocket scenario ws-sink sink --websocket yes
TRANSPORT=websocket scenario ws-echo echo --websocket yes
echo "PASS"
