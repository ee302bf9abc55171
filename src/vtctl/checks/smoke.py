"""``vtctl smoke``: check the video API against the guide for real appointments.

For each appointment both participants' tokens are fetched and checked:
same room, different tokens, each a Twilio Video token (``cty``
``twilio-fpa;v=1``) whose grant names that room and the user's identity,
the guide's lifetime rule and consistent expiry fields; an outsider, when
given, must be refused (403).

The checks are pure functions over ``VideoToken`` objects; ``run_smoke``
fetches through any ``TokenSource`` (a ``RestClient`` in the CLI, fakes in
tests), many appointments at once on a bounded thread pool, the sources
shared across threads (``httpx.Client`` is thread-safe and keeps its
connections open).  A fetch that fails with a fault (not authenticated, a
reply that is not the guide's, unreachable) is a check that could not run;
any other fetch error (403, 404) is a failed check; never a crash.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from vtctl.domain import rules
from vtctl.domain.errors import (
    ExitCode,
    PermissionDeniedError,
    TokenFormatError,
    VtctlError,
)
from vtctl.domain.jwt_inspect import split_token
from vtctl.domain.models import JsonFields, VideoToken, format_utc

TWILIO_CTY = "twilio-fpa;v=1"
MIN_EXPIRES_IN = rules.MIN_LIFETIME_MINUTES * 60
MAX_EXPIRES_IN = rules.MAX_LIFETIME_MINUTES * 60
DEFAULT_CONCURRENCY = 8
DEFAULT_MAX_SKEW = 5.0

#: every check name, in report order
CHECKS = (
    "patient_token",
    "psychologist_token",
    "same_room",
    "different_tokens",
    "patient_grant",
    "psychologist_grant",
    "patient_lifetime",
    "psychologist_lifetime",
    "patient_expiry",
    "psychologist_expiry",
    "outsider_denied",
)


class TokenSource(Protocol):
    """Whatever fetches ``GET /api/appointments/video-token/ID/`` as one user."""

    def video_token(self, appointment_id: int) -> VideoToken: ...


#: the exit codes of a fault that keeps a check from running (not a failed check):
#: not authenticated, a reply that is not the guide's, unreachable
FAULT_CODES = (ExitCode.NOT_AUTHENTICATED, ExitCode.SERVER_ERROR, ExitCode.NETWORK_ERROR)


@dataclass(frozen=True, slots=True)
class CheckResult(JsonFields):
    JSON_FIELDS = ("appointment_id", "check", "ok", "detail")

    appointment_id: int
    check: str
    ok: bool
    detail: str
    #: the check could not run because of this fault (its exit code is the command's
    #: unless a check that ran failed); ``ok`` is False and the detail ``could not run: ...``
    fault: VtctlError | None = field(default=None, compare=False, repr=False)

    @property
    def ran(self) -> bool:
        return self.fault is None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A token and the wall-clock window in which it was fetched."""

    token: VideoToken
    started: float
    finished: float


@dataclass
class SmokeOptions:
    appointment_ids: Sequence[int]
    patient: TokenSource
    psychologist: TokenSource
    outsider: TokenSource | None = None
    concurrency: int = DEFAULT_CONCURRENCY
    #: seconds of clock difference / latency tolerated between expiry fields
    max_skew: float = DEFAULT_MAX_SKEW
    clock: Callable[[], float] = time.time
    #: called (from worker threads) after each appointment is done
    on_done: Callable[[int], None] | None = None


@dataclass
class SmokeReport:
    results: list[CheckResult] = field(default_factory=list)

    @property
    def failed(self) -> list[CheckResult]:
        """Checks that ran and failed."""
        return [r for r in self.results if not r.ok and r.ran]

    @property
    def not_run(self) -> list[CheckResult]:
        """Checks a fault kept from running."""
        return [r for r in self.results if not r.ran]

    @property
    def ok(self) -> bool:
        return bool(self.results) and all(r.ok for r in self.results)

    @property
    def appointment_ids(self) -> list[int]:
        return list(dict.fromkeys(r.appointment_id for r in self.results))

    def to_json(self) -> list[dict[str, Any]]:
        return [r.to_json() for r in self.results]


# -- pure checks --------------------------------------------------------------------


def check_grant(token: VideoToken) -> str | None:
    """None when ``access_token`` is a Twilio Video token for this room and identity."""
    try:
        header, claims = split_token(token.access_token)
    except TokenFormatError as exc:
        return f"access_token does not decode: {exc}"
    problems = []
    if header.get("cty") != TWILIO_CTY:
        problems.append(f"cty is {header.get('cty')!r}, not {TWILIO_CTY!r}")
    if header.get("alg") != "HS256":
        problems.append(f"alg is {header.get('alg')!r}, not 'HS256'")
    grants = claims.get("grants")
    grants = grants if isinstance(grants, dict) else {}
    video = grants.get("video")
    room = video.get("room") if isinstance(video, dict) else None
    if video is None:
        problems.append("no video grant")
    elif room != token.room_name:
        problems.append(f"video grant room {room!r} != room_name {token.room_name!r}")
    if grants.get("identity") != token.user_identity:
        problems.append(
            f"grant identity {grants.get('identity')!r} != user_identity {token.user_identity!r}"
        )
    return "; ".join(problems) or None


def expected_expires_in(duration_minutes: int) -> int:
    return rules.token_lifetime_minutes(duration_minutes) * 60


def check_lifetime(token: VideoToken) -> str | None:
    """``expires_in`` within 1..4 h and equal to (duration + 30 min, clamped) in seconds."""
    if not MIN_EXPIRES_IN <= token.expires_in <= MAX_EXPIRES_IN:
        return f"expires_in {token.expires_in} is outside {MIN_EXPIRES_IN}..{MAX_EXPIRES_IN}"
    expected = expected_expires_in(token.appointment_duration_minutes)
    if token.expires_in != expected:
        return (
            f"expires_in {token.expires_in} != {expected} for a "
            f"{token.appointment_duration_minutes}-minute appointment"
        )
    return None


def check_expiry(fetched: Fetched, max_skew: float = DEFAULT_MAX_SKEW) -> str | None:
    """``expires_at`` agrees with the token's ``exp`` and with fetch time + ``expires_in``."""
    token = fetched.token
    expires_at = token.expires_at.timestamp()
    problems = []
    try:
        _, claims = split_token(token.access_token)
        exp = claims.get("exp")
    except TokenFormatError:
        exp = None
    if not isinstance(exp, int | float):
        problems.append("the access token has no numeric exp claim")
    elif abs(exp - expires_at) > max_skew:
        problems.append(
            f"expires_at {format_utc(token.expires_at)} is {expires_at - exp:+.0f} s "
            "from the token's exp claim"
        )
    earliest = fetched.started + token.expires_in - max_skew
    latest = fetched.finished + token.expires_in + max_skew
    if not earliest <= expires_at <= latest:
        off = expires_at - (fetched.finished + token.expires_in)
        problems.append(
            f"expires_at {format_utc(token.expires_at)} is {off:+.0f} s from "
            f"now + expires_in ({token.expires_in} s)"
        )
    return "; ".join(problems) or None


def check_pair(patient: VideoToken, psychologist: VideoToken) -> list[tuple[str, str | None]]:
    """(check, problem or None) for what both tokens must share or must not."""
    same_room = None if patient.room_name == psychologist.room_name else (
        f"patient room {patient.room_name!r} != psychologist room {psychologist.room_name!r}"
    )
    different = None
    if patient.access_token == psychologist.access_token:
        different = "both users got the same access_token"
    elif patient.user_identity == psychologist.user_identity:
        different = f"both users got the identity {patient.user_identity!r}"
    return [("same_room", same_room), ("different_tokens", different)]


def check_tokens(
    appointment_id: int,
    patient: Fetched | VtctlError,
    psychologist: Fetched | VtctlError,
    max_skew: float = DEFAULT_MAX_SKEW,
) -> list[CheckResult]:
    """Every token check for one appointment; a failed fetch is a failed check."""
    results: list[CheckResult] = []

    def add(check: str, problem: str | None, ok_detail: str) -> None:
        results.append(CheckResult(appointment_id, check, problem is None, problem or ok_detail))

    fetched: dict[str, Fetched] = {}
    for role, outcome in (("patient", patient), ("psychologist", psychologist)):
        if isinstance(outcome, VtctlError):
            results.append(_could_not_fetch(appointment_id, f"{role}_token", outcome))
        else:
            fetched[role] = outcome
            token = outcome.token
            add(f"{role}_token", None, f"{token.user_identity} in {token.room_name}")
    if len(fetched) == 2:
        pat, psy = fetched["patient"].token, fetched["psychologist"].token
        for check, problem in check_pair(pat, psy):
            add(check, problem, pat.room_name if check == "same_room" else "tokens differ")
    for role, item in fetched.items():
        add(f"{role}_grant", check_grant(item.token), "Twilio Video grant: room and identity")
    for role, item in fetched.items():
        add(f"{role}_lifetime", check_lifetime(item.token),
            f"{item.token.expires_in} s for {item.token.appointment_duration_minutes} min")
    for role, item in fetched.items():
        add(f"{role}_expiry", check_expiry(item, max_skew), format_utc(item.token.expires_at))
    order = {name: i for i, name in enumerate(CHECKS)}
    return sorted(results, key=lambda r: order[r.check])


_DENIED = f"403 {PermissionDeniedError.guide_text}"


def check_outsider(appointment_id: int, outcome: VideoToken | VtctlError) -> CheckResult:
    if isinstance(outcome, PermissionDeniedError):
        return CheckResult(appointment_id, "outsider_denied", True, _DENIED)
    if isinstance(outcome, VtctlError) and outcome.exit_code in FAULT_CODES:
        return _could_not_fetch(appointment_id, "outsider_denied", outcome)
    if isinstance(outcome, VtctlError):
        detail = f"expected {_DENIED}, got: {_describe(outcome)}"
    else:
        detail = f"the outsider got a token ({outcome.user_identity} in {outcome.room_name})"
    return CheckResult(appointment_id, "outsider_denied", False, detail)


def _could_not_fetch(appointment_id: int, check: str, error: VtctlError) -> CheckResult:
    """A fetch that failed: a fault (3, 6, 7) kept the check from running; anything else
    (403 for a participant, 404) is the check failing."""
    if error.exit_code in FAULT_CODES:
        return CheckResult(appointment_id, check, False, f"could not run: {_describe(error)}",
                           fault=error)
    return CheckResult(appointment_id, check, False, _describe(error))


def _describe(error: VtctlError) -> str:
    return f"{error.message} (exit {int(error.exit_code)})"


# -- running ------------------------------------------------------------------------


def _fetch(source: TokenSource, appointment_id: int, clock: Callable[[], float]
           ) -> Fetched | VtctlError:
    started = clock()
    try:
        token = source.video_token(appointment_id)
    except VtctlError as exc:
        return exc
    return Fetched(token, started, clock())


def smoke_appointment(opts: SmokeOptions, appointment_id: int) -> list[CheckResult]:
    patient = _fetch(opts.patient, appointment_id, opts.clock)
    psychologist = _fetch(opts.psychologist, appointment_id, opts.clock)
    results = check_tokens(appointment_id, patient, psychologist, opts.max_skew)
    if opts.outsider is not None:
        try:
            outcome: VideoToken | VtctlError = opts.outsider.video_token(appointment_id)
        except VtctlError as exc:
            outcome = exc
        results.append(check_outsider(appointment_id, outcome))
    return results


def run_smoke(opts: SmokeOptions) -> SmokeReport:
    """Check every appointment (each once, in the given order)."""
    ids = list(dict.fromkeys(opts.appointment_ids))
    workers = max(1, min(opts.concurrency, len(ids) or 1))

    def one(appointment_id: int) -> list[CheckResult]:
        try:
            return smoke_appointment(opts, appointment_id)
        finally:
            if opts.on_done is not None:
                opts.on_done(appointment_id)

    if workers == 1:
        per_appointment = [one(i) for i in ids]
    else:
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="smoke") as pool:
            per_appointment = list(pool.map(one, ids))
    return SmokeReport([r for results in per_appointment for r in results])
