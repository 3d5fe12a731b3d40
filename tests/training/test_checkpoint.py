"""Checkpoints: the trainer state never executes code when read, a damaged newest
checkpoint is skipped for the newest intact one, and a run folder is found by where it is
(any spelling of its path, or after a move); a --resume of nothing is refused, and nothing
is written before the model, the device and the opponents are validated."""

from __future__ import annotations

import json
import logging
import math
import os
import shutil
from pathlib import Path

import pytest

from tests.training.helpers import SMOKE

torch = pytest.importorskip("torch")
safetensors = pytest.importorskip("safetensors.torch")

from training.checkpoint import (UnsafeCheckpoint, load_trainer_state,  # noqa: E402
                                 resume_point, write_trainer_state)
from training.config import SelfPlayConfig  # noqa: E402
from training.loop import open_run, train  # noqa: E402


def _copy(run: Path, dest: Path) -> Path:
    shutil.copytree(run, dest)
    return dest


def _config(tiny_model: str, out: Path | str, **changes) -> SelfPlayConfig:
    return SelfPlayConfig(**{**SMOKE, "model": tiny_model, "out": str(out), **changes})


def _weights(folder: Path) -> dict:
    return safetensors.load_file(folder / "model.safetensors")


# ----- the trainer state format ----------------------------------------------------------
def test_trainer_state_round_trips_as_json_and_safetensors(tmp_path):
    state = {"optimizer": {"state": {0: {"step": torch.tensor(3.0), "exp_avg": torch.randn(4, 2)}},
                           "param_groups": [{"lr": 3e-4, "betas": (0.9, 0.999), "params": [0]}]},
             "rows": [{"iteration": 1, "loss": float("nan"), "eval/x": {"K:": 0.25}}],
             "elapsed_s": 1.5, "pool_iterations": [2, 4], "__odd": None}
    write_trainer_state(tmp_path, state)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trainer_state.json",
                                                          "trainer_state.safetensors"]
    back = load_trainer_state(tmp_path)
    opt = back["optimizer"]
    assert list(opt["state"]) == [0]  # int keys stay ints
    assert torch.equal(opt["state"][0]["exp_avg"], state["optimizer"]["state"][0]["exp_avg"])
    assert opt["state"][0]["step"].shape == () and float(opt["state"][0]["step"]) == 3.0
    assert opt["param_groups"][0]["betas"] == (0.9, 0.999)  # tuples stay tuples
    assert math.isnan(back["rows"][0]["loss"]) and back["rows"][0]["eval/x"] == {"K:": 0.25}
    assert back["pool_iterations"] == [2, 4] and back["__odd"] is None


class _Payload:
    """Pickles to a call of os.system: what a hostile trainer_state.pt would hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_a_pickle_payload_in_a_checkpoint_is_refused_not_run(smoke_run, tiny_model, tmp_path):
    run = _copy(smoke_run, tmp_path / "run")
    marker = tmp_path / "pwned"
    latest = run / "checkpoint-2"
    for name in ("trainer_state.json", "trainer_state.safetensors"):
        (latest / name).unlink()
    torch.save({"optimizer": _Payload(marker)}, latest / "trainer_state.pt")
    with pytest.raises(UnsafeCheckpoint, match="refused, nothing was executed") as err:
        train(_config(tiny_model, run))
    message = str(err.value)
    assert "checkpoint-2/trainer_state.pt" in message and "Delete that checkpoint" in message
    assert not marker.exists()


def test_an_old_plain_trainer_state_pt_still_resumes(smoke_run, tmp_path):
    """Checkpoints of earlier versions (a pickle of tensors and plain data) load with
    weights_only=True: the same state as the new format."""
    run = _copy(smoke_run, tmp_path / "run")
    latest = run / "checkpoint-2"
    state = load_trainer_state(latest)
    for name in ("trainer_state.json", "trainer_state.safetensors"):
        (latest / name).unlink()
    torch.save(state, latest / "trainer_state.pt")
    path, again = resume_point(run)
    assert path == latest and again["iteration"] == 2 and again["rows"] == state["rows"]


# ----- damaged checkpoints ---------------------------------------------------------------------
def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


DAMAGE = {
    "truncated weights": lambda c: _truncate(c / "model.safetensors"),
    "truncated trainer tensors": lambda c: _truncate(c / "trainer_state.safetensors"),
    "truncated trainer json": lambda c: _truncate(c / "trainer_state.json"),
    "empty config": lambda c: (c / "config.json").write_text(""),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_latest_checkpoint_falls_back_to_the_newest_intact(
        damage, smoke_run, tiny_model, tmp_path, caplog):
    run = _copy(smoke_run, tmp_path / "run")
    DAMAGE[damage](run / "checkpoint-2")
    with caplog.at_level(logging.WARNING, logger="training.checkpoint"):
        train(_config(tiny_model, run))
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "resuming from checkpoint-1" in warned[0]
    assert "skipped damaged checkpoint-2" in warned[0]
    assert (run / "checkpoint-2.damaged").is_dir()  # kept for a look, out of the way
    # iteration 2 ran again from checkpoint-1: the same parameters as the run never damaged
    again, straight = _weights(run / "checkpoint-2"), _weights(smoke_run / "checkpoint-2")
    assert all(torch.equal(again[k], straight[k]) for k in straight)
    assert [json.loads(x)["iteration"] for x in (run / "metrics.jsonl").read_text().splitlines()] \
        == [0, 1, 2]


def test_every_checkpoint_damaged_is_refused(smoke_run, tiny_model, tmp_path):
    run = _copy(smoke_run, tmp_path / "run")
    for it in (1, 2):
        (run / f"checkpoint-{it}" / "config.json").write_text("")
    with pytest.raises(ValueError, match="every checkpoint in .* is damaged"):
        train(_config(tiny_model, run))


# ----- where a run is ------------------------------------------------------------------------
def test_any_spelling_of_the_run_folder_is_the_same_run(smoke_run, tiny_model, tmp_path,
                                                        monkeypatch):
    (tmp_path / "runs").mkdir()
    run = _copy(smoke_run, tmp_path / "runs" / "x")
    before = (run / "metrics.jsonl").read_text()
    monkeypatch.chdir(tmp_path)
    for spelling in ("runs/x", "./runs/x/", str(run.resolve())):
        assert train(_config(tiny_model, spelling)) == Path(spelling)  # resumed: nothing to do
    assert (run / "metrics.jsonl").read_text() == before


def test_a_moved_run_folder_resumes(smoke_run, tiny_model, tmp_path):
    moved = _copy(smoke_run, tmp_path / "elsewhere" / "renamed")
    opened = open_run(_config(tiny_model, moved, iterations=3))
    assert opened.iteration == 2 and len(opened.rows) == 3
    assert json.loads((moved / "config.json").read_text())["out"] == str(moved)


def test_resume_of_a_folder_that_does_not_exist_is_refused(tiny_model, tmp_path):
    out = tmp_path / "no-such-run"
    with pytest.raises(ValueError, match="--resume: .*no-such-run does not exist"):
        train(_config(tiny_model, out), resume=True)
    assert not out.exists()


@pytest.mark.parametrize("bad", [
    {"model": "no/such/model/folder"},
    {"device": "cuda:7"} if not torch.cuda.is_available() else {"device": "nosuchdevice"},
    {"opponents": ["nosuchagent"], "opponent_prob": 0.5},
])
def test_nothing_is_written_before_the_run_is_validated(bad, tiny_model, tmp_path):
    out = tmp_path / "run"
    with pytest.raises(ValueError):
        open_run(_config(tiny_model, out, **bad))
    assert not out.exists()
    open_run(_config(tiny_model, out))  # the corrected command is not refused
    assert json.loads((out / "config.json").read_text())["model"] == tiny_model


def test_the_command_line_refuses_resume_of_nothing_in_one_line(tiny_model, tmp_path, capsys):
    from training.cli import train_from_argv

    out = tmp_path / "typo"
    assert train_from_argv(["--model", tiny_model, "--resume", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--resume:" in err[0] and "does not exist" in err[0]
    assert not out.exists()


def test_the_runs_agents_share_the_runs_model_cache(tiny_model, tmp_path):
    """Agents are built by LLMAgent's constructor (their model cache is set there) on the
    run's own cache: the policy plays the learner's live model, a pool snapshot is loaded
    once and dropped when it leaves the pool."""
    from agents.llm.agent import LLMAgent

    run = open_run(_config(tiny_model, tmp_path / "run", pool_every=1, pool_size=1,
                           opponents=["random"], opponent_prob=0.5))
    assert isinstance(run.policy, LLMAgent) and run.policy.models is run.models
    assert run.policy.backend.model is run.learner.model
    run.iteration = 1
    run.snapshot()
    first = run.pool()
    assert [a.name for a in first] == ["snapshot-1", "random"]
    assert run.pool()[0].backend.model is first[0].backend.model  # loaded once
    assert first[0].backend.model is not run.learner.model
    run.iteration = 2
    run.snapshot()
    assert [a.name for a in run.pool()][0] == "snapshot-2"
    assert len(run.models) == 2  # the policy and snapshot-2: snapshot-1 was dropped
