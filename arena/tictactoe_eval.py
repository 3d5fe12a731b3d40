"""Evaluation of a TicTacToe agent: a wrapper over :mod:`games.tictactoe.evaluation`,
kept for the current callers until they loop over ``game.evaluators()``.

- :func:`optimal_move_rate` asks the agent at every reachable non-terminal position
  (4520: 2423 with X to move, 2097 with O to move) and measures the share of moves that
  keep the minimax value. Agents that state their policy are measured exactly (the
  probability mass on optimal actions, averaged over positions); others act once per
  position and their reply is parsed with :func:`games.parse_action` (a reply that does
  not parse counts as a non-optimal move and as ``invalid``).
- :func:`evaluate_tictactoe` adds those rates to the results of real games in both seats
  against ``random`` and against ``minimax`` (wins, draws and losses per seat).

Every position weighs the same (positions, not games); a rate of 1.0 means the agent
never gives away value anywhere. Results are reproducible from ``seed``.
"""

from __future__ import annotations

from typing import Any

from agents import Agent, make_agent
from games import ParseError, make, parse_action
from games.tictactoe.evaluation import optimal_move_rate as _optimal_move_rate

__all__ = ["optimal_move_rate", "evaluate_tictactoe", "OPPONENTS"]

OPPONENTS = ("random", "minimax")
"""The fixed opponents of :func:`evaluate_tictactoe`."""

_SEATS = ("X", "O")


def optimal_move_rate(agent: Agent, seed: int = 0) -> dict[str, Any]:
    """Share of minimax-optimal moves over every reachable non-terminal position
    (:func:`games.tictactoe.evaluation.optimal_move_rate`); where the agent states no
    policy it acts once and its reply is parsed. ``seed`` reseeds the agent first."""
    agent.reset(seed)

    def played(obs) -> str | None:
        try:
            return parse_action(agent.act(obs).text, obs.legal_actions)
        except ParseError:
            return None

    return _optimal_move_rate(None, agent.policy_batch, fallback=played)


def _outcome(returns: tuple[float, ...], seat: int) -> str:
    mine = returns[seat]
    return "win" if mine > 0 else "loss" if mine < 0 else "draw"


def _play_seat(agent: Agent, opponent: str, seat: int, games: int, seed: int) -> dict[str, int]:
    """``games`` games with ``agent`` in ``seat`` (0: X, 1: O) against ``opponent``."""
    from arena.runner import play_match

    game = make("tictactoe")
    tally = {"win": 0, "draw": 0, "loss": 0}
    for i in range(games):
        match_seed = seed * 1000 + i
        other = make_agent(opponent, seed=match_seed)
        seats = [agent, other] if seat == 0 else [other, agent]
        record = play_match(game, seats, seed=match_seed)
        tally[_outcome(tuple(record.returns), seat)] += 1
    return tally


def evaluate_tictactoe(
    agent: Agent | str, games: int = 100, seed: int = 0, agent_spec: str | None = None
) -> dict[str, Any]:
    """Optimal-move rates plus ``games`` games per seat against random and minimax.

    ``agent`` is an agent or a spec string (built with ``make_agent(spec, seed=seed)``);
    ``agent_spec`` names it in the result (default: the spec or ``agent.name``). Match
    ``i`` of each pairing uses seed ``seed * 1000 + i``; opponents are built with that
    seed too. Results: ``{"agent", "games", "seed", "optimal", "vs_random",
    "vs_minimax"}``, each ``vs_*`` as ``{"X": {"win", "draw", "loss"}, "O": {...}}``.
    """
    if not isinstance(games, int) or games < 0:
        raise ValueError(f"games={games!r} must be a non-negative int (games per seat)")
    if isinstance(agent, str):
        agent_spec = agent_spec or agent
        agent = make_agent(agent, seed=seed)
    result: dict[str, Any] = {
        "agent": agent_spec or agent.name,
        "games": games,
        "seed": seed,
        "optimal": optimal_move_rate(agent, seed=seed),
    }
    for opponent in OPPONENTS:
        result[f"vs_{opponent}"] = {
            _SEATS[seat]: _play_seat(agent, opponent, seat, games, seed) for seat in (0, 1)
        }
    return result
