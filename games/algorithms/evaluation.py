"""What a game declares about evaluating a policy on it.

A game lists its evaluators (:meth:`games.Game.evaluators`): named functions that take
the game and a *policy* and return metrics. A policy is batched, as model agents are:
a callable from a list of observations to one ``{action: probability}`` per observation
(or None where it cannot state one; the evaluator then raises :class:`PolicyUnavailable`).
Agents that can state their policy give one as ``agent.policy_batch``.

Metric names: an evaluator's headline metric is named after the evaluator itself, and any
detail is ``<name>/<detail>``, so that results of several evaluators merge into one flat
dict without clashes::

    exploitability -> {"exploitability": 0.458, "exploitability/best_response_0": ...}
    optimal_moves  -> {"optimal_moves": 0.58, "optimal_moves/X": ..., "optimal_moves/O": ...}

Values are plain floats (counts included), ready for JSON and metrics files.

Evaluators are exact (they walk positions or the game tree; no sampling), so they need
nothing above games/. Sampled evaluation (win, draw and loss against ``random`` and the
game's expert, with intervals) is generic and lives in the arena: a game gets it without
declaring anything. When an evaluator cannot run (the policy states no distribution, the
game tree is too large for this game's options) it raises :class:`EvaluatorUnavailable`
with a message that says why; callers skip it and show the message.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

if TYPE_CHECKING:
    from games.core import Game, Observation

__all__ = [
    "Z95", "wilson_interval","Policy", "Evaluator", "EvaluatorUnavailable", "PolicyUnavailable",
           "TreeTooLarge", "checked_distributions"]

Policy = Callable[[Sequence["Observation"]], list[Mapping[str, float] | None]]
"""Observations -> one action distribution per observation (None: cannot state it)."""


class EvaluatorUnavailable(ValueError):
    """An evaluator cannot run on this game or policy; the message says why. Callers
    skip the evaluator and report the message (never a traceback)."""


class PolicyUnavailable(EvaluatorUnavailable):
    """The policy cannot state a distribution where an exact evaluator needs one (e.g. a
    model in generate mode): the evaluator is skipped with this message."""


class TreeTooLarge(EvaluatorUnavailable):
    """The game tree of these options has more states than an exact walk visits."""


@dataclass(frozen=True)
class Evaluator:
    """One named exact evaluation a game offers."""

    name: str
    """Short name, also the metric prefix: ``exploitability``, ``optimal_moves``."""
    description: str
    """One line for ``arena eval`` and README."""
    fn: Callable[["Game", Policy], dict[str, float]]
    """``fn(game, policy) -> {metric: value}``; raises :class:`EvaluatorUnavailable`."""

    def __call__(self, game: "Game", policy: Policy) -> dict[str, float]:
        return self.fn(game, policy)


def checked_distributions(policy: Policy, observations: Sequence["Observation"],
                          evaluator: str) -> list[dict[str, float]]:
    """Ask ``policy`` once for every observation and check each answer: a distribution
    over that observation's legal actions with non-negative mass summing to more than 0,
    normalised to sum to 1. Raises :class:`PolicyUnavailable` (no distribution stated)
    or ValueError (a malformed one), naming the information state."""
    dists = list(policy(list(observations)))
    if len(dists) != len(observations):
        raise ValueError(
            f"{evaluator}: the policy returned {len(dists)} distributions for "
            f"{len(observations)} observations; it must return one per observation"
        )
    out = []
    for obs, dist in zip(observations, dists):
        if dist is None:
            raise PolicyUnavailable(
                f"{evaluator} needs the policy's action probabilities, and this policy "
                f"cannot state them (at {obs.info_state!r}); use an agent that can "
                "(a scripted expert, random, an llm in choice mode)"
            )
        legal = set(obs.legal_actions or ())
        stray = sorted(a for a in dist if a not in legal)
        total = sum(dist.values())
        if stray or any(p < 0 for p in dist.values()) or not total > 0:
            raise ValueError(
                f"{evaluator}: the policy returned {dict(dist)!r} at {obs.info_state!r}; "
                f"expected non-negative probabilities over {', '.join(sorted(legal))}"
            )
        out.append({a: dist.get(a, 0.0) / total for a in obs.legal_actions})
    return out


Z95 = 1.959963984540054
"""The normal quantile of a two-sided 95% interval."""


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """95% Wilson score interval of a proportion; ``(0, 1)`` when ``n`` is 0. The one
    interval of success and win rates everywhere (games' record metrics, the arena)."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if successes <= 0 else max(0.0, centre - half)
    return low, 1.0 if successes >= n else min(1.0, centre + half)
