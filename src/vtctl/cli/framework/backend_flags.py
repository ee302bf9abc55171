"""From the backend flags to the backend a command runs against."""

from __future__ import annotations

from vtctl.backends.base import Backend
from vtctl.config.settings import BackendOptions, Settings, resolve_settings

#: The backend flags every data command accepts (declared in ``cli.context``), in order.
BACKEND_FLAG_NAMES = ("local", "profile", "store", "base_url", "timeout", "ca_bundle")


def settings_from(
    local: bool = False,
    profile: str | None = None,
    store: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    ca_bundle: str | None = None,
    *,
    new_profile: bool = False,
) -> Settings:
    return resolve_settings(
        BackendOptions(
            local=local, profile=profile, store=store, base_url=base_url,
            timeout=timeout, ca_bundle=ca_bundle, new_profile=new_profile,
        )
    )


class BackendChoice:
    """The backend a command runs against, opened only when it is needed."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def open(self) -> Backend:
        from vtctl.backends import open_backend

        return open_backend(self.settings)
