"""The TicTacToe board as two 9-bit masks: cells, lines, legal moves and the winner.

Bit ``n`` of a mask is cell ``n`` (0-8, row by row from the top left). Shared by the
state, its text and the expert; everything here is a table or a pure function of ints.
"""

from __future__ import annotations

__all__ = ["ACTIONS", "LINES", "FULL", "MARKS", "BIT", "LEGAL", "WON", "winner_of",
           "masks_of_board"]

ACTIONS: tuple[str, ...] = tuple(f"[{n}]" for n in range(9))
"""The canonical action of each cell."""

LINES: tuple[int, ...] = (
    0b000000111, 0b000111000, 0b111000000,  # rows
    0b001001001, 0b010010010, 0b100100100,  # columns
    0b100010001, 0b001010100,  # diagonals
)
"""The eight winning lines as 9-bit masks."""

FULL = 0b111111111
"""Mask of a full board."""

MARKS = ("X", "O")
"""The mark of each player (also their roles)."""

BIT = {a: 1 << n for n, a in enumerate(ACTIONS)}
"""The bit of each action's cell."""

# Legal actions for each occupancy mask, computed once (the hot path of search).
LEGAL: tuple[tuple[str, ...], ...] = tuple(
    tuple(ACTIONS[n] for n in range(9) if not occupied >> n & 1) for occupied in range(512)
)
WON: tuple[bool, ...] = tuple(any(m & line == line for line in LINES) for m in range(512))
"""Whether a mark's mask holds a whole line, for each of the 512 masks."""


def winner_of(x: int, o: int) -> int:
    """0 if X has a line, 1 if O has one, -1 if neither (masks as in :data:`LINES`)."""
    for line in LINES:
        if x & line == line:
            return 0
        if o & line == line:
            return 1
    return -1


def masks_of_board(board: str) -> tuple[int, int]:
    """The (X, O) masks of a board written row by row, ``"XO..X...."`` (``.`` or ``-``
    for an empty cell; white space and ``|`` ignored). Raises ValueError for a board that
    no game reaches."""
    cells = "".join(ch for ch in board.upper() if not ch.isspace() and ch != "|")
    cells = cells.replace("-", ".")
    if len(cells) != 9 or set(cells) - set("XO."):
        raise ValueError(
            f"board {board!r} must be 9 cells of X, O or '.', row by row "
            "from the top left, e.g. 'XO..X....'"
        )
    x = sum(1 << n for n, ch in enumerate(cells) if ch == "X")
    o = sum(1 << n for n, ch in enumerate(cells) if ch == "O")
    _check_reachable(board, x, o)
    return x, o


def _check_reachable(board: str, x: int, o: int) -> None:
    """Raise ValueError unless some game reaches the board. A board without a line is
    reachable when X has as many marks as O or one more; a won board also needs a last
    move of the winner whose removal leaves a board without a line."""
    nx, no = x.bit_count(), o.bit_count()
    if nx - no not in (0, 1):
        raise ValueError(
            f"board {board!r} has {nx} X and {no} O; X moves first, so X must have as "
            "many marks as O or one more"
        )
    won = winner_of(x, o)
    if won < 0:
        return
    if won == 0:
        ok = nx == no + 1 and any(winner_of(x & ~(1 << n), o) < 0 for n in range(9) if x >> n & 1)
    else:
        ok = nx == no and any(winner_of(x, o & ~(1 << n)) < 0 for n in range(9) if o >> n & 1)
    if ok:
        return
    raise ValueError(
        f"board {board!r} cannot arise in play: the game would have ended earlier "
        f"(or {MARKS[won]} could not have made the last move)"
    )
