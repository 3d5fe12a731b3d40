"""Exports of a store into a file that is whole or untouched, never the store itself.

Records are written as stored (long observations and prompts as deltas of earlier
decisions, :mod:`arena.record_deltas`) or, with ``expand=True``, whole: every decision
with its own observation text and prompts (:func:`expanded_dict`, what ``arena play
--json`` prints and ``arena export --expand`` writes), for clients that read
``decision["observation"]`` without knowing the delta format.

:func:`export_to_file` writes where :mod:`arena.outfile` says (a regular file through a
temporary file renamed into place once complete; ``-``, a FIFO or a terminal written
through; a device node or directory refused); :func:`check_output_path` refuses, before
anything is opened for writing, an output that is the store (or its WAL, shared-memory or
journal file, through any link), a directory, a device that is not a stream, read-only,
or in a folder that is missing or not writable.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import IO, Any

from arena.outfile import OutputPlan, open_output, plan_output
from arena.records import MatchRecord
from arena.store import Store

__all__ = ["check_output_path", "export_to_file", "export_expanded", "expanded_dict"]


def expanded_dict(record: MatchRecord) -> dict[str, Any]:
    """``record.to_dict()`` with every decision whole (no ``"deltas"``): the same fields
    and values a client gets by expanding the stored form with
    :func:`arena.record_deltas.expand`; ``MatchRecord.from_dict`` reads either."""
    out = record.to_dict()
    out["decisions"] = [d.to_dict() for d in record.decisions]
    return out


def export_expanded(store: Store, fp: IO[str], tid: str | None = None) -> int:
    """Every stored record (by tournament, then index), one whole record
    (:func:`expanded_dict`) per line; returns the count. A damaged record stops the
    export with a :class:`arena.store.StoreError`."""
    n = 0
    for record in store.matches(tid):
        fp.write(json.dumps(expanded_dict(record), sort_keys=True) + "\n")
        n += 1
    return n


def _protected(store_path: str) -> set[Path]:
    if store_path == ":memory:":
        return set()
    base = Path(store_path).resolve()
    return {base} | {Path(f"{base}{suffix}") for suffix in ("-wal", "-shm", "-journal")}


def check_output_path(out: str | Path, store_path: str) -> OutputPlan:
    """How an export may write ``out`` (:func:`arena.outfile.plan_output`); raises before
    anything is opened when ``out`` is the store (or its WAL, shared-memory or journal
    file, through any link), a directory, a device that is not a stream, read-only, or in
    a folder that is missing or not writable."""
    plan = plan_output(out)
    if plan.kind == "stdout":
        return plan
    target = Path(out)
    resolved = Path(os.path.realpath(target))
    protected = _protected(store_path)
    if resolved in protected or any(
            target.exists() and p.exists() and os.path.samefile(target, p) for p in protected):
        raise ValueError(f"--out {str(out)!r} is the store {store_path!r} itself; writing "
                         "the export there would destroy every match: pass another --out")
    return plan


def export_to_file(store: Store, out: str | Path, tid: str | None = None,
                   expand: bool = False) -> int:
    """:meth:`Store.export_jsonl` (``expand``: :func:`export_expanded`) into ``out``
    (checked first, :func:`check_output_path`): a regular file through a temporary file
    in the same folder, renamed into place once complete (an interrupted or failed export
    leaves ``out`` as it was); ``-``, a FIFO or a terminal written through. Returns the
    count."""
    plan = check_output_path(out, store.path)
    with open_output(plan) as fp:
        return export_expanded(store, fp, tid) if expand else store.export_jsonl(fp, tid)
