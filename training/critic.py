"""The per-turn critic of ``step_credit=critic``: a linear value head on the policy
model's last hidden state at the end of a decision's prompt.

Which and why: a linear layer on the policy's own features rather than a separate model.
It costs one forward pass over the iteration's prompts without gradients and a few
thousand parameters, so it fits the same CPU and memory as the policy (a second model
would double both), and it reads the state as the policy reads it. The features are taken
without gradient (stop-gradient): the value loss never moves the policy's weights, so the
arms of an ablation differ in their advantages alone.

Each iteration (:meth:`Critic.advantages`): features of every sample's prompt, values V
from the head as it is, per-turn GAE along each player's decisions
(:func:`training.credit.gae`), then the head is fitted to the targets (the lambda-returns)
for :data:`FIT_EPOCHS` passes with its own Adam optimiser. ``critic/loss`` is the mean
squared error after fitting; ``critic/explained_variance`` is ``1 - Var(target - V) /
Var(target)`` with V from before the fit (how well it predicted returns it had not seen).
The head and its optimiser are saved in the checkpoint and resumed bit for bit.
"""

from __future__ import annotations

import random
from typing import Any, Sequence

import torch

from agents.llm.hf import HFBackend

from training.credit import Step, gae, normalise_per_role

__all__ = ["Critic", "FIT_EPOCHS", "prompt_features"]

FIT_EPOCHS = 4
"""Passes of the head over an iteration's (features, target) pairs."""
FIT_MINIBATCH = 256


@torch.no_grad()
def prompt_features(model: Any, backend: HFBackend, prompts: Sequence[Sequence[int]],
                    token_budget: int) -> torch.Tensor:
    """[N, H] the last layer's hidden state at each prompt's last token, float32 on CPU;
    each distinct prompt runs once, in right-padded batches of at most ``token_budget``
    tokens."""
    distinct = list(dict.fromkeys(tuple(p) for p in prompts))
    index = {p: i for i, p in enumerate(distinct)}
    order = sorted(range(len(distinct)), key=lambda i: len(distinct[i]))
    feats: list[torch.Tensor | None] = [None] * len(distinct)
    batch: list[int] = []

    def run(rows: list[int]) -> None:
        width = max(len(distinct[i]) for i in rows)
        ids = torch.full((len(rows), width), backend.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for r, i in enumerate(rows):
            ids[r, :len(distinct[i])] = torch.tensor(distinct[i])
            mask[r, :len(distinct[i])] = 1
        out = model(input_ids=ids.to(backend.device), attention_mask=mask.to(backend.device),
                    output_hidden_states=True, logits_to_keep=1)  # no full-vocab logits
        last = out.hidden_states[-1]
        for r, i in enumerate(rows):
            feats[i] = last[r, len(distinct[i]) - 1].float().cpu()

    for i in order:
        width = len(distinct[i])
        if batch and width * (len(batch) + 1) > token_budget:
            run(batch)
            batch = []
        batch.append(i)
    if batch:
        run(batch)
    if not distinct:
        return torch.zeros((0, 0))
    table = torch.stack([f for f in feats if f is not None])
    return table[[index[tuple(p)] for p in prompts]]


class Critic:
    """The value head and its optimiser (see the module docstring)."""

    def __init__(self, hidden_size: int, lr: float, seed: int) -> None:
        with torch.random.fork_rng(devices=[]):  # the global generator is left as it was
            self.head = torch.nn.Linear(hidden_size, 1)
        torch.nn.init.zeros_(self.head.weight)  # V = 0 to start: the first advantages are
        torch.nn.init.zeros_(self.head.bias)  # the returns-to-go themselves
        self.optimizer = torch.optim.Adam(self.head.parameters(), lr=lr)
        self.seed = seed

    @classmethod
    def for_model(cls, model: Any, lr: float, seed: int) -> "Critic":
        config = getattr(model, "config", None)
        hidden = getattr(config, "hidden_size", None) or getattr(config, "n_embd", None)
        if hidden is None:
            raise ValueError("step_credit=critic needs a model whose config states "
                             "hidden_size; use --step-credit groups or search with this model")
        return cls(int(hidden), lr, seed)

    def advantages(self, model: Any, backend: HFBackend, prompts: Sequence[Sequence[int]],
                   steps: Sequence[Step], gamma: float, lam: float, token_budget: int,
                   iteration: int) -> tuple[list[float], dict[str, float]]:
        """(step advantages normalised per role, metrics) for one iteration's samples; fits
        the head to this iteration's targets afterwards."""
        if not steps:
            return [], {}
        feats = prompt_features(model, backend, prompts, token_budget)
        with torch.no_grad():
            values = self.head(feats).squeeze(1).tolist()
        trajectories: dict[tuple[int, int], list[int]] = {}
        for i, s in enumerate(steps):
            trajectories.setdefault((s.match, s.player), []).append(i)
        adv, targets = gae([s.reward for s in steps], values, list(trajectories.values()),
                           gamma, lam)
        target = torch.tensor(targets, dtype=torch.float32)
        before = torch.tensor(values, dtype=torch.float32)
        var = float(target.var(unbiased=False))
        explained = 1.0 - float((target - before).var(unbiased=False)) / var if var > 0 else 0.0
        loss = self._fit(feats, target, iteration)
        return normalise_per_role(adv, [s.key for s in steps]), {
            "critic/loss": loss, "critic/explained_variance": explained,
            "critic/value_mean": float(before.mean())}

    def _fit(self, feats: torch.Tensor, target: torch.Tensor, iteration: int) -> float:
        rng = random.Random(f"critic/{self.seed}/{iteration}")
        order = list(range(len(target)))
        for _ in range(FIT_EPOCHS):
            rng.shuffle(order)
            for start in range(0, len(order), FIT_MINIBATCH):
                rows = order[start:start + FIT_MINIBATCH]
                self.optimizer.zero_grad(set_to_none=True)
                pred = self.head(feats[rows]).squeeze(1)
                torch.nn.functional.mse_loss(pred, target[rows]).backward()
                self.optimizer.step()
        with torch.no_grad():
            return float(torch.nn.functional.mse_loss(self.head(feats).squeeze(1), target))

    def state_dict(self) -> dict[str, Any]:
        return {"head": self.head.state_dict(), "optimizer": self.optimizer.state_dict()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.head.load_state_dict(state["head"])
        self.optimizer.load_state_dict(state["optimizer"])
