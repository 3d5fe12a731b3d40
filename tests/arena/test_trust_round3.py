"""Smaller holes of issue 23 (item 10): repeated options, non-finite numbers, --delay inf,
truncated model weights. Each is one line and exit status 2, never a traceback or a value
silently dropped."""

from __future__ import annotations

import shutil

import pytest

from arena.cli import main


def _one_line(capsys, words: str) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if "error:" in ln]
    assert len(lines) == 1 and words in lines[0], err
    return lines[0]


@pytest.mark.parametrize("argv, option", [
    (["check", "tictactoe", "--seeds", "3", "--seeds", "4"], "--seeds"),
    (["eval", "kuhn_poker", "--agent", "random", "--games", "1", "--episodes", "2"],
     "--episodes"),
    (["play", "kuhn_poker", "--agents", "random,random", "--seed=1", "--seed", "2"], "--seed"),
    (["model", "new", "--out", "x", "--size", "tiny", "--size", "small"], "--size"),
    (["tournament", "--game", "kuhn_poker", "--agents", "random,expert", "--rounds", "1",
      "--rounds", "100"], "--rounds"),
    (["export", "--db", "a.db", "--out", "a.jsonl", "--out", "b.jsonl"], "--out"),
    (["train", "--iterations", "3", "--iterations=4"], "--iterations"),
    (["ladder", "run", "--last", "2", "--last", "3"], "--last"),
    (["preferences", "--game", "tictactoe", "--agent", "random", "--out", "p.jsonl",
      "--matches", "1", "--matches", "9"], "--matches"),
])
def test_an_option_given_twice_is_refused_not_the_last_silently_kept(argv, option, capsys,
                                                                     tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    _one_line(capsys, f"option {option} given twice")
    assert not list(tmp_path.iterdir())  # nothing was written


def test_options_meant_to_repeat_still_repeat():
    from training.cli import build_train_parser

    from arena.argv import repeated_option

    assert repeated_option(build_train_parser(), ["--game", "kuhn_poker", "--game",
                                                  "tictactoe"]) is None


@pytest.mark.parametrize("spec, words", [
    ("mcts:c=inf", "c='inf' for 'mcts' must be a finite number"),
    ("mcts:c=nan", "c='nan' for 'mcts' must be a finite number"),
    ("llm:model=m,temperature=inf", "temperature='inf' for 'llm' must be a finite number"),
    ("mcts:c=1,c=2", "option 'c' given twice"),
])
def test_agent_specs_refuse_non_finite_numbers_and_repeated_keys(spec, words, capsys):
    assert main(["play", "kuhn_poker", "--agents", f"{spec},random"]) == 2
    _one_line(capsys, words)


@pytest.mark.parametrize("entry", ["tictactoe@nan", "tictactoe@inf", "tictactoe@-inf"])
def test_game_weights_nan_and_inf_are_refused_not_the_game_dropped(entry):
    from training.config import SelfPlayConfig, parse_game_weights

    with pytest.raises(ValueError, match="must be a finite number > 0"):
        parse_game_weights(["kuhn_poker", entry])
    with pytest.raises(ValueError, match="must be a finite number > 0"):
        SelfPlayConfig(games=["kuhn_poker", entry])


@pytest.mark.parametrize("delay", ["inf", "nan", "1e9"])
def test_delay_inf_is_one_line(delay, capsys, tmp_path):
    assert main(["play", "kuhn_poker", "--agents", "random,random", "--watch", "--delay",
                 delay]) == 2
    _one_line(capsys, f"--delay {float(delay)!r} must be a number of seconds from 0")
    from arena.store import Store
    from arena.tournament import TournamentConfig, run_tournament

    db = tmp_path / "t.db"
    with Store(db) as store:
        tid = run_tournament(TournamentConfig(games=["kuhn_poker"], agents=["random", "expert"],
                                              rounds=1), store).tournament_id
    assert main(["replay", f"{tid}:0", "--db", str(db), "--delay", delay]) == 2
    _one_line(capsys, "must be a number of seconds from 0")


@pytest.fixture
def truncated_model(tiny_model, tmp_path):
    folder = tmp_path / "truncated"
    shutil.copytree(tiny_model, folder)
    weights = folder / "model.safetensors"
    data = weights.read_bytes()
    weights.write_bytes(data[:len(data) // 2])
    return folder


def test_truncated_weights_are_one_line_in_play_train_and_ladder(truncated_model, tmp_path,
                                                                 capsys):
    """Regression: a SafetensorError traceback in play, train and ladder."""
    assert main(["play", "kuhn_poker", "--agents", f"llm:model={truncated_model},random"]) == 2
    _one_line(capsys, "weights are damaged or truncated")
    out = tmp_path / "run"
    assert main(["train", "--model", str(truncated_model), "--iterations", "1",
                 "--out", str(out)]) == 2
    _one_line(capsys, "weights are damaged or truncated")
    assert not out.exists()


def test_a_full_disk_during_a_tournament_is_not_called_damage(tmp_path, capsys, monkeypatch):
    """Regression (item 8): a full disk was reported as a damaged store to restore from a
    backup; the store was intact and resumed."""
    from arena.store import Store

    db = tmp_path / "t.db"
    argv = ["tournament", "--game", "tictactoe", "--agents", "random,expert", "--rounds", "40",
            "--db", str(db)]
    connect = Store._connect

    def full_disk(self):  # the file may not grow past what it holds now
        conn = connect(self)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {max(pages, 8)}")
        return conn

    monkeypatch.setattr(Store, "_connect", full_disk)
    assert main(argv) == 1
    line = _one_line(capsys, "no space left on the device of database")
    assert "damaged" not in line and "backup" not in line and "is kept" in line
    monkeypatch.setattr(Store, "_connect", connect)
    assert main(argv) == 0  # the same command resumes
    with Store(db, create=False) as store:
        assert store.count() == 80


@pytest.mark.parametrize("argv, words", [
    (["eval", "kuhn_poker", "--agent", "random", "--episodes", str(10 ** 12)],
     "--games 1000000000000 must be a whole number from 0 to 10000"),
    (["tournament", "--game", "kuhn_poker", "--agents", "random,expert", "--rounds",
      str(10 ** 9)], "rounds=1000000000 must be a whole number >= 1 and <= 10000"),
    (["preferences", "--game", "tictactoe", "--agent", "random", "--out", "p.jsonl",
      "--matches", str(10 ** 9)], "--matches 1000000000 must be a whole number from 1 to"),
])
def test_count_options_have_a_stated_maximum_refused_at_once(argv, words, capsys, tmp_path,
                                                              monkeypatch):
    """Regression (item 7): arena eval --episodes 10**12 grew 60 MB/s."""
    import time

    monkeypatch.chdir(tmp_path)
    start = time.monotonic()
    assert main(argv) == 2
    assert time.monotonic() - start < 5
    _one_line(capsys, words)
    assert not list(tmp_path.iterdir())
