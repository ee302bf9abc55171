"""Text from elsewhere made safe to print on a terminal."""

from __future__ import annotations

import re


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


def printable_lines(text: str) -> str:
    """``printable`` for a piped line or record, keeping its tabs and line breaks."""
    if not has_control(text):
        return text
    return "".join(c if c in ("\t", "\n") else "?" if _is_control(c) else c for c in text)


#: what ``json.dumps(..., ensure_ascii=False)`` leaves raw that a terminal acts on (a
#: pattern compiled on first use, by ``re``'s cache: compiling it costs ~1 ms)
_JSON_UNSAFE = "[\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


def json_printable(dumped: str) -> str:
    """A JSON text (``json.dumps(..., ensure_ascii=False)``) with DEL, C1 and bidi
    controls and lone surrogates written as ``\\uXXXX`` escapes: the same document,
    but one that cannot drive a terminal and always has a UTF-8 encoding.  (json.dumps
    escapes C0 itself; these characters occur only inside strings, where an escape
    means the same character.)"""
    if dumped.isascii() and "\x7f" not in dumped:  # the usual document: nothing to escape
        return dumped
    return re.sub(_JSON_UNSAFE, lambda m: f"\\u{ord(m.group()):04x}", dumped)


def text_problem(text: str) -> str | None:
    """Why ``text`` may not be stored as a name, email or room (None: it may).

    The one rule for every record entering the store (import, pull, add): no C0 or C1
    control, no bidi override or isolate, no lone surrogate."""
    if not is_unicode_text(text):
        return "is not valid Unicode text (it holds a lone surrogate such as \\ud800)"
    if has_control(text):
        bad = next(c for c in text if _is_control(c))
        return f"holds the control character U+{ord(bad):04X}"
    return None


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


def reason_of(error: BaseException) -> str:
    """An OS or network error's reason in words for people: ``Connection refused``, not
    ``[Errno 111] Connection refused`` nor the exception's class name."""
    import re

    return re.sub(r"^\[Errno -?\d+\]\s*", "", str(error).strip()) or "no reason given"
