"""Games from a separate installed package plug in through the entry point group; a
broken one does not break the others; plug-ins keep their own golden transcripts."""

import json
import sys
from pathlib import Path

import pytest

import games
from agents import make_agent
from arena.cli import main
from arena.golden import default_folder, golden_diffs, write_goldens
from arena.runner import play_match
from games.conformance import check_game

PLUGIN_ROOT = Path(__file__).resolve().parents[1] / "plugin_pkg"
PLUGINS = {"tiny_nim": "arena_tiny_nim:TinyNim", "sealed_bid": "arena_sealed_bid:SealedBid"}


def install(tmp_path, monkeypatch, entry_points: dict[str, str]) -> None:
    """Install plug-ins the way pip would: a dist-info with entry_points.txt."""
    dist = tmp_path / "arena_test_plugins-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: arena-test-plugins\nVersion: 1.0\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (dist / "entry_points.txt").write_text(f"[arena.games]\n{lines}")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.syspath_prepend(str(PLUGIN_ROOT))


@pytest.fixture
def installed_plugin(tmp_path, monkeypatch):
    install(tmp_path, monkeypatch, PLUGINS)
    yield
    sys.modules.pop("arena_tiny_nim", None)
    sys.modules.pop("arena_sealed_bid", None)


def test_plugged_in_game_is_found_and_playable(installed_plugin):
    assert "tiny_nim" in games.available()
    game = games.make("tiny_nim", stones="7")
    assert game.options.stones == 7
    agents = [make_agent("random", seed=1), make_agent("random", seed=2)]
    record = play_match(game, agents, seed=3)
    assert record.outcome == "terminal"
    assert sorted(record.returns) == [-1.0, 1.0]
    assert sum(int(d.action[1:-1]) for d in record.decisions) == 7


def test_plugged_in_games_expert_is_an_agent_by_its_own_name(installed_plugin):
    """The plug-in declares its expert (Game.expert); nothing in agents/ names it."""
    from agents import available_agents

    assert "nim-perfect" in available_agents()
    game = games.make("tiny_nim", stones="7")
    for seed in range(5):  # 7 stones: the first player wins by leaving 6, then 3
        record = play_match(game, [make_agent("nim-perfect", seed=seed),
                                   make_agent("random", seed=seed)], seed=seed)
        assert record.returns == (1.0, -1.0)
        assert record.decisions[0].action == "[1]"
    both = [make_agent("expert"), make_agent("nim-perfect")]
    assert play_match(game, both, seed=0).returns == (1.0, -1.0)


def test_plugged_in_game_runs_the_conformance_check_in_one_line(installed_plugin):
    report = check_game("tiny_nim")
    assert report.ok, report.summary()
    assert {"registration", "playout", "clone", "all_actions", "determinisation",
            "aec"} <= set(report.passed)


def test_plugged_in_game_options_are_validated(installed_plugin):
    with pytest.raises(ValueError, match="unknown option.*'heaps'.*known: stones"):
        games.make("tiny_nim", heaps=2)


def test_unknown_game_lists_known_ones():
    with pytest.raises(ValueError, match=r"unknown game 'kuhn' \(known: .*kuhn_poker"):
        games.make("kuhn")


def test_broken_entry_point_names_itself(tmp_path, monkeypatch):
    install(tmp_path, monkeypatch, {"broken": "no_such_module:Game"})
    with pytest.raises(ImportError, match="'broken'.*no_such_module"):
        games.make("broken")


def test_one_broken_plugin_does_not_break_arena_games(tmp_path, monkeypatch, capsys):
    install(tmp_path, monkeypatch, {**PLUGINS, "broken": "no_such_module:Game",
                                    "not_a_game": "json:dumps"})
    assert main(["games", "--json"]) == 0
    rows = {r["name"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["tiny_nim"]["description"].startswith("Nim with one heap")
    assert "error" not in rows["tiny_nim"] and "error" not in rows["kuhn_poker"]
    assert "no_such_module" in rows["broken"]["error"]
    assert "must name a games.Game subclass" in rows["not_a_game"]["error"]
    assert main(["games"]) == 0
    table = capsys.readouterr().out
    assert "tiny_nim" in table and "kuhn_poker" in table and "error: game 'broken'" in table
    sys.modules.pop("arena_tiny_nim", None)


def test_plugin_error_text_is_cleaned_for_the_terminal(tmp_path, monkeypatch, capsys):
    install(tmp_path, monkeypatch, {"evil": "no_such_module\x1b[31m:Game"})
    assert main(["games"]) == 0
    out = capsys.readouterr().out
    assert "evil" in out and "\x1b[31m" not in out


def test_installed_plugin_adds_no_golden_expectations_here(installed_plugin):
    assert "tiny_nim" in games.available()
    assert "tiny_nim" not in games.registry.builtin()
    for name in games.registry.builtin():  # what tests/games/test_golden.py checks
        assert default_folder(name).parts[-3:-1] == ("tests", "golden")


def test_plugin_goldens_live_in_the_plugin_package(installed_plugin, tmp_path):
    assert default_folder("tiny_nim") == PLUGIN_ROOT / "arena_tiny_nim" / "golden" / "tiny_nim"
    out = tmp_path / "golden"
    written = write_goldens("tiny_nim", out)
    assert [p.name for p in written] == ["0.txt", "1.txt", "2.txt"]
    assert written[0].read_text().startswith('game: tiny_nim {"stones": 5}')
    assert golden_diffs("tiny_nim", out) == []
    written[1].write_text(written[1].read_text().replace("returns:", "returns: 9,"))
    (diff,) = golden_diffs("tiny_nim", out)
    assert "-returns: 9," in diff


def test_a_plugin_written_from_the_readme_passes_arena_check(installed_plugin, capsys):
    """Sealed bids: simultaneous moves and hidden information, from the plug-in contract
    (docs/adding-a-game.md) alone."""
    assert main(["check", "sealed_bid", "--seeds", "10"]) == 0
    out = capsys.readouterr().out
    from games.conformance import CHECKS

    # every check (registration and CHECKS: a new check raises the count)
    assert out.startswith(f"sealed_bid: ok ({len(CHECKS) + 1} passed, 0 failed, 0 skipped)")
    report = check_game("sealed_bid")
    assert report.ok and set(report.passed) == {"registration", *CHECKS}
    assert {"playout", "clone", "same_seed", "observations", "turns", "fuzz", "all_actions",
            "simultaneous", "determinisation", "aec", "hooks"} <= set(CHECKS)


def test_the_sealed_bid_plugin_plays_with_hidden_pending_bids(installed_plugin):
    game = games.make("sealed_bid:top=5")
    state = game.new_state(3)
    assert state.current_players() == [0, 1]
    before = state.observation(1).text
    state.apply(0, "[4]")
    assert state.current_players() == [1]
    assert state.observation(1).text == before.replace("has not bid yet", "has bid")
    record = play_match(game, [make_agent("random", seed=1), make_agent("mcts:simulations=20",
                                                                         seed=2)], seed=3)
    assert record.outcome == "terminal" and len(record.decisions) == 2
    assert any(d.states_given for d in record.decisions)  # MCTS searched determinisations
