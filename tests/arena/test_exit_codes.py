"""One exit-code convention for every command (arena.exits.EXIT_*): 0 done, 2 usage or
input error, 1 run-time failure, 130 interrupted, 141 reader gone; always one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import arena.cli as cli
from arena.cli import main
from arena.store import Store
from arena.tournament import TournamentConfig, run_tournament

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exit") / "t.db"
    with Store(path) as store:
        run_tournament(TournamentConfig(games=["tictactoe"], agents=["random", "expert"],
                                        rounds=40), store)
    return path


def one_error_line(capsys) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "Traceback" not in err, err
    return err


def test_leaderboard_of_an_unknown_game_is_an_input_error(db, capsys):
    assert main(["leaderboard", "--db", str(db), "--game", "nosuchgame"]) == 2
    err = one_error_line(capsys)
    assert "'nosuchgame'" in err and "stored: tictactoe" in err and "known:" in err


def test_leaderboard_of_a_known_game_without_matches_is_not_an_error(db, capsys):
    assert main(["leaderboard", "--db", str(db), "--game", "kuhn_poker"]) == 0
    assert "no matches stored for kuhn_poker" in capsys.readouterr().out


@pytest.mark.parametrize("argv, status, message", [
    (["play", "tictactoe", "--agents", "random,random,random"], 2, "needs 2 agents"),
    (["play", "nosuchgame", "--agents", "random,random"], 2, "unknown game"),
    (["play", "tictactoe", "--agents", "random,nosuchagent"], 2, "unknown agent"),
    (["replay", "t:0", "--db", "/nonexistent/x.db"], 2, "no database at"),
])
def test_usage_and_input_errors_exit_2_with_one_line(argv, status, message, capsys):
    assert main(argv) == status
    assert message in one_error_line(capsys)


@pytest.mark.parametrize("raised, status, shown", [
    (RuntimeError("the model server failed\nbadly"), 1, "error: the model server failed badly"),
    (OSError(28, "No space left on device"), 1, "No space left on device"),
    (ValueError("bad \x1b]0;title\x07value\x07"), 2, "error: bad value\ufffd"),
    (KeyError("no match 'x'"), 2, "error: no match 'x'"),
])
def test_failures_map_to_the_convention_in_one_clean_line(monkeypatch, capsys, raised, status,
                                                           shown):
    def fails(args):
        raise raised

    monkeypatch.setattr(cli, "cmd_games", fails)
    assert main(["games"]) == status
    assert shown in one_error_line(capsys)


def test_ctrl_c_is_130_and_one_line(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "cmd_games", interrupted)
    assert main(["games"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


@pytest.mark.parametrize("argv", [["leaderboard", "--json"], ["export"]])
def test_a_reader_that_goes_away_ends_quietly(db, argv):
    """`arena leaderboard --json | head -1`: the pipe closes before the output is written."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from arena.cli import main; sys.exit(main())",
         *argv, "--db", str(db)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    proc.stdout.close()  # the reader is gone before the command writes anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception" not in err, err
