"""Experiment tracking: every metrics row of a run, also sent to TensorBoard, Weights &
Biases or trackio (``--report-to``, as the trainers people use name it).

- The metric names are those of ``metrics.jsonl`` (``advantage/kuhn_poker/first``,
  ``eval/kuhn_poker/exploitability``, ``critic/loss`` ...), scalars only (a policy table
  stays in the file), at step = the row's iteration.
- The run's options are sent once as hyperparameters (TensorBoard: the HParams plugin and
  the ``config.toml`` text; W&B and trackio: the run's config).
- Offline by default: TensorBoard writes ``RUN/tensorboard``; W&B runs with
  ``WANDB_MODE=offline`` unless the environment says otherwise and keeps its files in
  ``RUN/wandb``; trackio writes its local database.
- A missing package is one line naming the extra to install.

A resumed run appends from its checkpoint's iteration on (TensorBoard discards what an
earlier process logged past it; W&B and trackio start a new run of the same name).
"""

from __future__ import annotations

import logging
import math
import os
from pathlib import Path
from typing import Any, Sequence

__all__ = ["TRACKERS", "Tracker", "open_trackers", "check_trackers"]

log = logging.getLogger(__name__)

TRACKERS = ("none", "tensorboard", "wandb", "trackio")
_INSTALL = "pip install 'selfplay-arena[tracking]'"


def _scalars(row: dict[str, Any]) -> dict[str, float]:
    return {k: float(v) for k, v in row.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
            and k != "iteration"}


def _hparams(config: dict[str, Any]) -> dict[str, Any]:
    """Options as HParams values (numbers, strings, bools; lists joined, None as ""), text
    made valid UTF-8 (a path with an undecodable byte cannot stop a run)."""
    from common.untrusted import valid_text

    out: dict[str, Any] = {}
    for k, v in config.items():
        if isinstance(v, list):
            v = ",".join(map(str, v))
        v = "" if v is None else v
        out[k] = valid_text(v) if isinstance(v, str) else v
    return out


class Tracker:
    """One tracking backend: ``log(row)`` per metrics row, ``close()`` at the end."""

    name = "none"

    def log(self, row: dict[str, Any]) -> None:
        ...

    def close(self) -> None:
        ...


class _TensorBoard(Tracker):
    name = "tensorboard"

    def __init__(self, run_dir: Path, config: dict[str, Any], config_text: str,
                 start: int = 0) -> None:
        from common.untrusted import valid_text

        try:
            from torch.utils.tensorboard import SummaryWriter
            from torch.utils.tensorboard.summary import hparams
        except ImportError as err:
            raise ImportError(f"--report-to tensorboard needs the tensorboard package ({err}); "
                              f"{_INSTALL}") from None
        # a resumed run discards what an earlier process logged after its checkpoint
        self.writer = SummaryWriter(log_dir=str(run_dir / "tensorboard"),
                                    purge_step=start + 1 if start else None)
        if not start:
            for summary in hparams(_hparams(config), {}):
                self.writer.file_writer.add_summary(summary)
            self.writer.add_text("config", "```\n" + valid_text(config_text) + "\n```", 0)

    def log(self, row: dict[str, Any]) -> None:
        step = int(row.get("iteration", 0))
        for key, value in _scalars(row).items():
            self.writer.add_scalar(key, value, step)
        self.writer.flush()

    def close(self) -> None:
        self.writer.close()


class _WandB(Tracker):
    name = "wandb"

    def __init__(self, run_dir: Path, config: dict[str, Any], config_text: str,
                 start: int = 0) -> None:
        try:
            import wandb
        except ImportError as err:
            raise ImportError(f"--report-to wandb needs the wandb package ({err}); "
                              "pip install wandb") from None
        os.environ.setdefault("WANDB_MODE", "offline")
        self.run = wandb.init(project=os.environ.get("WANDB_PROJECT", "arena"),
                              name=run_dir.name, dir=str(run_dir), config=config,
                              reinit=True)

    def log(self, row: dict[str, Any]) -> None:
        self.run.log(_scalars(row), step=int(row.get("iteration", 0)))

    def close(self) -> None:
        self.run.finish()


class _Trackio(Tracker):
    name = "trackio"

    def __init__(self, run_dir: Path, config: dict[str, Any], config_text: str,
                 start: int = 0) -> None:
        try:
            import trackio
        except ImportError as err:
            raise ImportError(f"--report-to trackio needs the trackio package ({err}); "
                              "pip install trackio") from None
        self.trackio = trackio
        trackio.init(project=os.environ.get("TRACKIO_PROJECT", "arena"), name=run_dir.name,
                     config=config)

    def log(self, row: dict[str, Any]) -> None:
        self.trackio.log(_scalars(row), step=int(row.get("iteration", 0)))

    def close(self) -> None:
        self.trackio.finish()


_BACKENDS = {"tensorboard": _TensorBoard, "wandb": _WandB, "trackio": _Trackio}
_PACKAGES = {"tensorboard": ("tensorboard", _INSTALL), "wandb": ("wandb", "pip install wandb"),
             "trackio": ("trackio", "pip install trackio")}


def check_trackers(names: Sequence[str]) -> None:
    """Raise one line for an unknown tracker or one whose package is missing (before a
    run writes anything)."""
    import importlib.util

    for name in names:
        if name not in TRACKERS:
            raise ValueError(f"report_to={name!r} must be one of {', '.join(TRACKERS)}, "
                             "e.g. --report-to tensorboard")
        if name == "none":
            continue
        package, install = _PACKAGES[name]
        if importlib.util.find_spec(package) is None:
            raise ImportError(f"--report-to {name} needs the {package} package, which is not "
                              f"installed; {install}")


class _All(Tracker):
    """The run's trackers. One that fails while logging or closing is reported once and
    left out from then on: a tracker's disk or network never stops the training."""

    def __init__(self, trackers: Sequence[Tracker]) -> None:
        self.trackers = list(trackers)

    def _each(self, what: str, *args: Any) -> None:
        for t in list(self.trackers):
            try:
                getattr(t, what)(*args)
            except Exception as err:  # noqa: BLE001 - any tracker failure, reported
                log.warning("--report-to %s failed (%s: %s); it is left out for the rest "
                            "of the run, metrics.jsonl is complete", t.name,
                            type(err).__name__, err)
                self.trackers.remove(t)

    def log(self, row: dict[str, Any]) -> None:
        self._each("log", row)

    def close(self) -> None:
        self._each("close")


def open_trackers(names: Sequence[str], run_dir: Path, config: dict[str, Any],
                  config_text: str = "", start: int = 0) -> Tracker:
    """The trackers ``names`` (``none`` and an empty list: none), opened for ``run_dir``
    at iteration ``start`` (a resumed run's); one that cannot open closes those already
    open and raises."""
    opened: list[Tracker] = []
    try:
        for name in dict.fromkeys(n for n in names if n != "none"):
            opened.append(_BACKENDS[name](Path(run_dir), config, config_text, start))
    except BaseException:
        for t in opened:
            t.close()
        raise
    return _All(opened)
