"""The PettingZoo adapter: PettingZoo's own api_test and seed_test on numeric mode, and
check_text_env (games.conformance.aec: the same contract for text mode) on every
registered game, plus three toy games (sequential, free-text, simultaneous)."""

from __future__ import annotations

import numpy as np
import pytest
from pettingzoo.test import api_test, seed_test

import games
from games.adapters.aec import GameEnv, action_vocabulary, env as make_env
from games.conformance.aec import check_text_env
from tests.toy_games import Pennies, Pile, Shout  # sequential, free-text, simultaneous


# ----- which games exist now ---------------------------------------------------------
def _registered() -> list[str]:
    names = []
    for name in games.available():
        try:
            games.game_class(name)
        except ImportError:
            continue  # registered but not written yet
        names.append(name)
    return names


NUMERIC = [n for n in ("kuhn_poker", "tictactoe") if n in _registered()]


@pytest.mark.parametrize("name", NUMERIC)
def test_api_test_numeric_builtin(name):
    env = make_env(name, mode="numeric")
    api_test(env, num_cycles=200)


@pytest.mark.parametrize("name", NUMERIC)
def test_seed_test_numeric_builtin(name):
    seed_test(lambda: make_env(name, mode="numeric"), num_cycles=50)


@pytest.mark.parametrize("name", _registered())
def test_text_mode_conformance_registered(name):
    check_text_env(make_env(name, mode="text"))


def test_tiny_games_pass_pettingzoo_and_text_checks():
    api_test(make_env(Pile()), num_cycles=200)
    seed_test(lambda: make_env(Pile()), num_cycles=50)
    check_text_env(make_env(Pile(), mode="text"))
    check_text_env(make_env(Shout()))  # auto picks text: no vocabulary


def test_simultaneous_phase_selects_each_current_player_once():
    api_test(make_env(Pennies()), num_cycles=50)
    check_text_env(make_env(Pennies(), mode="text"))
    env = make_env(Pennies())
    env.reset(seed=0)
    assert env.agent_selection == "player_0"
    env.step(0)
    assert env.agent_selection == "player_1"
    env.step(0)
    assert env.rewards == {"player_0": 1.0, "player_1": -1.0}


def test_games_env_reaches_the_adapter():
    name = (NUMERIC or _registered() or [None])[0]
    if name is None:
        pytest.skip("no built-in game written yet")
    env = games.env(name, mode="text")
    assert isinstance(env, GameEnv) and str(env) == name


def test_modes_and_spaces():
    numeric, text = make_env(Pile()), make_env(Pile(), mode="text")
    assert numeric.mode == "numeric" and numeric.actions == ("[1]", "[2]")
    assert numeric.action_space("player_0").n == 2
    assert text.mode == "text" and text.actions is None
    with pytest.raises(ValueError, match="mode='text'"):
        make_env(Shout(), mode="numeric")
    with pytest.raises(ValueError, match="mode must be one of"):
        make_env(Pile(), mode="binary")
    assert action_vocabulary(Shout()) is None


def test_numeric_observation_is_the_text_bytes_and_mask():
    env = make_env(Pile())
    env.reset(seed=1)
    obs, _, _, _, info = env.last()
    text = info["text"]
    assert bytes(obs["observation"][: len(text)]).decode() == text
    assert not obs["observation"][len(text):].any()
    assert obs["action_mask"].tolist() == [1, 1] and info["legal_actions"] == ["[1]", "[2]"]


def test_illegal_numeric_action_ends_game_offender_penalised():
    env = make_env(Pile(), illegal_reward=-3.0)
    env.reset(seed=0)
    while env.game_state.pile != 1:
        env.step(0)
    offender = env.agent_selection
    env.step(1)  # "[2]" with one left: masked out
    assert all(env.terminations.values())
    assert env.rewards == {offender: -3.0, **{a: 0.0 for a in env.agents if a != offender}}
    record = env.infos[offender]["illegal_action"]
    assert record["action"] == "[2]" and "not legal" in record["reason"]
    assert env.infos[offender]["legal_actions"] == []
    assert not env.observe(offender)["action_mask"].any()


def test_numeric_mode_rejects_bad_action_types():
    env = make_env(Pile())
    env.reset(seed=0)
    with pytest.raises(TypeError, match="numeric mode"):
        env.step("[1]")
    with pytest.raises(ValueError, match="out of range"):
        env.step(np.int64(5))


def test_text_mode_parses_model_output_and_pays_returns():
    env = make_env(Pile(), mode="text")
    env.reset(seed=0)
    while env.agents and not any(env.terminations.values()):
        env.step("I think \\boxed{1}")
    winner = env.possible_agents[env.game_state.winner]
    assert env._cumulative_rewards[winner] == 1.0
    assert sum(env._cumulative_rewards.values()) == 0.0


def test_seedless_reset_follows_the_seed_stream():
    a, b = make_env(Pile(), seed=5), make_env(Pile(), seed=5)
    piles = []
    for env in (a, b):
        env.reset()
        first = env.game_state.pile
        env.reset(seed=9)
        env.reset()
        piles.append((first, env.game_state.pile))
    assert piles[0] == piles[1]


def test_errors_and_render():
    env = make_env(Pile(), render_mode="ansi")
    with pytest.raises(RuntimeError, match="reset"):
        env.observe("player_0")
    env.reset(seed=0)
    assert set(env.render()) == {"o"}
    with pytest.raises(ValueError, match="unknown agent"):
        env.observe("player_7")
    with pytest.raises(TypeError, match="already built"):
        make_env(Pile(), players=3)
