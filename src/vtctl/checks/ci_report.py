"""A smoke report in the forms CI systems read: JUnit XML and GitHub annotations.

JUnit: one ``testsuite`` per appointment, one ``testcase`` per check
(``classname`` ``vtctl.smoke.appointment_ID``, ``name`` the check), a failed
check holding a ``failure`` element with the detail, a check a fault kept from
running an ``error`` element.  GitHub: one ``::error title=...::message``
workflow command per check that failed or could not run.  Pure
functions: the caller writes the bytes and prints the lines.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from vtctl.checks.smoke import CheckResult, SmokeReport
from vtctl.util.text import printable

SUITES_NAME = "vtctl smoke"


def junit_xml(report: SmokeReport, timestamp: str) -> bytes:
    """The report as a JUnit XML document (UTF-8, with the XML declaration)."""
    by_id: dict[int, list[CheckResult]] = {}
    for result in report.results:
        by_id.setdefault(result.appointment_id, []).append(result)
    root = ET.Element("testsuites", name=SUITES_NAME, tests=str(len(report.results)),
                      failures=str(len(report.failed)), errors=str(len(report.not_run)))
    for appointment_id, results in by_id.items():
        failed = [r for r in results if not r.ok and r.ran]
        errors = [r for r in results if not r.ran]
        suite = ET.SubElement(
            root, "testsuite", name=f"appointment {appointment_id}", tests=str(len(results)),
            failures=str(len(failed)), errors=str(len(errors)), skipped="0", timestamp=timestamp,
        )
        for result in results:
            case = ET.SubElement(suite, "testcase", name=result.check,
                                 classname=f"vtctl.smoke.appointment_{appointment_id}")
            if not result.ok:
                detail = printable(result.detail)  # XML 1.0 cannot hold control characters
                # JUnit's error: the test could not run; failure: it ran and failed
                kind, name = ("failure", "SmokeCheckFailed") if result.ran else (
                    "error", "SmokeCheckNotRun")
                element = ET.SubElement(case, kind, message=detail, type=name)
                element.text = detail
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def github_annotations(report: SmokeReport) -> list[str]:
    """``::error title=...::message`` for every check that failed or could not run."""
    return [
        f"::error title={_property(f'vtctl smoke: appointment {r.appointment_id} {r.check}')}"
        f"::{_data(r.detail)}"
        for r in report.results if not r.ok
    ]


def _data(text: str) -> str:
    """A workflow command's message, escaped as the runner unescapes it."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")
