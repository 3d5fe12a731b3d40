"""The vllm backend is optional and GPU-only: without the package it fails clearly."""

from __future__ import annotations

import sys

import pytest


def test_missing_vllm_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)  # import vllm now raises ImportError
    from agents.llm.vllm_backend import VLLMBackend

    with pytest.raises(ImportError, match=r"pip install selfplay-arena\[vllm\]") as info:
        VLLMBackend(model="models/tiny", dtype="auto", seed=0)
    assert "CUDA GPU" in str(info.value)


def test_module_imports_without_vllm(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", None)
    monkeypatch.delitem(sys.modules, "agents.llm.vllm_backend", raising=False)
    import agents.llm.vllm_backend as module

    assert module.VLLMBackend.name == "vllm"


class FakeLogprob:
    def __init__(self, logprob: float):
        self.logprob = logprob


def fake_vllm():
    """A stand-in for the vllm module: token ids are characters, the log-probability of
    token t at position k is -(t % 5 + k) / 10, the sampled tokens count up from the seed."""
    import types

    class Tokenizer:
        bos_token_id = None

        def encode(self, text, add_special_tokens=True):
            return [ord(ch) for ch in text]

    class SamplingParams:
        def __init__(self, **kw):
            self.__dict__.update(kw)

    class LLM:
        def __init__(self, model, dtype, seed, **kw):
            self.args = (model, dtype, seed, kw)

        def get_tokenizer(self):
            return Tokenizer()

        def generate(self, prompts, sampling_params, use_tqdm):
            out = []
            for prompt, p in zip(prompts, sampling_params):
                ids = prompt["prompt_token_ids"]
                lps = [None] + [{t: FakeLogprob(-(t % 5 + k) / 10)} for k, t in enumerate(ids)][1:]
                new = [97 + (getattr(p, "seed", 0) + i) % 26 for i in range(p.max_tokens)]
                sample = [{t: FakeLogprob(-0.5), 0: FakeLogprob(-9.0)} for t in new]
                completion = types.SimpleNamespace(
                    text="".join(map(chr, new)), token_ids=new, logprobs=sample)
                out.append(types.SimpleNamespace(prompt_logprobs=lps, outputs=[completion]))
            return out

    return types.SimpleNamespace(LLM=LLM, SamplingParams=SamplingParams)


def test_score_and_generate_read_vllm_outputs(monkeypatch):
    monkeypatch.setitem(sys.modules, "vllm", fake_vllm())
    from agents.llm.vllm_backend import VLLMBackend

    b = VLLMBackend(model="m", dtype="bfloat16", seed=3, gpu_memory_utilization=0.5)
    assert b.llm.args == ("m", "bfloat16", 3, {"gpu_memory_utilization": 0.5})
    scores = b.score(["ab", "xyz"], [["c", "de"], []])
    expected = [sum(-(ord(ch) % 5 + k) / 10 for k, ch in enumerate(cand, start=2))
                for cand in ("c", "de")]
    assert scores[0].logprob == pytest.approx(expected)
    assert scores[0].token_logprobs[1] == pytest.approx([-(100 % 5 + 2) / 10, -(101 % 5 + 3) / 10])
    assert scores[0].num_tokens == (1, 2) and scores[0].candidate_ids == ((99,), (100, 101))
    assert scores[0].prompt_ids == (97, 98) and scores[1].logprob == ()
    gens = b.generate(["ab", "cd"], temperature=1.0, top_p=1.0, max_new_tokens=3, seeds=[0, 1])
    assert gens[0].text == "abc" and gens[0].token_ids == (97, 98, 99)
    assert gens[1].text == "bcd" and gens[1].logprobs == (-0.5, -0.5, -0.5)
    assert gens[1].prompt_ids == (99, 100)
    with pytest.raises(ValueError, match="empty"):
        b.score([""], [["a"]])
    b.close()
