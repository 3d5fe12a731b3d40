"""Exact minimax solution of TicTacToe, memoised over every position.

Values are from the point of view of the player to move: +1 a forced win, 0 a draw with
best play by both, -1 a forced loss. The empty board is a draw (value 0).

- :func:`solve` -- the minimax value of a state for the player to move. At a terminal
  state the "player to move" is the one who would move next: -1 when the game was won
  (only the player who just moved can have completed a line), 0 on a draw.
- :func:`optimal_actions` -- every legal action that keeps the minimax value, ascending.
- :func:`optimal_distribution` -- uniform over the optimal actions: the game's scripted
  expert as a pure function (the ``minimax`` agent plays it).
- :func:`action_values` -- the value of each legal action for the player to move.
- :func:`reachable_positions` -- every position that arises in play, in a fixed order:
  4520 non-terminal ones, 5478 with the terminal ones.

Positions are keyed by two 9-bit masks ``(mover, other)``: the marks of the player to move
and those of the other player. The two are never confused: X is to move exactly when both
have as many marks, O when the mover has fewer. The memo is a cache of a pure function of
those ints, filled on first use (the whole game: 5478 entries, a few milliseconds).
"""

from __future__ import annotations

from functools import lru_cache

from games.tictactoe.rules import ACTIONS, FULL, LINES, TicTacToe, TicTacToeState

__all__ = ["solve", "optimal_actions", "optimal_distribution", "action_values",
           "reachable_positions"]


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


def action_values(state: TicTacToeState) -> dict[str, int]:
    """``{action: value for the player to move after playing it}``, ascending; empty at
    a terminal state."""
    mover, other = _masks(state)
    if state.is_terminal():
        return {}
    values = {}
    for n in range(9):
        bit = 1 << n
        if not (mover | other) & bit:
            values[ACTIONS[n]] = -_negamax(other, mover | bit)
    return values


def optimal_actions(state: TicTacToeState) -> list[str]:
    """Every legal action that achieves the minimax value, ascending; ``[]`` at the end."""
    values = action_values(state)
    if not values:
        return []
    best = max(values.values())
    return [a for a, v in values.items() if v == best]


def optimal_distribution(state: TicTacToeState) -> dict[str, float]:
    """Uniform over :func:`optimal_actions`: perfect play that never loses; ``{}`` at the
    end."""
    best = optimal_actions(state)
    return {a: 1.0 / len(best) for a in best}


def reachable_positions(
    include_terminal: bool = False, game: TicTacToe | None = None
) -> list[TicTacToeState]:
    """Every position that arises in play, once each (transpositions merged), ordered by
    number of marks and then by ``(x, o)`` masks. Fresh states: callers may mutate them."""
    game = game if game is not None else TicTacToe()
    layer = {(0, 0)}
    found: list[tuple[int, int]] = []
    for depth in range(10):
        found.extend(sorted(layer))
        nxt = set()
        for x, o in layer:
            if _has_line(x) or _has_line(o):
                continue
            free = FULL & ~(x | o)
            for n in range(9):
                bit = 1 << n
                if free & bit:
                    nxt.add((x | bit, o) if depth % 2 == 0 else (x, o | bit))
        layer = nxt
    states = [game.state_from_masks(x, o) for x, o in found]
    if include_terminal:
        return states
    return [s for s in states if not s.is_terminal()]
