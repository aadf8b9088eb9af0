"""Headless Chromium over chromedriver's WebDriver API, for the page benchmarks
(bench-pages.py, bench-dashboard.py): Python's standard library only."""
import json
import socket
import subprocess
import tempfile
import time
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(driver, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(driver + path, data=data, method=method, headers={"content-type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")["value"]


class Chromium:
    """One chromedriver and one headless session with a fresh profile (nothing cached); a context
    manager that ends both."""

    def __init__(self, width, height, poll=0.02):
        self.width, self.height, self.poll = width, height, poll

    def __enter__(self):
        port = free_port()
        self.process = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.driver = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                call(self.driver, "GET", "/status")
                break
            except OSError:
                time.sleep(0.1)
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"args": [
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={self.width},{self.height}",
            f"--user-data-dir={tempfile.mkdtemp()}"]}}}}
        self.session = "/session/" + call(self.driver, "POST", "/session", caps)["sessionId"]
        return self

    def __exit__(self, *_):
        try:
            call(self.driver, "DELETE", self.session)
        finally:
            self.process.terminate()

    def goto(self, url):
        call(self.driver, "POST", self.session + "/url", {"url": url})

    def js(self, script, *args):
        return call(self.driver, "POST", self.session + "/execute/sync", {"script": script, "args": list(args)})

    def wait(self, script, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = self.js(script)
            if value:
                return value
            time.sleep(self.poll)
        raise SystemExit(f"timed out waiting for: {script}")

    def sign_in(self, base, username, password, landed):
        """Through the login page; waits until `landed` (a script) is true."""
        self.goto(base + "/login")
        self.wait("return document.getElementById('username')")
        self.js("document.getElementById('username').value = arguments[0];"
                "document.getElementById('password').value = arguments[1];"
                "document.getElementById('login-form').requestSubmit()", username, password)
        self.wait(landed)
