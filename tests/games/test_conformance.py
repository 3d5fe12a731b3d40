"""games.conformance catches each trap on small, deliberately broken games, passes a
correct one, and runs from the command line (``arena check``)."""

from __future__ import annotations

import dataclasses
import json
import sys

import pytest

from arena.cli import main
from games.conformance import CHECKS, ConformanceError, assert_conforms, check_game
from games.core import Game, State
from tests.toy_games import Pennies, PenniesState

_MOVES = ("[heads]", "[tails]")


class LeakyState(PenniesState):
    __slots__ = ()

    def _text(self, player):  # shows the other's pending choice: the simultaneous trap
        return f"Choices so far: {self.choices}."


class PeekingState(PenniesState):
    __slots__ = ()
    _determinise = State._determinise  # the true state: search would see the hidden choice


class ForgetfulState(PenniesState):
    __slots__ = ()

    def _determinise(self, player, rng):  # redraws the player's own choice too
        s = self.clone()
        s.choices = tuple(rng.choice(_MOVES) if c is not None else None for c in s.choices)
        return s


class Forgetful(Pennies):
    state_class = ForgetfulState


class Undeclared(Pennies):
    info = dataclasses.replace(Pennies.info, simultaneous=False)


class Leaky(Pennies):
    state_class = LeakyState


class NoDeterminisation(Pennies):
    state_class = PeekingState


class NoVocabulary(Pennies):
    all_actions = Game.all_actions  # finite legal actions, no all_actions


def _failed(report):
    return {f.check for f in report.failures}


def test_a_correct_game_passes_every_check():
    report = check_game(Pennies())
    assert report.ok, report.summary()
    assert report.passed == ["registration", *CHECKS] and not report.skipped
    assert assert_conforms(Pennies()) is not None


@pytest.mark.parametrize("game, check, words", [
    (Leaky(), "simultaneous", "player 1's observation text shows player 0's pending move"),
    (NoDeterminisation(), "determinisation", "search agents would see the hidden state"),
    (NoVocabulary(), "all_actions", "all_actions() returns None"),
    (Forgetful(), "determinisation", "changed what the player knows"),
    (Undeclared(), "simultaneous", "GameInfo.simultaneous is False"),
])
def test_each_trap_is_caught_alone(game, check, words):
    report = check_game(game)
    assert _failed(report) == {check}, report.summary()
    assert words in report.failures[0].message
    with pytest.raises(ConformanceError, match=check):
        assert_conforms(game)


@pytest.fixture
def misnamed_plugin(tmp_path, monkeypatch):
    """A package whose entry point name ('coins') differs from its GameInfo.id ('pennies')."""
    (tmp_path / "coins_pkg.py").write_text(
        "from tests.toy_games import Pennies\n\n\nclass Coins(Pennies):\n    pass\n")
    dist = tmp_path / "coins_pkg-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: coins-pkg\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[arena.games]\ncoins = coins_pkg:Coins\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    sys.modules.pop("coins_pkg", None)


def test_a_wrong_entry_point_name_is_caught(misnamed_plugin):
    report = check_game("coins")
    assert _failed(report) == {"registration"}, report.summary()
    assert "registered as 'coins' but GameInfo.id is 'pennies'" in report.failures[0].message
    from coins_pkg import Coins

    assert _failed(check_game(Coins())) == {"registration"}  # found from the instance too


def test_unknown_checks_and_empty_seeds_are_refused():
    with pytest.raises(ValueError, match="unknown check.*nope.*known: registration"):
        check_game(Pennies(), checks=["nope"])
    with pytest.raises(ValueError, match="seeds must name at least one game"):
        check_game(Pennies(), seeds=[])
    assert check_game(Pennies(), checks=["playout"]).passed == ["playout"]


def test_a_broken_hook_is_a_failure_not_a_crash():
    class Crashing(Pennies):
        def all_actions(self):
            raise KeyError("boom")

    report = check_game(Crashing(), checks=["all_actions", "playout"])
    assert report.passed == ["playout"]
    assert report.failures[0].message == "raised KeyError: 'boom'"


def test_arena_check_exit_codes_and_json(misnamed_plugin, capsys):
    assert main(["check", "tictactoe", "--seeds", "3"]) == 0
    assert "tictactoe: ok" in capsys.readouterr().out
    assert main(["check", "coins", "--json"]) == 1
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and [f["check"] for f in out["failures"]] == ["registration"]
    assert main(["check", "no_such_game"]) == 2
    assert "unknown game 'no_such_game'" in capsys.readouterr().err
