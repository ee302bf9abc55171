"""Builders for the remote backend's tests: the guide's bodies and fake JWTs."""

from __future__ import annotations

import base64
import errno
import json
import socket
import ssl
import time
from typing import Any

import httpx

BASE = "http://127.0.0.1:8765"
ROOM = "apt-47-1763138954-46eb915c"


def b64(data: dict[str, Any]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def make_jwt(
    user_id: int = 2, lifetime: float = 3600, *, exp: float | None = None, **claims: Any
) -> str:
    """An unsigned-looking (dummy signature) SimpleJWT-style access token."""
    now = int(time.time())
    body = {
        "token_type": "access", "user_id": user_id, "iat": now,
        "exp": int(exp if exp is not None else now + lifetime), "jti": "abc123", **claims,
    }
    return f"{b64({'alg': 'HS256', 'typ': 'JWT'})}.{b64(body)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


#: the guide's 200 body for GET /api/appointments/video-token/47/
TOKEN_BODY: dict[str, Any] = {
    "access_token": "eyJhbGciOiJIUzI1NiIsImN0eSI6InR3aWxpby1mcGE7dj0xIiwidHlwIjoiSldUIiwiYWxn"
    "IjoiSFMyNTYifQ.eyJqdGkiOiJTSzEyMyJ9.twilio-signature",
    "room_name": ROOM,
    "user_identity": "2-jane.doe@example.com",
    "expires_in": 5400,
    "expires_at": "2025-11-16T10:30:00Z",
    "appointment_id": 47,
    "appointment_duration_minutes": 60,
    "token_valid_until": "90 minutes (1 hours)",
}

APPOINTMENT_BODY: dict[str, Any] = {
    "id": 47, "patient_id": 2, "psychologist_id": 5, "duration_minutes": 60,
    "starts_at": "2025-11-16T09:00:00Z", "video_room_id": ROOM,
}

PERMISSION_DENIED = {"error": "Permission denied"}
APPOINTMENT_NOT_FOUND = {"error": "Appointment not found"}
NO_VIDEO_ROOM = {"error": "No video room found for this appointment"}
TOKEN_FAILED = {"error": "Failed to generate access token: Twilio credentials missing"}
HTML_PAGE = "<html><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>"


def url(path: str) -> str:
    return BASE + path


def connect_error(cause: OSError) -> httpx.ConnectError:
    """A ConnectError as the transport raises it: the OS error under it, as its cause."""
    exc = httpx.ConnectError(str(cause))
    exc.__cause__ = cause
    return exc


# the OS's words change with its locale: the client reads the type and errno only
REFUSED = ConnectionRefusedError(errno.ECONNREFUSED, "Verbindungsaufbau abgelehnt")
NO_SUCH_HOST = socket.gaierror(socket.EAI_NONAME, "Nom ou service inconnu")
UNREACHABLE = OSError(errno.ENETUNREACH, "Rete non raggiungibile")
UNTRUSTED = ssl.SSLCertVerificationError(1, "certificate verify failed")
