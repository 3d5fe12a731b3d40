"""Checks for the traps that random play alone does not reveal.

- ``registration``: the entry-point name must equal ``GameInfo.id`` (``expert`` and
  ``arena leaderboard --game`` look the game up by its id).
- ``all_actions``: a game whose legal actions are always listed must give its action
  vocabulary (PettingZoo's numeric mode and ``api_test`` index it).
- ``simultaneous``: while several players are current, a player's observation must not
  show another's pending move (in the AEC view the second mover observes after the first
  has moved).
- ``determinisation``: a game of imperfect information must redraw what a player cannot
  see (``State._determinise``); otherwise search agents see the hidden state.
"""

from __future__ import annotations

import random
from importlib.metadata import entry_points
from typing import Sequence

from games.core import Game, State
from games.registry import ENTRY_POINT_GROUP, parse_game_spec

from games.conformance.play import playout
from games.conformance.report import CheckFailed

__all__ = ["registered_name", "check_registration", "check_all_actions",
           "check_simultaneous", "check_determinisation", "NoDeterminisation"]


class NoDeterminisation(Exception):
    """The game offers no determinisation at all (its states cannot be cloned)."""


def registered_name(name: str) -> str:
    """The registry name in a spec: ``"kuhn_poker:hands=3"`` -> ``"kuhn_poker"``."""
    if name.startswith("textarena:"):
        return "textarena:" + parse_game_spec(name.split(":", 1)[1])[0]
    return parse_game_spec(name)[0]


def _registrations(cls: type) -> list[str]:
    """Entry-point names whose target is ``cls`` (read without importing anything)."""
    from games import registry

    target = f"{cls.__module__}:{cls.__qualname__}"
    names = [n for n, t in getattr(registry, "_BUILTIN", {}).items() if t == target]
    names += [ep.name for ep in entry_points(group=ENTRY_POINT_GROUP) if ep.value == target]
    return sorted(set(names))


def check_registration(game: Game, name: str | None) -> None:
    """``name`` (the registry name the game was built by; None for an instance) and every
    entry point naming the game's class must equal ``GameInfo.id``."""
    game_id = game.info.id
    names = [registered_name(name)] if name is not None else []
    names += _registrations(type(game))
    for n in sorted(set(names)):
        if n != game_id:
            raise CheckFailed(
                f"registered as {n!r} but GameInfo.id is {game_id!r}: records, `expert` and "
                f"`arena leaderboard --game` use the id; name the entry point {game_id!r} "
                f"(or set id={n!r})"
            )


def check_all_actions(game: Game, seeds: Sequence[int]) -> None:
    """Finite actions need ``all_actions()``: every legal action seen must be in it. A game
    that overrides ``all_actions`` to return None states that it has no fixed vocabulary
    (TextArena: moves are read from the text) and is not asked for one."""
    vocab = game.all_actions()
    if vocab is not None:
        vocab = list(vocab)
        if len(set(vocab)) != len(vocab) or not vocab:
            raise CheckFailed(f"all_actions() must be non-empty and unique, got {vocab[:12]}")
    known = set(vocab or ())
    free = False
    for seed in seeds:
        for state in playout(game, seed, random.Random(seed)):
            for p in state.current_players():
                legal = state.legal_actions(p)
                if legal is None:
                    free = True
                elif vocab is not None and not set(legal) <= known:
                    raise CheckFailed(
                        f"seed {seed}, turn {state.turn}: legal actions "
                        f"{sorted(set(legal) - known)} are missing from all_actions()")
    if vocab is None and not free and type(game).all_actions is Game.all_actions:
        raise CheckFailed(
            "legal actions are listed at every decision but all_actions() returns None: "
            "PettingZoo's numeric mode (games.env) and api_test need the action vocabulary; "
            "override Game.all_actions() to return every canonical action in a fixed order"
        )


def _two_moves(state: State, player: int, rng: random.Random) -> tuple[str, str] | None:
    legal = state.legal_actions(player)
    if legal is not None:
        return (legal[0], legal[-1]) if len(legal) > 1 else None
    drawn = {state.random_action(player, rng) for _ in range(12)}
    return tuple(sorted(drawn)[:2]) if len(drawn) > 1 else None


def _check_pending_hidden(state: State, seed: int, rng: random.Random) -> None:
    players = state.current_players()
    for p in players:
        moves = _two_moves(state, p, rng)
        if moves is None:
            continue
        after = []
        for move in moves:
            s = state.clone()
            s.apply(p, move)
            after.append(s)
        for q in players:
            if q == p or q not in after[0].current_players() or q not in after[1].current_players():
                continue
            views = [(s.observation(q).text, s.information_state(q), s.legal_actions(q))
                     for s in after]
            if views[0] != views[1]:
                what = "observation text" if views[0][0] != views[1][0] else "information state"
                raise CheckFailed(
                    f"seed {seed}, turn {state.turn}: player {q}'s {what} shows player {p}'s "
                    f"pending move ({moves[0]!r} and {moves[1]!r} read differently) while both "
                    "must still move; in the AEC view the second mover observes after the "
                    "first has moved: hide pending moves until the phase resolves"
                )


def check_simultaneous(game: Game, seeds: Sequence[int]) -> None:
    """Where several players are current, pending moves stay hidden, and the game
    declares ``simultaneous=True``."""
    rng = random.Random(0)
    for seed in seeds:
        for state in playout(game, seed, random.Random(seed)):
            if len(state.current_players()) < 2:
                continue
            if not game.info.simultaneous:
                raise CheckFailed(
                    f"seed {seed}, turn {state.turn}: players {state.current_players()} are "
                    "current at once but GameInfo.simultaneous is False; declare it True")
            _check_pending_hidden(state, seed, rng)


def _view(state: State) -> tuple:
    n = state.num_players
    return (state.render(), tuple(state.information_state(p) for p in range(n)))


def _future(state: State, seed: int) -> tuple:
    """Where a seeded random continuation leads (hidden facts may only show later)."""
    s = state.clone()
    rng = random.Random(seed)
    limit = s.game.info.max_length + 1
    while not s.is_terminal() and limit > 0:
        p = s.current_players()[0]
        s.apply(p, s.random_action(p, rng))
        limit -= 1
    return s.render(), tuple(s.returns())


def _sample(state: State, player: int, rng: random.Random, where: str) -> State:
    det = state.determiniser(player)
    if det is None:
        raise NoDeterminisation(f"{state.game.info.id} offers no determinisation "
                                "(State.determiniser gives None): search agents cannot play it")
    d = det.sample(rng)
    if d is state:
        raise CheckFailed(f"{where}: the determinisation is the true state object itself; "
                          "_determinise must return a new state")
    if (d.turn, d.information_state(player), d.legal_actions(player)) != (
            state.turn, state.information_state(player), state.legal_actions(player)):
        raise CheckFailed(f"{where}: a determinisation for player {player} changed what the "
                          "player knows (turn, information state or legal actions); redraw "
                          "only what the player cannot see")
    return d


def check_determinisation(game: Game, seeds: Sequence[int], samples: int = 4) -> None:
    """Determinisations keep what the player knows; under imperfect information they
    redraw something (in some player's information state, render() or a seeded
    continuation) at least once over the playouts."""
    rng = random.Random(0)
    hidden_seen, tried = False, 0
    for seed in seeds:
        for state in playout(game, seed, random.Random(seed)):
            for p in range(game.num_players):
                truth = None
                for _ in range(samples):
                    where = f"seed {seed}, turn {state.turn}, player {p}"
                    d = _sample(state, p, rng, where)
                    tried += 1
                    if hidden_seen or game.info.information == "perfect":
                        continue
                    truth = truth or (_view(state), _future(state, seed))
                    hidden_seen = (_view(d), _future(d, seed)) != truth
    if game.info.information == "imperfect" and not hidden_seen:
        raise CheckFailed(
            f"GameInfo.information is 'imperfect' but all {tried} determinisations equalled "
            "the true state (every information state, render() and a seeded continuation): "
            "search agents would see the hidden state. Implement State._determinise(player, "
            "rng) to redraw what the player cannot see, or declare information='perfect'"
        )
