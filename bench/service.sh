# Sourced by the benchmarks: serves a release build of voortgang on a free port against a
# database of the local PostgreSQL and drops, on exit, every database named in `databases`.
#   binary   the build to serve (BINARY, else this tree's, built here)
#   token    the admin token the service is started with
#   url      where it answers
#   start DATABASE   serves DATABASE (created with the demo data when new); extra settings
#                    come from the environment (e.g. VOORTGANG_DB_POOL_SIZE); `launcher`, when
#                    set, is the command that runs the binary (e.g. valgrind)
#   stop             stops it
#   prepare DATABASE SCALE   creates DATABASE with the demo data, and with SCALE 100 adds 100
#                    times the demo's actions (`voortgang synth`), then VACUUM ANALYZE
#   cold_report [N]  the report of 2022 assembled from the database, one request at a time, N
#                    times (30): "median_ms p90_ms max_ms" of curl's total time
#   database_url DATABASE   how the service reaches DATABASE: over PG_HOST, a socket directory
#                    (the default, /var/run/postgresql, as a service on its database's host
#                    connects) or a host name (127.0.0.1 is TCP, with TLS when the server
#                    offers it); bench/ceiling.sh's pgbench uses the same PG_HOST (the
#                    harnesses' own psql calls stay on 127.0.0.1). The URL names a host that
#                    its `host` parameter overrides, a form earlier builds accept too

binary=${BINARY:-}
if [ -z "$binary" ]; then
    cargo build --release --locked -q
    binary=target/release/voortgang
fi
token="vgt_bench_$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
pg_host=${PG_HOST:-/var/run/postgresql}
database_url() { echo "postgres://postgres@localhost/$1?host=$pg_host"; }
service=""
databases=()

stop() {
    if [ -n "$service" ]; then
        kill "$service" 2>/dev/null || true
        wait "$service" 2>/dev/null || true
        service=""
    fi
}

cleanup() {
    stop
    for db in "${databases[@]}"; do
        psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" postgres >/dev/null || true
    done
}
trap cleanup EXIT

start() {
    DATABASE_URL="$(database_url "$1")" VOORTGANG_LISTEN="127.0.0.1:$port" \
    VOORTGANG_ADMIN_TOKEN="$token" VOORTGANG_DEMO=auto VOORTGANG_RATE_LIMIT=0 RUST_LOG=warn \
        ${launcher:-} "$binary" &
    service=$!
    for _ in $(seq 1 120); do
        curl -fs "$url/health/ready" >/dev/null && return 0
        sleep 0.5
    done
    echo "the service did not become ready"
    exit 1
}

prepare() { # with $binary, which may be an earlier build's
    start "$1"
    stop
    if [ "$2" = 100 ]; then
        DATABASE_URL="$(database_url "$1")" RUST_LOG=warn \
            "$binary" synth --actions 20000 --years 10 --first-year 2016 --risks 2700 >&2
    fi
    psql -h 127.0.0.1 -U postgres -q -c "VACUUM ANALYZE" "$1"
}

cold_report() { # each GET follows a write through the API (the metadata of another year),
    # which makes every kept report stale
    local times=()
    for i in $(seq 1 "${1:-30}"); do
        curl -fs -o /dev/null -X PUT -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' -d "{\"title\": \"Bench $i\"}" \
            "$url/api/v1/reports/2099"
        times+=("$(curl -fs -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $token" \
            "$url/api/v1/reports/2022")")
    done
    printf '%s\n' "${times[@]}" | sort -g | awk '
        {v[NR] = $1 * 1000} END {printf "%.1f %.1f %.1f\n", v[int((NR + 1) / 2)], v[int(NR * 0.9)], v[NR]}'
}
