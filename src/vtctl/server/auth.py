"""Bearer-JWT authentication of ``vtctl serve``, shaped like the backend family's
(Django REST framework + SimpleJWT): HS256 access tokens with the claims
``token_type: "access"``, ``user_id``, ``exp``, ``iat`` and ``jti``.

Failures become ``AuthFailed`` carrying DRF's 401 body: ``{"detail": "..."}``
(plus SimpleJWT's ``code`` / ``messages`` where SimpleJWT sends them).
PyJWT is imported lazily (this module is imported by the CLI for
``serve --issue-jwt``); nothing here ever logs or echoes a token.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from vtctl.domain.rules import MAX_ID  # user ids are SQLite INTEGERs
from vtctl.domain.short_keys import ignore_short_key_warning

#: Where the signing secret comes from; shared by the server and ``--issue-jwt``.
SECRET_ENV = "VTCTL_SERVE_SECRET"
ALGORITHM = "HS256"
#: Lifetime of dev JWTs (SimpleJWT's default is 5 minutes: too short for a dev loop).
DEFAULT_LIFETIME_SECONDS = 12 * 3600
REFRESH_LIFETIME_SECONDS = 24 * 3600
MIN_SECRET_LENGTH = 32

NOT_PROVIDED = "Authentication credentials were not provided."
NOT_VALID = "Given token not valid for any token type"
#: verified tokens kept (token -> (user_id, exp)); cleared whole when full
_CACHE_SIZE = 4096


class AuthFailed(Exception):
    """A request's credentials were refused: answer 401 with ``body``."""

    def __init__(self, detail: str, code: str | None = None, message: str | None = None) -> None:
        super().__init__(detail)
        self.body: dict[str, Any] = {"detail": detail}
        if code is not None:
            self.body["code"] = code
        if message is not None:
            self.body["messages"] = [
                {"token_class": "AccessToken", "token_type": "access", "message": message}
            ]


def secret_from_env(env: dict[str, str] | None = None) -> str | None:
    env = dict(os.environ) if env is None else env
    value = env.get(SECRET_ENV)
    return value or None


def generate_secret() -> str:
    return secrets.token_urlsafe(48)


@dataclass
class JwtAuthority:
    """Signs and verifies the server's user JWTs with one HS256 secret."""

    secret: str = field(repr=False)
    lifetime: int = DEFAULT_LIFETIME_SECONDS
    clock: Any = time.time
    _verified: dict[str, tuple[int, int]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        ignore_short_key_warning()  # vtctl serve says so itself, in one line

    def issue(self, user_id: int, token_type: str = "access", lifetime: int | None = None) -> str:
        import jwt

        now = int(self.clock())
        ttl = self.lifetime if lifetime is None else lifetime
        payload = {
            "token_type": token_type,
            "exp": now + ttl,
            "iat": now,
            "jti": uuid.uuid4().hex,
            "user_id": user_id,
        }
        return jwt.encode(payload, self.secret, algorithm=ALGORITHM)

    def authenticate(self, authorization: str | None) -> int:
        """The user id of an ``Authorization: Bearer <jwt>`` header, or ``AuthFailed``."""
        if not authorization:
            raise AuthFailed(NOT_PROVIDED)
        parts = authorization.split()
        if not parts or parts[0] != "Bearer":
            # SimpleJWT ignores other schemes: the request is simply unauthenticated
            raise AuthFailed(NOT_PROVIDED)
        if len(parts) != 2:
            raise AuthFailed(
                "Authorization header must contain two space-delimited values",
                code="bad_authorization_header",
            )
        return self.verify(parts[1])

    def verify(self, token: str, token_type: str = "access") -> int:
        cached = self._verified.get(token) if token_type == "access" else None
        if cached is not None:
            user_id, exp = cached
            if self.clock() < exp:
                return user_id
            del self._verified[token]
        user_id, exp = self._decode(token, token_type)
        if token_type == "access":
            if len(self._verified) >= _CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = (user_id, exp)
        return user_id

    def _decode(self, token: str, token_type: str) -> tuple[int, int]:
        import jwt

        try:
            # signature, algorithm and required claims by PyJWT; the time claims
            # below against our clock (the same one the verified-token cache uses)
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                options={
                    "require": ["exp", "iat", "jti", "token_type"],
                    "verify_exp": False, "verify_nbf": False, "verify_iat": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise _invalid("Token is invalid") from exc
        now = self.clock()
        times = {name: claims.get(name) for name in ("exp", "iat", "nbf")}
        if not all(value is None or _plausible_time(value) for value in times.values()):
            raise _invalid("Token is invalid")
        if now >= times["exp"]:  # type: ignore[operator]
            raise _invalid("Token is expired")
        if any(value is not None and value > now for value in (times["nbf"], times["iat"])):
            raise _invalid("Token is not yet valid")
        if claims.get("token_type") != token_type:
            raise _invalid("Token has wrong type")
        user_id = claims.get("user_id")
        if (isinstance(user_id, str) and user_id.isascii() and user_id.isdigit()
                and len(user_id) <= 19):
            user_id = int(user_id)
        if (not isinstance(user_id, int) or isinstance(user_id, bool)
                or not 0 < user_id <= MAX_ID):
            raise AuthFailed(
                "Token contained no recognizable user identification", code="token_not_valid"
            )
        return user_id, int(claims["exp"])


#: time claims beyond this (about year 285 million) are refused before any float arithmetic
MAX_TIME_CLAIM = 2**53


def _plausible_time(value: object) -> bool:
    """A number of seconds: not a bool, not NaN/Infinity (PyJWT reads them), not ``10**400``
    (an int no float can hold: comparing it with the clock would raise OverflowError)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return -MAX_TIME_CLAIM <= value <= MAX_TIME_CLAIM  # False for NaN and the infinities


def _invalid(message: str) -> AuthFailed:
    return AuthFailed(NOT_VALID, code="token_not_valid", message=message)
