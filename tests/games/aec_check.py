"""check_text_env: what ``pettingzoo.test.api_test`` checks, for the text mode of
:mod:`games.aec` (api_test itself cannot check str observations: it compares dtypes).
Reusable: ``check_text_env(games.env(name, mode="text"))`` for any game."""

from __future__ import annotations

import random

import pytest

from games.aec import AnyText, GameEnv

__all__ = ["check_text_env"]


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
