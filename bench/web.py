"""Web figures: requests per second and p50/p99 latency under concurrent load on loopback.

Starts gunicorn (2 workers x 4 threads, SQLite in a temporary folder), then loads, one after
the other: a trivial view (/healthz, the baseline), the self-check results page (engine +
template + session), and POST /api/v1/assess. Prints figures; asserts nothing.

Run: .venv/bin/python bench/web.py [--seconds 5] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEMO = (ROOT / "examples" / "demo.json").read_text()
YES = "&".join(
    f"{c}=yes"
    for c in (
        "urge_to_move",
        "worse_at_rest",
        "relieved_by_movement",
        "evening_or_night",
        "not_explained_by_other_condition",
    )
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """A browser-like client: keeps cookies, sends the CSRF token back."""

    def __init__(self, port: int):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, ctype: str | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if ctype:
            headers["Content-Type"] = ctype
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
            headers["Referer"] = "http://127.0.0.1/"
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data


def prepare(port: int) -> Session:
    s = Session(port)
    s.request("GET", "/self-check/step/about/")
    form = "application/x-www-form-urlencoded"
    s.request("POST", "/self-check/step/about/", "age=58&sex=female", form)
    s.request("POST", "/self-check/step/screening/", YES, form)
    s.request("POST", "/self-check/step/legs/", "leg-crawling=on", form)
    s.request("POST", "/self-check/step/sleep-mood/", "palpitations=on", form)
    s.request("POST", "/self-check/step/energy/", "pale-face=on", form)
    status, _ = s.request("GET", "/self-check/results/")
    assert status == 200, status
    return s


def load(port: int, label: str, make_call, seconds: float, clients: int) -> None:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker() -> None:
        nonlocal errors
        call = make_call()
        mine, bad = [], 0
        while time.perf_counter() < stop:
            t = time.perf_counter()
            status = call()
            mine.append(time.perf_counter() - t)
            bad += status != 200
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(len(latencies) * 0.99)] * 1000
    print(
        f"{label:40} {len(latencies) / elapsed:8.0f} req/s   p50 {p50:6.1f} ms   p99 {p99:6.1f} ms"
        f"   errors {errors}"
    )


def ab(port: int, path: str, clients: int, seconds: float, body: Path | None = None):
    """ApacheBench (apt install apache2-utils) with keep-alive: requests/s and p99 in ms. A C
    client leaves the two cores to the server, where the Python client takes its share."""
    cmd = ["ab", "-q", "-k", "-s", "60", "-c", str(clients), "-t", f"{seconds:g}", "-n", "1000000"]
    if body is not None:
        cmd += ["-p", str(body), "-T", "application/json"]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    ).stdout

    def after(label: str, default: str = "nan") -> float:
        return float(out.split(label, 1)[1].split()[0]) if label in out else float(default)

    failed = after("Failed requests:", "0") + after("Non-2xx responses:", "0")
    return after("Requests per second:"), after(" 99%"), int(failed)


def ab_rounds(port: int, seconds: float, rounds: int = 3) -> None:
    """/healthz and the assess API in turn, at 8 and 16 connections, `rounds` times each, so
    the load other programs put on the machine falls on both alike; medians."""
    body = Path(tempfile.mkdtemp(prefix="anmian-bench-ab-")) / "demo.json"
    body.write_text(DEMO)
    for clients in (8, 16):
        got: dict[str, list[tuple[float, float, int]]] = {"health": [], "assess": [], "full": []}
        for _ in range(rounds):
            got["health"].append(ab(port, "/healthz", clients, seconds))
            got["assess"].append(ab(port, "/api/v1/assess", clients, seconds, body))
            got["full"].append(ab(port, "/api/v1/assess?detail=full", clients, seconds, body))
        med = {k: [statistics.median(x[i] for x in v) for i in range(3)] for k, v in got.items()}
        h, a, f = med["health"], med["assess"], med["full"]
        print(
            f"ab, {clients:2} connections: /healthz {h[0]:6.0f} req/s p99 {h[1]:4.0f} ms; "
            f"POST /api/v1/assess {a[0]:6.0f} req/s p99 {a[1]:4.0f} ms "
            f"({a[0] / h[0]:.0%} of /healthz); ?detail=full {f[0]:6.0f} req/s p99 {f[1]:4.0f} ms "
            f"({f[0] / h[0]:.0%}); errors {h[2] + a[2] + f[2]:.0f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--ab-only", action="store_true", help="only the ApacheBench rounds")
    args = parser.parse_args()
    port = free_port()
    data = tempfile.mkdtemp(prefix="anmian-bench-")
    env = os.environ | {
        "SECRET_KEY": "bench-" + "x" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DATA_DIR": data,
        "ANMIAN_ANON_RATE": "1000000/min",
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
    }
    subprocess.run([BIN / "python", ROOT / "manage.py", "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [BIN / "python", ROOT / "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "anmian.web.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        env=env,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        print(
            f"gunicorn 2 workers x 4 threads, SQLite, {args.clients} concurrent clients, "
            f"{args.seconds:g} s each, loopback"
        )

        def healthz():
            s = Session(port)
            return lambda: s.request("GET", "/healthz")[0]

        def results():
            s = prepare(port)
            return lambda: s.request("GET", "/self-check/results/")[0]

        def api():
            s = Session(port)
            return lambda: s.request("POST", "/api/v1/assess", DEMO, "application/json")[0]

        if shutil.which("ab"):
            ab_rounds(port, args.seconds)
        if args.ab_only:
            return
        load(port, "GET /healthz (trivial baseline)", healthz, args.seconds, args.clients)
        load(port, "GET /self-check/results/", results, args.seconds, args.clients)
        load(port, "POST /api/v1/assess (demo case)", api, args.seconds, args.clients)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
