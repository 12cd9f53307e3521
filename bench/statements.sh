#!/usr/bin/env bash
# What PostgreSQL does for one uncached request, from its own statement log: for each case,
# the statements a request sends and the time PostgreSQL spends parsing, binding (which
# plans) and executing them, per request. A statement that is prepared once per connection
# shows no parse after the first request; one that is not is parsed and planned every time.
#
#   bash bench/statements.sh          BINARY=path/to/voortgang bash bench/statements.sh
#
# Needs PostgreSQL on 127.0.0.1:5432 and its socket (PG_HOST, see bench/service.sh), with its
# log readable at PG_LOG (Debian's default path), psql and curl. The service runs with a pool
# of 2 connections, warmed by a few requests of each case, then each case is asked REQUESTS
# times, one request at a time, each URL new.
set -euo pipefail
cd "$(dirname "$0")/.."

log=${PG_LOG:-/var/log/postgresql/postgresql-15-main.log}
requests=${REQUESTS:-20}
[ -r "$log" ] || { echo "bench/statements.sh needs PostgreSQL's log at $log (PG_LOG)"; exit 2; }

source bench/service.sh
db="voortgang_statements_$$"
databases+=("$db")
export VOORTGANG_DB_POOL_SIZE=2

get() { curl -fs -o /dev/null -H "Authorization: Bearer $token" "$url$1"; }

# the database with the demo data, then its sessions log every statement with its duration
start "$db"
stop
psql -h 127.0.0.1 -U postgres -q -c "ALTER DATABASE $db SET log_min_duration_statement = 0" postgres
start "$db"

list="/api/v1/actions?domain_id=organisatiecultuur&year=2022&limit=100&updated_since="
since() { date -u -d "@$((946684800 + $1))" +%Y-%m-%dT%H:%M:%SZ; }
case_list() { get "$list$(since "$1")"; }
case_action() { get "/api/v1/actions/$((1 + $1 % 50))?n=$1"; }
case_risk() { get "/api/v1/risks/$((1 + $1 % 10))?n=$1"; }
# exports are never kept in the response cache
case_export() { get "/api/v1/exports/action_statuses?limit=100"; }

cases=(list action risk export)
for name in "${cases[@]}"; do
    for i in $(seq 1 6); do "case_$name" "$((100000 + i))"; done
done

echo "| case | statements | parsed | parse ms | bind ms | execute ms | total ms |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
for name in "${cases[@]}"; do
    sleep 0.2
    mark=$(wc -l <"$log")
    for i in $(seq 1 "$requests"); do "case_$name" "$i"; done
    sleep 0.5
    # "... postgres@DB LOG:  duration: 0.123 ms  parse|bind|execute <name>: SQL"
    tail -n +"$((mark + 1))" "$log" | grep -F "@$db LOG:  duration:" | awk -v n="$requests" -v c="$name" '
        {
            for (i = 1; i <= NF; i++) if ($i == "duration:") { ms = $(i + 1); phase = $(i + 3) }
            if (phase == "parse") { parse += ms; parsed++ }
            else if (phase == "bind") { bind += ms }
            else if (phase == "execute" || phase == "statement:") { execute += ms; statements++ }
        }
        END {
            printf "| %s | %.1f | %.1f | %.3f | %.3f | %.3f | %.3f |\n", c, statements / n, parsed / n,
                parse / n, bind / n, execute / n, (parse + bind + execute) / n
        }'
done
echo
echo "Per request, mean of $requests uncached requests after a warm-up, demo data, pool of 2;"
echo "list: the page of 100 actions of a domain and year; action, risk: one by id; export: a page"
echo "of 100 rows of action_statuses (in a transaction: BEGIN and COMMIT count as statements)."
