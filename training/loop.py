"""The self-play loop, top to bottom: rollouts, samples, advantages, update, evaluation,
checkpoints. ``train(config)`` is the whole algorithm; ``arena train`` calls it.

Run folder: ``config.json``, ``metrics.jsonl`` (one row per iteration, evaluation keys on
evaluation iterations, rating-ladder keys on checkpoint iterations when ``ladder_games`` >
0), ``checkpoint-N/`` (Hugging Face format plus trainer state), ``pool/snapshot-N/``
(opponent pool). Running the same command again resumes from the last complete checkpoint
and reaches the same parameters as an uninterrupted run, bit for bit on CPU (the update runs
with deterministic kernels there; the KL reference stays the starting model).
"""

from __future__ import annotations

import contextlib
import copy
import json
import logging
import random
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import torch

from agents import Agent, make_agent
from agents.llm.agent import LLMAgent
from agents.llm.hf import HFBackend
from games.seeds import derive_seed

from training.advantages import RoleBaselines, compute_advantages
from training.checkpoint import (latest_checkpoint, load_trainer_state, prune_checkpoints,
                                 save_checkpoint)
from training.config import SelfPlayConfig, parse_game_weights
from training.evaluation import evaluate_policy
from training.ladder import LADDER_CHECKPOINTS, ladder_checkpoints, play_ladder
from training.learner import Learner
from training.rollout import collect_samples, play_iteration

log = logging.getLogger(__name__)

__all__ = ["train", "policy_agent"]

POLICY_NAME = "policy"


def policy_agent(backend: HFBackend, config: SelfPlayConfig, name: str = POLICY_NAME,
                 greedy: bool = False) -> LLMAgent:
    """An ``llm`` agent playing through ``backend`` (whose model the learner trains)."""
    agent = LLMAgent.__new__(LLMAgent)
    Agent.__init__(agent, seed=config.seed)
    agent.model, agent.mode, agent.backend_name = config.model, config.mode, "hf"
    agent.temperature, agent.top_p = config.temperature, 1.0
    agent.max_new_tokens, agent.length_norm, agent.greedy = config.max_new_tokens, False, greedy
    agent.backend = backend
    agent.name = name
    return agent


def _snapshot_backend(backend: HFBackend, model: Any) -> HFBackend:
    snap = copy.copy(backend)
    snap.model = model
    return snap


def _load_model_like(backend: HFBackend, path: str | Path) -> Any:
    from transformers import AutoModelForCausalLM

    return AutoModelForCausalLM.from_pretrained(path, dtype=backend.dtype).to(backend.device).eval()


@contextlib.contextmanager
def _deterministic(device: str) -> Iterator[None]:
    """Deterministic kernels while learning on CPU. Otherwise the backward of gathering the
    shared prompt prefix's KV cache into every row (an index with repeated rows) adds the
    rows' gradients with parallel atomics: the sum's order, and so its last bits, change
    from run to run, and a resumed run drifts from an uninterrupted one."""
    if not str(device).startswith("cpu"):
        yield
        return
    was = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(was, warn_only=warn_only)


class _Run:
    """The mutable pieces of a run, saved together in a checkpoint."""

    def __init__(self, config: SelfPlayConfig, run_dir: Path) -> None:
        self.config = config
        self.dir = run_dir
        start = latest_checkpoint(run_dir)
        self.backend = HFBackend(str(start or config.model), device=config.device)
        # the learner trains this model in place: own a private copy, not the shared one
        self.backend = _snapshot_backend(self.backend, copy.deepcopy(self.backend.model))
        self._maybe_lora()
        self.learner = Learner(self.backend, config)
        self.baselines = RoleBaselines(config.rae_decay)
        self.iteration = 0
        self.pool_iterations: list[int] = []
        self.rows: list[dict[str, Any]] = []
        self.elapsed_before = 0.0
        self.saved_at = -1
        self._pool_models: dict[int, Any] = {}
        self._ladder_models: dict[int, Any] = {}
        if start is not None:
            self._resume(start)
            if self.learner.ref_model is not None:  # the KL reference is the starting model
                self.learner.ref_model = _load_model_like(self.backend, config.model)
                self.learner.ref_model.requires_grad_(False)

    def _maybe_lora(self) -> None:
        if self.config.lora_rank <= 0:
            return
        try:
            from peft import LoraConfig, get_peft_model
        except ImportError as err:
            raise ImportError("lora_rank > 0 needs peft: pip install selfplay-arena[lora]") from err
        lora = LoraConfig(r=self.config.lora_rank, lora_alpha=2 * self.config.lora_rank,
                          target_modules="all-linear", task_type="CAUSAL_LM")
        self.backend.model = get_peft_model(self.backend.model, lora)

    def _resume(self, path: Path) -> None:
        state = load_trainer_state(path)
        self.learner.optimizer.load_state_dict(state["optimizer"])
        self.baselines = RoleBaselines.from_state_dict(state["baselines"])
        self.iteration = state["iteration"]
        self.pool_iterations = list(state["pool_iterations"])
        self.rows = list(state["rows"])
        self.elapsed_before = state["elapsed_s"]
        self.saved_at = self.iteration
        log.info("resumed %s at iteration %d", self.dir, self.iteration)

    def plain_model(self) -> Any:
        """The model as plain weights (LoRA adapters merged into a copy)."""
        model = self.backend.model
        if self.config.lora_rank > 0:
            model = copy.deepcopy(model).merge_and_unload()
        return model

    def save(self, elapsed: float) -> None:
        model = self.plain_model()
        state = {"optimizer": self.learner.optimizer.state_dict(),
                 "baselines": self.baselines.state_dict(), "iteration": self.iteration,
                 "pool_iterations": self.pool_iterations, "rows": self.rows,
                 "elapsed_s": elapsed}
        save_checkpoint(self.dir, self.iteration, model, self.backend.tokenizer, state)
        self.saved_at = self.iteration
        prune_checkpoints(self.dir, self.config.keep_checkpoints)
        with open(self.dir / "metrics.jsonl", "w") as fh:  # rewritten whole: rows match the checkpoint
            for row in self.rows:
                fh.write(json.dumps(row, sort_keys=True) + "\n")

    def pool(self) -> list[Agent]:
        agents: list[Agent] = []
        live = self.pool_iterations[-self.config.pool_size:]
        self._pool_models = {it: m for it, m in self._pool_models.items() if it in live}
        for it in live:
            if it not in self._pool_models:
                path = self.dir / "pool" / f"snapshot-{it}"
                self._pool_models[it] = _load_model_like(self.backend, path)
            model = self._pool_models[it]
            agents.append(policy_agent(_snapshot_backend(self.backend, model), self.config,
                                       name=f"snapshot-{it}"))
        for i, spec in enumerate(self.config.opponents):
            agents.append(make_agent(spec, seed=derive_seed("pool-agent", self.config.seed, i, spec)))
        return agents

    def ladder(self) -> dict[str, float]:
        """The rating ladder of the policy now (``policy``), the starting model and the
        checkpoints before it (see :mod:`training.ladder`)."""
        cfg = self.config
        older = [(it, p) for it, p in ladder_checkpoints(self.dir) if it < self.iteration]
        wanted: dict[int, str | Path] = {0: cfg.model}
        wanted.update(older[-(LADDER_CHECKPOINTS - 1):])
        self._ladder_models = {it: m for it, m in self._ladder_models.items() if it in wanted}
        players: dict[str, Agent] = {}
        for it, path in wanted.items():
            if it not in self._ladder_models:
                self._ladder_models[it] = _load_model_like(self.backend, path)
            name = f"checkpoint-{it}" if it else "start"
            players[name] = policy_agent(_snapshot_backend(self.backend, self._ladder_models[it]),
                                         cfg, name=name)
        players["policy"] = policy_agent(self.backend, cfg, name="policy")
        game_names = [name for name, _ in parse_game_weights(cfg.games)]
        seed = derive_seed("ladder-run", cfg.seed, self.iteration)
        return play_ladder(players, game_names, cfg.ladder_games, seed)

    def snapshot(self) -> None:
        path = self.dir / "pool" / f"snapshot-{self.iteration}"
        self.plain_model().save_pretrained(path)
        self.pool_iterations.append(self.iteration)


def _iteration_row(run: _Run, records, samples, adv, stats, seconds: float) -> dict[str, Any]:
    cfg = run.config
    row: dict[str, Any] = {"iteration": run.iteration, "matches": len(records),
                           "samples": len(samples), "rollout_s": seconds}
    decisions = [d for r in records for d in r.decisions if d.agent == POLICY_NAME]
    row["invalid_rate"] = (sum(not d.valid for d in decisions) / len(decisions)) if decisions else 0.0
    row["tokens"] = sum(len(s.prompt_ids) + len(s.token_ids) for s in samples)
    by_key: dict[str, list[float]] = {}
    for s, a in zip(samples, adv):
        by_key.setdefault(s.key, []).append(a)
    for key, values in by_key.items():
        row[f"advantage/{key}"] = sum(values) / len(values)
        row[f"baseline/{key}"] = run.baselines.get(key)
    row.update({f"losses/{k}" if k == "loss" else f"train/{k}": v for k, v in stats.items()})
    del cfg
    return row


def train(config: SelfPlayConfig, on_row: Callable[[dict[str, Any]], None] | None = None
          ) -> Path:
    """Run (or resume) self-play training; returns the run folder."""
    torch.manual_seed(config.seed)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own progress display owns the terminal
    run_dir = config.run_dir()
    run_dir.mkdir(parents=True, exist_ok=True)
    cfg_path = run_dir / "config.json"
    if cfg_path.exists():
        saved = json.loads(cfg_path.read_text())
        free = ("iterations", "minutes", "ladder_games")  # may change when resuming
        changed = {k for k in saved if k not in free and saved[k] != config.to_dict().get(k)}
        if changed:
            raise ValueError(f"{run_dir} holds a run with a different config ({', '.join(sorted(changed))}); "
                             "use another --out, or the same settings to resume")
    cfg_path.write_text(json.dumps(config.to_dict(), indent=2, sort_keys=True))
    run = _Run(config, run_dir)
    policy = policy_agent(run.backend, config)
    # evaluation plays its own agents (sharing the model): evaluators may reseed an agent,
    # and the rollout policy's seed must stay the run's for a resumed run to replay exactly
    judged = policy_agent(run.backend, config)
    greedy = policy_agent(run.backend, config, name="policy-greedy", greedy=True)
    game_names = [name for name, _ in parse_game_weights(config.games)]
    start = time.perf_counter() - run.elapsed_before
    if run.iteration == 0 and config.eval_every:
        row = {"iteration": 0, "elapsed_s": 0.0}
        row.update(evaluate_policy(judged, game_names, config.eval_games // 2, config.seed, greedy))
        run.rows.append(row)
        if on_row:
            on_row(row)
    while run.iteration < config.iterations:
        if config.minutes is not None and time.perf_counter() - start > config.minutes * 60:
            break
        run.iteration += 1
        t0 = time.perf_counter()
        records = play_iteration(config, run.iteration, policy, run.pool() if config.opponent_prob else [])
        t1 = time.perf_counter()
        samples = collect_samples(records, POLICY_NAME, config.invalid_penalty)
        adv = compute_advantages([s.reward for s in samples], [s.key for s in samples],
                                 config.advantage, run.baselines)
        with _deterministic(run.backend.device):
            stats = run.learner.update(samples, adv, run.iteration)
        t2 = time.perf_counter()
        row = _iteration_row(run, records, samples, adv, stats, t1 - t0)
        row.update({"learn_s": t2 - t1, "elapsed_s": t2 - start,
                    "games_per_s": len(records) / max(t2 - t0, 1e-9),
                    "tokens_per_s": row["tokens"] / max(t2 - t0, 1e-9)})
        if config.eval_every and run.iteration % config.eval_every == 0:
            row.update(evaluate_policy(judged, game_names, config.eval_games // 2,
                                       config.seed + run.iteration, greedy))
        out_of_time = (config.minutes is not None
                       and time.perf_counter() - start > config.minutes * 60)
        saving = (run.iteration % config.checkpoint_every == 0 or out_of_time
                  or run.iteration == config.iterations)
        if saving and config.ladder_games:
            row.update(run.ladder())  # before saving: the checkpoint's rows hold the ratings
        run.rows.append(row)
        if on_row:
            on_row(row)
        if config.pool_every and run.iteration % config.pool_every == 0:
            run.snapshot()
        if saving:
            run.save(time.perf_counter() - start)
    if run.saved_at != run.iteration:
        run.save(time.perf_counter() - start)
    return run_dir
