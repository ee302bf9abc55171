"""PyJWT's short-key warning is ignored by one process-wide filter set up once, not by
``warnings.catch_warnings()`` around each encode/decode: that swaps the process's
filters (not thread-safe; serve verifies JWTs on several threads)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import jwt
import pytest

from vtctl.server.auth import JwtAuthority


class Probe(str):
    """A short secret that notes which warning filters are live when PyJWT reads it."""

    seen: list[object]

    def encode(self, encoding: str = "utf-8", errors: str = "strict") -> bytes:
        self.seen.append(warnings.filters)
        return super().encode(encoding, errors)


@pytest.fixture
def own_filters() -> Iterator[None]:
    with warnings.catch_warnings():  # this test's changes undone after it
        warnings.simplefilter("always")
        yield


@pytest.mark.usefixtures("own_filters")
def test_serve_authority_filters_once_and_leaves_the_filters_alone_per_call() -> None:
    secret = Probe("x")
    secret.seen = []
    authority = JwtAuthority(secret)
    assert any(action == "ignore" and category is jwt.InsecureKeyLengthWarning
               for action, _, category, _, _ in warnings.filters)
    with warnings.catch_warnings(record=True) as caught:
        live = warnings.filters
        assert authority.verify(authority.issue(2)) == 2
    assert caught == []  # no PyJWT warning...
    assert secret.seen and all(filters is live for filters in secret.seen), (
        "...and no swap of the process's filters around each call")
