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

The package, in the layout every game uses: this module (the Game), ``state.py`` (the
State), ``text.py`` (the rules text, both views, the information state, the rendering),
``expert.py`` (the minimax solver and the ``minimax`` expert), ``evaluation.py`` (the
exact ``optimal_moves`` evaluator), and ``board.py`` (the masks' tables, shared by all).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from games.core import VIEWS, Game, GameInfo, Observation, view_field
from games.tictactoe.board import ACTIONS, MARKS, masks_of_board, winner_of
from games.tictactoe.evaluation import OPTIMAL_MOVES
from games.tictactoe.expert import Minimax
from games.tictactoe.state import TicTacToeState
from games.tictactoe.text import RULES

__all__ = ["TicTacToe", "TicTacToeOptions"]

_OBSERVATIONS: dict[tuple, dict[int, Observation]] = {}
"""Per (game class, view, rules): the observations by ``x << 10 | o << 1 | player``, each
built once by the base :meth:`State.observation` (at most 2 x 5,478 per table)."""


@dataclass
class TicTacToeOptions:
    """TicTacToe's only option is how players read it."""

    view: str = view_field()
    """``text``: the board drawn with cell numbers and a sentence per fact; ``compact``:
    ``X| X O . . . . . . .``, the own mark then the nine cells (one token each)."""


def _observations_of(game: "TicTacToe") -> dict[int, Observation]:
    return _OBSERVATIONS.setdefault((type(game), game.view, game.rules), {})


class TicTacToe(Game):
    """Factory of TicTacToe states; see the module docstring for the rules."""

    info = GameInfo(
        id="tictactoe",
        description="3x3 TicTacToe: X moves first, three in a row wins",
        min_players=2,
        max_players=2,
        roles=MARKS,
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
        return (OPTIMAL_MOVES,)

    def example_action(self) -> str:
        return "[4]"

    def all_actions(self) -> tuple[str, ...]:
        """Every canonical action in a fixed order (``"[0]"`` .. ``"[8]"``): the action
        vocabulary of numeric environments."""
        return ACTIONS
