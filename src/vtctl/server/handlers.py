"""Errors as the guide's JSON bodies and status codes (and DRF's for the framework's own)."""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from vtctl.domain.errors import TokenGenerationError, VtctlError
from vtctl.server.auth import AuthFailed


async def _auth_failed(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AuthFailed)
    return JSONResponse(
        exc.body, status_code=401, headers={"WWW-Authenticate": 'Bearer realm="api"'}
    )


async def _vtctl_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, VtctlError)
    message = exc.message
    if isinstance(exc, TokenGenerationError) and not message.startswith(exc.guide_text):
        message = TokenGenerationError.because(message).message
    return JSONResponse({"error": message}, status_code=exc.http_status)  # on the class


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        detail = "Not found."
    elif exc.status_code == 405:
        detail = f'Method "{request.method}" not allowed.'
    else:
        detail = str(exc.detail)
    return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)


async def _client_gone(request: Request, exc: Exception) -> Response:
    """The client hung up before its body was complete (or its body deadline passed):
    nobody reads the answer, which only the access log shows."""
    return JSONResponse({"detail": "Client disconnected."}, status_code=400)


async def _unexpected(request: Request, exc: Exception) -> Response:
    return JSONResponse({"error": "Internal server error"}, status_code=500)


def exception_handlers() -> dict[Any, Any]:
    """Every error rendered the guide's way (``{"error": ...}``) or DRF's (``{"detail": ...}``)."""
    return {
        AuthFailed: _auth_failed,
        VtctlError: _vtctl_error,
        HTTPException: _http_error,
        ClientDisconnect: _client_gone,
        Exception: _unexpected,
    }
