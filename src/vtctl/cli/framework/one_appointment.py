"""What a command about one appointment gets from its flags (``appointment show``,
``room create``): the streams, the backend, the checked appointment id, the output format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer

from vtctl.backends.base import Backend
from vtctl.cli.framework.backend_flags import BackendChoice
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.validate import parse_appointment_id
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, output_format


@dataclass
class AppointmentOptions:
    io: IOStreams
    open_backend: Callable[[], Backend]
    appointment_id: int
    fmt: OutputFormat


def appointment_options(ctx: typer.Context, backend: BackendChoice, appointment_id: str,
                        json: str | None, jq: str | None) -> AppointmentOptions:
    return AppointmentOptions(
        io=streams(ctx),
        open_backend=backend.open,
        appointment_id=parse_appointment_id(appointment_id),
        fmt=output_format(json, jq),
    )
