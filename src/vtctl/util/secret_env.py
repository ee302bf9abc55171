"""The process environment with its secrets taken out, for code that reads it itself.

jq's ``$ENV`` and ``env`` read the C-level environment while a program runs, so
``--jq '$ENV'`` would print ``VTCTL_JWT`` and ``TWILIO_API_SECRET``; the jq
library offers no way to pass another one.  ``secrets_hidden`` unsets the
secret variables for the block (``os.environ`` writes through to the C
environment) and puts them back afterwards.  Process-wide: call it only
where no other thread reads the environment (output, at the end of a command).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager

from vtctl.util.logsetup import is_registered_secret

#: vtctl's own and Twilio's variables hold tokens, secrets and the settings around them
OWN_PREFIXES = ("VTCTL_", "TWILIO_")
#: names that say "secret" in the usual spellings (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, ...)
_SECRET_NAME = re.compile(
    r"SECRET|TOKEN|PASSW|PASSPHRASE|JWT|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|SIGNATURE",
    re.IGNORECASE,
)
_JWT_VALUE = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.")
_URL_WITH_PASSWORD = re.compile(r"://[^/@\s]*:[^/@\s]*@")


def is_secret_variable(name: str, value: str) -> bool:
    """True for a variable that holds, or may hold, a secret."""
    return (
        name.upper().startswith(OWN_PREFIXES)
        or _SECRET_NAME.search(name) is not None
        or _JWT_VALUE.search(value) is not None
        or _URL_WITH_PASSWORD.search(value) is not None
        or is_registered_secret(value)
    )


@contextmanager
def secrets_hidden(environ: MutableMapping[str, str] | None = None) -> Iterator[None]:
    """Inside the block, the environment holds no secret variables."""
    environ = os.environ if environ is None else environ
    hidden = {name: value for name, value in environ.items()
              if is_secret_variable(name, value)}
    for name in hidden:
        del environ[name]
    try:
        yield
    finally:
        environ.update(hidden)
