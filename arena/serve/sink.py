"""Finished served matches into the store, so remote games show in ``arena leaderboard``.

The server's sessions run on many threads, and an SQLite connection belongs to the thread
that opened it, so one writer thread owns the store: a session hands a record over
(:meth:`RecordSink.put`, which returns the match id at once) and goes on playing; the
writer commits what has queued up in one transaction. Indices continue after the
highest one stored under the tournament id, so a restarted server that names the same
tournament appends to it. :meth:`RecordSink.close` commits everything still queued.
"""

from __future__ import annotations

import logging
import queue
import threading
from typing import Any, Mapping

from arena.records import MatchRecord
from arena.store import Store, match_id_for

log = logging.getLogger(__name__)

__all__ = ["RecordSink"]

_STOP = object()


class RecordSink:
    """Records of tournament ``tournament_id`` (registered with ``config``) into the store
    at ``path``. Opening checks the store and the tournament at once: a bad ``--db`` or a
    tournament id stored with another config is one line before the server starts."""

    def __init__(self, path: str, tournament_id: str, config: Mapping[str, Any]) -> None:
        self.path = path
        self.tournament_id = tournament_id
        with Store(path) as store:
            store.create_or_get_tournament(tournament_id, dict(config))
            self._next = max(store.done_indices(tournament_id), default=-1) + 1
        self.failures = 0
        """Batches the writer could not commit (each logged as an error)."""
        self._lock = threading.Lock()
        self._queue: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._write, name="arena-serve-store",
                                        daemon=True)
        self._thread.start()

    def put(self, record: MatchRecord) -> str:
        """Queue ``record``; returns the match id it is stored under."""
        with self._lock:
            index, self._next = self._next, self._next + 1
        self._queue.put((index, record))
        return match_id_for(self.tournament_id, index)

    def flush(self) -> None:
        """Wait until every record queued so far is committed (or has failed)."""
        self._queue.join()

    def close(self) -> None:
        """Commit what is queued and stop the writer. Safe to call twice."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()

    def _write(self) -> None:
        store = Store(self.path)
        try:
            while True:
                item = self._queue.get()
                batch = [item]
                while not self._queue.empty():
                    batch.append(self._queue.get_nowait())
                stop = any(x is _STOP for x in batch)
                rows = [x for x in batch if x is not _STOP]
                try:
                    if rows:
                        store.add_matches(self.tournament_id, rows)
                except (OSError, RuntimeError, ValueError) as err:
                    self.failures += 1
                    log.error("could not store %d served match(es) in %s: %s", len(rows),
                              self.path, err)
                finally:
                    for _ in batch:
                        self._queue.task_done()
                if stop:
                    return
        finally:
            store.close()
