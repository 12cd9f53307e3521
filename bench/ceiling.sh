#!/usr/bin/env bash
# PostgreSQL's own ceiling for each uncached case, and the service against it in the same run:
# the statements one request of the service sends, captured from PostgreSQL's statement log
# with their values, run by pgbench as one transaction per request (-M prepared, 8 clients
# like the service's pool, 2 threads); then, round by round, pgbench and the service (wrk
# -t2 -c16 through bench/fresh.lua, every URL new, so every request goes to the database)
# in turn, each case's service req/s as a fraction of its pgbench tps, and the report of 2022
# assembled cold (bench/service.sh's cold_report). With BASELINE, an earlier build is served
# in the same rounds on a database it prepared itself, and each case's req/s is also given
# as a multiple of that build's.
#
#   bash bench/ceiling.sh             SCALE=100 ROUNDS=5 bash bench/ceiling.sh (100 times the demo)
#   PG_HOST=127.0.0.1 bash bench/ceiling.sh   (both over TCP, instead of the socket)
#   BASELINE=path/to/earlier/voortgang SCALE=100 bash bench/ceiling.sh
#
# Needs PostgreSQL with its log readable at PG_LOG, psql, pgbench, wrk, curl.
set -euo pipefail
cd "$(dirname "$0")/.."

log=${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
scale=${SCALE:-1}
seconds=${SECONDS_PER_CASE:-10}
rounds=${ROUNDS:-3}
baseline=${BASELINE:-}
[ -r "$log" ] || { echo "bench/ceiling.sh needs PostgreSQL's log at $log (PG_LOG)"; exit 2; }
command -v pgbench >/dev/null || { echo "bench/ceiling.sh needs pgbench"; exit 2; }
command -v wrk >/dev/null || { echo "bench/ceiling.sh needs wrk (apt-get install wrk)"; exit 2; }

source bench/service.sh
db="voortgang_ceiling_$$"
databases+=("$db")
base_db="voortgang_ceiling_base_$$"

prepare "$db" "$scale"
if [ -n "$baseline" ]; then
    databases+=("$base_db")
    binary=$baseline prepare "$base_db" "$scale"
fi
psql -h 127.0.0.1 -U postgres -q -c "ALTER DATABASE $db SET log_min_duration_statement = 0" postgres
start "$db"

get() { curl -fs -o /dev/null -H "Authorization: Bearer $token" "$url$1"; }
list="/api/v1/actions?domain_id=organisatiecultuur&year=2022&limit=100&updated_since="
case_list() { get "$list$(date -u -d "@$((946684800 + $1))" +%Y-%m-%dT%H:%M:%SZ)"; }
case_action() { get "/api/v1/actions/$((1 + $1 % 50))?n=$1"; }
cases=(list action)
for name in "${cases[@]}"; do
    for i in $(seq 1 6); do "case_$name" "$((100000 + i))"; done
done

# the statements of one request, their parameters written in as literals
capture() { # NAME: writes target/ceiling-NAME.sql
    local mark
    sleep 0.2
    mark=$(wc -l <"$log")
    "case_$1" 7
    sleep 0.5
    tail -n +"$((mark + 1))" "$log" | python3 -c '
import re, sys
db = sys.argv[1]
lines = [l.rstrip("\n") for l in sys.stdin if "@" + db + " " in l]
found = []  # (backend pid, statement), in the order logged
for i, line in enumerate(lines):
    m = re.search(r"\[(\d+)\] .*LOG:  duration: [0-9.]+ ms  (?:execute [^:]+|statement): (.*)$", line)
    if not m:
        continue
    pid, sql = m.group(1), m.group(2)
    detail = lines[i + 1] if i + 1 < len(lines) else ""
    d = re.search(r"DETAIL:  parameters: (.*)$", detail)
    if d:
        values = dict(re.findall(r"\$(\d+) = (NULL|\x27(?:[^\x27]|\x27\x27)*\x27)", d.group(1)))
        sql = re.sub(r"\$(\d+)", lambda v: values.get(v.group(1), v.group(0)), sql)
    found.append((pid, sql))
# background work of the service (the webhook poller) may run in the same window, on the
# same pooled connection: a transaction (BEGIN to COMMIT) that touched the webhook tables is
# not part of the request
units, open_ = [], {}
for pid, sql in found:
    word = sql.strip().upper()
    if pid in open_:
        open_[pid].append(sql)
        if word in ("COMMIT", "ROLLBACK"):
            units.append(open_.pop(pid))
    elif word == "BEGIN":
        open_[pid] = [sql]
    else:
        units.append([sql])
units.extend(open_.values())
kept = [sql for unit in units if not any("webhook_" in sql for sql in unit) for sql in unit]
print("\n".join(sql + ";" for sql in kept if sql.strip()))
' "$db" >"target/ceiling-$1.sql"
}
for name in "${cases[@]}"; do capture "$name"; done
stop
psql -h 127.0.0.1 -U postgres -q -c "ALTER DATABASE $db RESET log_min_duration_statement" postgres

# the service again, without the statement log, then both in turn, round by round
declare -A path=(
    [list]="${list}{since}"
    [action]="/api/v1/actions/{id}?n={n}"
)
serve() { # DATABASE: serves it with $binary, warmed up (each case asked for 2 s)
    start "$1"
    read -r id_min id_max < <(psql -h 127.0.0.1 -U postgres -At -F ' ' -c "SELECT min(id), max(id) FROM actions" "$1")
    for name in "${cases[@]}"; do service "$name" 2 >/dev/null; done
}
service() { # NAME SECONDS: "req/s p99_ms" of the service for the case
    ID_MIN=$id_min ID_MAX=$id_max wrk -t2 -c16 -d"$2s" --latency -s bench/fresh.lua \
        -H "Authorization: Bearer $token" "$url${path[$1]}" | awk '
            /^Requests\/sec:/ {rps = int($2)}
            $1 == "99%" {v = $2; if (v ~ /us$/) v = v / 1000; else if (v ~ /ms$/) v = v + 0; else v = v * 1000}
            END {printf "%s %.1f\n", rps, v}'
}
ceiling() { # NAME: pgbench's tps for the case's statements
    pgbench -h "$pg_host" -U postgres -n -M prepared -c 8 -j 2 -T "$seconds" \
        -f "target/ceiling-$1.sql" "$db" 2>/dev/null | awk '/^tps/ {print int($3)}'
}
results=$(mktemp)
for round in $(seq 1 "$rounds"); do
    echo "round $round of $rounds" >&2
    # columns: name, tps, req/s, p99, fraction, then the baseline's req/s, p99, multiple
    declare -A row=()
    serve "$db"
    for name in "${cases[@]}"; do
        tps=$(ceiling "$name")
        read -r rps p99 < <(service "$name" "$seconds")
        row[$name]="$name $tps $rps $p99 $(awk -v a="$rps" -v b="$tps" 'BEGIN {printf "%.2f", a / b}')"
    done
    read -r cold _ < <(cold_report)
    stop
    if [ -n "$baseline" ]; then
        binary=$baseline serve "$base_db"
        for name in "${cases[@]}"; do
            read -r base_rps base_p99 < <(service "$name" "$seconds")
            rps=$(awk '{print $3}' <<<"${row[$name]}")
            row[$name]+=" $base_rps $base_p99 $(awk -v a="$rps" -v b="$base_rps" 'BEGIN {printf "%.2f", a / b}')"
        done
        read -r base_cold _ < <(cold_report)
        stop
        cold+=" $base_cold $(awk -v a="$cold" -v b="$base_cold" 'BEGIN {printf "%.2f", b / a}')"
    fi
    for name in "${cases[@]}"; do echo "${row[$name]}" >>"$results"; done
    echo "report $cold" >>"$results"
done

# spread NAME COLUMN: "median (min–max)" of a column over the rounds
spread() {
    awk -v n="$1" -v c="$2" '$1 == n {print $c}' "$results" | sort -g | awk '
        {v[NR] = $1} END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s (%s–%s)\n", m, v[1], v[NR]
        }'
}
where=$([ "${pg_host#/}" != "$pg_host" ] && echo "the socket $pg_host" || echo "TCP to $pg_host")
if [ -n "$baseline" ]; then
    echo "| data | case | statements | pgbench tps | service req/s | p99 ms | fraction | baseline req/s | baseline p99 ms | × baseline |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
else
    echo "| data | case | statements | pgbench tps | service req/s | p99 ms | fraction |"
    echo "| --- | --- | ---: | ---: | ---: | ---: | ---: |"
fi
for name in "${cases[@]}"; do
    line="| ${scale}x | $name | $(grep -c ';$' "target/ceiling-$name.sql")"
    columns=$([ -n "$baseline" ] && echo "2 3 4 5 6 7 8" || echo "2 3 4 5")
    for column in $columns; do line+=" | $(spread "$name" "$column")"; done
    echo "$line |"
done
echo
echo "Cold report of 2022 at ${scale}x, one request at a time, 30 per round, each after a write"
echo "(median ms, the rounds' medians' median and min–max): $(spread report 2)"
if [ -n "$baseline" ]; then
    echo "the baseline: $(spread report 3); the service $(spread report 4) times as fast"
fi
rm -f "$results"
echo
echo "(medians of $rounds rounds of ${seconds}s, min–max; PostgreSQL reached over $where;"
echo "pgbench: the statements of one uncached request as the service sent them, one transaction"
echo "each, in target/ceiling-*.sql; the service: wrk -t2 -c16, every URL new; fraction: the"
echo "service's req/s over pgbench's tps of the same round)"
if [ -n "$baseline" ]; then
    echo
    echo "(baseline: $baseline, on a database it prepared itself, served after the service in"
    echo "each round; × baseline: the service's req/s over the baseline's in the same round)"
fi
