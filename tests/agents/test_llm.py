"""The llm agent on the transformers backend, with the tiny local model (float32, CPU)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

import games  # noqa: E402
from agents import make_agent  # noqa: E402
from agents.llm.agent import LLMAgent  # noqa: E402
from agents.llm.hf import HFBackend  # noqa: E402
from agents.registry import register_builtin  # noqa: E402
from arena.runner import MatchConfig, MatchSpec, play_match, run_matches  # noqa: E402

register_builtin("llm", "agents.llm.agent:LLMAgent")  # idempotent; the registry lists it too


def observations(game: str, n: int, seed: int = 0) -> list:
    """Observations of the player to move along seeded random playouts."""
    import random

    rng = random.Random(seed)
    out = []
    while len(out) < n:
        state = games.make(game).new_state(rng.randrange(1000))
        while not state.is_terminal() and len(out) < n:
            p = state.current_players()[0]
            out.append(state.observation(p))
            state.apply(p, state.random_action(p, rng))
    return out


def forward_logprobs(backend: HFBackend, prompt_ids, token_ids) -> list[float]:
    """Log-probabilities of ``token_ids`` after ``prompt_ids`` in one plain forward pass."""
    ids = torch.tensor([list(prompt_ids) + list(token_ids)])
    with torch.no_grad():
        logp = backend.model(input_ids=ids).logits[0].float().log_softmax(-1)
    n = len(prompt_ids)
    return [logp[n - 1 + t, tok].item() for t, tok in enumerate(token_ids)]


@pytest.fixture(scope="module")
def backend(tiny_model) -> HFBackend:
    return HFBackend(tiny_model)


# ----- the model files ----------------------------------------------------------------
def test_save_load_round_trip_keeps_logits(tiny_model, tmp_path):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = AutoModelForCausalLM.from_pretrained(tiny_model, dtype=torch.float32).eval()
    tok = AutoTokenizer.from_pretrained(tiny_model)
    model.save_pretrained(tmp_path)
    tok.save_pretrained(tmp_path)
    again = AutoModelForCausalLM.from_pretrained(tmp_path, dtype=torch.float32).eval()
    text = "Your move: [check] or [bet]"
    ids = tok(text, return_tensors="pt")["input_ids"]
    assert AutoTokenizer.from_pretrained(tmp_path)(text)["input_ids"] == ids[0].tolist()
    with torch.no_grad():
        assert torch.equal(model(input_ids=ids).logits, again(input_ids=ids).logits)


def test_build_model_is_deterministic_under_its_seed(tiny_model, tmp_path):
    from safetensors.torch import load_file

    from agents.llm.tiny_model import build_model

    other = build_model(tmp_path / "again", size="tiny", seed=0)
    first = f"{tiny_model}/tokenizer.json"
    assert open(first).read() == (other / "tokenizer.json").read_text()
    a, b = load_file(f"{tiny_model}/model.safetensors"), load_file(other / "model.safetensors")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


# ----- backend ------------------------------------------------------------------------
def test_models_are_shared_through_the_owners_cache(tiny_model):
    from agents.llm.model_cache import ModelCache, make_agent_sharing

    models = ModelCache()
    first = HFBackend(tiny_model, models=models)
    assert HFBackend(tiny_model + "/", models=models).model is first.model  # resolved path
    assert LLMAgent(model=tiny_model, models=models).backend.model is first.model
    agent = make_agent_sharing(f"llm:model={tiny_model},temperature=0.5", 3, models)
    assert agent.backend.model is first.model and len(models) == 1
    assert make_agent_sharing("random", 3, models).name == "random"  # takes no cache
    models.drop(tiny_model)
    assert len(models) == 0 and HFBackend(tiny_model, models=models).model is not first.model


def test_no_process_wide_model_table(tiny_model, backend):
    """Without a cache a backend loads its own copy: nothing is shared behind the owner's back."""
    assert HFBackend(tiny_model).model is not backend.model
    assert not hasattr(HFBackend, "_shared") and not hasattr(HFBackend, "unload_all")


def test_models_is_not_a_spec_option(tiny_model):
    with pytest.raises(ValueError, match="not a spec option"):
        make_agent(f"llm:model={tiny_model},models=x")


def test_batched_scoring_equals_one_at_a_time(backend):
    prompts = ["You hold the King.", "Board:\nX . O", "hi"]
    cands = [["[check]", "[bet]"], ["[1]", "[5]", "[9] because"], ["[fold]"]]
    together = backend.score(prompts, cands)
    for p, c, s in zip(prompts, cands, together):
        (alone,) = backend.score([p], [c])
        assert alone.candidate_ids == s.candidate_ids and alone.prompt_ids == s.prompt_ids
        assert alone.logprob == pytest.approx(s.logprob, abs=1e-5)
        assert s.logprob == pytest.approx([sum(t) for t in s.token_logprobs], abs=1e-6)


def test_scores_equal_a_plain_forward_pass(backend):
    (s,) = backend.score(["Your cards: K. Legal: [check], [bet]"], [["[check]", "[bet] now"]])
    for ids, lps in zip(s.candidate_ids, s.token_logprobs):
        assert ids == tuple(backend.encode_continuation(backend.tokenizer.decode(ids)))
        assert lps == pytest.approx(forward_logprobs(backend, s.prompt_ids, ids), abs=1e-4)


def test_two_pass_scoring_equals_packed_scoring(tiny_model, backend):
    import copy

    from agents.llm.hf_batch import common_prefix

    forked = copy.copy(backend)  # what a model without 4D-mask attention gets
    forked.tree = False
    assert backend.tree
    obs = observations("tictactoe", 4) + observations("kuhn_poker", 3)
    prompts = [LLMAgent(model=tiny_model).prompt(o) for o in obs]
    cands = [list(o.legal_actions) + ["[a longer answer]"] for o in obs]
    ttt = backend.encode_prompts(prompts[:4])  # the rules come first: a long shared prefix
    assert common_prefix(ttt) > len(backend.encode_continuation(obs[0].rules))
    for a, b in zip(backend.score(prompts, cands), forked.score(prompts, cands)):
        assert a.logprob == pytest.approx(b.logprob, abs=1e-5)
        assert a.token_logprobs[0] == pytest.approx(b.token_logprobs[0], abs=1e-5)


def test_tree_mask_by_hand():
    from agents.llm.hf_batch import tree_mask

    # one row: prompt token, pad, candidate 0 (2 tokens), candidate 1 (1 token); prefix of 1
    real = torch.tensor([[1, 0, 1, 1, 1]])
    seg = torch.tensor([[-1, -1, 0, 0, 1]])
    allowed = tree_mask(real, seg, 1, torch.float32)[0, 0] == 0
    expected = torch.tensor([
        [1, 1, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0],
        [1, 1, 0, 1, 0, 0],
        [1, 1, 0, 1, 1, 0],
        [1, 1, 0, 0, 0, 1],
    ], dtype=torch.bool)
    assert torch.equal(allowed, expected)


def test_budget_chunks_respect_the_budget():
    from agents.llm.hf_batch import budget_chunks

    lengths = [3, 5, 2, 9, 4, 4, 1]
    chunks = list(budget_chunks(lengths, lambda n: n, 10))
    assert [x for c in chunks for x in c] == lengths
    assert all(len(c) * max(c) <= 10 or len(c) == 1 for c in chunks)
    assert chunks == [[3, 5], [2], [9], [4, 4], [1]]


def test_tiny_token_budget_gives_the_same_results(tiny_model, backend):
    small = HFBackend(tiny_model, token_budget=1)
    prompts = ["You hold the Jack.", "Board:\nX . O\n. . .",
               "a longer prompt with more words in it"]
    cands = [["[check]", "[bet]"], ["[1]", "[5]", "[9]"], ["[fold]", "[call] please"]]
    for a, b in zip(backend.score(prompts, cands), small.score(prompts, cands)):
        assert a.logprob == pytest.approx(b.logprob, abs=1e-5)
    kw = dict(temperature=1.0, top_p=0.95, max_new_tokens=12, seeds=[3, 4, 5])
    for a, b in zip(backend.generate(prompts, **kw), small.generate(prompts, **kw)):
        assert a.token_ids == b.token_ids and a.text == b.text
        assert a.logprobs == pytest.approx(b.logprobs, abs=1e-5)


def test_generation_depends_on_the_seed_not_the_batch(backend):
    prompts = ["first prompt", "a second, longer prompt of the batch", "third"]
    kw = dict(temperature=1.0, top_p=1.0, max_new_tokens=16)
    batch = backend.generate(prompts, seeds=[1, 2, 3], **kw)
    assert backend.generate(prompts, seeds=[1, 2, 3], **kw) == batch
    alone = backend.generate(prompts[1:2], seeds=[2], **kw)[0]
    assert alone.token_ids == batch[1].token_ids
    assert backend.generate(prompts[1:2], seeds=[99], **kw)[0].token_ids != batch[1].token_ids
    greedy = backend.generate(prompts, seeds=[1, 2, 3], **{**kw, "temperature": 0.0})
    assert greedy == backend.generate(prompts, seeds=[7, 8, 9], **{**kw, "temperature": 0.0})


def test_generation_stops_at_eos_and_keeps_it_last(backend):
    import copy

    stopper = copy.copy(backend)  # half the vocabulary counts as EOS: rows end early
    stopper.eos_ids = list(range(0, len(backend.tokenizer), 2))
    gens = stopper.generate(["x", "a longer prompt"] * 8, temperature=1.0, top_p=1.0,
                            max_new_tokens=8, seeds=list(range(16)))
    for g in gens:
        assert len(g.token_ids) == len(g.logprobs) <= 8
        eos_at = [i for i, t in enumerate(g.token_ids) if t in stopper.eos_ids]
        assert eos_at in ([], [len(g.token_ids) - 1])
    assert sum(len(g.token_ids) < 8 for g in gens) >= 8
    assert backend.tokenizer.eos_token not in backend.generate(
        ["x"], temperature=1.0, top_p=1.0, max_new_tokens=8, seeds=[0])[0].text


# ----- agent: choice mode -------------------------------------------------------------
@pytest.mark.parametrize("game", ["kuhn_poker", "tictactoe"])
def test_choice_policy_sums_to_one_over_legal_actions(tiny_model, game):
    agent = LLMAgent(model=tiny_model, temperature=0.5)
    for obs in observations(game, 6):
        dist = agent.policy(obs)
        assert set(dist) == set(obs.legal_actions)
        assert sum(dist.values()) == pytest.approx(1.0, abs=1e-9)
        assert all(p > 0 for p in dist.values())


def test_choice_decision_logprobs_equal_a_forward_pass(tiny_model, backend):
    agent = LLMAgent(model=tiny_model, seed=3)
    obs_list = observations("tictactoe", 5)
    for obs, dec in zip(obs_list, agent.act_batch(obs_list)):
        assert dec.text in obs.legal_actions
        assert dec.distribution == pytest.approx(agent.policy(obs), abs=1e-6)
        assert dec.token_ids == tuple(backend.encode_continuation(dec.text))
        expected = forward_logprobs(backend, dec.info["prompt_ids"], dec.token_ids)
        assert dec.logprobs == pytest.approx(expected, abs=1e-4)
        assert dec.info["action_logprobs"][dec.text] == pytest.approx(sum(expected), abs=1e-4)


def test_choice_greedy_and_temperature(tiny_model):
    obs = observations("tictactoe", 1)[0]
    scores = LLMAgent(model=tiny_model).policy(obs)
    greedy = LLMAgent(model=tiny_model, greedy=True)
    best = max(scores, key=scores.__getitem__)
    assert greedy.act(obs).text == best and greedy.policy(obs)[best] == 1.0
    cold = LLMAgent(model=tiny_model, temperature=0.1).policy(obs)
    assert cold[best] > scores[best]


def test_kuhn_exploitability_of_the_llm_policy(tiny_model):
    from games.kuhn_poker.evaluation import table_from_policy
    from tests.games.kuhn_reference import exploitability

    agent = make_agent(f"llm:model={tiny_model},temperature=2.0")
    table = table_from_policy(games.make("kuhn_poker"), agent.policy_batch)
    assert 0.0 <= exploitability(table) <= 1.0
    assert len(table) == 12 and all(0 < p < 1 for p in table.values())


# ----- agent: generate mode -----------------------------------------------------------
def test_generate_decision_logprobs_equal_a_forward_pass(tiny_model, backend):
    agent = LLMAgent(model=tiny_model, mode="generate", max_new_tokens=12, temperature=0.7,
                     top_p=0.9)
    obs = observations("kuhn_poker", 4)
    for o, dec in zip(obs, agent.act_batch(obs)):
        assert dec.info["prompt_ids"] == tuple(backend.encode_prompt(dec.info["prompt"]))
        expected = forward_logprobs(backend, dec.info["prompt_ids"], dec.token_ids)
        assert dec.logprobs == pytest.approx(expected, abs=1e-4)
        assert dec.distribution is None and agent.policy(o) is None


def test_unparseable_output_follows_the_invalid_action_policy(tiny_model):
    agent = LLMAgent(model=tiny_model, mode="generate", max_new_tokens=8)
    game = games.make("tictactoe")
    record = play_match(game, [agent, agent], seed=0, config=MatchConfig(invalid="retry:1"))
    assert record.outcome == "forfeit" and record.forfeit_player == 0
    first, retry = record.decisions
    assert (first.valid, first.attempt, retry.valid, retry.attempt) == (False, 0, False, 1)
    assert first.error and retry.error  # e.g. "no answer found"
    assert first.token_ids and len(first.logprobs) == len(first.token_ids)
    assert first.raw == agent.backend.tokenizer.decode(first.token_ids, skip_special_tokens=True)
    assert "previous answer was invalid" in retry.info["prompt"]
    fallback = play_match(game, [agent, agent], seed=0, config=MatchConfig(invalid="random"))
    assert fallback.outcome == "terminal"
    assert all(d.fallback and not d.valid for d in fallback.decisions)


# ----- agent: reproducibility and errors ----------------------------------------------
@pytest.mark.parametrize("mode", ["choice", "generate"])
def test_same_seed_same_decisions_however_batched(tiny_model, mode):
    agent = LLMAgent(model=tiny_model, mode=mode, max_new_tokens=6, seed=5)
    game = games.make("tictactoe")
    config = MatchConfig(invalid="random")
    batched = run_matches([MatchSpec(game, [agent, agent], s) for s in range(6)], config)
    again = run_matches([MatchSpec(game, [agent, agent], s) for s in range(6)], config)
    alone = [play_match(game, [agent, agent], s, config) for s in range(6)]

    def key(records):
        return [[(d.raw, d.action, d.token_ids) for d in r.decisions] for r in records]
    assert key(batched) == key(again) == key(alone)
    other = LLMAgent(model=tiny_model, mode=mode, max_new_tokens=6, seed=6)
    others = run_matches([MatchSpec(game, [other, other], s) for s in range(6)], config)
    assert key(others) != key(batched)


def test_missing_model_gives_the_helpful_error(tmp_path):
    needs = r"llm needs model=PATH_OR_HUB_ID, e\.g\. llm:model=models/tiny"
    with pytest.raises(ValueError, match=needs):
        make_agent("llm")
    with pytest.raises(ValueError, match=r"does not exist.*arena model new --out"):
        LLMAgent(model=str(tmp_path / "nowhere" / "tiny"))
    with pytest.raises(ValueError, match=r"(?s)hub id.*HF_HUB_OFFLINE"):
        LLMAgent(model="no-such-org/no-such-model")
    (tmp_path / "config.json").write_text("{}")
    with pytest.raises(ValueError, match=r"no tokenizer.*save_pretrained"):
        LLMAgent(model=str(tmp_path))


def test_bad_options_and_free_text_games(tiny_model):
    for bad in ("mode=chose", "backend=tgi", "temperature=-1", "top_p=0", "max_new_tokens=0"):
        with pytest.raises(ValueError, match=bad.split("=")[0]):
            make_agent(f"llm:model={tiny_model},{bad}")
    obs = games.make("negotiation").new_state(0).observation(0)
    assert obs.legal_actions is None
    with pytest.raises(ValueError, match=r"free text.*mode=generate"):
        LLMAgent(model=tiny_model).act(obs)
    dec = LLMAgent(model=tiny_model, mode="generate", max_new_tokens=4).act(obs)
    assert isinstance(dec.text, str) and len(dec.token_ids) <= 4
    closed = LLMAgent(model=tiny_model)
    closed.close()
    closed.close()
    with pytest.raises(RuntimeError, match="closed"):
        closed.act(observations("kuhn_poker", 1)[0])


def test_bench_llm_reports_every_row(tiny_model, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "scripts" / "bench_llm.py"
    spec = importlib.util.spec_from_file_location("bench_llm", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.bench_llm(matches=2, sequential=1, max_new_tokens=2, model=tiny_model)
    assert set(figures["rows"]) == {f"{g}/{m}" for g in bench.GAMES for m in bench.MODES}
    assert all(r["batched_per_s"] > 0 and r["speedup"] > 0 for r in figures["rows"].values())
    assert "decisions per second" in capsys.readouterr().out


# ----- no deprecated calls, a generic prompt, no model overwritten ------------------------
def test_our_calls_raise_no_deprecation_warning(tiny_model):
    """Scoring (tree and forked) and sampling use the current cache API of transformers."""
    import warnings

    from agents.llm import hf_batch

    backend = HFBackend(tiny_model, device="cpu")
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        warnings.simplefilter("error", FutureWarning)
        backend.score(["You hold the King.", "You hold the Queen."], [["[check]", "[bet]"]] * 2)
        backend.generate(["a", "ab"], temperature=1.0, max_new_tokens=4, seeds=[1, 2])
        backend.tree = False
        prompt, cand = backend.encode_prompt("x y"), backend.encode_continuation("[bet] z")
        backend._score_forked([prompt], [[cand]], [[[]]], (0, None))
    assert hf_batch._cache_keyword(type(backend.model)) == "cache"


def test_the_generic_prompt_names_no_games_actions():
    import random

    from agents.llm.prompts import GENERATE_INSTRUCTION

    for name in games.available():
        try:
            state = games.make(name).new_state(0)
        except Exception:  # a plug-in that needs options: nothing to compare
            continue
        rng, seen = random.Random(0), set()
        for _ in range(30):
            if state.is_terminal():
                break
            p = state.current_players()[0]
            seen.update(state.legal_actions(p) or ())
            state.apply(p, state.random_action(p, rng))
        assert not [a for a in seen if a in GENERATE_INSTRUCTION], name


def test_model_new_refuses_a_non_empty_folder_unless_forced(tmp_path, capsys):
    from arena.cli import main

    out = tmp_path / "m"
    assert main(["model", "new", "--out", str(out)]) == 0
    (out / "trainer_state.json").write_text("{}")  # what a checkpoint folder would hold
    weights = (out / "model.safetensors").read_bytes()
    capsys.readouterr()
    assert main(["model", "new", "--out", str(out), "--seed", "1"]) == 2
    err = capsys.readouterr().err
    assert "is not empty" in err and "add --force" in err
    assert (out / "model.safetensors").read_bytes() == weights  # untouched
    assert main(["model", "new", "--out", str(out), "--seed", "1", "--force"]) == 0
    assert not (out / "trainer_state.json").exists()  # replaced as a whole, no stale state
    assert (out / "model.safetensors").read_bytes() != weights
