"""What a Twilio reply may carry into vtctl: valid JSON of bounded depth whose every
string is printable and free of the API secret.

``clean_body`` runs on every body ``client.HttpxHttpClient`` hands the twilio
library, so nothing a command, a log line or ``serve`` reads from Twilio holds
an escape sequence, a bidi override, a lone surrogate or the secret (in any of
the forms ``register_credentials`` registers).  ``clean_text`` does the same to
any other text from upstream (an httpx exception's words, a composed message).
"""

from __future__ import annotations

import json
from typing import Any

from vtctl.domain.errors import ServerError
from vtctl.util.logsetup import redact, register_secret
from vtctl.util.text import printable

#: a reply's body is refused past this size (decoded): room for a page of Twilio's largest
#: page size (1,000 participants of about 1 KiB each, as ``history`` reads them), no more
MAX_REPLY_BYTES = 4 * 1024 * 1024
#: Twilio's resources nest 3 levels deep; more than this is not a Video API reply
MAX_JSON_DEPTH = 32
#: the longest piece of upstream text put into one error message
MAX_MESSAGE_CHARS = 200


class _TooDeep(Exception):
    pass


def register_credentials(api_key: str, api_secret: str) -> None:
    """Make every form of the secret a Twilio reply may echo redacted from now on: the secret,
    the Basic credential the library sends (``base64(key:secret)``) and the secret URL-encoded."""
    import base64
    from urllib.parse import quote, quote_plus

    basic = base64.b64encode(f"{api_key}:{api_secret}".encode()).decode()
    for form in {api_secret, basic, basic.rstrip("="), quote(api_secret, safe=""),
                 quote_plus(api_secret)}:
        register_secret(form)


def clean_text(text: str, limit: int | None = None) -> str:
    """Upstream text with the secret redacted and every control made ``?`` (cut to ``limit``)."""
    text = printable(redact(text))
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def clean_body(status: int, content_type: str, raw: bytes) -> str:
    """The body as the twilio library may read it: clean JSON text, or "" for an error reply
    that is not usable JSON (its status says what failed).  A success that is not usable
    JSON is Twilio's fault: ``ServerError`` (exit 6)."""
    if not raw.strip():
        return ""
    ok = 200 <= status < 300
    try:
        data = json.loads(raw.decode("utf-8"))
        return json.dumps(_cleaned(data, 0))
    except (RecursionError, _TooDeep):
        if not ok:
            return ""
        raise ServerError(
            f"Twilio's reply is nested deeper than {MAX_JSON_DEPTH} levels (HTTP {status}); "
            "it is not a Video API resource, so vtctl does not read it",
            hint="check VTCTL_TWILIO_API_URL if it is set",
        ) from None
    except (UnicodeDecodeError, ValueError):
        if not ok:
            return ""
        kind = clean_text(content_type.split(";")[0].strip() or "no content type", 60)
        raise ServerError(
            f"Twilio's reply is not JSON (HTTP {status}, {kind})",
            hint="check VTCTL_TWILIO_API_URL if it is set: it must point at the Video API",
        ) from None


def _cleaned(value: Any, depth: int) -> Any:
    if depth > MAX_JSON_DEPTH:
        raise _TooDeep
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_cleaned(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {clean_text(key): _cleaned(item, depth + 1) for key, item in value.items()}
    return value
