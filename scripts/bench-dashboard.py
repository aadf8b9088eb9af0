#!/usr/bin/env python3
"""The dashboard's speed in headless Chromium (issue 16): from opening the national dashboard to
its first charts drawn (warm cube), and from a drill-down click to the next level's charts.

Usage: a server over the national data (`onetable bench cube` fills it; add a nationwide viewer
with `onetable users add --username bench_viewer --role viewer`), then
`scripts/bench-dashboard.py http://127.0.0.1:8080 bench_viewer PASSWORD [RUNS]`. Needs chromium and
chromedriver; Python's standard library only. Times come from the page's own mark
(`onetable-dashboard-drawn` in dashboard.js, set on the frame after the charts are drawn).
"""
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

BASE = sys.argv[1].rstrip("/") if len(sys.argv) > 1 else "http://127.0.0.1:8080"
USER = sys.argv[2] if len(sys.argv) > 2 else "bench_viewer"
PASSWORD = sys.argv[3] if len(sys.argv) > 3 else ""
RUNS = int(sys.argv[4]) if len(sys.argv) > 4 else 10
VIEW = "/dashboard?period=2025&indicators=POP.REGISTERED,DER.AGEING_RATE"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(driver, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(driver + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")["value"]


def main():
    port = free_port()
    driver_process = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    driver = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            call(driver, "GET", "/status")
            break
        except OSError:
            time.sleep(0.1)
    profile = tempfile.mkdtemp()
    caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800", f"--user-data-dir={profile}"]}}}}
    session = call(driver, "POST", "/session", caps)["sessionId"]
    s = f"/session/{session}"

    def js(script, *args):
        return call(driver, "POST", s + "/execute/sync", {"script": script, "args": list(args)})

    def wait(script, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = js(script)
            if value:
                return value
            time.sleep(0.01)
        raise SystemExit(f"timed out waiting for: {script}")

    drawn = "const m = performance.getEntriesByName('onetable-dashboard-drawn'); return m.length && m[m.length - 1].startTime"
    try:
        call(driver, "POST", s + "/url", {"url": BASE + "/login"})
        wait("return document.getElementById('username')")
        js("document.getElementById('username').value = arguments[0];"
           "document.getElementById('password').value = arguments[1];"
           "document.getElementById('login-form').requestSubmit()", USER, PASSWORD)
        wait("return location.pathname === '/dashboard'")
        # Opening the national dashboard: the first time may build the cube; then warm.
        opens = []
        for _ in range(RUNS + 1):
            call(driver, "POST", s + "/url", {"url": BASE + VIEW})
            opens.append(wait(drawn))
        entries = js("return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
                     ".map(e => [e.name, e.transferSize, e.decodedBodySize])")
        rows = js("return document.querySelectorAll('#aggregate-table tbody tr').length")
        # Drill-down: a click on the first province's name to its charts, and back up.
        drills = []
        for _ in range(RUNS):
            code = js("const a = document.querySelector('#aggregate-table a[data-region]'); window.t0 = performance.now();"
                      "a.click(); return a.dataset.region")
            wait(f"return document.body.dataset.drawn === '{code}/2025'")
            drills.append(wait("const m = performance.getEntriesByName('onetable-dashboard-drawn'); const t = m[m.length - 1].startTime;"
                               "return t > window.t0 && t - window.t0"))
            js("document.querySelector('#breadcrumb a[data-region=\"\"]').click()")
            wait("return document.body.dataset.drawn === '/2025'")
        print(f"national dashboard: {rows} provinces, 2 indicators + completeness")
        print(f"open → first charts drawn: first {opens[0]:.0f} ms (may build the cube); "
              f"warm median {statistics.median(opens[1:]):.0f} ms, max {max(opens[1:]):.0f} ms ({RUNS} runs)")
        print(f"drill-down click → next charts drawn: median {statistics.median(drills):.0f} ms, max {max(drills):.0f} ms ({RUNS} runs)")
        transferred = sum(e[1] for e in entries)
        print(f"last load: {transferred / 1024:.1f} KiB transferred (cached assets count 0)")
    finally:
        try:
            call(driver, "DELETE", s)
        finally:
            driver_process.terminate()


if __name__ == "__main__":
    main()
