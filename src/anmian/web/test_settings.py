"""Settings for the test suite: production settings with test-only defaults.

DATABASE_URL is honoured, so the same suite runs on SQLite and on PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz")
# A folder of its own for each run (inherited by the servers the tests start), so two test
# runs on one machine never delete each other's database.
if "ANMIAN_DATA_DIR" not in os.environ:
    os.environ["ANMIAN_DATA_DIR"] = tempfile.mkdtemp(prefix="anmian-test-data-")
os.environ.setdefault("SECURE_TLS", "false")

from anmian.web.settings import *  # noqa: F403
from anmian.web.settings import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; tests only
HUEY["immediate"] = True  # noqa: F405 - jobs run at once, in the test's own process
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# SQLite tests use a file, not shared-cache memory: concurrency tests open several
# connections, and only a real file gives them SQLite's normal locking and busy timeout.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(os.environ["ANMIAN_DATA_DIR"], "test.sqlite3")
    }
