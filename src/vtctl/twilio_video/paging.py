"""Reading Twilio's lists with bounds: pages, records and requests in flight.

Every paged Twilio call goes through :func:`paged_records` or its lazy form
:func:`records` (a test checks the source): at most ``limit`` records (vtctl's
own page size, whatever a page holds), each SID once, following
``meta.next_page_url`` only when asked, only while each link is new and brings
new records, and at most ``MAX_PAGES`` pages.
twilio's own pagers (``.list()``, ``.stream()``) follow every link and are not used.

:func:`fan_out` runs one request per item (a participant's tracks, a room's
participant count) at most ``MAX_CONCURRENT_REQUESTS`` at a time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from vtctl.domain.errors import ServerError

log = logging.getLogger("vtctl.twilio")

#: pages read for one listing at most (``room list --limit 1000`` needs 20 of 50)
MAX_PAGES = 25
#: Twilio requests in flight at once for one command
MAX_CONCURRENT_REQUESTS = 4

_SID = re.compile(r"[A-Z]{2}[0-9a-fA-F]{32}")

T = TypeVar("T")
R = TypeVar("R")


def paged_records(first_page: Any, limit: int, *, follow: bool = False,
                  max_pages: int = MAX_PAGES) -> list[Any]:
    """Up to ``limit`` records of a listing, starting with ``first_page`` (a twilio ``Page``)."""
    return list(islice(records(first_page, follow=follow, max_pages=max_pages), limit))


def records(first_page: Any, *, follow: bool = True, max_pages: int = MAX_PAGES) -> Iterator[Any]:
    """Each record of a listing once (by SID), page by page as they are read: only the
    page being read is in memory (a 10,000-participant room streams).

    ``follow``: read the next pages too.  Paging stops at a link already followed,
    a page that adds no record not already seen, or ``max_pages`` pages.
    """
    sids: set[str] = set()
    page, pages, followed = first_page, 1, set()
    while True:
        added = 0
        for record in page:
            sid = getattr(record, "sid", None)
            if isinstance(sid, str):
                if sid in sids:
                    continue
                sids.add(sid)
            added += 1
            yield record
        link = page.next_page_url
        if not follow or not isinstance(link, str) or not link:
            return
        if link in followed or not added:
            log.debug("Twilio's paging does not advance (page %d); stopping", pages)
            return
        if pages >= max_pages:
            log.debug("stopping after %d pages of Twilio's listing", pages)
            return
        followed.add(link)
        page = page.next_page()
        if page is None:
            return
        pages += 1


def sid_of(record: Any, prefix: str, what: str) -> str:
    """The record's SID, checked before it goes into the path of another request:
    ``RM``/``PA`` and 32 hex digits, never a path of Twilio's choosing."""
    sid = getattr(record, "sid", None)
    if not isinstance(sid, str) or not _SID.fullmatch(sid) or not sid.startswith(prefix):
        raise ServerError(f"Twilio's reply has a malformed {what} SID; vtctl does not use it",
                          hint="check VTCTL_TWILIO_API_URL if it is set")
    return sid


def fan_out(call: Callable[[T], R], items: Sequence[T],
            workers: int = MAX_CONCURRENT_REQUESTS) -> list[R]:
    """``[call(item) for item in items]``, at most ``workers`` at a time; the first failure
    (in order) is raised once the calls already running are over."""
    if len(items) <= 1:
        return [call(item) for item in items]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(workers, len(items)),
                            thread_name_prefix="vtctl-twilio") as pool:
        futures = [pool.submit(call, item) for item in items]
        try:
            return [future.result() for future in futures]
        finally:
            for future in futures:
                future.cancel()
