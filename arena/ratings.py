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

Matches with more seats (``plackett-luce``)
    Each match ranks its distinct agents by return (an agent holding several seats gets
    its mean return) and updates an openskill Plackett-Luce model, match by match in
    stored order. Rating = mu, interval = mu +- 1.96 sigma (openskill's scale, mu starts
    at 25). Needs the ``openskill`` package.

Tables: per agent, per pair of agents and per seat, wins/draws/losses counted the same
way (a win: a higher return than every other agent in the match; a draw: tied highest).
Everything is computed from the store in a fixed order, so it is deterministic.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import asdict, dataclass
from typing import Iterable, Sequence

import numpy as np

__all__ = [
    "Row", "PairRow", "SeatRow", "Leaderboard", "bradley_terry", "bt_ratings",
    "plackett_luce_ratings", "leaderboard", "ELO_SCALE",
]

ELO_SCALE = 400.0 / math.log(10.0)
Result = tuple[str, str, float]
"""``(agent a, agent b, score of a)``: 1 a won, 0.5 draw, 0 b won."""
Outcome = tuple[tuple[str, ...], tuple[float, ...]]
"""``(agents by seat, returns by seat)`` of one match."""


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
class PairRow:
    agent_a: str
    agent_b: str
    wins_a: int
    draws: int
    wins_b: int


@dataclass(frozen=True)
class SeatRow:
    agent: str
    seat: int
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
    """``bradley-terry``, ``plackett-luce`` or ``none`` (no matches)."""
    matches: int
    rows: list[Row]
    pairs: list[PairRow]
    seats: list[SeatRow]

    def to_dict(self) -> dict:
        return asdict(self)


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


# ---- Plackett-Luce (openskill) ---------------------------------------------------------


def _by_agent(agents: Sequence[str], returns: Sequence[float]) -> dict[str, float]:
    """Mean return of each distinct agent in a match, in order of first seat."""
    sums: dict[str, list[float]] = {}
    for a, r in zip(agents, returns):
        sums.setdefault(a, []).append(float(r))
    return {a: sum(v) / len(v) for a, v in sums.items()}


def plackett_luce_ratings(outcomes: Sequence[Outcome]) -> dict[str, tuple[float, float, float]]:
    """``{agent: (mu, mu - 1.96 sigma, mu + 1.96 sigma)}`` after every match in order."""
    try:
        from openskill.models import PlackettLuce
    except ImportError as err:
        raise ImportError(
            "ratings of games with more than two seats need openskill: pip install openskill"
        ) from err
    model = PlackettLuce()
    state = {}
    for agents, returns in outcomes:
        scores = _by_agent(agents, returns)
        if len(scores) < 2:
            continue
        names = list(scores)
        teams = [[state.get(a) or model.rating(name=a)] for a in names]
        for a, (rated,) in zip(names, model.rate(teams, scores=[scores[a] for a in names])):
            state[a] = rated
    return {a: (r.mu, r.mu - 1.96 * r.sigma, r.mu + 1.96 * r.sigma) for a, r in state.items()}


# ---- tables and the leaderboard --------------------------------------------------------


def _result(mine: float, best_other: float) -> int:
    """1 win, 0 draw, -1 loss."""
    return (mine > best_other) - (mine < best_other)


def pairwise_results(outcomes: Iterable[Outcome]) -> list[Result]:
    """Two-player outcomes as ``(seat 0 agent, seat 1 agent, score)``; mirrors dropped."""
    out = []
    for agents, returns in outcomes:
        if len(agents) == 2 and agents[0] != agents[1]:
            out.append((agents[0], agents[1], 0.5 + 0.5 * _result(returns[0], returns[1])))
    return out


def _tables(outcomes: Sequence[Outcome]) -> tuple[dict, list[PairRow], list[SeatRow]]:
    agent_t = defaultdict(lambda: [0, 0, 0, 0, 0.0])  # games, wins, draws, losses, sum
    seat_t = defaultdict(lambda: [0, 0, 0, 0, 0.0])
    pair_t = defaultdict(lambda: [0, 0, 0])
    for agents, returns in outcomes:
        scores = _by_agent(agents, returns)
        if len(scores) < 2:
            continue
        for a, r in scores.items():
            _count(agent_t[a], _result(r, max(v for b, v in scores.items() if b != a)), r)
        for seat, (a, r) in enumerate(zip(agents, returns)):
            best = max(v for b, v in scores.items() if b != a)
            _count(seat_t[(a, seat)], _result(float(r), best), float(r))
        for a, b in ((a, b) for a in scores for b in scores if a < b):
            pair_t[(a, b)][1 - _result(scores[a], scores[b])] += 1
    pairs = [PairRow(a, b, *v) for (a, b), v in sorted(pair_t.items())]
    seats = [SeatRow(a, s, g, w, d, l, tot / g)
             for (a, s), (g, w, d, l, tot) in sorted(seat_t.items())]
    return dict(agent_t), pairs, seats


def _count(cell: list, result: int, ret: float) -> None:
    cell[0] += 1
    cell[2 - result] += 1
    cell[4] += ret


def leaderboard(store, game: str | None = None, tid: str | None = None, *,
                prior: float = 1.0, bootstrap: int = 200, seed: int = 0,
                anchor: str | None = None) -> Leaderboard:
    """Ratings and tables from the matches in ``store`` (one game or all, one tournament
    or all). Bradley-Terry when every selected match has two seats, else Plackett-Luce."""
    if tid is not None and store.tournament_config(tid) is None:
        known = [t["id"] for t in store.tournaments()]
        raise ValueError(
            f"no tournament {tid!r} in {store.path!r} (known: {', '.join(known) or 'none'})"
        )
    outcomes = [(agents, returns) for _, _, agents, returns in store.outcomes(tid, game)]
    if not outcomes:
        return Leaderboard(game, tid, "none", 0, [], [], [])
    agent_t, pairs, seats = _tables(outcomes)
    if all(len(a) == 2 for a, _ in outcomes):
        method = "bradley-terry"
        rated = bt_ratings(pairwise_results(outcomes), prior, bootstrap, seed, anchor)
    else:
        method = "plackett-luce"
        rated = plackett_luce_ratings(outcomes)
    rows = [Row(a, *rated[a], g, w, d, l, tot / g)
            for a, (g, w, d, l, tot) in agent_t.items() if a in rated]
    rows.sort(key=lambda r: (-r.rating, r.agent))
    return Leaderboard(game, tid, method, len(outcomes), rows, pairs, seats)
