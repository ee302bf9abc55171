"""The token engine: check order, lifetimes and real Twilio tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOM_47, appointment, decode, make_store
from vtctl.domain.credentials import TwilioCredentials
from vtctl.domain.errors import (
    AppointmentNotFoundError,
    NoUserGivenError,
    NoVideoRoomError,
    PermissionDeniedError,
    TokenGenerationError,
    UsageError,
    UserNotFoundError,
)
from vtctl.domain.models import Appointment, User
from vtctl.local.audit import Minted
from vtctl.local.engine import TokenEngine
from vtctl.local.store import AppointmentStore

from .conftest import TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET

NOW = 1_763_280_000.0
CREDENTIALS = TwilioCredentials(TEST_ACCOUNT_SID, TEST_API_KEY, TEST_API_SECRET)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AppointmentStore]:
    durations = [0, 29, 30, 31, 60, 210, 211, 1000]
    path = make_store(
        tmp_path / "store.sqlite3",
        *(appointment(100 + d, duration=d) for d in durations),
        appointment(47),
        appointment(50, room=None),
    )
    with AppointmentStore.open(path) as opened:
        yield opened


@pytest.fixture
def engine(store: AppointmentStore) -> TokenEngine:
    return TokenEngine(store, lambda: CREDENTIALS, clock=lambda: NOW)


@pytest.mark.parametrize(
    ("duration", "seconds", "text"),
    [
        (0, 3600, "60 minutes (1 hours)"),
        (29, 3600, "60 minutes (1 hours)"),
        (30, 3600, "60 minutes (1 hours)"),
        (31, 3660, "61 minutes (1 hours)"),
        (60, 5400, "90 minutes (1 hours)"),
        (210, 14400, "240 minutes (4 hours)"),
        (211, 14400, "240 minutes (4 hours)"),
        (1000, 14400, "240 minutes (4 hours)"),
    ],
)
def test_lifetime_edges_in_reply_and_token(
    engine: TokenEngine, duration: int, seconds: int, text: str
) -> None:
    token = engine.issue(100 + duration, "2")
    assert token.expires_in == seconds
    assert token.token_valid_until == text
    assert token.appointment_duration_minutes == duration
    assert token.expires_at.timestamp() == NOW + seconds
    _, claims = decode(token.access_token)
    assert claims["exp"] - claims["nbf"] == seconds


def test_token_is_a_twilio_video_token(engine: TokenEngine) -> None:
    token = engine.issue(47, "jane.doe@example.com")
    assert type(token.access_token) is str  # text for JSON, never PyJWT 1's bytes
    header, claims = decode(token.access_token)
    assert header == {"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1"}
    assert claims["iss"] == TEST_API_KEY
    assert claims["sub"] == TEST_ACCOUNT_SID
    assert claims["grants"] == {"identity": "2-jane.doe@example.com", "video": {"room": ROOM_47}}
    assert token.user_identity == "2-jane.doe@example.com"
    assert token.room_name == ROOM_47
    assert token.to_json()["expires_at"].endswith("Z")


def test_both_users_same_room_different_tokens(engine: TokenEngine) -> None:
    patient = engine.issue(47, "2")
    psychologist = engine.issue(47, "5")
    assert patient.room_name == psychologist.room_name == ROOM_47
    assert patient.access_token != psychologist.access_token
    assert psychologist.user_identity == "5-sarah@example.com"


def test_signature_fails_with_another_secret(engine: TokenEngine) -> None:
    import jwt

    token = engine.issue(47, "2")
    with pytest.raises(jwt.InvalidSignatureError):
        decode(token.access_token, secret="another-secret-of-32-characters!!")


def test_unknown_appointment_is_404_before_permission(engine: TokenEngine) -> None:
    with pytest.raises(AppointmentNotFoundError, match="Appointment not found"):
        engine.issue(999, "outsider@example.com")


def test_outsider_is_403_before_missing_room(engine: TokenEngine) -> None:
    with pytest.raises(PermissionDeniedError, match="Permission denied"):
        engine.issue(50, "9")


def test_unknown_user_is_not_found_naming_the_user(engine: TokenEngine) -> None:
    """An unknown --as user is not "Permission denied": nobody by that name exists."""
    with pytest.raises(UserNotFoundError, match=r"no user 'nobody@example\.com' in the store"):
        engine.issue(47, "nobody@example.com")


def test_no_room_is_404_with_guide_text(engine: TokenEngine) -> None:
    with pytest.raises(NoVideoRoomError, match="No video room found for this appointment"):
        engine.issue(50, "2")


def test_missing_user_is_a_usage_error_naming_both(engine: TokenEngine) -> None:
    """Naming both users, and no CLI flag: the CLI adds `--as` (test_cli_local)."""
    with pytest.raises(UsageError, match=r"2 jane\.doe.*5 sarah") as info:
        engine.issue(47, None)
    assert "--" not in str(info.value) and "--" not in (info.value.hint or "")


def test_an_unknown_user_names_no_cli_flag(engine: TokenEngine) -> None:
    with pytest.raises(UserNotFoundError) as info:
        engine.issue(47, "nobody@example.com")
    assert "--" not in str(info.value) and "2 jane.doe" in (info.value.hint or "")


def test_create_room_is_set_once(engine: TokenEngine) -> None:
    first = engine.create_room(50)
    assert first.created
    assert first.room_name.startswith(f"apt-50-{int(NOW)}-")
    again = engine.create_room(50)
    assert (again.room_name, again.created) == (first.room_name, False)
    assert engine.issue(50, "2").room_name == first.room_name


def test_create_room_keeps_an_existing_room(engine: TokenEngine) -> None:
    room = engine.create_room(47)
    assert (room.room_name, room.created) == (ROOM_47, False)


def test_create_room_unknown_appointment(engine: TokenEngine) -> None:
    with pytest.raises(AppointmentNotFoundError):
        engine.create_room(12345)


def test_identity_longer_than_twilio_accepts_is_refused(tmp_path: Path) -> None:
    from vtctl.local.engine import mint_access_token

    with pytest.raises(TokenGenerationError, match="at most 128"):
        mint_access_token(CREDENTIALS, "x" * 129, "room", int(NOW), 3600)
    assert mint_access_token(CREDENTIALS, "x" * 128, "room", int(NOW), 3600).count(".") == 2


def test_an_identity_with_a_lone_surrogate_is_never_signed() -> None:
    from vtctl.local.engine import mint_access_token

    with pytest.raises(TokenGenerationError) as info:
        mint_access_token(CREDENTIALS, "2-jane\udcff@example.com", "room", int(NOW), 3600)
    assert info.value.message.startswith("Failed to generate access token: the identity is not")


BOTH = "the patient (2 jane.doe@example.com) or the psychologist (5 sarah@example.com)"


@pytest.mark.parametrize("user_ref", [None, "", "  "])
def test_no_user_given_names_both_participants_exactly(
    engine: TokenEngine, user_ref: str | None
) -> None:
    with pytest.raises(NoUserGivenError) as info:
        engine.issue(47, user_ref)
    assert (str(info.value), info.value.hint) == (
        f"which user should the token be for? {BOTH}", None)
    assert info.value.choices == BOTH  # the CLI builds its --as hint from these


def test_unknown_user_names_the_store_and_both_participants_exactly(
    engine: TokenEngine, store: AppointmentStore
) -> None:
    with pytest.raises(UserNotFoundError) as info:
        engine.issue(47, "nobody@example.com")
    assert (str(info.value), info.value.hint) == (
        f"no user 'nobody@example.com' in the store {store.path}",
        f"a user id or email: {BOTH}")


def test_a_participant_missing_from_the_appointment_is_described_as_unknown() -> None:
    from vtctl.local.engine import _describe

    assert _describe(None) == "unknown"


class RecordingSink:
    """An audit sink that keeps what it is told (``fail``: refuse, like a full disk)."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.seen: list[Minted] = []
        self.fail = fail

    def minted(self, minted: Minted) -> None:
        if self.fail is not None:
            raise self.fail
        self.seen.append(minted)


def test_every_mint_is_reported_to_the_audit_sink_with_who_asked(
    store: AppointmentStore,
) -> None:
    sink = RecordingSink()
    engine = TokenEngine(store, lambda: CREDENTIALS, clock=lambda: NOW, audit=sink)
    token = engine.issue(47, "2")
    again = engine.issue(47, "5", command="refresh")
    served = TokenEngine(store, lambda: CREDENTIALS, clock=lambda: NOW, audit=sink,
                         command="serve").issue(47, "2")
    assert sink.seen == [
        Minted("token", 47, "2-jane.doe@example.com", ROOM_47, 5400, int(NOW),
               token.access_token),
        Minted("refresh", 47, "5-sarah@example.com", ROOM_47, 5400, int(NOW),
               again.access_token),
        Minted("serve", 47, "2-jane.doe@example.com", ROOM_47, 5400, int(NOW),
               served.access_token),
    ]


def test_a_sink_that_fails_fails_the_mint(store: AppointmentStore) -> None:
    """No token leaves without its record."""
    refused = OSError("disk full")
    engine = TokenEngine(store, lambda: CREDENTIALS, clock=lambda: NOW,
                         audit=RecordingSink(fail=refused))
    with pytest.raises(OSError) as info:
        engine.issue(47, "2")
    assert info.value is refused


def test_an_outsider_is_told_who_the_appointment_is_for(engine: TokenEngine) -> None:
    with pytest.raises(PermissionDeniedError) as info:
        engine.issue(47, "9")
    assert (str(info.value), info.value.hint) == (
        "Permission denied",
        f"9 outsider@example.com is not in appointment 47: it is for {BOTH}")


# -- the expiry time on serve's hot path: made once a second, from a bounded cache -------


def test_tokens_minted_in_the_same_second_share_one_expiry_time(engine: TokenEngine) -> None:
    from vtctl.local import engine as module

    first = engine.issue(47, 2)
    before = module._utc.cache_info()
    second = engine.issue(47, 5)
    assert second.expires_at == first.expires_at
    assert second.expires_at is first.expires_at  # the cached one, not made again
    assert module._utc.cache_info().hits == before.hits + 1


def test_the_expiry_cache_keeps_at_most_64_times(store: AppointmentStore) -> None:
    """A long-running serve mints in ever new seconds: the cache holds the last 64."""
    from vtctl.local import engine as module

    clock = iter(range(int(NOW), int(NOW) + 200))
    minting = TokenEngine(store, lambda: CREDENTIALS, clock=lambda: next(clock))
    tokens = [minting.issue(47, 2) for _ in range(200)]
    assert len({t.expires_at for t in tokens}) == 200
    info = module._utc.cache_info()
    assert (info.maxsize, info.currsize) == (64, 64)


def test_a_minted_record_never_shows_its_token_in_a_repr() -> None:
    """What the engine tells the audit sink holds the token; its repr (a log line, a
    traceback's locals under --debug) must not."""
    from vtctl.local.audit import Minted

    minted = Minted("token", 47, "2-jane.doe@example.com", "apt-47-1-ab", 3600, 1700000000,
                    "eyJhbGciOi.secret-payload.signature")
    shown = repr(minted)
    assert "secret-payload" not in shown and "eyJ" not in shown
    assert "access_token=<hidden>" in shown and "'2-jane.doe@example.com'" in shown


# -- mint_for's per-user and per-duration caches never skip a rule (issue 20) ----------


def _pair(engine: TokenEngine, user_ref: str) -> tuple[Appointment, User]:
    return engine.authorize(47, user_ref)


def test_a_refused_identity_is_refused_on_every_mint_and_never_recorded(
    store: AppointmentStore,
) -> None:
    """The identity check is cached per user only when it passes: a user whose identity
    Twilio would refuse fails the second mint exactly like the first."""
    sink = RecordingSink()
    engine = TokenEngine(store, lambda: CREDENTIALS, clock=lambda: NOW, audit=sink)
    appointment_47, jane = _pair(engine, "2")
    long_email = jane._replace(email="j" * 120 + "@example.com")
    surrogate = jane._replace(email="jane\udcff@example.com")
    for refused, problem in ((long_email, "at most 128"), (surrogate, "not valid Unicode")):
        for _ in range(2):
            with pytest.raises(TokenGenerationError, match=problem):
                engine.mint_for(appointment_47, refused)
    assert sink.seen == []
    assert engine.mint_for(appointment_47, jane).user_identity == "2-jane.doe@example.com"


def test_the_identity_follows_the_users_email_not_only_its_id(engine: TokenEngine) -> None:
    appointment_47, jane = _pair(engine, "2")
    first = engine.mint_for(appointment_47, jane)
    moved = engine.mint_for(appointment_47, jane._replace(email="jane@new.example.com"))
    assert (first.user_identity, moved.user_identity) == (
        "2-jane.doe@example.com", "2-jane@new.example.com")
    assert decode(moved.access_token)[1]["grants"]["identity"] == "2-jane@new.example.com"


def test_each_mint_applies_the_lifetime_rule_to_the_appointments_duration(
    engine: TokenEngine,
) -> None:
    """Appointments of different lengths in turn through one engine: each token's
    lifetime is its own appointment's, in the reply and in the signed claims."""
    appointment_47, jane = _pair(engine, "2")
    for duration, seconds, text in [(60, 5400, "90 minutes (1 hours)"),
                                    (1000, 14400, "240 minutes (4 hours)"),
                                    (0, 3600, "60 minutes (1 hours)"),
                                    (60, 5400, "90 minutes (1 hours)")]:
        token = engine.mint_for(appointment_47._replace(duration_minutes=duration), jane)
        assert (token.expires_in, token.token_valid_until) == (seconds, text)
        assert token.appointment_duration_minutes == duration
        _, claims = decode(token.access_token)
        assert (claims["nbf"], claims["exp"]) == (int(NOW), int(NOW) + seconds)


def test_the_credentials_are_read_for_every_token(store: AppointmentStore) -> None:
    """A rotated API key signs the very next token: nothing keeps the old one."""
    other = TwilioCredentials(TEST_ACCOUNT_SID, "SK" + "b" * 32,
                              "another-secret-of-32-characters!!")
    current = [CREDENTIALS]
    engine = TokenEngine(store, lambda: current[0], clock=lambda: NOW)
    appointment_47, jane = _pair(engine, "2")
    before = engine.mint_for(appointment_47, jane)
    current[0] = other
    after = engine.mint_for(appointment_47, jane)
    assert decode(before.access_token)[1]["iss"] == TEST_API_KEY
    assert decode(after.access_token, secret=other.api_secret)[1]["iss"] == other.api_key


def test_a_users_identity_and_a_durations_lifetime_are_worked_out_once(
    engine: TokenEngine,
) -> None:
    """serve mints for the same users and durations all day (the engine row): the second
    token of a user reuses the checked identity and the lifetime, and is the same token."""
    from vtctl.local import engine as engine_module

    caches = (engine_module._checked_identity, engine_module._lifetime)
    for cache in caches:
        cache.cache_clear()
    first = engine.issue(47, "jane.doe@example.com")
    second = engine.issue(47, "jane.doe@example.com")
    assert [cache.cache_info().hits for cache in caches] == [1, 1]
    assert second == first
