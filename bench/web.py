"""Web figures: requests per second and p50/p99 latency under concurrent load on loopback.

Starts gunicorn as scripts/serve.sh does (SQLite in a temporary folder), then loads, one after
the other: a trivial view (/healthz, the baseline), the self-check results page (engine +
template + session), and POST /api/v1/assess. Prints figures; asserts nothing.

With ApacheBench installed, --server may be given more than once (`gthread:2x4` is 2 workers
of 4 threads, `sync:3` 3 sync workers, `wsgi=module` another entry point): every server is
started at once and the rounds take them in turn, so the load other programs put on the
machine falls on each alike. Beside requests per second and p99 each line gives the CPU time
the server's workers spent per request (from /proc), the figure least moved by that load.

Run: .venv/bin/python bench/web.py [--seconds 5] [--clients 8] [--ab-only] [--server SPEC ...]
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
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


# What scripts/serve.sh starts (`make run`), read from it so the bench measures the shipped flags.
SERVE = (ROOT / "scripts" / "serve.sh").read_text()


def shipped() -> str:
    workers = re.search(r"--workers (\d+)", SERVE)
    threads = re.search(r"--threads (\d+)", SERVE)
    kind = re.search(r"--worker-class (\w+)", SERVE)
    name = kind.group(1) if kind else ("gthread" if threads else "sync")
    count = workers.group(1) if workers else "1"
    return (
        f"{name}:{count}x{threads.group(1)}" if name == "gthread" and threads else f"{name}:{count}"
    )


def gunicorn_args(spec: str) -> list[str]:
    """`gthread:2x4`, `sync:3`, either with `,wsgi=module` for another entry point."""
    kind, _, rest = spec.partition(":")
    size, _, extra = rest.partition(",")
    module = extra.removeprefix("wsgi=") if extra.startswith("wsgi=") else "anmian.web.wsgi"
    workers, _, threads = size.partition("x")
    args = [module, "--worker-class", kind, "--workers", workers]
    return args + (["--threads", threads] if threads else [])


def worker_cpu(master: int) -> float:
    """CPU seconds (user + system) spent so far by the gunicorn master's workers."""
    total = 0
    for child in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a worker that just ended
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


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


def ab_rounds(servers: dict[str, tuple[int, int]], seconds: float, rounds: int = 3) -> None:
    """/healthz and the assess API in turn on each server (spec: (port, master pid)), at 8
    and 16 connections, `rounds` times each, so the load other programs put on the machine
    falls on all alike; medians, with the server's CPU time per request."""
    body = Path(tempfile.mkdtemp(prefix="anmian-bench-ab-")) / "demo.json"
    body.write_text(DEMO)
    urls = {
        "health": ("/healthz", None),
        "assess": ("/api/v1/assess", body),
        "full": ("/api/v1/assess?detail=full", body),
    }
    for port, _ in servers.values():  # each worker reads the demo's phrases once
        ab(port, "/api/v1/assess", 8, 1, body)
    for clients in (8, 16):
        got = {spec: {k: [] for k in urls} for spec in servers}
        loads = []
        for _ in range(rounds):
            loads.append(os.getloadavg()[0])
            for spec, (port, master) in servers.items():
                for key, (path, data) in urls.items():
                    before = worker_cpu(master)
                    rate, p99, failed = ab(port, path, clients, seconds, data)
                    per = (worker_cpu(master) - before) / max(rate * seconds, 1) * 1e6
                    got[spec][key].append((rate, p99, failed, per))
        print(f"ab, {clients:2} connections, load average {min(loads):.1f} to {max(loads):.1f}:")
        for spec, runs in got.items():
            med = {
                k: [statistics.median(x[i] for x in v) for i in range(4)] for k, v in runs.items()
            }
            h, a, f = med["health"], med["assess"], med["full"]
            errors = sum(x[2] for v in runs.values() for x in v)
            print(
                f"  {spec:14} /healthz {h[0]:5.0f} req/s p99 {h[1]:4.0f} ms {h[3]:5.0f} µs CPU; "
                f"POST /api/v1/assess {a[0]:5.0f} req/s p99 {a[1]:4.0f} ms {a[3]:5.0f} µs CPU "
                f"({a[0] / h[0]:.0%} of /healthz); ?detail=full {f[0]:5.0f} req/s p99 "
                f"{f[1]:4.0f} ms ({f[0] / h[0]:.0%}); errors {errors}"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--ab-only", action="store_true", help="only the ApacheBench rounds")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--server",
        action="append",
        help="a gunicorn configuration to load, e.g. gthread:2x4 or sync:3 (default: serve.sh's)",
    )
    args = parser.parse_args()
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
    specs = args.server or [shipped()]
    started = {}
    for spec in specs:
        port = free_port()
        command = [BIN / "gunicorn", *gunicorn_args(spec), "--bind", f"127.0.0.1:{port}"]
        started[spec] = (port, subprocess.Popen([*command, "--log-level", "warning"], env=env))
    try:
        for port, _ in started.values():
            for _ in range(300):
                try:
                    c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                    c.request("GET", "/healthz")
                    c.getresponse().read()
                    break
                except OSError:
                    time.sleep(0.1)
        print(
            f"gunicorn {', '.join(specs)}, SQLite, {args.clients} concurrent clients, "
            f"{args.seconds:g} s each, loopback"
        )
        if shutil.which("ab"):
            servers = {spec: (port, srv.pid) for spec, (port, srv) in started.items()}
            ab_rounds(servers, args.seconds, args.rounds)
        if args.ab_only:
            return
        port = next(iter(started.values()))[0]

        def healthz():
            s = Session(port)
            return lambda: s.request("GET", "/healthz")[0]

        def results():
            s = prepare(port)
            return lambda: s.request("GET", "/self-check/results/")[0]

        def api():
            s = Session(port)
            return lambda: s.request("POST", "/api/v1/assess", DEMO, "application/json")[0]

        load(port, "GET /healthz (trivial baseline)", healthz, args.seconds, args.clients)
        load(port, "GET /self-check/results/", results, args.seconds, args.clients)
        load(port, "POST /api/v1/assess (demo case)", api, args.seconds, args.clients)
    finally:
        for _, server in started.values():
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
