#!/usr/bin/env bash
# Idle CPU of a started release build over 60 s (utime+stime ticks from /proc), on a fresh
# database that is dropped afterwards. Build first: cargo build --release
set -euo pipefail
db=voortgang_idle_$$
export DATABASE_URL=postgres://postgres@127.0.0.1:5432/$db VOORTGANG_LISTEN=127.0.0.1:18099 RUST_LOG=warn
./target/release/voortgang serve & pid=$!
for _ in $(seq 50); do curl -sf localhost:18099/health/ready >/dev/null && break; sleep 0.2; done
sleep 5
ticks() { awk '{print $14+$15}' /proc/$1/stat; }
a=$(ticks $pid); sleep 60; b=$(ticks $pid)
hz=$(getconf CLK_TCK)
echo "idle ticks in 60 s: $((b-a)) (CLK_TCK $hz) = $(python3 -c "print(f'{($b-$a)/$hz/60*100:.3f}')")% of a core"
kill $pid; wait $pid || true
psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
