"""The scripted experts are pure functions in their game packages: they play whole games
with no agent involved, agree with the agents that wrap them, and refuse what they cannot
read with a clear message."""

from __future__ import annotations

import random

import pytest

import games
from agents import make_agent
from games.kuhn_poker import equilibrium_distribution
from games.negotiation import expert_move, read_view
from games.tictactoe import optimal_distribution


def play_with(game, choose, seed):
    """Both seats chosen by ``choose(state, player, rng)``; the final state."""
    state, rng = game.new_state(seed), random.Random(seed)
    while not state.is_terminal():
        (player,) = state.current_players()
        state.apply(player, choose(state, player, rng))
    return state


def sample(dist, rng):
    actions = list(dist)
    return rng.choices(actions, weights=[dist[a] for a in actions])[0]


def test_kuhn_equilibrium_plays_and_matches_the_agent():
    game = games.make("kuhn_poker:hands=3")
    agent = make_agent("kuhn-nash:alpha=0.2")
    for seed in range(20):
        def choose(state, player, rng):
            obs = state.observation(player)
            dist = equilibrium_distribution(obs.info_state, 0.2)
            assert dist == agent.policy(obs)
            return sample(dist, rng)
        assert play_with(game, choose, seed).is_terminal()
    with pytest.raises(ValueError, match="not a Kuhn Poker decision's information state"):
        equilibrium_distribution("board=.........;to_move=X")


def test_minimax_expert_never_loses_to_itself():
    game = games.make("tictactoe")
    for seed in range(10):
        final = play_with(game, lambda s, p, rng: sample(optimal_distribution(s), rng), seed)
        assert final.returns() == [0.0, 0.0]


def test_negotiation_expert_plays_from_its_own_view_and_matches_the_agent():
    game = games.make("negotiation")
    expert = game.expert()
    for seed in range(10):
        def choose(state, player, rng):
            obs = state.observation(player)
            move = expert_move(read_view(obs.text), random.Random(seed))
            assert (move, None) == expert.act(obs, random.Random(seed))
            return move
        final = play_with(game, choose, seed)
        assert final.turn == game.options.turns
