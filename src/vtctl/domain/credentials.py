"""A Twilio API key: what the local engine signs with and Twilio's REST API accepts.

The secret is never shown: ``repr`` hides it.
"""

import json

from vtctl.domain.errors import UsageError


class TwilioCredentials:
    """A Twilio API key (SID and secret) of an account, and where it was found.

    A plain class that checks itself when made: a dataclass would compile its
    generated methods at every start of every command that mints (DEVELOPING.md).
    """

    __slots__ = ("account_sid", "api_key", "api_secret", "source")

    def __init__(self, account_sid: str, api_key: str, api_secret: str,
                 source: str = "environment") -> None:
        validate_sid(account_sid, "AC", "account SID")
        validate_sid(api_key, "SK", "API key SID")
        if not api_secret:
            raise UsageError("the Twilio API secret is empty")
        self.account_sid = account_sid
        self.api_key = api_key
        self.api_secret = api_secret
        self.source = source  # environment | keyring | demo

    def __repr__(self) -> str:  # never the secret
        return (f"TwilioCredentials(account_sid={self.account_sid!r}, "
                f"api_key={self.api_key!r}, source={self.source!r})")

    def to_json(self) -> str:
        return json.dumps(
            {
                "account_sid": self.account_sid,
                "api_key": self.api_key,
                "api_secret": self.api_secret,
            }
        )


def validate_sid(value: str, prefix: str, what: str) -> None:
    """A usage error unless ``value`` is ``prefix`` + 32 hex digits.

    The value is never quoted: a secret pasted into the wrong variable
    (TWILIO_API_KEY=<the API secret>) must not land in a terminal or CI log.
    """
    body = value[2:]
    if (
        value.startswith(prefix)
        and len(body) == 32
        and all(c in "0123456789abcdefABCDEF" for c in body)
    ):
        return
    starts = "starts" if value.startswith(prefix) else "does not start"
    raise UsageError(
        f"the {what} is not valid: it should be {prefix} followed by 32 hex digits "
        f"(the value given is {len(value)} characters long and {starts} with {prefix})",
        hint=_SID_HINTS.get(prefix),
    )


_SID_HINTS = {
    "SK": "is it the API secret? the key's SID (SK...) and its secret are separate: "
    "TWILIO_API_KEY / --api-key take the SID, TWILIO_API_SECRET the secret",
    "AC": "TWILIO_ACCOUNT_SID / --account-sid take the account's SID (AC..., on the "
    "Twilio console), never a token or secret",
}
