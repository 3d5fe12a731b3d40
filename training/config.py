"""Configuration of a self-play run: one dataclass, defaults that run on a 2-core CPU."""

from __future__ import annotations

import dataclasses
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import games

from training.options import check_fields, option

__all__ = ["SelfPlayConfig", "parse_game_weights", "config_changes", "DEFAULT_ITERATIONS"]


_PREF = "step preferences (MCTS-guided step-DPO)"
_CREDIT = "turn-level credit"
_SFT = "warm start (supervised fine-tuning on an expert, choice mode)"
_INF = math.inf


@dataclass
class SelfPlayConfig:
    """Every option of ``arena train``, declared once (:func:`training.options.option`):
    the command line, its ``--help``, the range checks, ``config.json``/``config.toml``,
    ``--config FILE.toml`` and the options page of the docs all come from here."""

    games: list[str] = option(
        factory=lambda: ["kuhn_poker"], flag="--game", metavar="GAME",
        help="game to play, NAME[:OPTIONS][@WEIGHT]; repeat for several, drawn by weight "
             "(--game kuhn_poker --game tictactoe:view=compact@0.5)")
    model: str = option(
        "models/tiny", help="model folder or hub id the policy starts from "
                            "(arena model new builds one)")
    mode: Literal["choice", "generate"] = option(
        "choice", help="choice: exact softmax over the legal actions; generate: free text "
                       "answered in \\boxed{}")
    prompt: Literal["full", "bare"] = option(
        "full", help="what the policy reads: full (rules, seat, observation, instruction; "
                     "pretrained models) or bare (the observation alone: a model trained "
                     "from scratch, best with a game's view=compact)")
    iterations: int | None = option(
        None, low=0, high=10000000, help="iterations to run; unset: 40, or with --minutes as "
        "many as fit; with both, whichever ends first; 0: only the warm start and the first "
        "evaluation, saved as checkpoint-0 (a warm start to share with --init-from)",
        expected="a whole number from 0 to 10000000, or None (the time budget or 40)")
    minutes: float | None = option(
        None, low=1e-9, help="wall-clock budget in minutes: the run stops after the "
        "iteration that crosses it", expected="a finite number of minutes > 0, e.g. 30, or None")
    out: str = option("", help="run folder; empty: runs/GAME__ADVANTAGE__SEED__TIME")
    matches_per_iteration: int = option(
        128, low=1, high=65536, flag="--matches", expected="a whole number from 1 to 65536, e.g. 128",
        help="self-play matches per iteration (the policy plays every seat)")
    advantage: Literal["rae", "none", "batch-mean", "group"] = option(
        "rae", help="episode-level advantage. rae: the return minus a per (game, role) moving "
                    "baseline; none: raw returns; batch-mean: minus one batch mean; group: "
                    "minus the role's mean over the --group-size episodes played from the "
                    "same start, over their spread")
    rae_decay: float = option(
        0.95, low=0.0, high=1.0 - 1e-12, expected="in [0, 1), e.g. 0.95",
        help="decay of RAE's per-role moving-average baseline per iteration")
    group_size: int = option(
        1, low=1, high=1024, group=_CREDIT, expected="a whole number from 1 to 1024 that "
        "divides --matches, e.g. 8", help="episodes played from one start (the same seed: "
        "deal, world, roles; their own draws), for --advantage group and --step-credit groups")
    step_credit: Literal["none", "groups", "search", "critic"] = option(
        "none", group=_CREDIT, help="step advantage added to the episode's: groups (return-to-go "
        "minus the mean over the group's decisions at the same information state), search "
        "(Q - V of the chosen action at the decisions searched, a --pref-prob share), critic "
        "(per-turn GAE with a value head)")
    step_weight: float = option(
        1.0, low=0.0, group=_CREDIT, expected="a finite number >= 0, e.g. 1.0",
        help="W in: advantage = episode advantage + W * step advantage")
    gamma: float = option(1.0, low=0.0, high=1.0, group=_CREDIT, expected="in [0, 1], e.g. 0.99",
                          help="discount per decision of a player in returns-to-go and GAE")
    gae_lambda: float = option(0.95, low=0.0, high=1.0, group=_CREDIT,
                               expected="in [0, 1], e.g. 0.95",
                               help="GAE's lambda for --step-credit critic")
    critic_lr: float = option(1e-3, low=1e-300, high=1.0, group=_CREDIT,
                              expected="a number in (0, 1], e.g. 1e-3",
                              help="learning rate of the critic's value head (Adam)")
    lr: float = option(3e-4, low=1e-300, high=1.0, expected="a number in (0, 1], e.g. 3e-4",
                       help="learning rate of the AdamW optimiser")
    lr_schedule: Literal["constant", "linear", "cosine"] = option(
        "cosine", help="learning rate over the run's iterations: constant, or decaying to "
                       "lr * lr_final (with only --minutes: constant)")
    lr_final: float = option(0.1, low=0.0, high=1.0, expected="in [0, 1], e.g. 0.1",
                             help="final learning rate as a fraction of lr (linear, cosine)")
    weight_decay: float = option(0.0, low=0.0, expected="a finite number >= 0, e.g. 0.0",
                                 help="AdamW weight decay")
    grad_clip: float = option(1.0, low=1e-300, expected="a finite number > 0, e.g. 1.0",
                              help="clip of the gradient's global norm per optimiser step")
    epochs: int = option(1, low=1, high=100, expected="a whole number from 1 to 100",
                         help="passes over each iteration's samples (more than one uses the "
                              "PPO ratio)")
    minibatch: int = option(64, low=1, high=65536, expected="a whole number from 1 to 65536, e.g. 64",
                            help="decisions per optimiser step")
    clip_eps: float | None = option(
        None, low=1e-300, expected="a finite number > 0, e.g. 0.2, or None (off)",
        help="PPO clip range of the ratio against the sampling log-probabilities; unset: off")
    kl_coef: float = option(
        0.0, low=0.0, expected="a finite number >= 0, e.g. 0.05",
        help="KL penalty to the frozen starting model, exact over the legal actions in "
             "choice mode (0: no reference model kept)")
    # The entropy bonus keeps the policy from collapsing onto a state-independent action
    # before the model has learned to read the state (measured on the local model: without
    # it, Kuhn Poker's policy becomes the same for every card within a few iterations).
    # 0.1 measured best in the compact views (Kuhn Poker: best exploitability 0.030 against
    # 0.048 at 0.3); a larger bonus settles nearer its own regularised equilibrium.
    entropy_coef: float = option(
        0.1, low=0.0, expected="a finite number >= 0, e.g. 0.3",
        help="choice mode: bonus on the exact entropy of the policy over the legal actions")
    token_budget: int = option(
        16384, low=1, high=1048576, expected="a whole number from 1 to 1048576, e.g. 16384",
        help="tokens per learner forward pass (a minibatch is cut into chunks whose "
             "gradients add up): bounds memory")
    temperature: float = option(1.0, low=1e-300, expected="a finite number > 0, e.g. 1.0",
                                help="sampling temperature of the policy in rollouts")
    invalid_penalty: float = option(
        -1.0, low=-_INF, expected="a finite number, e.g. -1.0",
        help="added to the reward of an invalid decision (generate mode)")
    max_new_tokens: int = option(64, low=1, high=32768,
                                 expected="a whole number from 1 to 32768, e.g. 64",
                                 help="generate mode: most tokens of a reply")
    pool_every: int = option(0, low=0, expected="a whole number >= 0 (0: no snapshots)",
                             help="snapshot the policy into the opponent pool every K "
                                  "iterations (0: no snapshots)")
    pool_size: int = option(4, low=1, high=64, expected="a whole number from 1 to 64, e.g. 4",
                            help="newest snapshots kept in the opponent pool")
    opponents: list[str] = option(
        factory=list, split=",", metavar="SPECS",
        help="fixed pool opponents, agent specs separated by commas (random,expert)")
    opponent_prob: float = option(
        0.0, low=0.0, high=1.0, expected="in [0, 1]",
        help="probability that a match puts a pool opponent (snapshot or fixed) in one seat")
    eval_every: int = option(5, low=0, expected="a whole number >= 0 (0: no evaluation)",
                             help="evaluate every K iterations (0: never)")
    eval_games: int = option(100, low=0, high=10000, expected="a whole number from 0 to 10000",
                             help="matches per evaluation against fixed agents (exact "
                                  "evaluations need none)")
    checkpoint_every: int = option(5, low=1, expected="a whole number >= 1",
                                   help="save a checkpoint every K iterations")
    keep_checkpoints: int = option(
        3, low=0, high=10000, expected="a whole number from 0 to 10000 (0: keep all)",
        help="newest checkpoints kept on disk (0: keep all)")
    ladder_games: int = option(
        0, low=0, high=10000, expected="a whole number from 0 to 10000 (0: no ladder), e.g. 4",
        help="rating ladder at each checkpoint: matches per pair and seat order of the "
             "policy, the starting model, recent checkpoints, random and expert (0: off)")
    init_from: str = option(
        "", metavar="RUN/checkpoint-K", help="start from these weights (a run's checkpoint, "
        "e.g. one warm start shared by every arm of an ablation) with a new optimiser, instead "
        "of --model; empty: --model")
    keep_best: str = option(
        "", metavar="METRIC", help="keep the model of the best evaluation of this metrics key "
        "in RUN/best (e.g. eval/household/household/success_rate, or "
        "min:eval/kuhn_poker/exploitability; max: unless min: is written)")
    report_to: list[str] = option(
        factory=list, split=",", metavar="TRACKERS",
        help="also send the metrics rows to tensorboard, wandb or trackio, comma-separated "
             "(offline by default: RUN/tensorboard, WANDB_MODE=offline); none or empty: "
             "metrics.jsonl only")
    seed: int = option(0, low=0, high=9223372036854775807,
                       expected="a whole number from 0 to 2**63-1",
                       help="seed of everything random in the run")
    device: str = option("auto", help="torch device: auto, cpu, cuda, cuda:1, mps")
    lora_rank: int = option(
        0, low=0, high=4096, expected="a whole number from 0 to 4096 (0: train all parameters), e.g. 8",
        help="LoRA rank through peft (0: train all parameters)")
    pg_coef: float = option(
        1.0, low=0.0, group=_PREF, expected="a finite number >= 0 (0: no policy gradient), e.g. 1.0",
        help="weight of the policy gradient (0 with --dpo-coef > 0: step-DPO only)")
    dpo_coef: float = option(
        0.0, low=0.0, group=_PREF, expected="a finite number >= 0 (0: no step-DPO), e.g. 1.0",
        help="weight of step-DPO: loss = pg_coef * pg + dpo_coef * dpo (0: off)")
    dpo_beta: float = option(0.1, low=1e-300, group=_PREF, expected="a finite number > 0, e.g. 0.1",
                             help="step-DPO's beta (sharpness of the preference)")
    dpo_ref: str = option(
        "start", group=_PREF, help="step-DPO reference: start (the starting model) or lagged:K "
                                   "(a copy of the policy refreshed every K iterations)")
    pref_prob: float = option(0.25, low=0.0, high=1.0, group=_PREF, expected="in [0, 1], e.g. 0.25",
                              help="share of the policy's decisions searched for preferences")
    pref_sims: int = option(32, low=1, high=100000, group=_PREF,
                            expected="a whole number from 1 to 100000, e.g. 32",
                            help="PUCT simulations per searched decision")
    pref_c: float = option(1.0, low=0.0, group=_PREF, expected="a finite number >= 0, e.g. 1.0",
                           help="PUCT exploration constant (scaled by half the game's range "
                                "of returns)")
    pref_playout: str = option(
        "random", group=_PREF, help="leaf values: random playouts, policy playouts, or an "
                                    "agent spec (expert)")
    pref_min_gap: float = option(0.0, low=0.0, group=_PREF, expected="a finite number >= 0, e.g. 0.1",
                                 help="no pair when the chosen and rejected Q differ by less")
    pref_min_visits: int = option(1, low=1, high=100000, group=_PREF,
                                  expected="a whole number from 1 to 100000, e.g. 2",
                                  help="root actions with fewer visits are neither chosen nor "
                                       "rejected")
    pref_rejected: Literal["random", "lowest"] = option(
        "random", group=_PREF, help="the rejected action: random among the lower-Q ones, or "
                                    "the lowest")
    pref_completions: int = option(
        4, low=2, high=64, group=_PREF, metavar="K", expected="a whole number in [2, 64], e.g. 4",
        help="generate mode: replies sampled at each searched decision, valued by the search "
             "and paired")
    pref_data: str = option(
        "", group=_PREF, help="a preferences JSONL file (arena preferences) to train step-DPO "
                              "on instead of searching; with --pg-coef 0 no rollouts are played")
    sft_from: str = option(
        "", group=_SFT, metavar="AGENT",
        help="expert agent whose decisions warm-start the model before RL "
             "(household-expert, or expert: each game's own); empty: no warm start")
    sft_episodes: int = option(64, low=1, high=100000, group=_SFT,
                               expected="a whole number from 1 to 100000, e.g. 64",
                               help="matches the expert plays for the warm start")
    sft_epochs: int = option(3, low=1, high=1000, group=_SFT,
                             expected="a whole number from 1 to 1000, e.g. 3",
                             help="learner updates over the demonstrations (each: --epochs "
                                  "passes of minibatches)")

    def __post_init__(self) -> None:
        check_fields(self)  # ranges and choices, as declared
        if not self.games:
            raise ValueError(f"games={self.games!r} must be at least one game, e.g. "
                             "['kuhn_poker']")
        self._check_credit()
        from training.tracking import TRACKERS

        for name in self.report_to:
            if name not in TRACKERS:
                raise ValueError(f"report_to={name!r} must be one of {', '.join(TRACKERS)}, "
                                 "e.g. --report-to tensorboard")
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
        """Whether iterations search the policy's decisions (for step preferences, or the
        search's step credit)."""
        return ((self.dpo_coef > 0 or self.step_credit == "search") and self.pref_prob > 0
                and not self.pref_data)

    def best_metric(self) -> tuple[str, bool]:
        """(metrics key, lower is better) of ``keep_best`` (``min:KEY``, ``max:KEY``, ``KEY``)."""
        head, colon, rest = self.keep_best.partition(":")
        if colon and head in ("min", "max"):
            return rest, head == "min"
        return self.keep_best, False

    @property
    def start_model(self) -> str:
        """The weights the run starts from: ``init_from``, else ``model``."""
        return self.init_from or self.model

    def _check_credit(self) -> None:
        k = self.group_size
        if self.matches_per_iteration % k:
            raise ValueError(f"group_size={k} must divide matches_per_iteration="
                             f"{self.matches_per_iteration}; e.g. --matches "
                             f"{max(k, self.matches_per_iteration // k * k)}")
        for what, on in (("advantage=group", self.advantage == "group"),
                         ("step_credit=groups", self.step_credit == "groups")):
            if on and k < 2:
                raise ValueError(f"group_size={k}: {what} compares the episodes played from "
                                 "one start, so it needs group_size >= 2, e.g. --group-size 8")
        if self.step_credit == "search":
            if self.mode != "choice":
                raise ValueError("step_credit='search' needs mode=choice (the search values "
                                 "actions); use --step-credit groups or critic")
            if self.pref_prob == 0 or self.pref_data:
                raise ValueError("step_credit='search' needs decisions searched: pref_prob > 0 "
                                 "and no pref_data, e.g. --pref-prob 0.25")
        path = self.init_from
        if path:
            from pathlib import Path

            checkpoints = sorted(Path(path).glob("checkpoint-*"),
                                 key=lambda p: (len(p.name), p.name))
            if (Path(path) / "metrics.jsonl").is_file() and checkpoints:
                raise ValueError(f"init_from={path!r} is a run folder; give one of its "
                                 f"checkpoints, e.g. --init-from {checkpoints[-1]}")
            if not (Path(path) / "config.json").is_file():
                raise ValueError(f"init_from={path!r} is not a model folder or a run's "
                                 "checkpoint (no config.json there); e.g. --init-from "
                                 "runs/warm/checkpoint-0")
        if self.keep_best:
            metric, _ = self.best_metric()
            if not metric.startswith("eval/"):
                raise ValueError(f"keep_best={self.keep_best!r} must name an evaluation key "
                                 "of metrics.jsonl (eval/...), optionally after min: or max:, "
                                 "e.g. min:eval/kuhn_poker/exploitability")
            if not self.eval_every:
                raise ValueError(f"keep_best={self.keep_best!r} needs evaluations: "
                                 "eval_every > 0, e.g. --eval-every 5")

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

FREE_ON_RESUME = ("iterations", "minutes", "ladder_games", "out", "report_to")
"""Settings a resumed run may change (``out``: the folder is where the run is now)."""

def config_changes(saved: dict[str, Any], config: SelfPlayConfig) -> list[str]:
    """The settings in which ``config`` differs from a run's ``saved`` config, every key
    compared but :data:`FREE_ON_RESUME`: a key that ``saved`` lacks (a run written by an
    earlier version) counts as its default; a key ``config`` no longer has is ignored."""
    new = config.to_dict()
    defaults = SelfPlayConfig().to_dict()
    return sorted(k for k in new if k not in FREE_ON_RESUME
                  and saved.get(k, defaults.get(k)) != new[k])


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
