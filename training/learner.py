"""The learner: log-probabilities of recorded decisions under the current model, and the
optimiser step.

Choice mode learns the exact policy the agent samples from: ``log pi(a|s) =
logp(a)/T - logsumexp_b logp(b)/T`` over the legal actions, where ``logp`` is the model's
log-likelihood of an action's tokens after the prompt. The forward pass is the one the
backend scores with (:mod:`agents.llm.hf_batch`), with gradients: the prefix every
prompt of a minibatch shares (chat template, rules) runs once, then each row holds a
prompt's remainder and all its candidate actions packed under a tree mask (or, for models
that cannot take the mask, the candidates run on copies of the prompt's KV cache).
Gradients flow through all of it. Generate mode learns token by token on the sampled reply.

A minibatch is cut into chunks of at most ``token_budget`` tokens whose gradients add up
(the loss normaliser is a constant), so memory stays bounded for any minibatch size.
Extra choice-mode terms: an exact entropy bonus over the legal actions (``entropy_coef``)
and an exact KL to the frozen starting model (``kl_coef``). The learning rate follows
``lr_schedule`` over the run's iterations.
"""

from __future__ import annotations

import copy
import logging
import math
import random
from typing import Any, Sequence

import torch

from agents.llm.hf import HFBackend
from agents.llm.hf_batch import (budget_chunks, forked_token_logprobs, pad, shared_prefix,
                                 supports_tree, tree_token_logprobs)

from training.config import SelfPlayConfig
from training.losses import policy_gradient_loss
from training.rollout import Sample

log = logging.getLogger(__name__)

__all__ = ["Learner", "lr_factor"]


def lr_factor(schedule: str, iteration: int, total: int, final: float) -> float:
    """Multiplier of the base learning rate at ``iteration`` (1-based) of ``total``."""
    if schedule == "constant" or total <= 1:
        return 1.0
    frac = min(max((iteration - 1) / (total - 1), 0.0), 1.0)
    if schedule == "linear":
        return 1.0 + (final - 1.0) * frac
    if schedule == "cosine":
        return final + (1.0 - final) * 0.5 * (1.0 + math.cos(math.pi * frac))
    raise ValueError(f"lr_schedule={schedule!r} unknown (known: constant, linear, cosine)")


class Learner:
    def __init__(self, backend: HFBackend, config: SelfPlayConfig) -> None:
        self.backend = backend
        self.model = backend.model
        self.config = config
        params = [p for p in self.model.parameters() if p.requires_grad]
        if not params:
            raise ValueError("the model has no trainable parameters")
        self.optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
        self.ref_model = None
        if config.kl_coef > 0:
            self.ref_model = copy.deepcopy(self.model).eval()
            for p in self.ref_model.parameters():
                p.requires_grad_(False)

    # ----- choice mode: action scores ------------------------------------------------
    def action_scores(self, samples: Sequence[Sample], model: Any = None) -> torch.Tensor:
        """[R] summed log-likelihood of every legal action of every sample, in order
        (sample 0's actions, then sample 1's, ...), differentiable."""
        model = model or self.model
        b = self.backend
        prompts = [list(s.prompt_ids) for s in samples]
        cands = [[b.encode_continuation(a) for a in s.actions] for s in samples]
        prefix = shared_prefix(model, prompts, b.device)
        if supports_tree(model.config):
            tokens = tree_token_logprobs(model, prompts, cands, prefix, b.pad_id, b.device)
        else:
            tokens = forked_token_logprobs(model, prompts, cands, prefix, b.pad_id, b.device,
                                           self.config.token_budget)
        lengths = [len(c) for group in cands for c in group]
        owner = torch.repeat_interleave(torch.arange(len(lengths), device=b.device),
                                        torch.tensor(lengths, device=b.device))
        return torch.zeros(len(lengths), device=b.device).index_add(0, owner, tokens)

    def choice_logprobs(self, samples: Sequence[Sample], model: Any = None
                        ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """([B] log pi of each sample's chosen action, per sample [n_actions] log pi)."""
        totals = self.action_scores(samples, model)
        chosen, dists = [], []
        start = 0
        for s in samples:
            scores = totals[start:start + len(s.actions)] / self.config.temperature
            logp = scores - torch.logsumexp(scores, dim=0)
            dists.append(logp)
            chosen.append(logp[s.chosen])
            start += len(s.actions)
        return torch.stack(chosen), dists

    # ----- generate mode ----------------------------------------------------------------
    def token_logprobs(self, samples: Sequence[Sample], model: Any = None
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        """([B, T] log-probabilities of each sample's generated tokens, [B, T] mask)."""
        model = model or self.model
        dev = self.backend.device
        rows = [list(s.prompt_ids) + list(s.token_ids) for s in samples]
        ids, mask = pad(rows, self.backend.pad_id, dev, left=False)
        logits = model(input_ids=ids, attention_mask=mask).logits.float()
        lp = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:, None])[..., 0]
        width = max(len(s.token_ids) for s in samples)
        out = torch.zeros(len(samples), width, device=dev)
        tok_mask = torch.zeros(len(samples), width, device=dev)
        for i, s in enumerate(samples):
            p, n = len(s.prompt_ids), len(s.token_ids)
            out[i, :n] = lp[i, p - 1:p - 1 + n]
            tok_mask[i, :n] = 1.0
        return out, tok_mask

    # ----- one iteration's update ----------------------------------------------------
    def _choice_loss(self, batch: Sequence[Sample], adv: torch.Tensor
                     ) -> tuple[torch.Tensor, dict[str, float]]:
        cfg = self.config
        dev = self.backend.device
        new, dists = self.choice_logprobs(batch)
        old = torch.tensor([s.old_logprob for s in batch], device=dev)
        norm = float(cfg.minibatch)
        loss, extra = policy_gradient_loss(new[:, None], old[:, None], adv, torch.ones_like(new[:, None]),
                                           norm, cfg.clip_eps)
        entropy = torch.stack([-(d.exp() * d).sum() for d in dists])  # [B]
        extra["entropy"] = float(entropy.detach().sum())
        if cfg.entropy_coef:
            loss = loss - cfg.entropy_coef * entropy.sum() / norm
        if self.ref_model is not None:
            with torch.no_grad():
                _, ref = self.choice_logprobs(batch, self.ref_model)
            kl = torch.stack([(d.exp() * (d - r)).sum() for d, r in zip(dists, ref)])  # exact
            loss = loss + cfg.kl_coef * kl.sum() / norm
            extra["kl_ref"] = float(kl.detach().sum())
        else:
            extra["kl_ref"] = 0.0
        return loss, extra

    def _generate_loss(self, batch: Sequence[Sample], adv: torch.Tensor
                       ) -> tuple[torch.Tensor, dict[str, float]]:
        cfg = self.config
        new, mask = self.token_logprobs(batch)
        old = torch.zeros_like(new)
        for i, s in enumerate(batch):
            old[i, :len(s.logprobs)] = torch.tensor(s.logprobs)
        ref = None
        if self.ref_model is not None:
            with torch.no_grad():
                ref, _ = self.token_logprobs(batch, self.ref_model)
        loss, extra = policy_gradient_loss(new, old, adv, mask, float(cfg.minibatch * cfg.max_new_tokens),
                                           cfg.clip_eps, ref, cfg.kl_coef)
        extra["kl_ref"] *= len(batch)  # summed over decisions, like the choice-mode stats
        extra["entropy"] = 0.0
        return loss, extra

    def _chunks(self, idx: list[int], samples: Sequence[Sample]) -> list[list[int]]:
        def cost(i: int) -> int:
            s = samples[i]
            extra = sum(len(self.backend.encode_continuation(a)) for a in s.actions)
            return len(s.prompt_ids) + len(s.token_ids) + extra
        return list(budget_chunks(idx, cost, self.config.token_budget))

    def _step(self, idx: list[int], samples: Sequence[Sample], advantages: Sequence[float]
              ) -> dict[str, float]:
        """One optimiser step on the samples ``idx`` (gradients of chunks add up)."""
        self.optimizer.zero_grad(set_to_none=True)
        totals = {"loss": 0.0, "clip_fraction": 0.0, "approx_kl": 0.0, "kl_ref": 0.0,
                  "entropy": 0.0}
        for chunk in self._chunks(idx, samples):
            batch = [samples[i] for i in chunk]
            adv = torch.tensor([advantages[i] for i in chunk], dtype=torch.float32,
                               device=self.backend.device)
            fn = self._choice_loss if self.config.mode == "choice" else self._generate_loss
            loss, extra = fn(batch, adv)
            loss.backward()
            totals["loss"] += float(loss.detach())
            for k in ("clip_fraction", "approx_kl"):
                totals[k] += extra[k] * len(chunk)  # means per chunk -> sums
            totals["kl_ref"] += extra["kl_ref"]
            totals["entropy"] += extra["entropy"]
        norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.config.grad_clip)
        self.optimizer.step()
        totals["grad_norm"] = float(norm)
        return totals

    def update(self, samples: Sequence[Sample], advantages: Sequence[float], iteration: int
               ) -> dict[str, float]:
        """Epochs of minibatch steps over the samples with non-zero advantage."""
        cfg = self.config
        lr = cfg.lr * lr_factor(cfg.lr_schedule, iteration, cfg.iterations, cfg.lr_final)
        for group in self.optimizer.param_groups:
            group["lr"] = lr
        keep = [i for i, a in enumerate(advantages) if a != 0.0]
        stats = {"loss": 0.0, "clip_fraction": 0.0, "approx_kl": 0.0, "kl_ref": 0.0,
                 "entropy": 0.0, "grad_norm": 0.0, "steps": 0, "trained_samples": len(keep),
                 "lr": lr}
        if not keep:
            return stats
        rng = random.Random(f"learner/{cfg.seed}/{iteration}")
        self.model.train()
        seen = 0
        for _ in range(cfg.epochs):
            order = keep[:]
            rng.shuffle(order)
            for start in range(0, len(order), cfg.minibatch):
                idx = order[start:start + cfg.minibatch]
                step = self._step(idx, samples, advantages)
                for k, v in step.items():
                    stats[k] += v
                stats["steps"] += 1
                seen += len(idx)
        self.model.eval()
        stats["loss"] /= stats["steps"]
        stats["grad_norm"] /= stats["steps"]
        for k in ("clip_fraction", "approx_kl", "kl_ref", "entropy"):
            stats[k] /= seen
        return stats
