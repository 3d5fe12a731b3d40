"""The shared parser: last answer wins, normalisation, precise failures."""

import pytest
from hypothesis import given, strategies as st

from games import ParseError, parse_action
from games.parse import extract_answer, normalise

LEGAL = ["[0]", "[2]", "[5]"]


@pytest.mark.parametrize(
    "output, expected",
    [
        ("I play [2]", "[2]"),
        ("not [0] but [5]", "[5]"),
        ("thinking [0]... final: \\boxed{2}", "[2]"),
        ("\\boxed{[5]} then chatter [0]", "[5]"),
        ("[ 5 ]", "[5]"),
        ("\\boxed{ 0 }", "[0]"),
    ],
)
def test_last_answer_wins(output, expected):
    assert parse_action(output, LEGAL) == expected


def test_case_and_spacing_normalised():
    legal = ["[check]", "[bet]"]
    assert parse_action("I will [ BET ]", legal) == "[bet]"
    assert parse_action("\\boxed{Check}", legal) == "[check]"


def test_nested_braces_in_boxed():
    assert extract_answer("\\boxed{a{b}c}") == "a{b}c"
    # an unbalanced last \boxed falls back to an earlier balanced one
    assert extract_answer("\\boxed{x} and \\boxed{y") == "x"


def test_failure_messages_say_why():
    with pytest.raises(ParseError, match="no answer found"):
        parse_action("I think the centre is best", LEGAL)
    with pytest.raises(ParseError) as err:
        parse_action("[9]", LEGAL)
    assert str(err.value) == "'[9]' is not legal; legal: [0], [2], [5]"
    with pytest.raises(ParseError, match="no action is legal now"):
        parse_action("[1]", [])


def test_normalise():
    assert normalise("  [ Bet ]  ") == "bet"
    assert normalise("2  Wood") == "2 wood"


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_parse_error(text):
    try:
        assert parse_action(text, LEGAL) in LEGAL
    except ParseError as err:
        assert str(err)
