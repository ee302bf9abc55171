# ruff: noqa: F811  (the fixtures imported from tests.test_server are parameters here)
"""``vtctl serve`` in-process: the second hardening round (issue 14, items 3-9).

Each test fails without its fix; the fixtures are ``tests/test_server.py``'s.
"""

from __future__ import annotations

import warnings

import pytest

from tests.test_server import (  # noqa: F401  (fixtures)
    API,
    JANE,
    SARAH,
    MakeClient,
    _jwt,
    bearer,
    client,
    make_client,
    store_path,
)

with warnings.catch_warnings():  # "install httpx2": the installed httpx works fine
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient


# -- item 8: absurd time claims --------------------------------------------------------


@pytest.mark.parametrize("claim", ["exp", "iat", "nbf"])
@pytest.mark.parametrize("value", [10**400, -(10**400), 2**63])
def test_a_huge_time_claim_is_a_401_not_a_500(client: TestClient, claim: str,
                                              value: int) -> None:
    response = client.get(f"{API}/video-token/47/", headers=bearer(_jwt(**{claim: value})))
    assert response.status_code == 401, response.text
    assert response.json()["messages"][0]["message"] == "Token is invalid"


# -- item 7: two Authorization headers --------------------------------------------------


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "starlette"])
@pytest.mark.parametrize("endpoint", ["video-token", "video-token-refresh", ""])
def test_two_authorization_headers_are_refused_on_every_path(make_client: MakeClient,
                                                             fast: bool, endpoint: str) -> None:
    client = make_client(fast=fast)
    path = f"{API}/{endpoint}/47/" if endpoint else f"{API}/47/"
    for first, second in ((JANE, SARAH), (SARAH, JANE), (JANE, JANE)):
        response = client.get(path, headers=[("Authorization", f"Bearer {_jwt(first)}"),
                                              ("Authorization", f"Bearer {_jwt(second)}")])
        assert response.status_code == 401, response.text
        assert response.json() == {"detail": "Authorization header must be sent only once",
                                   "code": "bad_authorization_header"}
