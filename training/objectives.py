"""Objectives: each learning signal is a small unit that turns its items into a loss and
metrics; the learner (:mod:`training.learner`) sums the weighted losses of every objective
in one optimiser step.

The contract (:class:`Objective`)

- ``items(batch)``: what the objective learns from in this iteration's
  :class:`LearnBatch` (the policy gradient: the decisions with a non-zero advantage, all of
  them when an entropy bonus or KL penalty applies; a
  pairwise objective such as step-DPO: ``batch.pairs``, the (chosen, rejected) steps MCTS
  found).
- ``cost(item, ctx)``: tokens one item puts through the model, so the learner can cut a
  minibatch into chunks within the token budget.
- ``loss(items, ctx) -> (loss, sums)``: a scalar loss divided by a constant (never by
  the chunk's size, so the gradients of a minibatch's chunks add up to the minibatch's),
  and metrics as sums over ``items`` (the learner reports them per item).
- ``needs_reference``: the learner keeps a frozen copy of the starting model, ``ctx.reference``.
- ``name``, ``weight`` and ``metrics`` (the names of the sums ``loss`` returns).
- ``namespace``: where its metrics go in the run's metrics row, ``<namespace>/<metric>``
  (the policy gradient: ``train/entropy``; step-DPO: ``dpo/loss``). Namespaces are unique
  among a learner's objectives.

Its lifecycle, the same for every objective (the learner calls these and names none):

- ``start_iteration(iteration, ctx)``: before the iteration's first step (step-DPO takes
  its lagged reference here).
- ``state_dict()`` / ``load_state_dict(state)``: what the objective must carry across a
  resume (tensors and plain data). Each key is stored in the checkpoint's trainer state as
  ``<namespace>_<key>`` (step-DPO's lagged reference: ``dpo_reference``).

Subclassing :class:`Objective` gives the defaults: nothing to do at an iteration's start,
no state (and a clear error if a checkpoint holds state for an objective that keeps none).

:class:`Context` carries what every objective computes with: the trained model, the
reference, the backend (tokenizer, pad id, device) and the token budget; the log-
probabilities all come from :mod:`training.scoring` (``score_actions`` for actions after
a prompt). A pairwise objective would score ``[[chosen, rejected]]`` per pair with
``score_actions`` under ``ctx.model`` and, without gradients, ``ctx.reference``, and hand
them to :func:`training.losses.dpo_loss`; nothing else in the learner changes.

:class:`PolicyGradient` is the first objective: the RAE policy gradient, with an exact
entropy bonus and an exact KL to the reference over the legal actions in choice mode, and
the token-level loss (with the k3 KL estimate) in generate mode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol, Sequence

import torch

from agents.llm.hf import HFBackend

from training.config import SelfPlayConfig
from training.losses import policy_gradient_loss
from training.rollout import Sample
from training.scoring import choice_logprobs, token_logprobs

__all__ = ["Objective", "Context", "LearnBatch", "PolicyGradient"]


@dataclass(frozen=True)
class LearnBatch:
    """What one iteration hands the learner."""

    samples: Sequence[Sample] = ()
    """The learning policy's decisions (rollouts)."""
    advantages: Sequence[float] = ()
    """One per sample (RAE or an ablation)."""
    pairs: Sequence[Any] = field(default_factory=tuple)
    """Step preferences (prompt, chosen action, rejected action) for a pairwise objective."""


@dataclass(frozen=True)
class Context:
    """What objectives compute with."""

    model: Any
    """The model being trained (gradients on)."""
    reference: Any | None
    """The frozen starting model (None when no objective asked for it)."""
    backend: HFBackend
    token_budget: int


class Objective(Protocol):
    """One learning signal (see the module docstring). Subclass it for the lifecycle's
    defaults."""

    name: str
    weight: float
    needs_reference: bool
    namespace: str
    """Prefix of its metrics in the metrics row and of its keys in a checkpoint."""
    metrics: tuple[str, ...]
    """Names of the sums ``loss`` returns (the row shows ``<namespace>/<name>``)."""

    def items(self, batch: LearnBatch) -> list[Any]:
        ...

    def cost(self, item: Any, ctx: Context) -> int:
        ...

    def loss(self, items: Sequence[Any], ctx: Context) -> tuple[torch.Tensor, dict[str, float]]:
        ...

    def start_iteration(self, iteration: int, ctx: Context) -> None:
        """Called once per learner update, before its first step. Default: nothing."""

    def state_dict(self) -> dict[str, Any]:
        """What a resumed run needs back (tensors and plain data). Default: nothing."""
        return {}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Take back what :meth:`state_dict` gave. Default: an objective without state
        refuses state rather than dropping it."""
        if state:
            raise ValueError(
                f"objective {self.name!r} keeps no state, but the checkpoint holds "
                f"{', '.join(f'{self.namespace}_{k}' for k in sorted(state))}; resume with "
                "the objectives that wrote it (the same --dpo-coef, --pg-coef)")


@dataclass
class PolicyGradient(Objective):
    """The policy gradient on decisions with their advantages (see the module docstring)."""

    mode: str = "choice"
    temperature: float = 1.0
    normaliser: float = 64.0
    """Per-step constant the loss is divided by (the minibatch size)."""
    max_new_tokens: int = 64
    clip_eps: float | None = None
    entropy_coef: float = 0.0
    kl_coef: float = 0.0
    weight: float = 1.0
    name: str = "policy_gradient"
    namespace: str = "train"
    metrics: tuple[str, ...] = ("clip_fraction", "approx_kl", "kl_ref", "entropy")

    @classmethod
    def from_config(cls, config: SelfPlayConfig) -> "PolicyGradient":
        return cls(mode=config.mode, temperature=config.temperature,
                   normaliser=float(config.minibatch), max_new_tokens=config.max_new_tokens,
                   clip_eps=config.clip_eps, entropy_coef=config.entropy_coef,
                   kl_coef=config.kl_coef)

    @property
    def needs_reference(self) -> bool:
        return self.kl_coef > 0

    def items(self, batch: LearnBatch) -> list[tuple[Sample, float]]:
        """The decisions to learn from: those with a non-zero advantage, and, when an
        entropy bonus or a KL penalty applies, every decision (a batch whose advantages
        are all zero, e.g. a group whose episodes all ended alike, still keeps the policy
        from collapsing)."""
        if self.entropy_coef or self.kl_coef:
            return list(zip(batch.samples, batch.advantages))
        return [(s, a) for s, a in zip(batch.samples, batch.advantages) if a != 0.0]

    def cost(self, item: tuple[Sample, float], ctx: Context) -> int:
        s = item[0]
        extra = sum(len(ctx.backend.encode_continuation(a)) for a in s.actions)
        return len(s.prompt_ids) + len(s.token_ids) + extra

    def loss(self, items: Sequence[tuple[Sample, float]], ctx: Context
             ) -> tuple[torch.Tensor, dict[str, float]]:
        batch = [s for s, _ in items]
        adv = torch.tensor([a for _, a in items], dtype=torch.float32, device=ctx.backend.device)
        fn = self._choice if self.mode == "choice" else self._generate
        loss, extra = fn(batch, adv, ctx)
        for k in ("clip_fraction", "approx_kl"):
            extra[k] *= len(items)  # means over the chunk -> sums
        return loss, extra

    def _choice(self, batch: list[Sample], adv: torch.Tensor, ctx: Context
                ) -> tuple[torch.Tensor, dict[str, float]]:
        new, dists = choice_logprobs(ctx.model, ctx.backend, batch, self.temperature,
                                     ctx.token_budget)
        old = torch.tensor([s.old_logprob for s in batch], device=ctx.backend.device)
        norm = self.normaliser
        loss, extra = policy_gradient_loss(new[:, None], old[:, None], adv,
                                           torch.ones_like(new[:, None]), norm, self.clip_eps)
        entropy = torch.stack([-(d.exp() * d).sum() for d in dists])  # [B]
        extra["entropy"] = float(entropy.detach().sum())
        if self.entropy_coef:
            loss = loss - self.entropy_coef * entropy.sum() / norm
        extra["kl_ref"] = 0.0
        if self.needs_reference:
            with torch.no_grad():
                _, ref = choice_logprobs(ctx.reference, ctx.backend, batch, self.temperature,
                                         ctx.token_budget)
            kl = torch.stack([(d.exp() * (d - r)).sum() for d, r in zip(dists, ref)])  # exact
            loss = loss + self.kl_coef * kl.sum() / norm
            extra["kl_ref"] = float(kl.detach().sum())
        return loss, extra

    def _generate(self, batch: list[Sample], adv: torch.Tensor, ctx: Context
                  ) -> tuple[torch.Tensor, dict[str, float]]:
        new, mask = token_logprobs(ctx.model, ctx.backend, batch)
        old = torch.zeros_like(new)
        for i, s in enumerate(batch):
            old[i, :len(s.logprobs)] = torch.tensor(s.logprobs)
        ref = None
        if self.needs_reference:
            with torch.no_grad():
                ref, _ = token_logprobs(ctx.reference, ctx.backend, batch)
        loss, extra = policy_gradient_loss(new, old, adv, mask,
                                           self.normaliser * self.max_new_tokens,
                                           self.clip_eps, ref, self.kl_coef)
        extra["kl_ref"] *= len(batch)  # summed over decisions, like the choice-mode stats
        extra["entropy"] = 0.0
        return loss, extra
