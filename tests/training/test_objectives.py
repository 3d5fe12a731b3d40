"""The learner takes objectives: one differentiable score_actions shared by them, weighted
losses summed in one optimiser step, a pairwise objective with a reference model plugging
in without a change to the learner, and a loss or parameter that turns non-finite stopping
the run without touching the last good checkpoint."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import pytest

from tests.training.helpers import SMOKE

torch = pytest.importorskip("torch")

from agents.llm.hf import HFBackend  # noqa: E402
from agents.llm.model_cache import ModelCache  # noqa: E402
from training.config import SelfPlayConfig  # noqa: E402
from training.learner import Learner, NonFiniteError  # noqa: E402
from training.losses import dpo_loss  # noqa: E402
from training.objectives import Context, LearnBatch, Objective, PolicyGradient  # noqa: E402
from training.rollout import collect_samples, play_iteration  # noqa: E402
from training.scoring import score_actions  # noqa: E402


@pytest.fixture()
def backend(tiny_model) -> HFBackend:
    """A private copy of the model (the learner trains it in place)."""
    return HFBackend(tiny_model, device="cpu", models=ModelCache())


@pytest.fixture(scope="module")
def samples(tiny_model):
    from training.loop import policy_agent

    models = ModelCache()
    config = SelfPlayConfig(model=tiny_model, matches_per_iteration=6, seed=11, device="cpu")
    records = play_iteration(config, 1, policy_agent(config, models, model=tiny_model), [])
    return collect_samples(records, "policy", -1.0)


@dataclass
class PairwiseToy(Objective):
    """A step-DPO-shaped objective written only against the objective contract: pairs of
    (prompt ids, chosen action, rejected action), scored with score_actions under the
    policy and the reference."""

    weight: float = 0.5
    beta: float = 0.1
    name: str = "pairs"
    needs_reference: bool = True
    namespace: str = "rewards"
    metrics: tuple[str, ...] = ("chosen",)

    def items(self, batch: LearnBatch) -> list[Any]:
        return list(batch.pairs)

    def cost(self, item: Any, ctx: Context) -> int:
        return len(item[0]) + 4

    def loss(self, items: Sequence[Any], ctx: Context):
        prompts = [p for p, _, _ in items]
        actions = [[c, r] for _, c, r in items]
        pol = score_actions(ctx.model, ctx.backend, prompts, actions, ctx.token_budget).view(-1, 2)
        with torch.no_grad():
            ref = score_actions(ctx.reference, ctx.backend, prompts, actions,
                                ctx.token_budget).view(-1, 2)
        losses, chosen, _ = dpo_loss(pol[:, 0], pol[:, 1], ref[:, 0], ref[:, 1], self.beta)
        return losses.sum() / 8.0, {"chosen": float(chosen.sum())}


def _pairs(samples) -> list[tuple]:
    return [(s.prompt_ids, s.actions[0], s.actions[-1]) for s in samples if len(s.actions) > 1]


def test_score_actions_is_the_backends_score_and_differentiable(backend, samples):
    some = samples[:4]
    scores = score_actions(backend.model, backend, [s.prompt_ids for s in some],
                           [s.actions for s in some], token_budget=4096)
    assert scores.requires_grad and scores.shape == (sum(len(s.actions) for s in some),)
    texts = [backend.tokenizer.decode(s.prompt_ids) for s in some]
    want = [lp for sc in backend.score(texts, [list(s.actions) for s in some]) for lp in sc.logprob]
    assert scores.tolist() == pytest.approx(want, abs=1e-4)
    scores.sum().backward()
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in backend.model.parameters())


def test_one_policy_gradient_objective_keeps_the_metrics_row(backend, samples, tiny_model):
    config = SelfPlayConfig(model=tiny_model, minibatch=4, seed=1)
    learner = Learner(backend, config)
    assert [o.name for o in learner.objectives] == ["policy_gradient"]
    assert learner.ref_model is None  # kl_coef 0: nothing asks for a reference
    adv = [1.0 if i % 2 else -1.0 for i in range(len(samples))]
    stats = learner.update(LearnBatch(samples, adv), 1)
    assert set(stats) == {"loss", "grad_norm", "steps", "trained_samples", "trained_tokens",
                          "lr", "token_budget", "train/clip_fraction", "train/approx_kl",
                          "train/kl_ref", "train/entropy"}
    assert set(learner.metrics_row(stats)) == {
        "losses/loss", "train/grad_norm", "train/steps", "train/trained_samples",
        "train/trained_tokens", "train/lr", "train/token_budget", "train/clip_fraction",
        "train/approx_kl", "train/kl_ref", "train/entropy"}
    assert stats["token_budget"] == config.token_budget  # the local model fits any budget
    assert stats["steps"] == -(-len(samples) // 4) and stats["trained_samples"] == len(samples)


def test_weighted_objectives_are_summed_in_one_step(backend, samples, tiny_model, monkeypatch):
    """The gradient a step applies is sum_i weight_i * grad(loss_i)."""
    config = SelfPlayConfig(model=tiny_model, minibatch=64, grad_clip=1e9, seed=2)
    pg, toy = PolicyGradient.from_config(config), PairwiseToy()
    learner = Learner(backend, config, [pg, toy])
    assert learner.ref_model is not None  # the pairwise objective asked for it
    adv = [0.5 * (i % 3 - 1) for i in range(len(samples))]
    batch = LearnBatch(samples, adv, pairs=_pairs(samples))
    params = [p for p in backend.model.parameters() if p.requires_grad]

    ctx = learner.context()
    want = []
    for obj, w in ((pg, 1.0), (toy, 0.5)):
        backend.model.zero_grad()
        loss, _ = obj.loss(obj.items(batch), ctx)
        loss.backward()
        want.append([w * (p.grad.clone() if p.grad is not None else torch.zeros_like(p))
                     for p in params])
    backend.model.zero_grad()

    monkeypatch.setattr(learner.optimizer, "step", lambda: None)  # keep the gradients to compare
    stats = learner.update(batch, 1)
    assert stats["steps"] == 1 and {"loss/policy_gradient", "loss/pairs"} <= set(stats)
    assert stats["loss"] == pytest.approx(stats["loss/policy_gradient"] + stats["loss/pairs"])
    assert "rewards/chosen" in stats and "train/entropy" in stats
    assert learner.metrics_row(stats)["train/loss/pairs"] == stats["loss/pairs"]
    for p, a, b in zip(params, *want):
        got = p.grad if p.grad is not None else torch.zeros_like(p)
        torch.testing.assert_close(got, a + b, rtol=1e-4, atol=1e-6)


def test_the_learner_runs_every_objectives_lifecycle_alike(backend, samples, tiny_model):
    """start_iteration before an update, state saved under the namespace and handed back,
    and an objective without state refusing a checkpoint's state rather than dropping it."""
    seen: list = []

    @dataclass
    class Counting(PairwiseToy):
        name: str = "counting"
        namespace: str = "counting"
        needs_reference: bool = False

        def start_iteration(self, iteration, ctx):
            seen.append((iteration, ctx.model is backend.model))

        def state_dict(self):
            return {"calls": len(seen)}

        def load_state_dict(self, state):
            seen.append(("loaded", dict(state)))

    config = SelfPlayConfig(model=tiny_model, minibatch=64, entropy_coef=0.0, seed=2)
    learner = Learner(backend, config, [PolicyGradient.from_config(config), Counting()])
    stats = learner.update(LearnBatch(samples, [0.0] * len(samples)), 3)  # nothing to learn
    assert stats["trained_samples"] == 0 and seen == [(3, True)]
    assert learner.objective_state() == {"counting_calls": 1}
    learner.load_objective_state({"counting_calls": 1, "optimizer": {}, "iteration": 3})
    assert seen[-1] == ("loaded", {"calls": 1})
    with pytest.raises(ValueError, match="objective 'policy_gradient' keeps no state, but the "
                                         "checkpoint holds train_extra"):
        learner.load_objective_state({"train_extra": 1})
    with pytest.raises(ValueError, match=r"objective namespaces \['train', 'train'\] repeat"):
        Learner(backend, config, [PolicyGradient.from_config(config), PolicyGradient(name="pg2")])


def test_a_non_finite_parameter_stops_the_update(backend, samples, tiny_model, monkeypatch):
    learner = Learner(backend, SelfPlayConfig(model=tiny_model, seed=3))
    first = learner.params[0]

    def overflowing_step():
        with torch.no_grad():
            first.view(-1)[0] = float("inf")

    monkeypatch.setattr(learner.optimizer, "step", overflowing_step)
    with pytest.raises(NonFiniteError, match="parameter became NaN or infinite"):
        learner.update(LearnBatch(samples, [1.0] * len(samples)), 1)


def test_a_huge_learning_rate_is_refused_before_training():
    with pytest.raises(ValueError, match=r"lr=1e\+300 must be a number in \(0, 1\]"):
        SelfPlayConfig(lr=1e300)


def test_a_nan_loss_stops_the_run_and_keeps_the_last_checkpoint(smoke_run, tiny_model, tmp_path,
                                                                monkeypatch):
    from training.loop import train

    run = Path(shutil.copytree(smoke_run, tmp_path / "run"))
    shutil.rmtree(run / "checkpoint-2")  # the run resumes from checkpoint-1, then diverges
    kept = {p.name: p.read_bytes() for p in (run / "checkpoint-1").iterdir()}
    metrics = (run / "metrics.jsonl").read_text()

    def nan_loss(self, items, ctx):
        return torch.tensor(float("nan"), requires_grad=True), dict.fromkeys(self.metrics, 0.0)

    monkeypatch.setattr(PolicyGradient, "loss", nan_loss)
    with pytest.raises(NonFiniteError, match="policy_gradient loss is nan"):
        train(SelfPlayConfig(**{**SMOKE, "model": tiny_model, "out": str(run)}))
    assert not (run / "checkpoint-2").exists()
    assert {p.name: p.read_bytes() for p in (run / "checkpoint-1").iterdir()} == kept
    assert (run / "metrics.jsonl").read_text() == metrics
    assert [json.loads(x)["iteration"] for x in metrics.splitlines()] == [0, 1, 2]
