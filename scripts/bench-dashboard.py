#!/usr/bin/env python3
"""The dashboard's speed in headless Chromium (issue 16): from opening the national dashboard to
its first charts drawn (warm cube), and from a drill-down click to the next level's charts.

Usage: a server over the national data (`onetable bench cube` fills it; add a nationwide viewer
with `onetable users add --username bench_viewer --role viewer`), then
`scripts/bench-dashboard.py http://127.0.0.1:8080 bench_viewer PASSWORD [RUNS]`. Needs chromium and
chromedriver; Python's standard library only. Times come from the page's own mark
(`onetable-dashboard-drawn` in dashboard.js, set on the frame after the charts are drawn).
"""
import statistics
import sys

from headless import Chromium

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
USER = sys.argv[2] if len(sys.argv) > 2 else "bench_viewer"
PASSWORD = sys.argv[3] if len(sys.argv) > 3 else ""
RUNS = int(sys.argv[4]) if len(sys.argv) > 4 else 10
VIEW = "/dashboard?period=2025&indicators=POP.REGISTERED,DER.AGEING_RATE"
DRAWN = "const m = performance.getEntriesByName('onetable-dashboard-drawn'); return m.length && m[m.length - 1].startTime"


def main():
    with Chromium(1280, 800, poll=0.01) as browser:
        browser.sign_in(BASE, USER, PASSWORD, "return location.pathname === '/dashboard'")
        # Opening the national dashboard: the first time may build the cube; then warm.
        opens = []
        for _ in range(RUNS + 1):
            browser.goto(BASE + VIEW)
            opens.append(browser.wait(DRAWN, 120))
        entries = browser.js("return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
                     ".map(e => [e.name, e.transferSize, e.decodedBodySize])")
        rows = browser.js("return document.querySelectorAll('#aggregate-table tbody tr').length")
        # Drill-down: a click on the first province's name to its charts, and back up.
        drills = []
        for _ in range(RUNS):
            code = browser.js("const a = document.querySelector('#aggregate-table a[data-region]'); window.t0 = performance.now();"
                      "a.click(); return a.dataset.region")
            browser.wait(f"return document.body.dataset.drawn === '{code}/2025'")
            drills.append(browser.wait("const m = performance.getEntriesByName('onetable-dashboard-drawn'); const t = m[m.length - 1].startTime;"
                               "return t > window.t0 && t - window.t0"))
            browser.js("document.querySelector('#breadcrumb a[data-region=\"\"]').click()")
            browser.wait("return document.body.dataset.drawn === '/2025'")
        print(f"national dashboard: {rows} provinces, 2 indicators + completeness")
        print(f"open → first charts drawn: first {opens[0]:.0f} ms (may build the cube); "
              f"warm median {statistics.median(opens[1:]):.0f} ms, max {max(opens[1:]):.0f} ms ({RUNS} runs)")
        print(f"drill-down click → next charts drawn: median {statistics.median(drills):.0f} ms, max {max(drills):.0f} ms ({RUNS} runs)")
        transferred = sum(e[1] for e in entries)
        print(f"last load: {transferred / 1024:.1f} KiB transferred (cached assets count 0)")


if __name__ == "__main__":
    main()
