"""A Twilio API key: what the local engine signs with and Twilio's REST API accepts.

The secret is never shown: ``repr`` hides it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from vtctl.domain.errors import UsageError


@dataclass(frozen=True, slots=True)
class TwilioCredentials:
    account_sid: str
    api_key: str
    api_secret: str = field(repr=False)
    source: str = "environment"  # environment | keyring | demo

    def __post_init__(self) -> None:
        validate_sid(self.account_sid, "AC", "account SID")
        validate_sid(self.api_key, "SK", "API key SID")
        if not self.api_secret:
            raise UsageError("the Twilio API secret is empty")

    def to_json(self) -> str:
        return json.dumps(
            {
                "account_sid": self.account_sid,
                "api_key": self.api_key,
                "api_secret": self.api_secret,
            }
        )


def validate_sid(value: str, prefix: str, what: str) -> None:
    body = value[2:]
    if not (
        value.startswith(prefix)
        and len(body) == 32
        and all(c in "0123456789abcdefABCDEF" for c in body)
    ):
        raise UsageError(
            f"{what} {value!r} is not valid: it is {prefix} followed by 32 hex digits"
        )
