"""What every command needs from the Typer context: streams and settings."""

from __future__ import annotations

import typer

from vtctl.iostreams import IOStreams
from vtctl.settings import BackendOptions, Settings, resolve_settings


def streams(ctx: typer.Context) -> IOStreams:
    obj = ctx.find_root().obj
    return obj.io if obj is not None else IOStreams()


def settings_from(
    local: bool = False,
    profile: str | None = None,
    store: str | None = None,
    base_url: str | None = None,
    timeout: float | None = None,
    ca_bundle: str | None = None,
) -> Settings:
    return resolve_settings(
        BackendOptions(
            local=local, profile=profile, store=store, base_url=base_url,
            timeout=timeout, ca_bundle=ca_bundle,
        )
    )
