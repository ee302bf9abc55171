"""Decode a Twilio access token without trusting it, and check its signature.

``decode(token)`` only parses: it never needs a secret and never verifies.
``verify(token, secret)`` checks the HS256 signature with PyJWT.  Anything
that is not a well-formed token raises ``TokenFormatError`` (exit 2) with a
message that says which part is wrong; the token itself is never quoted in
messages (it is a bearer credential).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from vtctl.domain.errors import TokenFormatError
from vtctl.domain.models import JsonFields
from vtctl.util.jsonkind import json_kind
from vtctl.util.text import printable

#: Twilio signs access tokens with HMAC-SHA256 and nothing else.
TWILIO_ALGORITHM = "HS256"
TWILIO_CONTENT_TYPE = "twilio-fpa;v=1"

SignatureStatus = Literal["valid", "invalid", "unverified"]

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")
_PARTS = ("header", "payload", "signature")


@dataclass(frozen=True, slots=True)
class InspectedToken:
    """What a Twilio access token says about itself (not yet trusted)."""

    header: dict[str, Any]
    claims: dict[str, Any]
    algorithm: str
    type: str | None
    content_type: str | None
    api_key_sid: str  # iss
    account_sid: str  # sub
    jti: str | None
    identity: str | None
    #: the ``video`` grant is present
    has_video_grant: bool
    #: ``grants.video.room``; None with a video grant means any room
    room_name: str | None
    #: every grant but ``identity``, as in the token (``video``, ``chat``, ...)
    grants: dict[str, Any]
    issued_at: datetime | None
    not_before: datetime | None
    expires_at: datetime

    @property
    def ttl(self) -> int | None:
        """Seconds between the start of validity (nbf, else iat) and expiry."""
        start = self.not_before or self.issued_at
        return int((self.expires_at - start).total_seconds()) if start else None

    def seconds_left(self, now: datetime | None = None) -> int:
        """Seconds until expiry; negative once expired."""
        now = now or datetime.now(UTC)
        return int((self.expires_at - now).total_seconds())

    def to_json(self, signature: SignatureStatus, now: datetime | None = None) -> dict[str, Any]:
        return TokenReport(self, signature, self.seconds_left(now)).to_json()


@dataclass(frozen=True, slots=True)
class TokenReport(JsonFields):
    """``vtctl inspect``'s document: what the token says, its time left, the signature's verdict."""

    JSON_FIELDS = (
        "header", "api_key_sid", "account_sid", "jti", "identity", "room_name", "grants",
        "issued_at", "not_before", "expires_at", "ttl", "seconds_left", "expired", "claims",
        "signature",
    )

    token: InspectedToken
    signature: SignatureStatus
    seconds_left: int

    @property
    def expired(self) -> bool:
        return self.seconds_left <= 0

    def json_attr(self, name: str) -> Any:
        own = name in ("seconds_left", "expired", "signature")
        return getattr(self if own else self.token, name)


def clean_token(text: str) -> str:
    """Strip whitespace and a pasted ``Bearer `` prefix; take ``access_token`` out of a
    token reply (``vtctl token 47 --json | vtctl inspect -``)."""
    token = text.strip()
    if token.startswith("{"):
        import json

        try:
            document = json.loads(token)
        except ValueError:  # not a reply: split_token says what it is
            document = None
        except RecursionError as exc:
            raise TokenFormatError("the pasted JSON is nested too deeply to be a token "
                                   "reply", hint="paste the access token itself") from exc
        if isinstance(document, dict) and isinstance(document.get("access_token"), str):
            token = document["access_token"].strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    return token


def _b64decode(part: str, name: str) -> bytes:
    body = part.rstrip("=")
    if not _BASE64URL.match(body) or len(body) % 4 == 1:
        raise TokenFormatError(
            f"the token's {name} is not base64url text",
            hint="copy the whole token: three base64url parts joined by dots",
        )
    try:
        return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise TokenFormatError(f"the token's {name} is not base64url text") from exc


def _json_object(part: str, name: str) -> dict[str, Any]:
    raw = _b64decode(part, name)
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise TokenFormatError(f"the token's {name} is not JSON") from exc
    if not isinstance(value, dict):
        raise TokenFormatError(f"the token's {name} is JSON {json_kind(value)}, not an object")
    return value


def _time(claims: dict[str, Any], name: str, required: bool = False) -> datetime | None:
    value = claims.get(name)
    if value is None:
        if required:
            raise TokenFormatError(f"the token has no {name!r} claim (its expiry)")
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TokenFormatError(f"the token's {name!r} claim is not a number of seconds")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise TokenFormatError(f"the token's {name!r} claim is not a valid time") from exc


def _string(claims: dict[str, Any], name: str, what: str) -> str:
    value = claims.get(name)
    if not isinstance(value, str) or not value:
        raise TokenFormatError(
            f"the token has no {name!r} claim ({what}): not a Twilio access token"
        )
    return value


def _issued_at(claims: dict[str, Any], api_key_sid: str, jti: str | None) -> datetime | None:
    """``iat`` if present; Twilio's own tokens carry it in ``jti`` (``SK...-{unix}``)."""
    if "iat" in claims:
        return _time(claims, "iat")
    prefix = f"{api_key_sid}-"
    if jti and jti.startswith(prefix) and jti[len(prefix):].isdigit():
        return _time({"iat": int(jti[len(prefix):])}, "iat")
    return None


def split_token(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(header, claims) of a JWT, NOT verified: the one place JWTs are taken apart."""
    if not token:
        raise TokenFormatError("no token given: the input is empty")
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenFormatError(
            f"not a JWT: it has {len(parts)} dot-separated part{'s' if len(parts) != 1 else ''}, "
            "a JWT has 3 (header.payload.signature)"
        )
    header = _json_object(parts[0], "header")
    claims = _json_object(parts[1], "payload")
    if not parts[2]:
        raise TokenFormatError("the token's signature is empty: it is unsigned")
    _b64decode(parts[2], "signature")
    return header, claims


def decode(token: str) -> InspectedToken:
    """Parse a Twilio access token; no signature check (see ``verify``)."""
    token = clean_token(token)
    header, claims = split_token(token)

    algorithm = header.get("alg")
    if not isinstance(algorithm, str) or not algorithm:
        raise TokenFormatError("the token's header has no 'alg' (signature algorithm)")
    _check_header(header)
    api_key_sid = _string(claims, "iss", "the API key SID")
    account_sid = _string(claims, "sub", "the account SID")
    grants = claims.get("grants")
    if not isinstance(grants, dict):
        raise TokenFormatError("the token has no 'grants' object: not a Twilio access token")
    jti = claims.get("jti")
    jti = jti if isinstance(jti, str) else None
    identity = grants.get("identity")
    if identity is not None and not isinstance(identity, str):
        raise TokenFormatError("the token's identity grant is not a string")
    video = grants.get("video")
    if video is not None and not isinstance(video, dict):
        raise TokenFormatError("the token's video grant is not an object")
    room = video.get("room") if video else None
    if room is not None and not isinstance(room, str):
        raise TokenFormatError("the token's video room grant is not a string")
    expires_at = _time(claims, "exp", required=True)
    assert expires_at is not None
    # the token comes from a patient's browser: every field shown is made printable
    # here, once (``header``/``claims``/``grants`` stay as sent, for --json, whose
    # printing escapes them)
    return InspectedToken(
        header=header,
        claims=claims,
        algorithm=printable(algorithm),
        type=_shown(header.get("typ")),
        content_type=_shown(header.get("cty")),
        api_key_sid=printable(api_key_sid),
        account_sid=printable(account_sid),
        jti=_shown(jti),
        identity=_shown(identity),
        has_video_grant=video is not None,
        room_name=_shown(room),
        grants={k: v for k, v in grants.items() if k != "identity"},
        issued_at=_issued_at(claims, api_key_sid, jti),
        not_before=_time(claims, "nbf"),
        expires_at=expires_at,
    )


def _shown(value: object) -> str | None:
    return printable(value) if isinstance(value, str) else None


def _check_header(header: dict[str, Any]) -> None:
    """What PyJWT would refuse while verifying, refused before anything is shown."""
    kid = header.get("kid")
    if kid is not None and not isinstance(kid, str):
        raise TokenFormatError(f"the token's header 'kid' is JSON {json_kind(kid)}, not a string")
    if "crit" in header:
        raise TokenFormatError(
            "the token's header has 'crit' (critical extensions): Twilio access tokens "
            "have none, and no extension is understood here"
        )


def verify(token: str, secret: str) -> bool:
    """True if ``secret`` made the token's HS256 signature.

    Only the signature is checked (expiry is the caller's to show).  A token
    signed with another algorithm is not a valid Twilio token: False.
    """
    import jwt

    from vtctl.domain.short_keys import ignore_short_key_warning

    token = clean_token(token)
    try:
        ignore_short_key_warning()  # Twilio API secrets are 32 characters; test ones shorter
        jwt.decode(
            token,
            secret,
            algorithms=[TWILIO_ALGORITHM],
            options={
                "verify_signature": True,
                "verify_exp": False,
                "verify_nbf": False,
                "verify_iat": False,
                "verify_aud": False,
                "verify_iss": False,
                "verify_sub": False,
                "verify_jti": False,
                "require": [],
            },
        )
    except (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError):
        return False
    except jwt.DecodeError as exc:
        raise TokenFormatError(f"the token cannot be decoded: {printable(str(exc))}") from exc
    except (jwt.InvalidTokenError, RecursionError) as exc:  # a header PyJWT refuses
        raise TokenFormatError(
            f"the token cannot be verified: {printable(str(exc))[:200]}"
        ) from exc
    return True


@dataclass(frozen=True, slots=True)
class SigningSecret:
    """An API secret to verify tokens with, and where it came from."""

    secret: str
    #: the API key SID the secret belongs to, when known
    api_key: str | None
    source: str


def signature_verdict(
    token_text: str, token: InspectedToken, signer: SigningSecret | None
) -> tuple[SignatureStatus, str | None]:
    """Verify with ``signer`` (None: no secret known) and say why when it fails."""
    if signer is None:
        return "unverified", None
    if verify(token_text, signer.secret):
        return "valid", f"{signer.source}, API key {token.api_key_sid}"
    if token.algorithm != TWILIO_ALGORITHM:
        return "invalid", f"signed with {token.algorithm}; Twilio access tokens use HS256"
    if signer.api_key and signer.api_key != token.api_key_sid:
        return "invalid", (
            f"the token names API key {token.api_key_sid}, "
            f"the {signer.source} secret belongs to {signer.api_key}"
        )
    return "invalid", f"not made with the {signer.source} secret of API key {token.api_key_sid}"
