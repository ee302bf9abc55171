"""The store's appointments for a user and/or a time window (``appointment list`` filters,
``vtctl sessions``): a user given as an id or an email is looked up once, here."""

from __future__ import annotations

from datetime import datetime

from vtctl.domain.errors import UserNotFoundError
from vtctl.local.appointment_query import AppointmentQuery
from vtctl.local.store import AppointmentStore


def appointment_query(
    store: AppointmentStore, user: str | None = None,
    start: datetime | None = None, end: datetime | None = None,
) -> AppointmentQuery:
    """The query for ``user`` (id or email; unknown: exit 5) and ``[start, end)``."""
    user_id = None
    if user is not None:
        found = store.find_user(user)
        if found is None:
            shown = repr(user) if len(user) <= 60 else repr(user[:57] + "...")
            from vtctl.domain.commands import STORE_FLAGS, Suggestion

            raise UserNotFoundError(f"no stored user {shown}", suggests=Suggestion(
                ("appointment", "export"),
                "give a user id or email from the store (`{command}` lists them)", STORE_FLAGS))
        user_id = found.id
    return AppointmentQuery(user_id=user_id, start=start, end=end)
