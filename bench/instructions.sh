#!/usr/bin/env bash
# The instructions the service executes for one uncached request, counted by valgrind's
# callgrind. Unlike req/s on a machine whose cores the service shares with PostgreSQL and wrk,
# the count is the same from run to run for the same build and data (within a few tenths of
# a percent), so a change to the service's own work shows even when it is a few percent.
# PostgreSQL's work is not in it: it runs outside valgrind. Nor is the kernel's. valgrind
# offers no SHA extensions, so under it SHA-256 (the ETag of the report's body) runs its
# portable code: about 80 million of the cold report's instructions at 100x, which the CPU's
# SHA instructions do natively in about a millisecond.
#
#   bash bench/instructions.sh        BINARY=path/to/voortgang SCALE=100 bash bench/instructions.sh
#
# Each case is asked a few times to warm up, then the counters are zeroed, the case is asked
# REQUESTS times (default 20), one request at a time, each URL new, and the count is read; the
# cold report (after a write each time, which is not counted) a quarter as many times.
# Needs valgrind, psql and curl, and PostgreSQL (see bench/service.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

requests=${REQUESTS:-20}
scale=${SCALE:-1}
command -v valgrind >/dev/null || { echo "bench/instructions.sh needs valgrind"; exit 2; }

source bench/service.sh
db="voortgang_instructions_$$"
databases+=("$db")
prepare "$db" "$scale"
read -r id_min id_max < <(psql -h 127.0.0.1 -U postgres -At -F ' ' -c "SELECT min(id), max(id) FROM actions" "$db")

counts=$(mktemp -d)
trap 'cleanup; rm -rf "$counts"' EXIT
launcher="valgrind --tool=callgrind --dump-instr=no --callgrind-out-file=$counts/out" start "$db"

get() { curl -fs -o /dev/null -H "Authorization: Bearer $token" "$url$1"; }
since() { date -u -d "@$((946684800 + $1))" +%Y-%m-%dT%H:%M:%SZ; }
case_list() { get "/api/v1/actions?domain_id=organisatiecultuur&year=2022&limit=100&updated_since=$(since "$1")"; }
case_action() { get "/api/v1/actions/$((id_min + $1 % (id_max - id_min + 1)))?n=$1"; }
# what callgrind counted since the counters were last zeroed
counted() {
    callgrind_control -d "$service" >/dev/null
    awk '/^(summary|totals):/ {print $2; exit}' "$(ls -t "$counts"/out.* | head -1)"
}

# the report of 2022 assembled from the database: a write before each request (the metadata
# of another year) makes every kept report stale; only the GET is counted
cold_report() {
    local total=0
    for i in $(seq 1 "$1"); do
        curl -fs -o /dev/null -X PUT -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -d "{\"title\": \"Instructions $i\"}" \
            "$url/api/v1/reports/2099"
        callgrind_control -z "$service" >/dev/null
        get /api/v1/reports/2022
        total=$((total + $(counted)))
    done
    echo $((total / $1))
}

echo "| data | case | requests | instructions per request |"
echo "| --- | --- | ---: | ---: |"
n=0
for name in list action; do
    for _ in 1 2 3 4 5; do n=$((n + 1)); "case_$name" "$n"; done
    callgrind_control -z "$service" >/dev/null
    for _ in $(seq 1 "$requests"); do n=$((n + 1)); "case_$name" "$n"; done
    printf '| %sx | %s | %s | %s |\n' "$scale" "$name" "$requests" "$(( $(counted) / requests ))"
done
get /api/v1/reports/2022
reports=$(( (requests + 3) / 4 ))
printf '| %sx | report, cold | %s | %s |\n' "$scale" "$reports" "$(cold_report "$reports")"
stop
