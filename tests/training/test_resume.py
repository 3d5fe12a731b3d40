"""Kill and resume: a run killed (SIGKILL) after its first checkpoint and started again
with the same command ends exactly where an uninterrupted run ends: the same parameters,
bit for bit, and one metrics row per iteration with the same values."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.training.helpers import SMOKE_ARGS

torch = pytest.importorskip("torch")
safetensors = pytest.importorskip("safetensors.torch")

REPO = Path(__file__).resolve().parents[2]
TIMING = {"elapsed_s", "rollout_s", "learn_s", "games_per_s", "tokens_per_s"}
"""Wall-clock metrics: the only values that may differ between the two runs."""


def _command(model: str, out: Path) -> list[str]:
    return [sys.executable, "-m", "training.cli", *SMOKE_ARGS, "--model", model, "--out", str(out)]


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1"}


def _wait_for(path: Path, proc: subprocess.Popen, log: Path, timeout: float = 300.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"the run ended (rc {proc.returncode}) before {path.name} appeared:\n"
                        + log.read_text()[-3000:])
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"no {path} after {timeout} s")
        time.sleep(0.05)


def _rows(run_dir: Path) -> list[dict]:
    return [json.loads(line) for line in (run_dir / "metrics.jsonl").read_text().splitlines()]


def test_killed_run_resumes_to_the_same_parameters(smoke_run, tiny_model, tmp_path):
    out = tmp_path / "run"
    log = tmp_path / "log.txt"
    with open(log, "w") as fh:
        proc = subprocess.Popen(_command(tiny_model, out), cwd=REPO, env=_env(), stdout=fh,
                                stderr=subprocess.STDOUT)
        _wait_for(out / "checkpoint-1" / "COMPLETE", proc, log)
        assert proc.poll() is None, "the run finished before it could be killed"
        proc.kill()  # SIGKILL: no cleanup of any kind
        proc.wait()
    assert not (out / "checkpoint-2").exists()

    done = subprocess.run(_command(tiny_model, out), cwd=REPO, env=_env(), capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]

    resumed = safetensors.load_file(out / "checkpoint-2" / "model.safetensors")
    straight = safetensors.load_file(smoke_run / "checkpoint-2" / "model.safetensors")
    assert resumed.keys() == straight.keys()
    differ = [k for k in straight if not torch.equal(resumed[k], straight[k])]
    assert not differ, f"tensors that differ after resuming: {differ}"

    rows = _rows(out)
    assert [r["iteration"] for r in rows] == [0, 1, 2]  # one row each, no duplicate
    for got, want in zip(rows, _rows(smoke_run)):
        strip = lambda r: {k: v for k, v in r.items() if k not in TIMING}  # noqa: E731
        assert strip(got) == strip(want), f"iteration {want['iteration']} differs"
