"""The learner: log-probabilities of recorded decisions under the current model, and the
optimiser step.

Choice mode learns the exact policy the agent samples from: ``log pi(a|s) =
logp(a)/T - logsumexp_b logp(b)/T`` over the legal actions, where ``logp`` is the model's
log-likelihood of an action's tokens after the prompt. The prompt runs once per decision
(a KV cache), candidates continue from it, gradients flow through both. Generate mode
learns token by token on the sampled reply.
"""

from __future__ import annotations

import copy
import logging
import random
from typing import Any, Sequence

import torch

from agents.llm.hf import HFBackend, _fork_cache

from training.config import SelfPlayConfig
from training.losses import policy_gradient_loss
from training.rollout import Sample

log = logging.getLogger(__name__)

__all__ = ["Learner"]


class Learner:
    def __init__(self, backend: HFBackend, config: SelfPlayConfig) -> None:
        self.backend = backend
        self.model = backend.model
        self.config = config
        self._cand_cache: dict[str, list[int]] = {}
        params = [p for p in self.model.parameters() if p.requires_grad]
        if not params:
            raise ValueError("the model has no trainable parameters")
        self.optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
        self.ref_model = None
        if config.kl_coef > 0:
            self.ref_model = copy.deepcopy(self.model).eval()
            for p in self.ref_model.parameters():
                p.requires_grad_(False)

    # ----- log-probabilities --------------------------------------------------------
    def _cand_ids(self, action: str) -> list[int]:
        if action not in self._cand_cache:
            self._cand_cache[action] = self.backend.encode_continuation(action)
        return self._cand_cache[action]

    def choice_logprobs(self, samples: Sequence[Sample], model: Any = None) -> torch.Tensor:
        """[B] log-probability of each sample's chosen action under ``model``."""
        model = model or self.model
        b = self.backend
        ids, mask = b._left_pad([s.prompt_ids for s in samples])
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        out = model(input_ids=ids, attention_mask=mask, position_ids=pos, use_cache=True,
                    logits_to_keep=1)
        first = torch.log_softmax(out.logits[:, -1].float(), dim=-1)  # [B, V]
        rows = [(j, k) for j, s in enumerate(samples) for k in range(len(s.actions))]
        cands = [self._cand_ids(samples[j].actions[k]) for j, k in rows]
        totals = first[[j for j, _ in rows], [c[0] for c in cands]]  # [R]
        longer = [r for r, c in enumerate(cands) if len(c) > 1]
        if longer:
            index = torch.tensor([rows[r][0] for r in longer])
            inp, inp_mask = b._right_pad([cands[r][:-1] for r in longer])
            targets, _ = b._right_pad([cands[r][1:] for r in longer])
            steps = torch.arange(inp.shape[1])
            more = model(input_ids=inp, attention_mask=torch.cat([mask[index], inp_mask], dim=1),
                         position_ids=pos[index, -1:] + 1 + steps,
                         past_key_values=_fork_cache(out.past_key_values, index), use_cache=True)
            lp = torch.log_softmax(more.logits.float(), dim=-1)
            picked = lp.gather(-1, targets[..., None])[..., 0] * inp_mask  # [L, T]
            totals = totals.index_add(0, torch.tensor(longer), picked.sum(-1))
        result = []
        start = 0
        temp = self.config.temperature
        for s in samples:
            n = len(s.actions)
            scores = totals[start:start + n] / temp
            result.append(scores[s.chosen] - torch.logsumexp(scores, dim=0))
            start += n
        return torch.stack(result)

    def token_logprobs(self, samples: Sequence[Sample], model: Any = None
                       ) -> tuple[torch.Tensor, torch.Tensor]:
        """([B, T] log-probabilities of each sample's generated tokens, [B, T] mask)."""
        model = model or self.model
        rows = [list(s.prompt_ids) + list(s.token_ids) for s in samples]
        ids, mask = self.backend._right_pad(rows)
        logits = model(input_ids=ids, attention_mask=mask).logits.float()
        lp = torch.log_softmax(logits[:, :-1], dim=-1).gather(-1, ids[:, 1:, None])[..., 0]
        width = max(len(s.token_ids) for s in samples)
        out = torch.zeros(len(samples), width)
        tok_mask = torch.zeros(len(samples), width)
        for i, s in enumerate(samples):
            p, n = len(s.prompt_ids), len(s.token_ids)
            out[i, :n] = lp[i, p - 1:p - 1 + n]
            tok_mask[i, :n] = 1.0
        return out, tok_mask

    # ----- one iteration's update ----------------------------------------------------
    def _minibatch_loss(self, batch: Sequence[Sample], adv: torch.Tensor
                        ) -> tuple[torch.Tensor, dict[str, float]]:
        cfg = self.config
        if cfg.mode == "choice":
            new = self.choice_logprobs(batch)[:, None]
            old = torch.tensor([[s.old_logprob] for s in batch])
            mask = torch.ones_like(new)
            norm = float(cfg.minibatch)
            ref = None
            if self.ref_model is not None:
                with torch.no_grad():
                    ref = self.choice_logprobs(batch, self.ref_model)[:, None]
        else:
            new, mask = self.token_logprobs(batch)
            old = torch.zeros_like(new)
            for i, s in enumerate(batch):
                old[i, :len(s.logprobs)] = torch.tensor(s.logprobs)
            norm = float(cfg.minibatch * cfg.max_new_tokens)
            ref = None
            if self.ref_model is not None:
                with torch.no_grad():
                    ref, _ = self.token_logprobs(batch, self.ref_model)
        return policy_gradient_loss(new, old, adv, mask, norm, cfg.clip_eps, ref, cfg.kl_coef)

    def update(self, samples: Sequence[Sample], advantages: Sequence[float], iteration: int
               ) -> dict[str, float]:
        """Epochs of minibatch steps over the samples with non-zero advantage."""
        cfg = self.config
        keep = [i for i, a in enumerate(advantages) if a != 0.0]
        stats = {"loss": 0.0, "clip_fraction": 0.0, "approx_kl": 0.0, "kl_ref": 0.0,
                 "grad_norm": 0.0, "steps": 0, "trained_samples": len(keep)}
        if not keep:
            return stats
        rng = random.Random(f"learner/{cfg.seed}/{iteration}")
        self.model.train()
        for _ in range(cfg.epochs):
            order = keep[:]
            rng.shuffle(order)
            for start in range(0, len(order), cfg.minibatch):
                idx = order[start:start + cfg.minibatch]
                batch = [samples[i] for i in idx]
                adv = torch.tensor([advantages[i] for i in idx], dtype=torch.float32)
                loss, extra = self._minibatch_loss(batch, adv)
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.grad_clip)
                self.optimizer.step()
                stats["loss"] += float(loss.detach())
                stats["grad_norm"] += float(norm)
                for k in ("clip_fraction", "approx_kl", "kl_ref"):
                    stats[k] += extra[k]
                stats["steps"] += 1
        self.model.eval()
        for k in ("loss", "grad_norm", "clip_fraction", "approx_kl", "kl_ref"):
            stats[k] /= max(stats["steps"], 1)
        return stats
