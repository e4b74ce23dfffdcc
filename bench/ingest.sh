#!/usr/bin/env bash
# The ingestion benchmark. Usage: bench/ingest.sh [EVENTS] [sqlite|postgres]
#
# Generates EVENTS simulated events (national volume from SINCE), sends them
# over HTTP with CLIENTS concurrent clients in batches of BATCH to a fresh `dxmon serve`
# on SQLite or PostgreSQL, and reports events/s, p50/p99 batch latency and the server's
# peak RSS. Then it asks "the six rates per province for October" three ways and prints
# one table: dxmon's roll-ups, a plain SQL GROUP BY over dxmon's raw events, and DuckDB
# scanning the same events; the three answers must agree.
#
# Environment: CLIENTS (8), BATCH (5000), SINCE (2026-10-01; the events of 100 million
# span about 140 days, so that they end before today: SINCE=2026-06-01), WORK
# (bench/work), DXMON_BENCH_POSTGRES_URL
# (postgres://postgres@127.0.0.1:5432/test).
set -euo pipefail

EVENTS=${1:-1000000}
BACKEND=${2:-sqlite}
CLIENTS=${CLIENTS:-8}
BATCH=${BATCH:-5000}
SINCE=${SINCE:-2026-10-01}
PG=${DXMON_BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-18181}
MONTH=2026-10
# shellcheck source=bench/common.sh
. "$(dirname "$0")/common.sh"
if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install --quiet duckdb
fi

case "$BACKEND" in
    sqlite)
        rm -f "$WORK/bench-$EVENTS.db"*
        URL="sqlite:$WORK/bench-$EVENTS.db" ;;
    postgres)
        SCHEMA="bench_$EVENTS"
        psql -q "$PG" -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" -c "CREATE SCHEMA $SCHEMA"
        URL="$PG?options=-c%20search_path%3D$SCHEMA" ;;
    *) echo "backend is sqlite or postgres" >&2; exit 2 ;;
esac

"$DXMON" import --database "$URL" "$ROOT/data" "$ROOT/methodologies" > /dev/null
TOKEN=$("$DXMON" token create --database "$URL" --name "benchmark" --unit group:provinces --unit group:ministries | tail -1)
FILE="$WORK/events-$EVENTS-from-$SINCE.ndjson"
[ -s "$FILE" ] || "$DXMON" bench generate --database "$URL" --events "$EVENTS" --since "$SINCE" --out "$FILE" > /dev/null

"$DXMON" serve --database "$URL" --port "$PORT" --rate 1000000 > "$WORK/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$PORT/health" > /dev/null; do sleep 0.2; done
RSS_START=$(awk '/VmRSS/ {print $2}' /proc/$SERVER/status)
# The server's resident memory every second while events come in.
(while kill -0 $SERVER 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$SERVER/status 2>/dev/null; sleep 1; done) > "$WORK/rss.txt" &
SAMPLER=$!
INGEST=$("$DXMON" bench ingest --url "http://127.0.0.1:$PORT" --token "$TOKEN" --file "$FILE" --clients "$CLIENTS" --batch "$BATCH")
# Kept, so that a failure in the comparison that follows does not lose it.
echo "$INGEST" > "$WORK/ingest-$EVENTS-$BACKEND.json"
PEAK=$(awk '/VmHWM/ {print $2}' /proc/$SERVER/status)
kill $SERVER; wait $SERVER 2>/dev/null || true
wait $SAMPLER 2>/dev/null || true
RSS_CURVE=$(awk '{a[NR]=$1} END {n=NR; if (n==0) exit; printf "%d %d %d %d", a[int(n*0.25)+1]/1024, a[int(n*0.5)+1]/1024, a[int(n*0.75)+1]/1024, a[n]/1024}' "$WORK/rss.txt")
trap - EXIT

QUERY=$("$DXMON" bench query --database "$URL" --month "$MONTH")
DUCK=$("$WORK/venv/bin/python" "$ROOT/bench/duckdb_query.py" "$FILE" "$MONTH" "$ROOT/data/procedures.csv")

"$WORK/venv/bin/python" - "$INGEST" "$QUERY" "$DUCK" "$PEAK" "$RSS_START" "$BACKEND" "$RSS_CURVE" <<'PY'
import json, sys
ingest, query, duck = (json.loads(a) for a in sys.argv[1:4])
peak_mib, start_mib, backend = int(sys.argv[4]) / 1024, int(sys.argv[5]) / 1024, sys.argv[6]
curve = sys.argv[7].split()
for unit, rates in query["rates"].items():
    other = duck["rates"].get(unit)
    assert other is not None, f"DuckDB has no figures for {unit}"
    for name, b in other.items():
        a = rates[name]
        assert (a is None and b is None) or abs(a - b) < 1e-9, f"{unit} {name}: {rates} vs {other}"
assert query["events"] == duck["events"], f"dxmon holds {query['events']} events, DuckDB {duck['events']}"
scan = "PostgreSQL" if backend == "postgres" else "SQLite"
print(f"backend {backend}: {ingest['events']:,} events sent ({ingest['accepted']:,} new, {ingest['duplicate']:,} sent twice), "
      f"{ingest['clients']} clients, batches of {ingest['batch']:,}")
print(f"  ingestion  {ingest['events_per_second']:>12,.0f} events/s   batch p50 {ingest['batch_p50_ms']:,.0f} ms, "
      f"p99 {ingest['batch_p99_ms']:,.0f} ms   server RSS {start_mib:,.0f} MiB at start, peak {peak_mib:,.0f} MiB")
if len(curve) == 4:
    print(f"  server RSS at a quarter, half, three quarters and the end of the sending: {' / '.join(curve)} MiB")
print(f"  six rates per province, {query['month']} ({query['provinces']} provinces; the three answers agree):")
print(f"    {'dxmon roll-ups':<34}{query['rollup_ms']:>10.2f} ms")
print(f"    {'plain ' + scan + ' GROUP BY on raw events':<34}{query['scan_ms']:>10.2f} ms   {query['scan_ms'] / query['rollup_ms']:>8,.0f}x the roll-ups")
print(f"    {'DuckDB scan (table in memory)':<34}{duck['query_ms']:>10.2f} ms   {duck['query_ms'] / query['rollup_ms']:>8,.0f}x the roll-ups"
      f"   (loading the events into DuckDB: {duck['load_s']:.1f} s)")
PY
