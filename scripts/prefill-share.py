#!/usr/bin/env python3
"""The share of a demo village's form that arrives filled without typing (数据回流, issue 30).

Run against a fresh `onetable demo` (default http://127.0.0.1:8080): signs in as demo_clerk and,
for each period given (default: the annual form being filled), counts per section the fields the
clerk types (no formula) and how many of them arrive without typing: a department's supplied
value (预填), a register's count (台账), or last period's value offered for 上期无变化，一键确认.
Nothing is written."""

import json
import sys
import urllib.request

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080"
PERIODS = sys.argv[2:] or None


def call(path, token=None, body=None):
    request = urllib.request.Request(BASE + path, data=json.dumps(body).encode() if body else None)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)


token = call("/api/v1/auth/login", body={"username": "demo_clerk", "password": "Clerk-demo-2025"})["access_token"]
me = call("/api/v1/me", token)
periods = PERIODS or [w["period"] for w in call("/api/v1/worklist", token)["items"]][:1]
for period in periods:
    form = call(f"/api/v1/form?period={period}", token)
    entry = call(f"/api/v1/entries/{me['region']}/{period}", token)
    supplied = {s["indicator"] for s in entry["supplied"]}
    registers = {r["indicator"] for r in entry["register_values"]}
    previous = {c["code"] for c in entry["carried_forward"]}
    print(f"{me['region']} {period}: section, typed fields, supplied, from registers, last period offered, arrive filled")
    totals = [0, 0, 0, 0, 0]
    for section in form["sections"]:
        fields = [f["code"] for f in section["fields"] if not f.get("derived")]
        s = sum(1 for c in fields if c in supplied)
        r = sum(1 for c in fields if c in registers)
        p = sum(1 for c in fields if c in previous and c not in supplied and c not in registers)
        filled = s + r + p
        for i, n in enumerate([len(fields), s, r, p, filled]):
            totals[i] += n
        share = f"{100 * filled / len(fields):.0f} %" if fields else "-"
        print(f"  {section['category']}: {len(fields)}, {s}, {r}, {p}, {filled} ({share})")
    share = f"{100 * totals[4] / totals[0]:.0f} %" if totals[0] else "-"
    print(f"  whole form: {totals[0]}, {totals[1]}, {totals[2]}, {totals[3]}, {totals[4]} ({share})")
