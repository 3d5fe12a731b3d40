"""``expert`` passes the runner's determiniser on to a game's expert that searches."""

import pytest

import games
from agents import make_agent
from arena.runner import play_match
from games.tictactoe import TicTacToe


class SearchExpertTicTacToe(TicTacToe):
    expert = "mcts:simulations=8"


@pytest.fixture
def searching_expert(monkeypatch):
    real = games.game_class

    def game_class(name):
        return SearchExpertTicTacToe if name == "tictactoe" else real(name)

    monkeypatch.setattr(games, "game_class", game_class)
    import agents.expert

    monkeypatch.setattr(agents.expert.games, "game_class", game_class)


def test_an_expert_that_searches_gets_states_through_expert(searching_expert):
    expert = make_agent("expert", seed=1)
    record = play_match(games.make("tictactoe"), [expert, make_agent("random", seed=2)], seed=4)
    mine = [d for d in record.decisions if d.player == 0]
    assert record.outcome == "terminal"
    assert mine and all(d.valid and d.states_given for d in mine)
    theirs = [d for d in record.decisions if d.player == 1]
    assert not any(d.states_given for d in theirs)


def test_a_scripted_expert_gets_no_states():
    record = play_match(games.make("tictactoe"),
                        [make_agent("expert", seed=1), make_agent("random", seed=2)], seed=4)
    assert not any(d.states_given for d in record.decisions)
