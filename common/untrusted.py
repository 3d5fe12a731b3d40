"""Untrusted text made safe: for a record, for a terminal, for rich markup.

Model replies, negotiation speeches, agent names, plug-in strings and file contents are
untrusted: they may hold terminal escape sequences (window titles, hyperlinks, screen
clearing, colours), C1 control characters (a lone ``\\x9b`` is a CSI on many terminals),
the bell, bidirectional overrides that reorder what a reader sees, or lone surrogates that
are not valid UTF-8 and crash an encoder later. Three functions, one per boundary:

- :func:`valid_text`: what enters a record. Any value becomes a ``str`` that encodes as
  UTF-8: lone surrogates become U+FFFD, surrogate pairs are joined. Nothing else changes
  (training sees what the model wrote).
- :func:`terminal_safe`: what reaches a terminal. :func:`valid_text`, then whole escape
  sequences (CSI, OSC up to BEL or ST, DCS/SOS/PM/APC strings, two-byte escapes, and their
  C1 forms) are removed, and every control character left over (C0 but newline and tab,
  DEL, C1), every bidirectional override, embedding, isolate and mark, and every
  zero-width or invisible format character becomes a visible U+FFFD. Carriage returns
  become newlines (a bare ``\\r`` would let text overwrite what came before it). With
  ``multiline=False`` newlines and tabs become spaces (table cells, names).
- :func:`markup_safe`: :func:`terminal_safe`, then rich markup escaped, so text placed
  inside a markup string prints literally (``[link=file:///etc/passwd]x[/link]`` stays
  those characters). Written here so games need not import rich; it escapes exactly the
  bracket spans rich reads as tags.

Every function is linear in the length of its input and never raises on a ``str``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["valid_text", "terminal_safe", "markup_safe", "REPLACEMENT"]

REPLACEMENT = "\ufffd"
"""What a removed control character is shown as."""

# Whole escape sequences, in their 7-bit (ESC x) and 8-bit (C1) forms:
#   CSI: ESC [ or \x9b, parameter bytes, intermediate bytes, one final byte;
#   OSC, DCS, SOS, PM, APC: ESC ] P X ^ _ or \x9d \x90 \x98 \x9e \x9f, a string, ended by
#   BEL or ST (ESC \ or \x9c) or, when unterminated, by the next escape or the text's end;
#   anything else: ESC, intermediate bytes, one final byte.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x9d\x90\x98\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)

# Controls that survive as visible marks: C0 but tab and newline, DEL, C1; bidi marks,
# embeddings, overrides and isolates; zero-width and invisible format characters; the
# byte-order mark; Unicode tag characters.
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069"
    "\ufeff\ufff9-\ufffb\U000e0000-\U000e007f]"
)
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029\x85]")
_SINGLE_LINE = re.compile("[\n\t]")

# A bracket span rich's markup parser reads as a tag (rich.markup.RE_TAGS without the
# backslashes, which markup_safe counts itself: a regex run over them would be quadratic).
_TAG = re.compile(r"\[[a-z#/@][^\[]*?\]")
_OPEN = re.compile(r"\[")


def valid_text(value: Any) -> str:
    """``value`` as a ``str`` that encodes as UTF-8 (lone surrogates become U+FFFD; bytes
    are decoded as UTF-8 with U+FFFD for invalid bytes; other values go through
    ``str``)."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    text = value if isinstance(value, str) else str(value)
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        # joins surrogate pairs, replaces lone surrogates
        return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def terminal_safe(value: Any, multiline: bool = True) -> str:
    """``value`` as text that cannot drive a terminal (see the module docstring)."""
    text = valid_text(value)
    text = _LINE_BREAKS.sub("\n", text)
    text = _CONTROL.sub(REPLACEMENT, _SEQUENCE.sub("", text))
    if not multiline:
        text = _SINGLE_LINE.sub(" ", text)
    return text


def markup_safe(value: Any, multiline: bool = True) -> str:
    """:func:`terminal_safe` text with rich markup escaped: placed inside a markup string
    (``f"[bold]{markup_safe(name)}[/]"``) it prints exactly as :func:`terminal_safe` text.

    Rich reads ``[`` followed by a tag as markup and ``\\[`` as a literal ``[``, so a
    tag gets one more backslash than twice those before it, a backslash run before any
    other ``[`` gets one more, and trailing backslashes are doubled (they would escape a
    tag that follows the text).
    """
    text = terminal_safe(value, multiline)
    out: list[str] = []
    pos = 0
    for match in _OPEN.finditer(text):
        i = j = match.start()
        while j > pos and text[j - 1] == "\\":
            j -= 1
        slashes = i - j
        if _TAG.match(text, i):
            slashes = 2 * slashes + 1
        elif slashes:
            slashes += 1
        out.append(text[pos:j] + "\\" * slashes)
        pos = i
    tail = text[pos:]
    stripped = tail.rstrip("\\")
    out.append(stripped + "\\" * (2 * (len(tail) - len(stripped))))
    return "".join(out)
