"""Text from elsewhere made safe to print on a terminal."""

from __future__ import annotations


def _is_control(char: str) -> bool:
    """C0/C1 controls (ESC starts terminal escape sequences) and bidi overrides."""
    code = ord(char)
    return code < 32 or 127 <= code < 160 or 0x202A <= code <= 0x202E or 0x2066 <= code <= 0x2069


def has_control(text: str) -> bool:
    return any(_is_control(c) for c in text)


def printable(text: str) -> str:
    """``text`` with every control character replaced by ``?``: a server's words
    printed on a terminal cannot move the cursor, retitle the window or clear it."""
    return "".join("?" if _is_control(c) else c for c in text) if has_control(text) else text


def quoted(text: str, limit: int = 60) -> str:
    """``text`` quoted for an error message, cut short when it is long (a pasted flood)."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 20] + "...")
