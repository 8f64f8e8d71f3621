"""gunicorn's settings in the container (bin/docker-entrypoint), from the environment.

Threaded workers: a worker's main thread keeps telling the arbiter it is alive while its
threads serve, so a long streamed response (the JSON Lines export of a large dataset runs
for minutes) is not cut off after `timeout`. A sync worker is silent while it streams, so
the arbiter killed it mid-export and the client got a truncated file.
"""

import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
accesslog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
