"""Advantages for self-play: role-conditioned baselines (RAE) and the ablations.

RAE keeps one baseline per (game, role), an exponential moving average of that role's
rewards. In a zero-sum self-play game the roles are rarely balanced (the first player of
Kuhn Poker expects -1/18, X in TicTacToe wins more often than O); subtracting a per-role
baseline removes that bias from the gradient so the shared policy does not learn "being X
is good" instead of "this move is good".

``advantage = reward - baseline`` uses the baseline from BEFORE this batch's update; then
the baseline moves toward the batch's mean reward for the key:
``b <- decay * b + (1 - decay) * mean(rewards of the key in this batch)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Sequence

__all__ = ["AdvantageMode", "RoleBaselines", "compute_advantages"]

AdvantageMode = Literal["rae", "none", "batch-mean"]


@dataclass
class RoleBaselines:
    """EMA baselines keyed by ``"game/role"``. Serialisable for checkpoints."""

    decay: float = 0.95
    values: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not 0.0 <= self.decay < 1.0:
            raise ValueError(f"RAE decay={self.decay!r} must be in [0, 1), e.g. 0.95")

    def get(self, key: str) -> float:
        return self.values.get(key, 0.0)

    def update(self, keys: Sequence[str], rewards: Sequence[float]) -> None:
        sums: dict[str, list[float]] = {}
        for k, r in zip(keys, rewards):
            sums.setdefault(k, []).append(r)
        for k, rs in sums.items():
            mean = sum(rs) / len(rs)
            self.values[k] = self.decay * self.get(k) + (1.0 - self.decay) * mean

    def state_dict(self) -> dict:
        return {"decay": self.decay, "values": dict(self.values)}

    @classmethod
    def from_state_dict(cls, data: dict) -> "RoleBaselines":
        return cls(decay=data["decay"], values=dict(data["values"]))


def compute_advantages(
    rewards: Sequence[float], keys: Sequence[str], mode: AdvantageMode,
    baselines: RoleBaselines | None = None,
) -> list[float]:
    """Per-sample advantages; with ``rae`` the baselines are updated afterwards.

    ``keys[i]`` is ``"game/role"`` of sample i (the role that made the decision).
    """
    if len(rewards) != len(keys):
        raise ValueError(f"{len(rewards)} rewards but {len(keys)} keys; one key per reward")
    if mode == "none":
        return [float(r) for r in rewards]
    if mode == "batch-mean":
        mean = sum(rewards) / len(rewards) if rewards else 0.0
        return [float(r) - mean for r in rewards]
    if mode == "rae":
        if baselines is None:
            raise ValueError("advantage mode 'rae' needs a RoleBaselines instance")
        adv = [float(r) - baselines.get(k) for r, k in zip(rewards, keys)]
        baselines.update(keys, rewards)
        return adv
    raise ValueError(f"advantage mode {mode!r} unknown (known: rae, none, batch-mean)")
