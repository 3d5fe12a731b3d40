"""Who plays where: every line-up in the arena is decided here, and played here.

Formats (:data:`FORMATS`)
    ``round-robin``: every group of distinct agents of the game's size (pairs in a
    two-player game) in every seat order. ``gauntlet``: the first agent with each group of
    the others. ``benchmark``: each agent alone, for ``rounds`` seeded episodes per seat; in
    a one-player game that is the whole match, in any other game the other seats hold the
    ``fill`` agent (a fixed field). With ``fill`` in the other formats, a group smaller than
    the game takes the seats it can and ``fill`` the rest; without it, the group's agents
    repeat around the table.

Seats and roles
    A group of up to 4 agents that fills the table plays every permutation; otherwise its
    line-up is rotated, one rotation per position, so every agent sits at every position
    equally often. Positions are the seats ordered by their role in that match's state
    (the game's declared role order, then seat: :func:`seat_order`), so where a seed deals
    the roles (Werewolf), every agent still plays every role as often as the role occurs.
    In games whose roles are fixed per seat, position and seat coincide.

Seeds
    All from :func:`common.seeds.derive_seed`. Tournament match ``i``:
    ``derive_seed("arena-match", seed, i)``. Benchmark episode ``k`` at position ``p``:
    ``derive_seed("arena-episode", seed, game, p, k)``: every benchmarked agent meets the
    same deals and worlds (paired comparison). Callers with their own purpose (the training
    ladder, evaluation) pass it as ``purpose``.

Playing
    :func:`play` plays scheduled matches with live agents, all in one batched
    :func:`arena.runner.run_matches` call; tournaments play the same :class:`Scheduled`
    matches through :mod:`arena.backends` (worker processes, Ray).
"""

from __future__ import annotations

from itertools import combinations, permutations
from typing import Mapping, Sequence

import games
from agents import Agent
from common.seeds import derive_seed

from arena.backends import Scheduled
from arena.records import MatchRecord
from arena.runner import MatchConfig, MatchSpec, run_matches

__all__ = [
    "FORMATS", "Scheduled", "groups", "lineups", "seat_order", "place", "tournament_schedule",
    "benchmark_schedule", "versus_schedule", "round_robin_schedule", "selfplay_schedule",
    "play",
]

FORMATS = ("round-robin", "gauntlet", "benchmark")


def groups(agents: Sequence[str], seats: int, fmt: str) -> list[tuple[str, ...]]:
    """The groups of agents that meet: all combinations of ``seats`` (round-robin), the
    first agent with each combination of the others (gauntlet), each agent alone
    (benchmark); all agents together when there are no more than seats."""
    agents = tuple(agents)
    if fmt == "benchmark":
        return [(a,) for a in agents]
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r} must be one of {', '.join(FORMATS)}")
    if len(agents) <= seats:
        return [agents]
    if fmt == "gauntlet":
        return [(agents[0], *rest) for rest in combinations(agents[1:], seats - 1)]
    return list(combinations(agents, seats))


def lineups(group: Sequence[str], seats: int, fill: str | None = None
            ) -> list[tuple[str, ...]]:
    """A group's line-ups by position (see the module doc): all permutations of a full
    group of up to 4; else one rotation per position, ``fill`` in the seats left over
    (without ``fill`` the group repeats around the table)."""
    group = tuple(group)
    m = len(group)
    if m == seats and seats <= 4:
        return list(permutations(group))
    if fill is not None and m < seats:
        base = group + (fill,) * (seats - m)
        return [tuple(base[(k + r) % seats] for k in range(seats)) for r in range(seats)]
    return [tuple(group[(k + r) % m] for k in range(seats)) for r in range(m)]


def seat_order(game: games.Game, seed: int) -> tuple[int, ...]:
    """Seats ordered by their role in the match of ``seed``: the game's declared role
    order first, then seat number (the identity where roles are fixed per seat); seat
    order itself in a game without chance."""
    if game.num_players == 1 or game.info.chance == "none":  # roles cannot depend on seed
        return tuple(range(game.num_players))
    state = game.new_state(seed)
    declared = {role: i for i, role in enumerate(game.info.roles)}
    rank = [declared.get(state.role(p), len(declared)) for p in range(game.num_players)]
    return tuple(sorted(range(game.num_players), key=lambda p: (rank[p], p)))


def place(by_position: Sequence[str], order: Sequence[int]) -> tuple[str, ...]:
    """Agents by seat from agents by position: position ``k`` sits in seat ``order[k]``."""
    seats: list[str] = [""] * len(order)
    for k, seat in enumerate(order):
        seats[seat] = by_position[k]
    return tuple(seats)


def _size(spec: str, game: games.Game | None) -> games.Game:
    return game if game is not None else games.make(spec)


def tournament_schedule(game_specs: Sequence[str], agents: Sequence[str], rounds: int,
                        fmt: str, seed: int, fill: str | None = None) -> list[Scheduled]:
    """Every match of a tournament in index order: for each game, for each round, every
    line-up of every group (``benchmark``: :func:`benchmark_schedule`)."""
    out: list[Scheduled] = []
    for spec in game_specs:
        game = games.make(spec)
        if fmt == "benchmark":
            for m in benchmark_schedule(spec, agents, rounds, seed, fill, game=game):
                out.append(m._replace(index=len(out)))
            continue
        by_position = [lu for g in groups(agents, game.num_players, fmt)
                       for lu in lineups(g, game.num_players, fill)]
        for _ in range(rounds):
            for lineup in by_position:
                i = len(out)
                mseed = match_seed(seed, i)
                out.append(Scheduled(i, spec, place(lineup, seat_order(game, mseed)), mseed))
    return out


def match_seed(tournament_seed: int, index: int) -> int:
    """The seed of round-robin and gauntlet match ``index``."""
    return derive_seed("arena-match", tournament_seed, index)


def check_benchmark(game_spec: str, game: games.Game, fill: str | None) -> None:
    """A benchmark of a game of several seats needs a field for the other seats."""
    if game.num_players > 1 and fill is None:
        raise ValueError(
            f"a benchmark on {game_spec!r} ({game.num_players} seats) needs a field for the "
            "other seats: give --fill SPEC (e.g. --fill random)"
        )


def benchmark_schedule(game_spec: str, agents: Sequence[str], episodes: int, seed: int,
                       fill: str | None = None, purpose: str = "arena-episode",
                       game: games.Game | None = None) -> list[Scheduled]:
    """Each agent alone against the field ``fill``: ``episodes`` per position, episode
    ``k`` at position ``p`` seeded ``derive_seed(purpose, seed, game_spec, p, k)`` for
    every agent alike. Indices count from 0 in order (episode, agent, position)."""
    game = _size(game_spec, game)
    seats = game.num_players
    check_benchmark(game_spec, game, fill)
    out: list[Scheduled] = []
    for k in range(episodes):
        for agent in agents:
            for p in range(seats):
                match_seed = derive_seed(purpose, seed, game_spec, p, k)
                by_position = [fill] * seats
                by_position[p] = agent
                out.append(Scheduled(len(out), game_spec,
                                     place(by_position, seat_order(game, match_seed)),
                                     match_seed))
    return out


def versus_schedule(game_spec: str, agent: str, opponent: str, games_per_seat: int,
                    seed: int, purpose: str = "versus",
                    game: games.Game | None = None) -> list[Scheduled]:
    """``agent`` at each position in turn, every other seat ``opponent``: a benchmark of
    one agent against a fixed field."""
    return benchmark_schedule(game_spec, [agent], games_per_seat, seed, opponent, purpose,
                              game)


def round_robin_schedule(game_spec: str, names: Sequence[str], repeats: int, seed: int,
                         purpose: str, game: games.Game | None = None) -> list[Scheduled]:
    """Every group of distinct players in every line-up, ``repeats`` times each; match
    seeds ``derive_seed(purpose, seed, game_spec, line-up, k)``, so a match depends on
    who plays it, not on who else is in the schedule."""
    game = _size(game_spec, game)
    out: list[Scheduled] = []
    for group in groups(sorted(names), game.num_players, "round-robin"):
        for lineup in lineups(group, game.num_players):
            for k in range(repeats):
                match_seed = derive_seed(purpose, seed, game_spec, ",".join(lineup), k)
                out.append(Scheduled(len(out), game_spec,
                                     place(lineup, seat_order(game, match_seed)), match_seed))
    return out


def selfplay_schedule(game_specs: Sequence[str], agent: str, matches: int, seed: int,
                      purpose: str) -> list[Scheduled]:
    """``matches`` self-play matches of ``agent`` in every seat, cycling through
    ``game_specs``; match ``k`` on game ``g`` seeded ``derive_seed(purpose, seed, g, k)``."""
    if not game_specs:
        raise ValueError("self-play needs at least one game spec, e.g. ['kuhn_poker']")
    out = []
    for k in range(matches):
        spec = game_specs[k % len(game_specs)]
        seats = games.make(spec).num_players
        out.append(Scheduled(k, spec, (agent,) * seats, derive_seed(purpose, seed, spec, k)))
    return out


def play(scheduled: Sequence[Scheduled], players: Mapping[str, Agent],
         config: MatchConfig | None = None, match_prefix: str = "") -> list[MatchRecord]:
    """Play scheduled matches with live agents (``players``: name -> agent), batched in one
    runner call; records in schedule order, ``match_id`` ``<prefix><index>``."""
    built: dict[str, games.Game] = {}
    specs = []
    for m in scheduled:
        if m.game not in built:
            built[m.game] = games.make(m.game)
        missing = [a for a in m.agents if a not in players]
        if missing:
            raise ValueError(f"scheduled agents {missing} have no player (players: "
                             f"{', '.join(sorted(players))})")
        specs.append(MatchSpec(built[m.game], [players[a] for a in m.agents], m.seed,
                               match_id=f"{match_prefix}{m.index}"))
    return run_matches(specs, config or MatchConfig(invalid="forfeit"))
