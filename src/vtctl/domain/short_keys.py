"""PyJWT's warning about HMAC keys under 32 bytes, ignored process-wide, once per setup.

vtctl accepts a short secret (demo and test secrets; ``vtctl serve`` says so itself,
in one line) and Twilio refuses a wrong one; PyJWT's ``InsecureKeyLengthWarning`` would
add a raw Python warning with a file path and a source line. A filter set once, by the
public class: ``warnings.catch_warnings()`` around each call swaps process-wide state
and is not thread-safe (serve verifies JWTs on several threads)."""

from __future__ import annotations


def ignore_short_key_warning() -> None:
    """Ignore PyJWT's ``InsecureKeyLengthWarning`` (only it) from now on."""
    import warnings

    import jwt

    warnings.filterwarnings("ignore", category=jwt.InsecureKeyLengthWarning)
