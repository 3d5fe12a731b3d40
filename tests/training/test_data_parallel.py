"""Data-parallel self-play (``arena train --processes N``): two processes play the same
matches as one (the same actions; probabilities equal up to float rounding), reach the same parameters within float tolerance (the shares' gradients
are summed in another order), resume after a kill with the same or another number of
processes, and a process that dies ends the run with one line instead of a hang."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("accelerate")
torch = pytest.importorskip("torch")
safetensors = pytest.importorskip("safetensors.torch")

from training.launch import free_port, launcher_command  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
ARGS = ["--game", "kuhn_poker", "--mode", "choice", "--iterations", "8", "--matches", "16",
        "--lr", "1e-2", "--minibatch", "16", "--eval-every", "0", "--ladder-games", "0",
        "--checkpoint-every", "1", "--keep-checkpoints", "0", "--seed", "0"]
EXACT = ("iteration", "matches", "samples", "tokens", "invalid_rate", "train/steps",
         "train/trained_samples", "train/trained_tokens", "train/lr")
"""Row keys that do not depend on the order of a float sum: equal to the last bit."""
PARAM_TOL = 1e-3
"""Largest parameter difference allowed between one and two processes after 3
iterations at lr 1e-2 (measured: 1.1e-4; Adam amplifies last-bit differences)."""


def _env() -> dict[str, str]:
    return {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}


def _train(model: str, out: Path, processes: int, *extra: str, **kw) -> subprocess.Popen:
    given = {a for a in extra if a.startswith("--")}
    args = [a for i, a in enumerate(ARGS)
            if a not in given and not (i and ARGS[i - 1] in given)]
    cmd = [sys.executable, "-m", "training.cli", *args, "--model", model, "--out", str(out),
           "--processes", str(processes), *extra]
    return subprocess.Popen(cmd, cwd=REPO, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kw)


def _finish(proc: subprocess.Popen, timeout: float = 600) -> str:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-3000:]
    return out


def _rows(run: Path) -> list[dict]:
    return [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]


def _params(run: Path, it: int) -> dict:
    return safetensors.load_file(str(run / f"checkpoint-{it}" / "model.safetensors"))


def _max_diff(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float((a[k] - b[k]).abs().max()) for k in a)


@pytest.fixture(scope="module")
def runs(tiny_model, tmp_path_factory) -> dict[int, Path]:
    """The same 8-iteration run in one process and in two (an iteration takes about 0.2 s:
    long enough for the kill test to land between its first and last checkpoint)."""
    base = tmp_path_factory.mktemp("processes")
    out = {n: base / f"p{n}" for n in (1, 2)}
    for n, path in out.items():
        _finish(_train(tiny_model, path, n))
    return out


def test_two_processes_play_the_matches_one_process_plays(tiny_model, tmp_path):
    from agents.llm.model_cache import ModelCache
    from training.config import SelfPlayConfig
    from training.rollout import play_iteration
    from training.run import policy_agent

    out = tmp_path / "records.jsonl"
    cmd = launcher_command(2, [tiny_model, str(out)], free_port(), module="tests.training.dp_records")
    proc = subprocess.run(cmd, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    two = [json.loads(line) for line in out.read_text().splitlines()]
    config = SelfPlayConfig(model=tiny_model, games=["kuhn_poker", "tictactoe"],
                            matches_per_iteration=13, seed=5, device="cpu", group_size=1)
    policy = policy_agent(config, ModelCache(), model=tiny_model)
    one = [json.loads(r.to_json()) for r in play_iteration(config, 2, policy, [])]
    assert len(one) == len(two) == 13
    assert {r["game"] for r in one} == {"kuhn_poker", "tictactoe"}
    floats_one, floats_two = [], []
    # seeds, actions, texts, token ids, returns: equal; the model's probabilities: equal up
    # to float rounding (a forward pass over a batch of other rows rounds differently)
    assert _shape(one, floats_one) == _shape(two, floats_two)
    assert floats_one == pytest.approx(floats_two, rel=1e-5, abs=1e-6)


def _shape(value, floats: list):
    """``value`` without its wall-clock fields (``elapsed_s``) and with its non-integer
    numbers moved to ``floats``."""
    if isinstance(value, dict):
        return {k: _shape(v, floats) for k, v in value.items() if k != "elapsed_s"}
    if isinstance(value, list):
        return [_shape(v, floats) for v in value]
    if isinstance(value, float):
        floats.append(value)
        return "<float>"
    return value


def test_two_processes_train_as_one_does(runs):
    one, two = _rows(runs[1]), _rows(runs[2])
    assert [r["iteration"] for r in one] == [r["iteration"] for r in two] == list(range(1, 9))
    for a, b in zip(one[:3], two[:3]):
        for key in EXACT:
            assert a[key] == b[key], key
        for key in [k for k in a if k.startswith(("advantage/", "baseline/"))]:
            assert a[key] == b[key], key  # computed from the same gathered records
        for key in ("losses/loss", "train/grad_norm"):
            assert b[key] == pytest.approx(a[key], rel=1e-3, abs=1e-5), key
    assert 0 < _max_diff(_params(runs[1], 3), _params(runs[2], 3)) < PARAM_TOL
    assert (runs[2] / "launch.log").is_file() and not (runs[1] / "launch.log").exists()


def test_compare_runs_reports_the_differences(runs):
    proc = subprocess.run([sys.executable, "scripts/compare_runs.py", str(runs[1]),
                           str(runs[2]), "--checkpoint", "3"], cwd=REPO, capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len([line for line in lines if line.startswith("iteration ")]) == 8
    weights = [line for line in lines if line.startswith("checkpoint-3: ")]
    found = float(weights[0].rsplit(" ", 1)[1])
    assert found == pytest.approx(_max_diff(_params(runs[1], 3), _params(runs[2], 3)), rel=1e-2)
    missing = subprocess.run([sys.executable, "scripts/compare_runs.py", str(runs[1]),
                              str(runs[1] / "nothing")], cwd=REPO, capture_output=True,
                             text=True, timeout=120)
    assert missing.returncode != 0 and "metrics.jsonl does not exist" in missing.stderr


def _kill_after_first_checkpoint(tiny_model, out: Path) -> None:
    proc = _train(tiny_model, out, 2)
    deadline = time.monotonic() + 600
    while not (out / "checkpoint-1" / "COMPLETE").exists():
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "no checkpoint-1"
        time.sleep(0.05)
    # the launcher and every process, with no cleanup at all (the workers run in sessions
    # of their own, so a signal to the launcher's group would leave them running)
    for pid in [proc.pid, *_descendants(proc.pid)]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    proc.communicate()
    assert not (out / "checkpoint-8").exists(), "the run ended before the kill"


def test_a_killed_run_resumes_with_two_processes_or_one(runs, tiny_model, tmp_path):
    killed = tmp_path / "killed"
    _kill_after_first_checkpoint(tiny_model, killed)
    again = tmp_path / "killed-one"
    shutil.copytree(killed, again)
    _finish(_train(tiny_model, killed, 2))
    assert _max_diff(_params(runs[2], 8), _params(killed, 8)) == 0.0  # same N: bit for bit
    assert [r["iteration"] for r in _rows(killed)] == list(range(1, 9))
    _finish(_train(tiny_model, again, 1))  # another N: the same run, within float tolerance
    assert _max_diff(_params(runs[2], 8), _params(again, 8)) < PARAM_TOL
    assert [r["samples"] for r in _rows(again)] == [r["samples"] for r in _rows(runs[2])]


def _descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    out, frontier = [], [pid]
    while frontier:
        kids = [c for c, p in parents.items() if p in frontier]
        out += kids
        frontier = kids
    return out


def _rank_of(pid: int) -> str | None:
    try:
        env = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return None
    cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
    if b"training" not in cmd or b"accelerate" in cmd:
        return None
    found = [e.split(b"=", 1)[1].decode() for e in env if e.startswith(b"RANK=")]
    return found[0] if found else None


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_a_dead_process_ends_the_run_with_one_line(tiny_model, tmp_path):
    out = tmp_path / "dies"
    proc = _train(tiny_model, out, 2, "--iterations", "200")
    deadline = time.monotonic() + 600
    while not (out / "checkpoint-1" / "COMPLETE").exists():
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert time.monotonic() < deadline
        time.sleep(0.05)
    victims = [p for p in _descendants(proc.pid) if _rank_of(p) == "1"]
    assert len(victims) == 1, victims
    os.kill(victims[0], signal.SIGKILL)
    try:
        _, err = proc.communicate(timeout=180)  # not a hang: the others are stopped
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode != 0
    assert len(lines) == 1, err
    assert lines[0].startswith("arena train: process 1 of 2 was killed by SIGKILL; the others "
                               "were stopped"), lines[0]
    assert str(out / "launch.log") in lines[0] and (out / "launch.log").is_file()


def test_ctrl_c_stops_every_process_with_one_line_in_one_default_folder(tiny_model, tmp_path):
    """Ctrl-C (SIGINT to the command's process group, as a terminal sends it) stops every
    process and says so in one line, exit 130; without --out, every process writes to the
    one dated folder the launcher chose."""
    args = [a if a != "8" else "5000" for a in ARGS]  # --iterations 5000: Ctrl-C ends it
    cmd = [sys.executable, "-m", "training.cli", *args, "--model", tiny_model,
           "--processes", "2"]
    proc = subprocess.Popen(cmd, cwd=tmp_path, env={**_env(), "PYTHONPATH": str(REPO)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    deadline = time.monotonic() + 600
    while not list(tmp_path.glob("runs/*/checkpoint-2/COMPLETE")):
        assert proc.poll() is None, proc.communicate()[1][-3000:]
        assert time.monotonic() < deadline, "no checkpoint-2"
        time.sleep(0.05)
    before = _descendants(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)
    try:
        _, err = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    lines = [line for line in err.splitlines() if line.strip()]
    assert proc.returncode == 130, err
    assert len(lines) == 1 and lines[0].startswith("arena train: interrupted; the run keeps "
                                                   "its last checkpoint"), err
    folders = list((tmp_path / "runs").iterdir())
    assert len(folders) == 1, folders  # one folder for both processes
    assert (folders[0] / "launch.log").is_file() and (folders[0] / "config.json").is_file()
    assert str(folders[0].name) in lines[0]
    time.sleep(1)
    assert not [p for p in before if Path(f"/proc/{p}").exists()
                and b"zombie" not in Path(f"/proc/{p}/status").read_bytes().lower()]
