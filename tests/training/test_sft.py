"""Supervised fine-tuning on an expert's decisions (training/sft.py)."""

from __future__ import annotations

import math

import pytest
import torch

from training.config import SelfPlayConfig


def _config(tiny_model, **extra) -> SelfPlayConfig:
    base = dict(model=tiny_model, games=["household:size=small,max_steps=8"], device="cpu",
                sft_from="household-expert", sft_episodes=2, sft_epochs=3, lr=2e-3,
                minibatch=16, token_budget=8192, seed=3)
    base.update(extra)
    return SelfPlayConfig(**base)


@pytest.fixture
def backend(tiny_model):
    from agents.llm.hf import HFBackend
    from agents.llm.model_cache import ModelCache

    return HFBackend(tiny_model, device="cpu", models=ModelCache())


def test_demonstrations_are_the_experts_choices(tiny_model, backend):
    from training.sft import demonstrations

    demos = demonstrations(_config(tiny_model), backend, "household-expert", 2)
    assert demos and all(0 <= d.chosen < len(d.actions) for d in demos)
    assert all(d.actions[d.chosen].startswith("[") for d in demos)
    assert all(len(d.prompt_ids) > 0 for d in demos)
    again = demonstrations(_config(tiny_model), backend, "household-expert", 2)
    assert [(d.prompt_ids, d.chosen) for d in again] == [(d.prompt_ids, d.chosen) for d in demos]


def test_sft_loss_matches_a_naive_cross_entropy(tiny_model, backend):
    from training.objectives import Context
    from training.scoring import score_actions
    from training.sft import SupervisedFineTuning, demonstrations

    demos = demonstrations(_config(tiny_model), backend, "household-expert", 1)[:3]
    objective = SupervisedFineTuning(normaliser=4.0)
    ctx = Context(backend.model, None, backend, 8192)
    with torch.no_grad():
        loss, sums = objective.loss(demos, ctx)
        naive = 0.0
        for d in demos:
            scores = score_actions(backend.model, backend, [d.prompt_ids], [d.actions], 8192)
            naive -= float(torch.log_softmax(scores, 0)[d.chosen])
    assert math.isclose(float(loss), naive / 4.0, rel_tol=1e-4)
    assert math.isclose(sums["nll"], naive, rel_tol=1e-4)
    assert 0 <= sums["accuracy"] <= len(demos)


def test_warm_start_raises_the_experts_likelihood(tiny_model, backend):
    from training.sft import warm_start

    row = warm_start(_config(tiny_model), backend)
    assert row["sft/demonstrations"] >= 8
    assert row["sft/logprob_after"] > row["sft/logprob_before"] + 0.1


def test_sft_needs_choice_mode(tiny_model):
    with pytest.raises(ValueError, match="sft_from='household-expert' needs mode=choice"):
        _config(tiny_model, mode="generate")
