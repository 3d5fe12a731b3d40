"""The learnability benchmark learns: supervised learning on Kuhn Poker's equilibrium,
through the same scoring path training uses, takes the local model's exploitability from
its untrained value to near zero, in the compact view with a bare prompt."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

import bench_learnable  # noqa: E402


def test_kuhn_poker_is_learnt_from_the_equilibrium(tiny_model):
    rows = []
    args = bench_learnable.parse_args(["--game", "kuhn_poker", "--model", tiny_model,
                                       "--passes", "150", "--minutes", "10"])
    summary = bench_learnable.run(args, rows.append)
    assert rows[0]["event"] == "start" and rows[0]["positions"] == 12
    assert rows[0]["prompt_tokens_mean"] < 8  # "K 2 : check" and a line break
    assert summary["measure"] == "exploitability" and summary["passes"] == 150
    assert summary["before"] > 0.3
    assert summary["after"] < 0.05 < summary["before"]


def test_household_and_werewolf_tasks_are_expert_decisions():
    train, held = bench_learnable.build_tasks("household", "compact", 3, 2)
    assert train.kind == "mask" and len(train.observations) > 10
    assert all(sum(t) == 1 for t in train.targets)  # exactly the expert's action
    assert not {o.text for o in train.observations} & {o.text for o in held.observations}
    train, held = bench_learnable.build_tasks("werewolf", "compact", 2, 1)
    assert all(o.text.startswith("me P") for o in train.observations + held.observations)


def test_the_command_line_refuses_a_bad_budget_in_one_line():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "learnable",
                           "--game", "tictactoe", "--minutes", "0"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "--minutes 0.0 must be > 0" in proc.stderr


def test_bad_values_and_a_missing_model_are_one_line():
    for argv, message in (
            (["--game", "kuhn_poker", "--passes", "0"], "--passes 0 must be a whole number from 1"),
            (["--game", "kuhn_poker", "--lr", "nan"], "--lr nan must be a number in (0, 1]"),
            (["--game", "kuhn_poker", "--model", "/nonexistent/model"], "model path '/nonexistent/model' does not exist")):
        proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench.py"), "learnable",
                               *argv], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 2 and message in proc.stderr
        assert "Traceback" not in proc.stderr
