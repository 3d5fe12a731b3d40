"""The PettingZoo adapter: PettingZoo's own api_test and seed_test on numeric mode, and
check_text_env (below: the same contract for text mode) on every registered game."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import pytest
from pettingzoo.test import api_test, seed_test

import games
from games.aec import AnyText, GameEnv, action_vocabulary, env as make_env
from games.core import Game, GameInfo, IllegalAction, State


# ----- two tiny games, so the adapter is tested whatever else exists ------------------
class PileState(State):
    __slots__ = ("pile", "mover", "winner")

    def current_players(self):
        return [] if self.is_terminal() else [self.mover]

    def _legal(self, player):
        return ["[1]", "[2]"][: min(2, self.pile)]

    def _apply(self, player, action):
        self.pile -= int(action[1])
        if self.pile == 0:
            self.winner = player
        self.mover = 1 - player

    def _text(self, player):
        return f"Pile: {self.pile}. You are player {player}. Legal: {', '.join(self.legal_actions(player))}"

    def is_terminal(self):
        return self.winner is not None

    def returns(self):
        if self.winner is None:
            return [0.0, 0.0]
        return [1.0, -1.0] if self.winner == 0 else [-1.0, 1.0]

    def role(self, player):
        return ("first", "second")[player]

    def information_state(self, player):
        return f"{player}:{self.pile}:{self.turn}"

    def render(self):
        return "o" * self.pile

    def clone(self):
        s = object.__new__(PileState)
        s.game, s.turn, s.pile, s.mover, s.winner = self.game, self.turn, self.pile, self.mover, self.winner
        return s


class Pile(Game):
    """Take one or two from a seeded pile; whoever takes the last one wins."""

    info = GameInfo(
        id="pile", description="tiny Nim", min_players=2, max_players=2, roles=("first", "second"),
        chance="seeded", information="perfect", min_utility=-1.0, max_utility=1.0,
        utility_sum=0.0, max_length=7, action_grammar="[1] or [2]",
    )
    rules = "Take [1] or [2]; taking the last one wins."

    def all_actions(self):
        return ["[1]", "[2]"]

    def new_state(self, seed=0):
        s = object.__new__(PileState)
        s.game, s.turn, s.mover, s.winner = self, 0, 0, None
        s.pile = random.Random(seed).randint(3, 7)
        return s


class ShoutState(State):
    __slots__ = ("words",)

    def current_players(self):
        return [] if self.is_terminal() else [len(self.words)]

    def _legal(self, player):
        return None

    def _apply(self, player, action):
        self.words = self.words + (action,)

    def _text(self, player):
        return f"Said so far: {list(self.words)}. Say one word."

    def is_terminal(self):
        return len(self.words) == 2

    def returns(self):
        if not self.is_terminal() or len(self.words[0]) == len(self.words[1]):
            return [0.0, 0.0]
        return [1.0, -1.0] if len(self.words[0]) > len(self.words[1]) else [-1.0, 1.0]

    def role(self, player):
        return "speaker"

    def information_state(self, player):
        return "|".join(self.words)

    def render(self):
        return " ".join(self.words)

    def clone(self):
        s = object.__new__(ShoutState)
        s.game, s.turn, s.words = self.game, self.turn, self.words
        return s

    def random_action(self, player, rng):
        return "a" * rng.randint(1, 5)


class Shout(Game):
    """Each says a word (free text); the longer word wins."""

    info = GameInfo(
        id="shout", description="free-text toy", min_players=2, max_players=2, roles=("speaker",),
        chance="none", information="perfect", min_utility=-1.0, max_utility=1.0,
        utility_sum=0.0, max_length=2, action_grammar="one word",
    )

    def canonicalize(self, answer):
        word = answer.strip()
        if not word or len(word.split()) != 1:
            raise IllegalAction(f"say exactly one word, got {answer!r}")
        return word.lower()

    def new_state(self, seed=0):
        s = object.__new__(ShoutState)
        s.game, s.turn, s.words = self, 0, ()
        return s


# ----- the text-mode conformance check -----------------------------------------------
def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


def _play(env: GameEnv, seed: int, rng: random.Random) -> list[tuple]:
    """One game with random legal actions, checking the AEC contract at every step."""
    env.reset(seed=seed)
    _expect(env.agents == env.possible_agents, "agents must equal possible_agents after reset")
    _expect(not any(env.terminations.values()) and not any(env.truncations.values()),
            "no agent may be terminated or truncated after reset")
    trajectory, totals, finished = [], dict.fromkeys(env.agents, 0.0), []
    for agent in env.agent_iter(max_iter=4 * env.num_agents * (env.game.info.max_length + 1)):
        obs, reward, terminated, truncated, info = env.last()
        _expect(env.last(observe=False)[0] is None, "last(observe=False) must give None")
        _expect(isinstance(obs, str) and env.observation_space(agent).contains(obs),
                f"observation of {agent} must be a str in its space, got {obs!r:.80}")
        _expect(isinstance(terminated, bool) and isinstance(truncated, bool), "flags must be bool")
        _expect(info is env.infos[agent] and "legal_actions" in info and info.get("text") == obs,
                "infos[agent] must hold legal_actions and text (== the observation)")
        _expect(reward == totals[agent], f"last() reward {reward} != accumulated {totals[agent]}")
        totals[agent] = 0.0
        if terminated or truncated:
            finished.append(agent)
            action = None
        else:
            seat = env.possible_agents.index(agent)
            _expect(seat in env.game_state.current_players(), f"{agent} selected out of turn")
            action = env.game_state.random_action(seat, rng)
        trajectory.append((agent, obs, action, reward))
        env.step(action)
        _expect(not any("illegal_action" in i for i in env.infos.values()),
                f"a random legal action was refused after {trajectory[-1]!r:.200}")
        for a, r in env.rewards.items():
            totals[a] += r
        _expect(set(env.rewards) == set(env.terminations) == set(env.truncations)
                == set(env.infos) == set(env.agents), "reward/termination/info keys != agents")
        if not env.agents:
            break
    _expect(not env.agents and sorted(finished) == sorted(env.possible_agents),
            "every agent must finish and step its ending exactly once")
    return trajectory


def _check_illegal_and_dead_step(env: GameEnv, seed: int) -> None:
    env.reset(seed=seed)
    offender = env.agent_selection
    env.step(12345)  # not text: never parses
    _expect(all(env.terminations.values()), "an illegal action must end the game")
    _expect(env.rewards[offender] == env.illegal_reward, "the offender must get illegal_reward")
    _expect(all("reason" in i["illegal_action"] for i in env.infos.values()),
            "infos must record the illegal action and its reason")
    with pytest.raises(ValueError):
        env.step("[anything]")  # a dead agent may only step None


def check_text_env(env: GameEnv, games_played: int = 3, seed: int = 0) -> None:
    """What ``pettingzoo.test.api_test`` checks, for a text-mode environment: cached
    ``AnyText`` spaces, agents, ``last``/``observe`` types, the bookkeeping dicts,
    accumulated rewards, turn order, dead steps, returns summing as declared and within
    bounds, the illegal-action ending, and same seed, same trajectory."""
    _expect(env.mode == "text", "check_text_env needs a text-mode environment")
    env.reset(seed=seed)
    for agent in env.possible_agents:
        _expect(env.observation_space(agent) is env.observation_space(agent), "spaces must be cached")
        _expect(isinstance(env.action_space(agent), AnyText), "text-mode actions must be AnyText")
    info = env.game.info
    for g in range(games_played):
        _play(env, seed + g, random.Random(seed + g))
        returns = env.game_state.returns()
        _expect(all(info.min_utility <= r <= info.max_utility for r in returns),
                f"returns {returns} outside [{info.min_utility}, {info.max_utility}]")
        if info.utility_sum is not None:
            _expect(abs(sum(returns) - info.utility_sum) < 1e-9,
                    f"returns {returns} do not sum to utility_sum {info.utility_sum}")
        again = _play(env, seed + g, random.Random(seed + g))
        _expect(again == _play(env, seed + g, random.Random(seed + g)),
                "same seed and actions must give the same trajectory")
    _check_illegal_and_dead_step(env, seed)


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


def test_numeric_mode_rejects_bad_action_types():
    env = make_env(Pile())
    env.reset(seed=0)
    with pytest.raises(TypeError, match="numeric mode"):
        env.step("[1]")
    with pytest.raises(ValueError, match="out of range"):
        env.step(np.int64(5))


def test_text_mode_parses_model_output_and_pays_returns():
    env = make_env(Pile(), mode="text")
    env.reset(seed=0)  # pile 7 at seed 0? whatever it is, play it down
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
