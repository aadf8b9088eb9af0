#!/usr/bin/env bash
# Outside peers of the API, against a real `onetable demo` (SQLite, demo data) on a free port:
#   1. a Python client generated from the committed spec by openapi-python-client drives a login,
#      an entry read, an aggregate, a pull and an import (tests/peers/generated_client.py);
#   2. the partitioned extract (`onetable extract`) of the demo, read by DuckDB and Apache Spark in
#      local mode, which must compute every county's sums and ratios as /api/v1/aggregates does;
#   3. schemathesis over the served spec, as a clerk and then as an admin: any 5xx, undocumented
#      status, wrong content type or answer that breaks its schema fails the run.
# Needs the `onetable` binary (ONETABLE_BIN, default $CARGO_TARGET_DIR/debug/onetable) and
# python3 with schemathesis and openapi-python-client (.ci/run installs the pinned versions).
# SCHEMATHESIS_SEED picks the seed (fixed by default, so a red run can be replayed);
# SCHEMATHESIS_EXAMPLES the examples per operation.
set -euo pipefail
cd "$(dirname "$0")/.."

bin="${ONETABLE_BIN:-${CARGO_TARGET_DIR:-target}/debug/onetable}"
port="${PEERS_PORT:-18180}"
seed="${SCHEMATHESIS_SEED:-20261201}"
examples="${SCHEMATHESIS_EXAMPLES:-25}"
base="http://127.0.0.1:${port}"
dir=$(mktemp -d)
bin=$(realpath "$bin")
spec=$(realpath openapi/openapi.json)
peers=$(realpath tests/peers)

(cd "$dir" && ONETABLE_BIND="127.0.0.1:${port}" ONETABLE_DATA_DIR="$dir/data" exec "$bin" demo >"$dir/server.log" 2>&1) &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -sf "$base/readyz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$dir/server.log"; echo "the demo server did not start"; exit 1; }
  sleep 1
done
curl -sf "$base/readyz" >/dev/null || { cat "$dir/server.log"; echo "the demo server is not ready"; exit 1; }

token() {
  curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}

echo "== generated Python client (openapi-python-client) against the committed spec"
(cd "$dir" && python3 "$peers/generated_client.py" "$base" "$spec")

echo "== the partitioned extract of the demo prefecture, read by DuckDB and Spark (local mode)"
(cd "$dir" && ONETABLE_DATA_DIR="$dir/data" "$bin" extract --to "$dir/lake" --period 2025)
(cd "$dir" && python3 "$peers/extract_engines.py" "$base" "$dir/lake" 2>&1 | grep -v -e WARN -e setLogLevel -e '^Setting default log level')

# Auth endpoints and the own-password change are left out so that nothing locks an account or
# spends the address's sign-in budget, PATCH of users so the run cannot change its own account's
# password or role half-way (which ends its token), and the chat-robot setting so that the server
# is never told to post reminders to whatever address the fuzzer makes up.
status=0
for who in "demo_clerk Clerk-demo-2025" "demo_admin Admin-demo-2025"; do
  set -- $who
  echo "== schemathesis as $1 (seed $seed, $examples examples per operation)"
  bearer=$(token "$1" "$2")
  (cd "$dir" && st run "$base/openapi.json" \
    -H "Authorization: Bearer $bearer" \
    --exclude-path-regex '^/api/v1/(auth/|me/password)' \
    --exclude-operation-id update_user \
    --exclude-operation-id set_hook \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --phases examples,coverage,fuzzing \
    --max-examples "$examples" --seed "$seed" --workers 2 --request-timeout 30 \
    --warnings off) || status=1
done
if grep -q 'panicked' "$dir/server.log"; then
  grep -n 'panicked' "$dir/server.log"
  echo "the server panicked"
  status=1
fi
exit "$status"
