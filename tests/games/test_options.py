"""Every option of every registered game states its range, and a value outside it is one
clear error naming the option, the value, the range and a fix (issue: game sizes had no
upper bound: ``kuhn_poker:hands=3000`` ran for minutes)."""

from __future__ import annotations

import dataclasses

import pytest

import games


def ranged_options():
    for name in games.available():
        options = games.game_class(name).Options
        if not dataclasses.is_dataclass(options):
            continue
        for fld in dataclasses.fields(options):
            if "range" in fld.metadata:
                yield name, fld.name, fld.metadata["range"]


def test_the_built_in_sizes_are_bounded():
    bounded = {(name, option) for name, option, _ in ranged_options()}
    assert {("kuhn_poker", "hands"), ("negotiation", "turns")} <= bounded


@pytest.mark.parametrize("name,option,bounds", list(ranged_options()))
def test_values_outside_the_range_are_refused(name, option, bounds):
    low, high = bounds
    for value in (low, high):
        game = games.make(f"{name}:{option}={value}")
        assert getattr(game.options, option) == value
        game.new_state(0)
    for value in (low - 1, high + 1, high * 1000):
        with pytest.raises(ValueError, match=(
                rf"^option {option}={value} for game '{name}' is out of range: expected "
                rf"an integer from {low} to {high}; use e.g. {name}:{option}=\d+$")):
            games.make(f"{name}:{option}={value}")


def test_the_issue_examples():
    with pytest.raises(ValueError, match="hands=3000 for game 'kuhn_poker' is out of range"):
        games.make("kuhn_poker:hands=3000")
    with pytest.raises(ValueError, match="turns=1000000000 for game 'negotiation' is out of range"):
        games.make("negotiation:turns=1000000000")
