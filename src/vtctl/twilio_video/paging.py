"""Reading a Twilio list page by page, lazily, without looping on a bad paging link.

twilio's own ``stream`` follows ``meta.next_page_url`` for as long as there is
one: a reply whose link points back at a page already read would make it page
forever.  :func:`records` stops there with an error, and after ``max_pages``.
Only the page being read is in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vtctl.domain.errors import ServerError

#: at most this many pages of one list (1,000 records a page: a million records)
MAX_PAGES = 1000


def records(page: Any, *, follow: bool = True, max_pages: int = MAX_PAGES) -> Iterator[Any]:
    """Each record of ``page`` and (``follow``) of the pages after it, fetched as needed."""
    seen: set[str] = set()
    read = 1
    while True:
        yield from page
        link = page.next_page_url
        if not follow or not link:
            return
        if link in seen or read >= max_pages:
            why = "repeats a page already read" if link in seen else f"goes past {max_pages} pages"
            raise ServerError(f"Twilio's paging {why}: stopped reading the list",
                              hint="try again later; if it persists, check the proxy or mock "
                              "between vtctl and Twilio")
        seen.add(link)
        following = page.next_page()
        if following is None:
            return
        page = following
        read += 1
