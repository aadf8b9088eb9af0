#!/usr/bin/env python3
"""The pages' speed in headless Chromium (issue 15): bytes transferred on the form's first load,
time from navigation to an editable form, and the save round trip of one field.

Usage: start the demo (`onetable demo --bind 127.0.0.1:8080`, a release build for the numbers of
docs/benchmarks.md), then `scripts/bench-pages.py http://127.0.0.1:8080 [SAVES]`. Needs chromium
and chromedriver (apt-get install chromium chromium-driver); Python's standard library only.
The times come from the page's own marks (`onetable-form-editable`, `onetable-save` in form.js).
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
SAVES = int(sys.argv[2]) if len(sys.argv) > 2 else 30


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
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=360,640", f"--user-data-dir={profile}"]}}}}
    session = call(driver, "POST", "/session", caps)["sessionId"]
    s = f"/session/{session}"

    def js(script, *args):
        return call(driver, "POST", s + "/execute/sync", {"script": script, "args": list(args)})

    def wait(script, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = js(script)
            if value:
                return value
            time.sleep(0.02)
        raise SystemExit(f"timed out waiting for: {script}")

    try:
        # Sign in through the login page (a fresh profile: nothing cached).
        call(driver, "POST", s + "/url", {"url": BASE + "/login"})
        wait("return document.getElementById('username')")
        js("document.getElementById('username').value = 'demo_clerk';"
           "document.getElementById('password').value = 'Clerk-demo-2025';"
           "document.getElementById('login-form').requestSubmit()")
        wait("return location.pathname === '/' && document.getElementById('worklist')")
        # The form's first load: resources are counted from this navigation on.
        call(driver, "POST", s + "/url", {"url": BASE + "/form?period=2025"})
        editable = wait("const m = performance.getEntriesByName('onetable-form-editable')[0]; return m && m.startTime")
        fields = js("return document.querySelectorAll('.field input, .field select').length")
        entries = js("return [performance.getEntriesByType('navigation')[0], ...performance.getEntriesByType('resource')]"
                     ".map(e => [e.name, e.transferSize, e.encodedBodySize, e.decodedBodySize])")
        transferred = sum(e[1] for e in entries)
        body = sum(e[2] for e in entries)
        decoded = sum(e[3] for e in entries)
        # The save round trip: one field, a new value each time, leaving it each time.
        for i in range(SAVES):
            js("const f = document.getElementById('f-POP.HOUSEHOLDS'); f.value = String(arguments[0]);"
               "f.dispatchEvent(new Event('change'))", 300 + i)
            wait(f"return performance.getEntriesByName('onetable-save').length >= {i + 1}")
        saves = js("return performance.getEntriesByName('onetable-save').map(m => m.duration)")
        print(f"form of 2025: {fields} inputs; {len(entries)} requests on first load")
        print(f"first load: {transferred / 1024:.1f} KiB transferred ({body / 1024:.1f} KiB bodies as sent, "
              f"{decoded / 1024:.1f} KiB decoded)")
        print(f"navigation → editable form: {editable:.0f} ms")
        print(f"save round trip of one field ({len(saves)} saves): median {statistics.median(saves):.1f} ms, "
              f"max {max(saves):.1f} ms")
        for name, size, _, _ in sorted(entries, key=lambda e: -e[1])[:6]:
            print(f"  {size / 1024:7.1f} KiB  {name.replace(BASE, '')}")
    finally:
        try:
            call(driver, "DELETE", s)
        finally:
            driver_process.terminate()


if __name__ == "__main__":
    main()
