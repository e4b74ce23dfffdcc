"""The six rates per province for a month, computed by DuckDB scanning the raw events.

Loads the NDJSON events the benchmark sent (each event once, as dxmon keeps them) into
a DuckDB table, then times the same question dxmon answers from its roll-ups. Prints
JSON: load seconds, median query milliseconds, and the rates per unit.
"""

import csv
import json
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone

import duckdb


RATE_NAMES = ["online_dossier_rate", "fully_online_rate", "on_time_rate", "digitised_rate",
              "e_result_rate", "online_payment_rate"]


def main(events_file, month, procedures_csv, repeat=5):
    year, mon = (int(x) for x in month.split("-"))
    first = date(year, mon, 1)
    following = date(year + (mon == 12), mon % 12 + 1, 1)
    vn = timezone(timedelta(hours=7))
    start = datetime(first.year, first.month, 1, tzinfo=vn)
    end = datetime(following.year, following.month, 1, tzinfo=vn)
    with open(procedures_csv, encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        fee = [r["procedure"] for r in rows if r["fee"].strip().lower() in ("yes", "có", "true", "1")]

    con = duckdb.connect()
    t = time.perf_counter()
    con.execute(
        """CREATE TABLE events AS
           SELECT DISTINCT ON (unit, event_id) unit, event_id, type, procedure, channel, fully_online,
                  on_time, CAST("at" AS TIMESTAMPTZ) AS "at"
           FROM read_json(?, format = 'newline_delimited', columns = {
               event_id: 'VARCHAR', type: 'VARCHAR', unit: 'VARCHAR', procedure: 'VARCHAR',
               dossier: 'VARCHAR', "at": 'VARCHAR', channel: 'VARCHAR', fully_online: 'BOOLEAN',
               on_time: 'BOOLEAN', satisfied: 'BOOLEAN', amount: 'BIGINT', load_ms: 'BIGINT', page: 'VARCHAR'})""",
        [events_file],
    )
    load_s = time.perf_counter() - t
    query = """
        SELECT unit,
          100.0 * count(*) FILTER (type = 'dossier.received' AND channel = 'online')
                / nullif(count(*) FILTER (type = 'dossier.received'), 0),
          100.0 * count(*) FILTER (type = 'dossier.received' AND fully_online)
                / nullif(count(*) FILTER (type = 'dossier.received'), 0),
          100.0 * count(*) FILTER (type = 'dossier.returned' AND on_time)
                / nullif(count(*) FILTER (type = 'dossier.returned'), 0),
          100.0 * count(*) FILTER (type = 'dossier.digitised')
                / nullif(count(*) FILTER (type = 'dossier.received'), 0),
          100.0 * count(*) FILTER (type = 'dossier.e_result')
                / nullif(count(*) FILTER (type = 'dossier.returned'), 0),
          100.0 * count(*) FILTER (type = 'dossier.paid')
                / nullif(count(*) FILTER (type = 'dossier.received' AND list_contains(?, procedure)), 0)
        FROM events WHERE "at" >= ? AND "at" < ? GROUP BY unit"""
    times, answer = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        answer = con.execute(query, [fee, start, end]).fetchall()
        times.append((time.perf_counter() - t) * 1000)
    count = con.execute("SELECT count(*) FROM events").fetchone()[0]
    print(json.dumps({
        "events": count,
        "load_s": load_s,
        "query_ms": statistics.median(times),
        # Named as dxmon's API and `dxmon bench query` name the rates.
        "rates": {u: dict(zip(RATE_NAMES, r)) for u, *r in answer},
    }))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
