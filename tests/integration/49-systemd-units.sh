#!/usr/bin/env bash
# The systemd units shipped in contrib/systemd: `systemd-analyze verify`
# passes on them (with ExecStart pointing at this build's sctunnel), a
# broken copy fails it (so the check is real), and the service keeps its
# hardening and its reload by SIGHUP.
. "$(dirname "$0")/tunnel-lib.sh"

need systemd-analyze systemd
unit="$SC_BUILDDIR/contrib/systemd/sctunnel@.service"
socket="$SC_SRCDIR/contrib/systemd/sctunnel@.socket"
[ -f "$unit" ] || fail "$unit not built"

# verify UNIT...: systemd-analyze verify succeeds and says nothing (a
# setting systemd cannot parse is only a warning, with status 0).
verify() {
    (cd "$T" && systemd-analyze verify --man=no "$@") >"$T/verify.out" 2>&1 &&
        [ ! -s "$T/verify.out" ]
}
# Whether verify can run here at all (it needs no running systemd, but a
# container may lack what it loads): a minimal unit first.
printf '[Service]\nType=oneshot\nExecStart=/bin/true\n' >"$T/probe.service"
verify ./probe.service || skip "systemd-analyze verify cannot run here: $(head -n 3 "$T/verify.out")"

# The ExecStart binary must exist: this build's, for the installed path.
sed -E "s|^(Exec[A-Za-z]*=)[^ ]*/sctunnel |\\1$SCTUNNEL |" "$unit" >"$T/sctunnel@test.service"
cp "$socket" "$T/sctunnel@test.socket"
grep -q "^ExecStart=$SCTUNNEL -f -c " "$T/sctunnel@test.service" || fail "ExecStart not substituted"
verify ./sctunnel@test.service ./sctunnel@test.socket ||
    fail "systemd-analyze verify: $(cat "$T/verify.out")"

# A unit systemd would not load fails the same check.
sed -e 's/^Type=notify/Type=bogus/' "$T/sctunnel@test.service" >"$T/sctunnel@bad.service"
verify ./sctunnel@bad.service && fail "verify accepted Type=bogus"
sed -e "s|^ExecStart=$SCTUNNEL|ExecStart=$T/missing/sctunnel|" "$T/sctunnel@test.service" \
    >"$T/sctunnel@gone.service"
verify ./sctunnel@gone.service && fail "verify accepted a missing ExecStart binary"

for line in 'Type=notify' 'ExecReload=/bin/kill -HUP $MAINPID' 'NoNewPrivileges=yes' \
    'ProtectSystem=strict' 'ProtectHome=yes' 'PrivateTmp=yes' 'WatchdogSec=30s'; do
    grep -qxF "$line" "$unit" || fail "the service lacks '$line'"
done
grep -q '^CapabilityBoundingSet=CAP_' "$unit" || fail "no restricted CapabilityBoundingSet"
grep -q '^ExecStart=.*/sctunnel -f -c .*/sctunnel/%i.conf$' "$unit" || fail "ExecStart form"
grep -qx 'FileDescriptorName=sc1' "$socket" || fail "the socket unit names no descriptor"
echo "PASS"
