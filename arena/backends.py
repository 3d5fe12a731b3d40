"""Where a tournament's matches are played: in this process, in worker processes, on Ray.

Every backend plays *chunks*: a few scheduled matches handed over together. A chunk is
played by one :func:`arena.runner.run_matches` call, so each agent answers the pending
decisions of all the chunk's matches in one ``act_batch`` call per step. Agents and games
are built from their spec strings once per process and reused for every chunk that
process plays.

Reproducibility: an agent's seed is derived from (tournament seed, agent spec) alone and
every decision's randomness from the match seed (the runner puts a per-decision seed in
each observation), so a record depends on its scheduled seed only: not on the backend,
the number of workers, the chunking, or which matches share a batch.

Results reach the caller through ``commit(items)`` with ``items`` a list of
``(match index, MatchRecord)``: per runner step in this process, per chunk from workers,
as they arrive. The caller writes them to the store at once.
"""

from __future__ import annotations

import hashlib
import logging
import math
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from typing import Any, Callable, NamedTuple, Sequence

import games
from agents import Agent
from agents.llm.model_cache import ModelCache, make_agent_sharing

from arena.records import MatchRecord
from arena.runner import MatchConfig, MatchSpec, run_matches
from arena.store import EncodedRecord, encode_record, match_id_for

__all__ = [
    "Scheduled", "Chunk", "play_chunk", "make_chunks", "run_in_process", "run_in_pool",
    "run_on_ray", "derived_seed", "agent_seed",
]

log = logging.getLogger(__name__)

Commit = Callable[[list[tuple[int, MatchRecord | EncodedRecord]]], None]


class Scheduled(NamedTuple):
    """One scheduled match: its index in the tournament, game spec, agent specs by seat,
    and seed."""

    index: int
    game: str
    agents: tuple[str, ...]
    seed: int


@dataclass(frozen=True)
class Chunk:
    """Matches played together by one ``run_matches`` call (picklable for workers)."""

    tournament_id: str
    tournament_seed: int
    invalid: str
    matches: tuple[Scheduled, ...]


def derived_seed(*parts: Any) -> int:
    """A stable 31-bit seed from the parts' text (the same in every process and run)."""
    digest = hashlib.sha256("/".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFF_FFFF


def agent_seed(tournament_seed: int, spec: str) -> int:
    return derived_seed("arena-agent", tournament_seed, spec)


class _Cache:
    """Games and agents built once per process, by spec string; the process's agents share
    loaded models through one model cache."""

    def __init__(self) -> None:
        self.games: dict[str, games.Game] = {}
        self.agents: dict[tuple[str, int], Agent] = {}
        self.models = ModelCache()

    def game(self, spec: str) -> games.Game:
        if spec not in self.games:
            self.games[spec] = games.make(spec)
        return self.games[spec]

    def agent(self, spec: str, seed: int) -> Agent:
        key = (spec, seed)
        if key not in self.agents:
            self.agents[key] = make_agent_sharing(spec, seed, self.models)
        return self.agents[key]


def play_chunk(chunk: Chunk, cache: _Cache | None = None, commit: Commit | None = None,
               ) -> list[tuple[int, MatchRecord]]:
    """Play a chunk; returns ``(index, record)`` in chunk order.

    With ``commit``, finished matches are also handed over after every runner step.
    """
    cache = cache or _Cache()
    seeds = {s: agent_seed(chunk.tournament_seed, s) for m in chunk.matches for s in m.agents}
    for spec, seed in seeds.items():
        cache.agent(spec, seed).reset(seed)
    specs = [
        MatchSpec(
            game=cache.game(m.game),
            agents=[cache.agent(s, seeds[s]) for s in m.agents],
            seed=m.seed,
            match_id=match_id_for(chunk.tournament_id, m.index),
        )
        for m in chunk.matches
    ]
    index_of = {spec.match_id: m.index for spec, m in zip(specs, chunk.matches)}
    on_step = None
    if commit is not None:
        def on_step(finished: list[MatchRecord]) -> None:
            if finished:
                commit([(index_of[r.match_id], r) for r in finished])
    records = run_matches(specs, MatchConfig(invalid=chunk.invalid), on_step=on_step)
    return [(index_of[r.match_id], r) for r in records]


def make_chunks(pending: Sequence[Scheduled], size: int, tournament_id: str,
                tournament_seed: int, invalid: str) -> list[Chunk]:
    """Split pending matches, in schedule order, into chunks of at most ``size``."""
    return [
        Chunk(tournament_id, tournament_seed, invalid, tuple(pending[i:i + size]))
        for i in range(0, len(pending), size)
    ]


def pool_chunk_size(pending: int, workers: int, batch: int) -> int:
    """Small enough that every worker gets several chunks (balance, steady commits)."""
    return max(1, min(batch, math.ceil(pending / (workers * 4))))


def run_in_process(chunks: Sequence[Chunk], commit: Commit) -> None:
    cache = _Cache()
    for chunk in chunks:
        play_chunk(chunk, cache, commit)


# One cache per worker process: agents are built once and serve every chunk it plays.
_WORKER_CACHE: _Cache | None = None


def _play_in_worker(chunk: Chunk) -> list[tuple[int, EncodedRecord]]:
    """Plays a chunk in a worker; records come back encoded (the JSON work is done here,
    in parallel, not in the process that writes the database)."""
    global _WORKER_CACHE
    if _WORKER_CACHE is None:
        _WORKER_CACHE = _Cache()
    return [(i, encode_record(r)) for i, r in play_chunk(chunk, _WORKER_CACHE)]


def run_in_pool(chunks: Sequence[Chunk], commit: Commit, workers: int) -> None:
    """Worker processes (spawned: safe beside threads such as a progress bar's)."""
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
    try:
        running = {pool.submit(_play_in_worker, c) for c in chunks}
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                commit(future.result())
    except BrokenProcessPool as err:
        raise RuntimeError(
            "a tournament worker process died (killed, out of memory, or the calling "
            "script lacks the `if __name__ == \"__main__\":` guard that spawned workers "
            "need); matches already committed are kept: run again to resume"
        ) from err
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def run_on_ray(chunks: Sequence[Chunk], commit: Commit, workers: int,
               address: str | None) -> None:
    """Remote tasks, one per chunk, on a Ray cluster (``address``) or a local Ray."""
    try:
        import ray
    except ImportError as err:
        raise ImportError(
            "backend 'ray' needs Ray, which is not installed: pip install selfplay-arena[ray] "
            "(or use --backend local)"
        ) from err
    started = not ray.is_initialized()
    if started and address:
        ray.init(address=address, log_to_driver=False)
    elif started:
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        task = ray.remote(_play_in_worker)
        running = [task.remote(c) for c in chunks]
        while running:
            ready, running = ray.wait(running, num_returns=1)
            for ref in ready:
                commit(ray.get(ref))
    finally:
        if started:
            ray.shutdown()
