"""Smoke test of self-play training: a short seeded Kuhn Poker run moves every parameter
tensor and lowers the exact exploitability of the policy (see ``SMOKE`` in conftest)."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")

MIN_DROP = 0.03
"""Exploitability must fall by at least this much in the seeded two-iteration run: the
policy learns to bet and call, the direction of the exact expected self-play gradient at
the start."""


def _rows(run_dir):
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_every_trainable_tensor_moved(smoke_run, tiny_model):
    from transformers import AutoModelForCausalLM

    start = AutoModelForCausalLM.from_pretrained(tiny_model)
    final = AutoModelForCausalLM.from_pretrained(smoke_run / "checkpoint-2")
    before = dict(start.named_parameters())
    after = dict(final.named_parameters())
    assert before.keys() == after.keys()
    unchanged = [name for name, p in before.items()
                 if p.requires_grad and torch.equal(p, after[name])]
    assert not unchanged, f"parameters that training did not move: {unchanged}"


def test_exploitability_falls(smoke_run):
    rows = _rows(smoke_run)
    assert [r["iteration"] for r in rows] == [0, 1, 2]
    key = "eval/kuhn_poker/exploitability"
    evals = [r for r in rows if key in r]
    assert [r["iteration"] for r in evals] == [0, 2]
    first, last = evals[0][key], evals[-1][key]
    assert last < first - MIN_DROP, f"exploitability {first:.4f} -> {last:.4f}"


def test_rows_carry_the_training_metrics(smoke_run):
    for row in _rows(smoke_run)[1:]:
        assert row["samples"] > 0 and row["matches"] == 32
        assert row["invalid_rate"] == 0.0  # choice mode cannot play an invalid action
        assert row["train/steps"] >= 1 and row["train/grad_norm"] > 0
        assert row["train/kl_ref"] >= 0.0
        assert {"advantage/kuhn_poker/first", "baseline/kuhn_poker/second"} <= row.keys()
