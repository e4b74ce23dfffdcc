#!/usr/bin/env bash
# Reads under load. Usage: bench/heavy.sh
#
# Starts `dxmon serve` on a fresh SQLite database with the seed dataset, then measures
# the latency of `/health` and of the overview `/` (one client each, wrk) twice: alone,
# and while HEAVY_CLIENTS clients keep asking for the heaviest things the server does
# (the report as a page, as Markdown and as a workbook, rankings with 10.000 draws of
# the weights, which take a token, an uploaded gzip batch of 5.000 events). Prints one
# line per case with requests/s and p50/p99 latencies.
#
# Environment: DURATION (seconds per measurement, 15), HEAVY_CLIENTS (4), PORT (18282),
# WORK (bench/work). Needs wrk (Debian package `wrk`; installed when missing).
set -euo pipefail

DURATION=${DURATION:-15}
HEAVY_CLIENTS=${HEAVY_CLIENTS:-4}
PORT=${PORT:-18282}
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
need_wrk
DB="$WORK/heavy.db"
rm -f "$DB"*
URL="sqlite:$DB"
"$DXMON" import --database "$URL" "$ROOT/data" "$ROOT/methodologies" > /dev/null
TOKEN=$("$DXMON" token create --database "$URL" --name "benchmark" --unit group:provinces --unit group:ministries | tail -1)
EVENTS="$WORK/heavy-events.ndjson"
"$DXMON" bench generate --database "$URL" --events 5000 --since "$(date -d '-20 days' +%F)" --out "$EVENTS" > /dev/null
head -n 5000 "$EVENTS" | gzip -c > "$WORK/heavy-events.ndjson.gz"

"$DXMON" serve --database "$URL" --port "$PORT" --rate 1000000 > "$WORK/heavy-serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do sleep 0.2; done

cat > "$WORK/heavy.lua" <<LUA
local f = io.open("$WORK/heavy-events.ndjson.gz", "rb")
local events = f:read("*all")
f:close()
local requests = {
  wrk.format("GET", "/reports/2022"),
  wrk.format("GET", "/reports/2024-Q2?format=xlsx"),
  wrk.format("GET", "/api/v1/rankings?methodology=dti-province&period=2022&draws=10000", {["Authorization"] = "Bearer $TOKEN"}),
  wrk.format("GET", "/reports/2023?format=md"),
  wrk.format("POST", "/api/v1/events", {["Authorization"] = "Bearer $TOKEN",
    ["Content-Type"] = "application/x-ndjson", ["Content-Encoding"] = "gzip"}, events),
  wrk.format("GET", "/api/v1/rankings?methodology=dti-national&period=2022&draws=10000", {["Authorization"] = "Bearer $TOKEN"}),
}
local i = 0
request = function()
  i = i + 1
  return requests[(i % #requests) + 1]
end
LUA


probe "/health, alone" 1 1 "http://127.0.0.1:$PORT/health"
probe "/, alone" 1 1 "http://127.0.0.1:$PORT/"
wrk -t2 -c"$HEAVY_CLIENTS" -d"$((2 * DURATION + 10))s" --latency -s "$WORK/heavy.lua" "http://127.0.0.1:$PORT" > "$WORK/heavy-load.txt" &
LOAD=$!
sleep 3
probe "/health, $HEAVY_CLIENTS clients on heavy endpoints" 1 1 "http://127.0.0.1:$PORT/health"
probe "/, $HEAVY_CLIENTS clients on heavy endpoints" 1 1 "http://127.0.0.1:$PORT/"
wait $LOAD
awk '/Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$NF}
     END {printf "%-44s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n", "the heavy endpoints themselves", rps, p50, p99, bad+0}' "$WORK/heavy-load.txt"
