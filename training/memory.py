"""The learner's token budget, sized by memory.

A learner pass keeps the activations of every token it scores until the backward pass:
about ``bytes_per_token`` of them (:func:`activation_bytes_per_token`, from the model's
shape and parameter type). The budget a run uses (:func:`fitted_token_budget`) is the
configured ``token_budget`` or, when that would not fit, the largest power of two whose
activations take at most half of the memory free when the learner is built (the other
half: the rollout's batches, the optimiser, a reference model), shared among the
processes of this machine. It is chosen once, kept in the run's checkpoints and reused
on resume, so a resumed run cuts its minibatches exactly as before.

Measured on SmolLM2-135M with LoRA (Kuhn Poker, a 17,585-token minibatch, one thread):
peak RSS 16.27 GB at a budget of 16,384 tokens, 5.72 GB at 4,096, 2.35 GB at 1,024:
0.86-1.10 MB per token of budget; the estimate below gives it 1.66 MB (on the safe side).
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["activation_bytes_per_token", "available_bytes", "fitted_token_budget"]

_HIDDEN_COPIES = 16
"""Activations of the hidden size kept per token and layer for the backward pass
(norms, the four attention projections and their inputs, residuals, the MLP's input and
output, with what autograd keeps beside them)."""
_INTERMEDIATE_COPIES = 3
"""Activations of the MLP's intermediate size kept per token and layer (gate, up, and
their product)."""
_MIN_BUDGET = 256


def activation_bytes_per_token(model_config: Any, dtype_bytes: int) -> int:
    """Bytes of activations a learner pass keeps per token, from the model's shape."""
    hidden = int(getattr(model_config, "hidden_size", 0) or 0)
    layers = int(getattr(model_config, "num_hidden_layers", 0) or 0)
    inner = int(getattr(model_config, "intermediate_size", 0) or 4 * hidden)
    per_layer = _HIDDEN_COPIES * hidden + _INTERMEDIATE_COPIES * inner
    return max(1, layers * per_layer * dtype_bytes)


def available_bytes(device: Any) -> int | None:
    """Memory free for this process's activations: the accelerator's free memory, or the
    machine's available memory (Linux ``MemAvailable``); None when it cannot be read."""
    kind = getattr(device, "type", str(device))
    if kind == "cuda":
        import torch

        free, _total = torch.cuda.mem_get_info(device)
        return int(free)
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None


def fitted_token_budget(configured: int, per_token: int, free: int | None,
                        processes_here: int = 1) -> int:
    """``configured``, or the largest power of two (at least 256) whose activations take
    at most half of ``free`` shared among ``processes_here`` processes, if that is less."""
    if free is None:
        return configured
    fits = free // (2 * max(1, processes_here) * per_token)
    if fits >= configured:
        return configured
    budget = _MIN_BUDGET
    while budget * 2 <= fits:
        budget *= 2
    return min(configured, budget)
