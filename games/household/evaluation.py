"""Household metrics from finished episodes: success per task type, steps, invalid rate.

The arena's generic evaluation (``arena eval``) plays the episodes and hands their records
to :meth:`games.household.Household.record_metrics`, which calls :func:`record_metrics`
with the Household game.
Records are read by attribute only (``seed``, ``returns``, ``decisions`` with ``valid``),
so this module needs nothing above games/. The task of an episode is the world its seed
generates (generation is deterministic).

Metrics: ``household/<kind>/success_rate`` with ``_low``/``_high`` (95% Wilson interval)
and ``household/<kind>/episodes`` per task type met; ``household/mean_steps_success``
(steps of the successful episodes; 0 with none) and ``household/invalid_rate`` (invalid
decisions over all decisions).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

from games.algorithms.evaluation import wilson_interval
from games.household.tasks import KINDS

if TYPE_CHECKING:
    from games.core import Game

__all__ = ["record_metrics"]


def record_metrics(game: "Game", records: Sequence[Any]) -> dict[str, float]:
    by_kind: dict[str, list[bool]] = {}
    steps: list[int] = []
    decisions = invalid = 0
    for rec in records:
        kind = game.new_state(rec.seed).lay.world.task.kind
        won = rec.returns[0] >= 1.0
        by_kind.setdefault(kind, []).append(won)
        valid = [d for d in rec.decisions if d.valid]
        decisions += len(rec.decisions)
        invalid += len(rec.decisions) - len(valid)
        if won:
            steps.append(len(valid) // game.num_players)
    out: dict[str, float] = {}
    for kind in KINDS:
        if kind in by_kind:
            wins, n = sum(by_kind[kind]), len(by_kind[kind])
            low, high = wilson_interval(wins, n)
            out.update({f"household/{kind}/success_rate": wins / n,
                        f"household/{kind}/success_rate_low": low,
                        f"household/{kind}/success_rate_high": high,
                        f"household/{kind}/episodes": float(n)})
    out["household/mean_steps_success"] = sum(steps) / len(steps) if steps else 0.0
    out["household/invalid_rate"] = invalid / decisions if decisions else 0.0
    return out
