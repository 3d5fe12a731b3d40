"""Generic conformance of every registered game, through the same function a plug-in
author runs (games.conformance.check_game; ``arena check GAME``): random playouts derived
from each game's declaration, clones, seeds, observations, turns, fuzzed text, the action
vocabulary, hidden simultaneous moves, determinisations and the PettingZoo view."""

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import games
from games.conformance import check_game
from games.conformance.play import check_fuzz

GAMES = games.available()
SPECS = GAMES + ["kuhn_poker:hands=3", "werewolf:speech=claims"]
PLAYOUT_CHECKS = ["playout", "clone", "same_seed", "observations", "simultaneous",
                  "determinisation"]


@pytest.mark.parametrize("name", SPECS)
def test_every_game_conforms(name):
    report = check_game(name, seeds=range(60))
    assert report.ok, report.summary()
    assert not report.skipped, report.summary()


@pytest.mark.parametrize("name", GAMES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1))
def test_playout_checks_hold_for_any_seed(name, seed):
    report = check_game(name, seeds=[seed], checks=PLAYOUT_CHECKS)
    assert report.ok, report.summary()


@pytest.mark.parametrize("name", GAMES)
def test_ten_thousand_fuzzed_strings_are_legal_moves_or_clear_illegal_actions(name):
    check_fuzz(games.make(name), range(20), strings=10_000)
