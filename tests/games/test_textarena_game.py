"""The TextArena wrapper: real TextArena environments played to the end through the
arena's game contract, and through the PettingZoo adapter's text mode."""

from __future__ import annotations

import random
import sys

import pytest

pytest.importorskip("textarena")

import games  # noqa: E402
from agents import make_agent  # noqa: E402
from arena.runner import play_match  # noqa: E402
from games import IllegalAction, Observation  # noqa: E402
from games.aec import env as make_env  # noqa: E402
from games.parse import parse_action  # noqa: E402
from games.textarena_game import NO_CLONE, TextArenaGame, _player_range, _textarena  # noqa: E402
from games.conformance.aec import check_text_env  # noqa: E402


def _play_random(game, seed):
    state, rng, moves = game.new_state(seed), random.Random(seed), []
    while not state.is_terminal():
        (player,) = state.current_players()
        legal = state.legal_actions(player)
        assert legal, f"no advertised legal actions at turn {state.turn}:\n{state.observation(player).text}"
        action = rng.choice(legal)
        state.apply(player, action)
        moves.append((player, action))
    return state, moves


@pytest.mark.parametrize("env_id, most_moves", [("TicTacToe-v0", 9), ("KuhnPoker-v0", 9)])
def test_plays_to_the_end_with_random_legal_moves(env_id, most_moves):
    game = games.make(f"textarena:{env_id}")
    assert game.info.id == f"textarena:{env_id}" and game.num_players == 2
    for seed in range(5):
        state, moves = _play_random(game, seed)
        returns = state.returns()
        assert len(returns) == 2 and sorted(returns) in ([-1.0, 1.0], [0.0, 0.0])
        assert 1 <= len(moves) <= most_moves and state.current_players() == []


def test_legal_actions_come_from_the_environments_own_lists():
    state = games.make("textarena:TicTacToe-v0").new_state(0)
    assert state.legal_actions(0) == [f"[{i}]" for i in range(9)]
    state.apply(0, "[4]")
    assert state.legal_actions(1) == [f"[{i}]" for i in range(9) if i != 4]
    assert state.legal_actions(0) == []  # not its move
    kuhn = games.make("textarena:KuhnPoker-v0").new_state(0)
    (first,) = kuhn.current_players()
    assert kuhn.legal_actions(first) == ["[check]", "[bet]"]
    kuhn.apply(first, "[bet]")
    assert kuhn.legal_actions(1 - first) == ["[fold]", "[call]"]
    assert "Your card is" in kuhn.observation(first).text


def test_same_seed_same_game_and_global_random_untouched():
    game = games.make("textarena:KuhnPoker-v0")
    random.seed(1234)
    expected = random.random()
    random.seed(1234)
    first = _play_random(game, 7)
    assert random.random() == expected  # TextArena's random.seed never reached us
    second = _play_random(game, 7)
    assert first[1] == second[1] and first[0].returns() == second[0].returns()
    assert first[0].observation(0).text == second[0].observation(0).text
    deals = {game.new_state(s).observation(0).text for s in range(8)}
    assert len(deals) > 1  # the seed reaches TextArena's deal


def test_free_text_option_passes_answers_through():
    game = games.make("textarena:TicTacToe-v0", legal="free")
    state = game.new_state(0)
    assert state.legal_actions(0) is None
    action = parse_action("I take the centre: \\boxed{[4]}", None, game)
    state.apply(0, action)
    assert "placed their symbol" in state.observation(1).text
    before = (state.turn, state.observation(0).text, state.observation(1).text)
    with pytest.raises(IllegalAction, match="TextArena refused 'nonsense': .*"):
        state.apply(1, "nonsense")  # TextArena's judgement, raised: our policy decides
    assert (state.turn, state.observation(0).text, state.observation(1).text) == before
    assert state.current_players() == [1] and not state.is_terminal()
    for _ in range(5):  # TextArena's own error allowance never ends the game
        with pytest.raises(IllegalAction):
            state.apply(1, "nonsense")
    state.apply(1, "[0]")
    assert state.current_players() == [0] and "[0]" in state.observation(0).text


def test_no_clone_and_clear_errors():
    game = games.make("textarena:TicTacToe-v0")
    state = game.new_state(0)
    with pytest.raises(NotImplementedError, match="cannot be cloned"):
        state.clone()
    assert state.determiniser(0) is None  # no states for search; observations are plain data
    obs = state.observation(0)
    assert Observation.from_dict(obs.to_dict()) == obs
    mcts = make_agent("mcts:simulations=5")
    with pytest.raises(ValueError, match="'textarena:TicTacToe-v0' offers no determinisation"):
        play_match(game, [mcts, make_agent("random")], seed=0)
    assert NO_CLONE.startswith("TextArena environments cannot be cloned")
    with pytest.raises(ValueError, match=r"unknown TextArena environment 'TicTacToe-v9'.*TicTacToe-v0"):
        games.make("textarena:TicTacToe-v9")
    with pytest.raises(ValueError, match="takes 2..2 players"):
        games.make("textarena:TicTacToe-v0", players=3)
    with pytest.raises(ValueError, match="unknown option"):
        TextArenaGame(env_id="TicTacToe-v0", board=4)


def test_missing_textarena_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "textarena", None)
    with pytest.raises(ImportError, match="pip install textarena"):
        _textarena()


def test_player_counts_read_from_the_environment():
    registry = _textarena().envs.registration.ENV_REGISTRY
    assert _player_range(registry["KuhnPoker-v0"].entry_point) == (2, 2)
    assert _player_range(registry["Poker-v0"].entry_point) == (2, 15)
    assert _player_range(registry["Codenames-v0"].entry_point) == (4, 4)
    assert games.make("textarena:Poker-v0", players="4").num_players == 4


@pytest.mark.parametrize("env_id", ["TicTacToe-v0", "KuhnPoker-v0"])
def test_aec_text_mode_conformance(env_id):
    env = make_env(f"textarena:{env_id}")
    assert env.mode == "text"  # no action vocabulary: text mode
    check_text_env(env, games_played=2)
