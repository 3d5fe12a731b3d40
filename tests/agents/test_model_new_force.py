"""``arena model new --force`` replaces only a model or a run, never the working directory
or a folder above it, and keeps the old contents until the new model is complete (issue
23, item 2)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from arena.cli import main


@pytest.fixture
def workdir(tmp_path, monkeypatch) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    (work / "notes.txt").write_text("keep me")
    (work / "src").mkdir()
    (work / "src" / "main.py").write_text("print(1)")
    monkeypatch.chdir(work)
    return work


@pytest.mark.parametrize("out", [".", "./", "..", "../.."])
def test_force_refuses_the_working_directory_and_its_parents(workdir, capsys, out):
    """Regression: ``--out . --force`` emptied the working directory, then failed."""
    before = sorted(p.name for p in workdir.iterdir())
    assert main(["model", "new", "--out", out, "--force"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is the working directory or a folder above it" in err
    assert sorted(p.name for p in workdir.iterdir()) == before
    assert (workdir / "notes.txt").read_text() == "keep me"


def test_force_refuses_a_folder_holding_more_than_a_model_or_a_run(workdir, capsys):
    mine = workdir / "mine"
    mine.mkdir()
    (mine / "config.json").write_text("{}")
    (mine / "thesis.tex").write_text("years of work")
    assert main(["model", "new", "--out", "mine", "--force"]) == 2
    err = capsys.readouterr().err
    assert "holds more than a model or a training run (thesis.tex" in err
    assert (mine / "thesis.tex").read_text() == "years of work"


def test_force_replaces_a_model_and_a_run_folder(workdir):
    assert main(["model", "new", "--out", "m"]) == 0
    weights = (workdir / "m" / "model.safetensors").read_bytes()
    assert main(["model", "new", "--out", "m", "--seed", "1", "--force"]) == 0
    assert (workdir / "m" / "model.safetensors").read_bytes() != weights
    run = workdir / "run"
    (run / "checkpoint-2").mkdir(parents=True)
    (run / "config.json").write_text("{}")
    (run / "metrics.jsonl").write_text("{}\n")
    assert main(["model", "new", "--out", "run", "--force"]) == 0
    assert (run / "model.safetensors").exists() and not (run / "metrics.jsonl").exists()
    assert not [p for p in workdir.iterdir() if p.name.startswith(".")]  # no leftovers
    mode = stat.S_IMODE((workdir / "m").stat().st_mode)
    umask = os.umask(0)
    os.umask(umask)
    assert mode == 0o777 & ~umask  # a folder like any other, not mkdtemp's 0700


def test_a_failed_build_keeps_the_old_model(workdir, monkeypatch):
    import agents.llm.tiny_model as tiny_model

    assert main(["model", "new", "--out", "m"]) == 0
    before = {p.name: p.read_bytes() for p in (workdir / "m").iterdir()}

    def broken(out, *args):
        (out / "config.json").write_text("half")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tiny_model, "_write_model", broken)
    assert main(["model", "new", "--out", "m", "--force"]) == 1
    assert {p.name: p.read_bytes() for p in (workdir / "m").iterdir()} == before
    assert sorted(p.name for p in workdir.iterdir()) == ["m", "notes.txt", "src"]
