"""A multi-worker tournament's processes end with it: after SIGKILL or SIGTERM of the
command its workers (and any multiprocessing resource tracker) are gone, and Ctrl-C stops
it promptly, in any phase, with no traceback and with what was played kept."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from arena.store import Store

ROOT = Path(__file__).resolve().parents[2]
LAUNCH = ("import sys, faulthandler, signal; faulthandler.register(signal.SIGUSR1); "
          "from arena.cli import main; sys.exit(main())")

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(),
                                reason="reads the process table from /proc")


def _default_signals() -> None:
    """In the child before exec: Ctrl-C and SIGTERM back to their default dispositions. A
    parent that ignores SIGINT (a background job, ``nohup``, some CI runners) would pass
    the ignored SIGINT on, and Python keeps an inherited SIG_IGN: the command would never
    see the Ctrl-C these tests send."""
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_DFL)


def launch(db: Path) -> subprocess.Popen:
    argv = ["tournament", "--game", "tictactoe", "--agents", "minimax,expert,random",
            "--rounds", "1000", "--batch", "3", "--workers", "2", "--db", str(db)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", LAUNCH, *argv], cwd=db.parent, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=_default_signals)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def children(pid: int) -> dict[int, str]:
    """Live child processes of ``pid`` with their command lines."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat and stat[1] == pid and stat[0] not in ("Z", "X"):
                try:
                    found[int(entry.name)] = (entry / "cmdline").read_bytes().decode(
                        "utf-8", "replace").replace("\0", " ")
                except OSError:
                    pass
    return found


def committed(db: Path) -> int:
    try:
        with Store(db, create=False) as store:
            return store.count()
    except Exception:  # not created yet, or the schema is being written
        return 0


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


def started(proc: subprocess.Popen, db: Path, matches: int) -> dict[int, str]:
    """Wait for the two workers, and ``matches`` committed; returns every child process
    (a multiprocessing resource tracker too, if one was started)."""
    def ready() -> bool:
        kids = children(proc.pid)
        return sum("spawn_main" in c for c in kids.values()) == 2
    wait_until(ready, 60, "two workers")
    wait_until(lambda: committed(db) >= matches, 60, f"{matches} committed matches")
    kids = children(proc.pid)
    assert proc.poll() is None, "the tournament ended before the test could signal it"
    return kids


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_and_resource_tracker_die_with_the_command(tmp_path, sig):
    proc = launch(tmp_path / "t.db")
    try:
        kids = started(proc, tmp_path / "t.db", matches=3)
        os.kill(proc.pid, sig)  # the command only, as `kill PID` does
        proc.wait(timeout=10)
        wait_until(lambda: not any(alive(pid) for pid in kids), 10,
                   f"workers and tracker {sorted(kids)} to end")
    finally:
        os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
        proc.communicate()


@pytest.mark.parametrize("matches", [0, 6], ids=["while-starting", "while-playing"])
def test_ctrl_c_stops_promptly_without_traceback_and_keeps_what_was_played(tmp_path, matches):
    db = tmp_path / "t.db"
    proc = launch(db)
    try:
        kids = started(proc, db, matches)
        before = committed(db)
        os.killpg(proc.pid, signal.SIGINT)  # a terminal's Ctrl-C: the whole group
        start = time.monotonic()
        try:
            _, err = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGUSR1)
            time.sleep(1)
            os.killpg(proc.pid, signal.SIGKILL)
            _, err = proc.communicate()
            pytest.fail("hung:\n" + err.decode()[-5000:])
        took = time.monotonic() - start
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    err = err.decode("utf-8", "replace")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert "interrupted" in err
    assert took < 10, f"Ctrl-C took {took:.1f} s"
    assert committed(db) >= before
    wait_until(lambda: not any(alive(pid) for pid in kids), 10, "workers and tracker to end")


def _signal_bit(pid: int, field: str, sig: int) -> bool:
    """Whether ``sig`` is in the ``field`` mask (SigIgn, SigCgt) of /proc/PID/status."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    raise AssertionError(f"no {field} in /proc/{pid}/status")


def test_launched_command_catches_ctrl_c_even_when_pytest_ignores_it(tmp_path):
    """Regression (issue 23, item 11): started from a background job or under nohup the
    test process ignores SIGINT; the child it launches must still catch Ctrl-C."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        proc = launch(tmp_path / "t.db")
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        wait_until(lambda: committed(tmp_path / "t.db") >= 1, 60, "the first match")
        assert not _signal_bit(proc.pid, "SigIgn", signal.SIGINT)
        assert _signal_bit(proc.pid, "SigCgt", signal.SIGINT)  # Python's KeyboardInterrupt
    finally:
        os.killpg(proc.pid, signal.SIGKILL) if proc.poll() is None else None
        proc.communicate()
