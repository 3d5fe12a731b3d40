"""Evaluation during training, recorded in metrics.jsonl under ``eval/<game>/...`` keys.

Whatever each game declares, through :func:`arena.evaluate.evaluate` (no game is named
here):

- ``eval/<game>/<metric>``: the game's exact evaluators on the policy's stated
  probabilities (Kuhn Poker: ``exploitability``; TicTacToe: ``optimal_moves``), skipped
  (logged) where the policy cannot state them (generate mode);
- ``eval/<game>/vs_<opponent>/...``: win/draw/loss rates, the win rate's 95% interval and
  the mean return against ``random`` and the game's ``expert``, overall and per role
  (``.../vs_random/<role>/win_rate``), the policy sampling as it does in training;
- ``eval/<game>/greedy/vs_<opponent>/...``: the same with argmax play.
"""

from __future__ import annotations

import logging
from typing import Any

from agents import Agent
from arena.evaluate import evaluate

__all__ = ["evaluate_policy", "headline_metric"]

log = logging.getLogger(__name__)


def headline_metric(key: str) -> str | None:
    """The headline a metrics key shows, or None: a game's exact evaluator
    (``eval/<game>/<evaluator>``, e.g. ``exploitability``), the win rate against
    ``random`` or the success rate of one-player episodes. Progress lines and plots pick
    metrics by this rule, so a new game's evaluators show with no change here."""
    parts = key.split("/")
    if parts[0] != "eval" or len(parts) < 3:
        return None
    if len(parts) == 3:
        return parts[2]
    if parts[2:] == ["vs_random", "win_rate"]:
        return "win rate vs random"
    if parts[2:] == ["episodes", "success_rate"]:
        return "success rate"
    return None


def _game_metrics(agent: Agent, greedy: Agent | None, name: str, games_per_seat: int,
                  seed: int) -> dict[str, Any]:
    base = name  # the spec with its options: kuhn_poker and kuhn_poker:hands=3 differ
    result = evaluate(name, agent, games=games_per_seat, seed=seed)
    for note in result.notes:
        log.info("evaluation on %s: %s", name, note)
    row: dict[str, Any] = {f"eval/{base}/{k}": v for k, v in result.metrics.items()}
    if greedy is not None and games_per_seat > 0:
        plain = evaluate(name, greedy, games=games_per_seat, seed=seed, exact=False)
        row.update({f"eval/{base}/greedy/{k}": v for k, v in plain.metrics.items()})
    return row


def evaluate_policy(agent: Agent, game_names: list[str], games_per_seat: int, seed: int,
                    greedy: Agent | None = None) -> dict[str, Any]:
    """The ``eval/...`` metrics of ``agent`` (and of ``greedy``, sampled play only) on
    each game (see the module doc)."""
    row: dict[str, Any] = {}
    for name in dict.fromkeys(game_names):
        row.update(_game_metrics(agent, greedy, name, games_per_seat, seed))
    return row
