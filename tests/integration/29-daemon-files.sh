#!/usr/bin/env bash
# The pid file and the log file, opened as root, are not followed through a
# symbolic link someone else put in their place: a link to a victim file,
# dangling or not, a FIFO, a file of another user or a hard link is refused
# with a message naming the path and a non-zero exit (in daemon mode too),
# and the victim is left as it was. With `user` (and `chroot`) set, the pid
# file is gone once sctunnel has exited.
. "$(dirname "$0")/tunnel-lib.sh"

need timeout coreutils
make_pki
start_echod echod 127.0.0.1:0
victim=$T/victim
printf 'precious\n' >"$victim"
cp -p "$victim" "$T/victim.orig"

# refused NAME TEXT ARGS...: a one-service server with ARGS exits non-zero
# within a bound, saying TEXT about the file; the victim is unchanged.
refused() {
    local name=$1 text=$2 rc=0
    shift 2
    # shellcheck disable=SC2046
    timeout 20 "$SCTUNNEL" server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
        $(server_args) --workers 1 "$@" 2>"$T/$name.stderr" || rc=$?
    [ "$rc" = 124 ] && fail "$name: sctunnel did not exit (it started, or hung opening the file)"
    [ "$rc" != 0 ] || fail "$name: accepted"
    grep -q -F -e "$text" "$T/$name.stderr" ||
        fail "$name: expected '$text', got: $(cat "$T/$name.stderr")"
    cmp -s "$victim" "$T/victim.orig" || fail "$name: the victim file was changed"
    [ "$(stat -c %Y "$victim")" = "$(stat -c %Y "$T/victim.orig")" ] ||
        fail "$name: the victim file was written"
}

# A symbolic link to the victim, as the pid file and as the log.
ln -s "$victim" "$T/link.pid"
refused pid-link "pid $T/link.pid: a symbolic link; refused" --pid "$T/link.pid"
refused pid-link-daemon "pid $T/link.pid: a symbolic link; refused" \
    --pid "$T/link.pid" --daemon --log "$T/daemon.log"
refused log-link "log $T/link.pid: a symbolic link; refused" --log "$T/link.pid"
# A dangling link: the file it names is not created.
ln -s "$T/created" "$T/dangling"
refused pid-dangling "a symbolic link; refused" --pid "$T/dangling"
refused log-dangling "a symbolic link; refused" --log "$T/dangling"
[ ! -e "$T/created" ] || fail "a dangling link's target was created"
# A FIFO is not opened (opening it for writing would wait for a reader).
mkfifo "$T/fifo.pid"
refused pid-fifo "pid $T/fifo.pid: not a regular file; refused" --pid "$T/fifo.pid"

# In a configuration file, the refusal names the pid line.
cat >"$T/t.conf" <<EOT
workers = 1
pid = $T/link.pid

[echo]
mode = server
accept = 127.0.0.1:0
connect = $ECHO_ADDR
cert = $PKI/server.pem
key = $PKI/server.key
ca = $PKI/ca.pem
EOT
rc=0
timeout 20 "$SCTUNNEL" -f -c "$T/t.conf" 2>"$T/conf.stderr" || rc=$?
[ "$rc" = 1 ] || fail "configuration file form: exit status $rc, expected 1"
grep -q -F "t.conf:2: pid $T/link.pid: a symbolic link; refused" "$T/conf.stderr" ||
    fail "configuration file form: $(cat "$T/conf.stderr")"
cmp -s "$victim" "$T/victim.orig" || fail "configuration file form: victim changed"

if [ "$(id -u)" != 0 ]; then
    echo "not root: files of other users and privilege dropping not checked"
    echo "PASS"
    exit 0
fi
id nobody >/dev/null 2>&1 || skip "no user nobody"

# Root truncates nothing that belongs to another user, nor a hard link.
printf 'theirs\n' >"$T/theirs.pid"
chown nobody "$T/theirs.pid"
refused pid-theirs "pid $T/theirs.pid: owned by uid $(id -u nobody), not by us" \
    --pid "$T/theirs.pid"
grep -q theirs "$T/theirs.pid" || fail "another user's file was truncated"
ln "$victim" "$T/hard.pid"
refused pid-hardlink "pid $T/hard.pid: has 2 hard links; refused" --pid "$T/hard.pid"

# A stale pid file of ours is reused.
printf '99999999\n' >"$T/stale.pid"
# shellcheck disable=SC2046
start_tunnel stale server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 --pid "$T/stale.pid"
[ "$(cat "$T/stale.pid")" = "$TUN_PID" ] || fail "stale pid file not rewritten"
kill -TERM "$TUN_PID"
wait_gone "$TUN_PID" || fail "sctunnel did not stop"
[ ! -e "$T/stale.pid" ] || fail "pid file left behind"

# After `user`, the pid file in a root-owned directory is still removed.
mkdir -m 0755 "$T/run"
# shellcheck disable=SC2046
start_tunnel user server --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 --pid "$T/run/user.pid" --user nobody
[ "$(cat "$T/run/user.pid")" = "$TUN_PID" ] || fail "user: pid file"
[ "$(awk '/^Uid:/ { print $2 }' "/proc/$TUN_PID/status")" = "$(id -u nobody)" ] ||
    fail "user: not running as nobody"
kill -TERM "$TUN_PID"
wait_gone "$TUN_PID" || fail "user: sctunnel did not stop"
wait_for "$T/user.log" "stopped" || fail "user: no clean stop"
[ ! -e "$T/run/user.pid" ] || fail "user: pid file left behind"

# The same detached, with `chroot` too: the path is not even visible then.
mkdir -m 0755 "$T/empty"
# shellcheck disable=SC2046
"$SCTUNNEL" server --daemon --accept 127.0.0.1:0 --connect "$ECHO_ADDR" \
    $(server_args) --workers 1 --pid "$T/run/d.pid" --log "$T/daemon.log" \
    --user nobody --chroot "$T/empty" || fail "chroot: daemon did not start"
wait_for "$T/run/d.pid" "[0-9]" || fail "chroot: no pid file"
dpid=$(cat "$T/run/d.pid")
PIDS+=($dpid)
wait_for "$T/daemon.log" "started" || fail "chroot: daemon not running"
[ "$(readlink "/proc/$dpid/root")" = "$T/empty" ] || fail "chroot: not chrooted"
kill -TERM "$dpid"
wait_gone "$dpid" || fail "chroot: daemon did not stop"
[ ! -e "$T/run/d.pid" ] || fail "chroot: pid file left behind"
grep -q "stopped" "$T/daemon.log" || fail "chroot: no clean stop"
echo "PASS"
