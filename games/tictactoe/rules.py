"""TicTacToe: two players, a 3x3 board, three in a row wins.

Rules
    Cells are numbered 0-8 row by row from the top left::

         0 | 1 | 2
        ---+---+---
         3 | 4 | 5
        ---+---+---
         6 | 7 | 8

    X (player 0) moves first, then O (player 1), alternately. A move marks one empty
    cell. Whoever first has three marks in a row, column or diagonal wins; a full board
    with no line is a draw. The seed changes nothing (no chance); the one option is
    ``view`` (``text`` or ``compact``).

Observation
    The board with X and O on marked cells and the cell number on each empty cell, which
    mark the observing player plays, whose turn it is, and the legal actions. Information
    is perfect: both players see everything. ``view=compact``: ``O| X . . . . . . . .``
    (the own mark, then the nine cells row by row; ``= X`` or ``= draw`` at the end).

Actions
    ``"[n]"`` for each empty cell ``n``, in ascending order (``"[0]"`` .. ``"[8]"``).

Returns
    +1 to the winner and -1 to the loser, 0 to both on a draw (zero-sum); 0 to both
    before the end. At most 9 moves.

Information state
    ``"board=XO.......;to_move=X"``: the board row by row (``.`` for empty) and the mark
    to move (``-`` once the game is over); the same for both players.

The board is two 9-bit masks (bit ``n`` set: cell ``n`` holds that mark), so a clone
copies five small ints. The game has 5,478 positions, so every observation and information
state is built once, on first use, and kept in tables shared by every game of the same
class and view (at most 2 x 5,478 observations per view); ``apply``, ``random_action`` and
``observation`` read the tables directly (tests hold them equal to the base methods and to
a fresh build).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from games.core import VIEWS, Game, GameInfo, IllegalAction, Observation, State, view_field
from games.tictactoe.board import (
    ACTIONS, BIT as _BIT, FULL, LEGAL as _LEGAL, LINES, MARKS as _MARKS, WON as _WON,
    masks_of_board, winner_of,
)
from games.tictactoe.expert import Minimax

__all__ = ["TicTacToe", "TicTacToeState", "ACTIONS", "LINES", "FULL", "winner_of"]

_COMPACT: dict[tuple[int, int, int], str] = {}
"""Compact texts by (player, x, o): at most 2 x 5,478 boards."""
_INFO: dict[int, str] = {}
"""Information states by ``x << 9 | o``: at most 5,478."""
_OBSERVATIONS: dict[tuple, dict[int, Observation]] = {}
"""Per (game class, view, rules): the observations by ``x << 10 | o << 1 | player``, each
built once by the base :meth:`State.observation` (at most 2 x 5,478 per table)."""

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


@dataclass
class TicTacToeOptions:
    """TicTacToe's only option is how players read it."""

    view: str = view_field()
    """``text``: the board drawn with cell numbers and a sentence per fact; ``compact``:
    ``X| X O . . . . . . .``, the own mark then the nine cells (one token each)."""


class TicTacToeState(State):
    """Two 9-bit masks, the winner so far (-1 none, 0 X, 1 O) and the base's turn count.

    ``turn`` equals the number of marks on the board, so the player to move is
    ``turn % 2``.
    """

    __slots__ = ("x", "o", "winner")
    x: int
    o: int
    winner: int

    # ----- hooks ----------------------------------------------------------------------
    def current_players(self) -> list[int]:
        if self.winner >= 0 or self.turn >= 9:
            return []
        return [self.turn & 1]

    def is_terminal(self) -> bool:
        return self.winner >= 0 or self.turn >= 9

    def _legal(self, player: int) -> list[str]:
        return list(_LEGAL[self.x | self.o])

    def _legal_now(self, player: int) -> tuple[str, ...]:
        if self.winner >= 0 or self.turn >= 9 or player != self.turn & 1:
            return ()
        return _LEGAL[self.x | self.o]

    def _apply(self, player: int, action: str) -> None:
        bit = _BIT[action]
        if player == 0:
            self.x |= bit
            if _WON[self.x]:
                self.winner = 0
        else:
            self.o |= bit
            if _WON[self.o]:
                self.winner = 1

    # ----- the hot path: the base methods in one call each ------------------------------
    def apply(self, player: int, action: str) -> None:
        """:meth:`State.apply` in one step: a known cell, empty, on the player's move."""
        try:
            bit = _BIT[action]
        except (KeyError, TypeError):  # not an action string (or not hashable)
            self._refuse(player, action)
        turn = self.turn
        if (self.x | self.o) & bit or self.winner >= 0 or turn >= 9 or player != turn & 1:
            self._refuse(player, action)
        if player:
            self.o |= bit
            if _WON[self.o]:
                self.winner = 1
        else:
            self.x |= bit
            if _WON[self.x]:
                self.winner = 0
        self.turn = turn + 1

    def random_action(self, player: int, rng: random.Random) -> str:
        if self.winner >= 0 or self.turn >= 9 or player != self.turn & 1:
            raise IllegalAction(f"player {player} has no legal action now")
        return rng.choice(_LEGAL[self.x | self.o])  # legal[rng.randrange(len(legal))]

    def observation(self, player: int) -> Observation:
        """:meth:`State.observation`, each one built once per board, player and view."""
        if player != 0 and player != 1:
            return super().observation(player)  # the error naming the player
        key = self.x << 10 | self.o << 1 | player
        obs = self.game.observations.get(key)
        if obs is None:
            obs = super().observation(player)
            if player.__class__ is int:  # a bool seat is served, not kept (its field says True)
                self.game.observations[key] = obs
        return obs

    def returns(self) -> list[float]:
        if self.winner < 0:
            return [0.0, 0.0]
        return [1.0, -1.0] if self.winner == 0 else [-1.0, 1.0]

    def role(self, player: int) -> str:
        if player not in (0, 1):
            raise ValueError(
                f"player {player} does not exist; tictactoe has players 0 (X) and 1 (O)"
            )
        return _MARKS[player]

    def clone(self) -> "TicTacToeState":
        s = object.__new__(TicTacToeState)
        s.game = self.game
        s.turn = self.turn
        s.x = self.x
        s.o = self.o
        s.winner = self.winner
        return s

    # ----- text -----------------------------------------------------------------------
    def cell(self, n: int) -> str:
        """``"X"``, ``"O"`` or ``""`` for cell ``n`` (0-8)."""
        if self.x >> n & 1:
            return "X"
        if self.o >> n & 1:
            return "O"
        return ""

    def board_string(self) -> str:
        """The board row by row, ``.`` for empty: ``"X...O...."``."""
        return "".join(self.cell(n) or "." for n in range(9))

    def _grid(self, empty: str) -> str:
        rows = []
        for r in range(3):
            cells = [self.cell(3 * r + c) or empty.format(n=3 * r + c) for c in range(3)]
            rows.append(" " + " | ".join(cells))
        return "\n---+---+---\n".join(rows)

    def _status(self) -> str:
        if self.winner >= 0:
            return f"{_MARKS[self.winner]} wins."
        if self.turn >= 9:
            return "Draw: the board is full."
        return f"{_MARKS[self.turn & 1]} to move."

    def _text(self, player: int) -> str:
        mark = _MARKS[player]
        lines = [
            f"You play {mark} (player {player}); your opponent plays {_MARKS[1 - player]}.",
            f"Move {self.turn + 1 if not self.is_terminal() else self.turn} of at most 9.",
            "Board (numbers mark empty cells):",
            self._grid("{n}"),
        ]
        if self.is_terminal():
            lines.append(f"Game over. {self._status()}")
        elif self.turn & 1 == player:
            lines.append(f"Your move ({mark}). Legal actions: {', '.join(self._legal(player))}")
        else:
            lines.append(f"Waiting for {_MARKS[1 - player]} to move.")
        return "\n".join(lines)

    def _compact(self, player: int) -> str:
        """``view=compact``: the own mark, then each cell row by row (``X``, ``O`` or
        ``.``) after a space, so a tokenizer gives one token per cell; at the end
        ``= X`` (the winner) or ``= draw``."""
        key = (player, self.x, self.o)
        text = _COMPACT.get(key)
        if text is None:
            text = _COMPACT[key] = self._build_compact(player)
        return text

    def _build_compact(self, player: int) -> str:
        text = _MARKS[player] + "|" + "".join(" " + (self.cell(n) or ".") for n in range(9))
        if self.is_terminal():
            text += " = " + (_MARKS[self.winner] if self.winner >= 0 else "draw")
        return text

    def information_state(self, player: int) -> str:
        key = self.x << 9 | self.o
        info = _INFO.get(key)
        if info is None:
            info = _INFO[key] = self._build_information_state()
        return info

    def _build_information_state(self) -> str:
        to_move = "-" if self.is_terminal() else _MARKS[self.turn & 1]
        return f"board={self.board_string()};to_move={to_move}"

    def render(self, reveal: bool = False) -> str:
        return f"{self._grid('.')}\n{self._status()}"


def _observations_of(game: "TicTacToe") -> dict[int, Observation]:
    return _OBSERVATIONS.setdefault((type(game), game.view, game.rules), {})


class TicTacToe(Game):
    """Factory of TicTacToe states; see the module docstring for the rules."""

    info = GameInfo(
        id="tictactoe",
        description="3x3 TicTacToe: X moves first, three in a row wins",
        min_players=2,
        max_players=2,
        roles=_MARKS,
        chance="none",
        information="perfect",
        min_utility=-1.0,
        max_utility=1.0,
        utility_sum=0.0,
        max_length=9,
        action_grammar="[n] where n is an empty cell 0-8, row by row from the top left",
    )
    Options = TicTacToeOptions
    views = VIEWS
    rules = RULES
    expert = Minimax

    def __init__(self, options: Any = None, **kwargs: Any) -> None:
        super().__init__(options, **kwargs)
        self.observations = _observations_of(self)
        """Observations already built, shared by the games of this class, view and rules."""

    def kept_tables(self) -> dict[str, Any]:
        return {"observations": _observations_of(self)}

    def new_state(self, seed: int = 0) -> TicTacToeState:
        """The empty board, X to move. The seed changes nothing (no chance)."""
        return self.state_from_masks(0, 0)

    def state_from_masks(self, x: int, o: int) -> TicTacToeState:
        """The state with X on the bits of ``x`` and O on those of ``o``, unchecked: the
        caller guarantees a reachable position (use :meth:`state_from_board` otherwise)."""
        s = object.__new__(TicTacToeState)
        s.game = self
        s.turn = (x | o).bit_count()
        s.x = x
        s.o = o
        s.winner = winner_of(x, o)
        return s

    def state_from_board(self, board: str) -> TicTacToeState:
        """The state of a board written row by row, ``"XO..X...."`` (``.`` or ``-`` for an
        empty cell; white space and ``|`` ignored). Raises ValueError for a board that no
        game reaches."""
        x, o = masks_of_board(board)
        return self.state_from_masks(x, o)

    def evaluators(self) -> tuple:
        """The exact optimal-move rate (:mod:`games.tictactoe.evaluation`)."""
        from games.tictactoe.evaluation import OPTIMAL_MOVES

        return (OPTIMAL_MOVES,)

    def example_action(self) -> str:
        return "[4]"

    def all_actions(self) -> tuple[str, ...]:
        """Every canonical action in a fixed order (``"[0]"`` .. ``"[8]"``): the action
        vocabulary of numeric environments."""
        return ACTIONS
