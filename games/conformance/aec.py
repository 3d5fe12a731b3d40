"""The PettingZoo view of a game: PettingZoo's own ``api_test`` on the numeric mode, and
:func:`check_text_env` (what ``api_test`` checks, for the text mode, which ``api_test``
itself cannot check: it compares dtypes) on any game."""

from __future__ import annotations

import contextlib
import io
import random
import warnings

from games.adapters.aec import AnyText, GameEnv, action_vocabulary, env as make_env
from games.core import Game

from games.conformance.report import CheckFailed

__all__ = ["check_text_env", "check_aec"]


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _check_step(env: GameEnv, agent: str, totals: dict[str, float]) -> tuple:
    obs, reward, terminated, truncated, info = env.last()
    _expect(env.last(observe=False)[0] is None, "last(observe=False) must give None")
    _expect(isinstance(obs, str) and env.observation_space(agent).contains(obs),
            f"observation of {agent} must be a str in its space, got {obs!r:.80}")
    _expect(isinstance(terminated, bool) and isinstance(truncated, bool), "flags must be bool")
    _expect(info is env.infos[agent] and "legal_actions" in info and info.get("text") == obs,
            "infos[agent] must hold legal_actions and text (== the observation)")
    _expect(reward == totals[agent], f"last() reward {reward} != accumulated {totals[agent]}")
    return obs, reward, terminated or truncated


def _play(env: GameEnv, seed: int, rng: random.Random) -> list[tuple]:
    """One game with random legal actions, checking the AEC contract at every step."""
    env.reset(seed=seed)
    _expect(env.agents == env.possible_agents, "agents must equal possible_agents after reset")
    _expect(not any(env.terminations.values()) and not any(env.truncations.values()),
            "no agent may be terminated or truncated after reset")
    trajectory, totals, finished = [], dict.fromkeys(env.agents, 0.0), []
    for agent in env.agent_iter(max_iter=4 * env.num_agents * (env.game.info.max_length + 1)):
        obs, reward, done = _check_step(env, agent, totals)
        totals[agent] = 0.0
        if done:
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
    try:
        env.step("[anything]")
    except ValueError:
        return
    raise CheckFailed("a dead agent stepped an action; only None may be stepped")


def check_text_env(env: GameEnv, games_played: int = 3, seed: int = 0) -> None:
    """What ``pettingzoo.test.api_test`` checks, for a text-mode environment: cached
    ``AnyText`` spaces, agents, ``last``/``observe`` types, the bookkeeping dicts,
    accumulated rewards, turn order, dead steps, returns summing as declared and within
    bounds, the illegal-action ending, and same seed, same trajectory."""
    _expect(env.mode == "text", "check_text_env needs a text-mode environment")
    env.reset(seed=seed)
    for agent in env.possible_agents:
        _expect(env.observation_space(agent) is env.observation_space(agent),
                "spaces must be cached")
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


def check_aec(game: Game, games_played: int = 2) -> None:
    """The game as a PettingZoo environment: the text mode always, and PettingZoo's own
    ``api_test`` on the numeric mode where the game has an action vocabulary."""
    check_text_env(make_env(game, mode="text"), games_played=games_played)
    if action_vocabulary(game) is None:
        return
    from pettingzoo.test import api_test

    try:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            api_test(make_env(game, mode="numeric"), num_cycles=100)
    except AssertionError as err:
        raise CheckFailed(f"PettingZoo api_test (numeric mode) failed: {err}") from err
