"""Background work through the task queue (huey): emails and the reminder schedule.

Why huey: one small pure-Python package with a SQLite store, so `make run` and a single host
need no server at all, and a Redis store for many hosts, with the same task code; retries with
backoff, a scheduler inside each worker, and an immediate mode for tests. Celery would bring
a broker and a beat process; procrastinate ties the queue to PostgreSQL, which the embedded
SQLite default does not have.
"""
