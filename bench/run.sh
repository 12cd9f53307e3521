#!/usr/bin/env bash
# The benchmark: the release binary against a fresh database with the demo data, then with 100
# times the demo's actions (`voortgang synth`), measured with wrk on loopback, the cases
# interleaved round by round; prints a Markdown table (median of the rounds, with min and max)
# and the ratios the targets are stated in. Then the CSV export of a million rows against
# `psql \copy` (bench/export-memory.sh). Stops and drops everything it started.
#
#   bash bench/run.sh                 ROUNDS=5 DURATION=10 bash bench/run.sh
#   BINARY=path/to/voortgang NO_RECORD=1 SKIP_EXPORT=1 bash bench/run.sh   (another build, print only)
#
# Needs wrk (Debian's package), psql, curl and bc, and PostgreSQL on 127.0.0.1:5432; the service
# reaches it over the socket in PG_HOST (default /var/run/postgresql; see bench/service.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
duration=${DURATION:-5}
connections=${CONNECTIONS:-16}
threads=${THREADS:-2}
skip_export=${SKIP_EXPORT:-}

command -v wrk >/dev/null || { echo "bench/run.sh needs wrk (apt-get install wrk)"; exit 2; }
# BINARY: another build to measure (e.g. an earlier commit's), in place of this tree's
source bench/service.sh
# everything printed on stdout is also the last run's figures in docs/performance.md
figures=target/bench-figures.md
exec > >(tee "$figures")
tee_pid=$!

# measure NAME PATH AUTH: one wrk run; appends "name rps p99_ms" to $results
measure() {
    local name=$1 path=$2 auth=$3 out rps p99
    if [ "$auth" = fresh ]; then
        # a distinct URL per request (bench/fresh.lua): nothing comes from the response cache
        out=$(ID_MIN=$id_min ID_MAX=$id_max wrk -t"$threads" -c"$connections" -d"${duration}s" \
            --latency -s bench/fresh.lua -H "Authorization: Bearer $token" "$url$path")
    elif [ "$auth" = auth ]; then
        out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency \
            -H "Authorization: Bearer $token" "$url$path")
    else
        out=$(wrk -t"$threads" -c"$connections" -d"${duration}s" --latency "$url$path")
    fi
    if grep -q "Non-2xx" <<<"$out"; then
        echo "$name: non-2xx answers"; echo "$out"; exit 1
    fi
    rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v = v / 1000} else if (v ~ /ms$/) {sub(/ms$/, "", v)} else if (v ~ /s$/) {sub(/s$/, "", v); v = v * 1000}; print v}' <<<"$out")
    echo "$name $rps $p99" >>"$results"
}

# stats FILE NAME COLUMN: "median min max" of a column over the rounds
stats() {
    awk -v n="$2" -v c="$3" '$1 == n {print $c}' "$1" | sort -g | awk '
        {v[NR] = $1} END {
            m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
            printf "%s %s %s\n", m, v[1], v[NR]
        }'
}

run_cases() { # label, then "name path auth" triples
    local label=$1; shift
    results=$(mktemp)
    local cases=("$@")
    echo "warming up ($label)" >&2
    for ((i = 0; i < ${#cases[@]}; i += 3)); do
        ID_MIN=$id_min ID_MAX=$id_max wrk -t1 -c4 -d2s -s bench/fresh.lua \
            -H "Authorization: Bearer $token" "$url${cases[i + 1]}" >/dev/null
    done
    for round in $(seq 1 "$rounds"); do
        echo "round $round of $rounds ($label)" >&2
        for ((i = 0; i < ${#cases[@]}; i += 3)); do
            measure "${cases[i]}" "${cases[i + 1]}" "${cases[i + 2]}"
        done
    done
    cp "$results" "target/bench-$label.txt"
    rm -f "$results"
}

demo_db="voortgang_bench_demo_$$"
scale_db="voortgang_bench_scale_$$"
databases+=("$demo_db" "$scale_db")

start "$demo_db"
domain=organisatiecultuur
action=$(curl -fs -H "Authorization: Bearer $token" "$url/api/v1/actions?q=Welzijn%20op%20het%20werk&limit=1" \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
list="/api/v1/actions?domain_id=$domain&year=2022&limit=100"
# how many items that page holds at demo size: at 100x the same page is full, so the scale
# also measures the page the size of the demo's, to tell the data size from the body size
page=$(curl -fs -H "Authorization: Bearer $token" "$url$list" \
    | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["items"]))')
ids() { # the first and last action id of the database named $1
    read -r id_min id_max < <(psql -h 127.0.0.1 -U postgres -At -F ' ' \
        -c "SELECT min(id), max(id) FROM actions" "$1")
}
ids "$demo_db"
run_cases demo \
    ceiling /health/live none \
    report /api/v1/reports/2022 auth \
    list "$list" auth \
    action "/api/v1/actions/$action" auth \
    static /swagger-ui/swagger-ui.css none \
    list_uncached "$list&updated_since={since}" fresh \
    action_uncached "/api/v1/actions/{id}?n={n}" fresh
size() { curl -fs -H "Authorization: Bearer $token" -o /dev/null -w '%{size_download}' "$url$1"; }
report_bytes=$(size /api/v1/reports/2022)
rm -f target/bench-cold.txt
echo "demo $(cold_report)" >>target/bench-cold.txt
static_bytes=$(size /swagger-ui/swagger-ui.css)
stop

echo "generating the 100x scale" >&2
DATABASE_URL="$(database_url "$scale_db")" VOORTGANG_DEMO=auto RUST_LOG=warn \
    "$binary" synth --actions 20000 --years 10 --first-year 2016 --risks 2700 >&2
# settle the freshly loaded tables, so autovacuum does not run during the measurement
psql -h 127.0.0.1 -U postgres -q -c "VACUUM ANALYZE" -c "CHECKPOINT" "$scale_db"
start "$scale_db"
ids "$scale_db"
run_cases scale \
    ceiling /health/live none \
    list "$list" auth \
    list_demo_page "/api/v1/actions?domain_id=$domain&year=2022&limit=$page" auth \
    action "/api/v1/actions/$action" auth \
    list_uncached "$list&updated_since={since}" fresh \
    action_uncached "/api/v1/actions/{id}?n={n}" fresh
echo "100x $(cold_report)" >>target/bench-cold.txt
stop

row() { # label file name target_ratio_text
    read -r rps rps_min rps_max < <(stats "$2" "$3" 2)
    read -r p99 p99_min p99_max < <(stats "$2" "$3" 3)
    printf '| %s | %s | %.0f | %.0f–%.0f | %.2f | %.2f–%.2f |\n' \
        "$1" "$3" "$rps" "$rps_min" "$rps_max" "$p99" "$p99_min" "$p99_max"
}
ratio() { printf '%.2f' "$(echo "$1 / $2" | bc -l)"; }
med() { stats "$1" "$2" "$3" | awk '{print $1}'; }

cpus=$(nproc)
model=$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)
echo
echo "Machine: $cpus cores ($model), $(free -g | awk '/Mem:/ {print $2}') GiB; wrk -t$threads -c$connections, $rounds rounds of ${duration}s, cases interleaved."
echo
echo "| data | case | req/s (median) | req/s min–max | p99 ms (median) | p99 ms min–max |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
for name in ceiling report list action static list_uncached action_uncached; do row "demo" target/bench-demo.txt "$name"; done
for name in ceiling list list_demo_page action list_uncached action_uncached; do row "100x" target/bench-scale.txt "$name"; done
echo
echo "(list_demo_page: the same list with limit=$page, the number of items the page holds at demo size;"
echo "static: Swagger UI's stylesheet, a file served from memory with no logic, $static_bytes bytes;"
echo "*_uncached: a URL no earlier request asked (bench/fresh.lua), so every request goes to the database:"
echo "the list with a distinct updated_since before all data, the action with each id in turn and a distinct ?n=)"
# the cost of bytes: a request to the ceiling takes 1/ceiling s; the static file takes that
# plus its bytes, which gives the cost of a byte on this machine; a body the report's size
# with no logic at all would then take 1/ceiling + report_bytes x that cost
static_rps=$(med target/bench-demo.txt static 2)
demo_ceiling=$(med target/bench-demo.txt ceiling 2)
byte_ns=$(echo "(1 / $static_rps - 1 / $demo_ceiling) / $static_bytes * 1000000000" | bc -l)
bound=$(echo "1 / (1 / $demo_ceiling + $report_bytes * $byte_ns / 1000000000)" | bc -l)
echo
echo "The report assembled from the database (each request after a write; one connection, 30 requests):"
echo
echo "| data | median ms | p90 ms | max ms |"
echo "| --- | ---: | ---: | ---: |"
awk '{printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4}' target/bench-cold.txt
echo
printf 'Cost of a byte (static file against the ceiling): %.3f ns. A body of the report'"'"'s %s bytes with no logic behind it would reach %.0f req/s, %.2f of the ceiling; the report reaches %s.\n' \
    "$byte_ns" "$report_bytes" "$bound" "$(echo "$bound / $demo_ceiling" | bc -l)" \
    "$(ratio "$(med target/bench-demo.txt report 2)" "$demo_ceiling")"

ceiling=$(med target/bench-demo.txt ceiling 2)
echo
echo "| target | measured | met |"
echo "| --- | ---: | --- |"
check() { # text value limit direction(ge|le)
    local met
    if [ "$4" = ge ]; then met=$(echo "$2 >= $3" | bc -l); else met=$(echo "$2 <= $3" | bc -l); fi
    printf '| %s | %s | %s |\n' "$1" "$2" "$([ "$met" = 1 ] && echo yes || echo no)"
}
check "report req/s ≥ 0.70 × ceiling" "$(ratio "$(med target/bench-demo.txt report 2)" "$ceiling")" 0.70 ge
check "list req/s ≥ 0.30 × ceiling" "$(ratio "$(med target/bench-demo.txt list 2)" "$ceiling")" 0.30 ge
check "action req/s ≥ 0.50 × ceiling" "$(ratio "$(med target/bench-demo.txt action 2)" "$ceiling")" 0.50 ge
check "100x list p99 ≤ 2 × demo p99" "$(ratio "$(med target/bench-scale.txt list 3)" "$(med target/bench-demo.txt list 3)")" 2 le
check "100x list p99 at the demo's page size ≤ 2 × demo p99 (diagnostic)" "$(ratio "$(med target/bench-scale.txt list_demo_page 3)" "$(med target/bench-demo.txt list 3)")" 2 le
check "100x action p99 ≤ 2 × demo p99" "$(ratio "$(med target/bench-scale.txt action 3)" "$(med target/bench-demo.txt action 3)")" 2 le

if [ -z "$skip_export" ]; then
    echo
    bash bench/export-memory.sh | tail -n +2
fi

exec 1>&2
wait "$tee_pid" 2>/dev/null || true
# NO_RECORD: print only, leave docs/performance.md as it is (e.g. for an earlier build)
[ -n "${NO_RECORD:-}" ] || bash bench/record.sh docs/performance.md bench <"$figures"
