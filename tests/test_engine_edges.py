"""The engine's translation of a failing Twilio/PyJWT signer (test_engine.py has the rules)."""

from __future__ import annotations

import warnings

import jwt
import pytest

from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import TokenGenerationError
from vtctl.local import engine
from vtctl.local.engine import mint_access_token

from .conftest import TEST_ACCOUNT_SID, TEST_API_KEY


def test_a_secret_the_signer_cannot_use_is_a_token_generation_error() -> None:
    unusable = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, "\udcff")  # not UTF-8 encodable
    with pytest.raises(TokenGenerationError, match="Failed to generate access token"):
        mint_access_token(unusable, "2-jane@example.com", "room", 1_763_280_000, 3600)


def test_a_short_secret_mints_without_pyjwts_key_length_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A 12-byte demo secret: PyJWT warns about it (a raw Python warning on stderr).
    Loading the signer filters that one warning, and only that one."""
    secret = "x" * 12
    with warnings.catch_warnings(record=True) as unfiltered:
        warnings.simplefilter("always")
        jwt.encode({}, secret, algorithm="HS256")
    assert [str(w.message)[:15] for w in unfiltered] == ["The HMAC key is"]  # PyJWT does warn
    monkeypatch.setattr(engine, "_TWILIO_CLASSES", None)  # the signer loaded afresh
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        token = mint_access_token(TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, secret),
                                  "2-jane@example.com", "room", 1_763_280_000, 3600)
        warnings.warn("The HMAC key is fine, says another library", DeprecationWarning,
                      stacklevel=1)
        warnings.warn("another warning", UserWarning, stacklevel=1)
    assert [str(w.message) for w in caught] == [
        "The HMAC key is fine, says another library", "another warning"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        claims = jwt.decode(token, secret, algorithms=["HS256"], options={"verify_exp": False})
    assert claims["grants"] == {"identity": "2-jane@example.com", "video": {"room": "room"}}
