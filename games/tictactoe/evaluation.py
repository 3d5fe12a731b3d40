"""Exact evaluation of a TicTacToe policy against the minimax solver (the game's one
exact evaluator, ``optimal_moves``; it declares no record metrics).

:func:`optimal_move_rate` asks the policy at every reachable non-terminal position (4520:
2423 with X to move, 2097 with O to move) and measures the share of moves that keep the
minimax value: the probability mass on optimal actions, averaged over positions. Every
position weighs the same (positions, not games); a rate of 1.0 means the policy never
gives away value anywhere.

A policy that cannot state its distribution at a position raises
:class:`games.algorithms.evaluation.PolicyUnavailable`, unless a ``fallback`` gives the one action it
plays there (scored 1 or 0; None counts as an invalid, non-optimal move): the arena's
wrapper acts with the agent and parses its reply.

The game declares :data:`OPTIMAL_MOVES` (metrics ``optimal_moves``, ``optimal_moves/X``,
``optimal_moves/O``, ``optimal_moves/positions``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from games.algorithms.evaluation import Evaluator, Policy, PolicyUnavailable
from games.tictactoe.board import FULL, WON
from games.tictactoe.expert import optimal_actions
from games.tictactoe.state import TicTacToeState

if TYPE_CHECKING:
    from games.core import Game, Observation

__all__ = ["reachable_positions", "positions", "optimal_share", "optimal_move_rate",
           "optimal_moves", "OPTIMAL_MOVES"]

Fallback = Callable[["Observation"], "str | None"]
"""An observation -> the action played there (None: the reply was not a legal action)."""


def reachable_positions(game: "Game", include_terminal: bool = False
                        ) -> list[TicTacToeState]:
    """Every position of ``game`` (a TicTacToe) that arises in play, once each
    (transpositions merged), ordered by number of marks and then by ``(x, o)`` masks:
    4520 non-terminal ones, 5478 with the terminal ones. Fresh states: callers may
    mutate them."""
    layer = {(0, 0)}
    found: list[tuple[int, int]] = []
    for depth in range(10):
        found.extend(sorted(layer))
        nxt = set()
        for x, o in layer:
            if WON[x] or WON[o]:
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


def positions(game: "Game") -> tuple[list[TicTacToeState], list["Observation"]]:
    """Every reachable non-terminal position and the observation of the player to move."""
    states = reachable_positions(game)
    return states, [s.observation(s.turn % 2) for s in states]


def optimal_share(dist: Mapping[str, float], best: Sequence[str], where: str = "") -> float:
    """The probability mass ``dist`` puts on the ``best`` actions, over its total mass."""
    total = sum(dist.values())
    if total <= 0:
        raise ValueError(
            f"the policy returned a distribution with total mass {total} at {where}; "
            "a policy must be a probability distribution"
        )
    return sum(dist.get(a, 0.0) for a in best) / total


def optimal_move_rate(game: "Game", policy: Policy,
                      fallback: Fallback | None = None) -> dict[str, Any]:
    """Share of minimax-optimal moves over every reachable non-terminal position.

    Returns ``{"optimal_rate", "optimal_rate_x", "optimal_rate_o", "positions",
    "positions_x", "positions_o", "policy_positions", "act_positions", "invalid"}``;
    ``optimal_rate`` averages over all positions.
    """
    sums = [0.0, 0.0]
    counts = [0, 0]
    how = {"policy": 0, "act": 0, "invalid": 0}
    states, observations = positions(game)
    dists = policy(observations)  # model agents score every position in batches
    for state, obs, dist in zip(states, observations, dists):
        player = state.turn % 2
        best = optimal_actions(state)
        if dist is not None:
            share, method = optimal_share(dist, best, obs.info_state), "policy"
        elif fallback is None:
            raise PolicyUnavailable(
                f"the optimal-move rate needs the policy's action probabilities, and this "
                f"policy cannot state them (at {obs.info_state!r}); use an agent that can "
                "(minimax, random, an llm in choice mode)"
            )
        else:
            action = fallback(obs)
            share, method = (0.0, "invalid") if action is None else (float(action in best), "act")
        sums[player] += share
        counts[player] += 1
        how[method] += 1
    return {
        "optimal_rate": (sums[0] + sums[1]) / (counts[0] + counts[1]),
        "optimal_rate_x": sums[0] / counts[0],
        "optimal_rate_o": sums[1] / counts[1],
        "positions": counts[0] + counts[1],
        "positions_x": counts[0],
        "positions_o": counts[1],
        "policy_positions": how["policy"],
        "act_positions": how["act"] + how["invalid"],
        "invalid": how["invalid"],
    }


def optimal_moves(game: "Game", policy: Policy) -> dict[str, float]:
    """The evaluator: the optimal-move rate overall and per mark to move."""
    rates = optimal_move_rate(game, policy)
    return {
        "optimal_moves": rates["optimal_rate"],
        "optimal_moves/X": rates["optimal_rate_x"],
        "optimal_moves/O": rates["optimal_rate_o"],
        "optimal_moves/positions": float(rates["positions"]),
    }


OPTIMAL_MOVES = Evaluator(
    name="optimal_moves",
    description="share of minimax-optimal moves over all 4,520 reachable positions "
                "(1.0: never gives away value)",
    fn=optimal_moves,
)
