"""The reference tables of CONTRACT.md (environment variables, exit codes), printed
one row a line: tab-separated in a pipe (for grep), a table on a terminal."""

from __future__ import annotations

from vtctl.domain import errors
from vtctl.ui.iostreams import IOStreams

ENVIRONMENT: tuple[tuple[str, str], ...] = (
    ("VTCTL_BASE_URL", "remote base URL, e.g. http://localhost:8000"),
    ("VTCTL_JWT", "Bearer JWT; wins over the keyring (for CI)"),
    ("VTCTL_PROFILE", "profile name"),
    ("VTCTL_BACKEND", "remote or local"),
    ("VTCTL_STORE", "path of the local SQLite store"),
    ("VTCTL_CONFIG", "path of the config file (TOML)"),
    ("TWILIO_ACCOUNT_SID", "Twilio account SID, for the local engine"),
    ("TWILIO_API_KEY", "Twilio API key SID, for the local engine"),
    ("TWILIO_API_SECRET", "Twilio API key secret, for the local engine"),
    ("VTCTL_TWILIO_API_URL", "replaces https://video.twilio.com for Twilio's Video REST API "
     "(a proxy or a mock); plain http:// only for loopback hosts"),
    ("VTCTL_TWILIO_INSIGHTS_URL", "replaces https://insights.twilio.com for Twilio's Video "
     "Insights API (`vtctl history`); the same rules as VTCTL_TWILIO_API_URL"),
    ("VTCTL_SERVE_SECRET", "secret `vtctl serve` signs and checks its dev JWTs with"),
    ("VTCTL_NO_HELP_CACHE", "1: render --help every time instead of from the cache"),
    ("NO_COLOR", "set: no colour in tables"),
    ("SSL_CERT_FILE", "CA bundle for TLS (as --ca-bundle)"),
    ("PYTHON_KEYRING_BACKEND", "keyring's: the keyring backend (a class path, e.g. "
     "keyring.backends.SecretService.Keyring); naming it skips keyring's detection. A file "
     "keyring (keyrings.alt) is used only when chosen here or in keyring's keyringrc.cfg"),
    ("GITHUB_ACTIONS", "true (set by GitHub Actions): `smoke` also prints each failed check "
     "as an ::error workflow command (an annotation on the run)"),
)


#: ``domain.errors.EXIT_CODES`` as rows: the one table of exit codes
EXIT_CODES: tuple[tuple[str, str], ...] = tuple(
    (str(int(code)), meaning.meaning) for code, meaning in errors.EXIT_CODES.items()
)


def print_topic(io: IOStreams, title: str, header: tuple[str, str],
                rows: tuple[tuple[str, str], ...]) -> None:
    from vtctl.ui.render.reference import reference_sheet
    from vtctl.ui.sheet import show

    show(io, reference_sheet(title, header, rows))
