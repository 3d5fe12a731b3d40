"""Conformance of a game to the contract, in one call (as PettingZoo ships ``api_test``).

    from games.conformance import assert_conforms, check_game

    assert_conforms("my_game")            # raises ConformanceError listing every failure
    report = check_game("my_game")        # or collect: report.ok, report.summary()

``arena check GAME`` runs the same from the command line. The game is a registered name
(a spec such as ``"kuhn_poker:hands=3"`` works) or a :class:`games.Game` instance. Every
check derives from the game's ``GameInfo`` declaration and random legal playouts of the
given seeds; a check that raises anything becomes a failure naming the check, so one
broken hook does not hide the others. The checks, in order:

- ``registration``: the registered name equals ``GameInfo.id``;
- ``playout``: games end within ``max_length``; a running game has a current player with
  unique, non-empty legal actions; ``random_action`` draws legal moves; returns in bounds
  and summing as declared; roles declared;
- ``clone``: a clone looks like the original and playing on it leaves the original alone;
- ``same_seed``: same seed and moves, same game;
- ``observations``: every observation agrees with the state and is plain data;
- ``turns``: moves out of turn or after the end raise ``IllegalAction``;
- ``fuzz``: any text, parsed and applied, is a legal move or a clear ``IllegalAction``;
- ``all_actions``: finite legal actions come with the action vocabulary;
- ``simultaneous``: pending simultaneous moves stay hidden from the other movers;
- ``determinisation``: determinisations keep what the player knows and, under imperfect
  information, redraw what it does not;
- ``aec``: the PettingZoo view (text mode; PettingZoo's ``api_test`` on numeric mode).

A game whose states cannot be cloned (TextArena) skips the checks that need clones.
"""

from __future__ import annotations

import logging
from typing import Callable, Sequence

from games.core import Game
from games.registry import make

from games.conformance import aec, play, traps
from games.conformance.report import CheckFailed, ConformanceError, Failure, Report

__all__ = ["check_game", "assert_conforms", "CHECKS", "Report", "Failure", "ConformanceError"]

log = logging.getLogger(__name__)

_Check = Callable[[Game, Sequence[int]], None]

CHECKS: dict[str, _Check] = {
    "playout": play.check_playout,
    "clone": play.check_clone,
    "same_seed": play.check_same_seed,
    "observations": play.check_observations,
    "turns": play.check_turns,
    "fuzz": play.check_fuzz,
    "all_actions": traps.check_all_actions,
    "simultaneous": traps.check_simultaneous,
    "determinisation": traps.check_determinisation,
    "aec": lambda game, seeds: aec.check_aec(game),
}
"""Every check after ``registration``, by name, in the order they run."""

_NEED_CLONES = ("clone", "fuzz", "simultaneous", "determinisation")


def _build(game: str | Game) -> tuple[Game, str | None]:
    if isinstance(game, Game):
        return game, None
    if not isinstance(game, str):
        raise TypeError(f"check_game takes a game name or a games.Game, got {game!r}")
    return make(game), game


def _cloneable(game: Game, seed: int) -> str | None:
    """None when states clone, else why not (a state that says it cannot be copied)."""
    try:
        game.new_state(seed).clone()
    except NotImplementedError as err:
        return str(err) or "State.clone() is not implemented"
    return None


def _run(report: Report, name: str, check: Callable[[], None]) -> None:
    try:
        check()
    except CheckFailed as err:
        report.failures.append(Failure(name, str(err)))
    except traps.NoDeterminisation as err:
        report.skipped[name] = str(err)
    except Exception as err:  # a broken hook is a finding, not a crash of the check
        log.debug("check %s of %s raised", name, report.game, exc_info=True)
        report.failures.append(Failure(name, f"raised {type(err).__name__}: {err}"))
    else:
        report.passed.append(name)


def check_game(
    game: str | Game,
    seeds: Sequence[int] = tuple(range(20)),
    checks: Sequence[str] | None = None,
) -> Report:
    """Run the conformance checks on ``game``; returns a :class:`Report` (never raises
    for a failing check). ``seeds``: the games to play (each also seeds its random
    moves); ``checks``: names from :data:`CHECKS` (and ``registration``), default all."""
    unknown = sorted(set(checks or ()) - set(CHECKS) - {"registration"})
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)} (known: registration, "
                         f"{', '.join(CHECKS)})")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one game, e.g. seeds=range(20)")
    built, name = _build(game)
    report = Report(game=built.info.id)
    wanted = set(checks) if checks is not None else None
    if wanted is None or "registration" in wanted:
        _run(report, "registration", lambda: traps.check_registration(built, name))
    no_clone = _cloneable(built, seeds[0])
    for check_name, check in CHECKS.items():
        if wanted is not None and check_name not in wanted:
            continue
        if no_clone is not None and check_name in _NEED_CLONES:
            report.skipped[check_name] = f"states cannot be cloned: {no_clone}"
            continue
        _run(report, check_name, lambda check=check: check(built, seeds))
    return report


def assert_conforms(game: str | Game, seeds: Sequence[int] = tuple(range(20)),
                    checks: Sequence[str] | None = None) -> Report:
    """:func:`check_game`, raising :class:`ConformanceError` with every failure listed:
    the one line for a plug-in's tests."""
    return check_game(game, seeds, checks).raise_for_failures()
