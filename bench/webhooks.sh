#!/usr/bin/env bash
# Writes with and without webhooks: the release binary on a fresh database with the demo data,
# wrk sending JSON Merge Patches of actions (bench/write.lua, each one a change with its audit
# event), first with no subscription, then with 10 subscriptions to a receiver that refuses
# connections, then with 10 to one that accepts and never answers (each attempt waits for the
# timeout). The cases are interleaved round by round, in a turning order; prints the median req/s and p99 of the
# rounds, and how many messages the dead receivers have waiting at the end (none is lost).
#
#   bash bench/webhooks.sh            ROUNDS=5 DURATION=10 bash bench/webhooks.sh
#
# Needs wrk, psql, curl and python3, and PostgreSQL on 127.0.0.1:5432 and its socket (PG_HOST,
# see bench/service.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-3}
duration=${DURATION:-10}
connections=${CONNECTIONS:-8}
threads=${THREADS:-2}
command -v wrk >/dev/null || { echo "bench/webhooks.sh needs wrk (apt-get install wrk)"; exit 2; }

# a receiver that accepts connections and never answers, and a port nothing listens on
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
silent_port=$(free_port)
refusing=$(free_port)
python3 - "$silent_port" <<'PY' &
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(1024)
held = []
while True:
    held.append(s.accept()[0])
PY
silent=$!
export VOORTGANG_WEBHOOK_HOSTS=127.0.0.1
source bench/service.sh
trap 'kill $silent 2>/dev/null || true; cleanup' EXIT

database="voortgang_bench_webhooks_$$"
databases+=("$database")
start "$database"
auth=(-H "Authorization: Bearer $token" -H "Content-Type: application/json")
ids=$(curl -fs "${auth[@]}" "$url/api/v1/actions?limit=1000" | python3 -c \
    'import json, sys; ids = [a["id"] for a in json.load(sys.stdin)["items"]]; print(min(ids), max(ids))')
read -r id_min id_max <<<"$ids"
every='["action.changed", "action_status.changed", "risk.changed", "domain.changed"]'

subscribe() { # subscribe URL: ten subscriptions to URL, active
    for _ in $(seq 1 10); do
        curl -fs "${auth[@]}" -X POST "$url/api/v1/webhooks" \
            -d "{\"url\": \"$1\", \"event_types\": $every}" >/dev/null
    done
}
unsubscribe() { # every subscription off (their kept messages stay)
    for id in $(curl -fs "${auth[@]}" "$url/api/v1/webhooks?limit=1000" | python3 -c \
        'import json, sys; print(" ".join(str(w["id"]) for w in json.load(sys.stdin)["items"]))'); do
        curl -fs "${auth[@]}" -X DELETE "$url/api/v1/webhooks/$id" -o /dev/null
    done
}

results=$(mktemp)
measure() { # measure NAME
    local out
    out=$(ID_MIN=$id_min ID_MAX=$id_max wrk -t"$threads" -c"$connections" -d"${duration}s" \
        --latency -s bench/write.lua -H "Authorization: Bearer $token" "$url")
    if grep -q "Non-2xx" <<<"$out"; then echo "$1: non-2xx answers"; echo "$out"; exit 1; fi
    awk -v n="$1" '/^Requests\/sec:/ {rps = $2}
        $1 == "99%" {v = $2; if (v ~ /us$/) {sub(/us$/, "", v); v = v / 1000}
                     else if (v ~ /ms$/) {sub(/ms$/, "", v)} else {sub(/s$/, "", v); v = v * 1000}; p99 = v}
        END {print n, rps, p99}' <<<"$out" >>"$results"
}

# one case: its subscriptions, then the writes
case_of() {
    unsubscribe
    # the deleted subscriptions' messages go before the next case is measured
    psql -h 127.0.0.1 -U postgres -q -c "VACUUM ANALYZE webhook_deliveries" "$database"
    case $1 in
        refused) subscribe "http://127.0.0.1:$refusing/hooks" ;;
        silent) subscribe "http://127.0.0.1:$silent_port/hooks" ;;
    esac
    measure "$1"
    if [ "$1" = silent ]; then
        waiting=$(psql -h 127.0.0.1 -U postgres -tA -c \
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'pending'" "$database")
        echo "round $round: $waiting messages kept for the silent receivers" >&2
    fi
}

cases=(none refused silent)
for round in $(seq 1 "$rounds"); do
    # the order turns each round, so no case always follows the same one
    for i in 0 1 2; do
        case_of "${cases[$(((i + round) % 3))]}"
    done
done

echo
echo "Writes (PATCH of an action's title), wrk -t$threads -c$connections, ${duration}s, $rounds rounds, median (min-max):"
echo
echo "| subscriptions | req/s | p99 ms |"
echo "| --- | ---: | ---: |"
for name in none refused silent; do
    label=$(case $name in none) echo "none";; refused) echo "10, receiver refuses connections";;
        silent) echo "10, receiver never answers";; esac)
    rps=$(awk -v n="$name" '$1 == n {print $2}' "$results" | sort -g | awk '{v[NR]=$1} END {printf "%.0f (%.0f-%.0f)", v[int((NR+1)/2)], v[1], v[NR]}')
    p99=$(awk -v n="$name" '$1 == n {print $3}' "$results" | sort -g | awk '{v[NR]=$1} END {printf "%.1f (%.1f-%.1f)", v[int((NR+1)/2)], v[1], v[NR]}')
    echo "| $label | $rps | $p99 |"
done
rm -f "$results"
