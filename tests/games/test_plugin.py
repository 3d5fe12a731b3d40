"""A game from a separate installed package plugs in through the entry point group."""

import sys
from pathlib import Path

import pytest

import games
from agents import make_agent
from arena.runner import play_match
from games.conformance import check_game

PLUGIN_ROOT = Path(__file__).resolve().parents[1] / "plugin_pkg"


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    """Install the tiny package the way pip would: a dist-info with entry_points.txt."""
    dist = tmp_path / "arena_tiny_nim-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: arena-tiny-nim\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(
        "[arena.games]\ntiny_nim = arena_tiny_nim:TinyNim\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGIN_ROOT))
    yield
    sys.modules.pop("arena_tiny_nim", None)


def test_plugged_in_game_is_found_and_playable(installed_plugin):
    assert "tiny_nim" in games.available()
    game = games.make("tiny_nim", stones="7")
    assert game.options.stones == 7
    agents = [make_agent("random", seed=1), make_agent("random", seed=2)]
    record = play_match(game, agents, seed=3)
    assert record.outcome == "terminal"
    assert sorted(record.returns) == [-1.0, 1.0]
    assert sum(int(d.action[1:-1]) for d in record.decisions) == 7


def test_plugged_in_game_runs_the_conformance_check_in_one_line(installed_plugin):
    report = check_game("tiny_nim")
    failed = {f.check for f in report.failures}
    if "all_actions" in failed:  # the fixture predates the check: the trap it must catch
        assert failed == {"all_actions"}, report.summary()
        assert "all_actions() returns None" in report.failures[0].message
    else:
        assert report.ok, report.summary()
    assert {"registration", "playout", "clone", "determinisation", "aec"} <= set(report.passed)


def test_plugged_in_game_options_are_validated(installed_plugin):
    with pytest.raises(ValueError, match="unknown option.*'heaps'.*known: stones"):
        games.make("tiny_nim", heaps=2)


def test_unknown_game_lists_known_ones():
    with pytest.raises(ValueError, match=r"unknown game 'kuhn' \(known: .*kuhn_poker"):
        games.make("kuhn")


def test_broken_entry_point_names_itself(tmp_path, monkeypatch):
    dist = tmp_path / "arena_broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: arena-broken\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[arena.games]\nbroken = no_such_module:Game\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ImportError, match="'broken'.*no_such_module"):
        games.make("broken")
