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
    prompt: Literal["full", "bare"] = "full"
    """What the policy reads: ``full`` (rules, seat, observation, instruction; pretrained
    models) or ``bare`` (the observation alone: a model trained from scratch, best with a
    game's ``view=compact``)."""
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
    entropy_coef: float = 0.1
    """Choice mode: bonus on the exact entropy of the policy over the legal actions. Keeps
    the policy from collapsing onto a state-independent action before the model has learned
    to read the state (measured on the local model: without it, Kuhn Poker's policy
    becomes the same for every card within a few iterations). 0.1 measured best in the
    compact views (Kuhn Poker: best exploitability 0.030 against 0.048 at 0.3; TicTacToe's
    30-minute run); a larger bonus settles nearer its own regularised equilibrium."""
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
    pg_coef: float = 1.0
    """Weight of the policy-gradient (RAE) loss; 0 with ``dpo_coef`` > 0: step-DPO only."""
    dpo_coef: float = 0.0
    """Weight of the step-DPO loss: ``loss = pg_coef * pg + dpo_coef * dpo`` (0: off)."""
    dpo_beta: float = 0.1
    dpo_ref: str = "start"
    """Step-DPO reference: ``start`` (the starting model) or ``lagged:K`` (a copy of the
    policy refreshed every K iterations)."""
    pref_prob: float = 0.25
    """Share of the learning policy's decisions searched for step preferences."""
    pref_sims: int = 32
    """PUCT simulations per searched decision."""
    pref_c: float = 1.0
    """PUCT exploration constant (scaled by half the game's range of returns)."""
    pref_playout: str = "random"
    """Leaf values: ``random`` playouts, ``policy`` playouts, or an agent spec (``expert``)."""
    pref_min_gap: float = 0.0
    """No pair when the chosen and rejected Q differ by less."""
    pref_min_visits: int = 1
    """Root actions with fewer visits are neither chosen nor rejected."""
    pref_rejected: Literal["random", "lowest"] = "random"
    """The rejected action: random among the lower-Q ones, or the lowest."""
    pref_completions: int = 4
    """Generate mode: replies sampled at each searched decision, valued by the search and
    paired (see training/preferences.py)."""
    pref_data: str = ""
    """A preferences JSONL file (``arena preferences``) to train step-DPO on instead of
    searching; with ``pg_coef`` 0 no rollouts are played (offline)."""
    sft_from: str = ""
    """Agent spec of an expert (``household-expert``, ``expert``: each game's own) whose
    decisions warm-start the model by supervised fine-tuning before RL (training/sft.py);
    "" for none."""
    sft_episodes: int = 64
    """Matches the expert plays for the warm start (with ``sft_from``)."""
    sft_epochs: int = 3
    """Learner updates over the demonstrations (each: ``epochs`` passes of minibatches)."""

    def __post_init__(self) -> None:
        for name, (low, high, expected) in _RANGES.items():
            value = getattr(self, name)
            if value is None and name in _OPTIONAL:
                continue
            if not _in_range(value, low, high, integer=name in _INTEGERS):
                raise ValueError(f"{name}={value!r} must be {expected}")
        checks = [
            (self.mode in ("choice", "generate"), "mode", "choice or generate"),
            (self.prompt in ("full", "bare"), "prompt", "full or bare"),
            (self.advantage in ("rae", "none", "batch-mean"), "advantage", "rae, none or batch-mean"),
            (self.lr_schedule in ("constant", "linear", "cosine"), "lr_schedule",
             "constant, linear or cosine"),
            (bool(self.games), "games", "at least one game, e.g. ['kuhn_poker']"),
        ]
        for ok, name, expected in checks:
            if not ok:
                raise ValueError(f"{name}={getattr(self, name)!r} must be {expected}")
        self._check_preferences()
        if self.sft_from and self.mode != "choice":
            raise ValueError(f"sft_from={self.sft_from!r} needs mode=choice (the expert's "
                             "actions teach choices, not the reply format); use --mode choice")
        if self.sft_from:  # a typo fails here, before the run folder is written
            from agents.registry import available_agents, parse_agent_spec

            name, _ = parse_agent_spec(self.sft_from)
            if name not in available_agents():
                raise ValueError(f"sft_from={self.sft_from!r}: unknown agent {name!r} (known: "
                                 f"{', '.join(available_agents())}); e.g. --sft-from expert")
        if self.opponent_prob > 0 and not self.opponents and not self.pool_every:
            raise ValueError("opponent_prob > 0 needs opponents (e.g. ['random']) or pool_every > 0")
        for name, _ in parse_game_weights(self.games):
            games.make(name)  # an unknown game or option fails here, naming what is known

    @property
    def searching(self) -> bool:
        """Whether iterations search the policy's decisions for step preferences."""
        return self.dpo_coef > 0 and self.pref_prob > 0 and not self.pref_data

    def dpo_lag(self) -> int:
        """K of ``dpo_ref=lagged:K``; 0 for ``start``."""
        return 0 if self.dpo_ref == "start" else int(self.dpo_ref.split(":", 1)[1])

    def _check_preferences(self) -> None:
        ref = self.dpo_ref
        head, _, k = ref.partition(":")
        if not (ref == "start" or (head == "lagged" and k.isdigit() and int(k) >= 1)):
            raise ValueError(f"dpo_ref={ref!r} must be start or lagged:K with K >= 1, "
                             "e.g. lagged:10")
        if self.pref_rejected not in ("random", "lowest"):
            raise ValueError(f"pref_rejected={self.pref_rejected!r} must be random or lowest")
        if self.pg_coef == 0 and self.dpo_coef == 0:
            raise ValueError("pg_coef=0 with dpo_coef=0 leaves nothing to learn; give "
                             "dpo_coef > 0 (e.g. 1.0) for step-DPO only")
        if self.pref_data and self.dpo_coef == 0:
            raise ValueError(f"pref_data={self.pref_data!r} needs dpo_coef > 0, e.g. 1.0")
        if not self.searching:
            return
        if self.mode == "generate" and self.pref_playout == "policy":
            raise ValueError("pref_playout='policy' needs mode=choice (a generate-mode policy "
                             "has no move distribution to play out with); use random or an "
                             "agent spec, e.g. --pref-playout expert")
        from training.preferences import searchable

        for name, _ in parse_game_weights(self.games):
            why = searchable(games.make(name))
            if why:
                raise ValueError(f"game {name!r} cannot be searched for step preferences: "
                                 f"{why}; use dpo_coef=0 for it, or a native game")

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
    # name: (lowest, highest, what the error says is expected); bounds are inclusive.
    # Every count has a stated maximum: what one iteration holds in memory (matches,
    # minibatch, token budget, searches, demonstrations, pool) cannot grow without bound.
    "iterations": (1, 10000000, "a whole number from 1 to 10000000, or None (the time budget or 40)"),
    "minutes": (1e-9, _INF, "a finite number of minutes > 0, e.g. 30, or None"),
    "matches_per_iteration": (1, 65536, "a whole number from 1 to 65536, e.g. 128"),
    "rae_decay": (0.0, 1.0 - 1e-12, "in [0, 1), e.g. 0.95"),
    "lr": (1e-300, 1.0, "a number in (0, 1], e.g. 3e-4"),
    "lr_final": (0.0, 1.0, "in [0, 1], e.g. 0.1"),
    "weight_decay": (0.0, _INF, "a finite number >= 0, e.g. 0.0"),
    "grad_clip": (1e-300, _INF, "a finite number > 0, e.g. 1.0"),
    "epochs": (1, 100, "a whole number from 1 to 100"),
    "minibatch": (1, 65536, "a whole number from 1 to 65536, e.g. 64"),
    "clip_eps": (1e-300, _INF, "a finite number > 0, e.g. 0.2, or None (off)"),
    "kl_coef": (0.0, _INF, "a finite number >= 0, e.g. 0.05"),
    "entropy_coef": (0.0, _INF, "a finite number >= 0, e.g. 0.3"),
    "token_budget": (1, 1048576, "a whole number from 1 to 1048576, e.g. 16384"),
    "temperature": (1e-300, _INF, "a finite number > 0, e.g. 1.0"),
    "invalid_penalty": (-_INF, _INF, "a finite number, e.g. -1.0"),
    "max_new_tokens": (1, 32768, "a whole number from 1 to 32768, e.g. 64"),
    "pool_every": (0, _INF, "a whole number >= 0 (0: no snapshots)"),
    "pool_size": (1, 64, "a whole number from 1 to 64, e.g. 4"),
    "opponent_prob": (0.0, 1.0, "in [0, 1]"),
    "eval_every": (0, _INF, "a whole number >= 0 (0: no evaluation)"),
    "eval_games": (0, 10000, "a whole number from 0 to 10000"),
    "checkpoint_every": (1, _INF, "a whole number >= 1"),
    "keep_checkpoints": (0, 10000, "a whole number from 0 to 10000 (0: keep all)"),
    "ladder_games": (0, 10000, "a whole number from 0 to 10000 (0: no ladder), e.g. 4"),
    "seed": (0, 9223372036854775807, "a whole number from 0 to 2**63-1"),
    "lora_rank": (0, 4096, "a whole number from 0 to 4096 (0: train all parameters), e.g. 8"),
    "pg_coef": (0.0, _INF, "a finite number >= 0 (0: no policy gradient), e.g. 1.0"),
    "dpo_coef": (0.0, _INF, "a finite number >= 0 (0: no step-DPO), e.g. 1.0"),
    "dpo_beta": (1e-300, _INF, "a finite number > 0, e.g. 0.1"),
    "pref_prob": (0.0, 1.0, "in [0, 1], e.g. 0.25"),
    "pref_sims": (1, 100000, "a whole number from 1 to 100000, e.g. 32"),
    "pref_c": (0.0, _INF, "a finite number >= 0, e.g. 1.0"),
    "pref_min_gap": (0.0, _INF, "a finite number >= 0, e.g. 0.1"),
    "pref_min_visits": (1, 100000, "a whole number from 1 to 100000, e.g. 2"),
    "pref_completions": (2, 64, "a whole number in [2, 64], e.g. 4"),
    "sft_episodes": (1, 100000, "a whole number from 1 to 100000, e.g. 64"),
    "sft_epochs": (1, 1000, "a whole number from 1 to 1000, e.g. 3"),
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
        if not (math.isfinite(w) and w > 0):  # nan and inf dropped the game silently
            raise ValueError(f"game weight in {entry!r} must be a finite number > 0, e.g. "
                             "tictactoe@0.5")
        out.append((name, w))
    return out
