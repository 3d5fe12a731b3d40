"""Checkpoints that survive being killed, never execute code, and skip damage.

``RUN/checkpoint-N/`` holds the model in Hugging Face format (``from_pretrained`` loads
it, so ``llm:model=RUN/checkpoint-N`` plays it) with its tokenizer, and the trainer state
(optimizer state, RAE baselines, the opponent pool's snapshot iterations, the iteration
and the metrics rows so far) in two files that cannot run code when read:
``trainer_state.safetensors`` (every tensor) and ``trainer_state.json`` (the rest; each
tensor appears there as ``{"__tensor__": name}``). A checkpoint is written to a temporary
folder and renamed; a folder without ``COMPLETE`` is ignored.

Older runs stored the trainer state as ``trainer_state.pt`` (a pickle). It is still read,
with ``torch.load(weights_only=True)``, which admits only tensors and plain containers: a
file that holds anything else is refused (:class:`UnsafeCheckpoint`), never executed.

On resume, :func:`resume_point` takes the newest intact checkpoint: one whose
``config.json``, weights and trainer state all read back. A damaged newer one (truncated
weights or state, an empty config) is skipped with a warning naming it and why, and renamed
``checkpoint-N.damaged`` (kept, out of the way of pruning); when every checkpoint is
damaged the resume is refused.
"""

from __future__ import annotations

import errno
import json
import logging
import pickle
import re
import shutil
from pathlib import Path
from typing import Any

import torch

__all__ = ["save_checkpoint", "no_space", "latest_checkpoint", "resume_point", "load_trainer_state",
           "write_trainer_state", "prune_checkpoints", "checkpoint_problem", "UnsafeCheckpoint"]

log = logging.getLogger(__name__)

_NAME = re.compile(r"^checkpoint-(\d+)$")
STATE_JSON = "trainer_state.json"
STATE_TENSORS = "trainer_state.safetensors"
LEGACY_STATE = "trainer_state.pt"


class UnsafeCheckpoint(ValueError):
    """A checkpoint file holds something other than tensors and plain data."""


# ----- trainer state: tensors to safetensors, everything else to JSON --------------------
def _encode(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, torch.Tensor):
        name = f"t{len(tensors)}"
        tensors[name] = obj.detach().to("cpu").clone().contiguous()
        return {"__tensor__": name}
    if isinstance(obj, dict):
        if all(isinstance(k, str) and not k.startswith("__") for k in obj):
            return {k: _encode(v, tensors) for k, v in obj.items()}
        return {"__items__": [[_encode(k, tensors), _encode(v, tensors)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, tensors) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, tensors) for v in obj]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"trainer state holds a {type(obj).__name__}: only tensors, numbers, "
                    "strings, lists, tuples and dicts are saved")


def _decode(obj: Any, tensors: dict[str, torch.Tensor]) -> Any:
    if isinstance(obj, list):
        return [_decode(v, tensors) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        return tensors[obj["__tensor__"]]
    if "__tuple__" in obj:
        return tuple(_decode(v, tensors) for v in obj["__tuple__"])
    if "__items__" in obj:
        return {_decode(k, tensors): _decode(v, tensors) for k, v in obj["__items__"]}
    return {k: _decode(v, tensors) for k, v in obj.items()}


def write_trainer_state(folder: Path, state: dict[str, Any]) -> None:
    from safetensors.torch import save_file

    tensors: dict[str, torch.Tensor] = {}
    plain = _encode(state, tensors)
    save_file(tensors, str(folder / STATE_TENSORS))
    (folder / STATE_JSON).write_text(json.dumps(plain))


def load_trainer_state(path: Path) -> dict[str, Any]:
    """The trainer state of checkpoint ``path``; raises :class:`UnsafeCheckpoint` for a
    legacy pickle holding anything but tensors and plain data, ValueError if damaged."""
    from safetensors.torch import load_file

    if (path / STATE_JSON).exists():
        try:
            plain = json.loads((path / STATE_JSON).read_text())
            return _decode(plain, load_file(str(path / STATE_TENSORS)))
        except Exception as err:  # truncated, missing or scribbled: the checkpoint is damaged
            raise ValueError(f"{path.name}: trainer state unreadable ({err})") from err
    legacy = path / LEGACY_STATE
    if not legacy.exists():
        raise ValueError(f"{path.name}: no trainer state ({STATE_JSON} or {LEGACY_STATE})")
    try:
        return torch.load(legacy, weights_only=True, map_location="cpu")
    except pickle.UnpicklingError as err:
        raise UnsafeCheckpoint(
            f"{legacy} holds objects other than tensors and plain data (a pickle that could run "
            "code): refused, nothing was executed. Delete that checkpoint folder to resume from "
            "an earlier one, or start a new run with another --out") from err
    except Exception as err:
        raise ValueError(f"{path.name}: trainer state unreadable ({err})") from err


# ----- writing ----------------------------------------------------------------------------
def no_space(err: BaseException) -> bool:
    """Whether ``err`` says the disk is full (an OSError, or safetensors' own error, which
    wraps the OS error in its text)."""
    if isinstance(err, OSError) and err.errno == errno.ENOSPC:
        return True
    text = str(err)
    return "No space left" in text or "StorageFull" in text or "code: 28" in text


def save_checkpoint(run_dir: Path, iteration: int, model: Any, tokenizer: Any,
                    state: dict[str, Any]) -> Path:
    """``run_dir/checkpoint-N``, written to a temporary folder and renamed. A full disk is
    one ``OSError`` (ENOSPC) saying what was kept and how to continue; the partial folder
    is removed and the previous checkpoint left as it was."""
    final = run_dir / f"checkpoint-{iteration}"
    tmp = run_dir / f".tmp-checkpoint-{iteration}"
    try:
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir(parents=True)
        model.save_pretrained(tmp)
        tokenizer.save_pretrained(tmp)
        write_trainer_state(tmp, state)
        (tmp / "COMPLETE").write_text(str(iteration))
    except Exception as err:
        shutil.rmtree(tmp, ignore_errors=True)
        if not no_space(err):
            raise
        kept = latest_checkpoint(run_dir)
        raise OSError(errno.ENOSPC, f"no space left on the device writing {final.name} in "
                      f"{run_dir}; kept: {kept.name if kept else 'no checkpoint yet'} (and "
                      "its metrics rows); free some space and run the same command again to "
                      "continue from it") from err
    if final.exists():
        shutil.rmtree(final)
    tmp.rename(final)
    return final


# ----- finding and checking -----------------------------------------------------------------
def _checkpoints(run_dir: Path) -> list[tuple[int, Path]]:
    found = []
    if run_dir.exists():
        for p in run_dir.iterdir():
            m = _NAME.match(p.name)
            if m and (p / "COMPLETE").exists():
                found.append((int(m.group(1)), p))
    return sorted(found)


def latest_checkpoint(run_dir: Path) -> Path | None:
    """The newest checkpoint marked complete (intact or not: see :func:`resume_point`)."""
    found = _checkpoints(run_dir)
    return found[-1][1] if found else None


def checkpoint_problem(path: Path) -> str | None:
    """Why checkpoint ``path``'s config or weights cannot be loaded (None: they can)."""
    from safetensors import safe_open

    try:
        config = json.loads((path / "config.json").read_text())
    except (OSError, ValueError) as err:
        return f"config.json unreadable ({err})"
    if not isinstance(config, dict) or not config:
        return "config.json is empty"
    weights = sorted(path.glob("*.safetensors"))
    weights = [w for w in weights if w.name != STATE_TENSORS]
    if not weights:
        return "no model weights (*.safetensors)"
    for file in weights:
        try:
            with safe_open(str(file), "pt") as fh:
                fh.keys()
        except Exception as err:
            return f"{file.name} unreadable ({err})"
    return None


def resume_point(run_dir: Path) -> tuple[Path, dict[str, Any]] | None:
    """(newest intact checkpoint, its trainer state), skipping damaged newer ones with a
    warning; None when there is none. A checkpoint holding a pickle payload is refused
    (:class:`UnsafeCheckpoint`) rather than skipped: someone put it there."""
    skipped: list[str] = []
    damaged: list[Path] = []
    for _, path in reversed(_checkpoints(run_dir)):
        problem = checkpoint_problem(path)
        state = None
        if problem is None:
            try:
                state = load_trainer_state(path)
            except UnsafeCheckpoint:
                raise
            except ValueError as err:
                problem = str(err).removeprefix(f"{path.name}: ")
        if problem is None:
            if skipped:
                for bad in damaged:  # out of the way of pruning and of later saves, kept
                    try:
                        bad.rename(bad.with_name(bad.name + ".damaged"))
                    except FileNotFoundError:
                        pass  # another process of the same run moved it first
                log.warning("resuming from %s; skipped damaged %s (renamed to *.damaged)",
                            path.name, "; ".join(skipped))
            return path, state
        skipped.append(f"{path.name} ({problem})")
        damaged.append(path)
    if skipped:
        raise ValueError(f"every checkpoint in {run_dir} is damaged: {'; '.join(skipped)}; "
                         "delete them to start this run over, or use another --out")
    return None


def prune_checkpoints(run_dir: Path, keep: int, protect: set[int] = frozenset()) -> None:
    """Delete all but the newest ``keep`` checkpoints (and those in ``protect``)."""
    found = _checkpoints(run_dir)
    for it, path in found[:-keep] if keep > 0 else []:
        if it not in protect:
            shutil.rmtree(path, ignore_errors=True)
