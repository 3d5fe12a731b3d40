"""Where a command's ``--out FILE`` goes: a regular file replaced whole, a stream written
through, or a refusal; never a device node, a FIFO or a link turned into a regular file.

``arena export --out`` and ``arena preferences --out`` (and any command that writes one
output file) decide here, before anything is opened for writing (:func:`plan_output`), and
write here (:func:`open_output`):

- ``-``: standard output.
- a path that does not exist, or is a regular file (through any chain of symbolic links):
  the content goes to a temporary file in the folder of the link's final target and is
  renamed onto that target once complete, so an interrupted write leaves the old file, and
  a link stays a link. A file that exists keeps its permission bits; a new one gets
  ``0666`` less the umask, like any file a shell redirect creates.
- an existing FIFO, terminal, ``/dev/null``, or an open descriptor named through ``/dev/stdout``,
  ``/dev/stderr``, ``/dev/fd/N`` or ``/proc/self/fd/N``: written through (opened, never
  created, replaced or removed), as a shell redirect would.
- anything else that exists (a directory, a block device, a socket, another device node):
  refused with one line naming the path, what it is and the fix.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Iterator

__all__ = ["OutputPlan", "plan_output", "open_output", "STDOUT"]

STDOUT = "-"
"""The ``--out`` value that means standard output."""

_STREAM_PREFIXES = ("/dev/stdout", "/dev/stderr", "/dev/fd/", "/proc/self/fd/",
                    "/proc/thread-self/fd/")


@dataclass(frozen=True)
class OutputPlan:
    """How ``out`` will be written: ``kind`` is ``stdout``, ``through`` (an existing
    stream, opened as it is) or ``replace`` (a regular file at ``path``, replaced whole)."""

    out: str
    kind: str
    path: Path | None


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a device file")):
        if test(mode):
            return name
    return "not a regular file"


def _is_stream_name(out: str) -> bool:
    """Whether ``out``, or a link on the way from it to its target, names an open
    descriptor (``/dev/stdout``, ``/dev/fd/1``, ``/proc/self/fd/1``...)."""
    path = os.path.abspath(out)
    for _ in range(40):  # the kernel's own limit on a chain of links
        if any(path == p.rstrip("/") or path.startswith(p) for p in _STREAM_PREFIXES) or (
                path.startswith("/proc/") and "/fd/" in path):
            return True
        if not os.path.islink(path):
            return False
        try:
            path = os.path.join(os.path.dirname(path), os.readlink(path))
        except OSError:
            return False
        path = os.path.abspath(path)
    return False


def _writes_through(path: str, mode: int) -> bool:
    """FIFOs, terminals, /dev/null, and descriptors named through /dev/std* or /proc/*/fd."""
    if stat.S_ISFIFO(mode) or _is_stream_name(path):
        return True
    if stat.S_ISCHR(mode):
        with contextlib.suppress(OSError):
            if os.path.samefile(path, os.devnull):
                return True
        with contextlib.suppress(OSError):
            fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_NONBLOCK)
            try:
                return os.isatty(fd)
            finally:
                os.close(fd)
    return False


def plan_output(out: str | Path, what: str = "--out", make_folders: bool = False
                ) -> OutputPlan:
    """How ``out`` would be written; raises (ValueError, IsADirectoryError,
    FileNotFoundError, PermissionError) before anything is opened for writing when it is
    a directory or a device that is not a stream, or sits in a folder that is missing
    (unless ``make_folders``: then the nearest existing one must be writable) or not
    writable. ``what`` names the option in messages."""
    text = str(out)
    if text == STDOUT:
        return OutputPlan(text, "stdout", None)
    if not text:
        raise ValueError(f"{what} is empty; pass a file path, or {what} - for stdout")
    try:
        mode = os.stat(text).st_mode  # follows every link: what a write would reach
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise PermissionError(f"{what} {text!r} cannot be examined ({err.strerror}); pass "
                              "another path") from err
    if mode is not None and (_is_stream_name(text) or not stat.S_ISREG(mode)):
        if _writes_through(text, mode):
            return OutputPlan(text, "through", Path(text))
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(f"{what} {text!r} is a directory; pass a file path such "
                                    f"as {what} {Path(text) / 'out.jsonl'}")
        raise ValueError(f"{what} {text!r} is {_kind_of(mode)}, not a regular file: refused "
                         f"(it would be replaced by a file); pass a file path, or {what} - "
                         "for stdout")
    target = Path(os.path.realpath(text))  # a link's final target: the link stays a link
    folder = target.parent
    while make_folders and not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"{what} {text!r}: folder {str(target.parent)!r} does not "
                                f"exist (create it first or pass another {what})")
    if not os.access(folder, os.W_OK | os.X_OK) or (
            mode is not None and not os.access(target, os.W_OK)):
        raise PermissionError(f"{what} {text!r} cannot be written (permission denied); pass "
                              "a path you may write")
    return OutputPlan(text, "replace", target)


def _new_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def open_output(plan: OutputPlan | str | Path, what: str = "--out") -> Iterator[IO[str]]:
    """A text stream for ``plan`` (see :func:`plan_output`): standard output, the
    stream itself, or a temporary file renamed onto the target when the block ends
    without an error (and removed when it raises)."""
    if not isinstance(plan, OutputPlan):
        plan = plan_output(plan, what)
    if plan.kind == "stdout":
        yield sys.stdout
        sys.stdout.flush()
        return
    if plan.kind == "through":
        # never O_CREAT nor O_TRUNC; O_APPEND: stdout redirected to a file keeps what the
        # command printed before
        fd = os.open(str(plan.path), os.O_WRONLY | os.O_NOCTTY | os.O_APPEND)
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            yield fp
        return
    target = plan.path
    mode = target.stat().st_mode & 0o7777 if target.exists() else _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fp:
            yield fp
            fp.flush()
            os.fsync(fp.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
