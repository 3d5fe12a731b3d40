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

import ctypes
import logging
import math
import os
import pickle
import signal
import sys
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as mp_wait
from multiprocessing.process import BaseProcess
from typing import Any, Callable, Iterator, NamedTuple, Sequence

import games
from agents import Agent
from common.seeds import derive_seed
from agents.llm.model_cache import ModelCache, make_agent_sharing

from arena.records import MatchRecord
from arena.runner import MatchConfig, MatchSpec, run_matches
from arena.store import EncodedRecord, encode_record, match_id_for

__all__ = [
    "Scheduled", "Chunk", "play_chunk", "make_chunks", "run_in_process", "run_in_pool",
    "run_on_ray", "agent_seed",
]

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>

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


def agent_seed(tournament_seed: int, spec: str) -> int:
    return derive_seed("arena-agent", tournament_seed, spec)


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


def _die_with_parent(parent: int) -> None:
    """Worker set-up: end this process when ``parent`` ends, however it ends (SIGKILL
    included), and leave Ctrl-C to the parent.

    On Linux the kernel sends SIGKILL when the parent dies (``prctl(PR_SET_PDEATHSIG)``);
    everywhere a daemon thread also checks the parent id once a second. With the workers
    gone, multiprocessing's resource tracker sees its last pipe close and exits too.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watching thread remains
            pass
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="arena-parent-watch", daemon=True).start()


def _worker_main(conn: Connection, parent: int) -> None:
    """A worker process: plays the chunks it receives until it receives None (or its
    pipe closes), answering each with ``("ok", records)`` or ``("error", exception)``."""
    _die_with_parent(parent)
    cache = _Cache()
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", [(i, encode_record(r))
                                             for i, r in play_chunk(chunk, cache)])
        except Exception as err:  # handed to the parent, which raises it
            reply = ("error", err)
        try:
            conn.send(reply)
        except (TypeError, AttributeError, pickle.PicklingError):  # an unpicklable error
            conn.send(("error", RuntimeError(f"{type(reply[1]).__name__}: {reply[1]}")))


class _Workers:
    """Spawned worker processes, one pipe each (no shared queue: a worker killed half-way
    through a message corrupts only its own pipe, and no semaphore needs multiprocessing's
    resource tracker). Workers start while SIGINT is ignored and keep ignoring it, so a
    terminal's Ctrl-C reaches the parent alone; they die with the parent."""

    def __init__(self, count: int) -> None:
        ctx = get_context("spawn")
        self.procs: dict[Connection, BaseProcess] = {}
        with _sigint_ignored():
            for _ in range(count):
                mine, theirs = ctx.Pipe()
                proc = ctx.Process(target=_worker_main, args=(theirs, os.getpid()),
                                   name="arena-worker", daemon=True)
                proc.start()
                theirs.close()
                self.procs[mine] = proc

    def close(self, now: bool) -> None:
        """Stop every worker: at once (``now``) or after telling it to finish."""
        for conn, proc in self.procs.items():
            if now:
                proc.terminate()
            else:
                try:
                    conn.send(None)
                except OSError:
                    pass
        for conn, proc in self.procs.items():
            proc.join(timeout=5)
            if proc.is_alive():
                proc.kill()
                proc.join()
            conn.close()


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    """SIGINT ignored meanwhile (in the main thread only, where signals are handled)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


_DIED = ("a tournament worker process died (killed, out of memory, or the calling script "
         "lacks the `if __name__ == \"__main__\":` guard that spawned workers need); "
         "matches already committed are kept: run again to resume")


def run_in_pool(chunks: Sequence[Chunk], commit: Commit, workers: int) -> None:
    """Chunks played by ``workers`` spawned processes, committed as each returns. On any
    exception here (Ctrl-C's ``KeyboardInterrupt`` included) the workers are terminated at
    once and the exception goes on to the caller; a worker's own error is raised here."""
    todo = deque(chunks)
    pool = _Workers(min(workers, len(todo)))
    busy: dict[Connection, BaseProcess] = {}
    clean = False
    try:
        for conn, proc in pool.procs.items():
            if todo:
                conn.send(todo.popleft())
                busy[conn] = proc
        while busy:
            sentinels = {proc.sentinel: conn for conn, proc in busy.items()}
            for ready in mp_wait([*busy, *sentinels]):
                conn = sentinels.get(ready, ready)  # type: ignore[arg-type]
                if conn not in busy:
                    continue
                try:
                    status, payload = conn.recv()
                except (EOFError, OSError) as err:
                    raise RuntimeError(_DIED) from err
                if status == "error":
                    raise payload
                commit(payload)
                if todo:
                    conn.send(todo.popleft())
                else:
                    del busy[conn]
        clean = True
    finally:
        pool.close(now=not clean)


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
