"""The SQLite store: tournaments and their matches, one row per finished match.

Schema (version :data:`SCHEMA_VERSION`, kept in table ``schema_version``)

    tournaments(id TEXT PRIMARY KEY, config JSON, created TEXT)
    matches(tournament_id, match_index, match_id TEXT UNIQUE, game, seed, agents JSON,
            returns JSON, outcome, record JSON, finished_at TEXT,
            UNIQUE(tournament_id, match_index))

``match_id`` is ``f"{tournament_id}:{match_index}"``. The database runs in WAL mode and
every match is committed as soon as it is handed over (``INSERT OR IGNORE``), so a
tournament killed at any point loses nothing that was committed and a re-run never
duplicates a match. A database written by a newer version of the arena is refused
rather than misread.

Records come back in a fixed order (tournament id, then match index), so anything
computed from them (ratings, exports) is deterministic whatever order matches finished in.

Read-only use (``create=False``, what ``leaderboard``, ``export`` and ``replay`` do): the
file must exist and is opened with SQLite's ``mode=ro`` (``immutable=1`` when no journal
or WAL file is beside it), without switching to WAL or running the schema script, so
nothing is created or modified and a read-only file works. A store that is damaged, not
SQLite, not an arena store, a directory, unreadable or read-only where writing is needed
raises :class:`StoreError` (a ``ValueError``) with one line naming the path, what is wrong
and the fix, whether at opening or at any later query.
"""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import sqlite3
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, Mapping, NamedTuple

from arena.records import MatchRecord

__all__ = ["Store", "StoreError", "SCHEMA_VERSION", "match_id_for", "EncodedRecord",
           "encode_record"]

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS tournaments (
    id TEXT PRIMARY KEY,
    config TEXT NOT NULL,
    created TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS matches (
    tournament_id TEXT NOT NULL REFERENCES tournaments(id),
    match_index INTEGER NOT NULL,
    match_id TEXT NOT NULL UNIQUE,
    game TEXT NOT NULL,
    seed INTEGER NOT NULL,
    agents TEXT NOT NULL,
    returns TEXT NOT NULL,
    outcome TEXT NOT NULL,
    record TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    UNIQUE (tournament_id, match_index)
);
CREATE INDEX IF NOT EXISTS matches_game ON matches (game);
"""


_TABLES = {"schema_version", "tournaments", "matches"}
_RESTORE = "restore it from a backup or pass another --db path"


class StoreError(ValueError):
    """A store that cannot be opened, read or written; the message names the path, what
    is wrong and the fix."""


def _failure(path: str, err: sqlite3.Error) -> Exception:
    """The one-line error for an SQLite failure on the store at ``path``."""
    text = str(err)
    low = text.lower()
    if "locked" in low or "busy" in low:
        return RuntimeError(f"database {path!r} stayed locked by another process ({text}); "
                            "wait for it to finish, or use another --db path")
    if "readonly" in low or "read-only" in low:
        return StoreError(f"database {path!r} is read-only ({text}); this command writes to "
                          "its store: make the file and its folder writable, or pass "
                          "another --db path")
    if "disk is full" in low or "no space" in low:  # SQLITE_FULL: the store itself is fine
        return OSError(errno.ENOSPC, f"no space left on the device of database {path!r} "
                       f"({text}); every match committed before is kept and the store is "
                       "intact: free some space and run the same command again to resume")
    if "unable to open" in low:
        return StoreError(f"cannot open database {path!r} ({text}); check that the path is "
                          "a file you may read (and write, for a tournament)")
    return StoreError(f"database {path!r} is damaged or not an arena store ({text}); "
                      f"{_RESTORE}")


class EncodedRecord(NamedTuple):
    """A record already turned into the store's columns (workers encode in parallel, the
    process that owns the database only writes)."""

    game: str
    seed: int
    agents: str
    returns: str
    outcome: str
    record: str


def encode_record(record: MatchRecord) -> EncodedRecord:
    return EncodedRecord(record.game, record.seed, json.dumps(list(record.agents)),
                         json.dumps(list(record.returns)), record.outcome, record.to_json())


def match_id_for(tournament_id: str, index: int) -> str:
    return f"{tournament_id}:{index}"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _canonical(config: Mapping[str, Any]) -> str:
    return json.dumps(config, sort_keys=True)


class Store:
    """A tournament database at ``path``: created on first use, or with ``create=False``
    an existing one opened read-only (``readonly`` overrides that); ``":memory:"`` works."""

    def __init__(self, path: str | Path = "arena.db", create: bool = True,
                 readonly: bool | None = None) -> None:
        self.path = str(path)
        self.readonly = (not create) if readonly is None else bool(readonly)
        if self.path != ":memory:":
            self._check_path(create and not self.readonly)
        try:
            self._db = self._connect()
        except sqlite3.Error as err:
            raise _failure(self.path, err) from err
        try:
            with self._guard():
                if self.readonly:
                    self._check_schema()
                else:
                    self._migrate()
        except BaseException:
            self._db.close()
            raise

    def _check_path(self, create: bool) -> None:
        path = Path(self.path)
        if path.is_dir():
            raise StoreError(f"database {self.path!r} is a directory, not a store file; pass "
                             f"a file path such as --db {path / 'arena.db'}")
        if not path.exists() and not create:
            raise FileNotFoundError(
                f"no database at {self.path!r}: run a tournament with --db {self.path} "
                "first, or pass the path of an existing one"
            )
        if not path.parent.is_dir():
            raise FileNotFoundError(
                f"cannot create database {self.path!r}: folder {str(path.parent)!r} does not "
                "exist (create it first or pass another --db path)"
            )
        if path.exists() and not os.access(path, os.R_OK):
            raise StoreError(f"database {self.path!r} is not readable (permission denied); "
                             "fix its permissions or pass another --db path")

    def _connect(self) -> sqlite3.Connection:
        if self.path == ":memory:" or not self.readonly:
            return sqlite3.connect(self.path, timeout=30.0)
        path = Path(self.path).resolve()
        busy = any(Path(f"{path}{s}").exists() for s in ("-wal", "-journal"))
        # immutable: no lock and no -shm file; a live journal or WAL must be read through
        query = "mode=ro" if busy else "mode=ro&immutable=1"
        return sqlite3.connect(f"{path.as_uri()}?{query}", uri=True, timeout=30.0)

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """SQLite failures inside become one clear :class:`StoreError` line."""
        try:
            yield
        except sqlite3.Error as err:
            raise _failure(self.path, err) from err

    def _tables(self) -> set[str]:
        rows = self._db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {r[0] for r in rows}

    def _check_schema(self) -> None:
        tables = self._tables()
        if not _TABLES <= tables:
            raise StoreError(
                f"database {self.path!r} is an SQLite file but not an arena store (tables: "
                f"{', '.join(sorted(tables)) or 'none'}); pass the --db of a tournament")
        self._check_version(self._db.execute("SELECT MAX(version) FROM schema_version")
                            .fetchone()[0])

    def _check_version(self, found: int | None) -> None:
        if found is not None and found > SCHEMA_VERSION:
            raise RuntimeError(
                f"database {self.path!r} has schema version {found}, newer than this "
                f"arena understands ({SCHEMA_VERSION}); upgrade selfplay-arena or use "
                "another --db path"
            )

    def _migrate(self) -> None:
        tables = self._tables()
        if tables and "schema_version" not in tables:
            raise StoreError(
                f"database {self.path!r} is an SQLite file of something else (tables: "
                f"{', '.join(sorted(tables))}); the arena will not add its tables to it: "
                "pass another --db path")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        with self._db:
            self._db.executescript(_SCHEMA)
            found = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            if found is None:
                self._db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            self._check_version(found)

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- tournaments -------------------------------------------------------------

    def create_or_get_tournament(self, tournament_id: str, config: Mapping[str, Any]) -> dict:
        """Register a tournament, or check that an existing one has the same config.

        Returns the stored config. A different config under the same id is an error:
        resuming must not mix two tournaments' matches.
        """
        stored = self.tournament_config(tournament_id)
        if stored is None:
            with self._guard(), self._db:
                self._db.execute(
                    "INSERT OR IGNORE INTO tournaments VALUES (?, ?, ?)",
                    (tournament_id, _canonical(config), _now()),
                )
            stored = self.tournament_config(tournament_id)
        if _canonical(stored) != _canonical(config):
            raise ValueError(
                f"tournament {tournament_id!r} already exists in {self.path!r} with another "
                f"config: stored {_canonical(stored)}, given {_canonical(config)}; run the "
                "stored one with the same options, or choose a new tournament id"
            )
        return stored

    def tournament_config(self, tournament_id: str) -> dict | None:
        with self._guard():
            row = self._db.execute(
                "SELECT config FROM tournaments WHERE id = ?", (tournament_id,)
            ).fetchone()
        return None if row is None else self._json(row[0], f"tournament {tournament_id!r}")

    def tournaments(self) -> list[dict]:
        """Every tournament: id, config, created, and how many matches are stored."""
        with self._guard():
            rows = self._db.execute(
                "SELECT t.id, t.config, t.created, COUNT(m.match_id) FROM tournaments t "
                "LEFT JOIN matches m ON m.tournament_id = t.id GROUP BY t.id "
                "ORDER BY t.created, t.id"
            ).fetchall()
        return [{"id": i, "config": self._json(c, f"tournament {i!r}"), "created": cr,
                 "matches": n} for i, c, cr, n in rows]

    # ---- matches -----------------------------------------------------------------

    def done_indices(self, tournament_id: str) -> set[int]:
        with self._guard():
            rows = self._db.execute(
                "SELECT match_index FROM matches WHERE tournament_id = ?", (tournament_id,)
            ).fetchall()
        return {r[0] for r in rows}

    def add_match(self, tournament_id: str, index: int, record: MatchRecord) -> bool:
        """Commit one finished match; False if that index was already stored."""
        return self.add_matches(tournament_id, [(index, record)]) == 1

    def add_matches(self, tournament_id: str,
                    items: Iterable[tuple[int, MatchRecord | EncodedRecord]]) -> int:
        """Commit several finished matches in one transaction; returns how many were new."""
        rows = [self._row(tournament_id, i, r) for i, r in items]
        if self.tournament_config(tournament_id) is None:
            raise ValueError(
                f"unknown tournament {tournament_id!r} in {self.path!r}: register it with "
                "create_or_get_tournament(id, config) before adding matches"
            )
        with self._guard(), self._db:
            before = self._db.total_changes
            self._db.executemany(
                "INSERT OR IGNORE INTO matches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            return self._db.total_changes - before

    @staticmethod
    def _row(tournament_id: str, index: int, record: MatchRecord | EncodedRecord) -> tuple:
        if not isinstance(index, int) or index < 0:
            raise ValueError(f"match index {index!r} must be an int >= 0")
        if isinstance(record, MatchRecord):
            record = encode_record(record)
        return (tournament_id, index, match_id_for(tournament_id, index), *record, _now())

    def get_match(self, match_id: str) -> MatchRecord:
        with self._guard():
            row = self._db.execute(
                "SELECT record FROM matches WHERE match_id = ?", (match_id,)
            ).fetchone()
        if row is None:
            known = [t["id"] for t in self.tournaments()]
            raise KeyError(
                f"no match {match_id!r} in {self.path!r}: match ids are "
                f"'<tournament id>:<match index>' (tournaments here: "
                f"{', '.join(known) or 'none'}); list them with `arena export --db "
                f"{self.path}` or Store.matches(tid)"
            )
        record = self._record(row[0], match_id)
        return record if record.match_id else dataclasses.replace(record, match_id=match_id)

    def matches(self, tid: str | None = None, game: str | None = None) -> Iterator[MatchRecord]:
        """Stored records, by tournament id then match index; optionally filtered."""
        for mid, text in self._match_rows(tid, game):
            yield self._record(text, mid)

    def outcomes(
        self, tid: str | None = None, game: str | None = None
    ) -> Iterator[tuple[str, str, tuple[str, ...], tuple[float, ...]]]:
        """``(match_id, game, agents, returns)`` per stored match, in record order, without
        decoding whole records (what ratings need)."""
        where, params = self._where(tid, game)
        for mid, g, agents, returns in self._rows(
            f"SELECT match_id, game, agents, returns FROM matches{where} "
            "ORDER BY tournament_id, match_index", params,
        ):
            yield (mid, g, tuple(self._json(agents, f"match {mid!r}")),
                   tuple(self._json(returns, f"match {mid!r}")))

    def games(self, tid: str | None = None) -> list[str]:
        """The game ids that have stored matches, sorted."""
        where, params = self._where(tid, None)
        return [r[0] for r in
                self._rows(f"SELECT DISTINCT game FROM matches{where} ORDER BY game", params)]

    def count(self, tid: str | None = None, game: str | None = None) -> int:
        where, params = self._where(tid, game)
        with self._guard():
            return self._db.execute(f"SELECT COUNT(*) FROM matches{where}", params).fetchone()[0]

    def _match_rows(self, tid: str | None, game: str | None) -> Iterator[tuple[str, str]]:
        where, params = self._where(tid, game)
        yield from self._rows(
            f"SELECT match_id, record FROM matches{where} ORDER BY tournament_id, match_index",
            params,
        )

    def _rows(self, sql: str, params: tuple) -> Iterator[tuple]:
        """Rows of a query, read lazily; a damaged page met on the way is a StoreError."""
        with self._guard():
            cursor = self._db.execute(sql, params)
            while True:
                batch = cursor.fetchmany(256)
                if not batch:
                    return
                yield from batch

    def _json(self, text: str, what: str) -> Any:
        try:
            return json.loads(text)
        except (TypeError, ValueError) as err:
            raise StoreError(f"{what} in database {self.path!r} is damaged ({err}); "
                             f"{_RESTORE}") from err

    def _record(self, text: str, match_id: str) -> MatchRecord:
        try:
            return MatchRecord.from_dict(self._json(text, f"match {match_id!r}"))
        except (TypeError, KeyError, AttributeError, ValueError) as err:
            if isinstance(err, StoreError):
                raise
            raise StoreError(f"match {match_id!r} in database {self.path!r} is damaged "
                             f"({err!r}); {_RESTORE}") from err

    @staticmethod
    def _where(tid: str | None, game: str | None) -> tuple[str, tuple]:
        clauses, params = [], []
        if tid is not None:
            clauses.append("tournament_id = ?")
            params.append(tid)
        if game is not None:
            clauses.append("game = ?")
            params.append(game)
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), tuple(params)

    def export_jsonl(self, fp: IO[str], tid: str | None = None) -> int:
        """Write one JSON record per line (by tournament, then index); returns the count."""
        n = 0
        for mid, text in self._match_rows(tid, None):
            self._json(text, f"match {mid!r}")  # a damaged row stops the export
            fp.write(text + "\n")
            n += 1
        return n

