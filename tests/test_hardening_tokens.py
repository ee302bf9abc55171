"""Pasted tokens (``inspect -``, ``diagnose --token -``): issue 23, items 14, 17, 19, 20.

The token comes from a patient's browser: every claim and header field reaches the
terminal printable (``jwt_inspect.decode`` is the one boundary, the consoles and
``print_json`` the next), and a header PyJWT refuses (a non-string ``kid``, a ``crit``
extension), a deeply nested reply or a lone surrogate is a clear error or printable
output, never exit 1.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import appointment, make_store
from tests.test_hardening_render import assert_clean, terminal

Cli = Any
ESC = "\x1b]0;owned\x07\x1b[2J\x9b\u202e\u2066"


def segment(value: object) -> str:
    raw = json.dumps(value).encode()  # ensure_ascii: a lone surrogate stays an escape
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def token(header: dict[str, Any] | None = None, **claims: Any) -> str:
    body: dict[str, Any] = {
        "jti": "SK" + "a" * 32 + "-1763280000", "iss": "SK" + "a" * 32,
        "sub": "AC" + "b" * 32, "exp": int(time.time()) + 3600,
        "grants": {"identity": "2-jane.doe@example.com",
                   "video": {"room": "apt-48-1763138954-46eb915c"}},
    }
    body.update(claims)
    head = {"alg": "HS256", "typ": "JWT", "cty": "twilio-fpa;v=1", **(header or {})}
    return f"{segment(head)}.{segment(body)}.c2lnbmF0dXJl"


def grants(identity: object = "2-jane.doe@example.com", room: object = "r", **more: Any
           ) -> dict[str, Any]:
    return {"identity": identity, "video": {"room": room}, **more}


HOSTILE: dict[str, str] = {
    "escapes in every claim": token(
        {"alg": "HS256" + ESC, "typ": "JWT" + ESC, "cty": "x" + ESC, "kid": "k" + ESC},
        iss="SK" + ESC, sub="AC" + ESC, jti="j" + ESC,
        grants=grants("2-" + ESC, "apt-48" + ESC, chat={"x" + ESC: ESC}),
        **{"extra" + ESC: ESC},
    ),
    "lone surrogates": token({"alg": "HS256\ud800", "kid": "\udcff"}, iss="SK\ud800",
                             sub="AC\udcff", jti="\ud800",
                             grants=grants("2-\ud800", "\udcff", chat={"\ud800": "\udcff"})),
    "a kid that is a number": token({"kid": 5}),
    "a kid that is an object": token({"kid": {"x": [1]}}),
    "a crit header": token({"crit": ["exp"]}),
    "a crit header that is no list": token({"crit": "b64"}),
    "deep grants": token(grants=grants(chat=json.loads("[" * 900 + "]" * 900))),
    "a deep token reply": '{"access_token": ' + "[" * 20_000 + "]" * 20_000 + "}",
    "a deep reply object": '{"access_token": "x", "n": ' + '{"a":' * 10_000 + "1"
                           + "}" * 10_000 + "}",
    "a deep header": f"{segment(json.loads('[' * 900 + ']' * 900))}.{token().split('.', 1)[1]}",
}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Appointment 48 has no room: diagnose asks Twilio nothing."""
    path = make_store(tmp_path / "store.sqlite3", appointment(48, room=None))
    monkeypatch.setenv("VTCTL_STORE", str(path))
    return path


@pytest.mark.parametrize("pasted", HOSTILE.values(), ids=list(HOSTILE))
@pytest.mark.parametrize("where", ["terminal", "piped", "json"])
def test_inspect_of_a_hostile_token(cli: Cli, pasted: str, where: str,
                                    twilio_env: dict[str, str]) -> None:
    args = ["inspect", "-", *(["--json"] if where == "json" else [])]
    result = (terminal if where == "terminal" else cli)(*args, stdin=pasted)
    assert result.exit_code in (0, 2), result.stderr
    assert_clean(result, result.exit_code)
    if result.exit_code == 2:
        assert result.stdout == "" and len(result.stderr.splitlines()) <= 2
        assert result.stderr.startswith(("error: the token", "error: the pasted JSON"))


@pytest.mark.parametrize("pasted", HOSTILE.values(), ids=list(HOSTILE))
@pytest.mark.parametrize("where", ["terminal", "json"])
def test_diagnose_with_a_hostile_token(cli: Cli, store: Path, pasted: str, where: str,
                                       twilio_env: dict[str, str]) -> None:
    args = ["diagnose", "48", "--local", "--token", "-", *(["--json"] if where == "json" else [])]
    result = (terminal if where == "terminal" else cli)(*args, stdin=pasted)
    assert result.exit_code in (2, 8), result.stderr  # findings, or a token that is no token
    assert_clean(result, result.exit_code)


def test_the_decoded_token_holds_only_printable_text() -> None:
    from vtctl.domain.jwt_inspect import decode

    decoded = decode(HOSTILE["escapes in every claim"])
    shown = [decoded.algorithm, decoded.type, decoded.content_type, decoded.api_key_sid,
             decoded.account_sid, decoded.jti, decoded.identity, decoded.room_name]
    for text in shown:
        assert text is not None and "\x1b" not in text and "\u202e" not in text
    assert decoded.identity == "2-?]0;owned??[2J???"
