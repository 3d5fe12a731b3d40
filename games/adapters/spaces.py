"""How a game crosses into PettingZoo: spaces, observations and actions, shared by the
AEC adapter (:mod:`games.adapters.aec`) and the Parallel one (:mod:`games.adapters.parallel`).

Modes (the AEC module's docstring says why there are two): ``numeric`` for games whose
actions come from a fixed list (``Game.all_actions()``): ``Discrete`` actions indexing it,
observations ``Dict(observation=Box(0, 255, (obs_bytes,), uint8), action_mask=...)``;
``text`` for any game: :class:`AnyText` spaces, actions parsed by
:func:`games.parse.parse_action`; ``auto``: numeric where there is a list.

Seeds: ``reset(seed=s)`` plays ``game.new_state(s)`` and restarts the environment's seed
stream from ``s``; ``reset()`` plays the stream's next seed (:func:`episode_seed`).
"""

from __future__ import annotations

import logging
import random
import string
from typing import Any, Literal

import gymnasium
import numpy as np

from games.core import Game, State
from games.parse import parse_action
from games.registry import make

__all__ = ["Mode", "AnyText", "Encoding", "action_vocabulary", "build_game", "episode_seed"]

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


class Encoding:
    """How one game crosses into PettingZoo, for both adapters (:mod:`games.adapters.aec` and
    :mod:`games.adapters.parallel`): the mode, fresh spaces per agent, observations, action masks,
    and actions back into canonical strings."""

    def __init__(self, game: Game, mode: Mode = "auto", obs_bytes: int = 2048,
                 max_text: int = 1 << 16) -> None:
        if mode not in _MODES:
            raise ValueError(f"mode must be one of {', '.join(_MODES)}, got {mode!r}")
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
        self.obs_bytes = int(obs_bytes)
        self.max_text = int(max_text)
        self._warned_cut = False

    def observation_space(self) -> gymnasium.spaces.Space:
        """A new observation space (each agent gets its own object, seeded on its own)."""
        if self.actions is None:
            return AnyText(self.max_text)
        return gymnasium.spaces.Dict({
            "observation": gymnasium.spaces.Box(0, 255, (self.obs_bytes,), np.uint8),
            "action_mask": gymnasium.spaces.Box(0, 1, (len(self.actions),), np.int8),
        })

    def action_space(self) -> gymnasium.spaces.Space:
        """A new action space (each agent gets its own object, seeded on its own)."""
        if self.actions is None:
            return AnyText(self.max_text)
        return gymnasium.spaces.Discrete(len(self.actions))

    def decode(self, state: State, player: int, action: Any) -> str:
        """The canonical action string for what an agent passed to ``step``: text parsed
        against the legal actions (IllegalAction when it does not parse), an index looked
        up (TypeError/ValueError for a non-integer or out-of-range one)."""
        if self.actions is None:
            return parse_action(action, state.legal_actions(player), self.game)
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

    def shown(self, action: Any) -> str:
        """``action`` as the infos' ``illegal_action`` records show it."""
        if self.actions is not None:
            return self.actions[int(action)]
        return action if isinstance(action, str) else repr(action)

    def observe(self, state: State, player: int, ended: bool = False) -> Any:
        """The observation of ``player``: text, or the text's bytes and the action mask
        (all zeros once ``ended`` by an illegal action)."""
        text = state.observation(player).text
        if self.actions is None:
            return text
        return {"observation": self.encode(text), "action_mask": self.action_mask(state, player, ended)}

    def encode(self, text: str) -> np.ndarray:
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

    def action_mask(self, state: State, player: int, ended: bool = False) -> np.ndarray:
        """1 where ``actions[i]`` is legal for ``player`` now (numeric mode)."""
        mask = np.zeros(len(self.actions), dtype=np.int8)
        if ended:
            return mask  # ended by an illegal action: nothing is legal any more
        legal = state.legal_actions(player)
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

    def infos(self, state: State, player: int) -> dict[str, Any]:
        """What ``infos[agent]`` holds for ``player`` now."""
        obs = state.observation(player)
        legal = None if obs.legal_actions is None else list(obs.legal_actions)
        return {"legal_actions": legal, "text": obs.text, "role": obs.role, "turn": obs.turn}


def build_game(name: str | Game, options: dict[str, Any]) -> Game:
    """The game of ``games.env``/``games.parallel_env``: built from its name, or given."""
    if isinstance(name, Game):
        if options:
            raise TypeError(
                f"game options {sorted(options)} given with an already built {name!r}; "
                "pass the game's name instead, or build the game with those options"
            )
        return name
    return make(name, **options)


def episode_seed(stream: random.Random, seed: Any) -> tuple[random.Random, int]:
    """(the seed stream, the game seed) of a ``reset(seed=...)``: ``seed`` itself, the
    stream restarted from it; or, for None, the next seed of the stream."""
    if seed is None:
        return stream, stream.randrange(_SEED_LIMIT)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__} {seed!r}")
    return random.Random(int(seed)), int(seed)
