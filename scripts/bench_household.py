"""Household figures of the engine benchmark (``python scripts/bench.py engine``).

- random play: a random agent choosing among the admissible commands; at every step the
  observation (its text and the admissible list) is built; every reset generates a new
  world verified solvable by the expert (generation time included in steps/s);
- the same at 8 and at 60 receptacles (ALFWorld-sized: 60 receptacles, 40-80 objects):
  the slowdown from 8 to 60 (goal: at most 3x) and steps/s at 60 (goal: >= 2,000);
- generation: median milliseconds of ``new_state`` (a verified world) per size (goal:
  <= 20 ms);
- ``clone()`` on a mid-episode state, microseconds (goal: < 20);
- TextWorldExpress (``pip install textworld-express``, Java) on its TextWorld-Commonsense
  task (``twc``) in the same run, random valid actions, observation read every step
  (the JVM warmed up by one episode outside the timed part), step limit 50 as ours:
  ours on small worlds / TWX (goal: >= 2x); "not measured: <why>" when it cannot run.
"""

from __future__ import annotations

import random
import statistics
import time
import timeit
from typing import Any

import games

__all__ = ["run_household", "household_lines", "SPECS"]

SPECS = {"small": "household:size=small", "medium": "household:size=medium",
         "large": "household:size=large", "8 receptacles": "household:receptacles=8",
         "60 receptacles": "household:receptacles=60,objects=60"}
GOALS = {"ratio_twx": 2.0, "steps_60": 2000.0, "slowdown_8_60": 3.0, "gen_ms": 20.0,
         "clone_us": 20.0}


def _play(spec: str, seconds: float, seed: int) -> dict[str, float]:
    game = games.make(spec)
    rng = random.Random(seed)
    steps = episodes = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        state = game.new_state(seed + episodes)
        episodes += 1
        while not state.is_terminal():
            obs = state.observation(0)
            legal = obs.legal_actions
            state.apply(0, legal[rng.randrange(len(legal))])
            steps += 1
    elapsed = time.perf_counter() - start
    return {"steps_per_s": steps / elapsed, "episodes": episodes, "steps": steps}


def _generation_ms(spec: str, n: int, seed: int) -> float:
    game = games.make(spec)
    times = []
    for i in range(n):
        t = time.perf_counter()
        game.new_state(seed + i)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e3


def _clone_us(spec: str, seed: int) -> float:
    game = games.make(spec)
    state, rng = game.new_state(seed), random.Random(seed)
    for _ in range(10):
        legal = state.legal_actions(0)
        state.apply(0, legal[rng.randrange(len(legal))])
    return min(timeit.Timer(state.clone).repeat(5, 20_000)) / 20_000 * 1e6


def _twx(seconds: float, seed: int) -> dict[str, Any]:
    try:
        from textworld_express import TextWorldExpressEnv
    except Exception as err:  # not installed: say so
        return {"available": False,
                "reason": f"textworld_express not importable ({type(err).__name__}: {err}); "
                          "pip install textworld-express (needs Java)"}
    try:
        env = TextWorldExpressEnv(envStepLimit=50)
        rng = random.Random(seed)
        _, infos = env.reset(seed=seed, gameFold="train", gameName="twc", gameParams="")
        for _ in range(20):  # warm the JVM up outside the timed part
            env.step(infos["validActions"][0])
        steps = episodes = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            obs, infos = env.reset(seed=seed + episodes, gameFold="train", gameName="twc",
                                   gameParams="")
            episodes += 1
            done = False
            while not done:
                valid = infos["validActions"]
                obs, _, done, infos = env.step(valid[rng.randrange(len(valid))])
                steps += 1
        elapsed = time.perf_counter() - start
        env.close() if hasattr(env, "close") else None
    except Exception as err:  # Java missing or the server failed: report it
        return {"available": False, "reason": f"TextWorldExpress failed: "
                                              f"{type(err).__name__}: {err}"}
    return {"available": True, "steps_per_s": steps / elapsed, "episodes": episodes}


def run_household(seconds: float, seed: int) -> dict[str, Any]:
    """Every household figure (see the module doc) as JSON-ready data."""
    play = {name: _play(spec, seconds, seed) for name, spec in SPECS.items()}
    twx = _twx(seconds, seed)
    n = max(20, min(200, int(100 * seconds)))
    gen = {name: _generation_ms(SPECS[name], n, seed) for name in ("small", "medium", "large")}
    ratio = (play["small"]["steps_per_s"] / twx["steps_per_s"]) if twx["available"] else None
    return {"play": play, "twx": twx, "ratio_small_vs_twx": ratio,
            "slowdown_8_to_60": play["8 receptacles"]["steps_per_s"]
            / play["60 receptacles"]["steps_per_s"],
            "generation_ms_median": gen, "clone_us": _clone_us(SPECS["large"], seed),
            "goals": GOALS}


def household_lines(r: dict[str, Any]) -> list[str]:
    """The figures as plain lines for the terminal."""
    lines = ["household (random admissible commands, observation text every step, a new "
             "verified world every reset):"]
    for name, p in r["play"].items():
        lines.append(f"  {name:>15}: {p['steps_per_s']:,.0f} steps/s ({p['episodes']} "
                     "episodes)")
    twx = r["twx"]
    if twx["available"]:
        lines.append(f"  TextWorldExpress twc: {twx['steps_per_s']:,.0f} steps/s; household "
                     f"small / TWX = {r['ratio_small_vs_twx']:.1f}x (goal >= 2x)")
    else:
        lines.append(f"  TextWorldExpress: not measured: {twx['reason']}")
    lines.append(f"  slowdown 8 -> 60 receptacles: {r['slowdown_8_to_60']:.2f}x (goal <= 3x); "
                 f"60 receptacles: {r['play']['60 receptacles']['steps_per_s']:,.0f} steps/s "
                 "(goal >= 2,000)")
    gen = ", ".join(f"{k} {v:.2f} ms" for k, v in r["generation_ms_median"].items())
    lines.append(f"  verified world generation, median: {gen} (goal <= 20 ms)")
    lines.append(f"  clone(): {r['clone_us']:.2f} us on a large world (goal < 20 us)")
    return lines
