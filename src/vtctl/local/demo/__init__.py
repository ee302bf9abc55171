"""Demo data and DEMO Twilio credentials shipped with vtctl.

These credentials are deliberately fake: tokens minted with them are real,
well-formed Twilio Video access tokens that ``vtctl inspect`` can verify,
but Twilio itself will reject them.  They are only ever used by the
built-in ``demo`` profile.
"""

from __future__ import annotations

from pathlib import Path

from vtctl.domain.credentials import TwilioCredentials

DEMO_ACCOUNT_SID = "AC" + "de40" * 8
DEMO_API_KEY = "SK" + "de40" * 8
DEMO_API_SECRET = "DEMO-ONLY-secret-not-accepted-by-twilio"

DEMO_CREDENTIALS = TwilioCredentials(
    DEMO_ACCOUNT_SID, DEMO_API_KEY, DEMO_API_SECRET, source="demo"
)


def demo_data_text() -> str:
    """The demo store as an import file (CONTRACT.md's import format)."""
    return Path(__file__).with_name("demo.json").read_text(encoding="utf-8")
