"""Tournaments: a schedule of matches, played by a backend, committed to the store.

Schedule (:mod:`arena.schedule`)
    Who plays where is decided by :func:`arena.schedule.tournament_schedule`: for each game,
    for each round, every line-up of every group. ``round-robin``: all groups of distinct
    agents of the game's size in every seat order; ``gauntlet``: the first agent with each
    group of the others; ``benchmark``: each agent alone for ``rounds`` seeded episodes per
    seat (one-player games; in other games the other seats hold ``fill``). ``fill`` (an
    agent spec) takes the seats a group leaves free in a many-player game. Match seeds come
    from :func:`common.seeds.derive_seed`: results never depend on the backend, the number
    of workers or the order in which matches finish.

Identity and resuming
    The tournament id is a short stable hash of what determines the results (games,
    agents, rounds, format, seed, invalid-action policy, and the fill agent when there is
    one), so running the same command again resumes it: only matches not yet in the store
    are played. Workers, backend and batch size can change between runs.

Backends (:mod:`arena.backends`)
    ``local`` with ``workers=1``: in this process, ``batch`` matches per runner call,
    committed per step. ``local`` with ``workers=K``: K spawned worker processes.
    ``ray``: remote tasks on a Ray cluster (``ray_address``) or a local Ray with
    ``workers`` CPUs (the optional extra: ``pip install selfplay-arena[ray]``).

The command-line entry points live in :mod:`arena.tournament_cli`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from dataclasses import asdict, dataclass
from typing import Callable, Literal

import games
from agents.registry import available_agents, parse_agent_spec

from common.seeds import derive_seed

from arena import backends
from arena.runner import MatchConfig
from arena.schedule import FORMATS, Scheduled, check_benchmark, match_seed, tournament_schedule
from arena.store import Store

__all__ = [
    "TournamentConfig", "TournamentResult", "Scheduled", "schedule", "run_tournament",
    "match_seed", "FORMATS", "BACKENDS",
]

log = logging.getLogger(__name__)

BACKENDS = ("local", "ray")
_IDENTITY = ("games", "agents", "rounds", "format", "seed", "invalid", "fill")


@dataclass
class TournamentConfig:
    """A tournament: what is played (hashed into its id) and how it runs (not hashed)."""

    games: list[str]
    """Game specs, e.g. ``["kuhn_poker", "tictactoe:..."]`` (options after a colon)."""
    agents: list[str]
    """Distinct agent specs, e.g. ``["random", "expert", "mcts:simulations=50"]``."""
    rounds: int = 2
    """How many times every pairing is played in every seat order (``benchmark``:
    episodes per agent and seat)."""
    format: Literal["round-robin", "gauntlet", "benchmark"] = "round-robin"
    """``round-robin``: all groups of agents; ``gauntlet``: the first agent against the rest;
    ``benchmark``: each agent alone (against ``fill`` in the other seats)."""
    workers: int = 1
    """Worker processes (local) or CPUs of a local Ray."""
    backend: Literal["local", "ray"] = "local"
    seed: int = 0
    invalid: str = "forfeit"
    """Invalid-action policy: ``forfeit`` | ``retry:K`` | ``random``."""
    ray_address: str | None = None
    """A running Ray cluster (``ray://host:10001`` or ``auto``); None: start a local one."""
    batch: int = 64
    """Matches per runner call: each agent answers up to this many decisions at once."""
    fill: str | None = None
    """Agent spec for the seats a group leaves free (many-player games), and the fixed
    field of a ``benchmark`` in a game of more than one seat; None: agents repeat."""

    def __post_init__(self) -> None:
        self.games = _str_list("games", self.games, "--game kuhn_poker")
        self.agents = _str_list("agents", self.agents, "--agents random,expert")
        for spec in self.games:
            game = games.make(spec)  # raises a clear error for an unknown game or option
            if self.format == "benchmark":
                check_benchmark(spec, game, self.fill)
        for spec in self.agents:
            name, _ = parse_agent_spec(spec)
            if name not in available_agents():
                raise ValueError(
                    f"unknown agent {name!r} in {spec!r} (known: {', '.join(available_agents())})"
                )
        dupes = sorted({a for a in self.agents if self.agents.count(a) > 1})
        if dupes:
            raise ValueError(f"agents must be distinct; {dupes} listed twice")
        if len(self.agents) < 2 and self.format != "benchmark":
            raise ValueError(f"a tournament needs at least 2 agents, got {self.agents} "
                             "(or --format benchmark for agents on their own)")
        if self.fill is not None:
            self._check_fill()
        _check_int("rounds", self.rounds, 1, MAX_ROUNDS)
        _check_int("workers", self.workers, 1, MAX_WORKERS)
        _check_int("batch", self.batch, 1, MAX_BATCH)
        _check_int("seed", self.seed, 0)
        if self.format not in FORMATS:
            raise ValueError(f"format={self.format!r} must be one of {', '.join(FORMATS)}")
        if self.backend not in BACKENDS:
            raise ValueError(f"backend={self.backend!r} must be one of {', '.join(BACKENDS)}")
        if self.ray_address is not None and self.backend != "ray":
            raise ValueError(
                f"ray_address={self.ray_address!r} given with backend={self.backend!r}; "
                "add --backend ray or drop the address"
            )
        MatchConfig(invalid=self.invalid)  # validates the policy

    def _check_fill(self) -> None:
        if not isinstance(self.fill, str) or not self.fill.strip():
            raise ValueError(f"fill={self.fill!r} must be an agent spec (e.g. --fill random)")
        self.fill = self.fill.strip()
        name, _ = parse_agent_spec(self.fill)
        if name not in available_agents():
            raise ValueError(f"unknown agent {name!r} in fill {self.fill!r} "
                             f"(known: {', '.join(available_agents())})")
        if self.fill in self.agents:
            raise ValueError(f"fill {self.fill!r} is also one of the agents; results could not "
                             "tell them apart: drop it from --agents or fill with another agent")

    def identity(self) -> dict:
        """What determines the results (stored with the tournament, hashed into its id).
        ``fill`` only when set, so ids of tournaments without it stay as they were."""
        return {k: v for k, v in asdict(self).items()
                if k in _IDENTITY and not (k == "fill" and v is None)}

    def tournament_id(self) -> str:
        text = json.dumps(self.identity(), sort_keys=True)
        return "t" + hashlib.sha256(text.encode()).hexdigest()[:10]

    @classmethod
    def from_identity(cls, identity: dict, **runtime) -> "TournamentConfig":
        return cls(**{**identity, **runtime})


def _str_list(name: str, value, example: str) -> list[str]:
    if isinstance(value, str) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"{name}={value!r} must be a list of non-empty specs (e.g. {example})")
    items = [v.strip() for v in value]
    if not items:
        raise ValueError(f"{name} is empty: give at least one (e.g. {example})")
    return items


MAX_ROUNDS, MAX_WORKERS, MAX_BATCH = 10_000, 256, 4096
"""Bounds of the count options: the schedule of every match is held in memory."""


def check_counts(rounds: int, workers: int, batch: int) -> None:
    """The count options within their bounds (checked again by the config): a command
    refuses them before it opens or creates a store."""
    _check_int("rounds", rounds, 1, MAX_ROUNDS)
    _check_int("workers", workers, 1, MAX_WORKERS)
    _check_int("batch", batch, 1, MAX_BATCH)


def _check_int(name: str, value, low: int, high: int | None = None) -> None:
    if (not isinstance(value, int) or isinstance(value, bool) or value < low
            or (high is not None and value > high)):
        upper = f" and <= {high}" if high is not None else ""
        raise ValueError(f"{name}={value!r} must be a whole number >= {low}{upper} "
                         f"(--{name})")


def schedule(config: TournamentConfig) -> list[Scheduled]:
    """Every match of the tournament, in index order (:mod:`arena.schedule`)."""
    return tournament_schedule(config.games, config.agents, config.rounds, config.format,
                               config.seed, config.fill)


@dataclass(frozen=True)
class TournamentResult:
    tournament_id: str
    total: int
    """Matches in the schedule."""
    played: int
    """Matches played (and committed) by this run."""
    resumed: int
    """Matches found already stored when this run started."""
    elapsed_s: float
    workers: int = 1
    backend: str = "local"

    @property
    def matches_per_s(self) -> float:
        return self.played / self.elapsed_s if self.elapsed_s > 0 else math.inf


def run_tournament(
    config: TournamentConfig,
    store: Store,
    progress: Callable[[int, int], None] | None = None,
    tournament_id: str | None = None,
) -> TournamentResult:
    """Play every scheduled match not yet in ``store``; each is committed as it finishes.

    ``progress(done, total)`` is called at the start and after every commit.
    """
    tid = tournament_id or config.tournament_id()
    store.create_or_get_tournament(tid, config.identity())
    planned = schedule(config)
    done = store.done_indices(tid)
    pending = [m for m in planned if m.index not in done]
    total, count = len(planned), len(planned) - len(pending)
    resumed = count
    if progress is not None:
        progress(count, total)

    def commit(items):
        nonlocal count
        count += store.add_matches(tid, items)
        if progress is not None:
            progress(count, total)

    start = time.perf_counter()
    _dispatch(config, tid, pending, commit)
    elapsed = time.perf_counter() - start
    log.info("tournament %s: %d matches played in %.1fs", tid, len(pending), elapsed)
    return TournamentResult(tid, total, count - resumed, resumed, elapsed,
                            config.workers, config.backend)


def _dispatch(config: TournamentConfig, tid: str, pending: list[Scheduled], commit) -> None:
    if not pending:
        return
    if config.backend == "local" and config.workers == 1:
        size = config.batch
    else:
        size = backends.pool_chunk_size(len(pending), config.workers, config.batch)
    chunks = backends.make_chunks(pending, size, tid, config.seed, config.invalid)
    if config.backend == "ray":
        backends.run_on_ray(chunks, commit, config.workers, config.ray_address)
    elif config.workers == 1:
        backends.run_in_process(chunks, commit)
    else:
        backends.run_in_pool(chunks, commit, config.workers)
