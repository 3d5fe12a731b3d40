"""Spec strings and option values: what games and agents are both named by."""

from __future__ import annotations

import pytest

from common.specs import convert_option, parse_spec


def test_a_spec_is_a_name_and_its_options():
    assert parse_spec(" mcts:simulations=200, c = 1.4 ") == (
        "mcts", {"simulations": "200", "c": "1.4"})
    assert parse_spec("random") == ("random", {})
    assert parse_spec("kuhn_poker:") == ("kuhn_poker", {})


@pytest.mark.parametrize("spec, message", [
    ("mcts:simulations", "bad agent option 'simulations' in 'mcts:simulations': expected "
                         "key=value, e.g. mcts:simulations=200"),
    ("mcts:=3", "bad agent option '=3'"),
    ("mcts:c=1,c=2", "agent option 'c' given twice in 'mcts:c=1,c=2' (1, then 2); give it once"),
])
def test_a_bad_spec_is_one_line_naming_the_piece(spec, message):
    with pytest.raises(ValueError) as err:
        parse_spec(spec, "agent", "mcts:simulations=200")
    assert message in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("value, default, expected", [
    ("5", 1, 5), ("0.25", 0.0, 0.25), ("3", 0.5, 3.0), ("yes", False, True), ("OFF", True, False),
    ("text", "x", "text"), ("7", None, "7"), (7, 1.0, 7),
])
def test_options_are_read_by_their_defaults_type(value, default, expected):
    got = convert_option(value, default, "option x")
    assert got == expected and type(got) is type(expected)


def test_an_option_of_the_wrong_type_names_it_and_its_default():
    with pytest.raises(ValueError, match=r"^option hands='x' must be int \(default 1\)$"):
        convert_option("x", 1, "option hands='x'")
    with pytest.raises(ValueError, match=r"must be bool \(default False\)"):
        convert_option("maybe", False, "option dense='maybe'")
