"""Results of stored matches: sides, win/draw/loss tables, per-role rates, benchmarks.

Sides
    A match is played by *sides*: seats of one team (:meth:`games.Game.teams`) win and lose
    together and form one side (:func:`sides`). A side scores the mean return of its
    seats. In a game where every seat plays for itself, a side is an agent (its mean
    return over the seats it holds); in a team game, a side is a team. A match with fewer
    than two sides (an agent against itself) says nothing about anyone and is left out.

Counting
    An agent wins a match when its side scores more than every other side, draws when it
    ties the best, loses otherwise. Tables: per agent, per pair of agents on different
    sides, per seat and per role (with a 95% Wilson interval on the win rate).

Benchmarks
    Each benchmarked agent's episodes: mean return with a 95% interval (normal
    approximation) and a success rate with a 95% Wilson interval. A success is a win (see
    above) in a game of several seats and, in a one-player game, a return equal to the
    game's best possible one (``GameInfo.max_utility``; a return above 0 where unknown).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, NamedTuple, Sequence

from games.algorithms.evaluation import Z95, wilson_interval

__all__ = [
    "Match", "Side", "sides", "contested", "wilson_interval", "mean_interval", "PairRow", "SeatRow",
    "RoleRow", "BenchmarkRow", "Tally", "tables", "benchmark_rows", "benchmark_roles",
]



class Match(NamedTuple):
    """One match as ratings see it; ``teams`` empty: every seat is its own team."""

    agents: tuple[str, ...]
    returns: tuple[float, ...]
    roles: tuple[str, ...] = ()
    teams: tuple[int, ...] = ()


class Side(NamedTuple):
    agents: tuple[str, ...]
    """Distinct agents of the side, in seat order."""
    seats: tuple[int, ...]
    score: float


def as_match(item: Match | Sequence) -> Match:
    return item if isinstance(item, Match) else Match(*item)


def sides(match: Match | Sequence) -> list[Side]:
    """The sides of a match in order of their first seat (see the module doc)."""
    m = as_match(match)
    n = len(m.agents)
    teams = m.teams or tuple(range(n))
    by_agent = len(set(teams)) == n  # every seat for itself: an agent's seats are one player
    members: dict[object, list[int]] = {}
    for seat in range(n):
        members.setdefault(m.agents[seat] if by_agent else teams[seat], []).append(seat)
    out = []
    for seats in members.values():
        agents = tuple(dict.fromkeys(m.agents[s] for s in seats))
        score = sum(float(m.returns[s]) for s in seats) / len(seats)
        out.append(Side(agents, tuple(seats), score))
    return out


def contested(found: Sequence[Side]) -> set[str]:
    """Agents on more than one side of a match (a fill, or self-play across teams): the
    match says nothing about them as a player."""
    seen: dict[str, int] = {}
    for side in found:
        for a in side.agents:
            seen[a] = seen.get(a, 0) + 1
    return {a for a, k in seen.items() if k > 1}


def mean_interval(values: Sequence[float], z: float = Z95) -> tuple[float, float, float]:
    """``(mean, low, high)``: the mean +- z standard errors (sample deviation)."""
    n = len(values)
    if n == 0:
        return 0.0, 0.0, 0.0
    mean = sum(values) / n
    if n == 1:
        return mean, mean, mean
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    half = z * sd / math.sqrt(n)
    return mean, mean - half, mean + half


def _result(mine: float, best_other: float) -> int:
    """1 win, 0 draw, -1 loss."""
    return (mine > best_other) - (mine < best_other)


@dataclass
class Tally:
    games: int = 0
    wins: int = 0
    draws: int = 0
    losses: int = 0
    total: float = 0.0

    def add(self, result: int, ret: float) -> None:
        self.games += 1
        self.wins += result == 1
        self.draws += result == 0
        self.losses += result == -1
        self.total += ret

    @property
    def mean(self) -> float:
        return self.total / self.games if self.games else 0.0


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
class RoleRow:
    agent: str
    role: str
    games: int
    wins: int
    draws: int
    losses: int
    win_rate: float
    win_low: float
    win_high: float
    mean_return: float


def _agent_return(m: Match, agent: str) -> float:
    mine = [float(r) for a, r in zip(m.agents, m.returns) if a == agent]
    return sum(mine) / len(mine)


def _count_pairs(pair_t: dict[tuple[str, str], list[int]], found: Sequence[Side],
                 skip: set[str]) -> None:
    """Agents on different sides, in name order: ``[wins of the first, draws, wins of the
    second]``."""
    for i, x in enumerate(found):
        for y in found[i + 1:]:
            for a in (a for a in x.agents if a not in skip):
                for b in (b for b in y.agents if b not in skip):
                    if a < b:
                        pair_t[(a, b)][1 - _result(x.score, y.score)] += 1
                    else:
                        pair_t[(b, a)][1 - _result(y.score, x.score)] += 1


def tables(matches: Iterable[Match | Sequence]
           ) -> tuple[dict[str, Tally], list[PairRow], list[SeatRow], list[RoleRow]]:
    """Per agent, per pair, per seat and per role counts (see the module doc)."""
    agent_t: dict[str, Tally] = defaultdict(Tally)
    seat_t: dict[tuple[str, int], Tally] = defaultdict(Tally)
    role_t: dict[tuple[str, str], Tally] = defaultdict(Tally)
    pair_t: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    for raw in matches:
        m = as_match(raw)
        found = sides(m)
        if len(found) < 2:
            continue
        side_of = {s: i for i, side in enumerate(found) for s in side.seats}
        best_other = [max(o.score for j, o in enumerate(found) if j != i)
                      for i in range(len(found))]
        skip = contested(found)
        for i, side in enumerate(found):
            for a in side.agents:
                if a not in skip:
                    agent_t[a].add(_result(side.score, best_other[i]), _agent_return(m, a))
        for seat, (a, r) in enumerate(zip(m.agents, m.returns)):
            result = _result(float(r), best_other[side_of[seat]])
            seat_t[(a, seat)].add(result, float(r))
            if m.roles:
                role_t[(a, m.roles[seat])].add(_result(found[side_of[seat]].score,
                                                       best_other[side_of[seat]]), float(r))
        _count_pairs(pair_t, found, skip)
    pairs = [PairRow(a, b, *v) for (a, b), v in sorted(pair_t.items())]
    seats = [SeatRow(a, s, t.games, t.wins, t.draws, t.losses, t.mean)
             for (a, s), t in sorted(seat_t.items())]
    roles = [RoleRow(a, role, t.games, t.wins, t.draws, t.losses, t.wins / t.games,
                     *wilson_interval(t.wins, t.games), t.mean)
             for (a, role), t in sorted(role_t.items())]
    return dict(agent_t), pairs, seats, roles


@dataclass(frozen=True)
class BenchmarkRow:
    agent: str
    episodes: int
    mean_return: float
    mean_low: float
    mean_high: float
    successes: int
    success_rate: float
    success_low: float
    success_high: float


def _success(m: Match, agent: str, best_return: float | None) -> bool:
    """A one-player episode reaching the best return, or a win of the agent's side."""
    if len(m.agents) == 1:
        ret = float(m.returns[0])
        return ret > 0 if best_return is None else ret >= best_return - 1e-9
    found = sides(m)
    if len(found) < 2:
        return False
    i = next(i for i, side in enumerate(found) if agent in side.agents)
    return found[i].score > max(o.score for j, o in enumerate(found) if j != i)


def _benchmark_result(m: Match, agent: str, seat: int, best_return: float | None) -> int:
    if _success(m, agent, best_return):
        return 1
    if len(m.agents) > 1:
        found = sides(m)
        i = next(i for i, side in enumerate(found) if agent in side.agents)
        if found[i].score == max(o.score for j, o in enumerate(found) if j != i):
            return 0
    return -1


def benchmark_rows(matches: Iterable[Match | Sequence], agents: Sequence[str],
                   best_return: float | None = None) -> list[BenchmarkRow]:
    """One row per agent of ``agents`` over the matches it played (the others are the
    field); best first by mean return. ``best_return``: a one-player game's maximum."""
    returns: dict[str, list[float]] = {a: [] for a in agents}
    wins: dict[str, int] = {a: 0 for a in agents}
    for raw in matches:
        m = as_match(raw)
        for a in set(m.agents) & set(agents):
            returns[a].append(_agent_return(m, a))
            wins[a] += _success(m, a, best_return)
    rows = []
    for a in agents:
        n = len(returns[a])
        if not n:
            continue
        mean, low, high = mean_interval(returns[a])
        rows.append(BenchmarkRow(a, n, mean, low, high, wins[a], wins[a] / n,
                                 *wilson_interval(wins[a], n)))
    rows.sort(key=lambda r: (-r.mean_return, r.agent))
    return rows


def benchmark_roles(matches: Iterable[Match | Sequence], agents: Sequence[str],
                    best_return: float | None = None) -> list[RoleRow]:
    """Per benchmarked agent and role: successes as wins; in a game of several seats a
    side that neither wins nor loses (equal scores) draws; the rest are losses."""
    tally: dict[tuple[str, str], Tally] = defaultdict(Tally)
    for raw in matches:
        m = as_match(raw)
        for seat, a in enumerate(m.agents):
            if a in agents and m.roles:
                tally[(a, m.roles[seat])].add(_benchmark_result(m, a, seat, best_return),
                                              float(m.returns[seat]))
    return [RoleRow(a, role, t.games, t.wins, t.draws, t.losses, t.wins / t.games,
                    *wilson_interval(t.wins, t.games), t.mean)
            for (a, role), t in sorted(tally.items())]
