"""The profiles of the config file and their settings (``vtctl config show``)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from vtctl.ui.sheet import Column, Rows, Sheet, sheet


@dataclass(frozen=True, slots=True)
class _Setting:
    profile: str
    default: bool
    first: bool  # the profile's first row: the only one a terminal names it on
    key: str
    value: str


def _profile(row: _Setting) -> Text:
    if not row.first:
        return Text("")
    return Text(f"{row.profile} (default)" if row.default else row.profile, style="bold cyan")


#: a pipe's line: ``profile<TAB>setting<TAB>value`` (the profile on every line)
SETTING_COLUMNS: list[Column[_Setting]] = [
    Column("profile", _profile, key=True, piped=lambda row: row.profile),
    Column("setting", lambda row: row.key, key=True),
    Column("value", lambda row: row.value),
]


def profiles_sheet(profiles: dict[str, dict[str, str]], default: str) -> Sheet:
    """One row per setting, the profile named on its first row; ``default`` is marked."""
    rows: list[_Setting] = []
    for name, settings in profiles.items():
        if not settings:
            rows.append(_Setting(name, name == default, True, "-", "(no settings)"))
        for index, (key, value) in enumerate(settings.items()):
            rows.append(_Setting(name, name == default, index == 0, key, value))
    return sheet(Rows(SETTING_COLUMNS, rows))
