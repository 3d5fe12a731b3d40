"""``arena train --processes N``'s closing line names the process whose death took the run
down, not a survivor that aborted or was stopped because of it."""

from __future__ import annotations

import signal
from pathlib import Path

from training.launch import _cause, _how

SUMMARY = """\
Failures:
[1]:
  time      : 2026-12-07_12:03:49
  host      : localhost
  rank      : 1 (local_rank: 1)
  exitcode  : {one} (pid: 2740)  (SIGKILL)
-----------------------------------------------------
Root Cause (first observed failure):
[0]:
  time      : 2026-12-07_12:03:49
  host      : localhost
  rank      : 0 (local_rank: 0)
  exitcode  : {zero} (pid: 2739)  (SIGABRT)
"""


def _log(tmp_path: Path, zero: int, one: int) -> Path:
    path = tmp_path / "launch.log"
    path.write_text("terminate called without an active exception\n"
                    + SUMMARY.format(zero=zero, one=one), encoding="utf-8")
    return path


def test_the_killed_process_is_named_not_the_survivor_that_aborted(tmp_path):
    log = _log(tmp_path, zero=-6, one=-9)
    assert _cause(log, [(0, -6)]) == [(1, -9)]
    assert _how(-9) == "was killed by SIGKILL"


def test_survivors_stopped_by_the_launcher_or_exiting_quietly_are_consequences(tmp_path):
    for survivor in (1, -int(signal.SIGTERM), -int(signal.SIGABRT)):
        assert _cause(_log(tmp_path, zero=survivor, one=3), [(0, survivor)]) == [(1, 3)]


def test_without_another_cause_the_first_failure_stands(tmp_path):
    both_aborted = _log(tmp_path, zero=-6, one=-6)
    assert _cause(both_aborted, [(0, -6)]) == [(0, -6)]
    assert _cause(tmp_path / "missing.log", [(1, 2)]) == [(1, 2)]
    assert _cause(both_aborted, []) == [(1, -6)]
    assert _how(2) == "exited with code 2" and _how(-999) == "was killed by signal 999"
