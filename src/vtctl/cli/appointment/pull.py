"""``vtctl appointment pull ID...``: appointments from the remote API into the local store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import typer

from vtctl.backends.base import Backend
from vtctl.cli.framework import options as o
from vtctl.cli.framework.backend_flags import settings_from
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import parse_appointment_id
from vtctl.config.settings import Settings
from vtctl.domain.errors import VtctlError
from vtctl.domain.models import Appointment, JsonFields
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit_json, output_format

HELP = """\
Fetch appointments (and their two users) from the remote API into the local store.

For each ID: GET /api/appointments/ID/ with the profile's JWT, then the
appointment and its patient and psychologist are stored together (one
transaction each), creating the store if needed. Afterwards tokens can be
minted offline: `vtctl token ID --local --as USER`.

A reply is checked exactly as `vtctl appointment import` checks a file (names
and emails without control characters, the room name apt-ID-SECONDS-HEX of
that appointment): a reply that fails is not stored (exit 6). Nor is one that
would turn a user whom other stored appointments name into a patient or
psychologist they are not, or change that user's email (exit 2).

Partial failures: every ID is tried and each one that could be fetched is
stored; each failure is reported on its own line, and the exit code is that
of the first failure in the order given (e.g. 5 not found, 4 permission
denied, 7 network). --json prints {"store", "pulled", "failed"}.
"""


@dataclass
class PullOptions:
    io: IOStreams
    settings: Settings
    open_remote: Callable[[], Backend]
    appointment_ids: list[int]
    fmt: OutputFormat = field(default_factory=OutputFormat)


@dataclass
class PullResult(JsonFields):
    """``--json``: the store, the ids pulled, each failure with its message and exit code."""

    store: str
    pulled: list[Appointment] = field(default_factory=list)
    failed: list[tuple[int, VtctlError]] = field(default_factory=list)

    def json_attr(self, name: str) -> Any:
        if name == "pulled":
            return [a.id for a in self.pulled]
        if name == "failed":
            return [{"id": i, "error": e.message, "exit_code": int(e.exit_code)}
                    for i, e in self.failed]
        return getattr(self, name)


def run_pull(opts: PullOptions) -> PullResult:
    from vtctl.backends.local import open_store
    from vtctl.local.pull import store_pulled

    result = PullResult(str(opts.settings.store_path))
    remote = opts.open_remote()
    try:
        with open_store(opts.settings, create=True) as store:
            for appointment_id in dict.fromkeys(opts.appointment_ids):
                try:
                    appointment = remote.appointment(appointment_id)
                    store_pulled(store, appointment)  # checked as `import` checks a file
                except VtctlError as exc:
                    result.failed.append((appointment_id, exc))
                    opts.io.error(f"appointment {appointment_id}: {exc.message}")
                    continue
                result.pulled.append(appointment)
                if not opts.fmt.json:
                    opts.io.info(f"appointment {appointment_id}: stored (room "
                                 f"{appointment.video_room_id or 'none yet'})")
    finally:
        remote.close()
    if opts.fmt.json:
        emit_json(opts.io, opts.fmt, result.to_json())
    else:
        opts.io.info(f"pulled {len(result.pulled)} of {len(result.pulled) + len(result.failed)} "
                     f"into {opts.settings.store_path}")
    if result.failed:
        first_id, first = result.failed[0]
        raise type(first)(
            f"{len(result.failed)} appointment(s) could not be pulled; first: "
            f"appointment {first_id}: {first.message}",
        ).advised_as(first)
    return result


def pull_command(
    ctx: typer.Context,
    appointment_ids: o.AppointmentIds,
    json: Annotated[str | None, json_option(PullResult.json_fields())] = None,
    jq: Jq = None,
    profile: o.Profile = None,
    store: o.Store = None,
    base_url: o.BaseUrl = None,
    timeout: o.Timeout = None,
    ca_bundle: o.CaBundle = None,
) -> None:
    settings = settings_from(
        profile=profile, store=store, base_url=base_url, timeout=timeout, ca_bundle=ca_bundle
    )

    def open_remote() -> Backend:
        from vtctl.backends.remote import RemoteBackend

        return RemoteBackend.from_settings(settings)  # the source is always the API

    run_pull(
        PullOptions(
            io=streams(ctx), settings=settings, open_remote=open_remote,
            appointment_ids=[parse_appointment_id(i) for i in appointment_ids],
            fmt=output_format(json, jq),
        )
    )


def register(group: typer.Typer) -> None:
    group.command("pull", help=HELP, cls=JsonCommand)(pull_command)
