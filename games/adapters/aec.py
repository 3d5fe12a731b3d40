"""Any arena game as a PettingZoo AEC environment.

    import games
    env = games.env("tictactoe")                     # numeric mode: Discrete actions
    env = games.env("negotiation", mode="text")      # text mode: strings in, strings out
    env.reset(seed=7)
    for agent in env.agent_iter():
        obs, reward, terminated, truncated, info = env.last()
        env.step(None if terminated or truncated else pick(info["legal_actions"]))

Why two modes. PettingZoo's ``api_test`` checks every observation against the declared
space by comparing NumPy dtypes, which a Python ``str`` (what gymnasium's ``Text`` space
holds) does not have: a text-only environment cannot pass it unmodified. So:

- ``numeric``: for games whose actions come from a fixed finite list (the game's
  ``all_actions()``). Action space ``Discrete(len(actions))``, action ``i`` is
  ``env.actions[i]``. Observation ``Dict(observation=Box(0, 255, (obs_bytes,), uint8),
  action_mask=Box(0, 1, (len(actions),), int8))``: the observation is the UTF-8 bytes of
  the player's observation text, zero padded; text longer than ``obs_bytes`` is cut
  (logged once). It is an honest, lossless-when-short encoding of what the player sees,
  not a feature design: train on ``infos[agent]["text"]`` or a game-specific tensor.
  Passes ``pettingzoo.test.api_test`` and ``seed_test`` unmodified.
- ``text``: any game, free-text ones included. Observation and action spaces are
  :class:`AnyText`; ``observe()`` returns the observation text; ``step()`` takes model
  output, parsed by :func:`games.parse.parse_action` against the legal actions (free-text
  games: ``Game.canonicalize``). ``check_text_env`` (games.conformance.aec) checks the
  same contract as ``api_test`` on it.
- ``auto`` (default): numeric where ``all_actions()`` is a list, else text.

Agents: ``player_0`` .. ``player_{n-1}``; ``player_i`` is the game's player ``i``.
``agent_selection`` is a current player of the game; where several are current (a
simultaneous phase) it is the first after the last mover in seat order.

Rewards: 0 until the game ends, then each agent's ``state.returns()``; ``last()`` gives
the cumulative reward, as usual.

Illegal actions follow PettingZoo's classic convention (its ``TerminateIllegalWrapper``):
the game ends for everyone, the offender gets ``illegal_reward`` (default -1.0), everyone
else 0, and ``infos[agent]["illegal_action"]`` holds ``{"agent", "action", "reason"}``
for every agent. Such an ending does not sum to the game's ``utility_sum``. Numeric mode:
an index of an action that is not legal now is illegal; a non-integer or out-of-range
index is a programming error (``TypeError``/``ValueError``), like an out-of-bounds action
in the classic environments. Text mode: anything that does not parse (including a
non-string) is illegal.

Seeds: ``reset(seed=s)`` plays ``game.new_state(s)`` and reseeds the environment's seed
stream with ``s``; ``reset()`` plays a seed drawn from that stream, a ``random.Random``
made at construction from ``env(..., seed=)``. Same seed, same trajectory.

The Parallel API (:mod:`games.adapters.parallel`, ``games.parallel_env``) wraps the same game
with the same agents, modes, spaces and seeds, and steps every player of a phase at once;
what they share lives in :mod:`games.adapters.spaces` (docs/parallel-api.md: when to use which).

Infos (every live agent, after every reset and step): ``legal_actions`` (canonical strings,
``[]`` when not that agent's move, None for free text), ``text``, ``role``, ``turn``.
Truncation happens only if a game runs past its declared ``info.max_length``.
``reset(options=...)`` is accepted and unused.
"""

from __future__ import annotations

import logging
import random
from typing import Any

import gymnasium
import numpy as np
from pettingzoo import AECEnv

from games.core import Game, IllegalAction, State
from games.adapters.spaces import (AnyText, Encoding, Mode, action_vocabulary, build_game,
                          episode_seed)

__all__ = ["env", "GameEnv", "AnyText", "action_vocabulary"]

log = logging.getLogger(__name__)


def env(
    name: str | Game,
    mode: Mode = "auto",
    *,
    illegal_reward: float = -1.0,
    obs_bytes: int = 2048,
    max_text: int = 1 << 16,
    render_mode: str | None = None,
    seed: int | None = None,
    **options: Any,
) -> "GameEnv":
    """A registered game (``"kuhn_poker"``, ``"textarena:TicTacToe-v0"``, or a built
    :class:`~games.core.Game`) as an AEC environment; ``options`` go to the game."""
    return GameEnv(
        build_game(name, options), mode, illegal_reward=illegal_reward, obs_bytes=obs_bytes,
        max_text=max_text, render_mode=render_mode, seed=seed,
    )


class GameEnv(AECEnv):
    """The AEC adapter: one game, PettingZoo's bookkeeping dicts, nothing else."""

    def __init__(
        self,
        game: Game,
        mode: Mode = "auto",
        *,
        illegal_reward: float = -1.0,
        obs_bytes: int = 2048,
        max_text: int = 1 << 16,
        render_mode: str | None = None,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.encoding = Encoding(game, mode, obs_bytes, max_text)
        self.game = game
        self.mode: Mode = self.encoding.mode
        self.actions: tuple[str, ...] | None = self.encoding.actions
        self.illegal_reward = float(illegal_reward)
        self.obs_bytes = self.encoding.obs_bytes
        self.render_mode = render_mode
        self.metadata = {"name": game.info.id, "render_modes": ["ansi"], "is_parallelizable": False}
        self.possible_agents = [f"player_{i}" for i in range(game.num_players)]
        self._seat = {a: i for i, a in enumerate(self.possible_agents)}
        self.observation_spaces = {a: self.encoding.observation_space() for a in self.possible_agents}
        self.action_spaces = {a: self.encoding.action_space() for a in self.possible_agents}
        self._seeds = random.Random(seed)
        self.game_state: State | None = None
        self._illegal: dict[str, str] | None = None
        self.agents = []

    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.action_spaces[agent]

    # ----- episode ------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        self._seeds, game_seed = episode_seed(self._seeds, seed)
        self.game_state = self.game.new_state(game_seed)
        self.agents = list(self.possible_agents)
        self.rewards = {a: 0.0 for a in self.agents}
        self._cumulative_rewards = {a: 0.0 for a in self.agents}
        self.terminations = {a: False for a in self.agents}
        self.truncations = {a: False for a in self.agents}
        self._skip_agent_selection = None
        self._illegal = None
        self._refresh_infos()
        self.agent_selection = self._next_agent(-1)

    def step(self, action: Any) -> None:
        state = self._require_state()
        agent = self.agent_selection
        if self.terminations[agent] or self.truncations[agent]:
            self._was_dead_step(action)
            return
        player = self._seat[agent]
        self._cumulative_rewards[agent] = 0.0
        self._clear_rewards()
        try:
            state.apply(player, self._decode(player, action))
        except IllegalAction as err:
            self._end_illegal(agent, action, err)
        else:
            if state.is_terminal():
                for a, value in zip(self.possible_agents, state.returns()):
                    self.rewards[a] = float(value)
                self.terminations = {a: True for a in self.agents}
            elif state.turn >= self.game.info.max_length:
                log.warning("%s ran past its max_length %d; truncated", self.game.info.id, state.turn)
                self.truncations = {a: True for a in self.agents}
            self._refresh_infos()
        self.agent_selection = self._next_agent(player)
        self._accumulate_rewards()

    def _decode(self, player: int, action: Any) -> str:
        """The canonical action string for what the agent passed to ``step``."""
        return self.encoding.decode(self.game_state, player, action)

    def _end_illegal(self, agent: str, action: Any, err: IllegalAction) -> None:
        self._illegal = {"agent": agent, "action": self.encoding.shown(action), "reason": str(err)}
        self.terminations = {a: True for a in self.agents}
        self.rewards[agent] = self.illegal_reward
        self._refresh_infos()

    def _next_agent(self, player: int) -> str:
        """First agent after ``player`` in seat order that must act (or, once the game is
        over, the first after ``player`` still listed, to step its ending)."""
        state, n = self.game_state, self.game.num_players
        over = any(self.terminations.values()) or any(self.truncations.values())
        current = set(range(n)) if over else set(state.current_players())
        for k in range(1, n + 1):
            seat = (player + k) % n
            if seat in current and self.possible_agents[seat] in self.agents:
                return self.possible_agents[seat]
        raise RuntimeError(
            f"{self.game.info.id}: the game is not over but no player is to move "
            f"(current_players() == {state.current_players()!r}); this is a bug in the game"
        )

    def _refresh_infos(self) -> None:
        infos = {}
        for agent in self.agents:
            infos[agent] = self.encoding.infos(self.game_state, self._seat[agent])
            if self._illegal is not None:
                infos[agent]["legal_actions"] = []
                infos[agent]["illegal_action"] = dict(self._illegal)
        self.infos = infos

    # ----- observations -------------------------------------------------------------
    def observe(self, agent: str) -> Any:
        state = self._require_state()
        if agent not in self._seat:
            raise ValueError(f"unknown agent {agent!r}; agents are {', '.join(self.possible_agents)}")
        return self.encoding.observe(state, self._seat[agent], self._illegal is not None)

    def action_mask(self, player: int) -> np.ndarray:
        """1 where ``env.actions[i]`` is legal for ``player`` now (numeric mode)."""
        return self.encoding.action_mask(self.game_state, player, self._illegal is not None)

    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn("render() needs render_mode='ansi' (env(..., render_mode='ansi'))")
            return None
        return self._require_state().render()

    def close(self) -> None:
        """Nothing to release: the game is plain Python."""

    def _require_state(self) -> State:
        if self.game_state is None:
            raise RuntimeError(f"call reset() before using the {self.game.info.id} environment")
        return self.game_state

