"""``/api/schema/``: serve's OpenAPI 3.1 document is valid, matches the routes, and a real
``vtctl serve`` keeps to it under schemathesis (bounded: a few examples per operation)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode

from tests.helpers import appointment, make_store
from tests.serve_fixtures import RunningServer, start_server
from tests.test_server import SECRET
from vtctl.domain.models import TOKEN_FIELDS
from vtctl.local.store import AppointmentStore
from vtctl.server.app import create_asgi
from vtctl.server.auth import JwtAuthority
from vtctl.server.openapi import openapi_document
from vtctl.server.paths import SCHEMA_PATH
from vtctl.server.routes import routes
from vtctl.server.state import CachedStore, ServerState

with warnings.catch_warnings():  # "install httpx2": the installed httpx works fine
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

JANE = 2
#: examples per operation: the whole run stays well under 30 s
EXAMPLES = 12


@pytest.mark.parametrize("dev_login", [False, True])
def test_the_document_is_valid_openapi_3_1(dev_login: bool) -> None:
    document = openapi_document(dev_login)
    assert document["openapi"].startswith("3.1.")
    validate(document)  # raises on any violation of the OpenAPI 3.1 schema


def _operations_of_routes(dev_login: bool) -> set[tuple[str, str]]:
    return {
        (re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path), method.lower())
        for route in routes(dev_login)
        for method in route.methods or ()
        if method != "HEAD"
    }


@pytest.mark.parametrize("dev_login", [False, True])
def test_the_document_describes_exactly_the_routes(dev_login: bool) -> None:
    document = openapi_document(dev_login)
    described = {(path, method) for path, item in document["paths"].items() for method in item}
    assert described == _operations_of_routes(dev_login)


def test_the_token_body_is_the_guides_eight_fields_and_errors_are_described() -> None:
    document = openapi_document(True)
    token = document["components"]["schemas"]["VideoToken"]
    assert token["required"] == list(TOKEN_FIELDS) and token["additionalProperties"] is False
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    for path, item in document["paths"].items():
        for operation in item.values():
            codes = set(operation["responses"])
            assert any(code.startswith("4") for code in codes), path
            if operation.get("security") != []:
                assert "401" in codes, path


def test_the_document_is_served_without_credentials(tmp_path: Path) -> None:
    path = make_store(tmp_path / "store.sqlite3", appointment(47))
    state = ServerState.open(CachedStore.open(path), AppointmentStore.open(path),
                             JwtAuthority(SECRET), None, dev_login=True)
    try:
        with TestClient(create_asgi(state, access_log=False)) as client:  # type: ignore[arg-type]
            response = client.get("/api/schema/")
    finally:
        state.close()
    assert response.status_code == 200
    assert response.json() == openapi_document(True)


# -- schemathesis against a real server ------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    running = start_server(tmp_path_factory.mktemp("serve-openapi"),
                           args=("--dev-login", "--no-access-log"))
    yield running
    assert running.stop() == 0, running.stderr()
    assert "Traceback" not in running.stderr(), running.stderr()[-2000:]


@pytest.fixture(scope="module")
def api_schema(served: RunningServer) -> Any:
    return schemathesis.openapi.from_url(served.url + "/api/schema/")


#: (path, method, mode) for every operation; negative cases need something to break
CASES = [(path, method, mode) for path, method in sorted(_operations_of_routes(dev_login=True))
         for mode in ("positive", "negative") if mode == "positive" or path != SCHEMA_PATH]


@pytest.mark.parametrize(("path", "method", "mode"), CASES,
                         ids=[f"{m} {p} {mode}" for p, m, mode in CASES])
def test_serve_keeps_to_its_document(served: RunningServer, api_schema: Any, path: str,
                                     method: str, mode: str) -> None:
    """Schemathesis' cases for one operation (valid ones, then invalid ones), every check:
    no 5xx, documented status codes, bodies and content types."""
    operation = api_schema[path][method.upper()]
    headers = {"Authorization": f"Bearer {served.jwt(JANE)}"}

    @given(case=operation.as_strategy(generation_mode=GenerationMode(mode)))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    def check(case: Any) -> None:
        case.call_and_validate(headers=headers)

    check()
