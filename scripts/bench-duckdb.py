"""DuckDB over `onetable extract`: the county rollup that `onetable bench cube` times — sums and
ratios of sums to every county, approved entries only — over the Parquet files and over an
in-memory table loaded from them. Prints the median of 7 runs of each.

usage: bench-duckdb.py LAKE_DIR PERIOD CODE,CODE,…   (derived codes DER.* are computed as ratios)
"""

import statistics
import sys
import time

import duckdb

LAKE, PERIOD, CODES = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
# The bench's two ratios of sums, as the registry defines them.
RATIOS = {"DER.AGEING_RATE": ("POP.AGED_60", "POP.REGISTERED"), "DER.SEX_RATIO": ("POP.MALE", "POP.FEMALE")}


def column(code):
    return code.lower().replace(".", "_")


def query(table):
    sums = [c for c in CODES if c not in RATIOS]
    inputs = {i for c in CODES if c in RATIOS for i in RATIOS[c]}
    parts = [f"sum({column(c)}) as {column(c)}" for c in sums]
    parts += [f"sum({column(i)}) as in_{column(i)}" for i in sorted(inputs)]
    ratios = [f"in_{column(n)} * 100.0 / nullif(in_{column(d)}, 0) as {column(c)}" for c, (n, d) in RATIOS.items() if c in CODES]
    inner = f"select county_code, {', '.join(parts)} from {table} where status = 'approved' group by county_code"
    return f"select county_code, {', '.join(column(c) for c in sums)}, {', '.join(ratios)} from ({inner}) order by county_code"


def median_ms(con, sql):
    samples = []
    rows = 0
    for _ in range(7):
        started = time.perf_counter()
        rows = len(con.execute(sql).fetchall())
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), rows


con = duckdb.connect()
con.execute(f"create view lake as select * from read_parquet('{LAKE}/period={PERIOD}/*/*.parquet', hive_partitioning = true)")
files, rows = median_ms(con, query("lake"))
print(f"DuckDB {duckdb.__version__} over the Parquet files: median {files:.1f} ms ({rows} counties)")
con.execute("create table memory as select * from lake")
memory, rows = median_ms(con, query("memory"))
print(f"DuckDB {duckdb.__version__} over an in-memory table: median {memory:.1f} ms ({rows} counties)")
