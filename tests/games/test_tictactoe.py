"""TicTacToe rules and the exact solver: wins on every line, draws, illegal moves, clones,
position counts, and solver values checked against a naive search over the public API."""

import itertools
import random

import pytest
from hypothesis import given, settings, strategies as st

import games
from games import IllegalAction, parse_action
from games.core import Determiniser
from games.tictactoe import LINES, TicTacToe, TicTacToeState
from games.tictactoe.evaluation import reachable_positions
from games.tictactoe.expert import action_values, optimal_actions, solve

LINE_CELLS = [tuple(n for n in range(9) if line >> n & 1) for line in LINES]


def play(moves):
    """The state after playing the cells in ``moves`` alternately, X first."""
    state = TicTacToe().new_state()
    for n in moves:
        state.apply(state.turn % 2, f"[{n}]")
    return state


def win_for(player, line):
    """Moves in which ``player`` (0 X, 1 O) completes ``line`` with their last move."""
    others = [n for n in range(9) if n not in line]
    for theirs in itertools.combinations(others, 2 + player):
        xs, os_ = (list(line), list(theirs)) if player == 0 else (list(theirs), list(line))
        moves = [xs[i // 2] if i % 2 == 0 else os_[i // 2] for i in range(len(xs) + len(os_))]
        before = play(moves[:-1])
        if not before.is_terminal():
            return moves
    raise AssertionError(f"no game found where player {player} wins on {line}")


def test_declaration():
    game = games.make("tictactoe")
    info = game.info
    assert isinstance(game, TicTacToe)
    assert (info.id, info.roles, info.chance, info.information) == (
        "tictactoe", ("X", "O"), "none", "perfect")
    assert (info.utility_sum, info.max_length, info.min_players, info.max_players) == (0.0, 9, 2, 2)
    assert game.expert.name == "minimax" and game.num_players == 2
    assert "three" in game.rules and "[4]" in game.rules
    with pytest.raises(ValueError, match="unknown option"):
        games.make("tictactoe", size=4)


def test_opening_state():
    state = TicTacToe().new_state(seed=123)
    assert state.current_players() == [0]
    assert state.legal_actions(0) == [f"[{n}]" for n in range(9)]
    assert state.legal_actions(1) == []
    assert state.returns() == [0.0, 0.0]
    assert (state.role(0), state.role(1)) == ("X", "O")
    assert state.information_state(0) == state.information_state(1) == "board=.........;to_move=X"


@pytest.mark.parametrize("player", [0, 1])
@pytest.mark.parametrize("line", LINE_CELLS)
def test_win_on_every_line(player, line):
    moves = win_for(player, line)
    state = play(moves)
    assert state.is_terminal() and state.current_players() == []
    assert state.returns() == ([1.0, -1.0] if player == 0 else [-1.0, 1.0])
    assert state.legal_actions(0) == state.legal_actions(1) == []
    mark = "XO"[player]
    assert f"{mark} wins." in state.render()
    assert "Game over" in state.observation(1 - player).text


def test_win_on_last_move_is_not_a_draw():
    # X completes the 2-4-6 diagonal with the ninth mark.
    state = play([2, 0, 4, 1, 8, 5, 3, 7, 6])
    assert state.turn == 9 and state.returns() == [1.0, -1.0]


def test_draw():
    state = play([0, 4, 8, 1, 7, 6, 2, 5, 3])
    assert state.is_terminal() and state.returns() == [0.0, 0.0]
    assert "Draw" in state.render()
    assert state.information_state(0) == "board=XOXXOOOXX;to_move=-"


def test_illegal_moves_have_usable_messages():
    state = play([4])
    with pytest.raises(IllegalAction, match=r"'\[4\]' is not legal; legal: \[0\], \[1\]"):
        state.apply(1, "[4]")
    with pytest.raises(IllegalAction, match=r"'\[9\]' is not legal"):
        state.apply(1, "[9]")
    with pytest.raises(IllegalAction, match="not player 0's turn"):
        state.apply(0, "[0]")
    with pytest.raises(IllegalAction, match="must be a string"):
        state.apply(1, 3)
    assert state.board_string() == "....X...."  # nothing applied
    done = play([0, 3, 1, 4, 2])
    with pytest.raises(IllegalAction, match="the game is over"):
        done.apply(1, "[5]")
    with pytest.raises(ValueError, match="does not exist"):
        state.role(2)


def test_parse_model_output():
    state = play([4])
    legal = state.legal_actions(1)
    assert parse_action("the corner is best: \\boxed{0}", legal) == "[0]"
    assert parse_action("not [4] but [ 8 ]", legal) == "[8]"
    with pytest.raises(IllegalAction, match="not legal"):
        parse_action("[4]", legal)


def test_observation_text():
    state = play([4, 0])
    obs = state.observation(0)
    assert obs.legal_actions == ("[1]", "[2]", "[3]", "[5]", "[6]", "[7]", "[8]")
    assert "You play X" in obs.text and "Legal actions: [1], [2], [3]" in obs.text
    assert " O | 1 | 2\n---+---+---\n 3 | X | 5" in obs.text
    other = state.observation(1)
    assert "You play O" in other.text and "Waiting for X" in other.text
    assert other.legal_actions == ()
    assert state.render().splitlines()[0] == " O | . | ."
    copy = Determiniser(state, 0).sample(random.Random(0))
    assert copy.board_string() == state.board_string()


def test_clone_is_independent():
    state = play([4, 0])
    copy = state.clone()
    assert isinstance(copy, TicTacToeState) and copy is not state
    copy.apply(0, "[8]")
    assert state.board_string() == "O...X...." and state.turn == 2
    assert copy.board_string() == "O...X...X" and copy.turn == 3


@settings(max_examples=100, deadline=None)
@given(seed=st.integers(0, 2**31 - 1))
def test_random_playouts(seed):
    rng = random.Random(seed)
    state = TicTacToe().new_state()
    while not state.is_terminal():
        player = state.current_players()[0]
        legal = state.legal_actions(player)
        assert legal == sorted(legal, key=lambda a: int(a[1:-1])) and len(legal) == 9 - state.turn
        state.apply(player, legal[rng.randrange(len(legal))])
    assert sum(state.returns()) == 0.0 and state.turn <= 9


@given(text=st.text(max_size=12))
def test_any_string_is_legal_or_refused(text):
    state = play([4])
    try:
        state.apply(1, text)
    except IllegalAction:
        assert state.turn == 1
    else:
        assert text in [f"[{n}]" for n in range(9)]


def test_state_from_board():
    game = TicTacToe()
    state = game.state_from_board("O.. | .X. | ...")
    assert state.board_string() == "O...X...." and state.turn == 2
    assert state.current_players() == [0]
    assert game.state_from_board("XXX OO. ...").returns() == [1.0, -1.0]
    with pytest.raises(ValueError, match="as many marks as O or one more"):
        game.state_from_board("OO.......")
    with pytest.raises(ValueError, match="9 cells"):
        game.state_from_board("XO")
    with pytest.raises(ValueError, match="cannot arise"):
        game.state_from_board("XXXOOO...")  # both have a line
    with pytest.raises(ValueError, match="cannot arise"):
        game.state_from_board("XXXOO.O..")  # X won but O moved after


def walk_public_api():
    """Every reachable position keyed by its information state, by depth-first search
    through apply() alone (independent of the solver's mask arithmetic)."""
    seen = {}
    stack = [TicTacToe().new_state()]
    while stack:
        state = stack.pop()
        key = state.information_state(0)
        if key in seen:
            continue
        seen[key] = state
        for player in state.current_players():
            for action in state.legal_actions(player):
                child = state.clone()
                child.apply(player, action)
                stack.append(child)
    return seen


def test_position_counts():
    seen = walk_public_api()
    assert len(seen) == 5478
    assert sum(not s.is_terminal() for s in seen.values()) == 4520
    positions = reachable_positions(TicTacToe())
    assert len(positions) == 4520
    assert all(not s.is_terminal() for s in positions)
    every = reachable_positions(TicTacToe(), include_terminal=True)
    assert len(every) == 5478
    assert {s.information_state(0) for s in every} == set(seen)
    assert sum(s.turn % 2 == 0 for s in positions) == 2423


def naive_value(state, memo):
    """Negamax through the public API, keyed by information state."""
    key = state.information_state(0)
    if key not in memo:
        if state.is_terminal():
            memo[key] = state.returns()[state.turn % 2]
        else:
            player = state.current_players()[0]
            best = -2
            for action in state.legal_actions(player):
                child = state.clone()
                child.apply(player, action)
                best = max(best, -naive_value(child, memo))
            memo[key] = best
    return memo[key]


def test_solver_matches_naive_search_everywhere():
    memo = {}
    for state in reachable_positions(TicTacToe(), include_terminal=True):
        assert solve(state) == naive_value(state, memo), state.board_string()
        best = optimal_actions(state)
        values = action_values(state)
        assert best == [a for a, v in values.items() if v == solve(state)]
        assert (best == []) == state.is_terminal()


def test_solver_known_positions():
    empty = TicTacToe().new_state()
    assert solve(empty) == 0
    assert optimal_actions(empty) == [f"[{n}]" for n in range(9)]
    assert optimal_actions(play([0])) == ["[4]"]  # only the centre answers a corner
    assert optimal_actions(play([4])) == ["[0]", "[2]", "[6]", "[8]"]  # centre: corners
    assert optimal_actions(play([1])) == ["[0]", "[2]", "[4]", "[7]"]  # edge
    assert solve(play([0, 1])) == 1  # O on an edge next to X's corner loses
    assert solve(play([4, 1])) == 1
    # X to move wins at once on the top row, and only there
    state = TicTacToe().state_from_board("XX. OO. ...")
    assert solve(state) == 1 and optimal_actions(state) == ["[2]"]
    # O to move must block X's top row, and then draws
    state = TicTacToe().state_from_board("XX. .O. ...")
    assert optimal_actions(state) == ["[2]"] and solve(state) == 0
    # X has a fork (threats on 0-3-6 and 2-4-6): O to move loses whatever it does
    state = TicTacToe().state_from_board("XO. .X. X.O")
    assert solve(state) == -1
    assert optimal_actions(state) == ["[2]", "[3]", "[5]", "[7]"]  # all lose alike
    assert solve(play([0, 3, 1, 4, 2])) == -1  # game over, O (to move) lost


def test_solver_refuses_other_states():
    with pytest.raises(TypeError, match="TicTacToeState"):
        solve(object())
