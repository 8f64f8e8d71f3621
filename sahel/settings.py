"""One settings module, driven by the environment.

SAHEL_ENV=development (the default) gives a zero-setup SQLite database and DEBUG on.
SAHEL_ENV=production refuses to start without SECRET_KEY and ALLOWED_HOSTS and turns on
every protection `manage.py check --deploy` asks for.
"""

import datetime
import importlib.util
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_list(name: str, default: list[str]) -> list[str]:
    value = env(name)
    return default if value is None else [item.strip() for item in value.split(",") if item.strip()]


SAHEL_ENV = env("SAHEL_ENV", "development")
if SAHEL_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(f"SAHEL_ENV={SAHEL_ENV!r}: use 'development' or 'production'.")
PRODUCTION = SAHEL_ENV == "production"

DEBUG = False if PRODUCTION else env_bool("DEBUG", True)

SECRET_KEY = env("SECRET_KEY")
if SECRET_KEY is None:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when SAHEL_ENV=production.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]", "testserver"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when SAHEL_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, as the workbench's site (with the review queue): sahel/admin/site.py
    "sahel.admin.site.WorkbenchAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "strawberry_django",
    "axes",  # admin login throttling (below, "Admin logins")
    "csp",  # Content-Security-Policy (below)
    "corsheaders",  # CORS on the public read-only surfaces (below)
    # The service's floors (see README, "How the pieces fit"): the core, then its surfaces.
    "sahel.core",
    "sahel.admin",
    "sahel.graphql",
    "sahel.dataset",
    "sahel.release",
    "sources",
    "places",
    "actors",
    "affiliations",
    "events",
    "sahel.explorer",
    "sahel.reconcile",
]
# The tools (synthetic data, the benchmark) are for development: the service never imports
# them, and the production image does not ship them.
if not PRODUCTION and importlib.util.find_spec("perf") is not None:
    INSTALLED_APPS.append("perf")

MIDDLEWARE = [
    # First: a preflight is answered here, and every response below it (errors included,
    # so a browser app can read them) gets its CORS headers on the paths that have them.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # JSON errors on API paths (sahel/errors.py): an oversize body is refused before any
    # view reads it, and no API client gets an HTML error page.
    "sahel.errors.JsonErrorsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves collected static files under gunicorn (production); runserver serves them itself.
    *(["whitenoise.middleware.WhiteNoiseMiddleware"] if PRODUCTION else []),
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its 429.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sahel.urls"
WSGI_APPLICATION = "sahel.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# SQLite needs nothing installed; PostgreSQL is the production database.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(env("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if PRODUCTION and env("DATABASE_URL") is None:
    raise ImproperlyConfigured("DATABASE_URL must be set when SAHEL_ENV=production.")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Connections are cheap and a persistent one would hold the file lock across requests.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # IMMEDIATE: a writer takes the lock when its transaction starts, so a concurrent edit
    # waits and then meets the version check instead of failing with "database is locked".
    # WAL: a reader sees one snapshot for its whole transaction (the export) and writers do
    # not wait for it; in the default rollback journal a reader would block every commit.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles the selectors' large visibility queries anew on every request,
    # which costs more than it saves here (measured: an `as_of` list 14.3 s -> 1.06 s at the
    # `medium` benchmark scale, docs/benchmarks.md).
    # work_mem: the visibility checks are `IN (subquery)` conditions, which PostgreSQL hashes
    # only when the hash fits in work_mem; past the default 4MB (e.g. 180k historical names)
    # it re-scans the subquery for every row. The change feed's first page at `medium` did
    # not finish in 120 s with 4MB and took 24 s with 64MB. Per sort or hash, per session.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    session = f"-c jit=off -c work_mem={env('PG_WORK_MEM', '64MB')}"
    options["options"] = f"{options.get('options', '')} {session}".strip()

# Errors (sahel/errors.py): the paths whose errors are JSON (matched by prefix), the largest
# request body they take (a GraphQL query is at most 2,000 tokens, sahel/graphql/limits.py),
# and how long a client is told to wait while the database is unreachable.
SAHEL_JSON_PATHS = ["/api/", "/graphql/", "/reconcile/", "/healthz/"]
SAHEL_MAX_BODY_BYTES = int(env("MAX_BODY_BYTES", str(1024 * 1024)))
SAHEL_RETRY_AFTER_SECONDS = int(env("RETRY_AFTER_SECONDS", "5"))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Content-Security-Policy (django-csp) on every response: everything from this site only.
# Scripts: files served by the app, or inline with the response's nonce (the one inline
# script left is Swagger UI's start-up, sahel/explorer/templates/explorer/swagger_ui.html);
# no eval, no inline event handlers. Styles may be inline: GraphiQL, ReDoc (styled
# components), Swagger UI and the admin's widgets set them at run time. Images may be data:
# URLs (Swagger UI's and the admin's icons); ReDoc's search runs in a blob: worker.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# CORS (django-cors-headers): the public read-only API, GraphQL and the reconciliation
# service answer any origin, without credentials (no cookies: a browser app on another site
# reads public data, never as an editor); the admin and the pages never answer cross-origin.
CORS_URLS_REGEX = r"^/(api|graphql|reconcile)/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS", "POST"]  # POST: GraphQL, reconciliation
CORS_EXPOSE_HEADERS = ["ETag", "Retry-After", "Content-Disposition"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Admin logins (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one username
# from one address, that pair is locked out (429) for LOGIN_COOLOFF_MINUTES; a superuser
# unlocks it sooner in the admin (Axes > Access attempts: delete the row) or with
# `manage.py axes_reset_username <name>`. A successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out pair
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# The client's address: REMOTE_ADDR, or behind PROXY_COUNT trusted proxies (the TLS proxy of
# production, HTTPS=1) the address the nearest of them put in X-Forwarded-For.
PROXY_COUNT = int(env("PROXY_COUNT", "1" if PRODUCTION and env_bool("HTTPS", True) else "0"))
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT or None
AXES_IPWARE_PROXY_ORDER = "right-most"  # the address our proxy appended, not one a client sent
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Revision history: the composite (history_date, id) index serves as_of() lookups.
SIMPLE_HISTORY_DATE_INDEX = "Composite"
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True  # reverts go through sahel.core.services, with a reason

REST_FRAMEWORK = {
    # The public API is read-only and anonymous; editors work in the admin.
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "EXCEPTION_HANDLER": "sahel.rest.views.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Sahel actor database",
    "DESCRIPTION": (
        "Curated, sourced, fully versioned actors of the conflict in Mali and the Sahel: "
        "who they are, how they are tied, what happened. Every claim carries its citations; "
        "every read can be asked as of an instant (`as_of`) and, for ties and events, as "
        "true at a date (`valid_at`). Public, read-only."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI and ReDoc served from this site, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Named models (Actor, Citation, FuzzyDate ...) in components.schemas (sahel/rest/components.py)
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "sahel.rest.components.add_components",
    ],
}

# Accelerators that read a library beyond its documented API (README, "Accelerators"): each
# can be turned off, and turns itself off with a warning on a library version it does not know.
SAHEL_COMPILED_SQL = env_bool("SAHEL_COMPILED_SQL", True)  # sahel/read/compiled.py
SAHEL_GRAPHQL_COMPILED = env_bool("SAHEL_GRAPHQL_COMPILED", True)  # sahel/graphql
SAHEL_FEED_OWNERS_SQL = env_bool("SAHEL_FEED_OWNERS_SQL", True)  # sahel/read/owners.py

# The data's licence and how to cite it: shown at the API root, on the explorer's home page
# and in every release (CITATION.cff, datapackage.json). Unset, they say so: the
# maintainers choose the licence. SAHEL_DATA_LICENCE is an SPDX id (CC-BY-4.0).
SAHEL_DATA_LICENCE = (
    {"name": env("SAHEL_DATA_LICENCE"), "url": env("SAHEL_DATA_LICENCE_URL", "")}
    if env("SAHEL_DATA_LICENCE")
    else None
)
SAHEL_CITATION = env("SAHEL_CITATION")  # how to cite; unset: "<authors>. <title>. <site>"
SAHEL_DATA_AUTHORS = env_list("SAHEL_DATA_AUTHORS", ["Sahel actor database curators"])
SAHEL_DATA_TITLE = env("SAHEL_DATA_TITLE", "Sahel actor database")

SEEDS_DIR = BASE_DIR / "seeds"
FIXTURES_DIR = BASE_DIR / "fixtures"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
}

if PRODUCTION:
    # HTTPS=1 (the default): served behind a TLS-terminating proxy that sets
    # X-Forwarded-Proto. HTTPS=0 is only for trying the production stack on plain HTTP
    # (e.g. docker compose on localhost): no redirect, no secure-only cookies, no HSTS;
    # `check --deploy` then warns, as it should.
    HTTPS = env_bool("HTTPS", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = HTTPS
    # The container health check speaks plain HTTP from inside the container.
    SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000")) if HTTPS else 0
    SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
    SECURE_HSTS_PRELOAD = HTTPS
    SESSION_COOKIE_SECURE = HTTPS
    CSRF_COOKIE_SECURE = HTTPS
    SECURE_CONTENT_TYPE_NOSNIFF = True
    X_FRAME_OPTIONS = "DENY"
