"""Any arena game as a PettingZoo Parallel environment: the players who move now, together.

    import games
    env = games.parallel_env("werewolf", speech="claims")   # numeric mode: Discrete actions
    observations, infos = env.reset(seed=7)
    while env.agents:
        actions = {a: pick(observations[a]["action_mask"]) for a in env.agents
                   if infos[a]["acting"]}
        observations, rewards, terminations, truncations, infos = env.step(actions)

Steps. Each ``step`` plays one phase of the game: every player the game lists in
``current_players()`` moves, at once. In a simultaneous phase (a Werewolf night or vote,
two household agents, a sealed bid) that is several players; in a sequential phase
(TicTacToe, a Werewolf speech) it is the one player to move. ``infos[agent]["acting"]``
says who moves in the next step (``env.acting`` lists them); ``step`` needs an action from
each of them and ignores the actions of the others (PettingZoo's ``parallel_api_test``
sends one for every live agent; in numeric mode a waiting agent's action mask is all
zeros). The moves of a step are applied in seat order, which a simultaneous phase cannot
tell apart from any other order: no player's view shows another's pending move (the
conformance check ``simultaneous``).

Agents, spaces, observations and modes are the AEC adapter's (:mod:`games.adapters.aec`,
:mod:`games.adapters.spaces`): ``player_0`` .. ``player_{n-1}``, ``numeric`` (the text's UTF-8 bytes
and an action mask; ``Discrete`` actions indexing ``env.actions``) or ``text`` (strings
in, strings out; model output is parsed). Every agent stays in ``env.agents`` until the
game ends (a dead Werewolf villager still wins or loses with the village); then all
terminate together and ``env.agents`` is empty.

Rewards: 0 each step until the game ends, then each agent's ``state.returns()`` (the
Parallel API reports a step's reward, not a running sum). Truncation only where a game
runs past its declared ``info.max_length``.

Illegal actions end the game for everyone, as in the AEC adapter (PettingZoo's classic
convention): every acting agent whose action is illegal (not among its legal actions, or
text that does not parse) gets ``illegal_reward``, everyone else 0, and
``infos[agent]["illegal_actions"]`` lists ``{"agent", "action", "reason"}`` for each
offender (a list: in a simultaneous step several may offend). Legal actions are checked
for every acting agent before any move is applied; a free-text move the game itself
refuses while being applied ends the game the same way.

When to use which adapter (docs/parallel-api.md): Parallel where players act at the same
time (MARL libraries that batch every agent's action per step, e.g. RLlib's or
SuperSuit's vectorised wrappers); AEC for turn-based loops and for PettingZoo's classic
tooling. The same moves give the same returns through either, and through the arena's
own runner (tests/games/test_parallel_env.py).
"""

from __future__ import annotations

import logging
import random
from typing import Any

import gymnasium
import numpy as np
from pettingzoo import ParallelEnv

from games.core import Game, IllegalAction, State
from games.adapters.spaces import Encoding, Mode, build_game, episode_seed

__all__ = ["parallel_env", "ParallelGameEnv"]

log = logging.getLogger(__name__)


def parallel_env(
    name: str | Game,
    mode: Mode = "auto",
    *,
    illegal_reward: float = -1.0,
    obs_bytes: int = 2048,
    max_text: int = 1 << 16,
    render_mode: str | None = None,
    seed: int | None = None,
    **options: Any,
) -> "ParallelGameEnv":
    """A registered game (``"werewolf"``, ``"textarena:TicTacToe-v0"``, or a built
    :class:`~games.core.Game`) as a Parallel environment; ``options`` go to the game."""
    return ParallelGameEnv(
        build_game(name, options), mode, illegal_reward=illegal_reward, obs_bytes=obs_bytes,
        max_text=max_text, render_mode=render_mode, seed=seed,
    )


class ParallelGameEnv(ParallelEnv):
    """The Parallel adapter: one game; each step, the players the game lists move."""

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
        if render_mode not in (None, "ansi"):
            raise ValueError(f"render_mode must be None or 'ansi', got {render_mode!r}")
        self.encoding = Encoding(game, mode, obs_bytes, max_text)
        self.game = game
        self.mode: Mode = self.encoding.mode
        self.actions: tuple[str, ...] | None = self.encoding.actions
        self.illegal_reward = float(illegal_reward)
        self.render_mode = render_mode
        self.metadata = {"name": game.info.id, "render_modes": ["ansi"]}
        self.possible_agents = [f"player_{i}" for i in range(game.num_players)]
        self._seat = {a: i for i, a in enumerate(self.possible_agents)}
        self.observation_spaces = {a: self.encoding.observation_space() for a in self.possible_agents}
        self.action_spaces = {a: self.encoding.action_space() for a in self.possible_agents}
        self._seeds = random.Random(seed)
        self.game_state: State | None = None
        self._illegal: list[dict[str, str]] = []
        self.agents: list[str] = []

    def observation_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.observation_spaces[agent]

    def action_space(self, agent: str) -> gymnasium.spaces.Space:
        return self.action_spaces[agent]

    @property
    def acting(self) -> list[str]:
        """The agents whose actions the next ``step`` plays (seat order); [] when over."""
        if self.game_state is None or not self.agents:
            return []
        return [self.possible_agents[p] for p in sorted(self.game_state.current_players())]

    # ----- episode ------------------------------------------------------------------
    def reset(self, seed: int | None = None, options: dict | None = None
              ) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
        """Start a game (``options`` is accepted and unused): (observations, infos)."""
        self._seeds, game_seed = episode_seed(self._seeds, seed)
        self.game_state = self.game.new_state(game_seed)
        self.agents = list(self.possible_agents)
        self._illegal = []
        return self._observations(), self._infos(done=False)

    def step(self, actions: dict[str, Any]) -> tuple[dict[str, Any], dict[str, float],
                                                    dict[str, bool], dict[str, bool],
                                                    dict[str, dict[str, Any]]]:
        """Play the actions of every acting agent (others' are ignored): (observations,
        rewards, terminations, truncations, infos) of every agent live before the step."""
        state = self._require_state()
        if not self.agents:
            raise RuntimeError(f"the {self.game.info.id} game is over: call reset() to play "
                               "another")
        acting = self.acting
        missing = [a for a in acting if a not in actions]
        if missing:
            raise ValueError(
                f"step() needs an action from every acting agent: missing {', '.join(missing)} "
                f"(acting now: {', '.join(acting)}; see infos[agent]['acting'] or env.acting)"
            )
        moves = self._checked(state, {a: actions[a] for a in acting})
        live = list(self.agents)
        rewards = dict.fromkeys(live, 0.0)
        if not self._illegal:
            self._apply(state, moves)
        over = bool(self._illegal) or state.is_terminal()
        truncated = not over and state.turn >= self.game.info.max_length
        if self._illegal:
            for offence in self._illegal:
                rewards[offence["agent"]] = self.illegal_reward
        elif over:
            rewards = {a: float(r) for a, r in zip(self.possible_agents, state.returns())}
        elif truncated:
            log.warning("%s ran past its max_length %d; truncated", self.game.info.id, state.turn)
        observations, infos = self._observations(), self._infos(done=over or truncated)
        terminations = dict.fromkeys(live, over)
        truncations = dict.fromkeys(live, truncated)
        if over or truncated:
            self.agents = []
        return observations, rewards, terminations, truncations, infos

    def _checked(self, state: State, actions: dict[str, Any]) -> dict[str, str]:
        """Each acting agent's canonical move; offenders (a move that does not parse or is
        not legal now) are recorded in ``self._illegal`` and left out."""
        moves = {}
        for agent, action in actions.items():
            player = self._seat[agent]
            try:
                move = self.encoding.decode(state, player, action)
                legal = state.legal_actions(player)
                if legal is not None and move not in legal:
                    state._refuse(player, move)
            except IllegalAction as err:
                self._offend(agent, action, err)
            else:
                moves[agent] = move
        return moves

    def _apply(self, state: State, moves: dict[str, str]) -> None:
        """Apply the moves in seat order; a move the game refuses (free text it judges)
        ends the game as an offence."""
        for agent, move in moves.items():
            try:
                state.apply(self._seat[agent], move)
            except IllegalAction as err:
                self._offend(agent, move, err)
                return

    def _offend(self, agent: str, action: Any, err: IllegalAction) -> None:
        self._illegal.append({"agent": agent, "action": self.encoding.shown(action),
                              "reason": str(err)})

    # ----- what the agents see --------------------------------------------------------
    def _observations(self) -> dict[str, Any]:
        ended = bool(self._illegal)
        return {a: self.encoding.observe(self.game_state, self._seat[a], ended)
                for a in self.possible_agents if a in self.agents}

    def _infos(self, done: bool) -> dict[str, dict[str, Any]]:
        acting = set() if done else set(self.acting)
        infos = {}
        for agent in self.agents:
            info = self.encoding.infos(self.game_state, self._seat[agent])
            info["acting"] = agent in acting
            if self._illegal:
                info["legal_actions"] = []
                info["illegal_actions"] = [dict(o) for o in self._illegal]
            infos[agent] = info
        return infos

    def action_mask(self, player: int) -> np.ndarray:
        """1 where ``env.actions[i]`` is legal for ``player`` now (numeric mode)."""
        return self.encoding.action_mask(self._require_state(), player, bool(self._illegal))

    def render(self) -> str | None:
        if self.render_mode is None:
            gymnasium.logger.warn("render() needs render_mode='ansi' "
                                  "(parallel_env(..., render_mode='ansi'))")
            return None
        return self._require_state().render()

    def state(self) -> str:
        """The whole state as the spectator rendering (``State.render``), for centralised
        critics that read text."""
        return self._require_state().render()

    def close(self) -> None:
        """Nothing to release: the game is plain Python."""

    def _require_state(self) -> State:
        if self.game_state is None:
            raise RuntimeError(f"call reset() before using the {self.game.info.id} environment")
        return self.game_state
