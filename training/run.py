"""The state of one training run: its folder, its models, its learner, and what a
checkpoint saves.

A run owns a :class:`agents.llm.model_cache.ModelCache`: the policy (the model the
learner trains in place, registered under :data:`POLICY_MODEL`), the opponent pool's
snapshots and the rating ladder's checkpoints. Every agent the run plays with is an
``LLMAgent`` built through its constructor on that cache, so all agents naming one model
share its weights, and a model leaves memory when the run drops it.
"""

from __future__ import annotations

import copy
import json
import logging
import time
import warnings
from pathlib import Path
from typing import Any

from agents import Agent
from agents.llm.agent import LLMAgent
from agents.llm.hf import HFBackend
from agents.llm.model_cache import ModelCache, make_agent_sharing
from common.seeds import derive_seed

from training.advantages import RoleBaselines
from training.checkpoint import prune_checkpoints, resume_point, save_checkpoint
from training.config import SelfPlayConfig, parse_game_weights
from training.distributed import SINGLE, Ranks
from training.ladder import LADDER_CHECKPOINTS, ladder_checkpoints, play_ladder
from training.learner import Learner

log = logging.getLogger(__name__)

__all__ = ["TrainingRun", "policy_agent", "POLICY_NAME", "POLICY_MODEL"]

POLICY_NAME = "policy"
"""The learning policy's agent name in match records (its decisions are trained on)."""
POLICY_MODEL = "training:policy"
"""The name the policy's live model has in the run's model cache."""


def policy_agent(config: SelfPlayConfig, models: ModelCache, model: str = POLICY_MODEL,
                 name: str = POLICY_NAME, greedy: bool = False) -> LLMAgent:
    """An ``llm`` agent playing ``model`` from the run's cache as the policy plays."""
    agent = LLMAgent(seed=config.seed, model=model, mode=config.mode, prompt=config.prompt,
                     temperature=config.temperature, max_new_tokens=config.max_new_tokens,
                     greedy=greedy, device=config.device, models=models)
    agent.name = name
    return agent


def _load_model_like(backend: HFBackend, path: str | Path) -> Any:
    from safetensors import SafetensorError
    from transformers import AutoModelForCausalLM

    try:
        model = AutoModelForCausalLM.from_pretrained(path, dtype=backend.dtype)
    except (SafetensorError, OSError) as err:  # truncated weights, a missing file
        raise ValueError(f"could not load the model in {path}: its weights are damaged or "
                         f"missing ({err}); restore them, or delete that folder") from err
    return model.to(backend.device).eval()


class TrainingRun:
    """The mutable pieces of a run, saved together in a checkpoint. Building one loads
    and checks the model, the device and the fixed opponents (nothing is written)."""

    def __init__(self, config: SelfPlayConfig, run_dir: Path, ranks: Ranks = SINGLE) -> None:
        self.config = config
        self.dir = run_dir
        self.ranks = ranks
        """This process's place among the run's processes (:mod:`training.distributed`):
        only rank 0 writes."""
        found = resume_point(run_dir)
        start = found[0] if found else None
        self.models = ModelCache()
        base = HFBackend(str(start or config.start_model), device=config.device)  # a private copy
        model = self._maybe_lora(base.model)
        self.models.put(POLICY_MODEL, model, base.tokenizer, base.device, base.dtype)
        self.backend = HFBackend(POLICY_MODEL, device=config.device, models=self.models)
        for i, spec in enumerate(config.opponents):  # a bad spec fails here, before any file
            make_agent_sharing(spec, i, self.models)
        self.learner = Learner(self.backend, config, ranks=ranks)
        self.policy = policy_agent(config, self.models)
        """The rollout policy: plays every seat; its decisions are trained on."""
        self.baselines = RoleBaselines(config.rae_decay)
        self.critic = None
        if config.step_credit == "critic":
            from training.critic import Critic

            self.critic = Critic.for_model(self.backend.model, config.critic_lr, config.seed)
        self.best: dict[str, Any] = {}
        """``keep_best``: the best evaluation so far, {"iteration", "value"}."""
        self.iteration = 0
        self.pool_iterations: list[int] = []
        self.rows: list[dict[str, Any]] = []
        self.elapsed_before = 0.0
        self.saved_at = -1
        self.started = time.perf_counter()
        self._loaded: set[str] = set()
        self._pairs: list | None = None
        if found is not None:
            self._resume(*found)
            if self.learner.ref_model is not None:  # the KL reference is the starting model
                self.learner.ref_model = _load_model_like(self.backend, config.start_model)
                self.learner.ref_model.requires_grad_(False)
        if config.pref_data:  # a bad file fails here, before any file is written
            self.offline_pairs()
        if config.searching and config.pref_playout not in ("random", "policy"):
            from agents.registry import make_agent

            make_agent(config.pref_playout, seed=config.seed).close()

    def _maybe_lora(self, model: Any) -> Any:
        if self.config.lora_rank <= 0:
            return model
        try:
            from peft import LoraConfig, get_peft_model
        except ImportError as err:
            raise ImportError("lora_rank > 0 needs peft: pip install selfplay-arena[lora]") from err
        lora = LoraConfig(r=self.config.lora_rank, lora_alpha=2 * self.config.lora_rank,
                          target_modules="all-linear", task_type="CAUSAL_LM")
        with warnings.catch_warnings():  # peft's own call of a name transformers deprecates
            warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing.*",
                                    category=FutureWarning)
            return get_peft_model(model, lora)

    def _resume(self, path: Path, state: dict[str, Any]) -> None:
        saved = state.get("config")
        if isinstance(saved, dict):  # the config it was trained under (older runs lack it)
            from training.config import config_changes

            changed = config_changes(saved, self.config)
            if changed:
                raise ValueError(f"{self.dir} holds a run trained with a different config "
                                 f"({', '.join(changed)}; read from {path.name}); use another "
                                 "--out, or the same settings to resume")
        self.learner.optimizer.load_state_dict(state["optimizer"])
        self.baselines = RoleBaselines.from_state_dict(state["baselines"])
        self.iteration = state["iteration"]
        self.pool_iterations = list(state["pool_iterations"])
        self.rows = list(state["rows"])
        self.elapsed_before = state["elapsed_s"]
        self.saved_at = self.iteration
        if self.critic is not None:
            self.critic.load_state_dict(state["critic"])
        self.best = dict(state.get("best") or {})
        if isinstance(state.get("token_budget"), int):  # chunks cut as before the stop
            self.learner.token_budget = min(state["token_budget"], self.config.token_budget)
        self.learner.load_objective_state(state)
        log.info("resumed %s from %s at iteration %d", self.dir, path.name, self.iteration)

    def offline_pairs(self) -> list:
        """The pairs of ``config.pref_data`` (read once)."""
        if self._pairs is None:
            from training.pref_data import read_pairs

            self._pairs = read_pairs(self.config.pref_data, self.backend.encode_prompt)
        return self._pairs

    # ----- time --------------------------------------------------------------------------
    def elapsed(self) -> float:
        """Seconds of training so far, across resumes."""
        return self.elapsed_before + time.perf_counter() - self.started

    def out_of_time(self) -> bool:
        minutes = self.config.minutes
        return minutes is not None and self.elapsed() > minutes * 60

    # ----- saving ------------------------------------------------------------------------
    def plain_model(self) -> Any:
        """The model as plain weights (LoRA adapters merged into a copy)."""
        model = self.backend.model
        if self.config.lora_rank > 0:
            model = copy.deepcopy(model).merge_and_unload()
        return model

    def save(self) -> None:
        model = self.plain_model()
        state = {"optimizer": self.learner.optimizer.state_dict(),
                 "baselines": self.baselines.state_dict(), "iteration": self.iteration,
                 "pool_iterations": self.pool_iterations, "rows": self.rows,
                 "elapsed_s": self.elapsed(), "config": self.config.to_dict(),
                 "best": dict(self.best), "token_budget": self.learner.token_budget}
        if self.critic is not None:
            state["critic"] = self.critic.state_dict()
        state.update(self.learner.objective_state())
        save_checkpoint(self.dir, self.iteration, model, self.backend.tokenizer, state)
        self.saved_at = self.iteration
        prune_checkpoints(self.dir, self.config.keep_checkpoints)
        # rewritten whole: the rows match the checkpoint
        with open(self.dir / "metrics.jsonl", "w") as fh:
            for row in self.rows:
                fh.write(json.dumps(row, sort_keys=True) + "\n")

    def snapshot(self) -> None:
        """The policy into the opponent pool (rank 0 writes it; the others read it after
        the iteration's closing barrier)."""
        if self.ranks.is_main:
            path = self.dir / "pool" / f"snapshot-{self.iteration}"
            self.plain_model().save_pretrained(path)
        self.pool_iterations.append(self.iteration)

    # ----- other players -------------------------------------------------------------------
    def _player(self, path: str | Path, name: str) -> LLMAgent:
        """An agent playing the saved model ``path`` (loaded into the run's cache once)."""
        key = str(path)
        if key not in self._loaded:
            model = _load_model_like(self.backend, path)
            self.models.put(key, model, self.backend.tokenizer, self.backend.device,
                            self.backend.dtype)
            self._loaded.add(key)
        return policy_agent(self.config, self.models, model=key, name=name)

    def _keep_loaded(self, keep: set[str], prefix: Path | None) -> None:
        """Drop the loaded models under ``prefix`` (all, if None) that are not in ``keep``."""
        for key in sorted(self._loaded):
            if key not in keep and (prefix is None or Path(key).parent == prefix):
                self.models.drop(key)
                self._loaded.discard(key)

    def pool(self) -> list[Agent]:
        agents: list[Agent] = []
        live = self.pool_iterations[-self.config.pool_size:]
        paths = {it: self.dir / "pool" / f"snapshot-{it}" for it in live}
        self._keep_loaded({str(p) for p in paths.values()}, self.dir / "pool")
        for it in live:
            agents.append(self._player(paths[it], name=f"snapshot-{it}"))
        for i, spec in enumerate(self.config.opponents):
            seed = derive_seed("pool-agent", self.config.seed, i, spec)
            agents.append(make_agent_sharing(spec, seed, self.models))
        return agents

    def ladder(self) -> dict[str, float]:
        """The rating ladder of the policy now (``policy``), the starting model and the
        checkpoints before it (see :mod:`training.ladder`)."""
        cfg = self.config
        older = [(it, p) for it, p in ladder_checkpoints(self.dir) if it < self.iteration]
        wanted: dict[int, str | Path] = {0: cfg.start_model}
        wanted.update(older[-(LADDER_CHECKPOINTS - 1):])
        self._keep_loaded({str(p) for p in wanted.values()} | {str(p) for p in self._pool_paths()},
                          None)
        players: dict[str, Agent] = {}
        for it, path in wanted.items():
            name = f"checkpoint-{it}" if it else "start"
            players[name] = self._player(path, name=name)
        players["policy"] = policy_agent(cfg, self.models, name="policy")
        game_names = [name for name, _ in parse_game_weights(cfg.games)]
        seed = derive_seed("ladder-run", cfg.seed, self.iteration)
        return play_ladder(players, game_names, cfg.ladder_games, seed)

    def _pool_paths(self) -> list[Path]:
        return [self.dir / "pool" / f"snapshot-{it}"
                for it in self.pool_iterations[-self.config.pool_size:]]
