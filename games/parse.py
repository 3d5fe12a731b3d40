"""One shared function from a model's free output to a canonical action.

Rules, in order:

1. The answer is the content of the last ``\\boxed{...}`` (braces balanced) if there is
   one, else the last ``[...]`` span. "not [4] but [2]" plays ``[2]``.
2. Case and spacing are normalised (lower case, runs of white space folded, the
   surrounding brackets dropped), on both the answer and the legal actions.
3. The normalised answer must equal exactly one normalised legal action.

Games whose actions are free text (``legal_actions`` is None) receive the boxed answer,
or the whole output when there is none, through ``Game.canonicalize``: their own
grammar, documented in the game module.

Failures raise :class:`ParseError` (an :class:`~games.core.IllegalAction`) whose message
says precisely why: ``no answer found``, ``'[9]' is not legal; legal: [0], [2], [5]``.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Sequence

from common.text import shorten
from common.untrusted import valid_text

from games.core import Game as _Game, IllegalAction

if TYPE_CHECKING:
    from games.core import Game

__all__ = ["ParseError", "parse_action", "extract_answer", "normalise"]

_BOXED = "\\boxed{"
_BRACES = re.compile(r"[{}]")


class ParseError(IllegalAction):
    """Model output that does not name a legal action."""

    def __init__(self, message: str, answer: str | None = None) -> None:
        super().__init__(message)
        self.answer = answer


def normalise(text: str) -> str:
    """Lower case, white space folded, one pair of surrounding brackets removed."""
    s = " ".join(text.split()).lower()
    if len(s) >= 2 and s[0] == "[" and s[-1] == "]":
        s = s[1:-1].strip()
    return s


def _last_boxed(text: str) -> str | None:
    """The content of the balanced ``\\boxed{...}`` that starts last, in one pass.

    Every ``{`` is pushed on a stack (marked when it ends a ``\\boxed{``) and popped by
    its matching ``}``, which is where a scan from that ``{`` would close it; a ``}`` with
    nothing open is skipped. Linear in ``len(text)`` whatever the nesting or balance.
    """
    if _BOXED not in text:
        return None
    stack: list[tuple[int, bool]] = []
    best: tuple[int, int] | None = None
    for match in _BRACES.finditer(text):
        i = match.start()
        if text[i] == "{":
            opens_box = i + 1 >= len(_BOXED) and text.startswith(_BOXED, i + 1 - len(_BOXED))
            stack.append((i + 1, opens_box))
        elif stack:
            start, boxed = stack.pop()
            if boxed and (best is None or start > best[0]):
                best = (start, i)
    return None if best is None else text[best[0]:best[1]]


def _last_bracketed(text: str) -> str | None:
    """The last ``[...]`` span: from the last ``[`` before the last ``]`` (if there is no
    ``[`` before the last ``]`` there is none before any earlier one either)."""
    end = text.rfind("]")
    start = text.rfind("[", 0, end) if end != -1 else -1
    return None if start == -1 else text[start : end + 1]


def extract_answer(text: str) -> str | None:
    """The last ``\\boxed{...}`` content, else the last ``[...]`` span, else None."""
    boxed = _last_boxed(text)
    if boxed is not None:
        return boxed
    return _last_bracketed(text)


_BASE_CANONICALIZE = _Game.canonicalize


def _folds_commands(game: "Game | None") -> bool:
    return game is not None and type(game).canonicalize is not _BASE_CANONICALIZE


def _typed_command(game: "Game | None", answer: str, legal: Sequence[str]) -> str | None:
    """The legal action ``answer`` names: compared after :func:`normalise`, then, for a
    game that folds typed commands (its ``canonicalize``, e.g. articles in "take the
    apple"), after that game's canonical form. None when nothing matches."""
    key = normalise(answer)
    matches = [a for a in legal if normalise(a) == key]
    if len(matches) == 1:
        return matches[0]
    if not _folds_commands(game) or len(answer) > 200:
        return None
    try:
        folded = normalise(game.canonicalize(answer.strip()))
    except IllegalAction:
        return None
    matches = [a for a in legal if normalise(a) == folded]
    return matches[0] if len(matches) == 1 else None


def parse_action(
    output: str, legal_actions: Sequence[str] | None, game: "Game | None" = None
) -> str:
    """Turn free model output into a canonical action, or raise :class:`ParseError`.

    Here agent text enters the game, so it is made valid text first
    (:func:`common.untrusted.valid_text`: a lone surrogate becomes U+FFFD): a move never
    carries into another player's observation a character their tokenizer cannot encode."""
    if not isinstance(output, str):
        raise ParseError(f"output must be text, got {type(output).__name__}")
    if not output.isascii():
        output = valid_text(output)
    if legal_actions is None:
        if game is None:
            raise ParseError("free-text action but no game given to canonicalize it")
        boxed = _last_boxed(output)
        answer = (boxed if boxed is not None else output).strip()
        if not answer:
            raise ParseError("no answer found (empty reply)", answer)
        try:
            return game.canonicalize(answer)
        except IllegalAction as err:
            raise ParseError(str(err), answer) from err
    if not legal_actions:
        raise ParseError("no action is legal now")
    answer = extract_answer(output)
    if answer is not None or _folds_commands(game):  # a typed command needs no brackets
        typed = _typed_command(game, output if answer is None else answer, legal_actions)
        if typed is not None:
            return typed
    if answer is None:
        raise ParseError(
            "no answer found: write the action as \\boxed{...} or in brackets; legal: "
            + ", ".join(legal_actions)
        )
    shown = answer if answer.startswith("[") else f"[{answer}]"
    raise ParseError(
        f"{shorten(shown)!r} is not legal; legal: {', '.join(legal_actions)}", answer
    )
