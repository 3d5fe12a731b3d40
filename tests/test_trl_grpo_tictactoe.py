"""scripts/trl_grpo_tictactoe.py: TRL's GRPOTrainer trains the tiny model through arena serve
(2 steps on CPU), every game reaching the store."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

import trl_grpo_tictactoe as example  # noqa: E402


def test_two_grpo_steps_through_the_server(tiny_model, tmp_path):
    pytest.importorskip("trl", reason="trl is not installed: pip install trl datasets "
                                      "\"torch==2.13.0\"")
    pytest.importorskip("datasets", reason="datasets is not installed (TRL's data sets)")
    pytest.importorskip("openenv.core.env_server", reason="openenv-core is not installed: "
                                                          "pip install 'selfplay-arena[serve]'")
    from arena.store import Store

    db = tmp_path / "trl.db"
    result = example.train(example.Args(model=tiny_model, steps=2, generations=4, lr=1e-3,
                                        db=str(db), out=str(tmp_path / "out")))
    logs, rewards = result["logs"], result["rewards"]
    assert len(logs) == 2 and len(rewards) == 8
    assert set(rewards) <= {-1.0, 0.0, 1.0}
    # a group whose games ended differently gives GRPO a gradient, and the weights move
    assert any(row["reward_std"] > 0 and row["grad_norm"] > 0 for row in logs), logs
    assert result["largest_weight_change"] > 0
    # every game was played through the server and stored as the model's
    with Store(db, create=False) as store:
        stored = list(store.matches())
    assert [m.returns[0] for m in stored] == rewards
    assert all(m.agents[0] == "trl-grpo" and m.agents[1] == "random" for m in stored)
    assert all(d.valid for m in stored for d in m.decisions)  # --decode legal: legal moves


@pytest.mark.parametrize("option, value, message", [
    ("steps", 0, "--steps 0 must be a whole number >= 1"),
    ("generations", 1, "--generations 1 must be a whole number >= 2"),
    ("decode", "greedy", "--decode 'greedy' must be legal or free"),
])
def test_bad_arguments_are_one_line(option, value, message, capsys):
    assert example.main([f"--{option}", str(value)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_missing_model_names_the_command_that_builds_one(tmp_path, capsys):
    pytest.importorskip("trl", reason="trl is not installed")
    assert example.main(["--model", str(tmp_path / "none")]) == 2
    assert "arena model new --out" in capsys.readouterr().err
