"""WSGI entry point for gunicorn: `gunicorn anmian.web.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anmian.web.settings")
application = get_wsgi_application()
