"""A reply's body read whole, within a size cap and the armed deadline.

httpx decodes ``Content-Encoding`` as it streams, so the cap counts decoded
bytes: a small gzip that inflates to a gigabyte stops at the cap.  A body
that drips is cut when the deadline passes (the transport also shortens
each socket read to what is left).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx

    from vtctl.net.deadline import Deadline


class BodyTooLargeError(Exception):
    """The body (declared or decoded so far) is larger than the cap."""


class DeadlinePassedError(Exception):
    """The deadline passed before the whole body was read."""


def read_body(response: httpx.Response, limit: int, deadline: Deadline) -> bytes:
    """The whole decoded body of a streamed ``response`` (closed afterwards)."""
    try:
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise BodyTooLargeError
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > limit:
                raise BodyTooLargeError
            if deadline.left() < 0:
                raise DeadlinePassedError
            chunks.append(chunk)
        if deadline.left() < 0:
            raise DeadlinePassedError
    finally:
        response.close()
    return b"".join(chunks)
