"""The optional hooks a game declares, each called the way the arena calls it.

``arena eval`` and ``arena train`` call ``record_metrics(records, seats)``, ``teams(roles)``,
``forfeit_returns(offender, roles)``, ``evaluators()``, ``chance_outcomes()`` and, for
free-text games, ``random_text_action(obs, rng)``; a plug-in whose override has the wrong
signature or returns the wrong shape only found out in the middle of an evaluation or a
training run. :func:`check_hooks` calls each one on random legal playouts of the given
seeds and raises :class:`CheckFailed` naming the hook, what it returned or raised, and the
signature the arena expects.

Records handed to ``record_metrics`` are plain data with the fields of an arena match
record (``game``, ``seed``, ``agents``, ``roles``, ``returns``, ``outcome``,
``decisions`` with ``player``, ``role``, ``turn``, ``observation``, ``legal_actions``,
``raw``, ``action``, ``valid``...), built here because games/ never imports the arena.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from games.core import Game, State

from games.conformance.report import CheckFailed

__all__ = ["check_hooks", "HOOK_SEEDS"]

HOOK_SEEDS = 4
"""Playouts whose records ``record_metrics`` is called on (the first seeds given)."""
_CHANCE_OUTCOMES = 3
"""Outcomes of ``chance_outcomes()`` read (it may be a long generator)."""


@dataclass(frozen=True)
class _Decision:
    player: int
    role: str
    turn: int
    observation: str
    legal_actions: tuple[str, ...] | None
    raw: str
    action: str | None
    valid: bool = True
    error: str | None = None
    attempt: int = 0
    fallback: bool = False
    elapsed_s: float = 0.0
    agent: str = ""
    info: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _Record:
    game: str
    options: Mapping[str, Any]
    seed: int
    agents: tuple[str, ...]
    roles: tuple[str, ...]
    decisions: tuple[_Decision, ...]
    returns: tuple[float, ...]
    outcome: str = "terminal"
    forfeit_player: int | None = None
    match_id: str = ""
    elapsed_s: float = 0.0
    final_render: str = ""


def _record(game: Game, seed: int) -> _Record:
    """One random legal playout of game ``seed`` as a match record of plain data."""
    rng = random.Random(seed)
    state = game.new_state(seed)
    decisions = []
    limit = game.info.max_length
    while not state.is_terminal() and state.turn <= limit:
        for p in state.current_players():
            obs = state.observation(p)
            legal = state.legal_actions(p)
            action = state.random_action(p, rng)
            decisions.append(_Decision(p, state.role(p), state.turn, obs.text,
                                       tuple(legal) if legal is not None else None,
                                       action, action, agent=f"seat-{p}"))
            state.apply(p, action)
            if state.is_terminal():
                break
    n = game.num_players
    return _Record(game=game.info.id, options={}, seed=seed,
                   agents=tuple(f"seat-{p}" for p in range(n)),
                   roles=tuple(state.role(p) for p in range(n)), decisions=tuple(decisions),
                   returns=tuple(float(r) for r in state.returns()),
                   match_id=f"check:{seed}", final_render=state.render())


def _call(hook: str, expected: str, fn: Any, *args: Any) -> Any:
    try:
        return fn(*args)
    except CheckFailed:
        raise
    except Exception as err:
        raise CheckFailed(f"{hook} raised {type(err).__name__}: {err}; the arena calls it as "
                          f"{expected}") from err


def _numbers(hook: str, values: Any, n: int, seed: int) -> list[float]:
    try:
        out = [float(v) for v in values]
    except (TypeError, ValueError) as err:
        raise CheckFailed(f"seed {seed}: {hook} returned {values!r}, not numbers ({err}); "
                          f"return one number per seat") from err
    if len(out) != n or not all(math.isfinite(v) for v in out):
        raise CheckFailed(f"seed {seed}: {hook} returned {values!r}; expected {n} finite "
                          "numbers, one per seat")
    return out


def _check_teams_and_forfeits(game: Game, record: _Record) -> None:
    n, seed, info = game.num_players, record.seed, game.info
    teams = _call("teams", "teams(roles) -> one team index per seat", game.teams,
                  record.roles)
    if len(teams) != n or not all(isinstance(t, int) for t in teams):
        raise CheckFailed(f"seed {seed}: teams(roles) returned {teams!r}; expected {n} whole "
                          "numbers, one team index per seat")
    for offender in range(n):
        scores = _numbers("forfeit_returns", _call(
            "forfeit_returns", "forfeit_returns(offender, roles) -> one return per seat",
            game.forfeit_returns, offender, record.roles), n, seed)
        if info.utility_sum is not None and abs(sum(scores) - info.utility_sum) > 1e-6:
            raise CheckFailed(f"seed {seed}: forfeit_returns({offender}, roles) returned "
                              f"{scores}, which sums to {sum(scores):g}, not the declared "
                              f"utility_sum {info.utility_sum:g}; fix it or GameInfo")


def _check_record_metrics(game: Game, records: Sequence[_Record]) -> None:
    seats = [0] * len(records) if game.num_players > 1 else None
    call = "record_metrics(records, seats) -> {name: number}"
    metrics = _call("record_metrics", call, game.record_metrics, list(records), seats)
    for name, value in metrics.items():
        if not isinstance(name, str) or isinstance(value, bool) or not isinstance(
                value, (int, float)) or not math.isfinite(value):
            raise CheckFailed(f"record_metrics returned {name!r}: {value!r}; expected metric "
                              "names (str) with finite numbers")


def _check_evaluators_and_chance(game: Game) -> None:
    evaluators = _call("evaluators", "evaluators() -> tuple of games.algorithms.evaluation.Evaluator",
                       game.evaluators)
    for ev in evaluators:
        if not (isinstance(getattr(ev, "name", None), str) and callable(ev)):
            raise CheckFailed(f"evaluators() holds {ev!r}; expected games.algorithms.evaluation."
                              "Evaluator objects (a name and a function)")
    outcomes = _call("chance_outcomes", "chance_outcomes() -> None or (p, State) pairs",
                     game.chance_outcomes)
    if outcomes is None:
        return
    for item in _call("chance_outcomes", "chance_outcomes() -> None or (p, State) pairs",
                      lambda: list(itertools.islice(outcomes, _CHANCE_OUTCOMES))):
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], State)
                and isinstance(item[0], (int, float)) and 0 <= item[0] <= 1):
            raise CheckFailed(f"chance_outcomes() gave {item!r}; expected (probability, "
                              "State) pairs")


def _check_random_text_action(game: Game, seed: int) -> None:
    if not game.offers("random_text_action"):
        return
    state = game.new_state(seed)
    rng = random.Random(seed)
    for p in state.current_players():
        if state.legal_actions(p) is None:
            text = _call("random_text_action", "random_text_action(obs, rng) -> str",
                         game.random_text_action, state.observation(p), rng)
            if not isinstance(text, str):
                raise CheckFailed(f"seed {seed}: random_text_action returned {text!r}; "
                                  "expected a string move")


def check_hooks(game: Game, seeds: Sequence[int]) -> None:
    """Every optional hook the game declares, called as the arena calls it: ``teams`` and
    ``forfeit_returns`` on each playout's roles, ``record_metrics`` on the records of up to
    :data:`HOOK_SEEDS` playouts, ``evaluators``, ``chance_outcomes`` and
    ``random_text_action``."""
    records = []
    for seed in list(itertools.islice(seeds, HOOK_SEEDS)):
        record = _record(game, seed)
        records.append(record)
        _check_teams_and_forfeits(game, record)
        _check_random_text_action(game, seed)
    _check_record_metrics(game, records)
    _check_evaluators_and_chance(game)
