# Shared by the load scenarios (30 to 33), sourced after tunnel-lib.sh:
# the load tool, a backend made with it, and the descriptor and memory
# checks every scenario ends with.
LOADC="$SC_BUILDDIR/tests/tools/loadc"
[ -x "$LOADC" ] || fail "loadc not built"
[ -d /proc/self/fd ] || skip "no /proc to count descriptors and memory"

fds() { ls "/proc/$1/fd" | wc -l; }
# CPU time (user + system) in clock ticks.
cpu() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\).*/\1/p' "/proc/$1/status"; }
# AddressSanitizer keeps freed memory in quarantine: resident size means
# something only without it.
asan() { grep -q libasan "/proc/$1/maps" 2>/dev/null || [ -n "${SC_SANITIZED:-}" ]; }

# start_backend echo|sink NAME: loadc serve on 127.0.0.1:0; sets BACK_ADDR
# and BACK_PID.
start_backend() {
    "$LOADC" serve "$1" -t 300 127.0.0.1:0 >"$T/$2.log" 2>&1 &
    BACK_PID=$!
    PIDS+=($BACK_PID)
    wait_for "$T/$2.log" "listening on" || fail "backend $2 did not start"
    BACK_ADDR=$(sed -n 's/^loadc listening on //p' "$T/$2.log")
}

# recovered NAME PID FDS RSS PEAK: the process gets back to FDS descriptors
# and its resident size (KiB) back to RSS. A worker gives its connections'
# memory back once idle (it trims its heap), and the event library's
# per-descriptor slots, kept for good, are made at start away from that
# memory. What may stay is allocator noise that does not grow with the
# peak: event loop arrays grown at the peak, and the pages holding the
# headers of the free chunks that the few blocks still in use keep apart
# (malloc_trim gives back only the rest; after 5,000 connections about 120
# per worker, 0.5 MiB). Measured 0.3 to 1.7 MiB in all; 4 MiB are allowed.
# Prints the figures.
recovered() {
    local name=$1 pid=$2 fd0=$3 rss0=$4 peak=$5 i allowed
    for ((i = 0; i < 600; i++)); do
        [ "$(fds "$pid")" -le "$fd0" ] && break
        sleep 0.05
    done
    [ "$(fds "$pid")" -le "$fd0" ] ||
        fail "$name: $fd0 descriptors before, $(fds "$pid") after"
    if asan "$pid"; then
        echo "$name: descriptors back to $fd0 (memory not compared under AddressSanitizer)"
        return 0
    fi
    allowed=$((rss0 + 4096))
    for ((i = 0; i < 200; i++)); do
        [ "$(rss "$pid")" -le "$allowed" ] && break
        sleep 0.05
    done
    echo "$name: descriptors back to $fd0; memory $rss0 KiB before, $peak KiB at peak, $(rss "$pid") KiB after"
    [ "$(rss "$pid")" -le "$allowed" ] ||
        fail "$name: memory $rss0 KiB before, $(rss "$pid") KiB after (allowed $allowed)"
}
