"""Checkpoints that survive being killed: written to a temporary folder, then renamed.

``RUN/checkpoint-N/`` holds the model in Hugging Face format (``from_pretrained`` loads it,
so ``llm:model=RUN/checkpoint-N`` plays it) with its tokenizer, and ``trainer_state.pt``:
optimizer state, RAE baselines, the opponent pool's snapshot iterations, the iteration and
the metrics rows written so far. A folder without ``COMPLETE`` is ignored.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import torch

__all__ = ["save_checkpoint", "latest_checkpoint", "load_trainer_state", "prune_checkpoints"]

_NAME = re.compile(r"^checkpoint-(\d+)$")


def save_checkpoint(run_dir: Path, iteration: int, model: Any, tokenizer: Any,
                    state: dict[str, Any]) -> Path:
    final = run_dir / f"checkpoint-{iteration}"
    tmp = run_dir / f".tmp-checkpoint-{iteration}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    torch.save(state, tmp / "trainer_state.pt")
    (tmp / "COMPLETE").write_text(str(iteration))
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    return final


def _checkpoints(run_dir: Path) -> list[tuple[int, Path]]:
    found = []
    if run_dir.exists():
        for p in run_dir.iterdir():
            m = _NAME.match(p.name)
            if m and (p / "COMPLETE").exists():
                found.append((int(m.group(1)), p))
    return sorted(found)


def latest_checkpoint(run_dir: Path) -> Path | None:
    found = _checkpoints(run_dir)
    return found[-1][1] if found else None


def load_trainer_state(path: Path) -> dict[str, Any]:
    return torch.load(path / "trainer_state.pt", weights_only=False)


def prune_checkpoints(run_dir: Path, keep: int, protect: set[int] = frozenset()) -> None:
    """Delete all but the newest ``keep`` checkpoints (and those in ``protect``)."""
    found = _checkpoints(run_dir)
    for it, path in found[:-keep] if keep > 0 else []:
        if it not in protect:
            shutil.rmtree(path, ignore_errors=True)
