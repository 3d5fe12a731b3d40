"""``arena train``'s progress display: a bar with the ETA and the latest evaluation on a
terminal, one log line per iteration elsewhere (a file, a pipe, CI).

The bar counts iterations when the run has an iteration limit, else the minutes of its
time budget. The ETA is the earlier of the two ends: the iterations left at the mean
time of this session's iterations, and the time budget left. Metrics rows are only read
here; ``metrics.jsonl`` is the loop's business.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from common.untrusted import markup_safe, terminal_safe

from training.evaluation import headline_metric

__all__ = ["ProgressState", "eta_seconds", "eval_summary", "row_line", "TrainProgress"]


@dataclass(frozen=True)
class ProgressState:
    iteration: int
    limit: int | None
    """Iterations that end the run (None: the time budget alone)."""
    minutes: float | None
    elapsed_s: float
    """Training time of the run so far (across resumes)."""
    seconds_per_iteration: float | None
    """Mean wall time of this session's iterations (None before the first)."""


def eta_seconds(state: ProgressState) -> float | None:
    """Seconds until the run ends: the earlier of its iteration limit and its time budget
    (None while unknown)."""
    ends = []
    if state.limit is not None and state.seconds_per_iteration is not None:
        ends.append(max(state.limit - state.iteration, 0) * state.seconds_per_iteration)
    if state.minutes is not None:
        ends.append(max(state.minutes * 60 - state.elapsed_s, 0.0))
    return min(ends) if ends else None


def _clock(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "-:--:--"
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def eval_summary(row: dict[str, Any]) -> str:
    """The evaluation and ladder figures of a row, short ('' if it has none)."""
    parts = []
    for key, value in row.items():
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            continue
        if headline_metric(key) is not None:
            parts.append(f"{key[5:]} {value:.3f}")
        if key.startswith("ladder/") and key.endswith("/policy/rating"):
            parts.append(f"rating[{key[7:-14]}] {value:.0f}")
    return "  ".join(parts)


def row_line(row: dict[str, Any]) -> str:
    """One line per iteration for logs: speed, loss, invalid rate, advantages, evaluation."""
    parts = [f"it {row['iteration']}"]
    for key, label, fmt in (("games_per_s", "games/s", "{:.1f}"), ("tokens_per_s", "tok/s", "{:.0f}"),
                            ("losses/loss", "loss", "{:+.4f}"), ("invalid_rate", "invalid", "{:.2f}")):
        if key in row:
            parts.append(f"{label} {fmt.format(row[key])}")
    for key, value in row.items():
        if key.startswith("advantage/"):
            parts.append(f"adv[{key[10:]}] {value:+.3f}")
    summary = eval_summary(row)
    return "  ".join(parts + ([summary] if summary else []))


class TrainProgress:
    """Shows rows as they come: ``with TrainProgress(console, limit, minutes) as p:
    p.update(row)``. Text from rows (game and role names) reaches the terminal only
    through :mod:`common.untrusted`."""

    def __init__(self, console: Any, limit: int | None, minutes: float | None) -> None:
        from rich.progress import BarColumn, Progress, TextColumn

        self.console = console
        self.limit, self.minutes = limit, minutes
        self.live = console.is_terminal
        self._times: list[float] = []
        self._last = time.perf_counter()
        self._eval = ""
        columns = [TextColumn("[bold]train"), BarColumn(), TextColumn("{task.fields[count]}"),
                   TextColumn("ETA {task.fields[eta]}"), TextColumn("{task.fields[eval]}")]
        self._progress = Progress(*columns, console=console, transient=False,
                                  disable=not self.live)
        total = limit if limit is not None else (minutes or 1.0) * 60
        self._task = self._progress.add_task("train", total=total, count=self._count(0, 0.0),
                                             eta=_clock(None), eval="rollouts...")

    def _count(self, iteration: int, elapsed: float) -> str:
        if self.limit is not None:
            return f"it {iteration}/{self.limit}"
        return f"it {iteration}  {_clock(elapsed)}/{_clock((self.minutes or 0) * 60)}"

    def __enter__(self) -> "TrainProgress":
        self._progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._progress.__exit__(*exc)

    def state(self, row: dict[str, Any]) -> ProgressState:
        mean = sum(self._times) / len(self._times) if self._times else None
        return ProgressState(row["iteration"], self.limit, self.minutes,
                             float(row.get("elapsed_s", 0.0)), mean)

    def update(self, row: dict[str, Any]) -> None:
        now = time.perf_counter()
        if row["iteration"] > 0:
            self._times.append(now - self._last)
        self._last = now
        self._eval = eval_summary(row) or self._eval
        state = self.state(row)
        done = state.iteration if self.limit is not None else state.elapsed_s
        self._progress.update(self._task, completed=done, eta=_clock(eta_seconds(state)),
                              count=self._count(state.iteration, state.elapsed_s),
                              eval=markup_safe(self._eval, multiline=False))
        if not self.live:
            self.console.print(terminal_safe(row_line(row)), highlight=False, markup=False,
                               soft_wrap=True)
