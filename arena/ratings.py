"""Ratings from stored matches: Bradley-Terry with bootstrap intervals, Plackett-Luce.

Two-player matches (``bradley-terry``)
    P(i beats j) = 1 / (1 + exp(theta_j - theta_i)). A match scores 1 for the seat with
    the higher return, 0 for the lower, 1/2 each for equal returns. theta is the maximum
    a posteriori fit: the likelihood times a small prior, ``prior`` virtual draws of each
    agent against a fixed opponent at theta = 0, which keeps undefeated agents finite
    (``prior=0`` gives the plain maximum likelihood). Ratings are Elo-like points,
    ``400 * log10`` of the odds: ``1000 + 400 / ln 10 * theta``, theta centred on the
    mean (or on ``anchor``, which then reads 1000). The 95% interval is the 2.5 and 97.5
    percentiles over ``bootstrap`` refits on matches resampled with replacement (a seeded
    rng). Matches of an agent against itself carry no information and are left out.

Matches with more seats or with teams (``plackett-luce``)
    Each match ranks its sides (:func:`arena.results.sides`: a team, or an agent with all
    the seats it holds) by score and updates an openskill Plackett-Luce model with each
    side as one team, so team members share the credit; match by match in stored order.
    An agent on several sides (a fill) is not rated by that match.
    Rating = mu, interval = mu +- 1.96 sigma (openskill's scale, mu starts at 25).

Benchmarks (``benchmark``)
    A benchmark tournament (or matches of one seat) has no pairwise ratings: the board
    shows each benchmarked agent's success rate and mean return with 95% intervals
    (:func:`arena.results.benchmark_rows`).

Tables (:mod:`arena.results`): per agent, per pair of agents, per seat and per role (win
rate with a 95% Wilson interval), a win being a side's score above every other side's.
Teams and best returns come from the stored game (``games.make(id, **options)``).
Everything is computed from the store in a fixed order, so it is deterministic.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Sequence

import numpy as np

from arena.results import (BenchmarkRow, Match, PairRow, RoleRow, SeatRow, Side,
                           benchmark_roles, benchmark_rows, contested, sides, tables)

__all__ = [
    "Row", "PairRow", "SeatRow", "RoleRow", "BenchmarkRow", "Leaderboard", "Match",
    "bradley_terry", "bt_ratings", "plackett_luce_ratings", "pairwise_results",
    "leaderboard", "ELO_SCALE",
]

ELO_SCALE = 400.0 / math.log(10.0)
Result = tuple[str, str, float]
"""``(agent a, agent b, score of a)``: 1 a won, 0.5 draw, 0 b won."""


# ---- Bradley-Terry -------------------------------------------------------------------


def _encode(results: Sequence[Result], index: dict[str, int]) -> tuple[np.ndarray, ...]:
    a = np.array([index[r[0]] for r in results], dtype=np.int64)
    b = np.array([index[r[1]] for r in results], dtype=np.int64)
    return a, b, np.array([r[2] for r in results], dtype=float)


def _tally(a: np.ndarray, b: np.ndarray, s: np.ndarray, n: int,
           ) -> tuple[np.ndarray, np.ndarray]:
    """``played[i, j]`` games and ``score[i, j]`` points of i against j."""
    ij, ji = a * n + b, b * n + a
    played = np.bincount(ij, minlength=n * n) + np.bincount(ji, minlength=n * n)
    score = (np.bincount(ij, weights=s, minlength=n * n)
             + np.bincount(ji, weights=1.0 - s, minlength=n * n))
    return played.reshape(n, n).astype(float), score.reshape(n, n)


_NO_MLE = (
    "Bradley-Terry has no finite maximum likelihood here (an agent won or lost every "
    "match, or some agents are not connected by any match); use a prior > 0"
)


def _fit(played: np.ndarray, score: np.ndarray, prior: float, theta: np.ndarray | None,
         ) -> np.ndarray:
    """Newton's method on the concave log posterior; returns theta with mean zero."""
    n = played.shape[0]
    theta = np.zeros(n) if theta is None else theta.copy()
    gauge = 1.0 if prior == 0 else 0.0  # pins the mean when nothing else does

    def objective(t: np.ndarray) -> float:
        d = t[:, None] - t[None, :]
        ll = float(np.sum(score * -np.logaddexp(0.0, -d)))
        ll += prior * float(np.sum(-0.5 * np.logaddexp(0.0, -t) - 0.5 * np.logaddexp(0.0, t)))
        return ll - 0.5 * gauge * float(t.sum()) ** 2

    value = objective(theta)
    for _ in range(200):
        p = 1.0 / (1.0 + np.exp(-(theta[:, None] - theta[None, :])))
        q = 1.0 / (1.0 + np.exp(-theta))
        grad = (score - played * p).sum(axis=1) + prior * (0.5 - q) - gauge * theta.sum()
        w = played * p * (1.0 - p)
        hess = w - np.diag(w.sum(axis=1) + prior * q * (1.0 - q)) - gauge
        try:
            step = np.linalg.solve(hess, -grad)
        except np.linalg.LinAlgError as err:
            raise ValueError(_NO_MLE) from err
        t = 1.0
        while t > 1e-6:
            candidate = theta + t * step
            new = objective(candidate)
            if new >= value - 1e-12:
                break
            t /= 2
        theta, value = candidate, new
        if float(np.max(np.abs(t * step))) < 1e-10:
            return theta - theta.mean()
    if prior == 0 and float(np.max(np.abs(theta))) > 30:
        raise ValueError(_NO_MLE)
    return theta - theta.mean()


def bradley_terry(results: Sequence[Result], prior: float = 1.0,
                  agents: Iterable[str] | None = None) -> dict[str, float]:
    """Strengths theta (natural log-odds, mean zero) by agent."""
    if prior < 0:
        raise ValueError(f"prior={prior!r} must be >= 0 (virtual draws per agent)")
    names = sorted(set(agents or ()) | {a for a, _, _ in results} | {b for _, b, _ in results})
    if not names:
        return {}
    index = {a: i for i, a in enumerate(names)}
    played, score = _tally(*_encode(results, index), len(names))
    theta = _fit(played, score, prior, None)
    return {a: float(theta[i]) for a, i in index.items()}


def _to_points(theta: dict[str, float], anchor: str | None) -> dict[str, float]:
    if anchor is not None and anchor not in theta:
        raise ValueError(f"anchor agent {anchor!r} played no match (agents: {sorted(theta)})")
    shift = theta[anchor] if anchor is not None else sum(theta.values()) / len(theta)
    return {a: 1000.0 + ELO_SCALE * (t - shift) for a, t in theta.items()}


def bt_ratings(results: Sequence[Result], prior: float = 1.0, bootstrap: int = 200,
               seed: int = 0, anchor: str | None = None) -> dict[str, tuple[float, float, float]]:
    """``{agent: (rating, ci_low, ci_high)}`` in Elo-like points (see the module doc)."""
    names = sorted({a for a, _, _ in results} | {b for _, b, _ in results})
    if not names:
        return {}
    index = {a: i for i, a in enumerate(names)}
    a, b, s = _encode(results, index)
    base = _fit(*_tally(a, b, s, len(names)), prior, None)
    point = _to_points(dict(zip(names, base)), anchor)
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(bootstrap):
        k = rng.integers(0, len(results), len(results))
        try:
            theta = _fit(*_tally(a[k], b[k], s[k], len(names)), prior, base)
        except ValueError:
            continue  # a resample without a finite fit (prior=0 only)
        draws.append([_to_points(dict(zip(names, theta)), anchor)[a] for a in names])
    if not draws:
        return {a: (point[a], point[a], point[a]) for a in names}
    low, high = np.percentile(np.array(draws), [2.5, 97.5], axis=0)
    return {a: (point[a], float(low[i]), float(high[i])) for i, a in enumerate(names)}


# ---- Plackett-Luce (openskill) with teams ----------------------------------------------


def plackett_luce_ratings(outcomes: Iterable[Match | Sequence]
                          ) -> dict[str, tuple[float, float, float]]:
    """``{agent: (mu, mu - 1.96 sigma, mu + 1.96 sigma)}`` after every match in order.

    Each match is a ranking of its sides (:func:`arena.results.sides`) by score; a side's
    agents are rated as one openskill team, so team members share the credit."""
    try:
        from openskill.models import PlackettLuce
    except ImportError as err:
        raise ImportError(
            "ratings of games with more than two seats need openskill: pip install openskill"
        ) from err
    model = PlackettLuce()
    state = {}
    for outcome in outcomes:
        found = sides(outcome)
        skip = contested(found)
        found = [Side(tuple(a for a in s.agents if a not in skip), s.seats, s.score)
                 for s in found]
        found = [s for s in found if s.agents]
        if len(found) < 2:
            continue
        teams = [[state.get(a) or model.rating(name=a) for a in side.agents] for side in found]
        rated = model.rate(teams, scores=[side.score for side in found])
        for side, team in zip(found, rated):
            for a, r in zip(side.agents, team):
                state[a] = r
    return {a: (r.mu, r.mu - 1.96 * r.sigma, r.mu + 1.96 * r.sigma) for a, r in state.items()}


# ---- the leaderboard ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    agent: str
    rating: float
    ci_low: float
    ci_high: float
    games: int
    wins: int
    draws: int
    losses: int
    mean_return: float


@dataclass(frozen=True)
class Leaderboard:
    game: str | None
    tournament: str | None
    method: str
    """``bradley-terry``, ``plackett-luce``, ``benchmark`` or ``none`` (no matches)."""
    matches: int
    rows: list[Row]
    pairs: list[PairRow]
    seats: list[SeatRow]
    roles: list[RoleRow] = field(default_factory=list)
    """Win rate per agent per role, with 95% Wilson intervals."""
    benchmark: list[BenchmarkRow] = field(default_factory=list)
    """``benchmark`` method: success rate and mean return per agent (``rows`` empty)."""

    def to_dict(self) -> dict:
        return asdict(self)


def pairwise_results(outcomes: Iterable[Match | Sequence]) -> list[Result]:
    """Two-player outcomes as ``(seat 0 agent, seat 1 agent, score)``; mirrors dropped."""
    out = []
    for raw in outcomes:
        agents, returns = raw[0], raw[1]
        if len(agents) == 2 and agents[0] != agents[1]:
            out.append((agents[0], agents[1], 0.5 + 0.5 * _sign(returns[0] - returns[1])))
    return out


def _sign(x: float) -> int:
    return (x > 0) - (x < 0)


class _GameFacts:
    """Teams and best return of each stored game (by id and options), the game built
    once; teams per match, from its roles (a game may deal teams with the roles)."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def get(self, game_id: str, options: dict, roles: Sequence[str] = ()
            ) -> tuple[tuple[int, ...], float | None]:
        import json

        import games

        key = game_id + json.dumps(options, sort_keys=True)
        if key not in self._cache:
            try:
                self._cache[key] = games.make(game_id, **options)
            except (ValueError, KeyError, ImportError, TypeError):
                self._cache[key] = None  # not installed here: every seat for itself
        game = self._cache[key]
        if game is None:
            return (), None
        try:
            return game.teams(tuple(roles)), float(game.info.max_utility)
        except (ValueError, KeyError, TypeError):
            return (), float(game.info.max_utility)


def _stored(store, tid: str | None, game: str | None
            ) -> tuple[list[Match], float | None, list[str]]:
    """The selected matches, the game's best return, and the tournaments they come from."""
    facts, out, best, tids = _GameFacts(), [], None, {}
    for rec in store.matches(tid, game):
        teams, best = facts.get(rec.game, rec.options, rec.roles)
        if len(teams) != len(rec.agents):
            teams = ()
        out.append(Match(tuple(rec.agents), tuple(rec.returns), tuple(rec.roles), teams))
        tids.setdefault(rec.match_id.rpartition(":")[0], None)
    return out, best, list(tids)


def _benchmarked(store, tids: list[str], matches: list[Match]) -> list[str] | None:
    """The benchmarked agents when every selected match comes from a benchmark
    tournament (or has one seat); None otherwise."""
    configs = [store.tournament_config(t) for t in tids]
    if configs and all(c and c.get("format") == "benchmark" for c in configs):
        return list(dict.fromkeys(a for c in configs for a in c["agents"]))
    if all(len(m.agents) == 1 for m in matches):
        return sorted({m.agents[0] for m in matches})
    return None


def leaderboard(store, game: str | None = None, tid: str | None = None, *,
                prior: float = 1.0, bootstrap: int = 200, seed: int = 0,
                anchor: str | None = None) -> Leaderboard:
    """Ratings and tables from the matches in ``store`` (one game or all, one tournament
    or all). A benchmark table when every selected match comes from benchmark tournaments
    (or has one seat), else Bradley-Terry when every match has two seats on two teams,
    else Plackett-Luce with teams."""
    if tid is not None and store.tournament_config(tid) is None:
        known = [t["id"] for t in store.tournaments()]
        raise ValueError(
            f"no tournament {tid!r} in {store.path!r} (known: {', '.join(known) or 'none'})"
        )
    matches, best, tids = _stored(store, tid, game)
    if not matches:
        return Leaderboard(game, tid, "none", 0, [], [], [])
    agent_t, pairs, seats, roles = tables(matches)
    benchmarked = _benchmarked(store, tids, matches)
    if benchmarked is not None:
        one_seat = all(len(m.agents) == 1 for m in matches)
        best = best if one_seat else None
        rows = benchmark_rows(matches, benchmarked, best)
        roles = benchmark_roles(matches, benchmarked, best)
        return Leaderboard(game, tid, "benchmark", len(matches), [], pairs, seats, roles, rows)
    if all(len(m.agents) == 2 and len(set(m.teams or (0, 1))) == 2 for m in matches):
        method = "bradley-terry"
        rated = bt_ratings(pairwise_results(matches), prior, bootstrap, seed, anchor)
    else:
        method = "plackett-luce"
        rated = plackett_luce_ratings(matches)
    rows = [Row(a, *rated[a], t.games, t.wins, t.draws, t.losses, t.mean)
            for a, t in agent_t.items() if a in rated]
    rows.sort(key=lambda r: (-r.rating, r.agent))
    return Leaderboard(game, tid, method, len(matches), rows, pairs, seats, roles)
