#!/usr/bin/env python3
"""The pages' speed in headless Chromium (issue 15): bytes transferred on the form's first load,
time from navigation to an editable form, and the save round trip of one field.

Usage: start the demo (`onetable demo --bind 127.0.0.1:8080`, a release build for the numbers of
docs/benchmarks.md), then `scripts/bench-pages.py http://127.0.0.1:8080 [SAVES]`. Needs chromium
and chromedriver (apt-get install chromium chromium-driver); Python's standard library only.
The times come from the page's own marks (`onetable-form-editable`, `onetable-save` in form.js).
"""
import statistics
import sys

from headless import Chromium

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
SAVES = int(sys.argv[2]) if len(sys.argv) > 2 else 30


def main():
    with Chromium(360, 640, poll=0.02) as browser:
        # Sign in through the login page (a fresh profile: nothing cached).
        browser.sign_in(BASE, "demo_clerk", "Clerk-demo-2025", "return location.pathname === '/' && document.getElementById('worklist')")
        # The form's first load: resources are counted from this navigation on.
        browser.goto(BASE + "/form?period=2025")
        editable = browser.wait("const m = performance.getEntriesByName('onetable-form-editable')[0]; return m && m.startTime")
        fields = browser.js("return document.querySelectorAll('.field input, .field select').length")
        entries = browser.js("return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
                     ".map(e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize])")
        transferred = sum(e[1] for e in entries)
        body = sum(e[2] for e in entries)
        decoded = sum(e[3] for e in entries)
        # The save round trip: one field, a new value each time, leaving it each time.
        for i in range(SAVES):
            browser.js("const f = document.getElementById('f-POP.HOUSEHOLDS'); f.value = String(arguments[0]);"
               "f.dispatchEvent(new Event('change'))", 300 + i)
            browser.wait(f"return performance.getEntriesByName('onetable-save').length >= {i + 1}")
        saves = browser.js("return performance.getEntriesByName('onetable-save').map(m => m.duration)")
        print(f"form of 2025: {fields} inputs; {len(entries)} requests on first load")
        print(f"first load: {transferred / 1024:.1f} KiB transferred ({body / 1024:.1f} KiB bodies as sent, "
              f"{decoded / 1024:.1f} KiB decoded)")
        print(f"navigation → editable form: {editable:.0f} ms")
        print(f"save round trip of one field ({len(saves)} saves): median {statistics.median(saves):.1f} ms, "
              f"max {max(saves):.1f} ms")
        for name, size, _, _ in sorted(entries, key=lambda e: -e[1])[:6]:
            print(f"  {size / 1024:7.1f} KiB  {name.replace(BASE, '')}")


if __name__ == "__main__":
    main()
