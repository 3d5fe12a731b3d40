"""MCTS speed: the arena's ``mcts`` agent against OpenSpiel's Python ``MCTSBot`` (the
reference) on TicTacToe, in simulations per second.

Both search the same positions (the empty board and a few mid-game ones) with the same
simulations per move, UCT with c = 1.4 and one uniformly random rollout per simulation.
OpenSpiel's bot runs with ``solve=False`` so that it, too, performs every simulation
(the solver stops early once the root is proven). The two engines alternate decision by
decision until each has used its share of the time budget, so drift in machine load
hits both alike. Our figure includes everything ``MCTSAgent.act`` does for a decision
(sampling the state, the search, building the ``Decision``); OpenSpiel's is ``bot.step``.

    bench_mcts(seconds=10.0, json=False) -> dict
    python scripts/bench_arena_mcts.py --seconds 10 --json
"""

from __future__ import annotations

import argparse
import dataclasses
import json as _json
import sys
import time
from typing import Any, Callable

import games
from agents.mcts import MCTSAgent

__all__ = ["bench_mcts", "POSITIONS", "main"]

POSITIONS: dict[str, tuple[int, ...]] = {
    "empty": (),
    "opening": (4, 0),
    "midgame": (4, 0, 8, 2),
    "late": (0, 4, 8, 2, 6),
}
"""Named positions as the cells played so far (X first); cell n is action n in both."""

UCT_C = 1.4


def _ours(moves: tuple[int, ...], simulations: int) -> Callable[[int], int]:
    state = games.make("tictactoe").new_state()
    for m in moves:
        state.apply(state.current_players()[0], f"[{m}]")
    player = state.current_players()[0]
    obs, det = state.observation(player), state.determiniser(player)

    def decide(k: int) -> int:
        agent = MCTSAgent(seed=k, simulations=simulations, c=UCT_C)
        return agent.act(dataclasses.replace(obs, seed=k), det).info["simulations"]
    return decide


def _openspiel(moves: tuple[int, ...], simulations: int) -> Callable[[int], int]:
    import numpy as np
    import pyspiel
    from open_spiel.python.algorithms import mcts

    game = pyspiel.load_game("tic_tac_toe")
    state = game.new_initial_state()
    for m in moves:
        state.apply_action(m)

    def decide(k: int) -> int:
        rollout = mcts.RandomRolloutEvaluator(n_rollouts=1, random_state=np.random.RandomState(k))
        bot = mcts.MCTSBot(game, UCT_C, simulations, rollout, solve=False,
                           random_state=np.random.RandomState(k))
        bot.step(state)
        return simulations
    return decide


def _race(engines: dict[str, Callable[[int], int]], budget: float) -> dict[str, dict[str, float]]:
    """Alternate one decision per engine until each has spent ``budget`` seconds."""
    spent = {name: 0.0 for name in engines}
    sims = {name: 0 for name in engines}
    moves = {name: 0 for name in engines}
    k = 0
    while any(t < budget for t in spent.values()) or not all(moves.values()):
        for name, decide in engines.items():
            if spent[name] >= budget and moves[name]:
                continue
            start = time.perf_counter()
            sims[name] += decide(k)
            spent[name] += time.perf_counter() - start
            moves[name] += 1
        k += 1
    return {name: {"sims": sims[name], "seconds": spent[name], "moves": moves[name]}
            for name in engines}


def bench_mcts(
    seconds: float = 10.0, json: bool | None = False, simulations: int = 1000
) -> dict[str, Any]:
    """Measure both engines for about ``seconds`` in all; return (and print) the figures.

    ``json``: print the figures as one JSON object instead of a table; None: print nothing.
    """
    if seconds <= 0 or simulations < 1:
        raise ValueError(f"seconds={seconds!r} must be > 0 and simulations={simulations!r} >= 1")
    try:
        import pyspiel  # noqa: F401
        from open_spiel.python.algorithms import mcts  # noqa: F401

        openspiel_error = None
    except ImportError as err:
        openspiel_error = f"open_spiel is not installed ({err}); pip install open_spiel"
    names = ["ours"] + ([] if openspiel_error else ["openspiel"])
    budget = seconds / (len(POSITIONS) * len(names))
    positions: dict[str, Any] = {}
    totals = {name: [0, 0.0] for name in names}
    for label, moves in POSITIONS.items():
        engines = {"ours": _ours(moves, simulations)}
        if not openspiel_error:
            engines["openspiel"] = _openspiel(moves, simulations)
        raced = _race(engines, budget)
        row: dict[str, Any] = {"moves_played": list(moves)}
        for name, r in raced.items():
            row[f"{name}_sims_per_s"] = r["sims"] / r["seconds"]
            row[f"{name}_decisions"] = r["moves"]
            totals[name][0] += r["sims"]
            totals[name][1] += r["seconds"]
        if not openspiel_error:
            row["ratio"] = row["ours_sims_per_s"] / row["openspiel_sims_per_s"]
        positions[label] = row
    figures: dict[str, Any] = {
        "game": "tictactoe", "simulations_per_move": simulations, "uct_c": UCT_C,
        "rollouts": "1 uniform random per simulation", "openspiel_solve": False,
        "positions": positions,
    }
    for name, (sims, secs) in totals.items():
        figures[f"{name}_sims_per_s"] = sims / secs
    figures["ratio"] = None if openspiel_error else (
        figures["ours_sims_per_s"] / figures["openspiel_sims_per_s"])
    figures["openspiel_error"] = openspiel_error
    if json is not None:
        _print(figures, json)
    return figures


def _print(figures: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(_json.dumps(figures, indent=2))
        return
    print(f"MCTS on tictactoe, {figures['simulations_per_move']} simulations per move "
          "(simulations per second)")
    print(f"{'position':<10}{'ours':>12}{'openspiel':>12}{'ratio':>8}")
    rows = list(figures["positions"].items()) + [("all", figures)]
    for label, row in rows:
        theirs = row.get("openspiel_sims_per_s")
        ratio = row.get("ratio")
        print(f"{label:<10}{row['ours_sims_per_s']:>12.0f}"
              f"{'-' if theirs is None else format(theirs, '.0f'):>12}"
              f"{'-' if ratio is None else format(ratio, '.2f'):>8}")
    if figures["openspiel_error"]:
        print(figures["openspiel_error"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="total time budget")
    parser.add_argument("--simulations", type=int, default=1000, help="simulations per move")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    bench_mcts(args.seconds, args.json, args.simulations)
    return 0


if __name__ == "__main__":
    sys.exit(main())
