"""Exports of a store into a file that is whole or untouched, never the store itself.

:func:`export_to_file` writes through a temporary file in the output's folder and renames
it into place once complete; :func:`check_output_path` refuses, before anything is opened
for writing, an output that is the store (or its WAL, shared-memory or journal file,
through any link), a directory, read-only, or in a folder that is missing or not writable.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from arena.store import Store

__all__ = ["check_output_path", "export_to_file"]


def _protected(store_path: str) -> set[Path]:
    if store_path == ":memory:":
        return set()
    base = Path(store_path).resolve()
    return {base} | {Path(f"{base}{suffix}") for suffix in ("-wal", "-shm", "-journal")}


def check_output_path(out: str | Path, store_path: str) -> Path:
    """The resolved path an export may replace; raises before anything is opened when
    ``out`` is the store (or its WAL, shared-memory or journal file, through any link), a
    directory, read-only, or in a folder that is missing or not writable."""
    target = Path(out)
    if target.is_dir():
        raise IsADirectoryError(f"--out {str(out)!r} is a directory; pass a file path such "
                                f"as --out {target / 'matches.jsonl'}")
    resolved = target.resolve()
    protected = _protected(store_path)
    if resolved in protected or any(
            target.exists() and p.exists() and os.path.samefile(target, p) for p in protected):
        raise ValueError(f"--out {str(out)!r} is the store {store_path!r} itself; writing "
                         "the export there would destroy every match: pass another --out")
    if not resolved.parent.is_dir():
        raise FileNotFoundError(f"--out {str(out)!r}: folder {str(resolved.parent)!r} does "
                                "not exist (create it first or pass another --out)")
    if not os.access(resolved.parent, os.W_OK | os.X_OK) or (
            resolved.exists() and not os.access(resolved, os.W_OK)):
        raise PermissionError(f"--out {str(out)!r} cannot be written (permission denied); "
                              "pass a path you may write")
    return resolved


def export_to_file(store: Store, out: str | Path, tid: str | None = None) -> int:
    """:meth:`Store.export_jsonl` into ``out`` through a temporary file in the same folder,
    renamed into place once complete (an interrupted or failed export leaves ``out`` as it
    was). ``out`` is checked first (:func:`check_output_path`). Returns the count."""
    target = check_output_path(out, store.path)
    if target.exists():
        mode = target.stat().st_mode & 0o777
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            n = store.export_jsonl(fp, tid)
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return n
