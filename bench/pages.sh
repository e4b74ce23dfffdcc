#!/usr/bin/env bash
# Public reads under load. Usage: bench/pages.sh
#
# For each dataset, starts `dxmon serve` on a fresh SQLite database and measures, with
# wrk, requests/s and p50/p99 latencies of the public pages, reports and read endpoints
# at 8 and 64 clients, once with nothing else happening and once while simulated
# systems feed the server live events (`dxmon simulate --live`). The datasets:
#   seed   the seed dataset alone;
#   large  the seed with `dxmon bench dataset` on top: ~3,300 communes under today's
#          provinces, 200 more indicators, ten years of half-yearly values for every
#          province (for the periods it existed in) and commune, ~2.9 million values.
# Also prints, for each dataset, the time the read model took to build its snapshot
# (from /metrics) and the server's resident memory once it serves from it.
#
# Environment: DURATION (seconds per measurement, 10), CLIENTS ("8 64"),
# DATASETS ("seed large"), FEEDS ("off live"), PORT (18283), WORK (bench/work).
# Needs wrk (Debian package `wrk`; installed when missing).
set -euo pipefail

DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-8 64}
DATASETS=${DATASETS:-seed large}
FEEDS=${FEEDS:-off live}
PORT=${PORT:-18283}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
need_wrk
BASE="http://127.0.0.1:$PORT"

PATHS=(
    "/"
    "/rankings"
    "/units/ha-noi"
    "/reports/2022"
    "/reports/2022?format=xlsx"
    "/api/v1/rankings?methodology=dti-province&period=2022"
    "/api/v1/values"
    "/api/v1/measurements"
)

# A database for the dataset: the seed, and for `large` the synthetic files on top.
prepare() {
    local dataset=$1 db=$2
    rm -f "$db" "$db"-wal "$db"-shm
    "$DXMON" import --database "sqlite:$db" "$ROOT/data" "$ROOT/methodologies" > /dev/null
    if [ "$dataset" = large ]; then
        local files="$WORK/pages-large"
        "$DXMON" bench dataset --database "sqlite:$db" --out "$files" > /dev/null
        local start end
        start=$(date +%s.%N)
        "$DXMON" import --database "sqlite:$db" "$files" > /dev/null
        end=$(date +%s.%N)
        awk -v d="$dataset" -v n="$(($(wc -l < "$files/values-bench.csv") - 1))" -v s="$start" -v e="$end" \
            'BEGIN {printf "%-8s import of %d values and their units and indicators: %.1f s (%d values/s)\n", d, n, e - s, n / (e - s)}'

    fi
}


# A figure from the server's /metrics.
metric() {
    curl -s "$BASE/metrics" | awk -v name="$1" '$1==name {print $2}'
}

for dataset in $DATASETS; do
    DB="$WORK/pages-$dataset.db"
    prepare "$dataset" "$DB"
    TOKEN=$("$DXMON" token create --database "sqlite:$DB" --name "benchmark feed" --unit group:provinces --unit group:ministries | tail -1)
    "$DXMON" serve --database "sqlite:$DB" --port "$PORT" --rate 1000000 > "$WORK/pages-serve.log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true' EXIT
    until curl -sf "$BASE/health" > /dev/null; do sleep 0.2; done
    # The first snapshot is built before the server listens; warm the views once.
    for path in "${PATHS[@]}"; do curl -s -o /dev/null "$BASE$path"; done
    builds=$(metric dxmon_snapshot_build_seconds_count)
    seconds=$(metric dxmon_snapshot_build_seconds_sum)
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    awk -v d="$dataset" -v b="${builds:-0}" -v s="${seconds:-0}" -v r="$rss" \
        'BEGIN {printf "%-8s snapshot built %d time(s), %.2f s on average; server resident memory %d MiB\n", d, b, (b > 0 ? s / b : 0), r / 1024}'
    for feed in $FEEDS; do
        FEEDER=""
        if [ "$feed" = live ]; then
            "$DXMON" simulate --database "sqlite:$DB" --url "$BASE" --token "$TOKEN" --days 1 --live --scale 0.05 > "$WORK/pages-feed.log" 2>&1 &
            FEEDER=$!
            sleep 5
        fi
        for clients in $CLIENTS; do
            for path in "${PATHS[@]}"; do
                probe "$dataset/$feed/$clients $path" 2 "$clients" "$BASE$path"
            done
        done
        [ -n "$FEEDER" ] && kill "$FEEDER" 2>/dev/null || true
    done
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")
    printf "%-8s server resident memory after the run %d MiB\n" "$dataset" "$((rss / 1024))"
    kill "$SERVER"
    wait "$SERVER" 2>/dev/null || true
done
