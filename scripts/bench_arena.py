"""The arena benchmark (``python scripts/bench.py arena``): tournament throughput and MCTS speed.

- Tournament matches/s: one round-robin of ``random``, ``expert`` and ``mcts:simulations=100``
  on TicTacToe and Kuhn Poker, played into a fresh SQLite file (every match committed), with
  1 worker, 2 worker processes, and the Ray backend (local Ray, 2 CPUs; its start-up is
  reported apart and not counted). Target: 2 workers at least 1.7x one worker.
- MCTS simulations/s on TicTacToe beside OpenSpiel's Python ``MCTSBot`` with random rollouts,
  on the same positions (``scripts/bench_arena_mcts.py``). Target: ours at least as many.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from arena.store import Store  # noqa: E402
from arena.tournament import TournamentConfig, run_tournament  # noqa: E402

AGENTS = ["random", "expert", "mcts:simulations=100"]
"""MCTS makes matches cost what a real tournament's do, so worker processes have work."""


def _config(rounds: int, workers: int, backend: str) -> TournamentConfig:
    return TournamentConfig(games=["tictactoe", "kuhn_poker"], agents=AGENTS,
                            rounds=rounds, workers=workers, backend=backend, seed=1)


def tournament_rate(rounds: int, workers: int, backend: str = "local") -> dict[str, Any]:
    """Matches/s of one tournament into a fresh database."""
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "bench.db")
        config = _config(rounds, workers, backend)
        start = time.perf_counter()
        result = run_tournament(config, store)
        seconds = time.perf_counter() - start
    return {"matches": result.total, "seconds": seconds, "matches_per_s": result.total / seconds}


def ray_rate(rounds: int) -> dict[str, Any]:
    try:
        import ray
    except ImportError as err:
        return {"error": f"ray not installed ({err}); pip install selfplay-arena[ray]"}
    start = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    startup = time.perf_counter() - start
    try:
        figures = tournament_rate(rounds, 2, "ray")
    finally:
        ray.shutdown()
    figures["ray_init_s"] = startup
    return figures


def bench_arena(rounds: int = 100, mcts_seconds: float = 10.0, ray: bool = True) -> dict[str, Any]:
    from bench_arena_mcts import bench_mcts

    one = tournament_rate(rounds, 1)
    two = tournament_rate(rounds, 2)
    figures: dict[str, Any] = {"workers_1": one, "workers_2": two,
                               "speedup_2_workers": two["matches_per_s"] / one["matches_per_s"],
                               "speedup_target": 1.7}
    figures["ray"] = ray_rate(rounds) if ray else {"error": "skipped (--no-ray)"}
    figures["mcts"] = bench_mcts(seconds=mcts_seconds, json=None)
    return figures


def _table(f: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Arena: tournament throughput (TicTacToe + Kuhn Poker; random, expert, mcts:simulations=100)")
    for col in ("run", "matches", "seconds", "matches/s"):
        t.add_column(col, justify="right" if col != "run" else "left")
    for key, label in (("workers_1", "1 worker"), ("workers_2", "2 workers"), ("ray", "ray (2 CPUs)")):
        row = f[key]
        if "error" in row:
            t.add_row(label, "-", "-", row["error"])
        else:
            t.add_row(label, str(row["matches"]), f"{row['seconds']:.2f}", f"{row['matches_per_s']:.0f}")
    Console().print(t)
    print(f"2 workers / 1 worker: {f['speedup_2_workers']:.2f}x (target >= 1.7x)")
    m = f["mcts"]
    from bench_arena_mcts import _print as print_mcts

    print_mcts(m, False)


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.py arena", description=__doc__.split("\n")[0])
    p.add_argument("--rounds", type=int, default=100,
                   help="rounds (each: 6 seatings x 2 games = 12 matches)")
    p.add_argument("--mcts-seconds", type=float, default=10.0)
    p.add_argument("--no-ray", action="store_true")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    figures = bench_arena(args.rounds, args.mcts_seconds, not args.no_ray)
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        _table(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
