"""One app server and two, on one PostgreSQL database: requests per second for the assess API
and the self-check results page, and a check that nothing is lost, mixed up or duplicated.

Each server is gunicorn (2 workers x 4 threads) on loopback with the deployment's settings:
PostgreSQL (a database of its own, dropped afterwards), sessions in it, the cache on Redis when
it answers on 127.0.0.1:6379 (else a file cache both servers share), static files collected
once into one folder. Each client spreads its requests over the servers in turn, as a load
balancer without sticky sessions would, so a results page is often served by the server that
did not take the answers. Every API request names a medication of its own
("zzbench CLIENT-N"), which the answer must echo exactly once; every results page must be the
client's own (its pattern heading). On 2 cores the second server cannot add speed; the point
is that the figures stay whole.

Run: .venv/bin/python bench/servers.py [--seconds 6] [--clients 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import DEMO, Session, free_port, prepare  # bench/web.py, beside this

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG = os.environ.get("ANMIAN_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS_DB = 9
GUNICORN = ["--workers", "2", "--threads", "4", "--log-level", "warning"]  # as bench/web.py


def reachable(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


DROPPED = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)
reopened = 0  # requests sent again on a new connection (counted, and printed)


class Spread:
    """One client over several servers: a connection to each, used in turn."""

    def __init__(self, sessions: list[Session]):
        self.sessions, self.turn = sessions, 0

    def request(self, *args):
        global reopened
        session = self.sessions[self.turn % len(self.sessions)]
        self.turn += 1
        try:
            return session.request(*args)
        except DROPPED:
            # gunicorn closes a keep-alive connection idle for 2 s; the server never read the
            # request ("closed connection without response"), so it is sent again, as a
            # browser does, on a new connection: counted, never hidden.
            session.conn.close()
            reopened += 1
            return session.request(*args)


def spread(ports: list[int], first: Session | None = None) -> Spread:
    """Sessions to every server sharing one cookie jar (the results page's session)."""
    sessions = [first or Session(ports[0])] + [Session(p) for p in ports[1:]]
    for s in sessions[1:]:
        s.cookies = sessions[0].cookies
    return Spread(sessions)


def load(
    label: str,
    make_call: Callable[[int], Callable[[], bool]],
    seconds: float,
    clients: int,
    warm: int,
):
    """Run `clients` threads for `seconds`; each call returns whether its answer was right.
    Each client first calls `warm` times, so every worker of every server has loaded the
    knowledge base and built the reader's indexes before the clock starts."""
    latencies: list[float] = []
    wrong = 0
    lock = threading.Lock()
    calls = [make_call(i) for i in range(clients)]  # sessions prepared before the clock starts
    for call in calls:
        for _ in range(warm):
            call()
    stop = time.perf_counter() + seconds

    def worker(call: Callable[[], bool]) -> None:
        nonlocal wrong
        mine, bad = [], 0
        while time.perf_counter() < stop:
            t = time.perf_counter()
            ok = call()
            mine.append(time.perf_counter() - t)
            bad += not ok
        with lock:
            latencies.extend(mine)
            wrong += bad

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
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
        f"  {label:34} {len(latencies) / elapsed:6.0f} req/s   p50 {p50:6.1f} ms   "
        f"p99 {p99:6.1f} ms   {len(latencies)} answered, {wrong} wrong or lost"
    )
    return wrong


def api_call(ports: list[int]) -> Callable[[int], Callable[[], bool]]:
    def make(client: int) -> Callable[[], bool]:
        s = spread(ports)
        demo = json.loads(DEMO)
        n = 0

        def call() -> bool:
            nonlocal n
            n += 1
            tag = f"zzbench {client}-{n}"
            body = json.dumps(demo | {"medications": [*demo.get("medications", []), tag]})
            status, data = s.request("POST", "/api/v1/assess", body, "application/json")
            if status != 200:
                return False
            echoed = json.loads(data)["input"]["unknown_medications"]
            return echoed == [tag]  # this request's answer, once, not another's

        return call

    return make


def results_call(ports: list[int]) -> Callable[[int], Callable[[], bool]]:
    def make(client: int) -> Callable[[], bool]:
        s = spread(ports, prepare(ports[0]))  # answers given to the first server

        def call() -> bool:
            status, data = s.request("GET", "/self-check/results/")
            return status == 200 and b"Blood" in data  # the patterns of these answers

        return call

    return make


def start_servers(count: int, env: dict[str, str]) -> tuple[list[int], list[subprocess.Popen]]:
    ports, servers = [], []
    for _ in range(count):
        port = free_port()
        servers.append(
            subprocess.Popen(
                [BIN / "gunicorn", "anmian.web.wsgi", "--bind", f"127.0.0.1:{port}", *GUNICORN],
                env=env,
            )
        )
        ports.append(port)
    for port in ports:
        for _ in range(200):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        else:
            raise SystemExit(f"server on {port} never became ready")
    return ports, servers


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=6)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args()
    if not reachable(5432):
        print("bench/servers.py needs PostgreSQL on 127.0.0.1:5432; skipped")
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="anmian-servers-"))
    name = f"anmian_bench_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{PG}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True)
    redis = reachable(6379)
    if redis:
        subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANMIAN_", "DJANGO_"))} | {
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
        "SECRET_KEY": "bench-" + "x" * 50,
        "SECURE_TLS": "false",
        "DATABASE_URL": f"{PG}/{name}",
        "CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}" if redis else f"file://{tmp}/cache",
        "ANMIAN_DATA_DIR": str(tmp),
        "STATIC_ROOT": str(tmp / "static"),
        "ANMIAN_ANON_RATE": "1000000/min",
    }
    wrong = 0
    try:
        manage = [BIN / "python", ROOT / "manage.py"]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
        subprocess.run([*manage, "collectstatic", "--noinput", "-v0"], env=env, check=True)
        print(
            f"PostgreSQL, cache {'Redis' if redis else 'file'}, gunicorn 2 workers x 4 threads "
            f"per server, {args.clients} concurrent clients, {args.seconds:g} s each, loopback"
        )
        for count in (1, 2):
            ports, servers = start_servers(count, env)
            try:
                print(f"{count} app server{'s' if count > 1 else ''}:")
                for label, make in (
                    ("POST /api/v1/assess (demo case)", api_call(ports)),
                    ("GET /self-check/results/", results_call(ports)),
                ):
                    wrong += load(label, make, args.seconds, args.clients, warm=2 * count)
            finally:
                print(f"  ({reopened} request(s) sent again after an idle connection closed)")
                for server in servers:
                    server.terminate()
                for server in servers:
                    server.wait()
    finally:
        subprocess.run(
            ["psql", f"{PG}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            check=False,
        )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
