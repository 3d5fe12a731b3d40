"""The learner: weighted objectives summed in one optimiser step, and the learning-rate
schedule.

Each iteration the learner asks every objective (:mod:`training.objectives`) for its
items, shuffles each objective's items with a generator seeded by (run seed, iteration),
and runs ``epochs`` passes of steps; step k takes the k-th minibatch (``minibatch``
items) of every objective. A step's loss is ``sum_i weight_i * loss_i``; each minibatch
is cut into chunks of at most ``token_budget`` tokens whose gradients add up (every
objective divides by a constant, never by the chunk's size), so memory stays bounded for
any minibatch size. Then the gradient norm is clipped and the optimiser steps.

Every objective is treated alike, through its contract: ``start_iteration`` before an
update's first step, its metrics under its ``namespace`` (:meth:`Learner.metrics_row`),
its ``state_dict`` saved with a checkpoint (:meth:`Learner.objective_state`) and given
back on resume (:meth:`Learner.load_objective_state`). The learner names none.

A loss, a gradient norm or a parameter that is not finite stops the run
(:class:`NonFiniteError`) before anything is saved: the last checkpoint stays the last
good one. The learning rate follows ``lr_schedule`` over the run's iterations (constant
when only a time budget ends the run: its length is not known in advance).
"""

from __future__ import annotations

import copy
import logging
import math
import os
import random
from typing import Any, Sequence

import torch

from agents.llm.hf import HFBackend
from agents.llm.hf_batch import budget_chunks

from training.config import SelfPlayConfig
from training.distributed import SINGLE, Ranks
from training.objectives import Context, LearnBatch, Objective, PolicyGradient

log = logging.getLogger(__name__)

__all__ = ["Learner", "lr_factor", "NonFiniteError", "objectives_for"]


class NonFiniteError(RuntimeError):
    """A loss, gradient norm or parameter became NaN or infinite."""


def lr_factor(schedule: str, iteration: int, total: int | None, final: float) -> float:
    """Multiplier of the base learning rate at ``iteration`` (1-based) of ``total``
    (None: an open-ended run, constant)."""
    if schedule == "constant" or total is None or total <= 1:
        return 1.0
    frac = min(max((iteration - 1) / (total - 1), 0.0), 1.0)
    if schedule == "linear":
        return 1.0 + (final - 1.0) * frac
    if schedule == "cosine":
        return final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * frac))
    raise ValueError(f"lr_schedule={schedule!r} unknown (known: constant, linear, cosine)")


def _tokens(item: Any) -> int:
    sample = item[0] if isinstance(item, tuple) else item
    return len(getattr(sample, "prompt_ids", ())) + len(getattr(sample, "token_ids", ()))


def objectives_for(config: SelfPlayConfig) -> list[Objective]:
    """The run's objectives: the policy gradient (weight ``pg_coef``, left out at 0) and
    step-DPO (weight ``dpo_coef``, left out at 0: then the learner is exactly today's)."""
    from training.step_dpo import StepDPO

    out: list[Objective] = []
    if config.pg_coef > 0:
        pg = PolicyGradient.from_config(config)
        pg.weight = config.pg_coef
        out.append(pg)
    if config.dpo_coef > 0:
        out.append(StepDPO.from_config(config))
    return out


class Learner:
    def __init__(self, backend: HFBackend, config: SelfPlayConfig,
                 objectives: Sequence[Objective] | None = None, ranks: Ranks = SINGLE) -> None:
        self.backend = backend
        self.ranks = ranks
        """Under several processes: each rank computes the gradient of its share of every
        minibatch, and the shares' gradients and metrics are summed across ranks
        (:mod:`training.distributed`)."""
        self.model = backend.model
        self.config = config
        self.objectives = list(objectives or objectives_for(config))
        names = [o.name for o in self.objectives]
        if len(set(names)) != len(names):
            raise ValueError(f"objective names {names} repeat: give each objective its own name")
        spaces = [o.namespace for o in self.objectives]
        if len(set(spaces)) != len(spaces):
            raise ValueError(f"objective namespaces {spaces} repeat: give each objective its "
                             "own namespace (its metrics and checkpoint keys go there)")
        params = [p for p in self.model.parameters() if p.requires_grad]
        if not params:
            raise ValueError("the model has no trainable parameters")
        self.params = params
        self.optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
        self.token_budget = self._fit_budget()
        """Tokens per learner pass: ``token_budget``, or less where its activations would
        not fit in memory (:mod:`training.memory`); kept in checkpoints."""
        self.ref_model = None
        if any(o.needs_reference for o in self.objectives):
            self.ref_model = copy.deepcopy(self.model).eval()
            for p in self.ref_model.parameters():
                p.requires_grad_(False)

    def _fit_budget(self) -> int:
        from training.memory import (activation_bytes_per_token, available_bytes,
                                     fitted_token_budget)

        configured = self.config.token_budget
        dtype_bytes = next(iter(self.params)).element_size()
        per_token = activation_bytes_per_token(getattr(self.model, "config", None),
                                               dtype_bytes)
        free = available_bytes(self.backend.device)
        here = int(os.environ.get("LOCAL_WORLD_SIZE", "1") or 1)
        budget = fitted_token_budget(configured, per_token, free, here)
        if budget < configured and self.ranks.is_main:
            log.warning("token budget %d -> %d tokens per learner pass: about %.2f MB of "
                        "activations per token, %.1f GB free%s (--token-budget sets the most)",
                        configured, budget, per_token / 1e6, (free or 0) / 1e9,
                        f" for {here} processes" if here > 1 else "")
        return budget

    def objective_state(self) -> dict[str, Any]:
        """Every objective's ``state_dict()``, each key stored as ``<namespace>_<key>``."""
        return {f"{o.namespace}_{k}": v for o in self.objectives
                for k, v in o.state_dict().items()}

    def load_objective_state(self, state: dict[str, Any]) -> None:
        """Hand each objective back its keys of :meth:`objective_state` in ``state`` (a
        checkpoint's trainer state, which holds other keys too)."""
        for o in self.objectives:
            prefix = f"{o.namespace}_"
            o.load_state_dict({k[len(prefix):]: v for k, v in state.items()
                               if k.startswith(prefix)})

    def metrics_row(self, stats: dict[str, float]) -> dict[str, float]:
        """:meth:`update`'s figures under their metrics-row names: ``losses/loss``, each
        objective's metrics as they are (``<namespace>/<metric>``), the rest ``train/...``."""
        owned = {f"{o.namespace}/{k}" for o in self.objectives for k in o.metrics}
        return {"losses/loss" if k == "loss" else k if k in owned else f"train/{k}": v
                for k, v in stats.items()}

    def context(self) -> Context:
        return Context(self.model, self.ref_model, self.backend, self.token_budget)

    def _backward(self, obj: Objective, items: list[Any], ctx: Context,
                  totals: dict[str, float]) -> None:
        """Gradients of ``obj`` on ``items``, chunk by chunk within the token budget."""
        cost = lambda item: obj.cost(item, ctx)  # noqa: E731
        for chunk in budget_chunks(items, cost, self.token_budget):
            loss, sums = obj.loss(chunk, ctx)
            if obj.weight != 1.0:
                loss = obj.weight * loss
            value = float(loss.detach())
            if not math.isfinite(value):
                raise NonFiniteError(f"the {obj.name} loss is {value} (try a smaller --lr or "
                                     "--kl-coef); nothing was saved after the last checkpoint")
            loss.backward()
            totals["loss"] += value
            totals[f"loss/{obj.name}"] = totals.get(f"loss/{obj.name}", 0.0) + value
            for k, v in sums.items():
                key = f"{obj.namespace}/{k}"
                totals[key] = totals.get(key, 0.0) + v

    def _step(self, parts: list[tuple[Objective, list[Any]]]) -> dict[str, float]:
        """One optimiser step on each objective's minibatch (gradients of chunks add up)."""
        self.optimizer.zero_grad(set_to_none=True)
        totals: dict[str, float] = {"loss": 0.0}
        ctx = self.context()
        ranks = self.ranks
        if ranks.world > 1:  # every rank reports every key, for the sum across ranks
            totals.update({f"loss/{o.name}": 0.0 for o in self.objectives})
            totals.update({f"{o.namespace}/{k}": 0.0 for o in self.objectives for k in o.metrics})
        for obj, items in parts:
            items = ranks.share(items)
            if items:
                self._backward(obj, items, ctx, totals)
        if ranks.world > 1:
            ranks.sum_grads(self.params)
            totals = ranks.sum_values(totals)
        norm = float(torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_clip))
        if not math.isfinite(norm):
            raise NonFiniteError(f"the gradient norm is {norm} (try a smaller --lr); "
                                 "nothing was saved after the last checkpoint")
        self.optimizer.step()
        if not all(bool(torch.isfinite(p).all()) for p in self.params):
            raise NonFiniteError("a parameter became NaN or infinite after an optimiser step "
                                 "(try a smaller --lr); nothing was saved after the last "
                                 "checkpoint")
        totals["grad_norm"] = norm
        return totals

    def update(self, batch: LearnBatch, iteration: int) -> dict[str, float]:
        """Epochs of minibatch steps over every objective's items; the metrics of the update
        (loss and gradient norm per step, objective metrics per item)."""
        cfg = self.config
        lr = cfg.lr * lr_factor(cfg.lr_schedule, iteration, cfg.iteration_limit(), cfg.lr_final)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        ctx = self.context()
        for obj in self.objectives:
            obj.start_iteration(iteration, ctx)
        work = [(obj, obj.items(batch)) for obj in self.objectives]
        stats: dict[str, float] = {"loss": 0.0, "grad_norm": 0.0, "steps": 0,
                                   "trained_samples": sum(len(items) for _, items in work),
                                   "trained_tokens": sum(_tokens(i) for _, it in work for i in it),
                                   "lr": lr, "token_budget": self.token_budget}
        owner = {f"{o.namespace}/{k}": o.name for o in self.objectives for k in o.metrics}
        stats.update({k: 0.0 for k in owner})
        if not stats["trained_samples"]:
            return stats
        rng = random.Random(f"learner/{cfg.seed}/{iteration}")
        self.model.train()
        sums: dict[str, float] = {}
        seen = {o.name: 0 for o in self.objectives}
        for _ in range(cfg.epochs):
            orders = []
            for _, items in work:
                order = list(range(len(items)))
                rng.shuffle(order)
                orders.append(order)
            longest = max(len(order) for order in orders)
            for start in range(0, longest, cfg.minibatch):
                parts = [(obj, [items[i] for i in order[start:start + cfg.minibatch]])
                         for (obj, items), order in zip(work, orders)]
                step = self._step(parts)
                for k, v in step.items():
                    sums[k] = sums.get(k, 0.0) + v
                stats["steps"] += 1
                for obj, items in parts:
                    seen[obj.name] += len(items)
        self.model.eval()
        for k, v in sums.items():
            if k in owner:  # an objective's metric: per item it learned from
                stats[k] = v / max(seen[owner[k]], 1)
            elif k.startswith("loss/") and len(self.objectives) == 1:
                continue  # the only objective's loss is the loss
            else:  # loss and gradient norm: per step
                stats[k] = v / stats["steps"]
        return stats
