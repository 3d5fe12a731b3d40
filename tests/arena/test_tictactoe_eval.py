"""Exact TicTacToe evaluation: minimax is optimal everywhere; the random agent's rate equals
a direct count over positions; games are tallied per seat and reproducible."""

import pytest

from agents import Agent, Decision, make_agent
from arena.tictactoe_eval import evaluate_tictactoe, optimal_move_rate
from games.tictactoe.solver import optimal_actions, reachable_positions


def direct_count():
    """Per mark to move: sum over positions of (#optimal moves / #legal moves), and the
    number of positions, by an independent plain negamax over board strings."""
    lines = [(0, 1, 2), (3, 4, 5), (6, 7, 8), (0, 3, 6), (1, 4, 7), (2, 5, 8), (0, 4, 8), (2, 4, 6)]
    memo = {}

    def won(board, mark):
        return any(all(board[i] == mark for i in line) for line in lines)

    def value(board, mark):  # for `mark`, who is to move
        key = board + mark
        if key not in memo:
            other = "O" if mark == "X" else "X"
            if won(board, other):
                memo[key] = -1
            elif "." not in board:
                memo[key] = 0
            else:
                memo[key] = max(-value(board[:i] + mark + board[i + 1:], other)
                                for i in range(9) if board[i] == ".")
        return memo[key]

    sums, counts, seen = {"X": 0.0, "O": 0.0}, {"X": 0, "O": 0}, set()
    stack = [(".........", "X")]
    while stack:
        board, mark = stack.pop()
        if board + mark in seen:
            continue
        seen.add(board + mark)
        other = "O" if mark == "X" else "X"
        if won(board, other) or "." not in board:
            continue
        free = [i for i in range(9) if board[i] == "."]
        children = [board[:i] + mark + board[i + 1:] for i in free]
        best = value(board, mark)
        sums[mark] += sum(-value(c, other) == best for c in children) / len(free)
        counts[mark] += 1
        stack.extend((c, other) for c in children)
    return sums, counts


def test_minimax_is_optimal_everywhere():
    rates = optimal_move_rate(make_agent("minimax"))
    assert rates["optimal_rate"] == rates["optimal_rate_x"] == rates["optimal_rate_o"] == 1.0
    assert (rates["positions"], rates["positions_x"], rates["positions_o"]) == (4520, 2423, 2097)
    assert rates["policy_positions"] == 4520 and rates["invalid"] == 0


def test_random_rate_equals_a_direct_count():
    sums, counts = direct_count()
    assert counts == {"X": 2423, "O": 2097}
    rates = optimal_move_rate(make_agent("random"))
    assert rates["optimal_rate_x"] == pytest.approx(sums["X"] / counts["X"], abs=1e-12)
    assert rates["optimal_rate_o"] == pytest.approx(sums["O"] / counts["O"], abs=1e-12)
    overall = (sums["X"] + sums["O"]) / (counts["X"] + counts["O"])
    assert rates["optimal_rate"] == pytest.approx(overall, abs=1e-12)
    assert 0.3 < overall < 0.9


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
