"""``arena train --processes N``: the same command in N processes, started by accelerate's
launcher (``accelerate launch -m training ...``, torchrun underneath), one machine.

The processes' standard output is the terminal's (rank 0 alone prints progress). Their
standard error is copied whole to a log file, and shown on the terminal but for the
launcher's own report of a failure: when a process dies, the others are stopped and one
line says which process, how it ended, and where the full log is. Several machines, or
an accelerate config of your own: run ``accelerate launch [its options] -m training
ARGS`` on each machine (see docs/training.md).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import IO, Sequence

from common.untrusted import terminal_safe

__all__ = ["launch", "launcher_command", "free_port"]

_FAILED = re.compile(r"failed \(exitcode: (-?\d+)\) local_rank: (\d+)")
_GLOG = re.compile(r"^[WEIF]\d{4} \d\d:\d\d:\d\d")
_QUIET = ("terminate called", "arena train (process ")
"""Lines kept in the log only: a collective library's abort, and a process's own account
of losing another (the closing line names the one that died)."""
_SUMMARY = re.compile(r"rank\s*: (\d+) \(local_rank: \d+\)\s*\n\s*exitcode\s*: (-?\d+)")
_CONSEQUENCES = (1, -int(signal.SIGABRT), -int(signal.SIGTERM))
"""How a process ends when another one died first: the quiet exit of a lost peer, an
abort inside the collective library (``std::terminate``) when a connection drops, or the
launcher's own SIGTERM to the survivors."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launcher_command(processes: int, argv: Sequence[str], port: int,
                     module: str = "training") -> list[str]:
    """The accelerate command that runs ``python -m MODULE ARGV`` in ``processes``
    processes on this machine (``--multi_gpu`` is accelerate's name for its torchrun
    launcher; without GPUs the processes use CPU and gloo)."""
    return [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu",
            "--num_processes", str(processes), "--num_machines", "1",
            "--mixed_precision", "no", "--dynamo_backend", "no",
            "--main_process_port", str(port), "-m", module, *argv]


def _how(code: int) -> str:
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _pump(stream: IO[str], log: IO[str], shown: list[str], failure: list[tuple[int, int]],
          stopped: threading.Event) -> None:
    """Copy the launcher's stderr to ``log``; show the processes' lines (each error line
    once: every rank reports the same error; made safe for a terminal) until the launcher
    reports a failure or the run is interrupted."""
    for line in stream:
        log.write(line)
        log.flush()
        found = _FAILED.search(line)
        if found and not failure:
            failure.append((int(found.group(2)), int(found.group(1))))
        if (failure or stopped.is_set() or _GLOG.match(line) or line.startswith(_QUIET)):
            continue  # the launcher's own report: summed up in one line at the end
        if line.startswith("arena train:"):
            if line in shown:
                continue
            shown.append(line)
        sys.stderr.write(terminal_safe(line))
        sys.stderr.flush()


def _wait(proc: subprocess.Popen, stopped: threading.Event) -> int:
    """The launcher's exit status. Ctrl-C: the launcher stops every process (it gets the
    terminal's SIGINT too; it is sent again in case it did not); a second Ctrl-C asks it
    to terminate them."""
    while True:
        try:
            return proc.wait()
        except KeyboardInterrupt:
            if stopped.is_set():
                proc.send_signal(signal.SIGTERM)
            else:
                stopped.set()
                proc.send_signal(signal.SIGINT)


def _cause(log_path: Path, first: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The failure to name: from the launcher's closing summary of every failed process,
    one that did not end as a consequence of another's death (the launcher's "first
    observed failure" is often a survivor that aborted when its peer vanished)."""
    try:
        found = [(int(r), int(c)) for r, c in _SUMMARY.findall(log_path.read_text(
            encoding="utf-8", errors="replace"))]
    except OSError:
        found = []
    causes = [f for f in found if f[1] not in _CONSEQUENCES]
    return causes[:1] or first or found[:1]


def launch(processes: int, argv: Sequence[str], out: str | None) -> int:
    """Run ``arena train ARGV`` in ``processes`` processes; the exit status is the run's
    (0: finished; a process's own status when it failed)."""
    try:
        import accelerate  # noqa: F401
    except ImportError:
        print("arena train: error: --processes needs accelerate: pip install "
              "'selfplay-arena[scale]' (or run one process: leave out --processes)",
              file=sys.stderr)
        return 2
    env = dict(os.environ)
    env.setdefault("OMP_NUM_THREADS", str(max(1, (os.cpu_count() or 1) // processes)))
    env["PYTHONUNBUFFERED"] = "1"
    env["ARENA_LAUNCHED"] = "1"  # the processes leave the closing line to this launcher
    cmd = launcher_command(processes, argv, free_port())
    fd, log_name = tempfile.mkstemp(prefix="arena-train-", suffix=".log")
    shown: list[str] = []
    failure: list[tuple[int, int]] = []
    stopped = threading.Event()
    with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as log:
        proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, text=True,
                                errors="replace")
        pump = threading.Thread(target=_pump, args=(proc.stderr, log, shown, failure, stopped),
                                daemon=True)
        pump.start()
        code = _wait(proc, stopped)
        pump.join()
    log_path = Path(log_name)
    if out and Path(out).is_dir():  # kept with the run it belongs to
        kept = Path(out) / "launch.log"
        try:
            kept.write_text(log_path.read_text(encoding="utf-8"), encoding="utf-8")
            log_path.unlink()
            log_path = kept
        except OSError:
            pass
    if code == 0:
        if log_path.name != "launch.log":
            log_path.unlink(missing_ok=True)
        return 0
    failure = _cause(log_path, failure)
    if stopped.is_set():
        print(f"arena train: interrupted; the run keeps its last checkpoint (run the same "
              f"command again to resume); every process's output is in {log_path}",
              file=sys.stderr)
        return 130
    if failure and not shown:
        rank, status = failure[0]
        print(f"arena train: process {rank} of {processes} {_how(status)}; the others were "
              f"stopped. The run keeps its last checkpoint (run the same command again to "
              f"resume); every process's output is in {log_path}", file=sys.stderr)
    elif not shown:
        print(f"arena train: the launcher {_how(code)}; every process's output is in "
              f"{log_path}", file=sys.stderr)
    return failure[0][1] if failure and failure[0][1] > 0 else (code if code > 0 else 1)
