"""Losses as pure tensor functions, each tested against a naive reference.

Shapes: B samples (decisions), T tokens per sample (padded), mask 1 on real tokens.
"""

from __future__ import annotations

import torch

__all__ = ["policy_gradient_loss", "kl_penalty", "dpo_loss"]


def kl_penalty(logprobs: torch.Tensor, ref_logprobs: torch.Tensor) -> torch.Tensor:
    """Per-token estimate of KL(policy || reference), the non-negative "k3" estimator:
    ``exp(ref - logp) - (ref - logp) - 1``. Shapes [B, T] -> [B, T]."""
    d = ref_logprobs - logprobs
    return torch.exp(d) - d - 1.0


def policy_gradient_loss(
    logprobs: torch.Tensor,  # [B, T] current policy, per token
    old_logprobs: torch.Tensor,  # [B, T] at sampling time
    advantages: torch.Tensor,  # [B]
    mask: torch.Tensor,  # [B, T] 1.0 on tokens of the decision
    normaliser: float,  # a constant (Dr.GRPO): not the number of tokens in this batch
    clip_eps: float | None = None,  # PPO clipping of the ratio; None: plain policy gradient
    ref_logprobs: torch.Tensor | None = None,  # [B, T] frozen reference, for the KL term
    kl_coef: float = 0.0,
) -> tuple[torch.Tensor, dict[str, float]]:
    """Token-level policy gradient with the same advantage on every token of a decision.

    Returns the scalar loss and diagnostics (clip fraction, approximate KL to the sampling
    policy, KL to the reference).
    """
    if normaliser <= 0:
        raise ValueError(f"normaliser={normaliser!r} must be > 0")
    mask = mask.to(logprobs.dtype)
    adv = advantages.to(logprobs.dtype).unsqueeze(1)  # [B, 1]
    ratio = torch.exp(logprobs - old_logprobs)  # [B, T]
    per_token = ratio * adv
    clip_frac = 0.0
    if clip_eps is not None:
        clipped = torch.clamp(ratio, 1.0 - clip_eps, 1.0 + clip_eps) * adv
        per_token = torch.minimum(per_token, clipped)
        was_clipped = ((ratio - 1.0).abs() > clip_eps).to(mask.dtype) * mask
        clip_frac = float(was_clipped.sum() / mask.sum().clamp(min=1.0))
    loss_tok = -per_token
    kl_ref = 0.0
    if kl_coef and ref_logprobs is not None:
        kl = kl_penalty(logprobs, ref_logprobs)
        loss_tok = loss_tok + kl_coef * kl
        kl_ref = float((kl * mask).sum() / mask.sum().clamp(min=1.0))
    loss = (loss_tok * mask).sum() / normaliser
    with torch.no_grad():
        approx_kl = float((((ratio - 1.0) - (logprobs - old_logprobs)) * mask).sum()
                          / mask.sum().clamp(min=1.0))
    return loss, {"clip_fraction": clip_frac, "approx_kl": approx_kl, "kl_ref": kl_ref}


def dpo_loss(
    chosen_logps: torch.Tensor,  # [P] summed log-probs of the chosen step under the policy
    rejected_logps: torch.Tensor,  # [P]
    ref_chosen_logps: torch.Tensor,  # [P] under the frozen reference
    ref_rejected_logps: torch.Tensor,  # [P]
    beta: float = 0.1,
    label_smoothing: float | torch.Tensor = 0.0,  # scalar or [P], each in [0, 0.5]
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Step-level DPO: ``-log sigmoid(beta * (chosen margin - rejected margin))`` per pair;
    with ``label_smoothing`` e, the conservative variant ``-(1 - e) log sigmoid(d) - e log
    sigmoid(-d)`` (the label is right with probability 1 - e; e = 0.5 teaches nothing).

    Returns (losses [P], chosen_rewards [P], rejected_rewards [P]).
    """
    if beta <= 0:
        raise ValueError(f"beta={beta!r} must be > 0, e.g. 0.1")
    eps = torch.as_tensor(label_smoothing, dtype=chosen_logps.dtype, device=chosen_logps.device)
    if bool((eps < 0).any()) or bool((eps > 0.5).any()):
        raise ValueError(f"label_smoothing={label_smoothing!r} must be in [0, 0.5]")
    chosen_rewards = beta * (chosen_logps - ref_chosen_logps)
    rejected_rewards = beta * (rejected_logps - ref_rejected_logps)
    d = chosen_rewards - rejected_rewards
    logsig = torch.nn.functional.logsigmoid
    losses = -(1.0 - eps) * logsig(d) - eps * logsig(-d)
    return losses, chosen_rewards.detach(), rejected_rewards.detach()
