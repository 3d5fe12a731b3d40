"""The serving benchmark (``python scripts/bench_serve.py``): episodes/s of ``arena serve``
beside ``play_match`` for the same game and the same agents.

- ``play_match``: the client's agent and the opponents in one process, one match at a time
  (agents built per match as ``arena play`` builds them): the runner's own speed.
- ``serve``: ``arena serve GAME --opponents SPEC`` in its own process, on loopback; the
  client's agent answers through OpenEnv's async ``EnvClient`` (one WebSocket session per
  concurrent episode, all in one event loop here), with 1 and with ``--sessions`` sessions
  at once, and once more with ``--db`` (every match committed to SQLite).

Each run first plays one match it does not time (the server's first session imports
and builds what it needs). Both play the same matches (seeds 0..N-1, same agents); the
client's returns are checked equal, so the figures compare the same work. The machine's
load average is printed with them: on a shared machine, compare figures taken together.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import games  # noqa: E402
from agents.registry import make_agent  # noqa: E402
from common.seeds import derive_seed  # noqa: E402


def client_agent(spec: str, seed: int, seat: int):
    return make_agent(spec, seed=derive_seed("play-agent", seed, seat, spec))


def play_match_rate(game: str, client: str, opponent: str, seat: int,
                    episodes: int) -> dict[str, Any]:
    from arena.runner import play_match
    from arena.serve.hub import seat_specs

    g = games.make(game)
    specs = [client if s == "self" else s for s in seat_specs(g.num_players, seat, [opponent])]
    returns = []
    play_match(g, [make_agent(s) for s in specs], episodes)  # warm-up, as the server's
    start = time.perf_counter()
    for seed in range(episodes):
        agents = [make_agent(s, seed=derive_seed("play-agent", seed, i, s))
                  for i, s in enumerate(specs)]
        returns.append(play_match(g, agents, seed).returns[seat])
    seconds = time.perf_counter() - start
    return {"episodes": episodes, "seconds": seconds, "episodes_per_s": episodes / seconds,
            "returns": returns}


def start_server(game: str, opponent: str, seat: int, sessions: int,
                 db: str | None) -> tuple[subprocess.Popen, str]:
    argv = [sys.executable, "-m", "arena.cli", "serve", game, "--opponents", opponent,
            "--seat", str(seat), "--port", "0", "--max-sessions", str(max(sessions, 1))]
    if db:
        argv += ["--db", db]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "OMP_NUM_THREADS": "1"})
    banner = proc.stderr.readline()
    if " on http://" not in banner:
        proc.kill()
        raise RuntimeError(f"arena serve did not start: {banner.strip()}")
    return proc, banner.split(" on ", 1)[1].split(" ", 1)[0]


async def _session(url: str, game: str, client: str, seat: int, seeds: list[int],
                   returns: dict[int, float]) -> None:
    from arena.serve.client import ArenaClient

    async with ArenaClient(base_url=url) as env:
        for seed in seeds:
            agent = client_agent(client, seed, seat)
            result = await env.reset(seed=seed)
            while not result.done:
                obs = games.Observation.from_dict(result.observation.model_dump())
                result = await env.step(agent.act(obs).text)
            returns[seed] = result.reward


def serve_rate(game: str, client: str, opponent: str, seat: int, episodes: int,
               sessions: int, db: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(game, opponent, seat, sessions,
                                 str(Path(tmp) / "serve.db") if db else None)
        try:
            warm: dict[int, float] = {}  # the server's first session imports and builds
            asyncio.run(_session(url, game, client, seat, [episodes], warm))  # (not timed)
            returns: dict[int, float] = {}
            shares = [list(range(i, episodes, sessions)) for i in range(sessions)]
            start = time.perf_counter()

            async def run() -> None:
                await asyncio.gather(*(_session(url, game, client, seat, share, returns)
                                       for share in shares))

            asyncio.run(run())
            seconds = time.perf_counter() - start
        finally:
            proc.send_signal(signal.SIGINT)
            proc.communicate(timeout=60)
    return {"episodes": episodes, "sessions": sessions, "db": db, "seconds": seconds,
            "episodes_per_s": episodes / seconds,
            "returns": [returns[s] for s in range(episodes)]}


def bench_serve(game: str = "tictactoe", client: str = "random", opponent: str = "random",
                seat: int = 0, episodes: int = 300, sessions: int = 4) -> dict[str, Any]:
    base = play_match_rate(game, client, opponent, seat, episodes)
    runs = {"serve_1": serve_rate(game, client, opponent, seat, episodes, 1, False),
            f"serve_{sessions}": serve_rate(game, client, opponent, seat, episodes,
                                            sessions, False),
            f"serve_{sessions}_db": serve_rate(game, client, opponent, seat, episodes,
                                               sessions, True)}
    for name, run in runs.items():
        if run.pop("returns") != base["returns"]:
            raise RuntimeError(f"{name}: the served matches' returns differ from play_match's")
    base.pop("returns")
    return {"game": game, "client": client, "opponent": opponent, "seat": seat,
            "load_average": os.getloadavg(), "play_match": base, **runs,
            "command": " ".join(["python", "scripts/bench_serve.py", "--game", game,
                                 "--client", client, "--opponent", opponent, "--seat",
                                 str(seat), "--episodes", str(episodes), "--sessions",
                                 str(sessions)])}


def _print(f: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from common.untrusted import terminal_safe

    t = Table(title=terminal_safe(f"Serving {f['game']}: client {f['client']} in seat "
                                  f"{f['seat']}, opponents {f['opponent']}", multiline=False))
    for col in ("run", "sessions", "episodes", "seconds", "episodes/s", "vs play_match"):
        t.add_column(col, justify="left" if col == "run" else "right")
    base = f["play_match"]["episodes_per_s"]
    for key, row in f.items():
        if key != "play_match" and not key.startswith("serve_"):
            continue
        label = "play_match" if key == "play_match" else (
            "arena serve" + (" --db" if row.get("db") else ""))
        t.add_row(label, str(row.get("sessions", "-")), str(row["episodes"]),
                  f"{row['seconds']:.2f}", f"{row['episodes_per_s']:.0f}",
                  f"{row['episodes_per_s'] / base:.3f}x")
    Console().print(t)
    print("load average: " + ", ".join(f"{x:.2f}" for x in f["load_average"]))


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench_serve.py", description=__doc__.split("\n")[0])
    p.add_argument("--game", default="tictactoe")
    p.add_argument("--client", default="random", help="the client's agent (reads "
                   "observations only: random, minimax, kuhn-nash, werewolf-rules, ...)")
    p.add_argument("--opponent", default="random", help="agent spec of the other seats")
    p.add_argument("--seat", type=int, default=0)
    p.add_argument("--episodes", type=int, default=300)
    p.add_argument("--sessions", type=int, default=4, help="concurrent sessions of the "
                   "second and third runs")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    figures = bench_serve(args.game, args.client, args.opponent, args.seat, args.episodes,
                          args.sessions)
    if args.json:
        print(json.dumps(figures, indent=2, sort_keys=True))
    else:
        _print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
