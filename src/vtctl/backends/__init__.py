"""Pick and open a backend from resolved settings."""

from __future__ import annotations

from vtctl.backends.base import Backend
from vtctl.config.settings import Settings

__all__ = ["Backend", "open_backend"]


def open_backend(settings: Settings) -> Backend:
    if settings.backend == "local":
        from vtctl.backends.local import LocalBackend

        return LocalBackend.from_settings(settings)
    from vtctl.backends.remote import RemoteBackend

    return RemoteBackend.from_settings(settings)
