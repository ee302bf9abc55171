"""The profiles of the config file and their settings (``vtctl config show``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table


def profiles_table(profiles: dict[str, dict[str, str]], default: str) -> Table:
    """One row per setting, the profile named on its first row; ``default`` is marked."""
    from rich.table import Table

    table = Table(show_header=True, title_justify="left", expand=False)
    table.add_column("profile", style="bold cyan", no_wrap=True)
    table.add_column("setting", no_wrap=True)
    table.add_column("value")
    for name, settings in profiles.items():
        label = f"{name} (default)" if name == default else name
        if not settings:
            table.add_row(label, "-", "(no settings)")
        for index, (key, value) in enumerate(settings.items()):
            table.add_row(label if index == 0 else "", key, value)
    return table
