#!/usr/bin/env bash
# Streams the CSV export of ROWS action statuses (default 1,000,000) from the release binary and
# prints the rows per second beside `psql \copy` of the same query, and the service's resident
# memory before and at its peak, to show that memory stays flat however many rows.
#   bash bench/export-memory.sh            ROWS=200000 bash bench/export-memory.sh
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres) and psql; stops what it starts.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
actions=$(( (rows + 9) / 10 ))

cargo build --release --locked -q
database="voortgang_bench_$$"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
token="vgt_bench_$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/$database" VOORTGANG_LISTEN="127.0.0.1:$port" \
VOORTGANG_ADMIN_TOKEN="$token" VOORTGANG_DEMO=off VOORTGANG_RATE_LIMIT=0 RUST_LOG=warn \
    target/release/voortgang &
service=$!
cleanup() {
    kill "$service" 2>/dev/null || true
    wait "$service" 2>/dev/null || true
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" postgres >/dev/null || true
}
trap cleanup EXIT
url="http://127.0.0.1:$port"
for _ in $(seq 1 60); do
    curl -fs "$url/health/ready" >/dev/null && break
    sleep 0.5
done
psql="psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1 $database"

echo "loading $actions actions with 10 years of statuses ($((actions * 10)) rows)"
$psql <<SQL
BEGIN;
INSERT INTO domains (id, name, position) VALUES ('bench', 'Bench', 1);
INSERT INTO actions (title, description)
    SELECT 'Actie ' || g, CASE WHEN g % 3 = 0 THEN 'Omschrijving, met "aanhalingstekens"' END
    FROM generate_series(1, $actions) g;
INSERT INTO action_domains (action_id, domain_id, position) SELECT id, 'bench', id FROM actions;
INSERT INTO action_statuses (action_id, year, status, progress, note)
    SELECT a.id, y, (ARRAY['planned', 'in_progress', 'realised', 'postponed'])[1 + (a.id + y) % 4],
           (a.id * y) % 101, CASE WHEN a.id % 5 = 0 THEN 'Opmerking ' || y END
    FROM actions a, generate_series(2015, 2024) y;
COMMIT;
ANALYZE;
SQL

rss() { awk -v k="$1:" '$1 == k {print $2}' "/proc/$service/status"; }
curl -fs -H "Authorization: Bearer $token" "$url/api/v1/exports/domains?format=csv" >/dev/null
before=$(rss VmRSS)
before_peak=$(rss VmHWM)

start=$(date +%s.%N)
bytes=$(curl -fs -H "Authorization: Bearer $token" "$url/api/v1/exports/action_statuses?format=csv" | wc -c)
service_s=$(echo "$(date +%s.%N) - $start" | bc)
peak=$(rss VmHWM)

query=$(cat <<'Q'
SELECT s.action_id, s.year, a.title, a.department_id, s.status, s.progress, s.note,
       to_json(s.created_at) #>> '{}', to_json(s.updated_at) #>> '{}'
FROM action_statuses s JOIN actions a ON a.id = s.action_id ORDER BY s.action_id, s.year
Q
)
query=$(tr '\n' ' ' <<<"$query")
start=$(date +%s.%N)
psql_bytes=$($psql -c "\\copy ($query) TO STDOUT WITH (FORMAT csv, HEADER)" | wc -c)
psql_s=$(echo "$(date +%s.%N) - $start" | bc)

lines=$((actions * 10))
printf '\n| what | rows | bytes | seconds | rows/s |\n| --- | ---: | ---: | ---: | ---: |\n'
printf '| service CSV export | %d | %d | %.2f | %.0f |\n' "$lines" "$bytes" "$service_s" "$(echo "$lines / $service_s" | bc -l)"
printf '| psql \\copy, same query | %d | %d | %.2f | %.0f |\n' "$lines" "$psql_bytes" "$psql_s" "$(echo "$lines / $psql_s" | bc -l)"
printf '\nservice resident memory: %d KiB before the export (peak so far %d KiB), peak %d KiB after it\n' \
    "$before" "$before_peak" "$peak"
printf 'CSV export: %.2f × the rows per second of psql \\copy (target ≥ 0.50); peak resident memory %d KiB (target < 65536)\n' \
    "$(echo "$psql_s / $service_s" | bc -l)" "$peak"

# the same rows as one Excel workbook (GET /exports?format=xlsx), written a row at a time
start=$(date +%s.%N)
xlsx_bytes=$(curl -fs -H "Authorization: Bearer $token" "$url/api/v1/exports?format=xlsx" | wc -c)
xlsx_s=$(echo "$(date +%s.%N) - $start" | bc)
xlsx_peak=$(rss VmHWM)
printf 'workbook of every table (GET /exports?format=xlsx): %d bytes in %.2f s (%.0f rows/s of action_statuses); peak resident memory %d KiB after it\n' \
    "$xlsx_bytes" "$xlsx_s" "$(echo "$lines / $xlsx_s" | bc -l)" "$xlsx_peak"
