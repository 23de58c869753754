"""Settings that are addresses (cache, database, queue, mail server, the site's own URL), each
turned into Django's form by one strict function. settings.py reads the variables; these only
parse, and a bad value raises ImproperlyConfigured with one line naming the variable, so a
typo in a deployment stops start-up instead of surfacing later as a 500 or a lost email."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

REDIS_SCHEMES = ("redis", "rediss")


def _bad(name: str, value: str, why: str) -> ImproperlyConfigured:
    return ImproperlyConfigured(f"{name}={value!r} {why}")


def _redis_url(name: str, value: str) -> str:
    """A redis:// URL with a host, a port that is a number and a database that is one."""
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise _bad(name, value, "has a port that is not a number") from None
    if not parts.hostname:
        raise _bad(name, value, "names no host; use redis://HOST:PORT/DB")
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise _bad(name, value, "has a database that is not a number (redis://HOST:PORT/0)")
    return value


def cache_from_url(value: str) -> dict[str, Any]:
    """CACHES for CACHE_URL: locmem:// (one process), file:///absolute/folder (every worker
    of one host), redis://HOST:PORT/DB or rediss:// (every host: what throttling needs when
    several app servers share the load)."""
    name = "CACHE_URL"
    scheme = value.partition("://")[0] if "://" in value else ""
    if scheme == "locmem":
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    if scheme == "file":
        folder = value[len("file://") :]
        if not folder.startswith("/"):
            raise _bad(name, value, "needs an absolute folder: file:///var/cache/anmian")
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": folder,
            }
        }
    if scheme in REDIS_SCHEMES:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": _redis_url(name, value),
                # A short timeout, so an unreachable Redis makes /readyz fail quickly rather
                # than hang the worker thread that asked.
                "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            }
        }
    raise _bad(name, value, "is not a cache address; use locmem://, file:///FOLDER or redis://")


def database_from_url(value: str) -> dict[str, Any]:
    """DATABASES['default'] for DATABASE_URL (sqlite:///FILE or postgres://...)."""
    name = "DATABASE_URL"
    scheme = value.partition("://")[0]
    if scheme not in ("sqlite", "postgres", "postgresql", "pgsql"):
        raise _bad(name, value, "is not sqlite:///FILE or postgres://USER@HOST:PORT/NAME")
    try:
        urlsplit(value).port  # noqa: B018 - raises ValueError for a port that is not a number
        config = dj_database_url.parse(value, conn_max_age=60)
    except ValueError:
        raise _bad(name, value, "has a port that is not a number") from None
    if not config.get("NAME"):
        raise _bad(name, value, "names no database")
    if scheme != "sqlite" and not config.get("HOST"):
        raise _bad(name, value, "names no host")
    return dict(config)


def queue_from_url(value: str, data_dir: Path, immediate: bool) -> dict[str, Any]:
    """HUEY (the task queue) for ANMIAN_QUEUE_URL: empty for a SQLite file in the data folder
    (`make run` needs no server), sqlite:///FILE for another file, redis://HOST:PORT/DB for a
    queue every host shares."""
    name = "ANMIAN_QUEUE_URL"
    # No result store: no task returns anything, and failures are kept as FailedJob rows
    # (jobs/failures.py), where staff see them, rather than as keys that never expire.
    common = {"name": "anmian", "immediate": immediate, "utc": True, "results": False}
    consumer = {"workers": 2, "worker_type": "thread", "check_worker_health": True}
    if not value:
        filename = str(data_dir / "queue.sqlite3")
        return {
            **common,
            "huey_class": "huey.SqliteHuey",
            "filename": filename,
            "consumer": consumer,
        }
    scheme = value.partition("://")[0] if "://" in value else ""
    if scheme == "sqlite":
        filename = value[len("sqlite://") :]
        if not filename.startswith("/"):
            raise _bad(name, value, "needs an absolute file: sqlite:///var/lib/anmian/queue.db")
        return {
            **common,
            "huey_class": "huey.SqliteHuey",
            "filename": filename,
            "consumer": consumer,
        }
    if scheme in REDIS_SCHEMES:
        import redis  # only a Redis queue needs it

        # A pool, which connects lazily, so that short timeouts can go with the URL: a lost
        # Redis fails an enqueue or /readyz in seconds instead of hanging a request.
        pool = redis.ConnectionPool.from_url(
            _redis_url(name, value), socket_connect_timeout=2, socket_timeout=5
        )
        return {
            **common,
            "huey_class": "huey.PriorityRedisHuey",
            "connection_pool": pool,
            "consumer": consumer,
        }
    raise _bad(
        name, value, "is not a queue address; leave it empty, or use sqlite:///FILE or redis://"
    )


def check_smtp(
    *, host: str, port: int, use_tls: bool, use_ssl: bool, user: str, password: str
) -> None:
    """The mail server's settings make sense together (Django would only fail at the first
    email, inside someone's booking)."""
    if not host or any(c.isspace() for c in host) or "://" in host:
        raise _bad("EMAIL_HOST", host, "is not a host name (mail.example.org)")
    if not 0 < port < 65536:
        raise _bad("EMAIL_PORT", str(port), "is not a port (1 to 65535)")
    if use_tls and use_ssl:
        raise ImproperlyConfigured(
            "EMAIL_USE_TLS and EMAIL_USE_SSL are both true; use one (STARTTLS on 587, or TLS on 465)"
        )
    if password and not user:
        raise ImproperlyConfigured("EMAIL_HOST_PASSWORD is set but EMAIL_HOST_USER is empty")


def site_url(value: str, *, production: bool) -> str:
    """ANMIAN_SITE_URL, the address links in emails point to: required in production (where
    the default would send people to 127.0.0.1), and https there."""
    name = "ANMIAN_SITE_URL"
    if not value:
        if production:
            raise ImproperlyConfigured(
                "ANMIAN_SITE_URL is not set; in production emails need the site's address "
                "(https://clinic.example)"
            )
        return "http://127.0.0.1:8000"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad(name, value, "is not an address like https://clinic.example")
    if production and parts.scheme != "https":
        raise _bad(name, value, "must be https:// in production (SECURE_TLS=true)")
    return value.rstrip("/")
