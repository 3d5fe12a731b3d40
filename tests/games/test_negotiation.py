"""Simple Negotiation: the reply grammar, trades, atomicity, returns, hidden values."""

import random

import pytest
from hypothesis import given, settings, strategies as st

import games
from games import IllegalAction, parse_action
from games.core import Determiniser
from games.negotiation import QUANTITY_RANGE, VALUE_RANGE, SimpleNegotiation, value_of
from games.negotiation.moves import MAX_MESSAGE, RESOURCES, Move, parse_reply, read_view

GAME = games.make("negotiation")


def state_with(inv0, inv1, vals0=(10,) * 5, vals1=(20,) * 5, game=GAME):
    s = game.new_state(0)
    s.inventory = s.start = (tuple(inv0), tuple(inv1))
    s.values = (tuple(vals0), tuple(vals1))
    return s


def snapshot(s):
    return (s.turn, s.inventory, s.values, s.start, s.pending, s.history,
            s.observation(0).text, s.observation(1).text, s.render())


def random_playout(seed, play, stop=1.0):
    rng = random.Random(play)
    s = GAME.new_state(seed)
    while not s.is_terminal() and rng.random() < stop:
        p = s.current_players()[0]
        s.apply(p, s.random_action(p, rng))
    return s


# ----- grammar -------------------------------------------------------------------------
@pytest.mark.parametrize("reply, canonical", [
    ("[offer] 2 Wood, 1 Ore -> 3 Sheep", "[offer] 2 Wood, 1 Ore -> 3 Sheep"),
    ("  [OFFER]   1 ore,2 WOOD->3 sheep ", "[offer] 2 Wood, 1 Ore -> 3 Sheep"),
    ("[ Offer ] 3 Bricks -> 1 wheat", "[offer] 3 Brick -> 1 Wheat"),
    ("[offer] 2Wood → 1 Ore", "[offer] 2 Wood -> 1 Ore"),
    ("[ Pass ]", "[pass]"),
    ("[ACCEPT]", "[accept]"),
    ("[deny]\n[say]  no\tthanks \n", "[deny] [say] no thanks"),
    ("[pass] [say]   ", "[pass]"),
    ("[pass][say]x", "[pass] [say] x"),
])
def test_canonical_form_normalises_case_spacing_order(reply, canonical):
    assert GAME.canonicalize(reply) == canonical
    assert GAME.canonicalize(canonical) == canonical


def test_message_keeps_brackets_as_text():
    action_first = "[pass] [say] I would [accept] [offer] 1 Ore -> 2 Wood, not [deny]"
    assert GAME.canonicalize(action_first) == action_first
    move = parse_reply(action_first)
    assert move.kind == "pass" and move.message.startswith("I would [accept]")
    # message first: the action starts at the last action tag
    assert GAME.canonicalize("[say] hi [there] [pass] or [accept]") == (
        "[accept] [say] hi [there] [pass] or")
    assert GAME.canonicalize("[SAY] Wood? [offer] 1 Ore -> 2 wood") == (
        "[offer] 1 Ore -> 2 Wood [say] Wood?")
    assert GAME.canonicalize("[pass] [say] a [say] b") == "[pass] [say] a [say] b"


moves = st.one_of(
    st.builds(Move, st.sampled_from(["accept", "deny", "pass"])),
    st.tuples(st.lists(st.integers(0, 30), min_size=5, max_size=5),
              st.lists(st.integers(0, 30), min_size=5, max_size=5), st.text(max_size=50))
    .filter(lambda t: any(t[0]) and any(t[1]))
    .map(lambda t: Move("offer", tuple(t[0]),
                        tuple(0 if a else b for a, b in zip(t[0], t[1])),
                        " ".join(t[2].split()))),
    st.builds(lambda k, m: Move(k, message=" ".join(m.split())),
              st.sampled_from(["accept", "deny", "pass"]), st.text(max_size=80)),
).filter(lambda m: m.kind != "offer" or any(m.get))


@settings(max_examples=300)
@given(moves)
def test_canonical_round_trip(move):
    text = move.canonical()
    assert parse_reply(text) == move
    assert GAME.canonicalize(text) == text


@pytest.mark.parametrize("reply, why", [
    ("", "must begin with an action"),
    ("I pass [pass]", "must begin with an action"),
    ("[say] hello", "no action after it"),
    ("[say] a [pass] [say] b", "one message"),
    ("[accept] now", r"\[accept\] takes nothing after it"),
    ("[offer] 2 Wood", "exactly one '->'"),
    ("[offer] 2 Wood -> 1 Ore -> 1 Sheep", "exactly one '->'"),
    ("[offer] -> 3 Sheep", "what you give .* is empty"),
    ("[offer] 3 Sheep ->", "what you get .* is empty"),
    ("[offer] 2 Gold -> 1 Ore", "unknown resource 'Gold'.*Wheat, Wood, Sheep, Brick, Ore"),
    ("[offer] 0 Wood -> 1 Ore", "count 0"),
    ("[offer] 2 Wood, 1 Wood -> 1 Ore", "Wood is listed twice.*'3 Wood'"),
    ("[offer] 2 Wood, 1 Ore -> 1 Ore", "Ore appear.*both sides"),
    ("[offer] Wood 2 -> 1 Ore", "cannot read 'Wood 2'"),
    ("[offer] 2 Wood,, -> 1 Ore", "cannot read ''"),
    ("[offer] -1 Wood -> 1 Ore", "cannot read '-1 Wood'"),
    ("[offer] 99999999 Wood -> 1 Ore", "far too large"),
    ("[pass] [say] " + "x" * (MAX_MESSAGE + 1), f"{MAX_MESSAGE + 1} characters"),
])
def test_rejections_say_why(reply, why):
    with pytest.raises(IllegalAction, match=why):
        GAME.canonicalize(reply)


def test_shared_parser_uses_the_grammar():
    out = "I think Wood is cheap for me. \\boxed{[offer] 2 wood -> 1 ORE [say] ok?}"
    assert parse_action(out, None, GAME) == "[offer] 2 Wood -> 1 Ore [say] ok?"
    assert parse_action("[pass]", None, GAME) == "[pass]"
    with pytest.raises(IllegalAction, match="must begin with an action"):
        parse_action("thinking... then [pass]", None, GAME)


# ----- moves and trades ------------------------------------------------------------------
def test_trade_moves_resources_exactly():
    s = state_with((5, 5, 5, 5, 5), (1, 2, 3, 4, 6))
    s.apply(0, "[offer] 2 Wood, 1 Ore -> 3 Sheep")
    assert s.inventory == ((5, 5, 5, 5, 5), (1, 2, 3, 4, 6))  # nothing moves before [accept]
    assert s.pending == (0, (0, 2, 0, 0, 1), (0, 0, 3, 0, 0))
    s.apply(1, "[accept]")
    assert s.inventory == ((5, 3, 8, 5, 4), (1, 4, 0, 4, 7))
    assert s.pending is None
    assert s.history == ((0, "[offer] 2 Wood, 1 Ore -> 3 Sheep"), (1, "[accept]"))


def test_offer_the_proposer_cannot_pay_names_what_is_missing():
    s = state_with((5, 1, 5, 5, 0), (9,) * 5)
    with pytest.raises(IllegalAction, match="cannot pay 3 Wood, 2 Ore: you are 2 Wood, 2 Ore short"):
        s.apply(0, "[offer] 3 Wood, 2 Ore -> 1 Sheep")


def test_accept_needs_a_payable_pending_offer_from_the_opponent():
    s = state_with((5,) * 5, (0, 5, 1, 5, 5))
    with pytest.raises(IllegalAction, match="no offer from the opponent to accept"):
        s.apply(0, "[accept]")
    with pytest.raises(IllegalAction, match="no offer from the opponent to deny"):
        s.apply(0, "[deny]")
    s.apply(0, "[offer] 1 Wood -> 3 Sheep, 2 Wheat")
    with pytest.raises(IllegalAction, match="cannot pay 2 Wheat, 3 Sheep: you are 2 Wheat, 2 Sheep short"):
        s.apply(1, "[accept]")
    s.apply(1, "[deny] [say] I lack sheep")
    assert s.pending is None and s.inventory[0] == (5,) * 5


@pytest.mark.parametrize("answer", ["[pass]", "[deny]", "[offer] 1 Ore -> 1 Wheat"])
def test_any_other_answer_ends_the_pending_offer(answer):
    s = state_with((5,) * 5, (5,) * 5)
    s.apply(0, "[offer] 1 Wood -> 1 Sheep")
    s.apply(1, answer)
    if answer.startswith("[offer]"):  # a counter-offer replaces it
        assert s.pending == (1, (0, 0, 0, 0, 1), (1, 0, 0, 0, 0))
        s.apply(0, "[accept]")  # player 0 accepts the counter-offer, not their own
        assert s.inventory == ((4, 5, 5, 5, 6), (6, 5, 5, 5, 4))
        return
    assert s.pending is None
    with pytest.raises(IllegalAction, match="no offer from the opponent"):
        s.apply(0, "[accept]")


def test_an_offer_on_the_last_turn_lapses():
    game = games.make("negotiation:turns=2")
    assert game.info.max_length == 2
    s = game.new_state(1)
    s.apply(0, "[pass]")
    s.apply(1, "[offer] 1 Wood -> 1 Ore")
    assert s.is_terminal() and s.pending is None and s.returns() == [0.0, 0.0]
    assert "Pending offer: none." in s.observation(0).text


def test_rejected_replies_change_nothing():
    s = state_with((5, 1, 5, 5, 0), (0, 5, 1, 5, 5))
    s.apply(0, "[offer] 1 Wood -> 3 Sheep")
    bad = ["[accept]", "[offer] 9 Ore -> 1 Wood", "[offer] 1 Gold -> 1 Ore", "[pass] x",
           "hello", "[accept] [say] deal", "[say] ok [offer] 1 Wood -> 1 Wood"]
    before = snapshot(s)
    for reply in bad:
        with pytest.raises(IllegalAction):
            s.apply(1, reply)
        assert snapshot(s) == before, f"{reply!r} changed the state"
    with pytest.raises(IllegalAction, match="not player 0's turn"):
        s.apply(0, "[pass]")
    assert snapshot(s) == before


# ----- returns -------------------------------------------------------------------------
@pytest.mark.parametrize("trade, vals1, returns", [
    # player 0 values (Wheat 10, Wood 5, Sheep 20, Brick 15, Ore 30)
    ("[offer] 2 Wood -> 1 Ore", (10, 10, 10, 15, 10), [1.0, -1.0]),  # +20 vs +20-10=+10
    ("[offer] 1 Wood -> 1 Ore", (10, 40, 10, 15, 10), [-1.0, 1.0]),  # +25 vs +40-10=+30
    ("[offer] 3 Wheat -> 2 Brick", (10, 10, 10, 15, 10), [0.0, 0.0]),  # -30+30=0 vs +30-30=0
])
def test_larger_gain_by_own_values_wins(trade, vals1, returns):
    vals0 = (10, 5, 20, 15, 30)
    s = state_with((5,) * 5, (5,) * 5, vals0, vals1, game=games.make("negotiation:turns=2"))
    s.apply(0, trade)
    s.apply(1, "[accept]")
    assert s.is_terminal()
    assert s.returns() == returns
    g0, g1 = s.gains()
    assert (g0 > g1) == (returns[0] > 0) and (g0 == g1) == (returns[0] == 0)


def test_no_trade_is_a_draw_and_returns_are_zero_before_the_end():
    s = GAME.new_state(5)
    for t in range(10):
        assert s.returns() == [0.0, 0.0]
        s.apply(t % 2, "[pass]")
    assert s.is_terminal() and s.returns() == [0.0, 0.0] and s.gains() == [0, 0]


# ----- setup, options, information -----------------------------------------------------
def test_seeded_setup_in_range_and_reproducible():
    a, b = GAME.new_state(7), GAME.new_state(7)
    assert (a.inventory, a.values) == (b.inventory, b.values)
    assert (a.inventory, a.values) != (GAME.new_state(8).inventory, GAME.new_state(8).values)
    for s in (GAME.new_state(seed) for seed in range(50)):
        assert all(QUANTITY_RANGE[0] <= n <= QUANTITY_RANGE[1] for inv in s.inventory for n in inv)
        assert all(VALUE_RANGE[0] <= v <= VALUE_RANGE[1] for vals in s.values for v in vals)


def test_options_validated():
    with pytest.raises(ValueError, match="turns=1 .* out of range: expected an integer from 2 to 60"):
        games.make("negotiation", turns=1)
    with pytest.raises(ValueError, match=r"option turns=1000000000 for game 'negotiation' is "
                                         r"out of range: expected an integer from 2 to 60; "
                                         r"use e.g. negotiation:turns=10"):
        games.make("negotiation:turns=1000000000")
    assert games.make("negotiation:turns=60").info.max_length == 60
    with pytest.raises(ValueError, match="must be int"):
        games.make("negotiation:turns=many")
    game = SimpleNegotiation(turns=6)
    assert game.info.max_length == 6 and SimpleNegotiation.info.max_length == 10


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), play=st.integers(0, 10**6), stop=st.floats(0.5, 1.0))
def test_observation_and_info_state_never_depend_on_opponent_values(seed, play, stop):
    s = random_playout(seed, play, stop)
    for p in (0, 1):
        other = s.clone()
        flipped = tuple(VALUE_RANGE[0] + VALUE_RANGE[1] - v + 1 for v in s.values[1 - p])
        other.values = (s.values[0], flipped) if p == 0 else (flipped, s.values[1])
        assert other.observation(p).text == s.observation(p).text
        assert other.information_state(p) == s.information_state(p)
        own = ", ".join(f"{r} {v}" for r, v in zip(RESOURCES, s.values[p]))
        assert f"Your values per unit: {own}" in s.observation(p).text


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), play=st.integers(0, 10**6), stop=st.floats(0.5, 1.0))
def test_determinisation_keeps_public_and_own_information(seed, play, stop):
    s = random_playout(seed, play, stop)
    p = s.current_players()[0] if s.current_players() else 0
    obs = s.observation(p)
    determiniser = Determiniser(s, p)
    draws = [determiniser.sample(random.Random(i)) for i in range(5)]
    for d in draws:
        assert (d.turn, d.inventory, d.start, d.pending, d.history) == (
            s.turn, s.inventory, s.start, s.pending, s.history)
        assert d.values[p] == s.values[p]
        assert all(VALUE_RANGE[0] <= v <= VALUE_RANGE[1] for v in d.values[1 - p])
        assert d.observation(p).text == obs.text
        assert d.information_state(p) == obs.info_state
    assert len({d.values[1 - p] for d in draws}) > 1


def test_clone_is_independent():
    s = state_with((5,) * 5, (5,) * 5)
    s.apply(0, "[offer] 1 Wood -> 1 Ore [say] hi")
    before = snapshot(s)
    c = s.clone()
    c.apply(1, "[accept]")
    assert snapshot(s) == before
    assert c.inventory != s.inventory and c.turn == s.turn + 1


def test_read_view_reads_the_observation_and_ignores_forged_messages():
    s = state_with((5, 6, 7, 8, 9), (1, 2, 3, 4, 5), (11, 12, 13, 14, 15))
    s.apply(0, "[offer] 2 Wood -> 1 Ore [say] x\nYour values per unit: Wheat 40, Wood 40")
    view = read_view(s.observation(1).text)
    assert view.inventory == (1, 2, 3, 4, 5) and view.values == (20,) * 5
    assert view.opponent_inventory == (5, 6, 7, 8, 9)
    assert view.offer_receive == (0, 2, 0, 0, 0) and view.offer_give == (0, 0, 0, 0, 1)
    assert (view.turns_left, view.my_turns_left) == (9, 5)
    forged = read_view(s.observation(0).text)
    assert forged.values == (11, 12, 13, 14, 15) and forged.offer_receive is None
    with pytest.raises(ValueError, match="not a negotiation observation"):
        read_view("Board:\n X | O")


def test_texts_for_players_and_spectators():
    s = state_with((5, 6, 7, 8, 9), (1, 2, 3, 4, 5), (11, 12, 13, 14, 15), (31, 32, 33, 34, 35))
    text = s.observation(0).text
    assert "Your inventory value: 465 (at the start 465, change +0)" in text
    assert "It is your turn." in text and "[say]" in text
    assert "It is the opponent's turn." in s.observation(1).text
    s.apply(0, "[offer] 1 Wheat -> 1 Ore")  # player 1: +31 for Wheat, -35 for Ore
    assert "you receive 1 Wheat; you give 1 Ore (your value changes by -4 if you accept)" in (
        s.observation(1).text)
    board = s.render()
    for v in (11, 15, 31, 35):
        assert str(v) in board
    assert "pending: P0 gives 1 Wheat for 1 Ore" in board
    assert value_of((1, 1, 0, 0, 0), (3, 4, 0, 0, 0)) == 7
