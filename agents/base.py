"""The agent contract: anything that picks an action from an observation.

    class Agent:
        name: str
        def act(self, obs: Observation) -> Decision
        def act_batch(self, obs: list[Observation]) -> list[Decision]

``act_batch`` is where model agents get their speed: the runner hands over every pending
decision of every concurrent match that one agent must make, in one call. Agents that
can state their policy exactly (random, kuhn-nash, a model in choice mode) also implement
``policy(obs) -> {action: probability}``; exact evaluation uses it.

Agents own their randomness: a ``random.Random`` seeded at construction, reseeded by
``reset(seed)`` (the runner does this per match, so results do not depend on scheduling).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from games import Observation

__all__ = ["Decision", "Agent", "sample_from"]


@dataclass(frozen=True)
class Decision:
    """One decision as the agent produced it.

    ``text`` is the raw output (a model's full reply, reasoning included; a scripted agent's
    canonical action). The runner parses it with ``games.parse``. Model agents attach the
    sampled ``token_ids`` and their ``logprobs`` so training never recomputes them;
    ``distribution`` is the policy over legal actions where the agent knows it; ``info``
    holds anything else worth recording (search statistics, timing of a remote call).
    """

    text: str
    distribution: Mapping[str, float] | None = None
    token_ids: tuple[int, ...] | None = None
    logprobs: tuple[float, ...] | None = None
    info: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "distribution": None if self.distribution is None else dict(self.distribution),
            "token_ids": None if self.token_ids is None else list(self.token_ids),
            "logprobs": None if self.logprobs is None else list(self.logprobs),
            "info": dict(self.info),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Decision":
        return cls(
            text=data["text"],
            distribution=data.get("distribution"),
            token_ids=None if data.get("token_ids") is None else tuple(data["token_ids"]),
            logprobs=None if data.get("logprobs") is None else tuple(data["logprobs"]),
            info=data.get("info") or {},
        )


def sample_from(dist: Mapping[str, float], rng: random.Random) -> str:
    """Sample an action from ``{action: probability}`` with an injected rng."""
    actions = list(dist)
    if not actions:
        raise ValueError("cannot sample from an empty distribution")
    r = rng.random() * sum(dist.values())
    acc = 0.0
    for a in actions:
        acc += dist[a]
        if r < acc:
            return a
    return actions[-1]


class Agent:
    """Base class with a per-agent seeded rng and ``act``/``act_batch`` defined by each other.

    Subclasses implement ``act`` (scripted agents) or ``act_batch`` (model agents).
    """

    name: str = "agent"

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self.rng = random.Random(seed)

    def reset(self, seed: int) -> None:
        """Reseed before a match, so that a match's result depends only on its seed."""
        self.seed = seed
        self.rng = random.Random(seed)

    def rng_for(self, obs: Observation) -> random.Random:
        """The rng for one decision: derived from the agent's seed and the decision's seed
        (set by the runner) when there is one, else the agent's own stream."""
        if obs.seed is None:
            return self.rng
        return random.Random(f"{self.seed}/{obs.seed}")

    def act(self, obs: Observation) -> Decision:
        if type(self).act_batch is Agent.act_batch:
            raise NotImplementedError(f"{type(self).__name__} implements neither act nor act_batch")
        return self.act_batch([obs])[0]

    def act_batch(self, obs: Sequence[Observation]) -> list[Decision]:
        return [self.act(o) for o in obs]

    def policy(self, obs: Observation) -> dict[str, float] | None:
        """The exact action distribution at ``obs``, or None if the agent cannot state it."""
        return None

    def policy_batch(self, obs: Sequence[Observation]) -> list[dict[str, float] | None]:
        """``policy`` for many observations; model agents override it to batch the work."""
        return [self.policy(o) for o in obs]

    def close(self) -> None:
        """Release resources (models, connections). Safe to call twice."""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"
