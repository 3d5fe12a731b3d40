"""A run that fails before its first checkpoint does not block its corrected command;
``config.json`` is written whole; a resumed run is checked against the config it was
trained under, kept in its checkpoint (issue 23, items 5 and 6)."""

from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import pytest

from training.config import SelfPlayConfig
from training.loop import open_run, train

FAST = dict(iterations=1, matches_per_iteration=2, eval_every=0, checkpoint_every=1,
            minibatch=8)


def _config(model: str, out: Path, **kw) -> SelfPlayConfig:
    return SelfPlayConfig(model=model, out=str(out), **{**FAST, **kw})


@pytest.mark.parametrize("kw, words", [
    (dict(games=["werewolf"], mode="choice"), "--mode choice cannot play werewolf"),
    (dict(games=["kuhn_poker", "negotiation"], mode="choice"), "cannot play negotiation"),
    (dict(games=["kuhn_poker", "tictactoe"], mode="choice", sft_from="kuhn-nash",
          sft_episodes=2), "kuhn-nash plays only 'kuhn_poker'"),
])
def test_settings_that_cannot_run_are_refused_before_anything_is_written(tiny_model, tmp_path,
                                                                          kw, words):
    """Regression: these failed after config.json was written."""
    out = tmp_path / "run"
    with pytest.raises(ValueError, match=words):
        open_run(_config(tiny_model, out, **kw))
    assert not out.exists()


@pytest.mark.parametrize("left", ["other settings", "empty", "not json"])
def test_a_folder_without_a_checkpoint_may_start_again_under_new_settings(tiny_model,
                                                                           tmp_path, left):
    """Regression: a run that diverged (or met a full disk) before its first checkpoint
    left config.json, and the corrected command was refused as "different config"."""
    out = tmp_path / "run"
    out.mkdir()
    failed = _config(tiny_model, out, lr=0.9).to_dict()  # one that diverged
    text = {"other settings": json.dumps(failed), "empty": "", "not json": "{trunc"}[left]
    (out / "config.json").write_text(text)
    fixed = _config(tiny_model, out, lr=1e-3)
    run = open_run(fixed)
    assert run.iteration == 0
    assert json.loads((out / "config.json").read_text())["lr"] == 1e-3


def test_a_folder_with_a_checkpoint_still_refuses_other_settings(smoke_run, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(smoke_run, run_dir)
    saved = json.loads((run_dir / "config.json").read_text())
    changed = SelfPlayConfig(**{**saved, "out": str(run_dir), "lr": 0.5})
    with pytest.raises(ValueError, match=r"different config \(lr\)"):
        open_run(changed)


def test_config_json_is_written_whole_or_not_at_all(tiny_model, tmp_path, monkeypatch):
    """Regression: a full disk left config.json at 0 bytes."""
    import training.loop as loop

    out = tmp_path / "run"
    out.mkdir()
    (out / "config.json").write_text(json.dumps(_config(tiny_model, out).to_dict()))
    before = (out / "config.json").read_text()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(loop.os, "fsync", full)
    with pytest.raises(OSError, match="No space left"):
        open_run(_config(tiny_model, out, lr=2e-3))
    assert (out / "config.json").read_text() == before
    assert sorted(p.name for p in out.iterdir()) == ["config.json"]


def test_the_checkpoint_carries_its_config_and_resume_compares_every_key(smoke_run, tmp_path):
    """Regression: a run folder without config.json resumed under any settings (a Kuhn
    Poker run resumed on TicTacToe)."""
    from training.checkpoint import latest_checkpoint, load_trainer_state

    run_dir = tmp_path / "run"
    shutil.copytree(smoke_run, run_dir)
    saved = json.loads((run_dir / "config.json").read_text())
    state = load_trainer_state(latest_checkpoint(run_dir))
    assert state["config"]["games"] == saved["games"] == ["kuhn_poker"]
    (run_dir / "config.json").unlink()
    other = SelfPlayConfig(**{**saved, "out": str(run_dir), "games": ["tictactoe"]})
    with pytest.raises(ValueError, match=r"trained with a different config \(games; read "
                                         r"from checkpoint-2\)"):
        open_run(other)
    assert not (run_dir / "config.json").exists()  # refused before anything was written
    same = SelfPlayConfig(**{**saved, "out": str(run_dir), "iterations": 3})
    assert open_run(same).iteration == 2  # the same settings (more iterations) resume


def test_a_key_missing_from_an_older_config_counts_as_its_default(smoke_run, tmp_path):
    run_dir = tmp_path / "run"
    shutil.copytree(smoke_run, run_dir)
    saved = json.loads((run_dir / "config.json").read_text())
    older = {k: v for k, v in saved.items() if k != "pool_size"}
    (run_dir / "config.json").write_text(json.dumps(older))
    from training.config import config_changes

    default = SelfPlayConfig().pool_size
    assert config_changes(older, SelfPlayConfig(**{**saved, "pool_size": default})) == []
    assert config_changes(older, SelfPlayConfig(**{**saved, "pool_size": default + 1})) == [
        "pool_size"]


def test_truncated_model_weights_in_a_ladder_are_one_line(smoke_run, tmp_path, capsys):
    """Regression (issue 23, item 10): truncated weights gave a SafetensorError traceback."""
    from arena.cli import main

    run = tmp_path / "run"
    shutil.copytree(smoke_run, run)
    config = json.loads((run / "config.json").read_text())
    start = tmp_path / "start"
    shutil.copytree(config["model"], start)
    (start / "model.safetensors").write_bytes(b"\x10\x00")  # the starting model, truncated
    (run / "config.json").write_text(json.dumps({**config, "model": str(start)}))
    assert main(["ladder", str(run), "--games-per-seat", "1"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    assert "weights are damaged or truncated" in err


def _storage_full():
    from safetensors import SafetensorError

    return SafetensorError('Error while serializing: IoError(Os { code: 28, kind: '
                           'StorageFull, message: "No space left on device" })')


def test_a_full_disk_while_saving_a_checkpoint_is_one_line_with_exit_1(smoke_run, tmp_path,
                                                                       capsys, monkeypatch):
    """Regression (item 8): a SafetensorError traceback; now one line that says what was
    kept and how to continue, status 1."""
    from safetensors import torch as st_torch

    import training.checkpoint as checkpoint
    from arena.cli import main
    from tests.training.helpers import SMOKE_ARGS

    run = tmp_path / "run"
    shutil.copytree(smoke_run, run)
    saved = json.loads((run / "config.json").read_text())

    def full(*args, **kwargs):
        raise _storage_full()

    monkeypatch.setattr(st_torch, "save_file", full)
    args = list(SMOKE_ARGS)
    idx = args.index("--iterations")
    args[idx + 1] = "3"
    assert main(["train", *args, "--model", saved["model"], "--out", str(run)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1, err
    assert "no space left on the device writing checkpoint-3" in err
    assert "kept: checkpoint-2" in err and "run the same command again" in err
    assert not (run / ".tmp-checkpoint-3").exists()
    assert checkpoint.latest_checkpoint(run).name == "checkpoint-2"


def test_a_full_disk_while_writing_a_model_is_one_line(tmp_path, capsys, monkeypatch):
    import agents.llm.tiny_model as tiny_model
    from arena.cli import main

    def full(out, *args):
        raise _storage_full()

    monkeypatch.setattr(tiny_model, "_write_model", full)
    assert main(["model", "new", "--out", str(tmp_path / "m")]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("\n") == 1
    assert "no space left on the device writing the model" in err
    assert "nothing was written" in err and not (tmp_path / "m").exists()
