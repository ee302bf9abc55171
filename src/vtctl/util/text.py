"""Text from elsewhere made safe to print on a terminal."""

from __future__ import annotations


def _is_control(char: str) -> bool:
    """C0/C1 controls (ESC starts terminal escape sequences), bidi overrides and isolates,
    and lone surrogates (a JSON ``"\\ud800"``: no encoding can write them, so printing one
    is a crash)."""
    code = ord(char)
    return (code < 32 or 127 <= code < 160 or 0x202A <= code <= 0x202E
            or 0x2066 <= code <= 0x2069 or 0xD800 <= code <= 0xDFFF)


def has_control(text: str) -> bool:
    return any(_is_control(c) for c in text)


def printable(text: str) -> str:
    """``text`` with every control character (and lone surrogate) replaced by ``?``: a
    server's words printed on a terminal cannot move the cursor, retitle the window, clear
    it, reorder the line or make the print fail."""
    return "".join("?" if _is_control(c) else c for c in text) if has_control(text) else text


def is_unicode_text(text: str) -> bool:
    """False for a str holding lone surrogates: bytes that were not UTF-8 (Python keeps
    them in argv and file names as ``\\udc80``-``\\udcff``) or a JSON ``"\\ud800"``
    escape.  Such text has no UTF-8 encoding: SQLite, JSON peers and Twilio refuse it."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def argv_problem(args: list[str]) -> str | None:
    """What is wrong with a command line whose words are not all text, or None."""
    import os

    for index, arg in enumerate(args):
        if is_unicode_text(arg):
            continue
        value = arg
        if arg.startswith("--") and "=" in arg:
            option, value = arg.split("=", 1)
            what = f"the value of {option}"
        elif index and args[index - 1].startswith("-"):
            what = f"the value of {args[index - 1]}"
        else:
            what = f"argument {index + 1}"
        shown = os.fsencode(value).decode("ascii", "backslashreplace")
        return f"{what} is not valid UTF-8 text: {printable(shown)}"
    return None


def quoted(text: str, limit: int = 60) -> str:
    """``text`` quoted for an error message, cut short when it is long (a pasted flood)."""
    return repr(text) if len(text) <= limit else repr(text[: limit - 20] + "...")
