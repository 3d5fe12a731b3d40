"""The minimax agent (TicTacToe's declared expert, games.tictactoe.expert.Minimax, played
by the generic expert agent): never loses, draws against itself, states a uniform optimal
policy, and is reproducible from its seed."""

import dataclasses

import pytest

import games
from agents import make_agent
from arena.runner import play_match
from games.tictactoe import Minimax, TicTacToe
from games.tictactoe.evaluation import reachable_positions
from games.tictactoe.expert import optimal_actions


def minimax_agent(seed=0):
    """The ``minimax`` agent as ``make_agent("minimax")`` builds it."""
    return make_agent("minimax", seed=seed)


@pytest.mark.parametrize("seat", [0, 1])
def test_never_loses_against_random(seat):
    game = games.make("tictactoe")
    wins = 0
    for i in range(100):
        minimax = make_agent("minimax", seed=i)
        seats = [minimax, make_agent("random", seed=i)]
        if seat == 1:
            seats.reverse()
        record = play_match(game, seats, seed=i)
        assert record.outcome == "terminal"
        assert record.returns[seat] >= 0, record.transcript()
        wins += record.returns[seat] > 0
    assert wins > 50  # random blunders often; minimax punishes it


def test_self_play_is_always_a_draw():
    game = games.make("tictactoe")
    for i in range(50):
        record = play_match(game, [minimax_agent(seed=i), minimax_agent(seed=i + 1)], seed=i)
        assert record.returns == (0.0, 0.0) and record.num_decisions == 9


def test_policy_is_uniform_over_optimal_actions():
    agent = minimax_agent(seed=0)
    for state in reachable_positions(TicTacToe())[::37]:
        obs = state.observation(state.turn % 2)
        policy = agent.policy(obs)
        best = optimal_actions(state)
        assert sorted(policy) == sorted(best)
        assert sum(policy.values()) == pytest.approx(1.0)
        assert len(set(policy.values())) == 1
        decision = agent.act(obs)
        assert decision.text in best and dict(decision.distribution) == policy


def test_choices_spread_and_repeat_with_the_seed():
    obs = games.make("tictactoe").new_state().observation(0)
    first = [minimax_agent(seed=s).act(obs).text for s in range(40)]
    again = [minimax_agent(seed=s).act(obs).text for s in range(40)]
    assert first == again
    assert len(set(first)) > 3  # every opening draws, so all nine are optimal


def test_same_seed_same_match():
    game = games.make("tictactoe")
    a = play_match(game, [make_agent("minimax", seed=3), make_agent("random", seed=3)], seed=7)
    b = play_match(game, [make_agent("minimax", seed=3), make_agent("random", seed=3)], seed=7)
    assert a.transcript() == b.transcript()


def test_refuses_other_games_and_no_move():
    agent = minimax_agent()
    state = games.make("tictactoe").new_state()
    with pytest.raises(ValueError, match="no legal action now"):
        agent.act(state.observation(1))
    other_game = dataclasses.replace(state.observation(0), game="kuhn_poker")
    with pytest.raises(ValueError, match="minimax plays only 'tictactoe'"):
        agent.act(other_game)


def test_is_the_games_expert():
    assert games.make("tictactoe").expert is Minimax and Minimax.name == "minimax"
    state = games.make("tictactoe").new_state()
    state.apply(0, "[0]")
    expert = make_agent("expert", seed=0)
    assert expert.policy(state.observation(1)) == {"[4]": 1.0}


def test_reads_the_position_from_the_observation_alone():
    """No state reaches minimax: an observation sent through JSON decides the same."""
    state = games.make("tictactoe").state_from_board("XX." "OO." "...")
    obs = dataclasses.replace(state.observation(0), seed=3)
    agent = minimax_agent(seed=1)
    assert not agent.searches and not agent.wants_states(obs)
    wire = games.Observation.from_dict(obs.to_dict())
    assert agent.policy(wire) == {"[2]": 1.0} == agent.policy(obs)
    assert agent.act(wire).text == "[2]"
    record = play_match(games.make("tictactoe"), [agent, make_agent("random")], seed=0)
    assert not any(d.states_given for d in record.decisions)
