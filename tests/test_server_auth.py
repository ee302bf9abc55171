"""``JwtAuthority`` at its edges, without a server: expiry at exactly ``exp``,
user ids 1 and 2**63-1, boolean and non-finite time claims, SimpleJWT's exact
401 bodies, the verified-token cache. The HTTP side is in test_server.py."""

from __future__ import annotations

import math
from typing import Any

import jwt
import pytest

from vtctl.server import auth
from vtctl.server.auth import NOT_PROVIDED, NOT_VALID, AuthFailed, JwtAuthority

SECRET = "s" * 40
NOW = 1_700_000_000
MAX_ID = 9_223_372_036_854_775_807  # SQLite's largest INTEGER
NO_USER = {"detail": "Token contained no recognizable user identification",
           "code": "token_not_valid"}


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def authority(now: float = NOW) -> tuple[JwtAuthority, Clock]:
    clock = Clock(now)
    return JwtAuthority(SECRET, clock=clock), clock


def forged(**claims: Any) -> str:
    """A correctly signed token with exactly these claims over the usual ones."""
    payload: dict[str, Any] = {"token_type": "access", "exp": NOW + 60, "iat": NOW,
                               "jti": "j", "user_id": 7}
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not ...}, SECRET, "HS256")


def invalid(message: str) -> dict[str, Any]:
    """SimpleJWT's 401 body for a token it refused."""
    return {"detail": NOT_VALID, "code": "token_not_valid",
            "messages": [{"token_class": "AccessToken", "token_type": "access",
                          "message": message}]}


def refused(auth_: JwtAuthority, token: str, token_type: str = "access") -> dict[str, Any]:
    with pytest.raises(AuthFailed) as failed:
        auth_.verify(token, token_type)
    return failed.value.body


# -- issuing -----------------------------------------------------------------------


def test_issued_claims_and_header() -> None:
    signer, _ = authority()
    token = signer.issue(42)
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_exp": False})
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    assert set(claims) == {"token_type", "exp", "iat", "jti", "user_id"}
    assert (claims["token_type"], claims["user_id"], claims["iat"]) == ("access", 42, NOW)
    assert claims["exp"] == NOW + 12 * 3600  # the dev default lifetime
    assert len(claims["jti"]) == 32 and int(claims["jti"], 16) >= 0
    other = jwt.decode(signer.issue(42, "refresh", lifetime=5), SECRET, algorithms=["HS256"],
                       options={"verify_exp": False})
    assert (other["token_type"], other["exp"]) == ("refresh", NOW + 5)
    assert other["jti"] != claims["jti"]


def test_lifetimes_and_secret_rules() -> None:
    assert auth.REFRESH_LIFETIME_SECONDS == 24 * 3600  # SimpleJWT's default refresh lifetime
    assert auth.MIN_SECRET_LENGTH == 32  # HS256 wants a key at least as long as its hash
    assert JwtAuthority(SECRET, lifetime=90).lifetime == 90
    secrets = {auth.generate_secret() for _ in range(3)}
    assert len(secrets) == 3 and all(len(s) == 64 for s in secrets)


def test_secret_from_env() -> None:
    assert auth.SECRET_ENV == "VTCTL_SERVE_SECRET"
    assert auth.secret_from_env({"VTCTL_SERVE_SECRET": "abc"}) == "abc"
    assert auth.secret_from_env({"VTCTL_SERVE_SECRET": ""}) is None
    assert auth.secret_from_env({}) is None


def test_secret_from_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VTCTL_SERVE_SECRET", "from-env")
    assert auth.secret_from_env() == "from-env"


# -- the Authorization header ---------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "   ", "Basic abc", "bearer abc", "Token abc"])
def test_no_bearer_credentials(header: str | None) -> None:
    with pytest.raises(AuthFailed) as failed:
        authority()[0].authenticate(header)
    assert failed.value.body == {"detail": NOT_PROVIDED}
    assert str(failed.value) == NOT_PROVIDED


@pytest.mark.parametrize("header", ["Bearer", "Bearer a b"])
def test_bearer_with_other_than_one_value(header: str) -> None:
    with pytest.raises(AuthFailed) as failed:
        authority()[0].authenticate(header)
    assert failed.value.body == {
        "detail": "Authorization header must contain two space-delimited values",
        "code": "bad_authorization_header",
    }


def test_bearer_token_gives_its_user() -> None:
    signer, _ = authority()
    assert signer.authenticate(f"Bearer {signer.issue(3)}") == 3


# -- expiry and the other time claims --------------------------------------------------


def test_valid_until_the_second_before_exp_and_expired_at_exp() -> None:
    signer, clock = authority()
    token = forged(exp=NOW + 10)
    clock.now = NOW + 9.999
    assert signer.verify(token) == 7
    clock.now = NOW + 10  # cached, and now exactly at exp
    assert refused(signer, token) == invalid("Token is expired")
    assert refused(authority(NOW + 10)[0], token) == invalid("Token is expired")  # uncached


def test_a_cached_token_is_decoded_again_once_expired() -> None:
    signer, clock = authority()
    token = forged(exp=NOW + 10.75)  # a float exp is kept whole in the cache
    assert signer.verify(token) == 7
    assert signer._verified == {token: (7, NOW + 10)}
    clock.now = NOW + 10.5  # past the cached whole second, before the real exp
    assert signer.verify(token) == 7


@pytest.mark.parametrize("claim", ["iat", "nbf"])
def test_not_yet_valid_is_strictly_after_now(claim: str) -> None:
    signer, _ = authority()
    assert signer.verify(forged(**{claim: NOW})) == 7
    assert refused(signer, forged(**{claim: NOW + 1})) == invalid("Token is not yet valid")


BAD_TIMES = [True, False, "1700000100", math.nan, math.inf, -math.inf, [NOW]]


@pytest.mark.parametrize(
    ("claim", "value"),
    [(claim, value) for claim in ("exp", "iat", "nbf") for value in BAD_TIMES]
    + [("exp", None), ("iat", None)],  # required; a null nbf counts as absent
)
def test_time_claims_must_be_finite_numbers(claim: str, value: Any) -> None:
    assert refused(authority()[0], forged(**{claim: value})) == invalid("Token is invalid")


def test_time_claims_are_bounded_at_2_to_the_53_seconds_either_way() -> None:
    """At the bound accepted, one second past it refused (also an int no float holds)."""
    signer, _ = authority()
    assert signer.verify(forged(exp=2**53)) == 7
    assert signer.verify(forged(iat=-(2**53), nbf=-(2**53))) == 7
    for claim, value in [("exp", 2**53 + 1), ("iat", -(2**53) - 1), ("nbf", -(2**53) - 1),
                         ("exp", 10**400), ("iat", -(10**400))]:
        assert refused(signer, forged(**{claim: value})) == invalid("Token is invalid")


def test_float_time_claims_are_accepted() -> None:
    assert authority()[0].verify(forged(exp=NOW + 0.5, iat=NOW - 0.5, nbf=NOW - 0.5)) == 7


@pytest.mark.parametrize("missing", ["exp", "iat", "jti", "token_type"])
def test_required_claims(missing: str) -> None:
    assert refused(authority()[0], forged(**{missing: ...})) == invalid("Token is invalid")


def test_wrong_signature_and_algorithm() -> None:
    signer, _ = authority()
    other = jwt.encode({"token_type": "access", "exp": NOW + 60, "iat": NOW, "jti": "j",
                        "user_id": 7}, "t" * 40, "HS256")
    assert refused(signer, other) == invalid("Token is invalid")
    assert refused(signer, "not.a.jwt") == invalid("Token is invalid")


def test_token_types_do_not_stand_in_for_each_other() -> None:
    signer, _ = authority()
    refresh = signer.issue(7, "refresh")
    assert refused(signer, refresh) == invalid("Token has wrong type")
    assert refused(signer, signer.issue(7), "refresh") == invalid("Token has wrong type")
    assert signer.verify(refresh, "refresh") == 7
    assert signer.verify(forged(token_type="a"), "a") == 7  # any other type, whatever its name
    assert signer._verified == {}  # only access tokens are cached


# -- user ids -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("user_id", "expected"),
    [(1, 1), (MAX_ID, MAX_ID), ("1", 1), ("42", 42), ("1" * 19, int("1" * 19)),
     (str(MAX_ID), MAX_ID)],
)
def test_user_ids_that_are_accepted(user_id: Any, expected: int) -> None:
    assert authority()[0].verify(forged(user_id=user_id)) == expected


@pytest.mark.parametrize(
    "user_id",
    [0, -1, MAX_ID + 1, True, False, 2.0, "", "0", "-1", "x1", "\u0663", str(MAX_ID + 1),
     "0" * 19 + "1", None, ..., [1], {"id": 1}],
)
def test_user_ids_that_are_refused(user_id: Any) -> None:
    assert refused(authority()[0], forged(user_id=user_id)) == NO_USER


# -- the verified-token cache ---------------------------------------------------------


def test_a_verified_access_token_is_not_decoded_again() -> None:
    signer, _ = authority()
    token = signer.issue(7)
    assert signer.verify(token) == 7
    signer.secret = "t" * 40  # a decode would now fail: only the cache can answer
    assert signer.verify(token) == 7
    assert refused(signer, forged(jti="unseen")) == invalid("Token is invalid")


def test_the_cache_answers_only_for_the_access_type_compared_by_value() -> None:
    signer, _ = authority()
    token = signer.issue(7)
    access = "".join(["acc", "ess"])  # equal to "access", not the same object
    assert signer.verify(token, access) == 7 and token in signer._verified
    signer.secret = "t" * 40
    assert signer.verify(token, access) == 7  # from the cache
    assert refused(signer, token, "a") == invalid("Token is invalid")  # decoded, not cached


def test_the_cache_is_emptied_when_full() -> None:
    signer, _ = authority()
    tokens = [forged(jti=str(n)) for n in range(auth._CACHE_SIZE + 1)]
    for token in tokens[:-1]:
        signer.verify(token)
    assert len(signer._verified) == auth._CACHE_SIZE == 4096
    signer.verify(tokens[-1])
    assert signer._verified == {tokens[-1]: (7, NOW + 60)}


def test_the_secret_and_cache_stay_out_of_repr_and_constructor() -> None:
    signer, _ = authority()
    signer.verify(signer.issue(7))
    assert SECRET not in repr(signer) and "_verified" not in repr(signer)
    with pytest.raises(TypeError):
        JwtAuthority(SECRET, _verified={})  # type: ignore[call-arg]
