"""Untrusted text: valid for a record, inert in a terminal, literal inside rich markup."""

import io
import json

import pytest
from hypothesis import given, strategies as st
from rich.console import Console

from common.untrusted import REPLACEMENT, markup_safe, terminal_safe, valid_text

HOSTILE = (
    "title\x1b]0;pwned\x07 link\x1b]8;;file:///etc/passwd\x1b\\here\x1b]8;;\x1b\\ "
    "clear\x1b[2J\x1b[H colour\x1b[31mred\x1b[0m c1\x9b31mx osc8\x9d8;;file:///x\x9c "
    "bell\x07 bidi\u202eevil\u202c iso\u2066x\u2069 zw\u200b nul\x00 del\x7f "
    "dcs\x1bPq#0\x1b\\ cr\rover tab\tend"
)
DANGEROUS = set(chr(c) for c in range(0x00, 0x20) if chr(c) not in "\n\t") | {"\x7f"} | {
    chr(c) for c in range(0x80, 0xA0)} | set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067"
                                              "\u2068\u2069\u200e\u200f\u061c")


def dangerous_in(text: str) -> set[str]:
    return {ch for ch in text if ch in DANGEROUS}


def test_hostile_text_loses_every_sequence_and_control():
    out = terminal_safe(HOSTILE)
    assert dangerous_in(out) == set()
    assert "pwned" not in out and "file:///etc/passwd" not in out and "[31m" not in out
    # the words around the sequences survive; controls become visible marks
    for word in ("title", "link", "here", "clear", "red", "bell", "evil", "end"):
        assert word in out
    assert out.count(REPLACEMENT) >= 6
    assert "cr\nover" in out and "tab\tend" in out


def test_single_line_folds_newlines_and_tabs():
    assert terminal_safe("a\nb\tc\r\nd", multiline=False) == "a b c d"


def test_lone_surrogates_become_replacement_marks_and_pairs_join():
    assert valid_text("a\ud800b") == "a\ufffdb"
    assert valid_text("\ud83d\ude00") == "\U0001F600"
    assert valid_text(b"\xff ok") == "\ufffd ok"
    assert valid_text(3) == "3"
    valid_text("x\udfff").encode("utf-8")  # no error


def test_markup_spans_print_literally():
    text = "[link=file:///etc/passwd]click[/link] [bold red]loud[/] \\[b]x[4]"
    console = Console(file=io.StringIO(), width=200, color_system="truecolor",
                      force_terminal=True, highlight=False)
    console.print(markup_safe(text))
    out = console.file.getvalue()
    assert "\x1b]8" not in out and "\x1b[" not in out
    assert out.rstrip("\n") == text


@given(st.text())
def test_any_text_becomes_inert_valid_utf8(text):
    out = terminal_safe(text)
    out.encode("utf-8")
    assert dangerous_in(out) == set()
    assert "\x1b" not in markup_safe(text)


@given(st.text(alphabet=st.sampled_from(list("[]/\\ab=#@ \n"))))
def test_markup_safe_text_prints_literally_inside_markup(text):
    console = Console(file=io.StringIO(), width=10_000, color_system=None, highlight=False,
                      emoji=False, soft_wrap=True)
    console.print(f"[bold]{markup_safe(text)}[/bold]<", end="")
    assert console.file.getvalue() == text + "<"


def test_records_json_of_valid_text_is_ascii_safe():
    assert json.loads(json.dumps(valid_text("\ud800"))) == "\ufffd"
