"""``expert`` plays the expert each game declares: it passes the runner's determiniser to
an expert that searches, and only to it; a plug-in game's expert is an agent by its own
name without a line in agents/; a game without an expert says so."""

import random

import pytest

import games
from agents import available_agents, make_agent
from arena.runner import play_match
from games.expert import Expert
from games.tictactoe import TicTacToe, optimal_actions


class PeekingExpert(Expert):
    """Reads the true state through the determiniser and plays its first optimal move."""

    name = "peeking-minimax"
    searches = True

    def __init__(self, depth: int = 1) -> None:
        self.depth = depth

    def act(self, obs, rng, determiniser=None):
        state = determiniser.sample(random.Random(0))
        return optimal_actions(state)[0], None


class PeekingTicTacToe(TicTacToe):
    expert = PeekingExpert


@pytest.fixture
def peeking(monkeypatch):
    real = games.game_class
    real_available = games.available

    def game_class(name):
        return PeekingTicTacToe if name == "tictactoe" else real(name)

    for module in (games, games.registry):
        monkeypatch.setattr(module, "game_class", game_class)
        monkeypatch.setattr(module, "available", real_available)


def test_an_expert_that_searches_gets_states_through_expert(peeking):
    expert = make_agent("expert", seed=1)
    record = play_match(games.make("tictactoe"), [expert, make_agent("random", seed=2)], seed=4)
    mine = [d for d in record.decisions if d.player == 0]
    assert record.outcome == "terminal"
    assert mine and all(d.valid and d.states_given for d in mine)
    theirs = [d for d in record.decisions if d.player == 1]
    assert not any(d.states_given for d in theirs)


def test_a_games_expert_is_an_agent_by_its_own_name_with_its_options(peeking):
    assert "peeking-minimax" in available_agents() and "minimax" not in available_agents()
    agent = make_agent("peeking-minimax:depth=3", seed=0)
    assert agent.expert_for("tictactoe").depth == 3 and agent.name == "peeking-minimax:depth=3"
    with pytest.raises(ValueError, match=r"unknown option\(s\) 'width' for agent "
                                         r"'peeking-minimax' \(known: depth\)"):
        make_agent("peeking-minimax:width=3")
    with pytest.raises(ValueError, match="must be int"):
        make_agent("peeking-minimax:depth=deep")


def test_a_scripted_expert_gets_no_states():
    record = play_match(games.make("tictactoe"),
                        [make_agent("expert", seed=1), make_agent("random", seed=2)], seed=4)
    assert not any(d.states_given for d in record.decisions)


def test_every_built_in_expert_is_an_agent_declared_by_its_game():
    declared = {games.game_class(g).expert.name: g for g in games.registry.builtin()}
    assert declared == {"kuhn-nash": "kuhn_poker", "minimax": "tictactoe",
                        "negotiator": "negotiation", "werewolf-rules": "werewolf",
                        "household-expert": "household"}
    for name, game_id in declared.items():
        agent = make_agent(name, seed=0)
        state = games.make(game_id).new_state(0)
        player = state.current_players()[0]
        obs = state.observation(player)
        assert agent.act(obs).text == make_agent("expert", seed=0).act(obs).text


def test_a_game_without_an_expert_says_so(monkeypatch):
    class NoExpert(TicTacToe):
        expert = None

    monkeypatch.setattr(games, "game_class", lambda name: NoExpert)
    obs = NoExpert().new_state().observation(0)
    with pytest.raises(ValueError, match="declares no scripted expert"):
        make_agent("expert").act(obs)


def test_an_inherited_expert_plays_both_games_and_a_name_clash_is_one_line(monkeypatch):
    class Variant(TicTacToe):
        """Inherits TicTacToe's expert."""

    real = games.game_class
    names = ["tictactoe", "variant"]
    monkeypatch.setattr(games, "available", lambda: names)
    monkeypatch.setattr(games, "game_class",
                        lambda name: Variant if name == "variant" else real(name))
    agent = make_agent("minimax")
    assert agent.expert_for("variant") is agent.expert_for("tictactoe")

    class OtherMinimax(Expert):
        name = "minimax"

    class Clash(TicTacToe):
        expert = OtherMinimax

    monkeypatch.setattr(games, "game_class",
                        lambda name: Clash if name == "variant" else real(name))
    with pytest.raises(ValueError, match=r"agent 'minimax' names the experts of several "
                                         r"games .*OtherMinimax \(variant\)\); use 'expert'"):
        make_agent("minimax")
