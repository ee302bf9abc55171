"""The httpx transport of the API clients: every socket operation obeys one deadline.

httpx's timeouts bound each socket operation, so a server dripping its reply a
byte at a time never trips them.  Here httpcore's public ``ConnectionPool`` runs
on a network backend whose streams shorten every connect, TLS handshake, read
and write to what is left of the ``Deadline`` armed (``deadline_scope``) by the
operation running in this thread.  httpx has no public way to hand its own
transport a pool, so ``DeadlineTransport`` is a small ``httpx.BaseTransport``
doing what ``httpx.HTTPTransport`` does: httpx request -> httpcore request,
httpcore exceptions -> httpx exceptions (by type).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import httpcore
import httpx

from vtctl.domain.errors import UsageError
from vtctl.net.deadline import current_deadline


class TLSHandshakeTimeout(httpcore.ConnectTimeout):
    """The TCP connection opened but the TLS handshake did not finish in time."""


def _capped(timeout: float | None, expired: type[Exception]) -> float | None:
    """``timeout`` shortened to what is left of the armed deadline."""
    deadline = current_deadline()
    if deadline is None:
        return timeout
    left = deadline.left()
    if left <= 0:
        raise expired(f"the {deadline.seconds:g} s deadline has passed")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _capped(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _capped(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        try:
            tls = self._inner.start_tls(ssl_context, server_hostname,
                                        _capped(timeout, TLSHandshakeTimeout))
        except httpcore.ConnectTimeout as exc:
            raise TLSHandshakeTimeout(str(exc)) from exc
        return _DeadlineStream(tls)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _DeadlineBackend(httpcore.NetworkBackend):
    def __init__(self, inner: httpcore.NetworkBackend) -> None:
        self._inner = inner

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_tcp(
            host, port, _capped(timeout, httpcore.ConnectTimeout), local_address,
            socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        return _DeadlineStream(self._inner.connect_unix_socket(
            path, _capped(timeout, httpcore.ConnectTimeout), socket_options))

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


#: httpcore exception -> the httpx one, most specific first (as httpx.HTTPTransport maps them)
_EXCEPTIONS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


@contextmanager
def _as_httpx_errors() -> Iterator[None]:
    try:
        yield
    except Exception as exc:
        for core, mapped in _EXCEPTIONS:
            if isinstance(exc, core):
                raise mapped(str(exc)) from exc
        raise


class _Body(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        with _as_httpx_errors():
            yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class DeadlineTransport(httpx.BaseTransport):
    """httpx's job of ``HTTPTransport``, on a pool whose sockets obey the deadline."""

    def __init__(self, ssl_context: ssl.SSLContext | None) -> None:
        """``ssl_context`` None: httpcore loads its default (verifying) one on first https use."""
        self._connections = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            network_backend=_DeadlineBackend(httpcore.SyncBackend()),
            # httpx.HTTPTransport's default limits: an idle connection is dropped after 5 s
            max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0,
        )

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        assert isinstance(request.stream, httpx.SyncByteStream)
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                             port=request.url.port, target=request.url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _as_httpx_errors():
            reply = self._connections.handle_request(core)
        assert isinstance(reply.stream, Iterable)
        return httpx.Response(status_code=reply.status, headers=reply.headers,
                              stream=_Body(reply.stream), extensions=reply.extensions)

    def close(self) -> None:
        with _as_httpx_errors():
            self._connections.close()


class LazyTransport(httpx.BaseTransport):
    """A transport built on its first request."""

    def __init__(self, build: Callable[[], httpx.BaseTransport]) -> None:
        self._build = build
        self._inner: httpx.BaseTransport | None = None

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._inner is None:
            self._inner = self._build()
        return self._inner.handle_request(request)

    def close(self) -> None:
        if self._inner is not None:
            self._inner.close()


def deadline_transport(ssl_context: ssl.SSLContext | None) -> httpx.BaseTransport:
    """The transport the API clients send through (tests/conftest.py swaps it for
    pytest-httpx, which answers for ``httpx.HTTPTransport`` only)."""
    return DeadlineTransport(ssl_context)


def transports(scheme: str, ca_bundle: str | None
               ) -> tuple[httpx.BaseTransport, dict[str, httpx.BaseTransport]]:
    """The transport for a base URL of ``scheme`` and the mounts to pass beside it.

    A plain-http client loads no CA certificates (~20 ms) until a same-host
    redirect upgrades it to https, if one ever does.
    """
    if scheme == "https":
        return deadline_transport(tls_context(ca_bundle)), {}
    upgrade = LazyTransport(lambda: deadline_transport(tls_context(ca_bundle)))
    return deadline_transport(None), {"https://": upgrade}


def tls_context(ca_bundle: str | None) -> ssl.SSLContext:
    """Verifying context: system/certifi CAs (SSL_CERT_FILE, SSL_CERT_DIR), or ``ca_bundle``."""
    if not ca_bundle:
        return httpx.create_ssl_context()
    import os

    path = os.path.expanduser(ca_bundle)
    try:
        if os.path.isdir(path):
            return ssl.create_default_context(capath=path)
        if not os.path.isfile(path):
            raise UsageError(f"CA bundle {ca_bundle!r} does not exist",
                             hint="--ca-bundle / SSL_CERT_FILE takes a PEM file")
        return ssl.create_default_context(cafile=path)
    except (ssl.SSLError, OSError) as exc:
        raise UsageError(f"cannot load CA bundle {ca_bundle!r}: {exc}",
                         hint="--ca-bundle / SSL_CERT_FILE takes a PEM file") from exc
