"""Seeded draws: an action from a distribution, with the rng the caller injects.

Agents draw their moves here, and so do games' experts, so the same rng gives the same
move wherever a distribution is sampled.
"""

from __future__ import annotations

import random
from typing import Mapping

__all__ = ["sample_from"]


def sample_from(dist: Mapping[str, float], rng: random.Random) -> str:
    """Sample an action from ``{action: probability}`` with an injected rng (one
    ``rng.random()``; weights need not sum to 1)."""
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
