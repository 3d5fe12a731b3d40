"""``random`` in TextArena games with free-text moves reads the moves already played:
a rising example ("a new bid ... higher ... i.e. '[Bid: 3, 4]'") raises the standing one,
an answer ("Call the last bid by typing '[Call]'") waits for something to answer; Liar's
Dice between two ``random`` agents then plays to its end."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from games.adapters.textarena_moves import last_move, move_formats, sample_move

PROMPT = (
    "You are Player 0 in an 2-player Liar's Dice game.\nRules:\n- On your turn, you may "
    "either:\n  1) Make a new bid with a higher quantity or higher face (or both) than the "
    "current bid; i.e. '[Bid: 3, 4]',\n  2) Call the last bid by typing '[Call]'.\n"
)
ROUND = "\nNew round - Remaining dice: \tPlayer 0: 5; \tPlayer 1: 5\nYour current Dice are: 2, 5, 1\n"


def _draws(messages: list[str], n: int = 60) -> set[str]:
    rng = random.Random(0)
    return {sample_move(messages, rng) for _ in range(n)}


def test_an_opening_bid_is_low_and_never_a_call():
    moves = _draws([PROMPT, ROUND])
    assert "[Call]" not in moves
    bids = [tuple(map(int, re.fullmatch(r"\[Bid: (\d+), (\d+)\]", m).groups())) for m in moves]
    assert {q for q, _ in bids} == {1, 2, 3} and {f for _, f in bids} == {1, 2, 3, 4}


@settings(max_examples=200, deadline=None)
@given(quantity=st.integers(1, 40), face=st.integers(1, 6), seed=st.integers(0, 2**32))
def test_a_standing_bid_is_raised_or_called(quantity, face, seed):
    said = f"{ROUND}[Player 1] [Bid: {quantity}, {face}]\n"
    move = sample_move([PROMPT, said, f"Player 1 bids {quantity} of face {face}."],
                       random.Random(seed))
    assert move in ("[Call]", f"[Bid: {quantity + 1}, {face}]")


def test_both_are_drawn_against_a_bid_and_no_call_follows_a_call():
    said = f"{ROUND}[Player 1] [Bid: 2, 5]\n"
    assert _draws([PROMPT, said]) == {"[Call]", "[Bid: 3, 5]"}
    called = f"{said}[Player 0] [Call]\nPlayer 0 calls!\n{ROUND}"
    assert "[Call]" not in _draws([PROMPT, called])


def test_last_move_reads_the_latest_player_line():
    assert last_move([PROMPT, ROUND]) is None
    assert last_move([PROMPT, "[Player 0] I bid [Bid: 1, 2] now\n[Player 1] [Call]"]) == "[Call]"
    assert last_move([PROMPT, "[Player 0] hello there"]) == "hello there"
    assert last_move(["[Player 0] [Bid: 1, 2] in the prompt only"]) is None


def test_move_formats_are_unchanged_for_other_prompts():
    messages = ["r", "Your possible actions: '[check]', '[bet X]'"]
    assert move_formats(messages) == [("[check]", False), ("[bet X]", False)]


@pytest.mark.parametrize("seed", range(8))
def test_random_plays_liars_dice_to_the_end(seed):
    pytest.importorskip("textarena")
    import games
    from agents import make_agent
    from arena.runner import play_match

    record = play_match(games.make("textarena:LiarsDice-v0"),
                        [make_agent("random", seed=seed), make_agent("random", seed=seed + 1)],
                        seed)
    assert record.outcome == "terminal" and sorted(record.returns) == [-1.0, 1.0]
    assert all(d.valid for d in record.decisions)
    calls = sum(d.action == "[Call]" for d in record.decisions)
    assert 5 <= calls <= 9  # each call costs a die: 5 to 9 rounds end a game of 5 dice each
