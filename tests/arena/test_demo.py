"""The demo prints moves as written, loops over what the games declare, and leaves its
results in a folder (the import circles: tests/test_architecture.py)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

from rich.console import Console


def test_demo_prints_moves_as_written_and_keeps_its_results(tmp_path, capsys):
    from arena.demo import run_demo

    console = Console(file=StringIO(), width=100, color_system=None)
    out = tmp_path / "demo"
    assert run_demo(out=out, console=console, train=None) == 0
    text = console.file.getvalue()
    kuhn = next(line for line in text.splitlines() if line.startswith("kuhn_poker expert"))
    assert "([" in kuhn and "], [" in kuhn  # [check], [bet]... survive the markup engine
    assert "exploitability" in text and "optimal_moves" in text  # what the games declare
    assert "self-play step skipped" in text
    assert (out / "tournament.db").is_file()
    assert f"arena plot {out / 'selfplay'}" in text.replace("\n", " ")
    assert "Leaderboard: kuhn_poker" in capsys.readouterr().out


def test_demo_hands_self_play_to_the_training_command(tmp_path, monkeypatch):
    import arena.demo as demo

    monkeypatch.setattr(demo, "one_match_each", lambda console: None)
    monkeypatch.setattr(demo, "exact_evaluations", lambda console: None)
    monkeypatch.setattr(demo, "_tournament", lambda console, db: None)
    (tmp_path / "models" / "tiny").mkdir(parents=True)
    (tmp_path / "models" / "tiny" / "config.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    calls = []
    console = Console(file=StringIO(), width=100, color_system=None)
    demo.run_demo(fast=True, out="runs/d", console=console, train=calls.append)
    (argv,) = calls
    assert argv[argv.index("--out") + 1] == str(Path("runs/d") / "selfplay")
    assert argv[argv.index("--iterations") + 1] == "4"
    assert float(argv[argv.index("--dpo-coef") + 1]) > 0  # step preferences on
    assert float(argv[argv.index("--pref-prob") + 1]) > 0
    assert (tmp_path / "runs" / "d").is_dir()  # outlives the demo
