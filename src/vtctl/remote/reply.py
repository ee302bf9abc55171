"""``Reply``: one complete HTTP reply, its body already read and capped."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class NotJsonError(Exception):
    """The body of a reply is not a JSON document."""


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    reason: str
    url: str
    content_type: str
    content: bytes
    retry_after: float | None = None
    location: str | None = None

    def payload(self) -> Any:
        """The JSON body; raises ``NotJsonError`` when the body is not JSON."""
        try:
            return json.loads(self.content.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            # RecursionError: "[[[[..." nested deeper than the parser goes, well under the cap
            raise NotJsonError from exc

    def payload_or_none(self) -> Any:
        """The JSON body, or None when it is not JSON (for error bodies)."""
        try:
            return self.payload()
        except NotJsonError:
            return None
