"""Settings of the benchmark peer: the guide's backend, built the usual way.

Django + Django REST framework + SimpleJWT over SQLite, minting with the
``twilio`` library.  Lean on purpose (no sessions, CSRF or admin: a JWT API does
not need them) so the peer gets every advantage.  Everything that differs per
run comes from the environment that ``benchmarks/run`` sets.
"""

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("PEER_SECRET_KEY", "benchmark-peer-" + "x" * 40)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "appointments",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]

ROOT_URLCONF = "peer.urls"
WSGI_APPLICATION = "peer.wsgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PEER_DB", str(BASE_DIR / "peer.sqlite3")),
        "CONN_MAX_AGE": None,  # keep the connection, as a tuned deployment would
    }
}

AUTH_USER_MODEL = "appointments.User"
USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework_simplejwt.authentication.JWTAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}

SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(hours=12),
    "SIGNING_KEY": os.environ.get("PEER_JWT_SECRET", SECRET_KEY),
    "ALGORITHM": "HS256",
}

TWILIO_ACCOUNT_SID = os.environ.get("TWILIO_ACCOUNT_SID", "AC" + "de40" * 8)
TWILIO_API_KEY = os.environ.get("TWILIO_API_KEY", "SK" + "de40" * 8)
TWILIO_API_SECRET = os.environ.get("TWILIO_API_SECRET", "DEMO-ONLY-secret-not-accepted-by-twilio")

LOGGING = {"version": 1, "disable_existing_loggers": False}
