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
#   database_url DATABASE   how the service reaches DATABASE: over PG_HOST, a socket directory
#                    (the default, /var/run/postgresql, as a service on its database's host
#                    connects) or a host name (127.0.0.1 is TCP, with TLS when the server
#                    offers it); bench/ceiling.sh's pgbench uses the same PG_HOST (the
#                    harnesses' own psql calls stay on 127.0.0.1)

binary=${BINARY:-}
if [ -z "$binary" ]; then
    cargo build --release --locked -q
    binary=target/release/voortgang
fi
token="vgt_bench_$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
pg_host=${PG_HOST:-/var/run/postgresql}
database_url() { echo "postgres:///$1?host=$pg_host&user=postgres"; }
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

prepare() {
    start "$1"
    stop
    if [ "$2" = 100 ]; then
        DATABASE_URL="$(database_url "$1")" RUST_LOG=warn \
            "$binary" synth --actions 20000 --years 10 --first-year 2016 --risks 2700 >&2
    fi
    psql -h 127.0.0.1 -U postgres -q -c "VACUUM ANALYZE" "$1"
}
