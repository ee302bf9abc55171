"""``vtctl room``: the video room of an appointment, one module per verb.

``create`` works on both backends; ``participants`` too (remote: what
video-status returns); ``list``, ``end`` and ``kick`` talk to Twilio and need
the local backend.
"""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from vtctl.cli.room import create, end, kick, participants
    from vtctl.cli.room import list as list_

    group = typer.Typer(name="room", help="Manage the video room of an appointment: create it, "
                        "see who is in it and what they publish, list, end, kick.",
                        no_args_is_help=True)
    for verb in (create, participants, list_, end, kick):
        verb.register(group)
    app.add_typer(group)
