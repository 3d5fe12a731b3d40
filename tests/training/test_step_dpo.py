"""Step-DPO: the conservative loss against a naive reference, the objective against
scores from the inference path, the mixed loss (pg + dpo_coef * dpo) in one learner step,
options and their errors, and dpo_coef = 0 leaving the learner as it was."""

from __future__ import annotations

import math

import pytest

from training.config import SelfPlayConfig

torch = pytest.importorskip("torch")


def _logsig(x: float) -> float:
    return -math.log1p(math.exp(-x))


def test_conservative_dpo_loss_matches_naive_reference():
    from training.losses import dpo_loss

    pc, pr, rc, rr = [-1.0, -3.0], [-2.0, -1.0], [-1.5, -2.0], [-1.5, -2.5]
    eps = [0.1, 0.5]
    losses, cr_t, rr_t = dpo_loss(*(torch.tensor(v) for v in (pc, pr, rc, rr)), beta=0.1,
                                  label_smoothing=torch.tensor(eps))
    for i in range(2):
        d = 0.1 * ((pc[i] - rc[i]) - (pr[i] - rr[i]))
        want = -(1 - eps[i]) * _logsig(d) - eps[i] * _logsig(-d)
        assert float(losses[i]) == pytest.approx(want, abs=1e-6)
    # e = 0.5: the loss is symmetric in d (the pair teaches nothing)
    d1 = 0.1 * ((pc[1] - rc[1]) - (pr[1] - rr[1]))
    assert float(losses[1]) == pytest.approx(-0.5 * _logsig(d1) - 0.5 * _logsig(-d1), abs=1e-6)
    plain, _, _ = dpo_loss(*(torch.tensor(v) for v in (pc, pr, rc, rr)), beta=0.1)
    assert float(plain[0]) == pytest.approx(-_logsig(0.1 * ((-1 + 1.5) - (-2 + 1.5))), abs=1e-6)
    with pytest.raises(ValueError, match="label_smoothing"):
        dpo_loss(*(torch.zeros(1) for _ in range(4)), label_smoothing=0.7)


def _pairs(backend, agent):
    import games
    from training.preferences import StepPair

    state = games.make("tictactoe").new_state(0)
    pairs = []
    for i, (c, r) in enumerate([("[4]", "[0]"), ("[8]", "[1]"), ("[2]", "[6]")]):
        obs = state.observation(0)
        prompt = agent.prompt(obs)
        pairs.append(StepPair("tictactoe", "X", prompt, tuple(backend.encode_prompt(prompt)), c, r,
                              0.5, -0.5, 10, 4, 0.6 + 0.1 * i))
        state.apply(0, c)
        state.apply(1, r)
    return pairs


@pytest.fixture()
def setup(tiny_model):
    from agents.llm.agent import LLMAgent
    from agents.llm.hf import HFBackend

    backend = HFBackend(tiny_model, device="cpu")
    agent = LLMAgent(model=tiny_model, mode="choice", device="cpu")
    return backend, agent, _pairs(backend, agent)


def _perturbed(model, seed=0):
    import copy

    ref = copy.deepcopy(model)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in ref.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=g))
    return ref.eval()


def test_step_dpo_objective_matches_scores_of_the_inference_path(setup, tiny_model):
    from agents.llm.hf import HFBackend
    from training.objectives import Context
    from training.step_dpo import StepDPO

    backend, _, pairs = setup
    ref = _perturbed(backend.model)
    obj = StepDPO(beta=0.1, normaliser=8.0)
    loss, sums = obj.loss(pairs, Context(backend.model, ref, backend, 4096))
    ref_backend = HFBackend(tiny_model, device="cpu")
    ref_backend.model.load_state_dict(ref.state_dict())
    want, acc, margin = 0.0, 0, 0.0
    for p in pairs:
        (s,) = backend.score([p.prompt], [[p.chosen, p.rejected]])
        (r,) = ref_backend.score([p.prompt], [[p.chosen, p.rejected]])
        d = 0.1 * ((s.logprob[0] - r.logprob[0]) - (s.logprob[1] - r.logprob[1]))
        e = min(1 - p.confidence, 0.5)
        want += -(1 - e) * _logsig(d) - e * _logsig(-d)
        acc += s.logprob[0] > s.logprob[1]
        margin += d
    assert float(loss.detach()) == pytest.approx(want / 8.0, abs=1e-5)
    assert sums["loss"] == pytest.approx(want, abs=1e-5)
    assert sums["accuracy"] == acc
    assert sums["margin"] == pytest.approx(margin, abs=1e-5)


def test_mixed_loss_is_pg_plus_coef_times_dpo(setup, tiny_model):
    import games
    from arena.runner import MatchSpec, run_matches
    from training.learner import Learner
    from training.objectives import LearnBatch

    backend, agent, pairs = setup
    agent.name = "policy"
    game = games.make("tictactoe")
    recs = run_matches([MatchSpec(game, [agent, agent], s) for s in range(2)])
    from training.rollout import collect_samples

    samples = collect_samples(recs, "policy", -1.0)
    adv = [1.0 if i % 2 else -0.5 for i in range(len(samples))]
    cfg = SelfPlayConfig(model=tiny_model, games=["tictactoe"], dpo_coef=0.5, minibatch=512,
                         entropy_coef=0.1, device="cpu")
    learner = Learner(backend, cfg)
    assert [o.name for o in learner.objectives] == ["policy_gradient", "step_dpo"]
    learner.ref_model = _perturbed(backend.model)
    ctx = learner.context()
    pg, dpo = learner.objectives
    pg_loss, _ = pg.loss(pg.items(LearnBatch(samples, adv)), ctx)
    dpo_loss, _ = dpo.loss(pairs, ctx)
    step = learner._step([(pg, pg.items(LearnBatch(samples, adv))), (dpo, list(pairs))])
    pg_value, dpo_value = float(pg_loss.detach()), float(dpo_loss.detach())
    assert step["loss"] == pytest.approx(pg_value + 0.5 * dpo_value, rel=1e-5)
    assert step["loss/step_dpo"] == pytest.approx(0.5 * dpo_value, rel=1e-5)


def test_objectives_follow_the_coefficients(tiny_model):
    from training.learner import objectives_for

    assert [o.name for o in objectives_for(SelfPlayConfig(model=tiny_model))] == ["policy_gradient"]
    dpo_only = objectives_for(SelfPlayConfig(model=tiny_model, pg_coef=0, dpo_coef=2.0,
                                             dpo_ref="lagged:3"))
    assert [(o.name, o.weight, o.lag) for o in dpo_only] == [("step_dpo", 2.0, 3)]
    assert not dpo_only[0].needs_reference
    assert not SelfPlayConfig().searching
    assert SelfPlayConfig(dpo_coef=1.0).searching
    assert not SelfPlayConfig(dpo_coef=1.0, pref_prob=0.0).searching


def test_lagged_reference_refreshes_every_k_iterations():
    from training.step_dpo import StepDPO

    from training.objectives import Context

    model = torch.nn.Linear(2, 2)
    ctx = Context(model, None, None, 0)
    obj = StepDPO(lag=2)
    seen = []
    for it in range(1, 6):
        with torch.no_grad():
            model.weight.fill_(float(it))
        obj.start_iteration(it, ctx)
        seen.append(float(obj.lagged.weight[0, 0]))
    assert seen == [1.0, 1.0, 3.0, 3.0, 5.0]
    saved = obj.state_dict()
    assert list(saved) == ["reference"]
    with torch.no_grad():
        model.weight.fill_(6.0)
    again = StepDPO(lag=2)
    again.load_state_dict(saved)
    assert again.state_dict()["reference"]["weight"][0, 0] == 5.0  # saved again before use
    again.start_iteration(6, ctx)  # inside a lag period: the saved reference, not the model
    assert torch.equal(again.lagged.weight, obj.lagged.weight)
    again.start_iteration(7, ctx)  # a new period: a fresh copy
    assert float(again.lagged.weight[0, 0]) == 6.0
    assert StepDPO(lag=0).state_dict() == {}
    with pytest.raises(ValueError, match="step-DPO state has weights; expected reference only"):
        StepDPO(lag=2).load_state_dict({"weights": {}})


@pytest.mark.parametrize("kwargs, message", [
    (dict(dpo_coef=-1), "dpo_coef=-1 must be a finite number >= 0"),
    (dict(pg_coef=float("nan")), "pg_coef=nan must be a finite number >= 0"),
    (dict(dpo_beta=0), "dpo_beta=0 must be a finite number > 0, e.g. 0.1"),
    (dict(pref_prob=1.5), "pref_prob=1.5 must be in [0, 1]"),
    (dict(pref_sims=0), "pref_sims=0 must be a whole number from 1 to 100000"),
    (dict(pref_min_visits=0), "pref_min_visits=0 must be a whole number from 1 to 100000"),
    (dict(pref_min_gap=-0.1), "pref_min_gap=-0.1 must be a finite number >= 0"),
    (dict(dpo_ref="lagged:x"), "dpo_ref='lagged:x' must be start or lagged:K with K >= 1"),
    (dict(dpo_ref="ref"), "dpo_ref='ref' must be start or lagged:K"),
    (dict(pref_rejected="worst"), "pref_rejected='worst' must be random or lowest"),
    (dict(pg_coef=0), "pg_coef=0 with dpo_coef=0 leaves nothing to learn"),
    (dict(pref_data="p.jsonl"), "pref_data='p.jsonl' needs dpo_coef > 0"),
    (dict(dpo_coef=1, mode="generate", pref_playout="policy"), "needs mode=choice"),
])
def test_bad_options_are_refused_naming_the_value(kwargs, message):
    with pytest.raises(ValueError) as err:
        SelfPlayConfig(**kwargs)
    assert message in str(err.value)


def test_cli_names_the_flag_of_a_bad_option(capsys):
    from training.cli import train_from_argv

    assert train_from_argv(["--dpo-coef", "-2"]) == 2
    err = capsys.readouterr().err
    assert "dpo_coef=-2.0 must be a finite number >= 0" in err and "(option --dpo-coef)" in err
