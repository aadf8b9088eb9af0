#!/usr/bin/env bash
# The server killed (SIGKILL) between an approval and its event's send (issue 30): the event is in
# the database with the approval, and the next start sends it. On a fresh `onetable demo`, whose
# 民政局 system (the demo receiver, on the port after the server's) is subscribed to request 1:
#   1. the receiver is put down (503), demo_reviewer approves a submitted form of 5223;
#   2. the server is killed with SIGKILL at once, before any send could succeed;
#   3. the demo starts again over the same data (the receiver comes up with it): the event arrives.
# usage: scripts/webhook-crash.sh   (ONETABLE_BIN: the binary, PORT: the server's port)
set -euo pipefail
bin="${ONETABLE_BIN:-${CARGO_TARGET_DIR:-target}/release/onetable}"
port="${PORT:-18250}"
base="http://127.0.0.1:${port}"
receiver="http://127.0.0.1:$((port + 1))"
data="$(mktemp -d)"
trap 'kill -9 "${pid:-0}" 2>/dev/null || true; rm -rf "$data"' EXIT
start() {
  (cd "$data" && exec "$bin" demo --bind "127.0.0.1:${port}" >>"$data/demo.log" 2>&1) &
  pid=$!
  until curl -sf "$base/healthz" >/dev/null 2>&1; do sleep 0.2; done
  until curl -sf "$receiver/stats" >/dev/null 2>&1; do sleep 0.2; done
}
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
start
curl -sf -X POST "$receiver/mode" -d down
token=$(curl -sf "$base/api/v1/auth/login" -H 'content-type: application/json' \
  -d '{"username":"demo_reviewer","password":"Reviewer-demo-2025"}' | json 'd["access_token"]')
read -r village period revision < <(curl -sf -H "Authorization: Bearer $token" "$base/api/v1/review-queue" |
  json '" ".join(str(x) for x in [d["items"][0]["region_code"], d["items"][0]["period"], d["items"][0]["revision"]])')
curl -sf -o /dev/null -X POST -H "Authorization: Bearer $token" -H "If-Match: \"$revision\"" \
  -H 'content-type: application/json' -d '{}' "$base/api/v1/entries/$village/$period/approve"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
echo "approved $village/$period, then the server was killed (SIGKILL); receiver before: down"
started=$(date +%s.%N)
start
for _ in $(seq 1 600); do
  unique=$(curl -sf "$receiver/stats" | json 'd["unique"]')
  [ "$unique" -ge 1 ] && break
  sleep 0.1
done
printf 'after the restart the receiver has %s event(s), %.1f s after the new process was started\n' \
  "$unique" "$(echo "$(date +%s.%N) - $started" | bc)"
curl -sf "$receiver/stats"
echo
[ "$unique" -ge 1 ]
