"""What the model says about recorded decisions, differentiably: the one place objectives
get log-probabilities from.

:func:`score_actions` is the choice-mode primitive: the summed log-likelihood of each
candidate action's tokens after its prompt. It is the forward pass the backend scores
with (:mod:`agents.llm.hf_batch`), with gradients: the prefix every prompt shares (chat
template, rules) runs once, then each row holds a prompt's remainder and all its
candidates packed under a tree mask (or, for models that cannot take the mask, the
candidates run on copies of the prompt's KV cache). A policy-gradient objective scores
every legal action of a decision; a pairwise objective (step-DPO) scores a chosen and a
rejected action after the same prompt, under the policy and under the reference model.

:func:`choice_logprobs` turns the scores into the exact policy the agent samples from,
``log pi(a|s) = logp(a)/T - logsumexp_b logp(b)/T`` over the legal actions;
:func:`token_logprobs` gives the per-token log-probabilities of generated replies.
"""

from __future__ import annotations

from typing import Any, Sequence

import torch

from agents.llm.hf import HFBackend
from agents.llm.hf_batch import (forked_token_logprobs, pad, shared_prefix, supports_tree,
                                 tree_token_logprobs)

from training.rollout import Sample

__all__ = ["score_actions", "choice_logprobs", "token_logprobs"]


def score_actions(model: Any, backend: HFBackend, prompt_ids: Sequence[Sequence[int]],
                  actions: Sequence[Sequence[str]], token_budget: int) -> torch.Tensor:
    """[R] summed log-likelihood under ``model`` of every action after its prompt, flat in
    order (prompt 0's actions, then prompt 1's, ...); differentiable unless called under
    no-grad. ``backend`` gives the tokenizer, the pad id and the device."""
    prompts = [list(p) for p in prompt_ids]
    cands = [[backend.encode_continuation(a) for a in group] for group in actions]
    prefix = shared_prefix(model, prompts, backend.device)
    if supports_tree(model.config):
        tokens = tree_token_logprobs(model, prompts, cands, prefix, backend.pad_id, backend.device)
    else:
        tokens = forked_token_logprobs(model, prompts, cands, prefix, backend.pad_id,
                                       backend.device, token_budget)
    lengths = [len(c) for group in cands for c in group]
    owner = torch.repeat_interleave(torch.arange(len(lengths), device=backend.device),
                                    torch.tensor(lengths, device=backend.device))
    return torch.zeros(len(lengths), device=backend.device).index_add(0, owner, tokens)


def choice_logprobs(model: Any, backend: HFBackend, samples: Sequence[Sample],
                    temperature: float, token_budget: int
                    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """([B] log pi of each sample's chosen action, per sample [n_actions] log pi)."""
    totals = score_actions(model, backend, [s.prompt_ids for s in samples],
                           [s.actions for s in samples], token_budget)
    chosen, dists = [], []
    start = 0
    for s in samples:
        scores = totals[start:start + len(s.actions)] / temperature
        logp = scores - torch.logsumexp(scores, dim=0)
        dists.append(logp)
        chosen.append(logp[s.chosen])
        start += len(s.actions)
    return torch.stack(chosen), dists


def token_logprobs(model: Any, backend: HFBackend, samples: Sequence[Sample]
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """([B, T] log-probabilities of each sample's generated tokens, [B, T] mask).

    The rows (prompt then reply) are padded on the left, so every reply ends in the last
    column and the head runs only at the last ``T + 1`` positions: a [B, T + 1, vocab]
    logits tensor instead of one over every prompt position (with a 49k vocabulary and
    300-token prompts, that was most of the learner's memory)."""
    dev = backend.device
    rows = [list(s.prompt_ids) + list(s.token_ids) for s in samples]
    ids, mask = pad(rows, backend.pad_id, dev, left=True)
    width = max(len(s.token_ids) for s in samples)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    logits = model(input_ids=ids, attention_mask=mask, position_ids=pos,
                   logits_to_keep=width + 1).logits
    # column k of ``logits`` predicts the token in column L - width + k of ``ids``
    targets = ids[:, ids.shape[1] - width:]
    scores = logits[:, :width].float()
    lp = scores.gather(-1, targets[..., None])[..., 0] - torch.logsumexp(scores, dim=-1)
    out = torch.zeros(len(samples), width, device=dev)
    tok_mask = torch.zeros(len(samples), width, device=dev)
    for i, s in enumerate(samples):
        n = len(s.token_ids)
        out[i, :n] = lp[i, width - n:]
        tok_mask[i, :n] = 1.0
    return out, tok_mask
