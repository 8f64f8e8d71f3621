import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sahel.settings")

application = get_wsgi_application()

from sahel.workers import settle  # noqa: E402 - after the settings are configured

settle()  # each worker, before it serves (gunicorn imports this module in each)
