"""Addresses from the environment (issue 13): a real cache, database, queue and mail server at
scale, nothing but the repo by default, and a malformed value stops start-up with one line
naming the variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from anmian.web import envconfig
from anmian.web.tests import world

DEPLOY = {
    "SECRET_KEY": "k" * 20 + "R4nd0m-Pr0duct10n-K3y-W1th-Many-Ch4rs-#%&",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "clinic.example",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "ANMIAN_SITE_URL": "https://clinic.example",
}


def test_the_default_cache_is_a_file_folder_every_worker_of_a_host_shares():
    caches = envconfig.cache_from_url("file:///var/cache/anmian")
    assert caches["default"]["BACKEND"].endswith("FileBasedCache")
    assert caches["default"]["LOCATION"] == "/var/cache/anmian"


def test_locmem_is_one_process_cache():
    assert envconfig.cache_from_url("locmem://")["default"]["BACKEND"].endswith("LocMemCache")


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://cache.internal:6380"])
def test_redis_uses_djangos_own_redis_cache(url):
    cache = envconfig.cache_from_url(url)["default"]
    assert cache["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache["LOCATION"] == url


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("memcached://127.0.0.1:11211", "is not a cache address"),
        ("127.0.0.1:6379", "is not a cache address"),
        ("", "is not a cache address"),
        ("redis://127.0.0.1:port/0", "port that is not a number"),
        ("redis://:6379/0", "names no host"),
        ("redis://127.0.0.1:6379/cache", "database that is not a number"),
        ("file://relative/folder", "needs an absolute folder"),
    ],
)
def test_a_malformed_cache_url_is_named(url, why):
    with pytest.raises(ImproperlyConfigured, match=f"^CACHE_URL=.*{why}"):
        envconfig.cache_from_url(url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("mysql://root@127.0.0.1/anmian", "is not sqlite"),
        ("postgres://postgres@127.0.0.1:54x2/test", "port that is not a number"),
        ("postgres://postgres@127.0.0.1:5432/", "names no database"),
        ("postgres:///test", "names no host"),
        ("not a url", "is not sqlite"),
    ],
)
def test_a_malformed_database_url_is_named(url, why):
    with pytest.raises(ImproperlyConfigured, match=f"^DATABASE_URL=.*{why}"):
        envconfig.database_from_url(url)


def test_a_postgres_url_gives_its_parts():
    db = envconfig.database_from_url("postgres://anmian:pw@db.internal:5433/anmian")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["HOST"], db["PORT"], db["NAME"], db["USER"]) == (
        "db.internal",
        5433,
        "anmian",
        "anmian",
    )


def test_the_default_queue_is_a_sqlite_file_in_the_data_folder(tmp_path: Path):
    queue = envconfig.queue_from_url("", tmp_path, immediate=False)
    assert queue["huey_class"] == "huey.SqliteHuey"
    assert queue["filename"] == str(tmp_path / "queue.sqlite3")


def test_a_redis_queue_is_shared_by_every_host(tmp_path: Path):
    queue = envconfig.queue_from_url("redis://127.0.0.1:6379/1", tmp_path, immediate=False)
    assert queue["huey_class"].endswith("RedisHuey")
    pool = queue["connection_pool"].connection_kwargs
    assert (pool["host"], pool["port"], pool["db"]) == ("127.0.0.1", 6379, 1)
    assert pool["socket_connect_timeout"] == 2  # a lost Redis fails fast


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("amqp://127.0.0.1:5672", "is not a queue address"),
        ("sqlite://queue.db", "needs an absolute file"),
        ("redis://127.0.0.1:x/1", "port that is not a number"),
    ],
)
def test_a_malformed_queue_url_is_named(tmp_path: Path, url, why):
    with pytest.raises(ImproperlyConfigured, match=f"^ANMIAN_QUEUE_URL=.*{why}"):
        envconfig.queue_from_url(url, tmp_path, immediate=False)


SMTP_OK = {"host": "mail.example.org", "port": 587, "use_tls": True, "use_ssl": False}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"host": ""}, "EMAIL_HOST="),
        ({"host": "smtp://mail.example.org"}, "EMAIL_HOST="),
        ({"host": "mail example"}, "EMAIL_HOST="),
        ({"port": 0}, "EMAIL_PORT="),
        ({"port": 70000}, "EMAIL_PORT="),
        ({"use_ssl": True}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
        ({"password": "secret"}, "EMAIL_HOST_PASSWORD is set but EMAIL_HOST_USER"),
    ],
)
def test_smtp_settings_that_cannot_work_are_named(change, named):
    settings = {**SMTP_OK, "user": "", "password": ""} | change
    with pytest.raises(ImproperlyConfigured, match=f"^{named}"):
        envconfig.check_smtp(**settings)


def test_smtp_with_user_password_and_starttls_is_accepted():
    envconfig.check_smtp(**SMTP_OK, user="anmian", password="secret")


def test_the_site_url_is_required_in_production():
    with pytest.raises(ImproperlyConfigured, match=r"^ANMIAN_SITE_URL is not set"):
        envconfig.site_url("", production=True)


def test_the_site_url_defaults_to_loopback_for_local_runs():
    assert envconfig.site_url("", production=False) == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("url", "production", "why"),
    [
        ("clinic.example", False, "is not an address"),
        ("ftp://clinic.example", False, "is not an address"),
        ("http://clinic.example", True, "must be https"),
    ],
)
def test_a_bad_site_url_is_named(url, production, why):
    with pytest.raises(ImproperlyConfigured, match=f"^ANMIAN_SITE_URL=.*{why}"):
        envconfig.site_url(url, production=production)


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CACHE_URL": "memcached://127.0.0.1"}, "CACHE_URL="),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:54x2/test"}, "DATABASE_URL="),
        ({"EMAIL_PORT": "99999"}, "EMAIL_PORT="),
        ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
        ({"EMAIL_USE_TLS": "perhaps"}, "EMAIL_USE_TLS="),
        ({"ANMIAN_SITE_URL": ""}, "ANMIAN_SITE_URL is not set"),
        ({"ANMIAN_QUEUE_URL": "amqp://127.0.0.1"}, "ANMIAN_QUEUE_URL="),
    ],
)
def test_start_up_stops_with_one_line_naming_the_setting(env, named):
    result = world.start_django(DEPLOY | env)
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: " + named), last


def test_production_starts_with_redis_postgres_and_authenticated_smtp():
    result = world.start_django(
        DEPLOY
        | {
            "CACHE_URL": "redis://127.0.0.1:6379/0",
            "ANMIAN_QUEUE_URL": "redis://127.0.0.1:6379/1",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
            "EMAIL_HOST": "mail.example.org",
            "EMAIL_PORT": "587",
            "EMAIL_HOST_USER": "anmian",
            "EMAIL_HOST_PASSWORD": "secret",
            "EMAIL_USE_TLS": "true",
        }
    )
    assert result.returncode == 0, result.stderr
