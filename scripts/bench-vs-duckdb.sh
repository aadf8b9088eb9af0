#!/usr/bin/env bash
# Our warm county rollup and DuckDB's over the extract of the same data, in one run (issue 18):
# `onetable bench cube` (times the rollup of 10 indicators to every county), `onetable extract`
# of the same period, then scripts/bench-duckdb.py over it, and the ratio.
# usage: scripts/bench-vs-duckdb.sh DATABASE_URL LAKE_DIR   (needs `pip install duckdb==1.1.3`)
set -euo pipefail
bin="${ONETABLE_BIN:-${CARGO_TARGET_DIR:-target}/release/onetable}"
url="$1"
lake="$2"
out=$(mktemp)
"$bin" --database-url "$url" bench cube 2>/dev/null | tee "$out"
codes=$(sed -n 's/^indicators of the rollups: //p' "$out")
ours=$(sed -n 's/^rollup of 10 indicators .* to county .*the rollup on the cube: \([0-9.]*\) ms.*/\1/p' "$out")
rm -rf "$lake"
"$bin" --database-url "$url" extract --to "$lake" --period 2025 2>/dev/null | tail -1
python3 "$(dirname "$0")/bench-duckdb.py" "$lake" 2025 "$codes" | tee "$out"
theirs=$(sed -n 's/^DuckDB .* in-memory table: median \([0-9.]*\) ms.*/\1/p' "$out")
files=$(sed -n 's/^DuckDB .* Parquet files: median \([0-9.]*\) ms.*/\1/p' "$out")
python3 -c "print(f'ours {float(\"$ours\"):.1f} ms; DuckDB in memory / ours = {float(\"$theirs\") / float(\"$ours\"):.1f}x; DuckDB over Parquet / ours = {float(\"$files\") / float(\"$ours\"):.1f}x')"
rm -f "$out"
