"""The shop under a rush, on SQLite and PostgreSQL: 1,000 buyers check out at the same moment
for a product with 10 in stock, through gunicorn on loopback (POST /api/v1/shop/orders, each
buyer with their own API token), while a watcher reads the stock; then each of the 10 orders'
signed payment callbacks is replayed 20 times at once. What must hold: exactly 10 orders hold
the stock, the stock never goes below 0, no answer is a 5xx, and each order records one
payment however often its callback comes.

Run: .venv/bin/python bench/shop_race.py [--buyers 1000] [--stock 10] [--replays 20]
         [--pg postgres://postgres@127.0.0.1:5432/anmian_shop_race]   (created, then emptied)
         [--only sqlite|postgresql]
Prints figures, and exits 1 if any of those rules is broken.
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
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SLUG = "race-probe"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(port: int, path: str, body: str, headers: dict[str, str]) -> tuple[int, float]:
    t = time.perf_counter()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("POST", path, body=body, headers=headers)
        status = conn.getresponse().status
        conn.close()
    except OSError:
        status = 0  # no answer at all: counted apart from the 5xx
    return status, time.perf_counter() - t


def get(port: int, path: str) -> int:
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
    except OSError:
        status = 0
    return status


def ready(port: int) -> None:
    """Wait for the workers to answer (gunicorn listens before they have booted), then warm
    each of their threads once, so the rush measures checkouts, not Django starting up."""
    deadline = time.perf_counter() + 180
    while get(port, "/healthz") != 200:
        if time.perf_counter() > deadline:
            raise SystemExit("gunicorn did not answer in 3 minutes")
        time.sleep(0.2)
    for _ in range(3):
        at_once([lambda: (get(port, "/api/v1/shop/products"), 0.0)] * 32)


def at_once(calls: list) -> list[tuple[int, float]]:
    """Run every call in its own thread, all released together by one barrier."""
    results: list[tuple[int, float]] = [(0, 0.0)] * len(calls)
    barrier = threading.Barrier(len(calls))

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def world(buyers: int, stock: int) -> list[str]:
    """The product and the buyers (plain accounts, no password hashing: a token each)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from anmian.web.records.models import ApiToken
    from anmian.web.shop.models import Product

    Product.objects.create(
        slug=SLUG,
        name="Race acupressure probe",
        kind="acupressure-tool",
        description="A probe for the race bench.",
        price=Decimal("12.00"),
        stock=stock,
    )
    User = get_user_model()
    stamp = int(time.time())
    User.objects.bulk_create(
        User(username=f"race-{stamp}-{i}@bench", email=f"race-{stamp}-{i}@bench", password="!")
        for i in range(buyers)
    )
    users = list(User.objects.filter(username__startswith=f"race-{stamp}-").order_by("pk"))
    tokens = [f"race-token-{stamp}-{i}-{'x' * 20}" for i in range(buyers)]
    expires = timezone.now() + timedelta(days=1)
    ApiToken.objects.bulk_create(
        ApiToken(
            user=u,
            digest=ApiToken.hash(t),
            name="race",
            scope=ApiToken.READ_WRITE,
            hint=t[:6],
            expires=expires,
        )
        for u, t in zip(users, tokens, strict=True)
    )
    return tokens


def watch(stop: threading.Event, seen: list[int]) -> None:
    """Read the stock as often as the database answers while the rush is on."""
    from django.db import connection

    from anmian.web.shop.models import Product

    while not stop.is_set():
        seen.append(Product.objects.values_list("stock", flat=True).get(slug=SLUG))
        time.sleep(0.005)
    connection.close()


def run_one(database_url: str, label: str, args: argparse.Namespace) -> bool:
    data = tempfile.mkdtemp(prefix="anmian-bench-race-")
    env = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench-" + "x" * 50,
        "SECURE_TLS": "false",
        "ANMIAN_DEMO_PAYMENTS": "true",  # the dummy provider's signed callbacks are replayed
        "ANMIAN_DATA_DIR": data,
        "ANMIAN_ANON_RATE": "1000000/min",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "DJANGO_SETTINGS_MODULE": "anmian.web.settings",
    }
    os.environ.update(env)
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from anmian.web.shop.models import Order, OrderLine, Payment, Product
    from anmian.web.shop.payments import DummyProvider

    call_command("migrate", verbosity=0)
    tokens = world(args.buyers, args.stock)
    connection.close()
    port = free_port()
    server = subprocess.Popen(
        [
            BIN / "gunicorn",
            "anmian.web.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--threads",
            "8",
            "--backlog",
            "2048",
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=os.environ | env,
        stderr=open(Path(data) / "gunicorn.log", "w"),  # noqa: SIM115  # each 409 is logged
    )
    try:
        ready(port)
        body = json.dumps({"items": [{"product": SLUG, "quantity": 1}], "delivery": "pickup"})

        def checkout(token: str):
            headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
            return lambda: post(port, "/api/v1/shop/orders", body, headers)

        stop, seen = threading.Event(), []
        watcher = threading.Thread(target=watch, args=(stop, seen))
        watcher.start()
        t0 = time.perf_counter()
        rush = at_once([checkout(t) for t in tokens])
        elapsed = time.perf_counter() - t0
        stop.set()
        watcher.join()
        statuses = Counter(s for s, _ in rush)
        latencies = sorted(d for _, d in rush)
        product = Product.objects.get(slug=SLUG)
        holding = Order.objects.filter(
            lines__product=product, state__in=[Order.PLACED, Order.PAID]
        ).distinct()
        held = sum(
            OrderLine.objects.filter(order__in=holding, product=product).values_list(
                "quantity", flat=True
            )
        )
        # Replays: each order's paid callback, signed once, sent `replays` times at once.
        provider = DummyProvider()
        form = {"Content-Type": "application/x-www-form-urlencoded"}
        callbacks = []
        for order in holding:
            signed = urlencode(provider.callback_data(order, "paid"))
            callbacks += [
                lambda b=signed: post(port, "/shop/payments/dummy/", b, form)
            ] * args.replays
        replayed = Counter(s for s, _ in at_once(callbacks))
        payments = Payment.objects.filter(order__in=holding, status="paid").count()
        paid = Order.objects.filter(pk__in=holding, state=Order.PAID).count()
    finally:
        server.terminate()
        server.wait(timeout=30)
    five = sum(n for s, n in statuses.items() if s >= 500) + sum(
        n for s, n in replayed.items() if s >= 500
    )
    lost = statuses.get(0, 0) + replayed.get(0, 0)
    print(
        f"{label:10} {args.buyers} checkouts at once for {args.stock} in stock, gunicorn 2x8, "
        f"loopback: {elapsed:.1f} s, answers {dict(sorted(statuses.items()))}, "
        f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms"
    )
    print(
        f"{label:10} orders holding stock: {holding.count()} ({held} items), stock left "
        f"{product.stock}, lowest stock seen {min(seen) if seen else '?'} ({len(seen)} reads), "
        f"5xx: {five}, no answer: {lost}"
    )
    print(
        f"{label:10} {len(callbacks)} payment callbacks ({args.replays} of each): answers "
        f"{dict(sorted(replayed.items()))}, payments recorded {payments}, orders paid {paid}"
    )
    ok = (
        holding.count() == args.stock
        and held == args.stock
        and product.stock == 0
        and (not seen or min(seen) >= 0)
        and five == 0
        and lost == 0
        and statuses.get(201, 0) == args.stock
        and payments == paid == args.stock
    )
    print(f"{label:10} {'all rules held' if ok else 'A RULE WAS BROKEN'}; server log {data}")
    return ok


def _create_pg(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'DROP DATABASE "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--buyers", type=int, default=1000)
    parser.add_argument("--stock", type=int, default=10)
    parser.add_argument("--replays", type=int, default=20)
    parser.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/anmian_shop_race")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    if args.only == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="anmian-bench-race-")) / "race.sqlite3"
        sys.exit(0 if run_one(f"sqlite:///{path}", "SQLite", args) else 1)
    if args.only == "postgresql":
        sys.exit(0 if run_one(args.pg, "PostgreSQL", args) else 1)
    # Each database in its own process: Django's settings are read once per process.
    common = [f"--buyers={args.buyers}", f"--stock={args.stock}", f"--replays={args.replays}"]
    first = subprocess.run([sys.executable, __file__, "--only", "sqlite", *common])
    _create_pg(args.pg)
    second = subprocess.run(
        [sys.executable, __file__, "--only", "postgresql", "--pg", args.pg, *common]
    )
    sys.exit(first.returncode or second.returncode)


if __name__ == "__main__":
    main()
