"""Django's settings, built from ``OrdersSettings`` once per process.

Django reads its settings once and keeps them in global state, so the first ``create_app`` or
``migrate`` call configures it and later calls must agree: asking for another database (or
other settings) in the same process is an error, never a silent reuse of the first one.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from wsgiref.types import WSGIApplication

from nextbuy.core.metrics import HttpMetrics
from nextbuy.core.settings import nextbuy_home
from nextbuy.orders.settings import OrdersSettings
from nextbuy.orders.storage.database import database_settings, prepare_database_location

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "nextbuy.orders.storage.apps.OrdersStorageConfig",
]

# Metrics outermost so the 413s are counted too; the API itself needs no session or CSRF
# (Ninja operations are CSRF-exempt), those serve the admin.
MIDDLEWARE = [
    "nextbuy.orders.api.middleware.RequestMetricsMiddleware",
    "nextbuy.orders.api.middleware.BodySizeLimitMiddleware",
    "nextbuy.orders.api.middleware.MethodNotAllowedMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]


class OrdersConfigurationError(RuntimeError):
    """Django is already configured differently in this process."""


@dataclass
class DjangoRuntime:
    """What the process-wide Django configuration was built from, and the app built on it."""

    settings: OrdersSettings
    metrics: HttpMetrics
    urlconf: ModuleType
    application: WSGIApplication | None = None


_runtime: DjangoRuntime | None = None


def configure_django(settings: OrdersSettings) -> DjangoRuntime:
    """Configure and set up Django from ``settings``; a no-op when already done alike."""
    global _runtime
    if _runtime is not None:
        _require_same_settings(_runtime.settings, settings)
        return _runtime
    import django
    from django.conf import settings as django_settings

    if django_settings.configured:
        raise OrdersConfigurationError("Django was configured outside nextbuy.orders")
    runtime = DjangoRuntime(settings, HttpMetrics(settings.service_name), ModuleType("orders_urls"))
    vars(runtime.urlconf)["urlpatterns"] = []
    django_settings.configure(**django_settings_for(settings, runtime))
    django.setup(set_prefix=False)
    _runtime = runtime
    return runtime


def django_settings_for(settings: OrdersSettings, runtime: DjangoRuntime) -> dict[str, Any]:
    """The Django settings of the orders service."""
    database = database_settings(settings.database_url.get_secret_value())
    prepare_database_location(database)
    return {
        "DEBUG": False,
        "SECRET_KEY": resolve_secret_key(settings),
        # The service sits behind the gateway, which owns the public host names.
        "ALLOWED_HOSTS": ["*"],
        "DATABASES": {"default": database},
        "INSTALLED_APPS": INSTALLED_APPS,
        "MIDDLEWARE": MIDDLEWARE,
        "TEMPLATES": TEMPLATES,
        "ROOT_URLCONF": runtime.urlconf,
        "USE_TZ": True,
        "TIME_ZONE": "UTC",
        "USE_I18N": False,
        "STATIC_URL": "static/",
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "DATA_UPLOAD_MAX_MEMORY_SIZE": settings.max_body_bytes,
        # Our JSON logging is configured by the app; Django must not replace it.
        "LOGGING_CONFIG": None,
        "NEXTBUY_MAX_BODY_BYTES": settings.max_body_bytes,
        "NEXTBUY_HTTP_METRICS": runtime.metrics,
    }


def resolve_secret_key(settings: OrdersSettings) -> str:
    """The configured key, else one generated once per home and kept there (mode 0600)."""
    configured = settings.secret_key.get_secret_value()
    if configured:
        return configured
    path = nextbuy_home() / settings.service_name / "secret_key"
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        key = secrets.token_urlsafe(50)
        handle.write(key)
    return key


def _require_same_settings(configured: OrdersSettings, asked: OrdersSettings) -> None:
    if configured == asked:
        return
    was, now = configured.public_dict(), asked.public_dict()
    if was["database_url"] != now["database_url"]:
        raise OrdersConfigurationError(
            "Django is configured once per process: it already uses "
            f"{was['database_url']} and cannot switch to {now['database_url']}; "
            "start another process for another database"
        )
    before, after = configured.model_dump(), asked.model_dump()
    changed = sorted(key for key in before if before[key] != after[key])
    raise OrdersConfigurationError(
        "Django is configured once per process; these settings differ from the first "
        f"configuration: {', '.join(changed)}"
    )
