"""TicTacToe's texts: the rules, what a player reads (``text`` and ``compact`` views), the
information state and the spectator's rendering, each a pure function of the board.

The game has 5,478 positions, so each compact text and information state is built once,
on first use, and kept here (at most 2 x 5,478 compact texts, 5,478 information states).
"""

from __future__ import annotations

from games.tictactoe.board import LEGAL, MARKS

__all__ = ["RULES", "cell", "board_string", "grid", "status", "observation_text",
           "compact_text", "build_compact", "information_state", "build_information_state",
           "render"]

RULES = """TicTacToe on a 3x3 board. Cells are numbered 0-8 row by row from the top left:

 0 | 1 | 2
---+---+---
 3 | 4 | 5
---+---+---
 6 | 7 | 8

X moves first, then O, alternately. On your move, mark one empty cell by writing its
number in brackets, e.g. [4]. The first player with three marks in a row, a column or a
diagonal wins (+1; the opponent gets -1). A full board with no such line is a draw (0).
"""

_COMPACT: dict[tuple[int, int, int], str] = {}
"""Compact texts by (player, x, o): at most 2 x 5,478 boards."""
_INFO: dict[int, str] = {}
"""Information states by ``x << 9 | o``: at most 5,478."""


def _over(x: int, o: int, winner: int) -> bool:
    return winner >= 0 or (x | o).bit_count() >= 9


def cell(x: int, o: int, n: int) -> str:
    """``"X"``, ``"O"`` or ``""`` for cell ``n`` (0-8)."""
    if x >> n & 1:
        return "X"
    if o >> n & 1:
        return "O"
    return ""


def board_string(x: int, o: int) -> str:
    """The board row by row, ``.`` for empty: ``"X...O...."``."""
    return "".join(cell(x, o, n) or "." for n in range(9))


def grid(x: int, o: int, empty: str) -> str:
    """The board drawn in three rows; an empty cell shows ``empty.format(n=cell)``."""
    rows = []
    for r in range(3):
        cells = [cell(x, o, 3 * r + c) or empty.format(n=3 * r + c) for c in range(3)]
        rows.append(" " + " | ".join(cells))
    return "\n---+---+---\n".join(rows)


def status(x: int, o: int, winner: int) -> str:
    """``"X wins."``, ``"Draw: the board is full."`` or ``"O to move."``."""
    if winner >= 0:
        return f"{MARKS[winner]} wins."
    turn = (x | o).bit_count()
    if turn >= 9:
        return "Draw: the board is full."
    return f"{MARKS[turn & 1]} to move."


def observation_text(x: int, o: int, winner: int, player: int) -> str:
    """``view=text``: who plays what, the move number, the board with cell numbers on the
    empty cells, and whose move it is (with the legal actions on the player's own)."""
    mark = MARKS[player]
    turn = (x | o).bit_count()
    over = _over(x, o, winner)
    lines = [
        f"You play {mark} (player {player}); your opponent plays {MARKS[1 - player]}.",
        f"Move {turn + 1 if not over else turn} of at most 9.",
        "Board (numbers mark empty cells):",
        grid(x, o, "{n}"),
    ]
    if over:
        lines.append(f"Game over. {status(x, o, winner)}")
    elif turn & 1 == player:
        lines.append(f"Your move ({mark}). Legal actions: {', '.join(LEGAL[x | o])}")
    else:
        lines.append(f"Waiting for {MARKS[1 - player]} to move.")
    return "\n".join(lines)


def compact_text(x: int, o: int, winner: int, player: int) -> str:
    """:func:`build_compact`, built once per (player, board) and kept."""
    key = (player, x, o)
    text = _COMPACT.get(key)
    if text is None:
        text = _COMPACT[key] = build_compact(x, o, winner, player)
    return text


def build_compact(x: int, o: int, winner: int, player: int) -> str:
    """``view=compact``: the own mark, then each cell row by row (``X``, ``O`` or ``.``)
    after a space, so a tokenizer gives one token per cell; at the end ``= X`` (the
    winner) or ``= draw``."""
    text = MARKS[player] + "|" + "".join(" " + (cell(x, o, n) or ".") for n in range(9))
    if _over(x, o, winner):
        text += " = " + (MARKS[winner] if winner >= 0 else "draw")
    return text


def information_state(x: int, o: int, winner: int) -> str:
    """:func:`build_information_state`, built once per board and kept."""
    key = x << 9 | o
    info = _INFO.get(key)
    if info is None:
        info = _INFO[key] = build_information_state(x, o, winner)
    return info


def build_information_state(x: int, o: int, winner: int) -> str:
    """``"board=XO.......;to_move=X"`` (``-`` once the game is over), the same for both
    players."""
    to_move = "-" if _over(x, o, winner) else MARKS[(x | o).bit_count() & 1]
    return f"board={board_string(x, o)};to_move={to_move}"


def render(x: int, o: int, winner: int) -> str:
    """The spectator's view: the board with ``.`` on empty cells, then the status."""
    return f"{grid(x, o, '.')}\n{status(x, o, winner)}"
