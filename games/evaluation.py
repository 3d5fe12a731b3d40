"""What a game declares about evaluating a policy on it.

A game lists its evaluators (:meth:`games.Game.evaluators`): named functions that take
the game and a *policy* and return metrics. A policy is batched, as model agents are:
a callable from a list of observations to one ``{action: probability}`` per observation
(or None where it cannot state one; the evaluator then reports that it cannot run).
Agents that can state their policy give one as ``agent.policy_batch``.

Evaluators are exact (they walk positions or the game tree; no sampling), so they need
nothing above games/. Sampled evaluation (win, draw and loss against ``random`` and the
game's expert, with intervals) is generic and lives in the arena: a game gets it without
declaring anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Sequence

if TYPE_CHECKING:
    from games.core import Game, Observation

__all__ = ["Policy", "Evaluator", "PolicyUnavailable"]

Policy = Callable[[Sequence["Observation"]], list[Mapping[str, float] | None]]
"""Observations -> one action distribution per observation (None: cannot state it)."""


class PolicyUnavailable(ValueError):
    """The policy cannot state a distribution where an exact evaluator needs one (e.g. a
    model in generate mode): the evaluator is skipped with this message."""


@dataclass(frozen=True)
class Evaluator:
    """One named exact evaluation a game offers."""

    name: str
    """Short name, also the metric prefix: ``exploitability``, ``optimal_moves``."""
    description: str
    """One line for ``arena eval`` and README."""
    fn: Callable[["Game", Policy], dict[str, float]]
    """``fn(game, policy) -> {metric: value}``; raises :class:`PolicyUnavailable`."""
