"""``vtctl smoke ID [ID...]``: both participants' tokens checked against the guide."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

import typer

from vtctl.checks.smoke import CheckResult
from vtctl.cli.framework import options as o
from vtctl.cli.framework.context import streams
from vtctl.cli.framework.json_flags import Jq, JsonCommand, json_option
from vtctl.cli.framework.validate import parse_appointment_id
from vtctl.config.settings import BackendOptions, Settings, resolve_settings
from vtctl.domain.errors import (
    AuthenticationError,
    ChecksNotRunError,
    SmokeFailedError,
    UsageError,
)
from vtctl.ui.iostreams import IOStreams
from vtctl.ui.output import OutputFormat, emit_json, output_format

if TYPE_CHECKING:
    from vtctl.checks.smoke import SmokeReport
    from vtctl.remote.client import RestClient

USERS_PANEL = "Users (a profile's stored JWT, or an environment variable)"


@dataclass(frozen=True, slots=True)
class JwtRef:
    """Where one user's JWT comes from: a profile's keyring entry or an env variable."""

    role: str
    profile: str | None = None
    env_var: str | None = None

    def resolve(self, env: dict[str, str] | None = None) -> str:
        env = dict(os.environ) if env is None else env
        if self.env_var is not None:
            value = env.get(self.env_var, "").strip()
            if not value:
                raise AuthenticationError(
                    f"${self.env_var} (the {self.role}'s JWT) is empty or not set"
                )
            return value
        assert self.profile is not None
        from vtctl.config.secrets_store import get_secret

        stored = get_secret(self.profile, "jwt")
        if not stored or not stored.strip():
            raise AuthenticationError(
                f"no JWT stored for profile {self.profile!r} (the {self.role})",
                hint=f"log in with `vtctl auth login --profile {self.profile}`, or pass "
                f"--{self.role}-jwt-env VAR",
            )
        return stored.strip()


def jwt_ref(role: str, profile: str | None, env_var: str | None, required: bool) -> JwtRef | None:
    if profile is not None and env_var is not None:
        raise UsageError(f"--{role} and --{role}-jwt-env cannot be used together")
    if profile is None and env_var is None:
        if required:
            raise UsageError(
                f"whose token is the {role}'s? pass --{role} PROFILE or --{role}-jwt-env VAR"
            )
        return None
    return JwtRef(role, profile=profile, env_var=env_var)


@dataclass
class SmokeCliOptions:
    io: IOStreams
    settings: Settings
    appointment_ids: list[int]
    patient: JwtRef
    psychologist: JwtRef
    outsider: JwtRef | None = None
    concurrency: int = 8
    max_skew: float = 5.0
    fmt: OutputFormat = field(default_factory=OutputFormat)
    junit_xml: str | None = None  # write a JUnit XML report here
    github_actions: bool = False  # also print ::error workflow commands for failures
    #: builds a client for one JWT (tests may pass an httpx transport through it)
    make_client: Callable[[Settings, str], RestClient] | None = None


def _default_client(settings: Settings, jwt: str) -> RestClient:
    from vtctl.remote.client import RestClient

    return RestClient(
        settings.base_url, jwt, timeout=settings.timeout, ca_bundle=settings.ca_bundle
    )


def run_smoke_command(opts: SmokeCliOptions) -> SmokeReport:
    from vtctl.checks.smoke import SmokeOptions, run_smoke
    from vtctl.util.logsetup import register_secret

    if opts.concurrency < 1:
        raise UsageError("--concurrency must be at least 1")
    if not 0 <= opts.max_skew < float("inf"):  # also refuses nan
        raise UsageError("--max-skew must be a finite number of seconds, not negative")
    refs = [opts.patient, opts.psychologist] + ([opts.outsider] if opts.outsider else [])
    jwts = [ref.resolve() for ref in refs]
    for value in jwts:
        register_secret(value)
    make = opts.make_client or _default_client
    clients = [make(opts.settings, value) for value in jwts]
    try:
        smoke = SmokeOptions(
            appointment_ids=opts.appointment_ids,
            patient=clients[0],
            psychologist=clients[1],
            outsider=clients[2] if len(clients) > 2 else None,
            concurrency=opts.concurrency,
            max_skew=opts.max_skew,
        )
        report = _run_with_progress(opts.io, smoke, run_smoke)
    finally:
        for client in clients:
            client.close()
    if opts.fmt.json:
        emit_json(opts.io, opts.fmt, report.to_json())
    else:
        from vtctl.ui.render.smoke import results_sheet
        from vtctl.ui.sheet import show

        show(opts.io, results_sheet(report.results))
    _ci_reports(opts, report)
    raise_verdict(report, opts.settings.base_url)
    if not opts.fmt.json:
        opts.io.info(
            f"all {len(report.results)} checks passed for "
            f"{len(report.appointment_ids)} appointment(s) at {opts.settings.base_url}"
        )
    return report


def raise_verdict(report: SmokeReport, base_url: str) -> None:
    """Exit 0 only when every check ran and passed: a failed check is 8, else a check a
    fault kept from running is that fault's code (3, 6, 7)."""
    failed, unrun, total = report.failed, report.not_run, len(report.results)
    if failed:
        bad = len({r.appointment_id for r in failed})
        also = f"; {len(unrun)} could not run" if unrun else ""
        raise SmokeFailedError(
            f"{len(failed)} of {total} checks failed "
            f"({bad} of {len(report.appointment_ids)} appointments){also}"
        )
    if unrun:
        fault = unrun[0].fault
        assert fault is not None
        counted = "no check could run" if len(unrun) == total else (
            f"{len(unrun)} of {total} checks could not run")
        raise ChecksNotRunError(f"{counted}: {fault.message}", fault=fault,
                                hint=fault.hint or f"check the server at {base_url}")


def _ci_reports(opts: SmokeCliOptions, report: SmokeReport) -> None:
    """The JUnit XML file and, on GitHub Actions, one annotation per failed check."""
    from vtctl.checks.ci_report import github_annotations, junit_xml

    if opts.junit_xml is not None:
        from datetime import UTC, datetime
        from pathlib import Path

        from vtctl.util.fsutil import atomic_write_bytes

        stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        try:
            atomic_write_bytes(Path(opts.junit_xml), junit_xml(report, stamp))
        except OSError as exc:
            raise UsageError(f"cannot write --junit-xml {opts.junit_xml}: {exc.strerror}"
                             ) from exc
    if opts.github_actions:
        for line in github_annotations(report):  # the runner reads both streams
            opts.io.info(line)


def _run_with_progress(io: IOStreams, smoke: Any, run: Callable[[Any], SmokeReport]
                       ) -> SmokeReport:
    """A progress bar on stderr, only when stderr is a terminal."""
    if not io.is_stderr_tty or len(smoke.appointment_ids) < 2:
        return run(smoke)
    from vtctl.ui.progress import progress_bar

    with progress_bar(io, "smoke", len(set(smoke.appointment_ids)), "appointments") as advance:
        smoke.on_done = lambda _id: advance()
        return run(smoke)


def command(
    ctx: typer.Context,
    appointment_ids: o.AppointmentIds,
    patient: Annotated[
        str | None, typer.Option("--patient", metavar="PROFILE",
                                 help="Profile whose stored JWT is the patient's.",
                                 rich_help_panel=USERS_PANEL, show_default=False)
    ] = None,
    psychologist: Annotated[
        str | None, typer.Option("--psychologist", metavar="PROFILE",
                                 help="Profile whose stored JWT is the psychologist's.",
                                 rich_help_panel=USERS_PANEL, show_default=False)
    ] = None,
    outsider: Annotated[
        str | None, typer.Option("--outsider", metavar="PROFILE",
                                 help="Profile of a user who must get 403 (optional).",
                                 rich_help_panel=USERS_PANEL, show_default=False)
    ] = None,
    patient_jwt_env: Annotated[
        str | None, typer.Option("--patient-jwt-env", metavar="VAR",
                                 help="Read the patient's JWT from this variable (CI).",
                                 rich_help_panel=USERS_PANEL, show_default=False)
    ] = None,
    psychologist_jwt_env: Annotated[
        str | None, typer.Option("--psychologist-jwt-env", metavar="VAR",
                                 help="Read the psychologist's JWT from this variable.",
                                 rich_help_panel=USERS_PANEL, show_default=False)
    ] = None,
    outsider_jwt_env: Annotated[
        str | None, typer.Option("--outsider-jwt-env", metavar="VAR",
                                 help="Read the outsider's JWT from this variable.",
                                 rich_help_panel=USERS_PANEL, show_default=False)
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", metavar="N",
                          help="Appointments checked at once.")
    ] = 8,
    max_skew: Annotated[
        float, typer.Option("--max-skew", metavar="SECONDS",
                            help="Tolerance for expires_at vs the token's exp and "
                            "now + expires_in (clock skew, latency).")
    ] = 5.0,
    json: Annotated[str | None, json_option(CheckResult.json_fields())] = None,
    jq: Jq = None,
    junit_xml: Annotated[
        str | None, typer.Option("--junit-xml", metavar="FILE",
                                 help="Also write a JUnit XML report (one testcase per "
                                 "appointment and check) for CI.",
                                 rich_help_panel=o.OUTPUT_PANEL, show_default=False)
    ] = None,
    base_url: o.BaseUrl = None,
    timeout: o.Timeout = None,
    ca_bundle: o.CaBundle = None,
) -> None:
    ids = [parse_appointment_id(i) for i in appointment_ids]
    patient_ref = jwt_ref("patient", patient, patient_jwt_env, required=True)
    psychologist_ref = jwt_ref("psychologist", psychologist, psychologist_jwt_env, required=True)
    outsider_ref = jwt_ref("outsider", outsider, outsider_jwt_env, required=False)
    assert patient_ref is not None and psychologist_ref is not None
    settings = resolve_settings(
        BackendOptions(profile=patient, base_url=base_url, timeout=timeout, ca_bundle=ca_bundle)
    )
    run_smoke_command(
        SmokeCliOptions(
            io=streams(ctx), settings=settings, appointment_ids=ids,
            patient=patient_ref, psychologist=psychologist_ref, outsider=outsider_ref,
            concurrency=concurrency, max_skew=max_skew, fmt=output_format(json, jq),
            junit_xml=junit_xml,
            github_actions=os.environ.get("GITHUB_ACTIONS") == "true",
        )
    )


HELP = """\
Smoke-test the video API: both participants' tokens checked against the guide.

For each appointment: both users get a token; same room_name, different
access tokens; each access token is a Twilio Video token (cty twilio-fpa;v=1)
whose grant names that room and the user_identity; expires_in is
(duration + 30 min, clamped to 1..4 h) in seconds; expires_at agrees with the
token's exp and with now + expires_in; an --outsider gets 403.

Users are profiles (their JWT from `vtctl auth login --profile P`) or, in CI,
environment variables (--patient-jwt-env VAR ...). The base URL is --base-url,
VTCTL_BASE_URL or the patient profile's.

Exit 0 only when every check ran and passed; 8 when a check failed; else,
when a fault kept a check from running (the server unreachable, a JWT it
rejects, a reply that is not the guide's), that fault's code (7, 3, 6),
after the results.

CI: --junit-xml FILE writes a JUnit XML report (a testsuite per appointment,
a testcase per check, failures as <failure>); with GITHUB_ACTIONS=true each
failed check is also printed (on stderr) as a `::error title=...::detail`
workflow command, which GitHub shows as an annotation.

  vtctl smoke 47 48 --patient jane --psychologist sarah --outsider olly
"""


def register(app: typer.Typer) -> None:
    app.command("smoke", help=HELP, cls=JsonCommand)(command)
