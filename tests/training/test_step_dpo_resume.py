"""Resume with step-DPO on: a run stopped after its first checkpoint and resumed ends on
the same parameters and metrics as an uninterrupted run, bit for bit on CPU. The lagged
reference (``lagged:2``) is taken at iteration 1 and still in use at iteration 2, so the
resumed run must read it from the checkpoint."""

from __future__ import annotations

import json

import pytest

torch = pytest.importorskip("torch")
safetensors = pytest.importorskip("safetensors.torch")

TIMING = {"elapsed_s", "rollout_s", "learn_s", "games_per_s", "tokens_per_s", "search_s",
          "search_share"}


def _config(model: str, out, iterations: int):
    from training.config import SelfPlayConfig

    return SelfPlayConfig(games=["kuhn_poker"], model=model, out=str(out), iterations=iterations,
                          matches_per_iteration=16, lr=1e-2, lr_schedule="constant",
                          minibatch=256, entropy_coef=0.0, eval_every=0, checkpoint_every=1,
                          dpo_coef=1.0, dpo_ref="lagged:2", pref_prob=0.5, pref_sims=8,
                          device="cpu", seed=0)


def _rows(run_dir):
    rows = [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]
    return [{k: v for k, v in r.items() if k not in TIMING} for r in rows]


def test_resumed_dpo_run_matches_an_uninterrupted_one(tiny_model, tmp_path):
    from training.loop import train

    straight = train(_config(tiny_model, tmp_path / "a", 3))
    train(_config(tiny_model, tmp_path / "b", 1))
    resumed = train(_config(tiny_model, tmp_path / "b", 3))
    assert (resumed / "checkpoint-1" / "trainer_state.safetensors").exists()
    want = safetensors.load_file(straight / "checkpoint-3" / "model.safetensors")
    got = safetensors.load_file(resumed / "checkpoint-3" / "model.safetensors")
    assert [k for k in want if not torch.equal(want[k], got[k])] == []
    rows = _rows(resumed)
    assert rows == _rows(straight)
    assert [r["iteration"] for r in rows] == [1, 2, 3]
    assert all(r["pairs"] > 0 and "dpo/loss" in r for r in rows)
