"""The ``views`` check: every view a game declares renders the same decision points.

A game lists its views in ``Game.views`` and takes the choice as its ``view`` option.
Built once per view, the same seeds and the same random moves must give, at every
decision and for every player, the same information state and the same legal actions in
every view, and a non-empty text: views differ in text only (a view that added or removed
information would change what a model can know, and records of one view would no longer
compare with another's).
"""

from __future__ import annotations

import dataclasses
import random
from typing import Sequence

from games.core import Game, State

from games.conformance.report import CheckFailed

__all__ = ["check_views", "game_in_view"]


def game_in_view(game: Game, view: str) -> Game:
    """The same game (same options) rendered in ``view``."""
    return type(game)(dataclasses.replace(game.options, view=view))


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def check_views(game: Game, seeds: Sequence[int]) -> None:
    views = tuple(game.views)
    _expect(bool(views) and len(set(views)) == len(views),
            f"Game.views must list distinct view names, got {views!r}")
    _expect(game.view in views, f"the game's view {game.view!r} is not among Game.views "
            f"{views!r}; declare it")
    if len(views) == 1:
        return
    fields = {f.name for f in dataclasses.fields(game.options)} if dataclasses.is_dataclass(
        game.options) else set()
    _expect("view" in fields, f"Game.views lists {', '.join(views)} but the options have no "
            "'view' field; add `view: str = view_field(views)` to the options dataclass")
    built = [game_in_view(game, v) for v in views]
    for seed in seeds:
        _compare_playout(built, views, seed)


def _compare_playout(built: list[Game], views: tuple[str, ...], seed: int) -> None:
    rng = random.Random(seed)
    states: list[State] = [g.new_state(seed) for g in built]
    first = states[0]
    while True:
        for p in range(built[0].num_players):
            _compare_decision(states, views, p, seed)
        if first.is_terminal():
            return
        moves = [(p, first.random_action(p, rng)) for p in first.current_players()]
        for p, action in moves:
            for s in states:
                s.apply(p, action)


def _compare_decision(states: list[State], views: tuple[str, ...], p: int, seed: int) -> None:
    base = states[0].observation(p)
    for view, state in zip(views[1:], states[1:]):
        obs = state.observation(p)
        where = f"seed {seed}, turn {state.turn}, player {p}, view {view!r}"
        _expect(isinstance(obs.text, str) and obs.text != "",
                f"{where}: the text is empty or not a string; every view renders every "
                "decision point")
        _expect(obs.info_state == base.info_state,
                f"{where}: the information state differs from view {views[0]!r}'s "
                f"({obs.info_state[:60]!r} vs {base.info_state[:60]!r}); a view changes "
                "the text only")
        _expect(obs.legal_actions == base.legal_actions,
                f"{where}: the legal actions differ from view {views[0]!r}'s; a view "
                "changes the text only")
