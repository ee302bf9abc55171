"""``vtctl appointment export``: the local store as an import document."""

from __future__ import annotations

from dataclasses import dataclass

import typer

from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import store_settings, streams
from vtctl.config.settings import Settings
from vtctl.ui.iostreams import IOStreams


@dataclass
class ExportOptions:
    io: IOStreams
    settings: Settings


def run_export(opts: ExportOptions) -> None:
    from vtctl.backends.local import open_store
    from vtctl.local.importer import export_lines

    with open_store(opts.settings) as store:
        for line in export_lines(store.iter_users(), store.iter_appointments()):
            opts.io.out.write(line + "\n")


def export_command(
    ctx: typer.Context,
    profile: o.Profile = None,
    store: o.Store = None,
) -> None:
    """Print the local store as an import document (JSON) on stdout.

    `vtctl appointment import` takes it back unchanged, e.g. to copy a store:
    vtctl appointment export > backup.json
    """
    with store_settings(profile, store) as settings:
        run_export(ExportOptions(io=streams(ctx), settings=settings))


def register(group: typer.Typer) -> None:
    group.command("export")(export_command)
