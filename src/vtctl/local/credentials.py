"""Twilio credentials of the local engine: environment, then keyring.

The secret is never taken from argv and never shown: ``repr`` hides it.
"""

from __future__ import annotations

import json
import os

from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import MissingCredentialsError, UsageError

ENV_ACCOUNT_SID = "TWILIO_ACCOUNT_SID"
ENV_API_KEY = "TWILIO_API_KEY"
ENV_API_SECRET = "TWILIO_API_SECRET"

_HOW_TO_SET = (
    "export TWILIO_ACCOUNT_SID, TWILIO_API_KEY and TWILIO_API_SECRET, "
    "or store them with `vtctl auth twilio` (the secret is read from a hidden prompt or stdin)"
)


def from_environment(env: dict[str, str] | None = None) -> TwilioCredentials | None:
    env = dict(os.environ) if env is None else env
    names = (ENV_ACCOUNT_SID, ENV_API_KEY, ENV_API_SECRET)
    values = [env.get(name) for name in names]
    if not any(values):
        return None
    if not all(values):
        missing = [name for name, value in zip(names, values, strict=True) if not value]
        raise MissingCredentialsError(
            f"incomplete Twilio credentials: {', '.join(missing)} not set", hint=_HOW_TO_SET
        )
    sid, key, secret = (v for v in values if v)
    return TwilioCredentials(sid, key, secret, source="environment")


def from_keyring(profile: str) -> TwilioCredentials | None:
    from vtctl.config.secrets_store import get_secret

    stored = get_secret(profile, "twilio")
    if stored is None:
        return None
    try:
        data = json.loads(stored)
        return TwilioCredentials(
            data["account_sid"], data["api_key"], data["api_secret"], source="keyring"
        )
    except (ValueError, KeyError, TypeError, UsageError) as exc:
        raise MissingCredentialsError(
            f"the Twilio credentials stored for profile {profile!r} are unreadable",
            hint="store them again with `vtctl auth twilio`",
        ) from exc


def resolve_credentials(
    profile: str, *, demo: bool = False, env: dict[str, str] | None = None
) -> TwilioCredentials:
    """Environment first (CI), then the keyring; the demo profile has its own."""
    if demo:
        from vtctl.local.demo import DEMO_CREDENTIALS

        return DEMO_CREDENTIALS
    found = from_environment(env)
    if found is None:
        from vtctl.domain.errors import KeyringUnavailableError

        try:
            found = from_keyring(profile)
        except KeyringUnavailableError as exc:
            raise MissingCredentialsError(
                "Twilio credentials are not set and no keyring is available", hint=_HOW_TO_SET
            ) from exc
    if found is None:
        raise MissingCredentialsError(
            f"no Twilio credentials for profile {profile!r}", hint=_HOW_TO_SET
        )
    return found
