#!/usr/bin/env bash
# The first aggregate after a restart, without and with a cube snapshot (issue 18), on a database
# holding national data (`onetable regions import` of the national list, then `onetable bench
# cube`). Starts `onetable serve` three times over the same database and data folder:
#   1. no snapshot yet: the first aggregate builds the cube from the store (and writes the snapshot);
#   2. and 3. restarts: the first aggregate is answered from the snapshot, loaded at start.
# usage: scripts/bench-snapshot.sh DATABASE_URL DATA_DIR
set -euo pipefail
bin="${ONETABLE_BIN:-${CARGO_TARGET_DIR:-target}/release/onetable}"
url="$1"
data="$2"
port="${PORT:-18190}"
base="http://127.0.0.1:${port}"
mkdir -p "$data"
rm -rf "$data/cubes"
printf 'Bench-viewer-2025\n' | "$bin" --database-url "$url" users add --username bench_snapshot --role viewer >/dev/null 2>&1 || true
run() {
  ONETABLE_BIND="127.0.0.1:${port}" ONETABLE_DATA_DIR="$data" "$bin" --database-url "$url" serve >"$data/serve.log" 2>&1 &
  pid=$!
  local started=$(date +%s.%N)
  until curl -sf "$base/healthz" >/dev/null 2>&1; do sleep 0.05; done
  token=$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d '{"username":"bench_snapshot","password":"Bench-viewer-2025"}' | python3 -c 'import json,sys;print(json.load(sys.stdin)["access_token"])')
  local asked=$(date +%s.%N)
  curl -sf -o /dev/null -H "Authorization: Bearer $token" \
    "$base/api/v1/aggregates?indicators=POP.REGISTERED,DER.AGEING_RATE&level=province&period=2025"
  local answered=$(date +%s.%N)
  local warm=$(curl -sf "$base/readyz")
  printf '%s: first aggregate %.2f s after it was asked, %.2f s after the process started; readyz %s\n' \
    "$1" "$(echo "$answered - $asked" | bc)" "$(echo "$answered - $started" | bc)" "$warm"
  if [ "$1" = "no snapshot" ]; then
    until [ -f "$data/cubes/cube-2025.json" ]; do sleep 0.2; done
    ls -l "$data/cubes" | tail -n +2
  fi
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}
run "no snapshot"
run "restart with the snapshot"
run "restart with the snapshot again"
