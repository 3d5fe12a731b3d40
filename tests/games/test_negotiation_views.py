"""Simple Negotiation's kept pieces (:mod:`games.negotiation.text`): whatever happens to a
state (moves with messages, clones that part ways, determinisations, fields replaced by
hand), every observation equals one built afresh from the state's fields, and the compact
view equals the phrasebook's rewrite of the text view."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings, strategies as st

import games
from games import IllegalAction
from games.conformance.views import game_in_view
from games.negotiation import state as negotiation_state
from games.negotiation import text as views
from games.negotiation.text import COMPACT, fresh_information_state, fresh_text

GAMES = {view: game_in_view(games.make("negotiation:turns=12"), view)
         for view in ("text", "compact")}
MESSAGES = ["", "Wood for Ore?", "History:", "Pending offer: none.", "  Turn 3, you: [pass]",
            "[accept] [deny] it", "It is your turn.", "The game is over.", "opp 1 Wheat",
            "x" * 400]


def assert_fresh(state) -> None:
    view = state.game.view
    for player in (0, 1):
        obs = state.observation(player)
        assert obs.text == fresh_text(state, player, view)
        assert obs.info_state == state.information_state(player)
        assert obs.info_state == fresh_information_state(state, player)
        assert COMPACT.compact(fresh_text(state, player, "text")) == fresh_text(
            state, player, "compact")
        assert COMPACT.expand(fresh_text(state, player, "compact")) == fresh_text(
            state, player, "text")


def random_move(state, rng: random.Random) -> str:
    """A random legal move, sometimes with a message (and sometimes message first)."""
    move = state.random_action(state.current_players()[0], rng)
    message = rng.choice(MESSAGES)
    if not message:
        return move
    return f"[say] {message} {move}" if rng.random() < 0.3 else f"{move} [say] {message}"


def step(state, rng: random.Random) -> None:
    state.apply(state.current_players()[0], random_move(state, rng))


@settings(max_examples=30, deadline=None)
@given(view=st.sampled_from(["text", "compact"]), seed=st.integers(0, 2**32),
       play=st.integers(0, 2**32))
def test_moves_with_messages_clones_and_determinisations_stay_fresh(view, seed, play):
    rng = random.Random(play)
    state = GAMES[view].new_state(seed)
    assert_fresh(state)
    while not state.is_terminal():
        if rng.random() < 0.3:  # a clone that goes its own way shares the kept pieces
            other = state.clone()
            step(other, rng)
            assert_fresh(other)
            assert_fresh(state)
        if rng.random() < 0.2:  # redrawn values: the heads must be rebuilt
            mover = state.current_players()[0]
            assert_fresh(state.sample_determinisation(mover, rng))
        if rng.random() < 0.5:  # some moves are not observed before the next one
            assert_fresh(state)
        step(state, rng)
    assert_fresh(state)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32), play=st.integers(0, 2**32), data=st.data())
def test_fields_replaced_by_hand_are_read_afresh(seed, play, data):
    """Tests and tools set fields directly (``state_with`` in test_negotiation): a kept
    piece is used only while the state holds the very objects it was built from."""
    rng = random.Random(play)
    state = GAMES[data.draw(st.sampled_from(["text", "compact"]))].new_state(seed)
    counts = st.tuples(*[st.integers(0, 30)] * 5)
    values = st.tuples(*[st.integers(5, 40)] * 5)
    for _ in range(data.draw(st.integers(0, 11))):
        step(state, rng)
        assert_fresh(state)
    what = data.draw(st.sampled_from(["inventory", "values", "start", "history", "pending",
                                      "equal copies"]))
    if what == "inventory":
        state.inventory = (data.draw(counts), data.draw(counts))
    elif what == "values":
        state.values = (data.draw(values), data.draw(values))
    elif what == "start":
        state.start = (data.draw(counts), data.draw(counts))
    elif what == "history":  # a shorter history, or another one of the same length
        cut = data.draw(st.integers(0, len(state.history)))
        state.history = state.history[:cut] + tuple((p % 2, "[pass]") for p in range(
            cut, data.draw(st.integers(cut, len(state.history)))))
    elif what == "pending":
        state.pending = data.draw(st.sampled_from(
            [None, (0, (1, 0, 0, 0, 0), (0, 2, 0, 0, 0)), (1, (0, 0, 3, 0, 0), (0, 0, 0, 0, 1))]))
    else:  # equal but new tuples: rebuilt, same text
        state.inventory = tuple(tuple(inv) for inv in list(state.inventory))
        state.history = tuple(list(state.history))
    assert_fresh(state)


def test_replies_are_kept_parsed_without_messages_and_bounded(monkeypatch):
    monkeypatch.setattr(negotiation_state, "_REPLIES", {})
    monkeypatch.setattr(negotiation_state, "_MAX_REPLIES", 8)
    state = GAMES["text"].new_state(0)
    state.apply(0, "[offer] 1 Wood -> 1 Ore [say] hello")
    assert negotiation_state._REPLIES == {}  # messages are free text: not kept
    state.apply(1, "[ Offer ] 1 ore -> 1 WOOD")
    assert state.history[-1] == (1, "[offer] 1 Ore -> 1 Wood")
    assert list(negotiation_state._REPLIES) == ["[ Offer ] 1 ore -> 1 WOOD"]
    rng = random.Random(1)
    while not state.is_terminal():
        step(state, rng)
        assert len(negotiation_state._REPLIES) <= 8
    for _ in range(2):  # a refused reply is refused every time, never kept
        with pytest.raises(IllegalAction, match="count 0"):
            GAMES["text"].new_state(0).apply(0, "[offer] 0 Wood -> 1 Ore")
    assert "[offer] 0 Wood -> 1 Ore" not in negotiation_state._REPLIES


BUNDLES = st.tuples(*[st.integers(0, 4)] * 5)


@settings(max_examples=200, deadline=None)
@given(proposer=st.integers(0, 1), give=BUNDLES, get=BUNDLES, view=st.sampled_from(
    ["text", "compact"]), values=st.tuples(*[st.integers(-40, 40)] * 5))
def test_kept_pending_lines_read_as_pending_line(proposer, give, get, view, values):
    """The pending-offer line from :func:`views.pending_texts` (kept per offer) and the
    reader's values equals :func:`views.pending_line` built afresh, for both players."""
    state = GAMES[view].new_state(1)
    state.pending = (proposer, give, get)
    state.values = (values, values)
    for player in (0, 1):
        line = views.pending_line(state.pending, values, player, view)
        assert line in state.observation(player).text.split("\n")
        assert state.observation(player).text == fresh_text(state, player, view)
    assert views._PENDING[view][state.pending][3] == tuple(g - r for g, r in zip(give, get))


def test_kept_pending_lines_are_bounded(monkeypatch):
    monkeypatch.setattr(views, "_PENDING", {"text": {}, "compact": {}})
    monkeypatch.setattr(views, "_MAX_PENDING", 4)
    state = GAMES["text"].new_state(2)
    for n in range(1, 10):
        state.pending = (0, (n, 0, 0, 0, 0), (0, 1, 0, 0, 0))
        assert state.observation(1).text == fresh_text(state, 1, "text")
        assert len(views._PENDING["text"]) <= 4
