"""Step-DPO: the objective that learns from step preferences (MCTS-DPO's conservative DPO).

Items are :class:`training.preferences.StepPair` (searched this iteration, or read from a
preferences file). For each pair the chosen and the rejected action are scored after the
same prompt (:func:`training.scoring.score_actions`) under the policy and, without
gradients, under the reference; :func:`training.losses.dpo_loss` with ``beta`` and the
pair's label smoothing ``min(1 - confidence, 0.5)`` gives the loss. The choice-mode
policy is ``log pi(a) = score(a)/T - logsumexp_b score(b)/T`` over the legal actions; the
normaliser is the same for two actions after one prompt, so ``log pi(chosen) - log
pi(rejected) = (score(chosen) - score(rejected)) / T`` and only the two actions are scored.

Generate-mode pairs (``pair.mode == "generate"``: two sampled replies, reasoning and
answer) are scored the same way, as continuations of the prompt, but NOT divided by the
temperature: the log-probability of a sampled text is the raw model's (temperature 1), as
the generate-mode policy gradient reads it (``Decision.logprobs``). The reply's text is
re-tokenized and its end-of-sequence token is not scored.

Reference (``dpo_ref``): ``start``, the frozen starting model the learner keeps
(``ctx.reference``); ``lagged:K``, a copy of the policy taken at the start of iterations
1, K+1, 2K+1, ... (:meth:`StepDPO.start_iteration`), saved in checkpoints
(:meth:`StepDPO.state_dict`, stored as ``dpo_reference``) so a resumed run uses the same one.

Metrics (namespace ``dpo``; sums over pairs, the learner reports them per pair): ``dpo/loss``,
``dpo/accuracy`` (share of pairs where the policy gives the chosen action the higher
probability) and ``dpo/margin`` (chosen minus rejected implicit reward,
``beta * (log pi - log pi_ref)``).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

import torch

from training.config import SelfPlayConfig
from training.losses import dpo_loss
from training.objectives import Context, LearnBatch, Objective
from training.preferences import StepPair
from training.scoring import score_actions

__all__ = ["StepDPO"]


@dataclass
class StepDPO(Objective):
    """Conservative step-level DPO on ``batch.pairs`` (see the module docstring)."""

    beta: float = 0.1
    temperature: float = 1.0
    normaliser: float = 64.0
    """Per-step constant the loss is divided by (the minibatch size)."""
    lag: int = 0
    """0: the reference is the starting model; K: a copy refreshed every K iterations."""
    weight: float = 1.0
    name: str = "step_dpo"
    namespace: str = "dpo"
    metrics: tuple[str, ...] = ("loss", "accuracy", "margin")
    lagged: Any = field(default=None, repr=False)
    """The lagged reference model (``lag`` > 0)."""
    _loaded: Any = field(default=None, init=False, repr=False)
    """Weights of the lagged reference read from a checkpoint, until the next iteration."""

    @classmethod
    def from_config(cls, config: SelfPlayConfig) -> "StepDPO":
        return cls(beta=config.dpo_beta, temperature=config.temperature,
                   normaliser=float(config.minibatch), lag=config.dpo_lag(),
                   weight=config.dpo_coef)

    @property
    def needs_reference(self) -> bool:
        return self.lag == 0

    def start_iteration(self, iteration: int, ctx: Context) -> None:
        """Take a fresh lagged reference at the start of iterations 1, K+1, 2K+1, ...; in
        between, the one in use (or the one a resumed run read back)."""
        if not self.lag:
            return
        if self.lagged is None or (iteration - 1) % self.lag == 0:
            self.lagged = copy.deepcopy(ctx.model).eval()
            if self._loaded is not None and (iteration - 1) % self.lag:
                self.lagged.load_state_dict(self._loaded)
            self.lagged.requires_grad_(False)
        self._loaded = None

    def state_dict(self) -> dict[str, Any]:
        """``{"reference": weights}`` of the lagged reference (empty with ``start``), stored
        as ``dpo_reference`` in a checkpoint."""
        if self.lagged is not None:
            return {"reference": {k: v.detach().clone()
                                  for k, v in self.lagged.state_dict().items()}}
        return {} if self._loaded is None else {"reference": self._loaded}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Keep the saved lagged reference; the next :meth:`start_iteration` puts it in a
        copy of the policy (unless that iteration takes a fresh one anyway)."""
        unknown = sorted(set(state) - {"reference"})
        if unknown:
            raise ValueError(f"step-DPO state has {', '.join(unknown)}; expected reference only")
        self.lagged = None
        self._loaded = state.get("reference")

    def items(self, batch: LearnBatch) -> list[StepPair]:
        return list(batch.pairs)

    def cost(self, item: StepPair, ctx: Context) -> int:
        enc = ctx.backend.encode_continuation
        return len(item.prompt_ids) + len(enc(item.chosen)) + len(enc(item.rejected))

    def _scores(self, model: Any, items: Sequence[StepPair], ctx: Context) -> torch.Tensor:
        """[P, 2] (chosen, rejected) scores, divided by the temperature for choice pairs."""
        totals = score_actions(model, ctx.backend, [p.prompt_ids for p in items],
                               [[p.chosen, p.rejected] for p in items], ctx.token_budget)
        scores = totals.view(len(items), 2)
        if all(p.mode == "choice" for p in items):
            return scores / self.temperature
        temps = [self.temperature if p.mode == "choice" else 1.0 for p in items]
        return scores / torch.tensor(temps, dtype=scores.dtype, device=scores.device)[:, None]

    def loss(self, items: Sequence[StepPair], ctx: Context
             ) -> tuple[torch.Tensor, dict[str, float]]:
        ref_model = self.lagged if self.lag else ctx.reference
        if ref_model is None:
            raise RuntimeError("step-DPO has no reference model (the learner keeps one for "
                               "dpo_ref=start; lagged:K takes its copy in start_iteration())")
        pol = self._scores(ctx.model, items, ctx)
        with torch.no_grad():
            ref = self._scores(ref_model, items, ctx)
        smooth = torch.tensor([p.label_smoothing for p in items], device=pol.device)
        losses, cr, rr = dpo_loss(pol[:, 0], pol[:, 1], ref[:, 0], ref[:, 1], self.beta, smooth)
        sums = {"loss": float(losses.detach().sum()),
                "accuracy": float((pol[:, 0] > pol[:, 1]).float().sum()),
                "margin": float((cr - rr).sum())}
        return losses.sum() / self.normaliser, sums
