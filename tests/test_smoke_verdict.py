"""``vtctl smoke``: a verdict is only as good as what was checked (issue 19, rule 6).

A check that could not run because of a fault (the server unreachable, a JWT it
rejects, a reply that is not the guide's) is not a failed check: the command
exits with the fault's code (7, 3, 6) after printing every result, unless a
check that ran failed (8).  Before this, one unreachable fetch among passing
ones was "checks failed" (8), and a rejected JWT or a 5xx too.
"""

from __future__ import annotations

import io
import json

import pytest

from tests.test_smoke import ClosableSource as FakeSource
from tests.test_smoke import token
from vtctl.checks.smoke import CHECKS, CheckResult, SmokeReport
from vtctl.domain.errors import (
    AuthenticationError,
    MalformedResponseError,
    NetworkError,
    PermissionDeniedError,
    VtctlError,
)
from vtctl.domain.models import VideoToken


class Failing(FakeSource):
    """A source whose fetches fail with ``error`` for the appointments in ``failing``."""

    def __init__(self, identity: str | None, error: VtctlError, failing: tuple[int, ...] = (1,)
                 ) -> None:
        super().__init__(identity)
        self.error, self.failing = error, failing

    def video_token(self, appointment_id: int) -> VideoToken:
        if appointment_id in self.failing:
            raise self.error
        return super().video_token(appointment_id)


def smoke(patient: FakeSource, psychologist: FakeSource, *ids: int, json_out: bool = True,
          outsider: FakeSource | None = None) -> tuple[int, str, str]:
    """Run the command layer as the CLI does: (exit code, stdout, stderr)."""
    from vtctl.cli.framework.runtime import report_failure
    from vtctl.cli.smoke import JwtRef, SmokeCliOptions, run_smoke_command
    from vtctl.config.settings import BackendOptions, resolve_settings
    from vtctl.ui.iostreams import IOStreams
    from vtctl.ui.output import OutputFormat

    out, err = io.StringIO(), io.StringIO()
    streams = IOStreams(out=out, err=err, force_terminal=False)
    sources = {"p": patient, "s": psychologist, "o": outsider}
    opts = SmokeCliOptions(
        io=streams, settings=resolve_settings(BackendOptions(), env={}),
        appointment_ids=list(ids), patient=JwtRef("patient", env_var="P"),
        psychologist=JwtRef("psychologist", env_var="S"),
        outsider=JwtRef("outsider", env_var="O") if outsider else None,
        fmt=OutputFormat(json=json_out),
        make_client=lambda settings, jwt: sources[jwt],  # type: ignore[arg-type,return-value]
    )
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {"P": "p", "S": "s", "O": "o"}.items():
            mp.setenv(name, value)
        try:
            run_smoke_command(opts)
            code = 0
        except VtctlError as exc:
            code = report_failure(exc, streams, debug=False)
    return code, out.getvalue(), err.getvalue()


JANE, SARAH = "2-j@x.org", "5-s@x.org"


@pytest.mark.parametrize(("error", "code"), [
    (NetworkError("cannot reach http://127.0.0.1:9 (connection refused)"), 7),
    (AuthenticationError("HTTP 401: the JWT was rejected"), 3),
    (MalformedResponseError("the reply is not JSON"), 6),
])
def test_a_fetch_a_fault_kept_from_running_gives_the_faults_code(error: VtctlError, code: int
                                                                  ) -> None:
    # appointment 2 passes whole; appointment 1's psychologist token cannot be fetched
    exit_code, out, err = smoke(FakeSource(JANE), Failing(SARAH, error), 1, 2)
    assert exit_code == code, err
    results = json.loads(out)
    assert len([r for r in results if r["appointment_id"] == 2]) == len(CHECKS) - 1
    unrun = [r for r in results if r["detail"].startswith("could not run:")]
    assert [(r["appointment_id"], r["check"]) for r in unrun] == [(1, "psychologist_token")]
    first = err.splitlines()[0]
    assert first.startswith(f"error: 1 of {len(results)} checks could not run: "), first
    assert error.message in first
    assert "checks failed" not in err


def test_a_failed_check_wins_over_a_fault() -> None:
    wrong = FakeSource(JANE)
    wrong.video_token = lambda appointment_id: token(  # type: ignore[method-assign]
        JANE, room="apt-2-1-00000000")._replace(appointment_id=appointment_id, expires_in=61)
    exit_code, _out, err = smoke(wrong, Failing(SARAH, NetworkError("unreachable")), 1, 2)
    assert exit_code == 8, err
    first = err.splitlines()[0]
    assert "checks failed" in first and "1 could not run" in first, first


def test_an_outsider_whose_jwt_is_rejected_could_not_be_checked() -> None:
    """401 for the outsider says nothing about whether they would get 403."""
    outsider = Failing(None, AuthenticationError("HTTP 401: the JWT was rejected"), (1, 2))
    exit_code, out, err = smoke(FakeSource(JANE), FakeSource(SARAH), 1, 2, outsider=outsider)
    assert exit_code == 3, err
    unrun = [r["check"] for r in json.loads(out) if r["detail"].startswith("could not run:")]
    assert unrun == ["outsider_denied", "outsider_denied"]
    # a real 403 is still the pass it always was
    denied = Failing(None, PermissionDeniedError(), (1,))
    assert smoke(FakeSource(JANE), FakeSource(SARAH), 1, outsider=denied)[0] == 0


def test_a_denial_or_a_missing_appointment_is_still_a_failed_check() -> None:
    """403 for the patient on her own appointment is what smoke exists to catch: 8."""
    exit_code, _, err = smoke(Failing(JANE, PermissionDeniedError()), FakeSource(SARAH), 1)
    assert exit_code == 8, err


def test_the_table_says_not_run_and_junit_calls_it_an_error() -> None:
    from vtctl.checks.ci_report import junit_xml

    exit_code, out, _err = smoke(FakeSource(JANE), Failing(SARAH, NetworkError("down")), 1, 2,
                                json_out=False)
    assert exit_code == 7
    assert "not run" in out and "FAIL" not in out
    report = SmokeReport([
        CheckResult(1, "patient_token", True, "ok"),
        CheckResult(1, "psychologist_token", False, "could not run: down (exit 7)",
                    fault=NetworkError("down")),
    ])
    document = junit_xml(report, "2025-11-16T09:00:00").decode()
    assert 'errors="1"' in document and 'failures="0"' in document
    assert "<error " in document and "<failure" not in document


def test_every_result_passing_is_exit_0_and_says_so() -> None:
    code, _, err = smoke(FakeSource(JANE), FakeSource(SARAH), 1, 2, json_out=False)
    assert code == 0 and "all 20 checks passed" in err

