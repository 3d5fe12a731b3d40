"""TicTacToe evaluation of agents (the arena wrapper): agents that state no policy are
scored once per position through their parsed reply; games are tallied per seat and
reproducible. Exact rates: tests/games/test_tictactoe_evaluation.py."""

import pytest

from agents import Agent, Decision, make_agent
from arena.tictactoe_eval import evaluate_tictactoe, optimal_move_rate
from games.tictactoe.solver import optimal_actions, reachable_positions


class FirstLegal(Agent):
    """States no policy: always the lowest free cell, sometimes as unparseable text."""

    name = "first-legal"

    def __init__(self, seed=0, garble_every=0):
        super().__init__(seed)
        self.garble_every, self.calls = garble_every, 0

    def act(self, obs):
        self.calls += 1
        if self.garble_every and self.calls % self.garble_every == 0:
            return Decision(text="I pass")
        return Decision(text=f"I play \\boxed{{{obs.legal_actions[0][1:-1]}}}")


def test_act_agents_are_scored_once_per_position():
    positions = reachable_positions()
    expected = sum(s.legal_actions(s.turn % 2)[0] in optimal_actions(s) for s in positions)
    rates = optimal_move_rate(FirstLegal())
    assert rates["act_positions"] == 4520 and rates["invalid"] == 0
    assert rates["optimal_rate"] == pytest.approx(expected / 4520)
    garbled = optimal_move_rate(FirstLegal(garble_every=10))
    assert garbled["invalid"] == 452
    assert garbled["optimal_rate"] < rates["optimal_rate"]


def test_evaluate_tallies_games_per_seat():
    result = evaluate_tictactoe("minimax", games=20, seed=1)
    assert result["agent"] == "minimax" and result["games"] == 20
    assert result["optimal"]["optimal_rate"] == 1.0
    for seat in ("X", "O"):
        assert result["vs_minimax"][seat] == {"win": 0, "draw": 20, "loss": 0}
        tally = result["vs_random"][seat]
        assert tally["loss"] == 0 and tally["win"] + tally["draw"] == 20
    again = evaluate_tictactoe("minimax", games=20, seed=1)
    assert again == result


def test_evaluate_random_agent_object():
    result = evaluate_tictactoe(make_agent("random", seed=5), games=10, seed=2, agent_spec="random")
    assert result["agent"] == "random"
    assert sum(result["vs_random"]["X"].values()) == 10
    assert result["vs_minimax"]["X"]["win"] == result["vs_minimax"]["O"]["win"] == 0
    with pytest.raises(ValueError, match="games="):
        evaluate_tictactoe("random", games=-1)
