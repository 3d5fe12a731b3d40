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

Infos (every live agent, after every reset and step): ``legal_actions`` (canonical strings,
``[]`` when not that agent's move, None for free text), ``text``, ``role``, ``turn``.
Truncation happens only if a game runs past its declared ``info.max_length``.
``reset(options=...)`` is accepted and unused.
"""

from __future__ import annotations

import logging
import random
import string
from typing import Any, Literal

import gymnasium
import numpy as np
from pettingzoo import AECEnv

from games.core import Game, IllegalAction, State
from games.parse import parse_action
from games.registry import make

__all__ = ["env", "GameEnv", "AnyText", "action_vocabulary"]

log = logging.getLogger(__name__)

Mode = Literal["auto", "numeric", "text"]
_MODES = ("auto", "numeric", "text")
_SEED_LIMIT = 2**31


def action_vocabulary(game: Game) -> tuple[str, ...] | None:
    """``game.all_actions()`` checked (non-empty, unique, non-empty strings) as a tuple,
    or None for a game whose actions are free text."""
    actions = game.all_actions()
    if actions is None:
        return None
    actions = tuple(actions)
    if not actions or not all(isinstance(a, str) and a for a in actions):
        raise ValueError(
            f"{type(game).__name__}.all_actions() must give a non-empty list of non-empty "
            f"canonical action strings such as '[0]', got {actions!r}"
        )
    if len(set(actions)) != len(actions):
        raise ValueError(f"{type(game).__name__}.all_actions() lists an action twice: {actions!r}")
    return actions


class AnyText(gymnasium.spaces.Text):
    """Any ``str`` of at most ``max_length`` characters.

    gymnasium's ``Text`` also requires every character to be in its charset, which model
    output and game text (newlines, punctuation, Unicode) never respect. ``sample()``
    draws printable ASCII.
    """

    def __init__(self, max_length: int, seed: int | None = None) -> None:
        super().__init__(max_length=max_length, min_length=0, charset=string.printable, seed=seed)

    def contains(self, x: Any) -> bool:
        return isinstance(x, str) and len(x) <= self.max_length

    def __repr__(self) -> str:
        return f"AnyText({self.max_length})"


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
    if isinstance(name, Game):
        if options:
            raise TypeError(
                f"game options {sorted(options)} given with an already built {name!r}; "
                "pass the game's name instead, or build the game with those options"
            )
        game = name
    else:
        game = make(name, **options)
    return GameEnv(
        game, mode, illegal_reward=illegal_reward, obs_bytes=obs_bytes,
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
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}, got {mode!r}")
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        vocabulary = action_vocabulary(game)
        if mode == "numeric" and vocabulary is None:
            raise ValueError(
                f"game {game.info.id!r} has no finite action list (all_actions), so it has "
                "no numeric mode; use mode='text'"
            )
        self.game = game
        self.mode: Mode = "text" if mode == "text" or vocabulary is None else "numeric"
        self.actions: tuple[str, ...] | None = vocabulary if self.mode == "numeric" else None
        self._index = {a: i for i, a in enumerate(self.actions or ())}
        self.illegal_reward = float(illegal_reward)
        self.obs_bytes = int(obs_bytes)
        self.render_mode = render_mode
        self.metadata = {"name": game.info.id, "render_modes": ["ansi"], "is_parallelizable": False}
        self.possible_agents = [f"player_{i}" for i in range(game.num_players)]
        self._seat = {a: i for i, a in enumerate(self.possible_agents)}
        self.observation_spaces = {a: self._observation_space(max_text) for a in self.possible_agents}
        self.action_spaces = {a: self._action_space(max_text) for a in self.possible_agents}
        self._seeds = random.Random(seed)
        self._warned_cut = False
        self.game_state: State | None = None
        self._illegal: dict[str, str] | None = None
        self.agents = []

    def _observation_space(self, max_text: int) -> gymnasium.spaces.Space:
        if self.actions is None:
            return AnyText(max_text)
        return gymnasium.spaces.Dict({
            "observation": gymnasium.spaces.Box(0, 255, (self.obs_bytes,), np.uint8),
            "action_mask": gymnasium.spaces.Box(0, 1, (len(self.actions),), np.int8),
        })

    def _action_space(self, max_text: int) -> gymnasium.spaces.Space:
        if self.actions is None:
            return AnyText(max_text)
        return gymnasium.spaces.Discrete(len(self.actions))

    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.action_spaces[agent]

    # ----- episode ------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict | None = None) -> None:
        if seed is not None:
            if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
                raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
            self._seeds = random.Random(int(seed))
            game_seed = int(seed)
        else:
            game_seed = self._seeds.randrange(_SEED_LIMIT)
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
        if self.actions is None:
            return parse_action(action, self.game_state.legal_actions(player), self.game)
        if isinstance(action, (bool, np.bool_)) or not isinstance(action, (int, np.integer)):
            raise TypeError(
                f"{self.game.info.id} is in numeric mode: actions are ints 0..{len(self.actions) - 1} "
                f"indexing env.actions, got {type(action).__name__} {action!r}; "
                "use mode='text' to pass action strings"
            )
        if not 0 <= action < len(self.actions):
            raise ValueError(
                f"action {action} is out of range for {self.game.info.id}: expected "
                f"0..{len(self.actions) - 1} (env.actions)"
            )
        return self.actions[int(action)]

    def _end_illegal(self, agent: str, action: Any, err: IllegalAction) -> None:
        shown = action if isinstance(action, str) else repr(action)
        if self.actions is not None:
            shown = self.actions[int(action)]
        self._illegal = {"agent": agent, "action": shown, "reason": str(err)}
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
            obs = self.game_state.observation(self._seat[agent])
            legal = None if obs.legal_actions is None else list(obs.legal_actions)
            infos[agent] = {"legal_actions": legal, "text": obs.text, "role": obs.role, "turn": obs.turn}
            if self._illegal is not None:
                infos[agent]["legal_actions"] = []
                infos[agent]["illegal_action"] = dict(self._illegal)
        self.infos = infos

    # ----- observations -------------------------------------------------------------
    def observe(self, agent: str) -> Any:
        state = self._require_state()
        if agent not in self._seat:
            raise ValueError(f"unknown agent {agent!r}; agents are {', '.join(self.possible_agents)}")
        player = self._seat[agent]
        text = state.observation(player).text
        if self.actions is None:
            return text
        return {"observation": self._encode(text), "action_mask": self.action_mask(player)}

    def _encode(self, text: str) -> np.ndarray:
        data = text.encode("utf-8")
        if len(data) > self.obs_bytes and not self._warned_cut:
            log.warning(
                "%s observation is %d bytes; numeric observations keep the first %d "
                "(raise obs_bytes, or read infos[agent]['text'])",
                self.game.info.id, len(data), self.obs_bytes,
            )
            self._warned_cut = True
        out = np.zeros(self.obs_bytes, dtype=np.uint8)
        data = data[: self.obs_bytes]
        out[: len(data)] = np.frombuffer(data, dtype=np.uint8)
        return out

    def action_mask(self, player: int) -> np.ndarray:
        """1 where ``env.actions[i]`` is legal for ``player`` now (numeric mode)."""
        mask = np.zeros(len(self.actions), dtype=np.int8)
        if self._illegal is not None:
            return mask  # ended by an illegal action: nothing is legal any more
        legal = self.game_state.legal_actions(player)
        if legal is None:
            raise ValueError(
                f"{self.game.info.id} lists all_actions() but its state returned free-text "
                "legal actions (None); a game with a vocabulary must list legal actions"
            )
        for action in legal:
            if action not in self._index:
                raise ValueError(
                    f"{self.game.info.id}: legal action {action!r} is missing from its "
                    f"all_actions() ({', '.join(self.actions)}); add it there"
                )
            mask[self._index[action]] = 1
        return mask

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

