"""``--debug`` logging to stderr, with every token and secret redacted."""

from __future__ import annotations

import logging
import re

_JWT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_BEARER = re.compile(r"(?i)(bearer\s+)\S+")
_known_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Make ``value`` redacted from every debug line from now on."""
    if value and len(value) >= 6:
        _known_secrets.add(value)


def is_registered_secret(value: str) -> bool:
    return value in _known_secrets


def redact(text: str) -> str:
    for secret in _known_secrets:
        text = text.replace(secret, "[redacted]")
    text = _BEARER.sub(r"\1[redacted]", text)
    return _JWT.sub("[redacted-jwt]", text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        return True


def enable_debug_logging() -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("debug: %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
