# Sourced by .ci/e2e and .ci/fuzz: `serve NAME [VARIABLE=value ...]` builds the binary and
# starts it on a fresh database `voortgang_NAME_<pid>` with the demo data and an admin token,
# plus the given environment; waits until it is ready and sets `url` and `admin`. The service
# is stopped and its database dropped when the script exits.
serve() {
    local name=$1
    shift
    cargo build --locked -q
    local port
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    served_database="voortgang_${name}_$$"
    admin="vgt_${name}_$(python3 -c 'import secrets; print(secrets.token_hex(20))')"
    url="http://127.0.0.1:$port"
    local log="target/$name-service.log"
    env DATABASE_URL="postgres://postgres@127.0.0.1:5432/$served_database" \
        VOORTGANG_LISTEN="127.0.0.1:$port" \
        VOORTGANG_ADMIN_TOKEN="$admin" \
        VOORTGANG_DEMO=auto \
        "$@" \
        target/debug/voortgang >"$log" 2>&1 &
    served_pid=$!
    trap stop_serving EXIT
    local _
    for _ in $(seq 1 60); do
        served_ready && return 0
        sleep 0.5
    done
    served_ready || {
        cat "$log"
        exit 1
    }
}

served_ready() {
    python3 -c "import urllib.request; urllib.request.urlopen('$url/health/ready')" 2>/dev/null
}

stop_serving() {
    kill "$served_pid" 2>/dev/null || true
    wait "$served_pid" 2>/dev/null || true
    psql -h 127.0.0.1 -U postgres -q -c "DROP DATABASE IF EXISTS $served_database WITH (FORCE)" postgres >/dev/null || true
}
