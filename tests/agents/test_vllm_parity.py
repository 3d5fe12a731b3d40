"""The vllm backend gives the log-probabilities the hf backend gives, on the same prompts
(real game observations and their legal actions) and the same model: candidate scores in
choice mode, and the log-probability of every sampled token in generate mode (against a
forward pass of the hf model over the same ids). Runs where ``vllm`` imports and a CUDA
GPU is visible; skipped with the reason elsewhere."""

from __future__ import annotations

import pytest

vllm = pytest.importorskip("vllm", reason="vllm is not installed (pip install "
                           "selfplay-arena[vllm], on a machine with a CUDA GPU)")
torch = pytest.importorskip("torch")
if not torch.cuda.is_available():
    pytest.skip("vllm is installed but no CUDA GPU is visible", allow_module_level=True)

from agents.llm.hf import HFBackend  # noqa: E402
from agents.llm.prompts import render_prompt  # noqa: E402
from agents.llm.vllm_backend import VLLMBackend  # noqa: E402
from games import registry  # noqa: E402

TOLERANCE = 2e-3
"""Largest difference allowed per token, in float32 (the two engines run different
kernels: attention, matmul order)."""


def _prompts(tokenizer) -> tuple[list[str], list[list[str]]]:
    """The first observations of a few Kuhn Poker and TicTacToe games, rendered as the
    agents render them, with their legal actions."""
    prompts, candidates = [], []
    for name in ("kuhn_poker", "tictactoe"):
        game = registry.make(name)
        for seed in range(3):
            state = game.new_state(seed)
            player = state.current_players()[0]
            obs = state.observation(player)
            prompts.append(render_prompt(obs, "choice", tokenizer))
            candidates.append(list(obs.legal_actions))
    return prompts, candidates


@pytest.fixture(scope="module")
def engines(tiny_model):
    hf = HFBackend(tiny_model, device="cuda", dtype="float32")
    engine = VLLMBackend(tiny_model, dtype="float32", seed=0, gpu_memory_utilization=0.3,
                         enforce_eager=True)
    yield hf, engine
    engine.close()


def test_candidate_scores_match_the_hf_backend(engines):
    hf, engine = engines
    prompts, candidates = _prompts(hf.tokenizer)
    ours, theirs = hf.score(prompts, candidates), engine.score(prompts, candidates)
    for a, b in zip(ours, theirs):
        assert a.prompt_ids == b.prompt_ids and a.candidate_ids == b.candidate_ids
        for tokens_a, tokens_b in zip(a.token_logprobs, b.token_logprobs):
            assert tokens_b == pytest.approx(tokens_a, abs=TOLERANCE)
        assert b.logprob == pytest.approx(a.logprob, abs=TOLERANCE * max(a.num_tokens))


def test_sampled_token_logprobs_match_a_forward_pass(engines):
    hf, engine = engines
    prompts, _ = _prompts(hf.tokenizer)
    for gen in engine.generate(prompts, temperature=1.0, top_p=1.0, max_new_tokens=12,
                               seeds=list(range(len(prompts)))):
        assert gen.token_ids and len(gen.logprobs) == len(gen.token_ids)
        ids = torch.tensor([list(gen.prompt_ids) + list(gen.token_ids)], device="cuda")
        with torch.inference_mode():
            logits = hf.model(ids).logits[0].float()
        start = len(gen.prompt_ids)
        positions = torch.arange(start - 1, start - 1 + len(gen.token_ids), device="cuda")
        want = torch.log_softmax(logits[positions], dim=-1)[
            torch.arange(len(gen.token_ids), device="cuda"),
            torch.tensor(gen.token_ids, device="cuda")]
        assert list(gen.logprobs) == pytest.approx(want.tolist(), abs=TOLERANCE)


def test_the_same_seed_samples_the_same_reply(engines):
    _, engine = engines
    prompts = ["Kuhn Poker. Your card: K. Your move:"] * 2
    a, b = engine.generate(prompts, temperature=1.0, top_p=1.0, max_new_tokens=8, seeds=[7, 7])
    assert a.token_ids == b.token_ids and a.logprobs == pytest.approx(b.logprobs)
