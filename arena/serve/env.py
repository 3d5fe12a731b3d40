"""The arena's games as an OpenEnv environment: the action, observation and state types,
and the environment each session gets.

Action: ``{"text": "..."}``: a canonical action (``[4]``) or a model's whole reply (the
server parses it with :func:`games.parse_action`, as the runner does: the last
``\\boxed{}`` or ``[...]`` names the action).

Observation: the fields of :class:`games.Observation` (``game``, ``player``, ``role``,
``turn``, ``text``, ``legal_actions``, ``rules``, ``info_state``, ``seed``: the
decision's seed), so ``games.Observation.from_dict`` reads one back; ``match_seed``;
``last_action``/``last_valid``/``last_error``: what the server made of the client's last
reply; and at the end (``done``) what the match record keeps: ``returns`` (every seat),
``roles``, ``agents``, ``outcome``, ``forfeit_player`` and ``match_id`` (where the record
is stored; empty without ``--db``). ``reward`` is 0 until the end, then the client
seat's return; ``done`` is the match's end. Hidden information stays hidden: another
seat's role or cards appear only in ``roles`` and ``returns`` once the match is over.

Requests the server refuses (a reply naming no legal action under ``--invalid error``,
a step before a reset or after the end, an unknown reset option, a seed that is not a
whole number) raise :class:`ServeError`: one line in the WebSocket's error response
(HTTP 400 on the stateless routes), the session and the server go on.
"""

from __future__ import annotations

import time
import uuid
from typing import Any, Optional

from openenv.core.env_server import Action, Environment, Observation, State
from openenv.core.env_server.types import EnvironmentMetadata
from pydantic import Field

from games import IllegalAction

from arena.serve.hub import Hub
from arena.serve.table import Table, TurnError

__all__ = ["ArenaAction", "ArenaObservation", "ArenaState", "ArenaEnvironment", "ServeError",
           "MAX_ACTION_CHARS", "MAX_NAME_CHARS"]

MAX_ACTION_CHARS = 65536
"""Longest action text accepted (a model's whole reply, reasoning included)."""
MAX_NAME_CHARS = 100
"""Longest agent name a client may give its seat (``reset(agent=...)``)."""
RESET_OPTIONS = ("seed", "episode_id", "agent")


class ServeError(ValueError):
    """A request the server refuses; the message names the value and the fix."""


class ArenaAction(Action):
    """One reply of the client's seat."""

    text: str = Field(max_length=MAX_ACTION_CHARS, description=(
        "a canonical action such as [4], or a model's whole reply: the last \\boxed{} or "
        "[...] in it names the action"))


class ArenaObservation(Observation):
    """What the client's seat sees, and at the end what the match record keeps."""

    game: str = Field(default="", description="game id")
    player: int = Field(default=0, description="the client's seat")
    role: str = Field(default="", description="the seat's role")
    turn: int = Field(default=0, description="actions applied so far in the match")
    text: str = Field(default="", description="what the seat sees, for a language model")
    legal_actions: Optional[list[str]] = Field(
        default=None, description="canonical actions; null where the action is free text")
    rules: str = Field(default="", description="the game's rules")
    info_state: str = Field(default="", description="the seat's information state key")
    seed: Optional[int] = Field(default=None, description="this decision's seed")
    match_seed: Optional[int] = Field(default=None, description="the match's seed")
    last_action: Optional[str] = Field(
        default=None, description="the action the client's last reply was applied as")
    last_valid: Optional[bool] = Field(default=None, description="whether it was valid")
    last_error: Optional[str] = Field(default=None, description="why it was not")
    returns: Optional[list[float]] = Field(default=None, description="every seat's return "
                                           "(at the end)")
    roles: Optional[list[str]] = Field(default=None, description="every seat's role (at the end)")
    agents: Optional[list[str]] = Field(default=None,
                                        description="who played each seat (at the end)")
    outcome: Optional[str] = Field(default=None, description="terminal, forfeit, max_turns "
                                   "or quit (at the end)")
    forfeit_player: Optional[int] = Field(default=None, description="the seat that forfeited")
    match_id: Optional[str] = Field(default=None, description="the stored record's id "
                                    "(arena replay ID --db FILE); empty without --db")


class ArenaState(State):
    """The session's episode: ``episode_id`` and ``step_count`` as OpenEnv defines them."""

    game: str = ""
    seat: Optional[int] = None
    match_seed: Optional[int] = None
    turn: int = 0
    done: bool = False
    match_id: Optional[str] = None


class ArenaEnvironment(Environment[ArenaAction, ArenaObservation, ArenaState]):
    """One session: one seat of one match at a time (``reset`` starts or joins the next)."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self, hub: Hub) -> None:
        super().__init__()
        self.hub = hub
        self._table: Table | None = None
        self._seat = 0
        self._steps = 0
        self._episode_id: str | None = None
        self._closed = False
        self._name = "remote"

    # ---- OpenEnv's interface -------------------------------------------------------
    def reset(self, seed: Optional[int] = None, episode_id: Optional[str] = None,
              **options: Any) -> ArenaObservation:
        self._check_open()
        unknown = sorted(set(options) - set(RESET_OPTIONS))
        if unknown:
            raise ServeError(f"unknown reset option(s) {', '.join(map(repr, unknown))}; "
                             f"known: {', '.join(RESET_OPTIONS)}")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)
                                 or not 0 <= seed < 2**63):
            raise ServeError(f"reset seed {seed!r} must be a whole number >= 0 (or left out "
                             "for the server's next seed)")
        if episode_id is not None and not (isinstance(episode_id, str)
                                           and 0 < len(episode_id) <= MAX_NAME_CHARS):
            raise ServeError(f"reset episode_id must be text of 1 to {MAX_NAME_CHARS} "
                             "characters, or left out")
        name = options.get("agent", self._name)
        if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_CHARS:
            raise ServeError(f"reset agent name must be text of 1 to {MAX_NAME_CHARS} "
                             "characters (how records and the leaderboard call your seat)")
        self._leave()
        self._name = name
        self._table, self._seat = self.hub.join(seed, name)
        self._steps = 0
        self._episode_id = episode_id or uuid.uuid4().hex
        self._wait(None)
        table = self._table
        return self._observation(table.record.returns[self._seat] if table.finished else None)

    def step(self, action: ArenaAction, timeout_s: Optional[float] = None,
             **kwargs: Any) -> ArenaObservation:
        self._check_open()
        table = self._table
        if table is None:
            raise ServeError("no match in this session: reset first (the HTTP /step route "
                             "is stateless: play a match through one WebSocket session, /ws)")
        try:
            table.answer(self._seat, action.text)
        except (TurnError, IllegalAction) as err:
            raise ServeError(f"action refused: {err}") from err
        self._steps += 1
        self._wait(timeout_s)
        reward = table.record.returns[self._seat] if table.finished else 0.0
        return self._observation(reward=reward)

    @property
    def state(self) -> ArenaState:
        table = self._table
        if table is None:
            return ArenaState(game=self.hub.game.info.id)
        return ArenaState(
            episode_id=self._episode_id, step_count=self._steps, game=self.hub.game.info.id,
            seat=self._seat, match_seed=table.seed, turn=table.live.state.turn,
            done=table.finished, match_id=self.hub.store(table) or None)

    def get_metadata(self) -> EnvironmentMetadata:
        info = self.hub.game.info
        return EnvironmentMetadata(
            name=f"arena:{self.hub.game_spec}",
            description=f"{info.description.rstrip('.')}. Seats: "
                        f"{', '.join(self.hub.seats)} (self: a client session).", version="1")

    def close(self) -> None:
        """The session ended (closed, disconnected or idle too long): an unfinished match
        ends as a quit of this seat."""
        self._leave()
        self._closed = True

    # ---- helpers -------------------------------------------------------------------
    def _check_open(self) -> None:
        if self._closed:
            raise ServeError("this session is closed (idle too long, or the server is "
                             "stopping); open a new one")

    def _leave(self) -> None:
        if self._table is not None:
            self._table.leave(self._seat)
            self.hub.store(self._table)
            self._table = None

    def _wait(self, timeout_s: Optional[float]) -> None:
        """Until this seat has a question or the match is over (self-play: other sessions
        move in between)."""
        table = self._table
        limit = self.hub.wait_timeout if timeout_s is None else min(timeout_s,
                                                                    self.hub.wait_timeout)
        start = time.monotonic()
        if not table.wait(self._seat, limit):
            others = [s for s in table.clients if s != self._seat]
            raise ServeError(
                f"waited {time.monotonic() - start:.0f} s for the sessions of seats "
                f"{others} (self-play) to move; reset to leave this match and join another")
        self.hub.store(table)

    def _observation(self, reward: float | None) -> ArenaObservation:
        table, seat = self._table, self._seat
        fields: dict[str, Any] = {"game": table.game.info.id, "player": seat,
                                  "role": table.live.state.role(seat),
                                  "turn": table.live.state.turn, "match_seed": table.seed}
        last = next((d for d in reversed(table.live.decisions) if d.player == seat), None)
        if last is not None:
            fields.update(last_action=last.action, last_valid=last.valid, last_error=last.error)
        obs = table.question(seat)
        if obs is not None:
            fields.update(obs.to_dict())
        record = table.record
        if record is not None:  # the seat's view of the final state, and the outcome
            final = table.live.state.observation(seat)
            fields.update(text=final.text, rules=final.rules, info_state=final.info_state,
                          returns=list(record.returns), roles=list(record.roles),
                          agents=list(record.agents), outcome=record.outcome,
                          forfeit_player=record.forfeit_player, match_id=self.hub.store(table))
        return ArenaObservation(done=record is not None, reward=reward, **fields)
