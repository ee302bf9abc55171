"""Which characters count as terminal controls, checked against the Unicode
database rather than against ``vtctl.util.text`` itself."""

from __future__ import annotations

import unicodedata

from vtctl.util.text import has_control, printable

#: the embedding, override and isolate formatting characters (U+202A..E, U+2066..9)
BIDI_CONTROLS = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}


def is_terminal_control(char: str) -> bool:
    """C0, DEL and C1 are exactly category Cc; bidi controls reorder what follows; a lone
    surrogate (category Cs) cannot be encoded at all."""
    return (unicodedata.category(char) in ("Cc", "Cs")
            or unicodedata.bidirectional(char) in BIDI_CONTROLS)


def test_every_basic_plane_character_is_classified_like_the_unicode_database() -> None:
    wrong = [hex(code) for code in range(0x10000)
             if has_control(chr(code)) != is_terminal_control(chr(code))]
    assert wrong == []


def test_the_edges_by_hand() -> None:
    controls = ["\x00", "\x1b", "\x1f", "\x7f", "\x80", "\x9b", "\x9f",
                "\u202a", "\u202e", "\u2066", "\u2069", "\ud800", "\udfff"]
    plain = [" ", "~", "\xa0", "\u2029", "\u202f", "\u2065", "\u206a", "é", "\U0001f600"]
    assert [c for c in controls if not has_control(c)] == []
    assert [c for c in plain if has_control(c)] == []


def test_printable_replaces_each_control_and_keeps_the_rest() -> None:
    assert printable("a\x1b[2Jb\x9b\u202ec\td") == "a?[2Jb??c?d"
    assert printable("lone \ud800 half") == "lone ? half"
    assert printable("\U0001f600") == "\U0001f600"  # a pair is a character, not a surrogate
    assert printable("plain é text") == "plain é text"
    assert printable("") == ""
    assert not has_control("") and has_control("ok\x07")


def test_printable_replaces_lone_surrogates_so_the_text_always_encodes() -> None:
    from vtctl.util.text import printable_lines

    assert printable("a\ud800b\udcff") == "a?b?"
    assert printable_lines("a\tb\nc\x1b\ud800") == "a\tb\nc??"
    printable("\udcff" * 3).encode("utf-8")


def test_json_printable_escapes_what_json_dumps_leaves_raw() -> None:
    import json

    from vtctl.util.text import json_printable

    value = {"n\u202e": "a\x7f\x9b\u2066\ud800 é \U0001f600 \x1b"}
    dumped = json_printable(json.dumps(value, ensure_ascii=False))
    assert json.loads(dumped) == value  # the same document
    assert [c for c in dumped if has_control(c) or 0xD800 <= ord(c) <= 0xDFFF] == []
    assert "é" in dumped and "\U0001f600" in dumped  # the rest stays readable
    assert json_printable('["a\x7f"]') == '["a\\u007f"]'  # DEL alone: ASCII, still escaped
    assert json_printable('["a\\u001b b"]') == '["a\\u001b b"]'  # ASCII: as it was
    assert json_printable('["\u202e"]') == '["\\u202e"]'  # no DEL, not ASCII: escaped


def test_text_problem_names_the_character() -> None:
    from vtctl.util.text import text_problem

    assert text_problem("Jane Doe") is None
    assert text_problem("Jane\u202e") == "holds the control character U+202E"
    assert text_problem("a\x9b") == "holds the control character U+009B"
    assert text_problem("\ud800") == (
        "is not valid Unicode text (it holds a lone surrogate such as \\ud800)")
    assert text_problem("a\udcff\x1b") == text_problem("\ud800")  # the surrogate first


def test_is_unicode_text() -> None:
    from vtctl.util.text import is_unicode_text

    assert is_unicode_text("plain é \U0001f600") and is_unicode_text("")
    assert not is_unicode_text("a\udc80b") and not is_unicode_text("\ud800")


def test_argv_problem_names_the_word_that_is_not_text() -> None:
    from vtctl.util.text import argv_problem

    bad = "caf\udce9\x1b"  # b"caf\xe9" from argv, and an escape
    assert argv_problem([]) is None and argv_problem(["token", "47", "--as", "é"]) is None
    assert argv_problem(["token", bad]) == (
        "argument 2 is not valid UTF-8 text: caf\\xe9?")
    assert argv_problem([bad]) == "argument 1 is not valid UTF-8 text: caf\\xe9?"
    assert argv_problem(["-caf\udce9"]) == "argument 1 is not valid UTF-8 text: -caf\\xe9"
    assert argv_problem(["token", "--as", bad, "x"]) == (
        "the value of --as is not valid UTF-8 text: caf\\xe9?")
    assert argv_problem(["x", "-a", bad]) == "the value of -a is not valid UTF-8 text: caf\\xe9?"
    assert argv_problem(["token", f"--as={bad}=x"]) == (
        "the value of --as is not valid UTF-8 text: caf\\xe9?=x")
    assert argv_problem(["token", f"-a={bad}"]) == (
        "argument 2 is not valid UTF-8 text: -a=caf\\xe9?")
    assert argv_problem(["a", "b", f"x={bad}", "--y", bad]) == (
        "argument 3 is not valid UTF-8 text: x=caf\\xe9?")
    assert argv_problem(["ok", "--as", bad, "--b", bad]) == (
        "the value of --as is not valid UTF-8 text: caf\\xe9?")  # the first one


def test_quoted_cuts_a_flood() -> None:
    from vtctl.util.text import quoted

    assert quoted("x" * 60) == repr("x" * 60)
    assert quoted("x" * 61) == repr("x" * 40 + "...")
    assert quoted("abcdef", limit=5) == repr("" + "...")
    assert quoted("a\nb") == "'a\\nb'"
    assert quoted("y" * 30, limit=25) == repr("y" * 5 + "...")


def test_printable_lines_keeps_only_tabs_and_line_breaks() -> None:
    from vtctl.util.text import printable_lines

    assert printable_lines("a\tb\nc") == "a\tb\nc"  # nothing to replace: the same text
    assert printable_lines("\t\x1b\n\r\x0b\x0c\x00X") == "\t?\n????X"
    assert printable_lines("X\x1b") == "X?"


def test_reason_of_drops_the_errno_prefix_and_nothing_else() -> None:
    import socket

    from vtctl.util.text import reason_of

    assert reason_of(ConnectionRefusedError(111, "Connection refused")) == "Connection refused"
    assert reason_of(socket.gaierror(-2, "Name or service not known")) == (
        "Name or service not known")
    assert reason_of(OSError("[Errno 5]   Input/output error ")) == "Input/output error"
    assert reason_of(OSError("timed out [Errno 5] x")) == "timed out [Errno 5] x"
    assert reason_of(OSError("[Errno x] odd")) == "[Errno x] odd"
    assert reason_of(OSError("Errno 5 plain")) == "Errno 5 plain"


def test_reason_of_an_error_without_words() -> None:
    from vtctl.util.text import reason_of

    assert reason_of(OSError()) == "no reason given"
    assert reason_of(OSError("  ")) == "no reason given"
    assert reason_of(OSError("[Errno 104]")) == "no reason given"
