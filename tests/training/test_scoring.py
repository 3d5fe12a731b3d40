"""Generated replies' log-probabilities come from the head at the reply positions only
(left-padded rows), and equal the log-softmax of a full forward pass over each row alone."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from agents.llm.hf import HFBackend  # noqa: E402
from agents.llm.model_cache import ModelCache  # noqa: E402
from training.rollout import Sample  # noqa: E402
from training.scoring import token_logprobs  # noqa: E402


def _sample(prompt, reply) -> Sample:
    return Sample(key="g/r", reward=0.0, prompt_ids=tuple(prompt), token_ids=tuple(reply),
                  logprobs=tuple(0.0 for _ in reply))


def _alone(model, sample: Sample) -> list[float]:
    """The reference: one row, no padding, the whole vocabulary at every position."""
    ids = torch.tensor([list(sample.prompt_ids) + list(sample.token_ids)])
    lp = torch.log_softmax(model(input_ids=ids).logits.float()[0], dim=-1)
    p = len(sample.prompt_ids)
    return [float(lp[p - 1 + t, tok]) for t, tok in enumerate(sample.token_ids)]


def test_left_padded_reply_scores_equal_each_row_alone(tiny_model):
    backend = HFBackend(tiny_model, device="cpu", models=ModelCache())
    vocab = backend.model.config.vocab_size
    gen = torch.Generator().manual_seed(3)
    shapes = [(9, 4), (3, 7), (14, 1), (5, 5)]  # prompt and reply lengths all differ
    samples = [_sample(torch.randint(3, vocab, (p,), generator=gen).tolist(),
                       torch.randint(3, vocab, (r,), generator=gen).tolist())
               for p, r in shapes]
    with torch.no_grad():
        out, mask = token_logprobs(backend.model, backend, samples)
        assert out.shape == mask.shape == (4, 7)
        for i, s in enumerate(samples):
            n = len(s.token_ids)
            assert mask[i].tolist() == [1.0] * n + [0.0] * (7 - n)
            assert out[i, n:].abs().sum() == 0
            assert out[i, :n].tolist() == pytest.approx(_alone(backend.model, s), abs=1e-4)


def test_reply_scores_carry_gradients(tiny_model):
    backend = HFBackend(tiny_model, device="cpu", models=ModelCache())
    samples = [_sample([5, 6, 7, 8], [9, 10]), _sample([5, 6], [11, 12, 13])]
    out, mask = token_logprobs(backend.model, backend, samples)
    (out * mask).sum().backward()
    grads = [p.grad for p in backend.model.parameters() if p.grad is not None]
    assert grads and any(float(g.abs().sum()) > 0 for g in grads)
