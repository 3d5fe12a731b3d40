"""Exact evaluation of a TicTacToe agent against the minimax solver.

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
from games.tictactoe_solver import optimal_actions, reachable_positions

__all__ = ["optimal_move_rate", "evaluate_tictactoe", "OPPONENTS"]

OPPONENTS = ("random", "minimax")
"""The fixed opponents of :func:`evaluate_tictactoe`."""

_SEATS = ("X", "O")


def _optimal_share(agent: Agent, obs, best: list[str], dist=None) -> tuple[float, str]:
    """The share of optimal play at one position and how it was measured."""
    if dist is not None:
        total = sum(dist.values())
        if total <= 0:
            raise ValueError(
                f"agent {agent.name!r} returned a policy with total mass {total} at "
                f"{obs.info_state}; a policy must be a probability distribution"
            )
        return sum(dist.get(a, 0.0) for a in best) / total, "policy"
    decision = agent.act(obs)
    try:
        action = parse_action(decision.text, obs.legal_actions)
    except ParseError:
        return 0.0, "invalid"
    return (1.0 if action in best else 0.0), "act"


def optimal_move_rate(agent: Agent, seed: int = 0) -> dict[str, Any]:
    """Share of minimax-optimal moves over every reachable non-terminal position.

    Returns ``{"optimal_rate", "optimal_rate_x", "optimal_rate_o", "positions",
    "positions_x", "positions_o", "policy_positions", "act_positions", "invalid"}``;
    ``optimal_rate`` averages over all positions. ``seed`` reseeds the agent first.
    """
    agent.reset(seed)
    sums = [0.0, 0.0]
    counts = [0, 0]
    how = {"policy": 0, "act": 0, "invalid": 0}
    states = reachable_positions()
    observations = [s.observation(s.turn % 2) for s in states]
    dists = agent.policy_batch(observations)  # model agents score every position in batches
    for state, obs, dist in zip(states, observations, dists):
        player = state.turn % 2
        share, method = _optimal_share(agent, obs, optimal_actions(state), dist)
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
