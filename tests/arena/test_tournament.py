"""Tournaments: configs, schedules, resuming, backends giving identical records, the
command-line entry points, and a tournament killed mid-run that resumes losslessly."""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

import games.registry
from agents import registry as agent_registry
from arena import tournament
from arena.ratings import leaderboard
from arena.store import Store
from arena.tournament import TournamentConfig, match_seed, run_tournament, schedule
from arena.tournament_cli import export_from_argv, leaderboard_from_argv, run_from_argv
from tests.arena.helpers import strip_timing

ROOT = Path(__file__).resolve().parents[2]


def config(**kw):
    base = dict(games=["tictactoe"], agents=["random", "expert", "minimax"], rounds=2)
    return TournamentConfig(**{**base, **kw})


@pytest.fixture
def highest(monkeypatch):
    monkeypatch.setitem(games.registry._BUILTIN, "highest", "tests.toy_games:Highest")
    monkeypatch.setitem(agent_registry._BUILTIN, "three", "tests.arena.helpers:AlwaysThree")
    monkeypatch.setitem(agent_registry._BUILTIN, "slow", "tests.arena.helpers:SlowRandom")


# ---- configuration ---------------------------------------------------------------------


@pytest.mark.parametrize("kw, message", [
    (dict(games=["chess"]), "unknown game 'chess'"),
    (dict(games="tictactoe"), "must be a list"),
    (dict(games=[]), "games is empty"),
    (dict(agents=["random", "nobody"]), "unknown agent 'nobody'"),
    (dict(agents=["random", "random"]), "distinct"),
    (dict(agents=["random"]), "at least 2 agents.*--format benchmark"),
    (dict(rounds=0), "rounds=0 must be a whole number >= 1"),
    (dict(workers=0), "workers=0"),
    (dict(batch=0), "batch=0"),
    (dict(format="swiss"), "format='swiss' must be one of round-robin, gauntlet, benchmark"),
    (dict(format="benchmark", fill=None), "needs a field for the other seats: give --fill"),
    (dict(fill="nobody"), "unknown agent 'nobody' in fill"),
    (dict(fill="random"), "fill 'random' is also one of the agents"),
    (dict(backend="slurm"), "backend='slurm'"),
    (dict(invalid="retry"), "invalid-action policy 'retry'"),
    (dict(ray_address="auto"), "add --backend ray"),
])
def test_bad_configs_are_refused_clearly(kw, message):
    with pytest.raises(ValueError, match=message):
        config(**kw)


def test_tournament_id_is_stable_and_ignores_how_it_runs():
    tid = config().tournament_id()
    assert tid == config().tournament_id() and tid.startswith("t") and len(tid) == 11
    assert tid == config(workers=2, batch=3, backend="ray").tournament_id()
    assert tid != config(seed=1).tournament_id()
    assert tid != config(rounds=3).tournament_id()
    assert "fill" not in config().identity()  # ids of tournaments without a fill unchanged
    assert tid == "t" + hashlib.sha256(json.dumps(
        {"agents": ["random", "expert", "minimax"], "format": "round-robin",
         "games": ["tictactoe"], "invalid": "forfeit", "rounds": 2, "seed": 0},
        sort_keys=True).encode()).hexdigest()[:10]
    filled = config(agents=["random", "expert"], fill="minimax")
    assert filled.identity()["fill"] == "minimax" and filled.tournament_id() != tid


# ---- schedule ----------------------------------------------------------------------------


def test_round_robin_plays_every_pair_in_both_seats_each_round():
    s = schedule(config(rounds=3))
    assert [m.index for m in s] == list(range(18))
    counts = Counter(m.agents for m in s)
    assert len(counts) == 6 and set(counts.values()) == {3}
    assert all(a != b for a, b in counts)
    assert all(m.seed == match_seed(0, m.index) for m in s)
    assert len({m.seed for m in s}) == len(s)


def test_gauntlet_plays_the_first_agent_against_each_other():
    s = schedule(config(format="gauntlet", agents=["minimax", "random", "expert"], rounds=2,
                        games=["tictactoe", "kuhn_poker"]))
    assert len(s) == 16
    assert all("minimax" in m.agents for m in s)
    assert Counter(m.agents for m in s if m.game == "kuhn_poker") == {
        ("minimax", "random"): 2, ("random", "minimax"): 2,
        ("minimax", "expert"): 2, ("expert", "minimax"): 2}


def test_seeds_depend_on_config_seed_and_index_only():
    a, b = schedule(config(seed=5)), schedule(config(seed=5, workers=2, batch=1))
    assert a == b
    assert [m.seed for m in schedule(config(seed=6))] != [m.seed for m in a]


def test_three_seat_games_use_every_seat_permutation(highest):
    s = schedule(config(games=["highest"], agents=["random", "three", "expert", "minimax"],
                        rounds=1))
    assert len(s) == 4 * 6  # 4 groups of 3, 6 seatings each
    s = schedule(config(games=["highest"], agents=["random", "three"], rounds=1))
    assert [m.agents for m in s] == [("random", "three", "random"), ("three", "random", "three")]


# ---- running -----------------------------------------------------------------------------


def test_run_stores_every_match_and_a_rerun_plays_nothing():
    store, cfg, seen = Store(":memory:"), config(), []
    result = run_tournament(cfg, store, progress=lambda d, t: seen.append((d, t)))
    tid = cfg.tournament_id()
    assert (result.tournament_id, result.total, result.played, result.resumed) == (tid, 12, 12, 0)
    assert seen[0] == (0, 12) and seen[-1] == (12, 12)
    assert store.done_indices(tid) == set(range(12))
    first = store.get_match(f"{tid}:0")
    planned = schedule(cfg)[0]
    assert (first.match_id, first.seed, first.agents) == (f"{tid}:0", planned.seed, planned.agents)
    again = run_tournament(cfg, store)
    assert (again.played, again.resumed) == (0, 12)
    assert store.count() == 12


def test_a_different_config_under_the_same_id_is_refused():
    store = Store(":memory:")
    run_tournament(config(), store, tournament_id="mine")
    with pytest.raises(ValueError, match="'mine' already exists"):
        run_tournament(config(rounds=3), store, tournament_id="mine")


def records(store):
    return [strip_timing(r) for r in store.matches()]


def same_records_however_run(game_specs, rounds=3):
    cfg = dict(games=game_specs, agents=["random", "expert"], rounds=rounds)
    stores = {}
    for name, kw in {"one": dict(batch=1), "batched": dict(batch=64),
                     "pool": dict(workers=2, batch=2)}.items():
        stores[name] = Store(":memory:")
        run_tournament(TournamentConfig(**cfg, **kw), stores[name])
    assert records(stores["one"]) == records(stores["batched"]) == records(stores["pool"])
    assert len(records(stores["pool"])) == 2 * rounds * len(game_specs)


def test_batching_and_worker_processes_give_identical_records():
    same_records_however_run(["tictactoe", "negotiation"])


def test_identical_records_with_the_kuhn_expert():
    same_records_however_run(["kuhn_poker"], rounds=20)


def test_multi_seat_tournament_rates_with_plackett_luce(highest):
    pytest.importorskip("openskill")
    store = Store(":memory:")
    run_tournament(config(games=["highest"], agents=["random", "three", "slow:delay=0"],
                          rounds=4), store)
    board = leaderboard(store)
    assert board.method == "plackett-luce" and board.matches == 24
    assert board.rows[0].agent == "three"


def test_ray_backend_gives_identical_records():
    pytest.importorskip("ray")
    cfg = dict(games=["tictactoe"], agents=["random", "expert"], rounds=2)
    local, remote = Store(":memory:"), Store(":memory:")
    run_tournament(TournamentConfig(**cfg), local)
    run_tournament(TournamentConfig(**cfg, backend="ray", workers=2, batch=1), remote)
    assert records(local) == records(remote)


def test_missing_ray_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ImportError, match=r"pip install selfplay-arena\[ray\]"):
        run_tournament(config(backend="ray"), Store(":memory:"))


# ---- command line --------------------------------------------------------------------------


def test_cli_runs_resumes_ranks_and_exports(tmp_path, capsys):
    db = str(tmp_path / "a.db")
    argv = ["--game", "tictactoe", "--agents", "random,minimax", "--rounds", "2", "--db", db]
    assert run_from_argv(argv + ["--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["total"], out["played"], out["resumed"]) == (4, 4, 0)
    assert out["leaderboards"][0]["rows"][0]["agent"] == "minimax"
    assert run_from_argv(["--resume", out["tournament"], "--db", db, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["resumed"] == 4
    assert run_from_argv(argv) == 0
    assert "Leaderboard: tictactoe" in capsys.readouterr().out

    assert leaderboard_from_argv(["--db", db, "--json"]) == 0
    (board,) = json.loads(capsys.readouterr().out)
    assert board["game"] == "tictactoe" and board["matches"] == 4
    assert leaderboard_from_argv(["--db", db, "--tournament", out["tournament"]]) == 0
    assert "minimax" in capsys.readouterr().out

    target = tmp_path / "m.jsonl"
    assert export_from_argv(["--db", db, "--out", str(target)]) == 0
    assert len(target.read_text().splitlines()) == 4
    assert export_from_argv(["--db", db]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 4


@pytest.mark.parametrize("fn, argv, message", [
    (run_from_argv, ["--agents", "random,expert"], "needs --game"),
    (run_from_argv, ["--resume", "tnope"], "no tournament 'tnope'"),
    (run_from_argv, ["--game", "chess", "--agents", "random,expert"], "unknown game 'chess'"),
    (leaderboard_from_argv, ["--tournament", "tnope"], "no tournament 'tnope'"),
    (leaderboard_from_argv, ["--db", "missing.db"], "no database at"),
    (export_from_argv, ["--db", "missing.db"], "no database at"),
])
def test_cli_errors_are_one_clear_line(fn, argv, message, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if fn is not run_from_argv and "--db" not in argv:
        Store(tmp_path / "arena.db").close()
    assert fn(argv) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


# ---- kill and resume -------------------------------------------------------------------------

LAUNCH = (
    "import sys; from agents.registry import register_builtin; "
    "register_builtin('slow', 'tests.arena.helpers:SlowRandom'); "
    "from arena.tournament_cli import run_from_argv; sys.exit(run_from_argv(sys.argv[1:]))"
)


def launch(argv):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-c", LAUNCH, *argv], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)


def committed(db):
    if not Path(db).exists():
        return 0
    try:
        with Store(db) as store:
            return store.count()
    except Exception:  # the schema may not exist yet
        return 0


# In-process: a slow agent keeps the run going long enough to kill it. Worker processes
# are spawned and see only agents registered by name or entry point (not the slow one
# registered at run time), so that run is simply made long.
KILL_RUNS = {
    1: (["--agents", "slow:delay=0.01,expert,random", "--rounds", "8", "--batch", "3"], 48),
    2: (["--agents", "minimax,expert,random", "--rounds", "100", "--batch", "3"], 600),
}


@pytest.mark.parametrize("workers", [1, 2])
def test_killed_tournament_resumes_without_losing_or_duplicating(tmp_path, monkeypatch, workers):
    args, total = KILL_RUNS[workers]
    argv = ["--game", "tictactoe", *args, "--workers", str(workers), "--json"]
    db = str(tmp_path / "killed.db")
    proc = launch(argv + ["--db", db])
    deadline = time.monotonic() + 60
    while committed(db) < 6 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    _, err = proc.communicate()
    at_kill = committed(db)
    assert 6 <= at_kill < total, f"kill missed the run ({at_kill} of {total}): {err.decode()}"

    rerun = launch(argv + ["--db", db])
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err.decode()
    summary = json.loads(out)
    assert summary["resumed"] >= at_kill and summary["resumed"] + summary["played"] == total

    monkeypatch.setitem(agent_registry._BUILTIN, "slow", "tests.arena.helpers:SlowRandom")
    reference = str(tmp_path / "whole.db")
    whole = argv[:argv.index("--workers")] + ["--db", reference, "--json"]
    assert run_from_argv(whole) == 0
    with Store(db) as a, Store(reference) as b:
        tid = summary["tournament"]
        assert a.done_indices(tid) == set(range(total)) and a.count() == total
        assert records(a) == records(b)
        assert leaderboard(a) == leaderboard(b)


def test_leaderboard_table_fits_80_columns():
    from io import StringIO

    from rich.console import Console

    from arena.tournament_cli import leaderboard_table

    store = Store(":memory:")
    run_tournament(config(rounds=1), store)
    console = Console(width=80, file=StringIO(), color_system=None)
    console.print(leaderboard_table(leaderboard(store, game="tictactoe", bootstrap=10)))
    text = console.file.getvalue()
    assert "Leaderboard: tictactoe (bradley-terry, 6 matches)" in text
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert sum(name in line for line in lines for name in ("random", "expert", "minimax")) == 3
