"""Plausible moves for TextArena environments that list none: read off the player's text.

TextArena states its move format in each game's prompt ("Submit moves as '[a2 a3]'",
"format '[pile quantity]', e.g. '[0 3]'", "'[Bet N]' - open for N chips") and often the
current options in its latest message ("Your remaining hand: '[A]' '[2]' ...", "Your
options: [draw], [take]"). :func:`sample_move` draws one move in that format:

- a bracketed token from the latest message that has any (the options offered now),
  quoted ones first; otherwise an example or template from the prompt (quoted ones first,
  else any bracketed token);
- placeholders are filled (``X``, ``N``, ``<number>``, ``amount``: a number); in a
  prompt's example, numbers and board squares (``a2``, ``A4``) are redrawn from the
  numbers and the board labels the player sees now.

A drawn move is plausible, not checked: TextArena judges it (the adapter's
``TextArenaState.random_action`` keeps only moves it accepts, by trying them on a copy).
:func:`is_template` tells a move template (``[bet X]``) from a move, so that templates
are never offered as legal actions.
"""

from __future__ import annotations

import random
import re
from typing import Sequence

__all__ = ["sample_move", "is_template", "move_formats", "NoMoveFormat"]

_TAIL = r"(?:[ \t]+(?:\$[\dX.]+|[A-Z]{4,}))?"  # "[Propose] $X.XX", "[Propose] CCAACCCC"
_QUOTED = re.compile(r"['`\"](\[[^\[\]\n]{1,60}\]" + _TAIL + r")['`\"]")
_BRACKETED = re.compile(r"\[[^\[\]\n]{1,60}\]" + _TAIL)
_OPTION_LINE = re.compile(r"\b(?:options|available|valid|possible|legal|using|choose|submit|"
                          r"reply|format|example|must)\b", re.I)
_EXAMPLE_LINE = re.compile(r"\b(?:format|example|e\.g\.|like|such as)\b", re.I)
_WORDS = r"<[^<>]*>|\b(?:amount|number|value|quantity)\b"
_PLACEHOLDER = re.compile(_WORDS + r"|(?:[A-Za-z]\s+|\$)[XYNM](?![A-Za-z0-9])")
_VARIABLE = re.compile(_WORDS + r"|(?<![A-Za-z0-9])[A-Za-z](?![A-Za-z0-9])")
_SQUARE = re.compile(r"(?<![A-Za-z])([A-Za-z])(\d{1,2})(?![0-9])")
_NUMBER = re.compile(r"(?<![\w.])\d{1,4}(?!\w|\.\d)")
_LABEL = re.compile(r"(?<![A-Za-z'\u2019])([A-Za-z])(?![A-Za-z'\u2019])")


_PLAIN = ("I agree.", "I am not sure about that.", "Let us go on.", "Tell me more.")
"""What random says where the text shows no move format (a conversation turn)."""


class NoMoveFormat(ValueError):
    """The player's text shows no bracketed move, example or template to draw from."""


_LETTERS_ONLY = re.compile(r"\[\s*[a-z](?:\s*[, ]\s*[a-z])+\s*\]")


def is_template(token: str) -> bool:
    """True for a move template such as ``[bet X]``, ``[raise N]``, ``[<number>]`` or
    ``[a,b]``."""
    return bool(_PLACEHOLDER.search(token[1:-1]) or _LETTERS_ONLY.fullmatch(token))


def _tokens(message: str, prompt: bool) -> list[tuple[str, bool]]:
    """(token, example) pairs: quoted bracketed tokens, else (in the prompt, or on a line
    that offers moves) any bracketed token; ``example`` where its values are to be redrawn
    (every token of the prompt, a format or an example shown later)."""
    lines = message.splitlines()
    found = [(t, prompt or bool(_EXAMPLE_LINE.search(ln))) for ln in lines
             for t in _QUOTED.findall(ln)]
    if found or prompt:
        return found or [(t, True) for t in _BRACKETED.findall(message)]
    return [(t, bool(_EXAMPLE_LINE.search(ln))) for ln in lines if _OPTION_LINE.search(ln)
            for t in _BRACKETED.findall(ln)]


def move_formats(messages: Sequence[str]) -> list[tuple[str, bool]]:
    """(token, example) pairs: the options of the latest message that shows any, else
    the prompt's examples and templates (``messages[0]``)."""
    if not messages:
        return []
    for message in reversed(messages[1:]):
        tokens = _tokens(message, prompt=False)
        if tokens:
            return list(dict.fromkeys(tokens))
    return list(dict.fromkeys(_tokens(messages[0], prompt=True)))


class _Vocabulary:
    """Numbers and board labels the player sees now, to redraw an example's values: board
    squares from the latest message (the board), plain numbers from the last few."""

    def __init__(self, latest: str, recent: str = "") -> None:
        numbers = sorted({int(n) for n in _NUMBER.findall(f"{recent}\n{latest}")
                          if int(n) <= 100})
        self.numbers = numbers or list(range(0, 10))
        labels = set(_LABEL.findall(latest))
        lower = sorted(c for c in labels if c.islower())
        upper = sorted(c for c in labels if c.isupper())
        if len(lower) < 3:  # a board labelled in the other case ("A".."E" rows, "[a4]")
            lower = [c.lower() for c in upper] if len(upper) >= 3 else list("abcdefgh")
        if len(upper) < 3:
            upper = [c.upper() for c in lower]
        self.lower, self.upper = lower, upper
        on_board = sorted({int(n) for n in _NUMBER.findall(latest) if int(n) <= 20})
        self.small = on_board or [n for n in self.numbers if n <= 20] or self.numbers
        self.last: tuple[str, int] | None = None

    def number(self, rng: random.Random) -> str:
        return str(rng.choice(self.numbers))

    def square(self, letter: str, rng: random.Random) -> str:
        """A square on the board; the second of a move mostly next to the first."""
        letters = self.lower if letter.islower() else self.upper
        if self.last is not None and self.last[0] in letters and rng.random() < 0.8:
            i = letters.index(self.last[0]) + rng.choice((-1, 0, 0, 1))
            col = letters[min(max(i, 0), len(letters) - 1)]
            row = self.last[1] + rng.choice((-2, -1, -1, 1, 1, 2))
            row = min(max(row, self.small[0]), self.small[-1])
        else:
            col, row = rng.choice(letters), rng.choice(self.small)
        self.last = (col, row)
        return f"{col}{row}"


_AMOUNT = re.compile(r"\$[\dX]+(?:\.[\dX]+)?")


def _fill(token: str, example: bool, vocab: _Vocabulary, rng: random.Random) -> str:
    """A move from a token: an option as it stands; a template or example with its
    amounts, squares, variables and (in an example) numbers redrawn from what the player
    sees."""
    if not example and not is_template(token):
        return token
    move = _AMOUNT.sub(lambda m: f"${rng.randint(0, 200) / 100:.2f}" if "." in m[0]
                       else f"${vocab.number(rng)}", token)
    move = _SQUARE.sub(lambda m: vocab.square(m[1], rng), move)
    move = _VARIABLE.sub(lambda m: vocab.number(rng), move)
    if example:
        move = _NUMBER.sub(lambda m: vocab.number(rng), move)
    return move


def sample_move(messages: Sequence[str], rng: random.Random) -> str:
    """One plausible move drawn from the player's messages (oldest first: the prompt, then
    what the game said since). Raises :class:`NoMoveFormat` where there is nothing to
    draw from."""
    tokens = move_formats(messages)
    if not tokens:
        if messages:  # a conversation ("simply type your message"): say something plain
            return rng.choice(_PLAIN)
        raise NoMoveFormat("the game's text shows no bracketed move or move format")
    token, example = tokens[rng.randrange(len(tokens))]
    return _fill(token, example, _Vocabulary(messages[-1], "\n".join(messages[-4:-1])), rng)
