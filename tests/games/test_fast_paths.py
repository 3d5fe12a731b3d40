"""The one-call paths of Kuhn Poker, TicTacToe and Simple Negotiation (``observation``,
``apply``, ``random_action``, ``new_state`` and the tables they read) against the base
:class:`~games.core.State` methods, texts built afresh, and the draws of the code they
replace: same observations, same errors, same moves from the same generator, same deals.
"""

from __future__ import annotations

import copy
import pickle
import random

import pytest
from hypothesis import given, settings, strategies as st

import games
from games import IllegalAction
from games.conformance.views import game_in_view
from games.core import VIEWS, State
from games.kuhn_poker import state as kuhn_state
from games.kuhn_poker import text as kuhn_text
from games.negotiation import text as negotiation_views
from games.negotiation.moves import Move
from games.tictactoe import reachable_positions
from games.tictactoe import text as ttt_text

SPECS = ["kuhn_poker", "kuhn_poker:hands=3", "tictactoe", "negotiation", "negotiation:turns=7"]
ODD_ACTIONS = ["[0]", "[4]", "[9]", "[bet]", "[check]", "[call]", "[fold]", "[pass]",
               "[accept]", "[deny]", "[offer] 1 Wood -> 1 Ore", "[offer] 99 Ore -> 1 Wood",
               "[pass] [say] hello", "", "nonsense", 4, None]


def fresh_text(state, player: int, view: str) -> str:
    """The game's text built afresh from the state's fields (no table, nothing kept)."""
    gid = state.game.info.id
    if gid == "kuhn_poker":
        build = kuhn_text._build_text if view == "text" else kuhn_text._build_compact
        return build(state, player)
    if gid == "tictactoe":
        if view == "compact":
            return ttt_text.build_compact(state.x, state.o, state.winner, player)
        return ttt_text.observation_text(state.x, state.o, state.winner, player)
    return negotiation_views.fresh_text(state, player, view)


def fresh_info(state, player: int) -> str:
    gid = state.game.info.id
    if gid == "tictactoe":
        return ttt_text.build_information_state(state.x, state.o, state.winner)
    if gid == "negotiation":
        return negotiation_views.fresh_information_state(state, player)
    return type(state).information_state(state, player)  # Kuhn Poker keeps none


def outcome(call, *args):
    """What a call does: its value, or the type and message of what it raised."""
    try:
        return ("ok", call(*args))
    except (IllegalAction, ValueError, TypeError) as err:
        return (type(err).__name__, str(err))


def fields(state) -> tuple:
    return tuple(getattr(state, name) for name in ("turn", "x", "o", "winner", "cards", "hand",
                                                     "history", "past", "net", "inventory",
                                                     "values", "start", "pending")
                 if hasattr(state, name))


def playout(game, seed: int, rng: random.Random):
    """Every state of one random game (fresh objects: each is a clone)."""
    state = game.new_state(seed)
    yield state
    while not state.is_terminal():
        player = state.current_players()[0]
        state = state.clone()
        state.apply(player, state.random_action(player, rng))
        yield state


def check_state(state) -> None:
    game = state.game
    for player in (0, 1):
        obs = state.observation(player)
        assert obs == State.observation(state, player)  # the base method, through the hooks
        assert obs.text == fresh_text(state, player, game.view)
        assert obs.info_state == state.information_state(player) == fresh_info(state, player)
        legal = State._legal_now(state, player)
        assert obs.legal_actions == (None if legal is None else tuple(legal))
        assert state.legal_actions(player) == (None if legal is None else list(legal))
    assert outcome(state.observation, 2) == outcome(State.observation, state, 2)
    assert outcome(state.observation, -1) == outcome(State.observation, state, -1)


def check_moves(state) -> None:
    """``apply`` does to a clone what the base ``State.apply`` does to another (or raises
    the same error), for every legal action and for odd ones; ``random_action`` draws
    what the replaced code drew."""
    for player in (0, 1):
        legal = state.legal_actions(player) or []
        if player in state.current_players():  # free-text moves: some the game draws
            legal += [state.random_action(player, random.Random(k)) for k in range(4)]
        for action in legal + ODD_ACTIONS:
            fast, base = state.clone(), state.clone()
            assert outcome(fast.apply, player, action) == outcome(State.apply, base, player,
                                                                  action)
            assert fields(fast) == fields(base)
        a, b = random.Random(player), random.Random(player)
        assert outcome(state.random_action, player, a) == outcome(
            reference_random_action, state, player, b)
        assert a.getstate() == b.getstate()


def reference_random_action(state, player: int, rng: random.Random) -> str:
    """The random moves as they were drawn before the one-call paths."""
    if state.game.info.id != "negotiation":
        return State.random_action(state, player, rng)  # legal[rng.randrange(len(legal))]
    if state.is_terminal() or player not in state.current_players():
        raise IllegalAction(f"player {player} has no legal move now")
    kinds = ["offer", "pass"]
    pending, mine, theirs = state.pending, state.inventory[player], state.inventory[1 - player]
    if pending is not None and pending[0] != player:
        kinds.append("deny")
        if all(h >= n for h, n in zip(mine, pending[2])):
            kinds.append("accept")
    kind = kinds[rng.randrange(len(kinds))]
    if kind != "offer":
        return f"[{kind}]"
    own = [i for i in range(5) if mine[i]]
    if not own:
        return "[pass]"
    g = own[rng.randrange(len(own))]
    wanted = [i for i in range(5) if theirs[i] and i != g]
    if not wanted:
        return "[pass]"
    r = wanted[rng.randrange(len(wanted))]
    give, get = [0] * 5, [0] * 5
    give[g] = rng.randint(1, min(3, mine[g]))
    get[r] = rng.randint(1, min(3, theirs[r]))
    return Move("offer", tuple(give), tuple(get)).canonical()


@settings(max_examples=40, deadline=None)
@given(spec=st.sampled_from(SPECS), view=st.sampled_from(VIEWS), seed=st.integers(0, 2**40),
       play=st.integers(0, 2**31 - 1))
def test_every_state_of_random_play_reads_as_the_base_methods_and_a_fresh_build(
        spec, view, seed, play):
    game = game_in_view(games.make(spec), view)
    for state in playout(game, seed, random.Random(play)):
        check_state(state)
        check_moves(state)


@pytest.mark.parametrize("view", VIEWS)
def test_every_tictactoe_position_reads_as_a_fresh_build(view):
    """All 5,478 positions, both players: the table holds at most one observation each."""
    game = game_in_view(games.make("tictactoe"), view)
    positions = reachable_positions(game, include_terminal=True)
    for state in positions:
        check_state(state)
        for player in (0, 1):
            assert state.observation(player) is state.observation(player)  # built once
    assert len(positions) == 5478 and len(game.observations) <= 2 * 5478


@pytest.mark.parametrize("hands", [1, 2])
@pytest.mark.parametrize("view", VIEWS)
def test_every_kuhn_state_reads_as_a_fresh_build(hands, view):
    game = game_in_view(games.make("kuhn_poker", hands=hands), view)
    seen = 0
    for _, start in game.chance_outcomes():
        todo = [start]
        while todo:
            state = todo.pop()
            check_state(state)
            seen += 1
            for player in state.current_players():
                for action in state.legal_actions(player):
                    child = state.clone()
                    child.apply(player, action)
                    todo.append(child)
    # one hand: 6 deals x 9 histories; two: 36 deals x (4 first-hand decisions + 5 ends x 9)
    assert seen == {1: 54, 2: 36 * (4 + 5 * 9)}[hands]
    assert len(game.observations) <= 2 * seen


def test_kuhn_table_is_bounded(monkeypatch):
    monkeypatch.setattr(kuhn_state, "MAX_KEPT", 50)
    game = games.make("kuhn_poker", hands=5)
    rng = random.Random(3)
    for seed in range(40):
        for state in playout(game, seed, rng):
            assert state.observation(0) == State.observation(state, 0)
            assert len(game.observations) <= 50


@given(seed=st.integers(0, 2**64), hands=st.integers(1, 4))
def test_kuhn_deals_as_random_sample(seed, hands):
    rng = random.Random(seed)
    cards = tuple(c for _ in range(hands) for c in rng.sample(range(3), 2))
    assert games.make("kuhn_poker", hands=hands).new_state(seed).cards == cards


@given(seed=st.integers(0, 2**64))
def test_negotiation_deals_as_randint(seed):
    rng = random.Random(seed)
    inventory, values = [], []
    for _ in (0, 1):
        inventory.append(tuple(rng.randint(5, 25) for _ in range(5)))
        values.append(tuple(rng.randint(5, 40) for _ in range(5)))
    state = games.make("negotiation").new_state(seed)
    assert state.inventory == state.start == tuple(inventory)
    assert state.values == tuple(values)


class CountingRandom(random.Random):
    """A subclass of random.Random: random_action must draw through its own ``choice``."""

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.choices = 0

    def choice(self, seq):
        self.choices += 1
        return super().choice(seq)


@settings(max_examples=30, deadline=None)
@given(spec=st.sampled_from(["kuhn_poker:hands=3", "negotiation", "werewolf:speech=claims"]),
       seed=st.integers(0, 2**32), play=st.integers(0, 2**32))
def test_random_moves_of_a_subclass_draw_through_its_choice(spec, seed, play):
    """random_action draws from a random.Random straight through getrandbits: the same
    moves and generator state as a subclass's draws, each of which goes through the
    subclass's ``choice``."""
    game = games.make(spec)
    a, b = random.Random(play), CountingRandom(play)
    first, second = game.new_state(seed), game.new_state(seed)
    while not first.is_terminal():
        player = first.current_players()[0]
        before = b.choices
        move = first.random_action(player, a)
        assert second.random_action(player, b) == move
        assert b.choices > before and a.getstate() == b.getstate()
        first.apply(player, move)
        second.apply(player, move)


@pytest.mark.parametrize("spec", SPECS)
def test_games_pickle_and_copy_without_their_tables(spec):
    game = games.make(spec)
    state = game.new_state(1)
    for player in (0, 1):
        state.observation(player)
    for again in (pickle.loads(pickle.dumps(game)), copy.deepcopy(game), copy.copy(game)):
        fresh = again.new_state(1)
        assert [fresh.observation(p) for p in (0, 1)] == [state.observation(p) for p in (0, 1)]
        tables = getattr(game, "observations", None)
        assert getattr(again, "observations", None) is tables  # shared, never copied
    if hasattr(game, "observations"):
        assert b"Observation" not in pickle.dumps(game)
