"""``vtctl diagnose --token -``: tokens minted by the engine (twilio's
AccessToken) with one defect each, checked against appointment 47."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET
from tests.helpers import ROOM_47
from tests.twilio_fakes import JANE_ID
from vtctl.checks.diagnose import Fixes
from vtctl.checks.diagnose_gather import token_in_hand
from vtctl.checks.diagnose_token import token_findings
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.findings import Finding
from vtctl.domain.jwt_inspect import SigningSecret
from vtctl.domain.models import Appointment, User
from vtctl.local.engine import mint_access_token

JANE = User(2, "jane.doe@example.com", "Jane Doe", "patient")
SARAH = User(5, "sarah@example.com", "Dr. Sarah", "psychologist")
NOW = datetime(2025, 11, 16, 9, 10, tzinfo=UTC)
APPOINTMENT = Appointment(47, 2, 5, 60, starts_at=NOW, video_room_id=ROOM_47, patient=JANE,
                          psychologist=SARAH)
CREDENTIALS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)
SIGNER = SigningSecret(TEST_API_SECRET, TEST_API_KEY, "environment")
LOCAL = Fixes(47, ("--local",))
#: a token is fixed in the browser holding it: a reload fetches a new one (never a token
#: minted on the engineer's machine: `vtctl refresh --as` reaches no browser)
RELOAD_JANE = "tell Jane Doe (patient): reload the session page; it fetches a new token"


def mint(identity: str = JANE_ID, room: str = ROOM_47, issued: datetime = NOW,
         ttl: int = 90 * 60, secret: str = TEST_API_SECRET) -> str:
    credentials = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, secret)
    return mint_access_token(credentials, identity, room, int(issued.timestamp()), ttl)


def check(token: str, signer: SigningSecret | None = SIGNER, now: datetime = NOW,
          fixes: Fixes = LOCAL) -> dict[str, Finding]:
    findings = token_findings(token_in_hand(token, lambda: signer), APPOINTMENT, now, fixes)
    return {f.check: f for f in findings}


def test_a_good_token_is_all_ok() -> None:
    found = check(mint())
    assert list(found) == ["token", "token_signature", "token_identity", "token_room",
                           "token_validity", "token_lifetime"]
    assert all(f.status == "ok" for f in found.values()), found
    assert found["token_identity"].detail == f"{JANE_ID} is the patient"
    assert found["token_signature"].detail == (
        f"signature verified (environment, API key {TEST_API_KEY})"
    )
    assert found["token_lifetime"].detail == "lifetime 1 h 30 min, within 60..240 min"


def test_the_token_is_never_quoted_in_a_finding() -> None:
    token = mint(secret="another-secret-entirely-0000-ffff")
    found = check(token)
    assert all(token not in f.detail and token.split(".")[2] not in f.detail
               for f in found.values())


def test_expired_tells_the_patient_to_reload() -> None:
    found = check(mint(), now=NOW + timedelta(hours=2))
    validity = found["token_validity"]
    assert validity.status == "problem"
    assert validity.detail.startswith("expired 30 min ago (at 2025-11-16 10:40:00 UTC")
    assert "this machine's clock says 2025-11-16 11:10:00 UTC" in validity.detail
    assert validity.action == RELOAD_JANE


def test_the_action_is_the_same_on_either_backend() -> None:
    """No backend flag makes a difference: the fix is in the patient's browser."""
    found = check(mint(), now=NOW + timedelta(hours=2), fixes=Fixes(47))
    assert found["token_validity"].action == RELOAD_JANE


def test_other_room_names_the_other_appointment() -> None:
    found = check(mint(room="apt-48-1763300000-0a1b2c3d"))
    assert found["token_room"].status == "problem"
    assert found["token_room"].detail == (
        f"the grant is for room apt-48-1763300000-0a1b2c3d (appointment 48's), "
        f"not the appointment's {ROOM_47}"
    )
    assert found["token_room"].action == (
        "tell Jane Doe (patient): this page is another session's: open the session link of "
        "appointment 47")


def test_other_identity_is_a_problem() -> None:
    found = check(mint(identity="9-outsider@example.com"))
    identity = found["token_identity"]
    assert identity.status == "problem"
    assert identity.detail.startswith("9-outsider@example.com is neither the patient nor")
    assert identity.action == ("tell whoever holds the token: log out of the platform, log in "
                               "as yourself, then open the session link again")


def test_same_id_other_email_is_a_warning() -> None:
    found = check(mint(identity="2-jane@old.example.com"))
    assert found["token_identity"].status == "warning"
    assert "has the patient's id" in found["token_identity"].detail


def test_wrong_signature_is_a_problem() -> None:
    found = check(mint(secret="another-secret-entirely-0000-ffff"))
    signature = found["token_signature"]
    assert signature.status == "problem"
    assert signature.detail.startswith("the signature is invalid (not made with the environment")
    assert signature.action == RELOAD_JANE


def test_unknown_secret_is_a_check_that_could_not_run_not_a_pass() -> None:
    signature = check(mint(), signer=None)["token_signature"]
    assert signature.status == "warning"
    assert signature.detail.startswith("could not run: no Twilio API secret is known here")
    assert signature.fault is not None and int(signature.fault.exit_code) == 3


def test_not_yet_valid_names_the_clock_skew() -> None:
    found = check(mint(issued=NOW + timedelta(minutes=3)))
    validity = found["token_validity"]
    assert validity.status == "problem"
    assert validity.detail.startswith("not valid yet: it starts in 3 min (2025-11-16 09:13:00 UTC)")
    assert "this machine's clock says 2025-11-16 09:10:00 UTC" in validity.detail
    assert "this clock is 3 min behind" in validity.detail


@pytest.mark.parametrize(("ttl", "shown"), [(6 * 3600, "6 h 00 min"), (10 * 60, "10 min")])
def test_lifetime_outside_the_guides_bounds(ttl: int, shown: str) -> None:
    found = check(mint(ttl=ttl))
    lifetime = found["token_lifetime"]
    assert lifetime.status == "problem"
    assert lifetime.detail.startswith(f"lifetime {shown} is outside the guide's 60..240 min")
    assert lifetime.action == RELOAD_JANE


@pytest.mark.parametrize(("ttl", "status"), [(3600, "ok"), (4 * 3600, "ok")])
def test_lifetime_bounds_are_inclusive(ttl: int, status: str) -> None:
    assert check(mint(ttl=ttl))["token_lifetime"].status == status


def test_garbage_does_not_decode() -> None:
    found = check("not-a-token")
    assert list(found) == ["token"]
    assert found["token"].status == "problem"
    assert found["token"].detail.startswith("the token does not decode: not a JWT")
