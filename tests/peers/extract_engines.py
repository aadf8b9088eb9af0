"""The partitioned extract read by real engines: DuckDB and Apache Spark (local mode) over
`onetable extract` of the demo prefecture compute, for every county, the same sums and
ratio-of-sums as GET /api/v1/aggregates (approved entries, as the API counts by default).

usage: extract_engines.py BASE_URL LAKE_DIR
"""

import json
import sys
import urllib.request

BASE, LAKE = sys.argv[1], sys.argv[2]
PERIOD = "2025"
SUMS = ["POP.REGISTERED", "POP.HOUSEHOLDS", "POP.MALE", "POP.FEMALE", "POP.AGED_60"]
# Ratios of sums: the API divides the sums of the inputs, never averages the villages' ratios.
RATIOS = {"DER.SEX_RATIO": ("POP.MALE", "POP.FEMALE", 100.0), "DER.AGEING_RATE": ("POP.AGED_60", "POP.REGISTERED", 100.0)}


def fail(message):
    sys.exit(f"FAILED: {message}")


def api_counties():
    login = urllib.request.Request(f"{BASE}/api/v1/auth/login", method="POST", headers={"content-type": "application/json"},
                                   data=json.dumps({"username": "demo_admin", "password": "Admin-demo-2025"}).encode())
    token = json.load(urllib.request.urlopen(login))["access_token"]
    codes = ",".join(SUMS + list(RATIOS))
    ask = urllib.request.Request(f"{BASE}/api/v1/aggregates?indicators={codes}&within=5223&level=county&period={PERIOD}",
                                 headers={"authorization": f"Bearer {token}"})
    answer = json.load(urllib.request.urlopen(ask))
    return {row["code"]: row["values"] for row in answer["rows"]}


def column(code):
    return code.lower().replace(".", "_")


def compare(engine, got, want):
    if set(got) != set(want):
        fail(f"{engine}: counties {sorted(got)} against the API's {sorted(want)}")
    for county, values in want.items():
        for code, expected in values.items():
            value = got[county].get(code)
            if expected is None and value is None:
                continue
            if value is None or expected is None or abs(value - expected) > 1e-6 * max(1.0, abs(expected)):
                fail(f"{engine}: {county} {code} = {value}, the API says {expected}")
    print(f"{engine}: {len(want)} counties × {len(SUMS) + len(RATIOS)} indicators as the API computes them")


def rows_to_values(rows):
    out = {}
    for row in rows:
        county, sums = row[0], dict(zip(SUMS, row[1:]))
        values = {code: (float(v) if v is not None else None) for code, v in sums.items()}
        for code, (num, den, scale) in RATIOS.items():
            n, d = sums[num], sums[den]
            values[code] = round(n / d * scale, 6) if n is not None and d else None
        out[county] = values
    return out


def sql():
    sums = ", ".join(f"sum({column(c)})" for c in SUMS)
    return f"select county_code, {sums} from lake where status = 'approved' group by county_code"


def duckdb_counties():
    import duckdb
    con = duckdb.connect()
    con.execute(f"create view lake as select * from read_parquet('{LAKE}/period={PERIOD}/*/*.parquet', hive_partitioning = true)")
    kinds = dict(con.execute("select column_name, column_type from (describe lake)").fetchall())
    if kinds.get("pop_registered") != "BIGINT" or kinds.get("der_sex_ratio") != "DOUBLE":
        fail(f"typed columns: {kinds}")
    return rows_to_values(con.execute(sql()).fetchall())


def spark_counties():
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[2]").appName("onetable-extract")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "4").getOrCreate())
    try:
        spark.read.parquet(LAKE).createOrReplaceTempView("lake")
        partitions = {r[0] for r in spark.sql("select distinct province from lake").collect()}
        if partitions != {52}:
            fail(f"spark read the partitions {partitions}")
        return rows_to_values([tuple(r) for r in spark.sql(sql()).collect()])
    finally:
        spark.stop()


def main():
    want = api_counties()
    compare("DuckDB", duckdb_counties(), want)
    compare("Spark", spark_counties(), want)


main()
