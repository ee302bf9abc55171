"""The engine's translation of a failing Twilio/PyJWT signer (test_engine.py has the rules)."""

from __future__ import annotations

import pytest

from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import TokenGenerationError
from vtctl.local.engine import mint_access_token

from .conftest import TEST_ACCOUNT_SID, TEST_API_KEY


def test_a_secret_the_signer_cannot_use_is_a_token_generation_error() -> None:
    unusable = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, "\udcff")  # not UTF-8 encodable
    with pytest.raises(TokenGenerationError, match="Failed to generate access token"):
        mint_access_token(unusable, "2-jane@example.com", "room", 1_763_280_000, 3600)
