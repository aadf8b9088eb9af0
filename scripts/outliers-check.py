#!/usr/bin/env python3
"""The outliers against history and against the county, computed again outside the server.

On a running onetable (a fresh `onetable demo`): reads each village's values of one indicator for
the period and the five years before it through the aggregates API (village level, submitted
included: another code path than the outlier search's), computes the modified z-scores in DuckDB
(median, MAD, the 5 % floor; the mean absolute deviation × 1.2533 when the MAD is 0; a county's
baseline holds all its villages, this one's too), and compares
the flagged villages and their scores with GET /api/v1/quality/outliers.

usage: scripts/outliers-check.py BASE_URL USERNAME PASSWORD WITHIN PERIOD [INDICATOR]
"""
import json
import sys
import urllib.request

import duckdb


def call(base, path, token=None, body=None):
    request = urllib.request.Request(base + path, data=json.dumps(body).encode() if body else None,
                                     headers={"content-type": "application/json"})
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


def main():
    base, user, password, within, period = sys.argv[1:6]
    indicator = sys.argv[6] if len(sys.argv) > 6 else "POP.REGISTERED"
    token = call(base, "/api/v1/auth/login", body={"username": user, "password": password})["access_token"]
    year = int(period)
    county = within[:6]
    rows = []
    for y in range(year - 5, year + 1):
        # The whole county: the peers of the villages asked for.
        page = call(base, f"/api/v1/aggregates?indicators={indicator}&within={county}&level=village&period={y}&include=submitted", token)
        rows += [(r["code"], y, r["values"].get(indicator)) for r in page["rows"] if r["values"].get(indicator) is not None]
    db = duckdb.connect()
    db.execute("CREATE TABLE v (village VARCHAR, year INTEGER, x DOUBLE)")
    db.executemany("INSERT INTO v VALUES (?, ?, ?)", rows)
    floor = """greatest(CASE WHEN mad > 0 THEN mad / 0.6745 ELSE meanad * 1.253314 END, 0.05 * abs(m), 1.0)"""
    history = db.execute(f"""
        WITH past AS (SELECT village, x FROM v WHERE year < {year}),
             center AS (SELECT village, median(x) AS m, count(*) AS n FROM past GROUP BY village),
             spread AS (SELECT p.village, median(abs(p.x - c.m)) AS mad, avg(abs(p.x - c.m)) AS meanad
                        FROM past p JOIN center c USING (village) GROUP BY p.village)
        SELECT now.village, (now.x - c.m) / {floor} AS score
        FROM v now JOIN center c USING (village) JOIN spread s USING (village)
        WHERE now.year = {year} AND c.n >= 3 AND starts_with(now.village, '{within}')
    """).fetchall()
    peers = db.execute(f"""
        WITH now AS (SELECT village, x FROM v WHERE year = {year}),
             pairs AS (SELECT a.village, a.x, b.x AS other FROM now a JOIN now b
                       ON substr(a.village, 1, 6) = substr(b.village, 1, 6)),
             center AS (SELECT village, any_value(x) AS x, median(other) AS m, count(*) AS n FROM pairs GROUP BY village),
             spread AS (SELECT p.village, median(abs(p.other - c.m)) AS mad, avg(abs(p.other - c.m)) AS meanad
                        FROM pairs p JOIN center c USING (village) GROUP BY p.village)
        SELECT village, (x - m) / {floor} AS score FROM center JOIN spread USING (village)
        WHERE n >= 6 AND starts_with(village, '{within}')
    """).fetchall()
    mine = {("history", v): s for v, s in history if abs(s) > 3.5}
    mine.update({("peers", v): s for v, s in peers if abs(s) > 3.5})
    theirs = call(base, f"/api/v1/quality/outliers?within={within}&period={period}&indicators={indicator}&limit=10000", token)
    served = {(o["against"], o["village"]): o["score"] for o in theirs["outliers"]}
    same = set(mine) & set(served)
    worst = max((abs(round(mine[k], 2) - served[k]) for k in same), default=0.0)
    print(f"{indicator} {within} {period}: DuckDB flags {len(mine)} ({sum(1 for k in mine if k[0] == 'history')} history, "
          f"{sum(1 for k in mine if k[0] == 'peers')} peers); the server {len(served)}; in both {len(same)}; "
          f"largest score difference {worst:.3f}")
    for key in sorted(set(mine) ^ set(served)):
        print("  only", "DuckDB" if key in mine else "server", key, mine.get(key), served.get(key))
    sys.exit(0 if set(mine) == set(served) and worst < 0.02 else 1)


if __name__ == "__main__":
    main()
