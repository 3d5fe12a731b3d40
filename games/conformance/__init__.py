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
- ``contract``: every hook the game overrides (``teams(roles)``, ``forfeit_returns(offender,
  roles)``, ``render(reveal=False)``, ``record_metrics(records, seats)``...) takes the
  calls the arena makes, as declared on :mod:`games.core`'s base classes
  (:mod:`games.conformance.contract`);
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
- ``aec``: the PettingZoo view (text mode; PettingZoo's ``api_test`` on numeric mode);
- ``hooks``: every optional hook the game declares (``record_metrics``, ``teams``,
  ``forfeit_returns``, ``evaluators``, ``chance_outcomes``, ``random_text_action``),
  called as the arena calls it (:mod:`games.conformance.hooks`);
- ``views``: every view in ``Game.views`` gives the same information states and legal
  actions at every decision (:mod:`games.conformance.views`).

Each check runs under a time limit (``time_limit`` seconds, default
:data:`CHECK_TIME_LIMIT`): a hanging hook is a failure naming the check, and the checks
after it still run. At most :data:`MAX_SEEDS` seeds are played.

A game whose states cannot be cloned (TextArena) skips the checks that need clones.
"""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import threading
from typing import Callable, Iterator, Sequence

from games.core import Game
from games.registry import make

from games.conformance import aec, contract, hooks, play, traps, views
from games.conformance.report import CheckFailed, ConformanceError, Failure, Report

__all__ = ["check_game", "assert_conforms", "CHECKS", "Report", "Failure", "ConformanceError",
           "CHECK_TIME_LIMIT", "MAX_SEEDS"]

CHECK_TIME_LIMIT = 300.0
"""Seconds one check may run before it is stopped and reported as a failure."""
MAX_SEEDS = 10_000
"""The most seeds (random games per check) one run plays."""

log = logging.getLogger(__name__)

_Check = Callable[[Game, Sequence[int]], None]

CHECKS: dict[str, _Check] = {
    "contract": contract.check_contract,
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
    "hooks": hooks.check_hooks,
    "views": views.check_views,
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


class _CheckTimeout(BaseException):
    """Raised in a check that ran past its time limit (a BaseException, so that a hook's
    own ``except Exception`` cannot swallow it)."""


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`_CheckTimeout` in the code of the block after ``seconds``; a no-op
    off the main thread or without ``setitimer`` (the check then runs unbounded)."""
    if (seconds is None or threading.current_thread() is not threading.main_thread()
            or not hasattr(signal, "setitimer")):
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise _CheckTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run(report: Report, name: str, check: Callable[[], None],
         time_limit: float | None = None) -> None:
    try:
        with _time_limit(time_limit):
            check()
    except _CheckTimeout:
        report.failures.append(Failure(name, f"did not finish within {time_limit:g} s (a hook "
                                       "that loops or waits?); fix the game, or give more "
                                       "time with --time-limit"))
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
    time_limit: float | None = CHECK_TIME_LIMIT,
) -> Report:
    """Run the conformance checks on ``game``; returns a :class:`Report` (never raises
    for a failing check). ``seeds``: the games to play (each also seeds its random
    moves), at most :data:`MAX_SEEDS`; ``checks``: names from :data:`CHECKS` (and
    ``registration``), default all; ``time_limit``: seconds per check (None: none)."""
    unknown = sorted(set(checks or ()) - set(CHECKS) - {"registration"})
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)} (known: registration, "
                         f"{', '.join(CHECKS)})")
    if time_limit is not None and not (isinstance(time_limit, (int, float))
                                       and math.isfinite(time_limit) and time_limit > 0):
        raise ValueError(f"time_limit={time_limit!r} must be a finite number of seconds > 0, "
                         f"e.g. {CHECK_TIME_LIMIT:g}")
    if len(seeds) > MAX_SEEDS:
        raise ValueError(f"{len(seeds)} seeds is more than the {MAX_SEEDS} a conformance run "
                         f"plays; pass at most {MAX_SEEDS}, e.g. range(20)")
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("seeds must name at least one game, e.g. seeds=range(20)")
    built, name = _build(game)
    report = Report(game=built.info.id)
    wanted = set(checks) if checks is not None else None
    if wanted is None or "registration" in wanted:
        _run(report, "registration", lambda: traps.check_registration(built, name),
             time_limit)
    no_clone = _cloneable(built, seeds[0])
    for check_name, check in CHECKS.items():
        if wanted is not None and check_name not in wanted:
            continue
        if no_clone is not None and check_name in _NEED_CLONES:
            report.skipped[check_name] = f"states cannot be cloned: {no_clone}"
            continue
        _run(report, check_name, lambda check=check: check(built, seeds), time_limit)
    return report


def assert_conforms(game: str | Game, seeds: Sequence[int] = tuple(range(20)),
                    checks: Sequence[str] | None = None,
                    time_limit: float | None = CHECK_TIME_LIMIT) -> Report:
    """:func:`check_game`, raising :class:`ConformanceError` with every failure listed:
    the one line for a plug-in's tests."""
    return check_game(game, seeds, checks, time_limit).raise_for_failures()
