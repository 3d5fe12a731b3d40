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

Moves already played (the ``[Player 1] [Bid: 3, 2]`` lines of the transcript) say more,
where the prompt's own words ask for it:

- a *rising* example, one on a line that asks for something higher ("a new bid with a
  higher quantity or higher face ... i.e. '[Bid: 3, 4]'", also "raise", "increase",
  "outbid", "more than"): when the latest move played has the example's shape (the same
  text but for its numbers), that move is raised (its first number plus one); otherwise
  it opens low, each number drawn from 1 up to the example's.
- an *answer*, a move without numbers on a line that speaks of the last, previous or
  current move ("Call the last bid by typing '[Call]'"): drawn only when the latest move
  played is of another shape, so there is something to answer (never first, never
  right after another answer).

A drawn move is plausible, not checked: TextArena judges it (the adapter's
``TextArenaState.random_action`` keeps only moves it accepts, by trying them on a copy).
:func:`is_template` tells a move template (``[bet X]``) from a move, so that templates
are never offered as legal actions.
"""

from __future__ import annotations

import random
import re
from typing import NamedTuple, Sequence

__all__ = ["sample_move", "is_template", "move_formats", "last_move", "NoMoveFormat"]

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


class _Format(NamedTuple):
    token: str
    example: bool
    """Its values are to be redrawn (a token of the prompt, or on a format/example line)."""
    line: str
    """The line it was found on (what the text says about it)."""


def _tokens(message: str, prompt: bool) -> list[_Format]:
    """Move formats of one message: quoted bracketed tokens, else (in the prompt, or on a
    line that offers moves) any bracketed token; ``example`` where its values are to be
    redrawn (every token of the prompt, a format or an example shown later)."""
    lines = message.splitlines()
    found = [_Format(t, prompt or bool(_EXAMPLE_LINE.search(ln)), ln) for ln in lines
             for t in _QUOTED.findall(ln)]
    if found or prompt:
        return found or [_Format(t, True, ln) for ln in lines for t in _BRACKETED.findall(ln)]
    return [_Format(t, bool(_EXAMPLE_LINE.search(ln)), ln) for ln in lines
            if _OPTION_LINE.search(ln) for t in _BRACKETED.findall(ln)]


def _formats(messages: Sequence[str]) -> list[_Format]:
    """The options of the latest message that shows any, else the prompt's examples and
    templates (``messages[0]``); each (token, example) once."""
    if not messages:
        return []
    found: list[_Format] = []
    for message in reversed(messages[1:]):
        found = _tokens(message, prompt=False)
        if found:
            break
    else:
        found = _tokens(messages[0], prompt=True)
    unique: dict[tuple[str, bool], _Format] = {}
    for f in found:
        unique.setdefault((f.token, f.example), f)
    return list(unique.values())


def move_formats(messages: Sequence[str]) -> list[tuple[str, bool]]:
    """(token, example) pairs: the options of the latest message that shows any, else
    the prompt's examples and templates (``messages[0]``)."""
    return [(f.token, f.example) for f in _formats(messages)]


_PLAYER_LINE = re.compile(r"^\[([A-Za-z][^\[\]\n]{0,39})\] ?(.*)$")
_RISING = re.compile(r"\b(?:higher|raise|increase|outbid|more than)\b", re.I)
_ANSWER = re.compile(r"\b(?:last|previous|current)\b", re.I)
_DIGITS = re.compile(r"\d+")


def last_move(messages: Sequence[str]) -> str | None:
    """The latest move a player made in the transcript (the last bracketed token of the
    last ``[Name] ...`` line after the prompt, ``[GAME]`` lines aside), or None."""
    for message in reversed(messages[1:]):
        for line in reversed(message.splitlines()):
            m = _PLAYER_LINE.match(line)
            if m and m[1] != "GAME":
                tokens = _BRACKETED.findall(m[2])
                return tokens[-1] if tokens else m[2].strip()
    return None


def _shape(move: str) -> str:
    """A move with its numbers and spacing abstracted: ``[Bid: 3, 2]`` -> ``[bid:#,#]``."""
    return "".join(_DIGITS.sub("#", move.lower()).split())


def _rising(f: _Format) -> bool:
    return f.example and bool(_DIGITS.search(f.token)) and bool(_RISING.search(f.line))


def _answer(f: _Format) -> bool:
    return not _DIGITS.search(f.token) and bool(_ANSWER.search(f.line))


def _raise(example: str, last: str | None, rng: random.Random) -> str:
    """A rising example's move: ``last`` (of the example's shape) with its first number
    plus one; with no such move, the example with each number drawn from 1 up to its own."""
    if last is not None and _shape(last) == _shape(example):
        return _DIGITS.sub(lambda m: str(int(m[0]) + 1), last, count=1)
    return _DIGITS.sub(lambda m: str(rng.randint(min(1, int(m[0])), int(m[0]))), example)


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
    formats = _formats(messages)
    if not formats:
        if messages:  # a conversation ("simply type your message"): say something plain
            return rng.choice(_PLAIN)
        raise NoMoveFormat("the game's text shows no bracketed move or move format")
    last = last_move(messages)
    if any(map(_answer, formats)):  # an answer needs a move of another shape to answer
        answerable = last is not None and all(
            _shape(last) != _shape(f.token) for f in formats if _answer(f))
        formats = [f for f in formats if answerable or not _answer(f)] or formats
    chosen = formats[rng.randrange(len(formats))]
    if _rising(chosen):
        return _raise(chosen.token, last, rng)
    vocab = _Vocabulary(messages[-1], "\n".join(messages[-4:-1]))
    return _fill(chosen.token, chosen.example, vocab, rng)
