"""Rollouts and samples: every decision of the learning policy becomes a sample with its
tokens, sampling log-probability, role and final return; pool opponents' decisions do not."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("torch")

from agents import make_agent  # noqa: E402
from training.config import SelfPlayConfig  # noqa: E402
from training.rollout import collect_samples, play_iteration  # noqa: E402


@pytest.fixture(scope="module")
def models():
    from agents.llm.model_cache import ModelCache

    return ModelCache()


@pytest.fixture(scope="module")
def backend(tiny_model, models):
    from agents.llm.hf import HFBackend

    return HFBackend(tiny_model, device="cpu", models=models)


def _policy(models, config):
    """The policy agent, built through the LLMAgent constructor on the shared model."""
    from training.loop import policy_agent

    return policy_agent(config, models, model=config.model)


def _policy_decisions(records):
    return [(rec, d) for rec in records for d in rec.decisions if d.agent == "policy"]


def test_every_policy_decision_is_a_sample(models, backend, tiny_model):
    config = SelfPlayConfig(model=tiny_model, matches_per_iteration=8, seed=1)
    records = play_iteration(config, 1, _policy(models, config), [])
    assert len(records) == 8
    assert all(rec.agents == ("policy", "policy") for rec in records)  # self-play: both seats
    samples = collect_samples(records, "policy", invalid_penalty=-1.0)
    decisions = _policy_decisions(records)
    assert len(samples) == len(decisions) == sum(len(r.decisions) for r in records)
    for s, (rec, d) in zip(samples, decisions):
        assert s.key == f"kuhn_poker/{d.role}"
        assert s.reward == rec.returns[d.player]
        assert s.prompt_ids and s.token_ids == d.token_ids
        assert s.actions == d.legal_actions and s.actions[s.chosen] == d.action
        assert s.old_logprob == pytest.approx(math.log(d.distribution[d.action]))
        assert s.old_logprob <= 0.0 and s.valid
    assert {s.key for s in samples} == {"kuhn_poker/first", "kuhn_poker/second"}


def test_rollouts_are_seeded(models, backend, tiny_model):
    config = SelfPlayConfig(model=tiny_model, matches_per_iteration=6, seed=2)
    one = play_iteration(config, 3, _policy(models, config), [])
    two = play_iteration(config, 3, _policy(models, config), [])
    assert [[d.action for d in r.decisions] for r in one] == \
        [[d.action for d in r.decisions] for r in two]
    other = play_iteration(config, 4, _policy(models, config), [])
    assert [r.seed for r in other] != [r.seed for r in one]


def test_learner_recomputes_the_sampling_log_probabilities(models, backend, tiny_model):
    """The learner's log pi of each sampled action equals what the agent sampled from."""
    from training.learner import Learner
    from training.scoring import choice_logprobs

    config = SelfPlayConfig(model=tiny_model, matches_per_iteration=4, seed=3)
    samples = collect_samples(play_iteration(config, 1, _policy(models, config), []),
                              "policy", -1.0)
    chosen, _ = choice_logprobs(Learner(backend, config).model, backend, samples,
                                config.temperature, config.token_budget)
    assert chosen.tolist() == pytest.approx([s.old_logprob for s in samples], abs=1e-4)


def test_pool_opponents_are_not_trained_on(models, backend, tiny_model):
    config = SelfPlayConfig(model=tiny_model, matches_per_iteration=8, seed=4,
                            opponents=["random"], opponent_prob=1.0)
    pool = [make_agent("random", seed=0)]
    records = play_iteration(config, 1, _policy(models, config), pool)
    assert all(sorted(rec.agents) == ["policy", "random"] for rec in records)
    samples = collect_samples(records, "policy", invalid_penalty=-1.0)
    decisions = _policy_decisions(records)
    total = sum(len(r.decisions) for r in records)
    assert len(samples) == len(decisions) < total
    for s, (rec, d) in zip(samples, decisions):
        assert s.reward == rec.returns[d.player] and s.token_ids == d.token_ids


def test_generate_mode_samples_carry_tokens_and_the_invalid_penalty(models, backend, tiny_model):
    config = SelfPlayConfig(model=tiny_model, mode="generate", matches_per_iteration=4,
                            max_new_tokens=6, seed=5)
    records = play_iteration(config, 1, _policy(models, config), [])
    samples = collect_samples(records, "policy", invalid_penalty=-0.5)
    decisions = _policy_decisions(records)
    assert len(samples) == len(decisions) > 0
    for s, (rec, d) in zip(samples, decisions):
        assert 0 < len(s.token_ids) <= 6 and len(s.logprobs) == len(s.token_ids)
        assert all(lp <= 0.0 for lp in s.logprobs)
        assert s.valid == d.valid
        assert s.reward == rec.returns[d.player] + (0.0 if d.valid else -0.5)
    assert any(not s.valid for s in samples)  # an untrained model rarely answers in format
