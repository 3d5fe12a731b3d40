"""TicTacToe's expert: the exact minimax solution, memoised over every position.

Values are from the point of view of the player to move: +1 a forced win, 0 a draw with
best play by both, -1 a forced loss. The empty board is a draw (value 0).

- :func:`solve` -- the minimax value of a state for the player to move. At a terminal
  state the "player to move" is the one who would move next: -1 when the game was won
  (only the player who just moved can have completed a line), 0 on a draw.
- :func:`optimal_actions` -- every legal action that keeps the minimax value, ascending.
- :func:`optimal_distribution` -- uniform over the optimal actions: the game's scripted
  expert as a pure function.
- :func:`action_values` -- the value of each legal action for the player to move.
- :class:`Minimax` -- the game's expert (agents ``expert`` and ``minimax``): it rebuilds
  the position from the observation alone (information is perfect, so the information
  state ``board=XO.......;to_move=O`` is the whole position), states the uniform
  distribution over the optimal actions and plays one drawn with ``rng.randrange``. It
  never loses; against itself every game is a draw.

Positions are keyed by two 9-bit masks ``(mover, other)``: the marks of the player to move
and those of the other player. The two are never confused: X is to move exactly when both
have as many marks, O when the mover has fewer. The memo is a cache of a pure function of
those ints, filled on first use (the whole game: 5478 entries, a few milliseconds).
"""

from __future__ import annotations

import random
from functools import lru_cache

from games.core import Determiniser, Observation
from games.expert import Expert
from games.tictactoe.board import ACTIONS, FULL, LINES, masks_of_board, winner_of
from games.tictactoe.state import TicTacToeState

__all__ = ["Minimax", "solve", "optimal_actions", "optimal_distribution", "action_values"]


def _has_line(marks: int) -> bool:
    for line in LINES:
        if marks & line == line:
            return True
    return False


@lru_cache(maxsize=None)
def _negamax(mover: int, other: int) -> int:
    """Value for the player to move, whose marks are ``mover``."""
    if _has_line(other):
        return -1
    free = FULL & ~(mover | other)
    if not free:
        return 0
    best = -1
    while free:
        bit = free & -free
        free ^= bit
        value = -_negamax(other, mover | bit)
        if value > best:
            best = value
            if best == 1:
                break
    return best


def _masks(state: TicTacToeState) -> tuple[int, int]:
    if not isinstance(state, TicTacToeState):
        raise TypeError(
            f"the TicTacToe solver takes a TicTacToeState, got {type(state).__name__}; "
            "build one with games.make('tictactoe').new_state()"
        )
    return (state.x, state.o) if state.turn % 2 == 0 else (state.o, state.x)


def solve(state: TicTacToeState) -> int:
    """The minimax value (+1, 0 or -1) of ``state`` for the player to move."""
    mover, other = _masks(state)
    if state.winner >= 0:
        return -1
    return _negamax(mover, other)


def _values(mover: int, other: int) -> dict[str, int]:
    values = {}
    for n in range(9):
        bit = 1 << n
        if not (mover | other) & bit:
            values[ACTIONS[n]] = -_negamax(other, mover | bit)
    return values


def action_values(state: TicTacToeState) -> dict[str, int]:
    """``{action: value for the player to move after playing it}``, ascending; empty at
    a terminal state."""
    mover, other = _masks(state)
    if state.is_terminal():
        return {}
    return _values(mover, other)


def _best(values: dict[str, int]) -> list[str]:
    if not values:
        return []
    best = max(values.values())
    return [a for a, v in values.items() if v == best]


def optimal_actions(state: TicTacToeState) -> list[str]:
    """Every legal action that achieves the minimax value, ascending; ``[]`` at the end."""
    return _best(action_values(state))


def optimal_distribution(state: TicTacToeState) -> dict[str, float]:
    """Uniform over :func:`optimal_actions`: perfect play that never loses; ``{}`` at the
    end."""
    best = optimal_actions(state)
    return {a: 1.0 / len(best) for a in best}


class Minimax(Expert):
    """Perfect play from the observation alone; see the module docstring."""

    name = "minimax"

    def _optimal(self, obs: Observation) -> list[str]:
        board = obs.info_state.partition(";")[0].removeprefix("board=")
        x, o = masks_of_board(board)
        if winner_of(x, o) >= 0 or (x | o) == FULL:
            return []
        return _best(_values(x, o) if (x | o).bit_count() % 2 == 0 else _values(o, x))

    def policy(self, obs: Observation) -> dict[str, float]:
        best = self._optimal(obs)
        return {a: 1.0 / len(best) for a in best}

    def act(self, obs: Observation, rng: random.Random,
            determiniser: Determiniser | None = None) -> tuple[str, dict[str, float]]:
        best = self._optimal(obs)
        p = 1.0 / len(best)
        return best[rng.randrange(len(best))], {a: p for a in best}
