"""The TextArena wrapper: real TextArena environments played to the end through the
arena's game contract, and through the PettingZoo adapter's text mode."""

from __future__ import annotations

import json
import random
import re
import sys

import pytest

pytest.importorskip("textarena")

import games  # noqa: E402
from agents import make_agent  # noqa: E402
from arena.runner import MatchConfig, play_match  # noqa: E402
from games import IllegalAction, Observation  # noqa: E402
from games.adapters.aec import env as make_env  # noqa: E402
from games.parse import parse_action  # noqa: E402
from games.adapters.textarena_game import NO_CLONE, TextArenaGame, _player_range, _textarena  # noqa: E402
from games.conformance.aec import check_text_env  # noqa: E402


def _play_random(game, seed):
    state, rng, moves = game.new_state(seed), random.Random(seed), []
    while not state.is_terminal():
        (player,) = state.current_players()
        legal = state.legal_actions(player)
        assert legal, f"no listed moves at turn {state.turn}:\n{state.observation(player).text}"
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
    with pytest.raises(ValueError,
                       match=r"unknown TextArena environment 'TicTacToe-v9'.*TicTacToe-v0"):
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


def test_templates_are_never_offered_as_legal_actions():
    from games.adapters.textarena_moves import is_template

    game = games.make("textarena:IndianPoker-v0")
    for seed in range(3):
        state, rng = game.new_state(seed), random.Random(seed)
        while not state.is_terminal():
            (p,) = state.current_players()
            legal = state.legal_actions(p)
            assert legal is None or not any(is_template(a) for a in legal), legal
            state.apply(p, state.random_action(p, rng))
    first = game.new_state(0)
    (p,) = first.current_players()
    assert "'[bet X]'" in first.observation(p).text and first.legal_actions(p) is None


def test_template_detection():
    from games.adapters.textarena_moves import is_template

    assert [is_template(t) for t in ("[bet X]", "[Raise N]", "[<number>]", "[Offer: $X]",
                                     "[swap X Y]", "[a,b]")] == [True] * 6
    assert [is_template(t) for t in ("[bet]", "[X 0]", "[a2 a3]", "[bet 3]", "[Q]",
                                     "[col 4]")] == [False] * 6


def test_plausible_moves_follow_the_text():
    from games.adapters.textarena_moves import NoMoveFormat, sample_move

    rng = random.Random(0)
    board = " 2 | W W W\n 1 | W W W\n     a b c"
    moves = {sample_move(["Move like '[a2 a3]'.", board], rng) for _ in range(40)}
    assert all(re.fullmatch(r"\[[abc][12] [abc][12]\]", m) for m in moves), moves
    options = ["rules", "Your remaining hand: '[A]' '[7]' '[K]'"]
    assert {sample_move(options, rng) for _ in range(40)} == {"[A]", "[7]", "[K]"}
    bets = {sample_move(["r", "Your possible actions: '[check]', '[bet X]'\nchips: 5"], rng)
            for _ in range(40)}
    assert "[check]" in bets and "[bet X]" not in bets and "[bet 5]" in bets
    assert sample_move(["On your turn, simply type your message."], rng).endswith(".")
    with pytest.raises(NoMoveFormat):
        sample_move([], rng)


def test_random_plays_free_text_environments_from_the_cli(capsys):
    from arena.cli import main

    assert main(["play", "textarena:LiarsDice-v0", "--agents", "random,random", "--seed", "1",
                 "--json"]) == 0
    record = json.loads(capsys.readouterr().out)  # TextArena's own prints kept off stdout
    first = record["decisions"][0]
    assert first["valid"] and first["raw"].startswith("[Bid:")
    assert record["outcome"] in ("terminal", "forfeit")


class _Says:
    """An agent that always says the same text."""

    name, searches = "says", False

    def __init__(self, text):
        self.text = text

    def wants_states(self, obs):
        return False

    def act_batch(self, obs, determinisers=None):
        from agents.base import Decision

        return [Decision(text=self.text) for _ in obs]


def test_unparseable_free_text_is_judged_by_textarena_and_our_policy_applies():
    game = games.make("textarena:Nim-v0")
    rec = play_match(game, [_Says("I take some"), make_agent("random", seed=1)], 0)
    assert rec.outcome == "forfeit" and rec.returns == (-1.0, 1.0)
    (d,) = rec.decisions
    assert not d.valid and d.action is None
    assert d.error.startswith("TextArena refused 'I take some': ")
    rec = play_match(game, [_Says("nonsense"), make_agent("random", seed=1)], 0,
                     MatchConfig(invalid="retry:3"))
    assert [x.attempt for x in rec.decisions] == [0, 1, 2, 3] and rec.outcome == "forfeit"
    assert "Your previous answer was invalid: TextArena refused" in rec.decisions[1].observation
    rec = play_match(game, [_Says("nonsense"), make_agent("random", seed=1)], 0,
                     MatchConfig(invalid="random", max_turns=6))
    mine = [x for x in rec.decisions if x.player == 0]
    assert all(not x.valid and x.fallback and x.action for x in mine)
    assert rec.outcome in ("terminal", "max_turns")
    assert all(x.valid for x in rec.decisions if x.player == 1 and not x.fallback)


def test_invalid_random_never_raises_and_a_game_without_accepted_moves_is_forfeited(
        monkeypatch):
    game = games.make("textarena:ColonelBlotto-v0")  # allocations must sum to 20
    rec = play_match(game, [_Says("[A1]"), make_agent("random", seed=1)], 0,
                     MatchConfig(invalid="random"))
    assert all(d.fallback and not d.valid for d in rec.decisions)
    first = rec.decisions[0]  # a drawn allocation TextArena accepted, applied
    assert first.error.startswith("TextArena refused '[A1]'") and first.action != "[A1]"
    last = rec.decisions[-1]  # none accepted for player 1: the fallback forfeits
    assert rec.outcome == "terminal" and rec.returns[last.player] == -1.0
    monkeypatch.setattr("games.adapters.textarena_game._PROBES", 0)  # nothing drawn: the last resort
    state = game.new_state(0)
    move = state.random_action(0, random.Random(0))
    state.apply(0, move)
    assert state.is_terminal() and state.returns() == [-1.0, 1.0]
    assert "has no move TextArena accepts among 0 drawn and forfeits" in \
        state.observation(1).text


def test_random_on_free_text_gets_no_states_and_same_seed_same_match():
    game = games.make("textarena:Nim-v0")
    agents = [make_agent("random", seed=1), make_agent("random", seed=2)]
    config = MatchConfig(invalid="random")
    a, b = (play_match(game, agents, 4, config) for _ in range(2))
    assert a.transcript() == b.transcript()
    assert not any(d.states_given for d in a.decisions)
