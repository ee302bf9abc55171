"""``vtctl smoke --junit-xml FILE`` read back by a real JUnit reader, and GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from junitparser import Failure, JUnitXml

from tests.serve_fixtures import RunningServer
from vtctl.checks.ci_report import github_annotations
from vtctl.checks.smoke import CHECKS, CheckResult, SmokeReport

Vtctl = Any


def smoke(vtctl: Vtctl, server: RunningServer, *ids: str, psychologist: int = 5,
          github: bool = False, report: Path) -> Any:
    env = server.jwt_env(PAT=2, PSY=psychologist)
    if github:
        env["GITHUB_ACTIONS"] = "true"
    return vtctl("smoke", *ids, "--json", "--junit-xml", str(report), "--base-url", server.url,
                 "--patient-jwt-env", "PAT", "--psychologist-jwt-env", "PSY", env=env)


def cases(report: Path) -> dict[tuple[str, str], Any]:
    xml = JUnitXml.fromfile(str(report))
    return {(case.classname, case.name): case for suite in xml for case in suite}


def test_passing_run_has_one_testcase_per_appointment_and_check(
    vtctl: Vtctl, serve_server: RunningServer, tmp_path: Path
) -> None:
    report = tmp_path / "reports" / "smoke.xml"
    result = smoke(vtctl, serve_server, "47", "49", report=report)
    assert result.returncode == 0, result.stderr
    xml = JUnitXml.fromfile(str(report))
    suites = list(xml)
    assert [s.name for s in suites] == ["appointment 47", "appointment 49"]
    checks = [c for c in CHECKS if c != "outsider_denied"]
    for suite in suites:
        assert suite.tests == len(checks) and suite.failures == 0
        assert [case.name for case in suite] == checks
        assert all(case.is_passed for case in suite)
    assert "::error" not in result.stderr


def test_failures_are_failure_elements_and_github_errors(
    vtctl: Vtctl, serve_server: RunningServer, tmp_path: Path
) -> None:
    report = tmp_path / "smoke.xml"
    result = smoke(vtctl, serve_server, "47", "999", psychologist=9, github=True, report=report)
    assert result.returncode == 8, result.stderr
    failed_json = {(e["appointment_id"], e["check"]): e["detail"]
                   for e in json.loads(result.stdout) if not e["ok"]}
    found = cases(report)
    failed_xml = {}
    for (classname, name), case in found.items():
        failures = [r for r in case.result if isinstance(r, Failure)]
        if failures:
            failed_xml[(int(classname.rsplit("_", 1)[1]), name)] = failures[0].message
    assert failed_xml == failed_json
    assert (47, "psychologist_token") in failed_xml
    assert found[("vtctl.smoke.appointment_47", "patient_token")].is_passed
    annotations = [line for line in result.stderr.splitlines() if line.startswith("::error")]
    assert len(annotations) == len(failed_json)
    assert "::error title=vtctl smoke%3A appointment 47 psychologist_token::Permission denied" \
        in result.stderr


def test_without_github_actions_no_annotations(
    vtctl: Vtctl, serve_server: RunningServer, tmp_path: Path
) -> None:
    result = smoke(vtctl, serve_server, "999", report=tmp_path / "r.xml")
    assert result.returncode == 8
    assert "::error" not in result.stderr


@pytest.mark.parametrize(
    ("detail", "message"),
    [("a\nb", "a%0Ab"), ("100% bad\r\n", "100%25 bad%0D%0A"), ("\x1b[31mred", "?[31mred")],
)
def test_annotation_escaping(detail: str, message: str) -> None:
    report = SmokeReport([CheckResult(7, "same_room", False, detail)])
    assert github_annotations(report) == [
        f"::error title=vtctl smoke%3A appointment 7 same_room::{message}"
    ]


def test_unwritable_report_is_a_usage_error(
    vtctl: Vtctl, serve_server: RunningServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = smoke(vtctl, serve_server, "47", report=blocker / "r.xml")
    assert result.returncode == 2
    assert "--junit-xml" in result.stderr and "Traceback" not in result.stderr
