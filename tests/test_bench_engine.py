"""scripts/bench.py: a quick run of each subcommand yields complete, positive figures.
No speed assertions: speed claims live in the benchmark itself."""

import importlib.util
import json
import random
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_engine.py"
GAMES = ("kuhn_poker", "tictactoe", "negotiation", "werewolf:speech=claims")
RUN_KEYS = {"steps", "games", "seconds", "cpu_seconds", "steps_per_s", "games_per_s",
            "steps_per_game", "cpu_us_per_step"}


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _positive_run(figures: dict) -> None:
    assert RUN_KEYS <= set(figures)
    for key in RUN_KEYS:
        assert figures[key] > 0, (key, figures[key])
    assert figures["cpu_us_per_step"] == pytest.approx(
        figures["cpu_seconds"] / figures["steps"] * 1e6, rel=1e-3)


def _engine_json(bench, capsys, *extra: str) -> dict:
    assert bench.main(["engine", "--seconds", "0.05", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_engine_json_has_every_figure(bench, capsys):
    before = random.getstate()
    result = _engine_json(bench, capsys)
    assert random.getstate() == before  # the run leaves the process-wide generator alone
    assert result["benchmark"] == "engine"
    assert set(result["games"]) == set(GAMES)
    assert result["targets"]["ratio_min"] == 10.0
    for name, row in result["games"].items():
        _positive_run(row["ours"])
        assert row["clone_us"] > 0
        assert row["clone_target_us"] == {"negotiation": None,
                                          "werewolf:speech=claims": 5.0}.get(name, 2.0)
        theirs = row["textarena"]
        if result["textarena"]["available"]:
            assert theirs["available"], theirs.get("reason")
            _positive_run(theirs)
            assert theirs["invalid_steps"] == 0  # the random actions are legal
            assert row["ratio_steps_per_s"] > 0
            assert row["ratio_cpu"] == pytest.approx(
                theirs["cpu_us_per_step"] / row["ours"]["cpu_us_per_step"])
        else:
            assert theirs["reason"] and row["ratio_steps_per_s"] is None
            assert row["ratio_cpu"] is None


def test_engine_without_textarena_reports_na(bench, capsys, monkeypatch):
    monkeypatch.setattr(bench, "load_textarena", lambda: (None, "textarena not importable (test)"))
    result = _engine_json(bench, capsys, "--games", "tictactoe")
    row = result["games"]["tictactoe"]
    assert result["textarena"] == {"available": False, "reason": "textarena not importable (test)",
                                   "version": None}
    assert row["textarena"]["available"] is False and row["ratio_steps_per_s"] is None
    _positive_run(row["ours"])


def test_engine_table_and_profile(bench, capsys):
    assert bench.main(["engine", "--seconds", "0.05", "--games", "kuhn_poker",
                       "--no-textarena", "--profile", "200"]) == 0
    out = capsys.readouterr().out
    assert "kuhn_poker" in out and "n/a" in out and "profile of kuhn_poker" in out
    assert "ours CPU us/step" in out and "by CPU time" in out


def test_engine_refuses_unknown_game(bench, capsys):
    assert bench.main(["engine", "--games", "kuhn"]) == 2
    assert "unknown game(s) 'kuhn'" in capsys.readouterr().err
