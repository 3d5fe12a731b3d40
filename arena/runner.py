"""The runner: many matches at once, one batched call per agent per step.

Each step gathers every pending decision of every live match (several per match in a
simultaneous phase), groups them by agent, calls that agent's ``act_batch`` once, parses
each output with ``games.parse`` and applies it. One match is n=1 (:func:`play_match`).

Per-match settings (:class:`MatchConfig`):

- ``invalid``: what an invalid output costs. ``forfeit`` (the default): the offender loses
  and the match ends, scored by the game's ``Game.forfeit_returns(offender)`` (by default
  -1 for the offender's team, the others share the same total); ``retry:K``: the error
  is shown to the player, who answers again, up to K times, then forfeits; ``random``: a
  random legal action is played and the fault recorded.
- ``time_limit``: seconds per decision. A batched call is charged to its decisions
  equally; a decision over the limit counts as invalid ("time limit exceeded").
- ``max_turns``: a match still running after that many applied actions ends as a draw.

States: observations are plain data. An agent that wants states at a decision
(``Agent.wants_states(obs)``: ``searches = True``, or ``random`` on free-text actions) gets
a determiniser with it (``act_batch(obs, determinisers)``), built from the true state
before any pending move of the step is applied; its decision record says
``states_given=True``. Other agents get observations only.

Randomness: every observation handed to an agent carries ``seed`` derived from (match
seed, player, turn, attempt), and agents draw from ``Agent.rng_for(obs)``, so a match's
record depends on its seed alone, however matches are batched or scheduled.
"""

from __future__ import annotations

import dataclasses
import random
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from agents.base import Agent, Decision, determiniser_for
from games import Game, IllegalAction, Observation, State, parse_action
from games.core import Determiniser
from common.seeds import derive_seed
from common.untrusted import valid_text

from arena.records import DecisionRecord, MatchRecord

__all__ = ["MatchConfig", "MatchSpec", "run_matches", "play_match", "decision_seed"]


@dataclass(frozen=True)
class MatchConfig:
    invalid: str = "forfeit"
    """``forfeit`` | ``retry:K`` | ``random``."""
    time_limit: float | None = None
    """Seconds per decision; None for no limit."""
    max_turns: int | None = None
    """Applied actions after which the match is a draw; None: the game's own end."""

    def __post_init__(self) -> None:
        self.retries  # validates
        if self.time_limit is not None and self.time_limit <= 0:
            raise ValueError(f"time_limit={self.time_limit!r} must be > 0 seconds or None")
        if self.max_turns is not None and self.max_turns < 1:
            raise ValueError(f"max_turns={self.max_turns!r} must be >= 1 or None")

    @property
    def retries(self) -> int:
        if self.invalid in ("forfeit", "random"):
            return 0
        head, _, k = self.invalid.partition(":")
        if head == "retry" and k.isdigit():
            return int(k)
        raise ValueError(
            f"invalid-action policy {self.invalid!r} not understood: expected "
            "'forfeit', 'retry:K' (K a whole number, e.g. retry:2) or 'random'"
        )


@dataclass(frozen=True)
class MatchSpec:
    """One match to play: a game, its agents by seat, its seed."""

    game: Game
    agents: Sequence[Agent]
    seed: int
    match_id: str = ""
    draw: int = 0
    """Which draw of the agents' randomness: 0, the seed's own; k > 0 plays the same start
    (the game's seed) with other decision seeds (training's group rollouts). Not stored in
    the record: the trainer that asked for it replays it from its own seeds."""


def decision_seed(match_seed: int, player: int, turn: int, attempt: int, draw: int = 0) -> int:
    """The seed of one decision (what ``Agent.rng_for`` draws from)."""
    if draw:
        return derive_seed("decision", match_seed, player, turn, attempt, "draw", draw)
    return derive_seed("decision", match_seed, player, turn, attempt)


class _Live:
    """Book-keeping of one running match."""

    def __init__(self, spec: MatchSpec, config: MatchConfig) -> None:
        game = spec.game
        if len(spec.agents) != game.num_players:
            raise ValueError(
                f"game {game.info.id!r} needs {game.num_players} agents, got "
                f"{len(spec.agents)} ({', '.join(a.name for a in spec.agents)})"
            )
        self.spec = spec
        self.state: State = game.new_state(spec.seed)
        self.decisions: list[DecisionRecord] = []
        self.attempts: dict[int, int] = {}
        self.errors: dict[int, str] = {}
        self.outcome: str | None = None
        self.forfeit_player: int | None = None
        self.rng = random.Random(f"runner/{spec.seed}" + (f"/{spec.draw}" if spec.draw else ""))
        self.start = time.perf_counter()
        self.config = config
        self.index = 0

    def done(self) -> bool:
        if self.outcome is None and self.state.is_terminal():
            self.outcome = "terminal"
        if (self.outcome is None and self.config.max_turns is not None
                and self.state.turn >= self.config.max_turns):
            self.outcome = "max_turns"
        return self.outcome is not None

    def observation(self, player: int) -> Observation:
        obs = _valid_observation(self.state.observation(player))
        attempt = self.attempts.get(player, 0)
        extra = {"seed": decision_seed(self.spec.seed, player, self.state.turn, attempt,
                                       self.spec.draw)}
        if attempt:
            extra["text"] = (
                f"{obs.text}\n\nYour previous answer was invalid: {self.errors[player]}\n"
                f"Try again ({attempt} of {self.config.retries} retries used)."
            )
        return dataclasses.replace(obs, **extra)

    def returns(self) -> tuple[float, ...]:
        n = self.spec.game.num_players
        if self.outcome == "terminal":
            return tuple(float(r) for r in self.state.returns())
        if self.outcome in ("forfeit", "quit"):
            roles = tuple(self.state.role(p) for p in range(n))
            scores = self.spec.game.forfeit_returns(self.forfeit_player, roles)
            return tuple(float(r) for r in scores)
        return tuple(0.0 for _ in range(n))

    def record(self) -> MatchRecord:
        game = self.spec.game
        opts = game.options
        options = dataclasses.asdict(opts) if dataclasses.is_dataclass(opts) else {}
        return MatchRecord(
            game=game.info.id,
            options=options,
            seed=self.spec.seed,
            agents=tuple(a.name for a in self.spec.agents),
            roles=tuple(self.state.role(p) for p in range(game.num_players)),
            decisions=tuple(self.decisions),
            returns=self.returns(),
            outcome=self.outcome or "terminal",
            forfeit_player=self.forfeit_player,
            match_id=self.spec.match_id,
            elapsed_s=time.perf_counter() - self.start,
            final_render=self.state.render(),
        )


def _valid_observation(obs: Observation) -> Observation:
    """``obs`` with its text fields as valid text (:func:`common.untrusted.valid_text`): a
    plug-in's observation with a lone surrogate reaches no agent's tokenizer. The legal
    actions stay as the game wrote them (they are matched against its own)."""
    cleaned = {}
    for key in ("text", "rules", "role", "info_state"):
        value = getattr(obs, key)
        if isinstance(value, str) and not value.isascii():
            valid = valid_text(value)
            if valid is not value:  # only a string that needed it is copied
                cleaned[key] = valid
    return dataclasses.replace(obs, **cleaned) if cleaned else obs


def _handle(live: _Live, player: int, obs: Observation, dec: Decision, elapsed: float,
            states_given: bool = False) -> None:
    """Parse, check and apply one decision, following the invalid-action policy."""
    cfg = live.config
    action, error = None, None
    if dec.info.get("quit"):
        live.decisions.append(DecisionRecord(
            player=player, role=obs.role, turn=obs.turn, observation=obs.text,
            legal_actions=obs.legal_actions, raw=dec.text, action=None, valid=False,
            error="player quit", elapsed_s=elapsed, agent=live.spec.agents[player].name,
            states_given=states_given,
        ))
        live.outcome, live.forfeit_player = "quit", player
        return
    if cfg.time_limit is not None and elapsed > cfg.time_limit:
        error = f"time limit exceeded ({elapsed:.2f}s > {cfg.time_limit:g}s)"
    else:
        try:
            action = parse_action(dec.text, obs.legal_actions, live.spec.game)
            live.state.apply(player, action)
        except IllegalAction as err:
            action, error = None, str(err)
    attempt = live.attempts.get(player, 0)
    fallback = False
    if error is not None and cfg.invalid == "random":
        try:  # a game whose random move is refused: the offender forfeits, never a crash
            action = live.state.random_action(player, live.rng)
            live.state.apply(player, action)
            fallback = True
        except IllegalAction as err:
            action, error = None, f"{error}; the random fallback was refused too: {err}"
    live.decisions.append(DecisionRecord(
        player=player, role=obs.role, turn=obs.turn, observation=obs.text,
        legal_actions=obs.legal_actions, raw=dec.text, action=action,
        valid=error is None, error=error, attempt=attempt, fallback=fallback,
        elapsed_s=elapsed, agent=live.spec.agents[player].name,
        distribution=dec.distribution, token_ids=dec.token_ids, logprobs=dec.logprobs,
        info=dec.info, states_given=states_given,
    ))
    if error is None or fallback:
        live.attempts.pop(player, None)
    elif attempt < cfg.retries:
        live.attempts[player] = attempt + 1
        live.errors[player] = error
    else:
        live.outcome, live.forfeit_player = "forfeit", player


_Item = tuple[_Live, int, Observation, "Determiniser | None"]


def _pending(lives: list[_Live]) -> dict[int, list[_Item]]:
    """Every pending decision grouped by agent, each with its observation and, for an
    agent that wants states there, a determiniser (snapshots taken before any move)."""
    by_agent: dict[int, list[_Item]] = {}
    for live in lives:
        for player in live.state.current_players():
            agent = live.spec.agents[player]
            obs = live.observation(player)
            det = determiniser_for(agent, live.state, player) if agent.wants_states(obs) else None
            by_agent.setdefault(id(agent), []).append((live, player, obs, det))
    return by_agent


def run_matches(
    specs: Sequence[MatchSpec],
    config: MatchConfig | None = None,
    on_step: Callable[[list[MatchRecord]], None] | None = None,
    on_decision: Callable[[int, DecisionRecord, State], None] | None = None,
) -> list[MatchRecord]:
    """Play every match to the end, batching decisions per agent; records in input order.

    ``on_step(finished)`` is called after each step with the records finished in it
    (progress bars); ``on_decision(index, record, state)`` after each decision (viewers).
    """
    config = config or MatchConfig()
    lives = [_Live(spec, config) for spec in specs]
    for i, live in enumerate(lives):
        live.index = i
    records: list[MatchRecord | None] = [None] * len(lives)
    active = [i for i, live in enumerate(lives) if not live.done()]
    for i in range(len(lives)):
        if i not in active:
            records[i] = lives[i].record()
    while active:
        by_agent = _pending([lives[i] for i in active])
        for items in by_agent.values():
            agent = items[0][0].spec.agents[items[0][1]]
            observations = [obs for _, _, obs, _ in items]
            dets = [det for _, _, _, det in items]
            start = time.perf_counter()
            if any(det is not None for det in dets):
                decisions = agent.act_batch(observations, dets)
            else:
                decisions = agent.act_batch(observations)
            per = (time.perf_counter() - start) / len(items)
            if len(decisions) != len(items):
                raise RuntimeError(
                    f"agent {agent.name!r} returned {len(decisions)} decisions for "
                    f"{len(items)} observations; act_batch must answer each one in order"
                )
            for (live, player, obs, det), dec in zip(items, decisions):
                if live.outcome is None:
                    _handle(live, player, obs, dec, per, det is not None)
                    if on_decision is not None:
                        on_decision(live.index, live.decisions[-1], live.state)
        finished = []
        for i in list(active):
            if lives[i].done():
                records[i] = lives[i].record()
                finished.append(records[i])
                active.remove(i)
        if on_step is not None:
            on_step(finished)
    return [r for r in records if r is not None]


def play_match(
    game: Game, agents: Sequence[Agent], seed: int, config: MatchConfig | None = None,
    on_decision: Callable[[int, DecisionRecord, State], None] | None = None,
) -> MatchRecord:
    """Play one match (the runner with n=1)."""
    return run_matches([MatchSpec(game, agents, seed)], config, on_decision=on_decision)[0]
