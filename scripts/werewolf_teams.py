"""Whole-team Werewolf matches: every village seat one agent, every wolf seat another.

For each pair (village agent, wolves agent) it plays ``--games`` seeded games (seeds 0..N-1;
the seat of each role follows the seed's deal) and prints the village's win rate with its
95% Wilson interval, in free and in claims speech mode.

    python scripts/werewolf_teams.py --games 500
"""

from __future__ import annotations

import argparse
import sys

import games
from agents import make_agent
from arena.runner import MatchSpec, run_matches
from games.algorithms.evaluation import wilson_interval

PAIRS = (("werewolf-rules", "werewolf-rules"), ("random", "werewolf-rules"),
         ("werewolf-rules", "random"), ("random", "random"))


def village_wins(spec: str, village: str, wolves: str, n: int) -> int:
    game = games.make(spec)
    matches = []
    for seed in range(n):
        state = game.new_state(seed)
        agents = [make_agent(wolves if state.role(p) == "werewolf" else village,
                             seed=seed * 10 + p) for p in range(game.num_players)]
        matches.append(MatchSpec(game, agents, seed))
    records = run_matches(matches)
    return sum(r.returns[r.roles.index("villager")] > 0 for r in records)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--games", type=int, default=500)
    args = ap.parse_args(argv)
    print("| village | wolves | village wins (95% CI), free | claims mode |")
    print("|---|---|---|---|")
    for village, wolves in PAIRS:
        cells = []
        for spec in ("werewolf", "werewolf:speech=claims"):
            wins = village_wins(spec, village, wolves, args.games)
            low, high = wilson_interval(wins, args.games)
            cells.append(f"{wins / args.games:.3f} ({low:.2f}..{high:.2f})")
        print(f"| {village} | {wolves} | {cells[0]} | {cells[1]} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
