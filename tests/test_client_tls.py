"""RestClient against a real HTTPS server on 127.0.0.1 (certificates from trustme).

Verification is always on: a private CA is refused until ``ca_bundle`` names it.
"""

from __future__ import annotations

import http.server
import json
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest
import trustme

from tests.remote_helpers import TOKEN_BODY, make_jwt
from vtctl.domain.errors import ExitCode, NetworkError
from vtctl.remote.client import RestClient

JWT = make_jwt()


class _Handler(http.server.BaseHTTPRequestHandler):
    seen_auth: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        _Handler.seen_auth.append(self.headers.get("Authorization"))
        body = json.dumps(TOKEN_BODY).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture
def https_server(ca: trustme.CA) -> Iterator[str]:
    _Handler.seen_auth = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_private_ca_is_refused_without_ca_bundle(https_server: str) -> None:
    sleeps: list[float] = []
    with RestClient(https_server, JWT, sleep=sleeps.append) as rest, \
            pytest.raises(NetworkError) as info:
        rest.video_token(47)
    assert info.value.exit_code == ExitCode.NETWORK_ERROR
    assert "TLS verification failed" in info.value.message
    assert info.value.hint is not None and "--ca-bundle" in info.value.hint
    assert sleeps == []  # a certificate failure is not retried
    assert _Handler.seen_auth == []  # nothing, in particular no JWT, went over the wire


def test_ca_bundle_trusts_the_private_ca(https_server: str, ca: trustme.CA,
                                         tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with RestClient(https_server, JWT, ca_bundle=str(bundle)) as rest:
        assert rest.video_token(47).to_json() == TOKEN_BODY
    assert _Handler.seen_auth == [f"Bearer {JWT}"]


def test_ssl_cert_file_reaches_the_cli(https_server: str, ca: trustme.CA, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch, cli: object) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("VTCTL_JWT", JWT)
    refused = cli("token", "47", "--json", "--base-url", https_server)  # type: ignore[operator]
    assert refused.exit_code == 7 and "TLS verification failed" in refused.stderr
    ok = cli("token", "47", "--json", "--base-url", https_server,  # type: ignore[operator]
             "--ca-bundle", str(bundle))
    assert ok.exit_code == 0, ok.stderr
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    via_env = cli("token", "47", "--json", "--base-url", https_server)  # type: ignore[operator]
    assert via_env.exit_code == 0, via_env.stderr
    assert JWT not in ok.stdout + ok.stderr + refused.stderr


def test_a_plain_http_client_loads_no_certificates(monkeypatch: pytest.MonkeyPatch) -> None:
    """Loading CA certificates costs ~20 ms: an http:// base URL never pays it up front."""

    def refuse(ca_bundle: str | None) -> object:
        raise AssertionError("CA certificates loaded for a plain-http client")

    monkeypatch.setattr("vtctl.net.transport.tls_context", refuse)
    with RestClient("http://127.0.0.1:9", JWT, ca_bundle="/etc/ssl/certs/ca-certificates.crt"):
        pass


@pytest.mark.parametrize("trusted", [True, False])
def test_https_from_a_plain_http_client_still_verifies(
    https_server: str, ca: trustme.CA, tmp_path: Path, trusted: bool
) -> None:
    """The https transport a plain-http client builds on demand (for a same-host
    upgrade redirect) verifies certificates against the bundle, as the eager one does."""
    import httpx

    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    with RestClient("http://127.0.0.1:9", JWT, ca_bundle=str(bundle) if trusted else None) as rest:
        http = rest._http  # the client's own httpx.Client and its mounts
        if trusted:
            assert http.get(f"{https_server}/api/x").status_code == 200
        else:
            with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                http.get(f"{https_server}/api/x")
