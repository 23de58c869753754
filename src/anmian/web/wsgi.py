"""WSGI entry point for gunicorn: `gunicorn anmian.web.wsgi`.

Each worker loads what every request shares before its first request (every view and the
API's schemas, the knowledge base and what the engine builds once per base), then freezes it
(`gc.freeze`): those objects live as long as the process, and a full collection that walked
them all stalled every request of the worker for 100 to 190 ms on the loaded development
machine, once every two thousand or so assessments (README, Web speed)."""

import gc
import logging
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anmian.web.settings")
application = get_wsgi_application()


def prepare() -> None:
    """Load and freeze what the process keeps (see above)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the URLconf imports every view and the API
    try:
        from anmian.engine import assess, parse_input
        from anmian.engine.kb_cache import WARM_UP
        from anmian.knowledge import get_kb

        assess(parse_input(WARM_UP), get_kb(), allow_unknown=True)
    except Exception:  # the first request will meet it again and answer as it always did
        logging.getLogger(__name__).exception("warming the engine up failed")
    gc.collect()  # nothing already garbage is frozen
    gc.freeze()


prepare()
