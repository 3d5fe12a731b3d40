"""Experiment tracking: TensorBoard holds what metrics.jsonl holds (read back from the event
files); a missing package or an unknown tracker is one line and writes nothing."""

from __future__ import annotations

import json

import pytest

from training.cli import train_from_argv
from training.config import SelfPlayConfig
from training.loop import train


def test_tensorboard_holds_the_metrics_rows_and_the_config(tiny_model, tmp_path):
    pytest.importorskip("tensorboard")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    run = train(SelfPlayConfig(model=tiny_model, out=str(tmp_path / "run"), iterations=2,
                               games=["kuhn_poker:view=compact"], prompt="bare",
                               matches_per_iteration=8, eval_every=2, eval_games=0,
                               report_to=["tensorboard"]))
    rows = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    events = EventAccumulator(str(run / "tensorboard"), size_guidance={"scalars": 0})
    events.Reload()
    tags = set(events.Tags()["scalars"])
    expected = {(k, r["iteration"]): v for r in rows for k, v in r.items()
                if isinstance(v, (int, float)) and k != "iteration"}
    assert {k for k, _ in expected} == tags
    for (key, step), value in expected.items():
        got = {e.step: e.value for e in events.Scalars(key)}
        assert got[step] == pytest.approx(value, rel=1e-6, abs=1e-6), key
    assert "eval/kuhn_poker:view=compact/exploitability" in tags
    assert any(t.startswith("advantage/") for t in tags)
    text = events.Tags()["tensors"]
    assert "config/text_summary" in text


@pytest.mark.parametrize("tracker, package", [("wandb", "wandb"), ("trackio", "trackio"),
                                               ("tensorboard", "tensorboard")])
def test_a_missing_package_is_one_line_naming_what_to_install(tracker, package, tiny_model,
                                                              tmp_path, capsys, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == package else real(name, *a))
    assert train_from_argv(["--model", tiny_model, "--report-to", tracker, "--iterations", "1",
                            "--out", str(tmp_path / "run")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--report-to {tracker} needs the {package} package" in err[0]
    assert "pip install" in err[0]
    assert not (tmp_path / "run").exists()


def test_an_unknown_tracker_is_one_line(tmp_path, capsys):
    assert train_from_argv(["--report-to", "tensorbord", "--out", str(tmp_path / "r")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "report_to='tensorbord' must be one of none, tensorboard" in err[0]
    assert "(option --report-to)" in err[0]


def test_a_failing_tracker_is_left_out_and_the_others_go_on(caplog):
    from training.tracking import Tracker, _All

    class Broken(Tracker):
        name = "broken"

        def log(self, row):
            raise OSError("disk full")

    class Kept(Tracker):
        name = "kept"
        rows: list = []

        def log(self, row):
            self.rows.append(row)

    trackers = _All([Broken(), Kept()])
    trackers.log({"iteration": 1, "x": 1.0})
    trackers.log({"iteration": 2, "x": 2.0})
    trackers.close()
    assert [r["iteration"] for r in Kept.rows] == [1, 2]
    assert [t.name for t in trackers.trackers] == ["kept"]
    assert sum("--report-to broken failed" in r.message for r in caplog.records) == 1


def test_hyperparameters_are_valid_text():
    from training.tracking import _hparams

    hp = _hparams({"out": "runs/\udcff", "opponents": ["random", "expert"], "minutes": None})
    assert hp["out"].encode("utf-8") and hp["opponents"] == "random,expert"
    assert hp["minutes"] == ""
