"""One served match: the runner's own step, paused wherever a client's seat must answer.

A :class:`Table` holds one match exactly as :func:`arena.runner.run_matches` plays it (the
runner's ``_Live`` book-keeping, its ``_pending`` grouping and its ``_handle`` parsing and
invalid-action policy), with one difference: a seat whose agent is a :class:`ClientSeat`
is not asked by calling ``act_batch`` but waits for :meth:`Table.answer`. So a match
served with the same seed and the same agents is the same match as ``arena play``'s:
same observations, same actions, same returns.

Order within a step is the runner's: every pending decision of the step is gathered with
its observation before any of them is applied, then the decisions are applied agent by
agent. A client seat's question is known as soon as its step starts (all of a
simultaneous phase's seats are asked at once); its answer is applied when its turn in
the step comes.

Thread safety: every public method takes the table's lock; sessions of a self-play
table wait on :attr:`Table.cond` for their next question (:meth:`Table.wait`).
"""

from __future__ import annotations

import threading
import time
from typing import Callable, ContextManager, Sequence

from agents.base import Agent, Decision
from games import Game, IllegalAction, Observation, parse_action

from arena.records import MatchRecord
from arena.runner import MatchConfig, MatchSpec, _handle, _Item, _Live, _pending

__all__ = ["ClientSeat", "Table", "TurnError"]


class TurnError(ValueError):
    """A client answered where its seat has no question (not its turn, or the match is
    over); the message says which and what to do."""


class ClientSeat(Agent):
    """The agent of a seat that a client session plays. It never acts: the table asks
    the client. ``name`` is what the records call it (the client may choose it)."""

    def __init__(self, name: str = "remote") -> None:
        super().__init__(seed=0)
        self.name = name

    def act(self, obs: Observation, determiniser=None) -> Decision:
        raise RuntimeError(f"seat {obs.player} is played by a client session; a table asks "
                           "the client instead of calling act()")


class Table:
    """A match whose :class:`ClientSeat` seats are answered by client sessions.

    ``refuse_invalid``: an answer that names no legal action raises ``IllegalAction``
    and leaves the match as it was (the client may answer again); otherwise it goes to
    the runner like any agent's output and ``config.invalid`` decides (forfeit, retry,
    random). ``agent_lock`` is held around every other agent's ``act_batch`` (agents of
    several tables may share one model's weights)."""

    def __init__(self, game: Game, agents: Sequence[Agent], seed: int,
                 config: MatchConfig | None = None, refuse_invalid: bool = False,
                 agent_lock: Callable[[], ContextManager] | None = None) -> None:
        self.live = _Live(MatchSpec(game, list(agents), seed), config or MatchConfig())
        self.clients = tuple(p for p, a in enumerate(agents) if isinstance(a, ClientSeat))
        self.refuse_invalid = refuse_invalid
        self.cond = threading.Condition()
        self.record: MatchRecord | None = None
        self.match_id: str | None = None
        """Where the finished match is stored (set once, by the hub)."""
        self._agent_lock = agent_lock
        self._groups: list[list[_Item]] = []
        self._answers: dict[int, tuple[Decision, float]] = {}
        self._asked: dict[int, float] = {}
        with self.cond:
            self._drive()

    # ---- what a client sees --------------------------------------------------------
    @property
    def game(self) -> Game:
        return self.live.spec.game

    @property
    def seed(self) -> int:
        return self.live.spec.seed

    @property
    def finished(self) -> bool:
        return self.record is not None

    def question(self, player: int) -> Observation | None:
        """The observation ``player`` must answer now, or None (not its turn, or over)."""
        with self.cond:
            return self._question(player)

    def _question(self, player: int) -> Observation | None:
        if self.record is not None or self.live.outcome is not None or player in self._answers:
            return None
        for items in self._groups:
            for _, p, obs, _ in items:
                if p == player:
                    return obs
        return None

    def wait(self, player: int, timeout: float | None) -> bool:
        """Block until ``player`` has a question or the match is over; False on timeout."""
        with self.cond:
            return self.cond.wait_for(
                lambda: self.record is not None or self._question(player) is not None, timeout)

    # ---- what a client does --------------------------------------------------------
    def answer(self, player: int, text: str) -> None:
        """``player``'s reply to its question (a canonical action or a model's whole
        output); the match then runs on until a client must answer again or it ends."""
        with self.cond:
            obs = self._question(player)
            if obs is None:
                state = ("the match is over; reset to play another" if self.record is not None
                         else "it is not your turn (your seat has no question now)")
                raise TurnError(f"seat {player} cannot answer: {state}")
            if self.refuse_invalid:
                self._check(player, obs, text)
            self._answers[player] = (Decision(text=text), time.perf_counter())
            self._drive()
            self.cond.notify_all()

    def leave(self, player: int) -> None:
        """``player``'s client went away: an unfinished match ends as the runner ends one
        whose player quits (outcome ``quit``, scored as a forfeit by that player)."""
        with self.cond:
            if self.record is not None:
                return
            if self._question(player) is not None:  # recorded as the runner records a quit
                self._answers[player] = (Decision(text="", info={"quit": True}),
                                         time.perf_counter())
                self._drive()
            if self.record is None:  # not its turn, or its turn waits behind another client
                if self.live.outcome is None:
                    self.live.outcome, self.live.forfeit_player = "quit", player
                self._groups.clear()
                self._answers.clear()
                self._asked.clear()
                self._drive()
            self.cond.notify_all()

    def _check(self, player: int, obs: Observation, text: str) -> None:
        action = parse_action(text, obs.legal_actions, self.game)
        if obs.legal_actions is None:  # free text: the rules may still refuse it
            self.live.state.clone().apply(player, action)

    # ---- the runner's step, paused at client seats ---------------------------------
    def _drive(self) -> None:
        """Play on (lock held) until a client seat must answer or the match ends."""
        live = self.live
        while self.record is None:
            if not self._groups:
                if live.done():
                    self.record = live.record()
                    return
                self._groups = list(_pending([live]).values())
                now = time.perf_counter()
                for items in self._groups:
                    if items[0][1] in self.clients:
                        self._asked[items[0][1]] = now
            items = self._groups[0]
            player = items[0][1]
            if isinstance(live.spec.agents[player], ClientSeat):
                if live.outcome is None:
                    if player not in self._answers:
                        return
                    decision, at = self._answers.pop(player)
                    _handle(live, player, items[0][2], decision, at - self._asked.pop(player))
                else:  # the match ended earlier in this step: nothing more is applied
                    self._answers.pop(player, None)
                    self._asked.pop(player, None)
            else:
                self._act(items)
            self._groups.pop(0)

    def _act(self, items: list[_Item]) -> None:
        """One agent's decisions of this step, as ``run_matches`` makes them."""
        live = self.live
        agent = live.spec.agents[items[0][1]]
        observations = [obs for _, _, obs, _ in items]
        dets = [det for _, _, _, det in items]
        start = time.perf_counter()
        if self._agent_lock is None:
            decisions = self._call(agent, observations, dets)
        else:
            with self._agent_lock():
                decisions = self._call(agent, observations, dets)
        per = (time.perf_counter() - start) / len(items)
        if len(decisions) != len(items):
            raise RuntimeError(
                f"agent {agent.name!r} returned {len(decisions)} decisions for {len(items)} "
                "observations; act_batch must answer each one in order")
        for (_, player, obs, det), decision in zip(items, decisions):
            if live.outcome is None:
                _handle(live, player, obs, decision, per, det is not None)

    @staticmethod
    def _call(agent: Agent, observations: list[Observation], dets: list) -> list[Decision]:
        if any(det is not None for det in dets):
            return agent.act_batch(observations, dets)
        return agent.act_batch(observations)

