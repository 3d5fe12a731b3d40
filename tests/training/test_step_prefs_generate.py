"""Step preferences in generate mode: pairs of sampled replies against hand-worked roots
(values, invalid worst, ties, min-gap, min-visits), root priors from the replies (exact
numbers, no model call below the root), the batched sampling and its seeds, same seed same
pairs, step-DPO scoring reply pairs without the temperature, ``arena train --mode generate
--dpo-coef`` end to end and ``arena preferences`` in generate mode read back."""

from __future__ import annotations

import dataclasses
import json
import math
import random

import pytest

import games
from agents.base import Agent, Decision
from agents.llm.backend import Generation
from agents.search import RootStats, search
from arena.runner import play_match
from common.seeds import derive_seed
from training import preferences
from training.config import SelfPlayConfig
from training.preferences import (completion_prior, completion_values, confidence,
                                  invalid_value, make_completion_pair, search_pairs)


def _root(actions, visits, q):
    return RootStats(0, tuple(actions), tuple(visits), tuple(q), (1 / len(actions),) * len(actions))


# ----- pairs of replies, worked by hand ------------------------------------------------------
ROOT = _root(["a", "b", "c"], [10, 5, 1], [0.5, -0.2, 0.1])
PARSED = ["b", "a", None, "c", "a"]  # values -0.2, 0.5, worst, 0.1, 0.5
WORST = -3.0


def test_values_and_invalid_value():
    assert completion_values(ROOT, PARSED, WORST) == [-0.2, 0.5, -3.0, 0.1, 0.5]
    # one full range of returns below the worst return
    assert invalid_value(games.make("tictactoe")) == -3.0  # returns in [-1, 1]
    info = games.make("kuhn_poker").info
    assert invalid_value(games.make("kuhn_poker")) == (
        info.min_utility - (info.max_utility - info.min_utility))
    assert invalid_value(games.make("kuhn_poker")) < info.min_utility


def test_lowest_rejects_the_invalid_reply_with_confidence_one():
    b, w, c = make_completion_pair(ROOT, PARSED, random.Random(0), WORST, rejected="lowest")
    assert (b, w, c) == (1, 2, 1.0)  # chosen: the first "a" reply; rejected: the invalid one


def test_random_rejected_among_lower_replies_follows_the_rng():
    for seed in range(6):
        b, w, c = make_completion_pair(ROOT, PARSED, random.Random(seed), WORST)
        assert b == 1
        assert w == [0, 2, 3][random.Random(seed).randrange(3)]  # b, invalid, c in reply order
        if w == 0:  # gap 0.7 over 10 and 5 visits, scale 1: Phi(0.7 / sqrt(0.3)) = 0.899384
            assert c == pytest.approx(0.899384, abs=1e-5)
            assert c == confidence(0.7, 10, 5, 1.0)
        elif w == 3:  # gap 0.4 over 10 and 1 visits
            assert c == pytest.approx(0.5 * (1 + math.erf(0.4 / math.sqrt(1.1) / math.sqrt(2))))
        else:
            assert c == 1.0


def test_min_gap_and_min_visits():
    # min_gap 0.5: c (0.4 below) is out, b (0.7 below) and the invalid reply stay
    seen = {make_completion_pair(ROOT, PARSED, random.Random(s), WORST, min_gap=0.5)[1]
            for s in range(20)}
    assert seen == {0, 2}
    # a gap no valid reply reaches: only the invalid reply is rejected, whatever the rng
    for s in range(5):
        assert make_completion_pair(ROOT, PARSED, random.Random(s), WORST, min_gap=5.0)[1] == 2
    assert make_completion_pair(ROOT, ["b", "a", "c"], random.Random(0), WORST,
                                min_gap=5.0) is None
    # min_visits 2: c (1 visit) is neither chosen nor rejected
    seen = {make_completion_pair(ROOT, PARSED, random.Random(s), WORST, min_visits=2)[1]
            for s in range(20)}
    assert seen == {0, 2}
    # min_visits 11: no valid candidate, so nothing to choose
    assert make_completion_pair(ROOT, PARSED, random.Random(0), WORST, min_visits=11) is None


def test_ties_and_no_pair():
    rng = random.Random(0)
    assert make_completion_pair(ROOT, ["a", "a", "a"], rng, WORST) is None  # one value
    assert make_completion_pair(ROOT, [None, None], rng, WORST) is None  # nothing valid
    assert make_completion_pair(ROOT, ["c", None], rng, WORST) == (0, 1, 1.0)
    tied = _root(["a", "b", "c"], [4, 6, 2], [0.5, 0.5, 0.0])
    assert make_completion_pair(tied, ["a", "b"], rng, WORST) is None  # equal Q, two actions
    assert make_completion_pair(tied, ["c", "b", "a"], rng, WORST, rejected="lowest")[:2] == (1, 0)


# ----- priors from the replies ---------------------------------------------------------------
def test_completion_prior_add_one_smoothing():
    prior = completion_prior(["[0]", "[1]", "[2]"], ["[1]", "[1]", None, "[2]"])
    # counts 0+1, 2+1, 1+1 over 3 valid replies + 3 actions
    assert prior == {"[0]": pytest.approx(1 / 6), "[1]": pytest.approx(3 / 6),
                     "[2]": pytest.approx(2 / 6)}
    assert completion_prior(["[0]", "[1]"], [None, None]) == {"[0]": 0.5, "[1]": 0.5}


def test_search_without_model_answers_the_root_then_uniform():
    asked = []

    def gen():
        for n in range(3):
            asked.append((yield n))
        return "done"
    assert preferences._without_model(gen(), {"x": 1.0}) == "done"
    assert asked == [{"x": 1.0}, None, None]  # None: the search's uniform priors
    state = games.make("tictactoe").new_state(0)
    legal = state.observation(0).legal_actions
    prior = completion_prior(legal, ["[4]", "[4]", "[4]", None])
    root = preferences._without_model(search(state.determiniser(0), 40, random.Random(0)), prior)
    assert root.priors == tuple(pytest.approx(4 / 12 if a == "[4]" else 1 / 12) for a in legal)
    assert sum(root.visits) == 40


# ----- search_pairs in generate mode, with scripted replies ----------------------------------
class _Scripted(Agent):
    """Plays a fixed list of moves and records a generate-mode prompt per decision."""

    name = "learner"

    def __init__(self, moves):
        super().__init__(0)
        self.moves = list(moves)

    def act(self, obs, determiniser=None):
        return Decision(text=f"\\boxed{{{self.moves.pop(0)}}}",
                        info={"mode": "generate", "prompt": f"prompt {obs.turn}",
                              "prompt_ids": (7, obs.turn)})


REPLIES = ("Three in a row: \\boxed{[2]}", "\\boxed{[8]}", "no idea")


class _Replies(Agent):
    """A policy that samples scripted replies (it declares ``samples_replies``), recording
    its calls."""

    name = "learner"
    samples_replies = True

    def __init__(self):
        super().__init__(0)
        self.calls = []

    def complete(self, prompts, seeds):
        self.calls.append((list(prompts), list(seeds)))
        return [Generation(REPLIES[i % len(REPLIES)], (1,), (0.0,), (9, i))
                for i in range(len(prompts))]


def _record():
    # X: [0], [1]; O: [3], [4]; X to move at decision 4 wins with [2]
    agent = _Scripted(["[0]", "[3]", "[1]", "[4]", "[2]"])
    return play_match(games.make("tictactoe"), [agent, agent], seed=3)


def _pairs(policy, rejected="lowest", seed=("pref", 0, 1)):
    return search_pairs([_record()], "learner", policy, ["tictactoe"], 1.0, 200, seed,
                        rejected=rejected, completions=3)


def test_generate_pairs_from_scripted_replies():
    policy = _Replies()
    report = _pairs(policy)
    assert len(policy.calls) == 1  # every searched decision's replies in ONE call
    prompts, seeds = policy.calls[0]
    assert prompts == [f"prompt {t}" for t in range(5) for _ in range(3)]
    assert seeds == [derive_seed("pref-completion", ("pref", 0, 1), 0, k, j)
                     for k in range(5) for j in range(3)]
    assert (report.searches, report.calls, report.completions, report.invalid) == (5, 1, 15, 5)
    assert len(report.pairs) == 5
    for p in report.pairs:  # lowest: the invalid reply every time
        assert p.mode == "generate" and p.rejected == "no idea" and p.rejected_action == ""
        assert p.q_rejected == -3.0 and p.confidence == 1.0 and p.visits_rejected == 0
        assert p.chosen in REPLIES[:2] and p.chosen_action in ("[2]", "[8]")
        assert p.label_smoothing == 0.0
    win = report.pairs[4]
    assert (win.prompt, win.role) == ("prompt 4", "X")
    assert win.prompt_ids == (9, 12)  # the sampled reply's prompt ids (row 12 of the call)
    assert (win.chosen, win.chosen_action, win.q_chosen) == (REPLIES[0], "[2]", 1.0)
    assert win.visits_chosen > 100  # priors 2/8 on [2]: the search settles on the win


def test_generate_pairs_random_rejected_and_same_seed_same_pairs():
    first = _pairs(_Replies(), rejected="random")
    assert first == _pairs(_Replies(), rejected="random")  # same seed, same pairs
    win = first.pairs[4]
    assert win.chosen_action == "[2]" and win.rejected in REPLIES[1:]
    if win.rejected_action == "[8]":
        assert win.q_rejected < 1.0 and 0.5 < win.confidence < 1.0


def test_generate_mode_refuses_policy_playouts_and_agents_that_cannot_sample():
    with pytest.raises(ValueError, match="playout=policy needs choice mode"):
        search_pairs([_record()], "learner", _Replies(), ["tictactoe"], 1.0, 8, 0,
                     playout="policy", completions=3)
    with pytest.raises(ValueError, match="cannot sample replies"):
        search_pairs([_record()], "learner", _Scripted([]), ["tictactoe"], 1.0, 8, 0,
                     completions=3)


# ----- configuration -------------------------------------------------------------------------
def test_generate_mode_with_dpo_is_accepted_and_its_options_checked():
    cfg = SelfPlayConfig(mode="generate", dpo_coef=1.0, games=["tictactoe"])
    assert cfg.searching and cfg.pref_completions == 4
    for bad in (1, 65, 2.5):
        with pytest.raises(ValueError, match=f"^pref_completions={bad!r} must be a whole "
                                             r"number in \[2, 64\]"):
            SelfPlayConfig(pref_completions=bad)
    with pytest.raises(ValueError, match="^pref_playout='policy' needs mode=choice"):
        SelfPlayConfig(mode="generate", dpo_coef=1.0, pref_playout="policy")
    SelfPlayConfig(mode="choice", dpo_coef=1.0, pref_playout="policy")  # still fine


# ----- step-DPO on reply pairs: raw log-probabilities ----------------------------------------
def test_step_dpo_scores_reply_pairs_without_the_temperature(tiny_model):
    torch = pytest.importorskip("torch")
    from agents.llm.hf import HFBackend
    from training.losses import dpo_loss
    from training.objectives import Context
    from training.preferences import StepPair
    from training.scoring import score_actions
    from training.step_dpo import StepDPO

    backend = HFBackend(tiny_model, device="cpu")
    ids = tuple(backend.encode_prompt("Your move. Legal actions: [0], [1]"))
    gen = StepPair("tictactoe", "X", "p", ids, "I take \\boxed{[0]}", "hmm \\boxed{[1]}",
                   0.5, -0.5, 10, 4, 0.8, mode="generate")
    choice = dataclasses.replace(gen, chosen="[0]", rejected="[1]", mode="choice")
    ref = _perturbed(backend.model)
    ctx = Context(backend.model, ref, backend, 4096)
    obj = StepDPO(beta=0.1, temperature=2.0, normaliser=1.0)
    loss, sums = obj.loss([gen, choice], ctx)
    with torch.no_grad():
        pol = score_actions(backend.model, backend, [ids, ids], [[gen.chosen, gen.rejected],
                                                                [choice.chosen, choice.rejected]],
                            4096).view(2, 2)
        rf = score_actions(ref, backend, [ids, ids], [[gen.chosen, gen.rejected],
                                                      [choice.chosen, choice.rejected]],
                           4096).view(2, 2)
    div = torch.tensor([[1.0], [2.0]])  # the reply pair raw, the choice pair over T
    pol, rf = pol / div, rf / div
    smooth = torch.tensor([min(1 - 0.8, 0.5)] * 2)
    want, _, _ = dpo_loss(pol[:, 0], pol[:, 1], rf[:, 0], rf[:, 1], 0.1, smooth)
    assert float(loss.detach()) == pytest.approx(float(want.sum()), rel=1e-5)
    alone, _ = obj.loss([choice], ctx)  # choice pairs alone: as before, divided by T
    assert float(alone.detach()) == pytest.approx(float(want[1]), rel=1e-5)
    assert sums["accuracy"] == float((pol[:, 0] > pol[:, 1]).sum())


def _perturbed(model):
    import copy

    import torch
    ref = copy.deepcopy(model)
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for p in ref.parameters():
            p.add_(0.05 * torch.randn(p.shape, generator=g))
    return ref.eval()


# ----- end to end ----------------------------------------------------------------------------
ANSWERS = ("The centre: \\boxed{[4]}", "\\boxed{[0]}", "pass", "\\boxed{[4]}")


def _answering(monkeypatch):
    """The tiny untrained model never answers in format: its sampled replies (tokens, prompt
    ids) are kept and their texts replaced by scripted answers, so pairs form."""
    real = preferences._sample_replies

    def sample(picked, policy, seed, k):
        groups = real(picked, policy, seed, k)
        return [[dataclasses.replace(g, text=ANSWERS[j % len(ANSWERS)])
                 for j, g in enumerate(group)] for group in groups]
    monkeypatch.setattr(preferences, "_sample_replies", sample)


def test_arena_train_generate_mode_with_step_dpo(tiny_model, tmp_path, monkeypatch):
    from training.cli import train_from_argv

    _answering(monkeypatch)
    out = tmp_path / "run"
    rc = train_from_argv(["--game", "tictactoe", "--model", tiny_model, "--mode", "generate",
                          "--dpo-coef", "1", "--pref-prob", "1", "--pref-sims", "16",
                          "--pref-completions", "4", "--iterations", "1", "--matches", "3",
                          "--max-new-tokens", "8", "--eval-every", "0", "--seed", "1",
                          "--out", str(out)])
    assert rc == 0
    row = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()][-1]
    assert row["searches"] >= 3 and row["completions"] == 4 * row["searches"]
    assert row["generate_calls"] == 1
    assert row["completion_invalid_share"] == pytest.approx(0.25)  # "pass", one in four
    # an invalid reply ("pass") is below every move: a pair at every searched decision
    assert row["pairs"] == row["searches"] and math.isfinite(row["dpo/loss"])
    assert 0.0 <= row["search_share"] <= 1.0
    assert json.loads((out / "config.json").read_text())["pref_completions"] == 4


def test_arena_train_generate_mode_untrained_replies_are_all_invalid(tiny_model, tmp_path):
    from training.cli import train_from_argv

    out = tmp_path / "run"
    rc = train_from_argv(["--game", "kuhn_poker", "--model", tiny_model, "--mode", "generate",
                          "--dpo-coef", "1", "--pref-prob", "1", "--pref-sims", "8",
                          "--pref-completions", "2", "--iterations", "1", "--matches", "2",
                          "--max-new-tokens", "6", "--eval-every", "0", "--out", str(out)])
    assert rc == 0
    row = json.loads((out / "metrics.jsonl").read_text().splitlines()[-1])
    assert row["completions"] == 2 * row["searches"] > 0
    # every reply invalid: one value for all of them, so no pair and no DPO term
    assert row["completion_invalid_share"] == 1.0 and row["pairs"] == 0


def test_preferences_export_in_generate_mode_reads_back(tiny_model, tmp_path, monkeypatch,
                                                        capsys):
    from training.pref_data import COLUMNS, GENERATE_COLUMNS, preferences_from_argv, read_pairs

    _answering(monkeypatch)
    out = tmp_path / "prefs.jsonl"
    argv = ["--game", "tictactoe", "--agent",
            f"llm:model={tiny_model},mode=generate,max_new_tokens=8,device=cpu",
            "--search", "mcts:simulations=16", "--matches", "2", "--completions", "4",
            "--rejected", "lowest", "--out", str(out)]
    assert preferences_from_argv(argv) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows and f"{len(rows)} pairs written" in capsys.readouterr().out
    for row in rows:
        assert tuple(row) == COLUMNS + GENERATE_COLUMNS and row["mode"] == "generate"
        assert row["chosen"] in ANSWERS and row["rejected"] == "pass"  # lowest: the invalid
        assert row["rejected_action"] is None and row["chosen_action"] in ("[4]", "[0]")
        assert row["q_rejected"] == -3.0 and row["confidence"] == 1.0
    pairs = read_pairs(out, lambda text: [1, 2])
    assert [(p.mode, p.prompt, p.chosen, p.rejected, p.chosen_action, p.rejected_action)
            for p in pairs] == [("generate", r["prompt"], r["chosen"], r["rejected"],
                                 r["chosen_action"], "") for r in rows]
    once = [*argv[:-2], "--out", str(tmp_path / "x.jsonl")]  # each option given once
    once[once.index("--completions") + 1] = "1"
    assert preferences_from_argv(once) == 2
    assert "--completions 1 must be a whole number in [2, 64]" in capsys.readouterr().err


def test_resumed_generate_mode_dpo_run_matches_an_uninterrupted_one(tiny_model, tmp_path,
                                                                    monkeypatch):
    safetensors = pytest.importorskip("safetensors.torch")
    import torch

    from training.loop import train

    _answering(monkeypatch)

    def config(out, iterations):
        return SelfPlayConfig(games=["tictactoe"], model=tiny_model, mode="generate",
                              out=str(out), iterations=iterations, matches_per_iteration=4,
                              max_new_tokens=8, lr=1e-2, lr_schedule="constant",
                              eval_every=0, checkpoint_every=1, dpo_coef=1.0, pref_prob=1.0,
                              pref_sims=8, pref_completions=4, device="cpu", seed=2)
    timing = {"elapsed_s", "rollout_s", "learn_s", "games_per_s", "tokens_per_s", "search_s",
              "search_share"}

    def rows(run):
        return [{k: v for k, v in json.loads(line).items() if k not in timing}
                for line in (run / "metrics.jsonl").read_text().splitlines()]
    straight = train(config(tmp_path / "a", 2))
    train(config(tmp_path / "b", 1))
    resumed = train(config(tmp_path / "b", 2))
    want = safetensors.load_file(straight / "checkpoint-2" / "model.safetensors")
    got = safetensors.load_file(resumed / "checkpoint-2" / "model.safetensors")
    assert [k for k in want if not torch.equal(want[k], got[k])] == []
    assert rows(resumed) == rows(straight)
    assert all(r["pairs"] > 0 and r["dpo/loss"] > 0 for r in rows(straight))


def test_preferences_refuse_policy_playouts_in_generate_mode_before_playing(
        tiny_model, tmp_path, monkeypatch, capsys):
    import arena.schedule
    from training.pref_data import preferences_from_argv

    def no_play(*args, **kwargs):
        raise AssertionError("matches played before the options were checked")
    monkeypatch.setattr(arena.schedule, "play", no_play)
    out = tmp_path / "prefs.jsonl"
    argv = ["--game", "kuhn_poker", "--agent", f"llm:model={tiny_model},mode=generate",
            "--search", "mcts:simulations=8,playout=policy", "--out", str(out)]
    assert preferences_from_argv(argv) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]  # after the weights' progress
    assert line.startswith("arena preferences: error: --search "
                           "mcts:simulations=8,playout=policy: playout=policy needs")
    assert "use playout=random" in line and not out.exists()


@pytest.mark.parametrize("option", ["greedy=true", "temperature=0"])
def test_preferences_refuse_a_greedy_generate_mode_agent_before_playing(
        tiny_model, tmp_path, monkeypatch, capsys, option):
    import arena.schedule
    from training.pref_data import preferences_from_argv

    def no_play(*args, **kwargs):
        raise AssertionError("matches played before the options were checked")
    monkeypatch.setattr(arena.schedule, "play", no_play)
    out = tmp_path / "prefs.jsonl"
    spec = f"llm:model={tiny_model},mode=generate,{option}"
    argv = ["--game", "kuhn_poker", "--agent", spec, "--out", str(out)]
    assert preferences_from_argv(argv) == 2
    line = capsys.readouterr().err.strip().splitlines()[-1]
    assert line.startswith(f"arena preferences: error: --agent {spec}: a greedy agent")
    assert "temperature > 0" in line and not out.exists()
