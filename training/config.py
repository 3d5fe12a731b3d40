"""Configuration of a self-play run: one dataclass, defaults that run on a 2-core CPU."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import games

__all__ = ["SelfPlayConfig", "parse_game_weights", "DEFAULT_ITERATIONS"]


@dataclass
class SelfPlayConfig:
    games: list[str] = field(default_factory=lambda: ["kuhn_poker"])
    """Games to play, each ``name[:options]`` with an optional ``@weight`` (``tictactoe@0.5``)."""
    model: str = "models/tiny"
    """Model folder or hub id the policy starts from (``arena model new`` builds one)."""
    mode: Literal["choice", "generate"] = "choice"
    """``choice``: exact softmax over legal actions; ``generate``: free text then \\boxed{}."""
    iterations: int | None = None
    """Iterations to run. None: :data:`DEFAULT_ITERATIONS`, or, when ``minutes`` is given,
    as many as the time budget allows. With both, whichever comes first ends the run."""
    minutes: float | None = None
    """Wall-clock budget (> 0); the run stops after the iteration that crosses it."""
    out: str = ""
    """Run folder; default ``runs/{game}__{advantage}__{seed}__{time}``."""
    matches_per_iteration: int = 128
    """Self-play matches per iteration (the policy plays every seat)."""
    advantage: Literal["rae", "none", "batch-mean"] = "rae"
    """RAE: per (game, role) EMA baseline; none: raw returns; batch-mean: one batch baseline."""
    rae_decay: float = 0.95
    lr: float = 3e-4
    lr_schedule: Literal["constant", "linear", "cosine"] = "cosine"
    """Learning rate over the run's ``iterations``: constant, or decaying to ``lr * lr_final``."""
    lr_final: float = 0.1
    """Final learning rate as a fraction of ``lr`` (linear and cosine schedules)."""
    weight_decay: float = 0.0
    grad_clip: float = 1.0
    epochs: int = 1
    """Passes over each iteration's samples (more than one uses the PPO ratio)."""
    minibatch: int = 64
    """Decisions per optimiser step."""
    clip_eps: float | None = None
    """PPO clip range of the ratio against the sampling log-probabilities; None: off."""
    kl_coef: float = 0.0
    """Coefficient of a KL penalty to the frozen starting model (0: no reference kept);
    exact over the legal actions in choice mode."""
    entropy_coef: float = 0.3
    """Choice mode: bonus on the exact entropy of the policy over the legal actions. Keeps
    the policy from collapsing onto a state-independent action before the model has learned
    to read the state (measured on the local model: without it, Kuhn Poker's policy
    becomes the same for every card within a few iterations)."""
    token_budget: int = 16384
    """Tokens per forward pass of the learner (a minibatch is cut into chunks whose
    gradients add up), bounding memory."""
    temperature: float = 1.0
    invalid_penalty: float = -1.0
    """Added to the reward of a decision that was invalid (generate mode)."""
    max_new_tokens: int = 64
    pool_every: int = 0
    """Snapshot the policy into the opponent pool every K iterations (0: no snapshots)."""
    pool_size: int = 4
    opponents: list[str] = field(default_factory=list)
    """Fixed opponents (agent specs, e.g. ``random``, ``expert``, ``mcts:simulations=50``)."""
    opponent_prob: float = 0.0
    """Probability that a match puts a pool opponent (snapshot or fixed) in one seat."""
    eval_every: int = 5
    eval_games: int = 100
    checkpoint_every: int = 5
    keep_checkpoints: int = 3
    ladder_games: int = 0
    """Rating ladder at each checkpoint: matches per pair and seat order of the policy, the
    starting model, recent checkpoints, ``random`` and ``expert`` (0: no ladder)."""
    seed: int = 0
    device: str = "auto"
    lora_rank: int = 0
    """LoRA rank through peft (0: train all parameters)."""

    def __post_init__(self) -> None:
        for name, (low, high, expected) in _RANGES.items():
            value = getattr(self, name)
            if value is None and name in _OPTIONAL:
                continue
            if not _in_range(value, low, high, integer=name in _INTEGERS):
                raise ValueError(f"{name}={value!r} must be {expected}")
        checks = [
            (self.mode in ("choice", "generate"), "mode", "choice or generate"),
            (self.advantage in ("rae", "none", "batch-mean"), "advantage", "rae, none or batch-mean"),
            (self.lr_schedule in ("constant", "linear", "cosine"), "lr_schedule",
             "constant, linear or cosine"),
            (bool(self.games), "games", "at least one game, e.g. ['kuhn_poker']"),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise ValueError(f"{name}={getattr(self, name)!r} must be {expected}")
        if self.opponent_prob > 0 and not self.opponents and not self.pool_every:
            raise ValueError("opponent_prob > 0 needs opponents (e.g. ['random']) or pool_every > 0")
        for name, _ in parse_game_weights(self.games):
            games.make(name)  # an unknown game or option fails here, naming what is known

    def iteration_limit(self) -> int | None:
        """Iterations that end the run: ``iterations``, else :data:`DEFAULT_ITERATIONS`
        without a time budget, else None (the time budget alone ends it)."""
        if self.iterations is not None:
            return self.iterations
        return None if self.minutes is not None else DEFAULT_ITERATIONS

    def run_dir(self) -> Path:
        if self.out:
            return Path(self.out)
        first = self.games[0].split("@")[0].split(":")[0]
        stamp = time.strftime("%Y%m%d-%H%M%S")
        return Path("runs") / f"{first}__{self.advantage}__{self.seed}__{stamp}"

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


DEFAULT_ITERATIONS = 40
"""Iterations of a run given neither ``iterations`` nor ``minutes``."""

_INF = math.inf
_RANGES: dict[str, tuple[float, float, str]] = {
    # name: (lowest, highest, what the error says is expected); bounds are inclusive
    "iterations": (1, _INF, "a whole number >= 1, or None (the time budget or 40)"),
    "minutes": (1e-9, _INF, "a finite number of minutes > 0, e.g. 30, or None"),
    "matches_per_iteration": (1, _INF, "a whole number >= 1, e.g. 128"),
    "rae_decay": (0.0, 1.0 - 1e-12, "in [0, 1), e.g. 0.95"),
    "lr": (1e-300, 1.0, "a number in (0, 1], e.g. 3e-4"),
    "lr_final": (0.0, 1.0, "in [0, 1], e.g. 0.1"),
    "weight_decay": (0.0, _INF, "a finite number >= 0, e.g. 0.0"),
    "grad_clip": (1e-300, _INF, "a finite number > 0, e.g. 1.0"),
    "epochs": (1, _INF, "a whole number >= 1"),
    "minibatch": (1, _INF, "a whole number >= 1, e.g. 64"),
    "clip_eps": (1e-300, _INF, "a finite number > 0, e.g. 0.2, or None (off)"),
    "kl_coef": (0.0, _INF, "a finite number >= 0, e.g. 0.05"),
    "entropy_coef": (0.0, _INF, "a finite number >= 0, e.g. 0.3"),
    "token_budget": (1, _INF, "a whole number >= 1, e.g. 16384"),
    "temperature": (1e-300, _INF, "a finite number > 0, e.g. 1.0"),
    "invalid_penalty": (-_INF, _INF, "a finite number, e.g. -1.0"),
    "max_new_tokens": (1, _INF, "a whole number >= 1, e.g. 64"),
    "pool_every": (0, _INF, "a whole number >= 0 (0: no snapshots)"),
    "pool_size": (1, _INF, "a whole number >= 1, e.g. 4"),
    "opponent_prob": (0.0, 1.0, "in [0, 1]"),
    "eval_every": (0, _INF, "a whole number >= 0 (0: no evaluation)"),
    "eval_games": (0, _INF, "a whole number >= 0"),
    "checkpoint_every": (1, _INF, "a whole number >= 1"),
    "keep_checkpoints": (0, _INF, "a whole number >= 0 (0: keep all)"),
    "ladder_games": (0, _INF, "a whole number >= 0 (0: no ladder), e.g. 4"),
    "seed": (0, _INF, "a whole number >= 0"),
    "lora_rank": (0, _INF, "a whole number >= 0 (0: train all parameters), e.g. 8"),
}
_OPTIONAL = {"iterations", "minutes", "clip_eps"}
_INTEGERS = {name for name, f in SelfPlayConfig.__dataclass_fields__.items()
             if f.type in ("int", "int | None")}


def _in_range(value: object, low: float, high: float, integer: bool) -> bool:
    """Whether ``value`` is a number (a whole one if ``integer``) in [low, high]; NaN and
    infinities are out of range, and so is a bool."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    if integer and not isinstance(value, int):
        return False
    return math.isfinite(value) and low <= value <= high


def parse_game_weights(entries: list[str]) -> list[tuple[str, float]]:
    """``["kuhn_poker", "tictactoe:0.5"]`` -> ``[("kuhn_poker", 1.0), ("tictactoe", 0.5)]``.

    A weight follows ``@`` or a last ``:`` holding a bare number; other ``:`` parts are
    game options (``kuhn_poker:hands=5@2``).
    """
    out = []
    for entry in entries:
        head, colon, tail = entry.rpartition(":")
        if colon and "=" not in tail and tail.replace(".", "", 1).isdigit():
            entry = f"{head}@{tail}"
        name, at, weight = entry.partition("@")
        try:
            w = float(weight) if at else 1.0
        except ValueError as err:
            raise ValueError(f"game weight in {entry!r} must be a number, e.g. tictactoe@0.5") from err
        if w <= 0:
            raise ValueError(f"game weight in {entry!r} must be > 0")
        out.append((name, w))
    return out
