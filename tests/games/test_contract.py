"""Generic conformance of every registered game: properties over random legal playouts.

Checks derive from each game's declaration (GameInfo): returns sum as declared and stay in
bounds; legal actions unique and non-empty until the end; the game ends within
``max_length`` decisions; applying to a clone leaves the original unchanged; the same seed
gives the same transcript; observations agree with the state.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import games
from games import IllegalAction, parse_action

GAMES = games.available()
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def snapshot(state):
    n = state.num_players
    return (
        state.turn,
        state.is_terminal(),
        state.render(),
        tuple(state.information_state(p) for p in range(n)),
        tuple(state.observation(p).text for p in range(n)),
    )


def playout(game, seed, rng):
    """Random legal playout; returns the transcript of (player, action) and the final state."""
    state = game.new_state(seed)
    moves = []
    while not state.is_terminal():
        players = state.current_players()
        assert players, "a non-terminal state must have a current player"
        for p in players:
            legal = state.legal_actions(p)
            if legal is not None:
                assert legal, f"no legal action for player {p} at turn {state.turn}"
                assert len(set(legal)) == len(legal), f"duplicate legal actions {legal}"
            action = state.random_action(p, rng)
            moves.append((p, action))
            state.apply(p, action)
        assert state.turn <= game.info.max_length
    return moves, state


@pytest.mark.parametrize("name", GAMES)
@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), play=st.integers(0, 2**31 - 1))
def test_returns_sum_and_bounds(name, seed, play):
    game = games.make(name)
    _, state = playout(game, seed, random.Random(play))
    returns = state.returns()
    assert len(returns) == game.num_players
    info = game.info
    for r in returns:
        assert info.min_utility - 1e-9 <= r <= info.max_utility + 1e-9
    if info.utility_sum is not None:
        assert sum(returns) == pytest.approx(info.utility_sum)


@pytest.mark.parametrize("name", GAMES)
@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), play=st.integers(0, 2**31 - 1))
def test_clone_is_independent(name, seed, play):
    game = games.make(name)
    rng = random.Random(play)
    state = game.new_state(seed)
    while not state.is_terminal():
        before = snapshot(state)
        p = state.current_players()[0]
        action = state.random_action(p, rng)
        copy = state.clone()
        assert snapshot(copy) == before
        copy.apply(p, action)
        assert snapshot(state) == before, "applying to a clone changed the original"
        state.apply(p, action)
        assert snapshot(state) == snapshot(copy)


@pytest.mark.parametrize("name", GAMES)
@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), play=st.integers(0, 2**31 - 1))
def test_same_seed_same_transcript(name, seed, play):
    game = games.make(name)
    a = playout(game, seed, random.Random(play))
    b = playout(game, seed, random.Random(play))
    assert a[0] == b[0]
    assert a[1].returns() == b[1].returns()
    assert a[1].render() == b[1].render()


@pytest.mark.parametrize("name", GAMES)
@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), play=st.integers(0, 2**31 - 1))
def test_observations_agree_with_state(name, seed, play):
    game = games.make(name)
    rng = random.Random(play)
    state = game.new_state(seed)
    while not state.is_terminal():
        for p in range(game.num_players):
            obs = state.observation(p)
            assert obs.game == name and obs.player == p and obs.turn == state.turn
            assert obs.role == state.role(p) and obs.role in game.info.roles
            assert obs.info_state == state.information_state(p)
            legal = state.legal_actions(p)
            assert obs.legal_actions == (None if legal is None else tuple(legal))
            if p not in state.current_players():
                assert legal == []
        p = state.current_players()[0]
        state.apply(p, state.random_action(p, rng))


@pytest.mark.parametrize("name", GAMES)
def test_moves_out_of_turn_or_after_the_end_are_refused(name):
    game = games.make(name)
    state = game.new_state(0)
    rng = random.Random(0)
    waiting = [p for p in range(game.num_players) if p not in state.current_players()]
    for p in waiting:
        with pytest.raises(IllegalAction, match="not player"):
            state.apply(p, state.clone().random_action(state.current_players()[0], rng))
    while not state.is_terminal():
        p = state.current_players()[0]
        state.apply(p, state.random_action(p, rng))
    with pytest.raises(IllegalAction, match="over"):
        state.apply(0, "[0]")


def _fuzz_strings(rng, legal, n):
    alphabet = "[]{}\\boxed 0123456789abcdefghijklmnopqrstuvwxyz,->ABCDEFGHIJKLMNOPQRSTUVWXYZ\n\t\u00e9\u4e2d"
    pieces = list(legal or []) + ["\\boxed{", "}", "[", "]", "[offer]", "[accept]", "[deny]",
                                  "[pass]", "[say]", " -> ", "Wood", "Ore", "3", "-1", "1e9"]
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(0, 6)):
            if rng.random() < 0.5:
                parts.append(rng.choice(pieces))
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8))))
        yield "".join(parts)


@pytest.mark.parametrize("name", GAMES)
def test_fuzzed_text_is_a_legal_move_or_a_clear_illegal_action(name):
    """10,000 strings per game through games.parse + apply: never another exception."""
    game = games.make(name)
    rng = random.Random(1234)
    states = []
    for seed in range(20):  # a pool of positions from random play
        s = game.new_state(seed)
        while not s.is_terminal() and rng.random() < 0.8:
            p = s.current_players()[0]
            s.apply(p, s.random_action(p, rng))
        if not s.is_terminal():
            states.append(s)
    accepted = 0
    for i, text in enumerate(_fuzz_strings(rng, None, 10_000)):
        state = states[i % len(states)].clone()
        p = state.current_players()[0]
        legal = state.legal_actions(p)
        if legal:
            text = text + rng.choice(["", "", rng.choice(legal)])
        try:
            action = parse_action(text, legal, game)
            state.apply(p, action)
            accepted += 1
        except IllegalAction as err:
            assert str(err).strip(), "an IllegalAction must say why"
    assert accepted > 0
