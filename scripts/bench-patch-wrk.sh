#!/usr/bin/env bash
# PATCH latency with 16 concurrent clerks, measured by wrk (apt-get install wrk) instead of the
# in-process Rust client of `onetable bench patch`, which competes for the same cores.
#
# Usage: scripts/bench-patch-wrk.sh DATABASE_URL [CLIENTS] [SECONDS]
# Run `onetable --database-url DATABASE_URL bench patch --clients N --seconds 1` once first: it
# loads the demo regions and catalogue and creates the clerks bench_clerk_0 … bench_clerk_{N-1}.
set -euo pipefail
url=$1; clients=${2:-16}; seconds=${3:-10}
bin=${ONETABLE_BIN:-target/release/onetable}
port=18199
work=$(mktemp -d)
RUST_LOG=warn ONETABLE_LOGIN_RATE_PER_MINUTE=10000 "$bin" --database-url "$url" serve --bind 127.0.0.1:$port &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
codes='PROFILE.GROUPS PROFILE.NATURAL_VILLAGES POP.HOUSEHOLDS POP.REGISTERED POP.MALE POP.FEMALE
POP.RESIDENT_HOUSEHOLDS POP.RESIDENT POP.AGED_60 POP.AGED_80 POP.UNDER_18 POP.MINORITY POP.DISABLED
LAB.LABOUR_FORCE LAB.SKILL_TRAINED LAB.PRIMARY_INDUSTRY_WORKERS ECO.COOPERATIVES ECO.HOMESTAYS
SOC.PENSION_INSURED SOC.MEDICAL_INSURED'
# One wrk process, one thread and one connection per clerk: each thread's Lua state holds its
# clerk's token, village and revision (from the last ETag). Sixteen wrk processes instead cost the
# shared cores more (measured in docs/benchmarks.md).
script="$work/clients.lua"
{
  echo "local clerks = {}"
  for i in $(seq 0 $((clients - 1))); do
    token=$(curl -s "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
      -d "{\"username\":\"bench_clerk_$i\",\"password\":\"Bench-pass-2025!\"}" | sed 's/.*"access_token":"\([^"]*\)".*/\1/')
    village=$(curl -s "http://127.0.0.1:$port/api/v1/me" -H "authorization: Bearer $token" | sed 's/.*"region":"\([0-9]*\)".*/\1/')
    revision=$(curl -s "http://127.0.0.1:$port/api/v1/entries/$village/2025" -H "authorization: Bearer $token" | sed 's/.*"revision":\([0-9]*\).*/\1/')
    echo "clerks[#clerks + 1] = { token = '$token', village = '$village', revision = $revision }"
  done
  echo "local codes = {}"
  for c in $codes; do echo "codes[#codes + 1] = '$c'"; done
  cat <<'LUA'
local next_clerk = 0
setup = function(thread)
  next_clerk = next_clerk + 1
  local clerk = clerks[next_clerk]
  thread:set("token", clerk.token)
  thread:set("village", clerk.village)
  thread:set("revision", clerk.revision)
end
-- Every request changes all 20 values; the values repeat every 50 requests, so the 50 bodies are
-- built once rather than by the load tool on every request.
local bodies = {}
for n = 1, 50 do
  local parts = {}
  for i, c in ipairs(codes) do parts[#parts + 1] = string.format('"%s":%d', c, 10 + (n + i) % 50) end
  bodies[n] = '{"values":{' .. table.concat(parts, ',') .. '},"reason":"bench"}'
end
local n = 0
request = function()
  n = n % 50 + 1
  local body = bodies[n]
  local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token,
                    ["If-Match"] = tostring(revision) }
  return wrk.format("PATCH", "/api/v1/entries/" .. village .. "/2025", headers, body)
end
response = function(status, headers, body)
  if status ~= 200 then io.stderr:write("status " .. status .. "\n") end
  local etag = headers["etag"] or headers["ETag"]
  if etag then revision = tonumber((etag:gsub('"', ''))) end
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %d %.3f %.3f %.3f %d\n", summary.requests, latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
LUA
} > "$script"
wrk -t"$clients" -c"$clients" -d"${seconds}s" -s "$script" "http://127.0.0.1:$port" > "$work/out.txt" 2>"$work/err.txt"
awk -v s="$seconds" -v k="$clients" '/^RESULT/ {
    printf "clients %d: %d PATCH in %d s (%.0f/s), non-2xx %d; median %.2f ms, p99 %.2f ms, max %.2f ms\n",
      k, $2, s, $2 / s, $6, $3, $4, $5 }' "$work/out.txt"
grep -h status "$work"/err.txt | sort | uniq -c | head -5 || true
