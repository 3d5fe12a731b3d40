"""Evaluation during training, recorded in metrics.jsonl under ``eval/<game>/...`` keys.

- every game: win/draw/loss rates per seat against ``random`` and ``expert`` (the policy
  samples as it does in training; ``greedy/`` keys: the same with argmax play);
- Kuhn Poker: exact exploitability of the policy (choice mode: its probabilities at the 12
  information sets) and its value against the equilibrium;
- TicTacToe: the share of minimax-optimal moves over all reachable positions.
"""

from __future__ import annotations

import logging
from typing import Any

import games
from agents import Agent, make_agent
from arena.runner import MatchConfig, MatchSpec, run_matches

__all__ = ["evaluate_policy", "versus"]

log = logging.getLogger(__name__)


def versus(agent: Agent, game_name: str, opponent: str, games_per_seat: int, seed: int
           ) -> dict[str, float]:
    """Win/draw/loss rates of ``agent`` against ``opponent`` in every seat."""
    game = games.make(game_name)
    specs = []
    for seat in range(game.num_players):
        for i in range(games_per_seat):
            opp = make_agent(opponent, seed=seed * 7919 + i)
            seats = [opp] * game.num_players
            seats[seat] = agent
            specs.append((seat, MatchSpec(game, seats, seed=seed * 100_003 + seat * 10_007 + i)))
    records = run_matches([s for _, s in specs], MatchConfig(invalid="forfeit"))
    out: dict[str, float] = {}
    totals = {"win": 0, "draw": 0, "loss": 0}
    for seat in range(game.num_players):
        counts = {"win": 0, "draw": 0, "loss": 0}
        for (s, _), rec in zip(specs, records):
            if s != seat:
                continue
            r = rec.returns[seat]
            counts["win" if r > 0 else "loss" if r < 0 else "draw"] += 1
        role = game.new_state(0).role(seat)
        for k, v in counts.items():
            out[f"{role}/{k}_rate"] = v / games_per_seat
            totals[k] += v
    n = games_per_seat * game.num_players
    for k, v in totals.items():
        out[f"{k}_rate"] = v / n
    return out


def _game_metrics(agent: Agent, greedy: Agent | None, name: str, games_per_seat: int,
                  seed: int) -> dict[str, Any]:
    row: dict[str, Any] = {}
    base = name.split(":")[0]
    for opponent in ("random", "expert") if games_per_seat > 0 else ():
        try:
            for k, v in versus(agent, name, opponent, games_per_seat, seed).items():
                row[f"eval/{base}/vs_{opponent}/{k}"] = v
            if greedy is not None:
                for k, v in versus(greedy, name, opponent, games_per_seat, seed).items():
                    row[f"eval/{base}/greedy/vs_{opponent}/{k}"] = v
        except ValueError as err:  # e.g. a plug-in game without an expert
            log.warning("no %s evaluation on %s: %s", opponent, name, err)
    if base == "kuhn_poker":
        from arena.kuhn_eval import evaluate_kuhn

        try:
            res = evaluate_kuhn(agent=agent)
            row["eval/kuhn_poker/exploitability"] = res["exploitability"]
            row["eval/kuhn_poker/value_mean"] = res["value_mean"]
            row["eval/kuhn_poker/policy"] = res["policy"]
        except ValueError as err:  # generate mode cannot state its policy
            log.info("no exact Kuhn Poker evaluation: %s", err)
    if base == "tictactoe":
        from arena.tictactoe_eval import optimal_move_rate

        res = optimal_move_rate(agent)
        if res["policy_positions"] == res["positions"]:
            row["eval/tictactoe/optimal_move_rate"] = res["optimal_rate"]
            row["eval/tictactoe/optimal_move_rate_x"] = res["optimal_rate_x"]
            row["eval/tictactoe/optimal_move_rate_o"] = res["optimal_rate_o"]
    return row


def evaluate_policy(agent: Agent, game_names: list[str], games_per_seat: int, seed: int,
                    greedy: Agent | None = None) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for name in dict.fromkeys(game_names):
        row.update(_game_metrics(agent, greedy, name, games_per_seat, seed))
    return row
