"""Exact TicTacToe evaluation: the minimax expert is optimal everywhere; uniform play's rate
equals a direct count over positions; a policy that states nothing is refused unless a
fallback action is given."""

import pytest

import games
from games.algorithms.evaluation import PolicyUnavailable
from games.tictactoe import OPTIMAL_MOVES, optimal_distribution, optimal_move_rate
from games.tictactoe.evaluation import positions
from games.tictactoe.expert import optimal_actions

GAME = games.make("tictactoe")


def minimax(observations):
    """The expert as a batched policy: perfect information, so the board is the state."""
    return [optimal_distribution(GAME.state_from_board(o.info_state[6:15]))
            for o in observations]


def uniform(observations):
    return [{a: 1 / len(o.legal_actions) for a in o.legal_actions} for o in observations]


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


def test_the_game_declares_optimal_moves():
    assert [e.name for e in GAME.evaluators()] == ["optimal_moves"]
    metrics = GAME.evaluators()[0](GAME, minimax)
    assert metrics == {"optimal_moves": 1.0, "optimal_moves/X": 1.0, "optimal_moves/O": 1.0,
                       "optimal_moves/positions": 4520.0}


def test_minimax_is_optimal_everywhere():
    rates = optimal_move_rate(GAME, minimax)
    assert rates["optimal_rate"] == rates["optimal_rate_x"] == rates["optimal_rate_o"] == 1.0
    assert (rates["positions"], rates["positions_x"], rates["positions_o"]) == (4520, 2423, 2097)
    assert rates["policy_positions"] == 4520 and rates["invalid"] == 0


def test_uniform_rate_equals_a_direct_count():
    sums, counts = direct_count()
    assert counts == {"X": 2423, "O": 2097}
    metrics = OPTIMAL_MOVES(GAME, uniform)
    assert metrics["optimal_moves/X"] == pytest.approx(sums["X"] / counts["X"], abs=1e-12)
    assert metrics["optimal_moves/O"] == pytest.approx(sums["O"] / counts["O"], abs=1e-12)
    overall = (sums["X"] + sums["O"]) / (counts["X"] + counts["O"])
    assert metrics["optimal_moves"] == pytest.approx(overall, abs=1e-12)
    assert 0.3 < overall < 0.9


def test_a_policy_that_states_nothing_needs_a_fallback():
    silent = lambda observations: [None] * len(observations)  # noqa: E731
    with pytest.raises(PolicyUnavailable, match="cannot state them"):
        OPTIMAL_MOVES(GAME, silent)
    states, _ = positions(GAME)
    expected = sum(s.legal_actions(s.turn % 2)[0] in optimal_actions(s) for s in states)
    first = optimal_move_rate(GAME, silent, fallback=lambda o: o.legal_actions[0])
    assert first["act_positions"] == 4520 and first["invalid"] == 0
    assert first["optimal_rate"] == pytest.approx(expected / 4520)
    nothing = optimal_move_rate(GAME, silent, fallback=lambda o: None)
    assert nothing["invalid"] == 4520 and nothing["optimal_rate"] == 0.0
