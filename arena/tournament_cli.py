"""Command-line entry points for tournaments, leaderboards and exports.

``arena tournament``, ``arena leaderboard`` and ``arena export`` delegate here:

    run_from_argv(["--game", "tictactoe", "--agents", "random,minimax,expert", "--db", "a.db"])
    leaderboard_from_argv(["--db", "a.db", "--game", "tictactoe", "--json"])
    export_from_argv(["--db", "a.db", "--out", "matches.jsonl"])

Each returns an exit status. Running the same tournament command again resumes it
(``--resume ID`` alone resumes a stored tournament with its stored settings). Progress
goes to stderr; tables or JSON to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import IO, Sequence

from arena.argv import parse_args_once
from arena.exits import COMMAND_ERRORS, exit_status
from arena.ratings import Leaderboard, leaderboard
from arena.export import check_output_path, export_expanded, export_to_file
from arena.store import Store
from arena.tournament import (BACKENDS, FORMATS, TournamentConfig, check_counts,
                              run_tournament)

from agents.registry import split_agent_specs
from common.untrusted import markup_safe

__all__ = ["run_from_argv", "leaderboard_from_argv", "export_from_argv", "leaderboard_table",
           "benchmark_table", "roles_table"]


_agent_list = split_agent_specs


def tournament_parser(prog: str = "arena tournament") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description="Run (or resume) a tournament.")
    p.add_argument("--game", action="append", dest="games", metavar="G",
                   help="game spec; repeat for several games (e.g. --game kuhn_poker)")
    p.add_argument("--agents", help="agent specs, comma separated (e.g. random,expert,minimax)")
    p.add_argument("--rounds", type=int, default=2, help="repeats of every pairing and seating")
    p.add_argument("--format", choices=FORMATS, default="round-robin",
                   help="round-robin | gauntlet (the first agent against the rest) | "
                        "benchmark (each agent alone, --rounds episodes per seat)")
    p.add_argument("--fill", metavar="SPEC", default=None,
                   help="agent for the seats a group leaves free (many-player games) and the "
                        "field of a benchmark in a game of several seats (e.g. random)")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--backend", choices=BACKENDS, default="local")
    p.add_argument("--ray-address", default=None)
    p.add_argument("--batch", type=int, default=64, help="matches per runner call")
    p.add_argument("--db", default="arena.db")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--resume", metavar="ID", help="tournament id to resume (or to use)")
    p.add_argument("--invalid", default="forfeit", help="forfeit | retry:K | random")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    return p


def _config(args: argparse.Namespace, store: Store) -> TournamentConfig:
    runtime = dict(workers=args.workers, backend=args.backend, ray_address=args.ray_address,
                   batch=args.batch)
    if args.games is None and args.agents is None and args.resume:
        stored = store.tournament_config(args.resume)
        if stored is None:
            known = [t["id"] for t in store.tournaments()]
            raise ValueError(
                f"no tournament {args.resume!r} in {store.path!r} to resume (known: "
                f"{', '.join(known) or 'none'}); give --game and --agents to start one"
            )
        return TournamentConfig.from_identity(stored, **runtime)
    if not args.games or not args.agents:
        raise ValueError(
            "a tournament needs --game G (repeatable) and --agents A,B,... "
            "(e.g. --game tictactoe --agents random,minimax), or --resume ID"
        )
    return TournamentConfig(
        games=args.games, agents=_agent_list(args.agents), rounds=args.rounds,
        format=args.format, seed=args.seed, invalid=args.invalid, fill=args.fill, **runtime,
    )


def _progress(stream: IO[str]):
    from rich.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    rate = TextColumn("{task.fields[rate]}")
    return Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), rate,
        TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
        console=Console(file=stream), transient=False,
    )


def run_from_argv(argv: Sequence[str] | None = None) -> int:
    args = parse_args_once(tournament_parser(), argv)
    try:
        check_counts(args.rounds, args.workers, args.batch)  # before a store is created
        with Store(args.db) as store:
            config = _config(args, store)
            tid = args.resume or config.tournament_id()
            with _progress(sys.stderr) as bar:
                task = bar.add_task(f"tournament {markup_safe(tid, multiline=False)}", total=None,
                                    rate="")
                def on_progress(done: int, total: int) -> None:
                    if bar.tasks[task].total is None:  # matches resumed are no speed
                        bar.reset(task, total=total, completed=done)
                    speed = bar.tasks[task].speed
                    bar.update(task, completed=done, total=total,
                               rate=f"{speed:.1f} matches/s" if speed else "")

                try:
                    result = run_tournament(config, store, on_progress, tournament_id=tid)
                except KeyboardInterrupt:
                    bar.stop()
                    print(f"interrupted: {store.count(tid)} matches of tournament {tid} are "
                          "stored; run the same command again to resume", file=sys.stderr)
                    return 130
            boards = [leaderboard(store, game=g, tid=tid)
                      for g in sorted({_game_id(s) for s in config.games})]
    except COMMAND_ERRORS as err:  # one clean line; 2 for input errors, 1 at run time
        return exit_status(err)
    summary = {"tournament": tid, "db": args.db, "total": result.total,
               "played": result.played, "resumed": result.resumed,
               "elapsed_s": round(result.elapsed_s, 3),
               "matches_per_s": round(result.matches_per_s, 2) if result.played else None}
    if args.json:
        print(json.dumps({**summary, "leaderboards": [b.to_dict() for b in boards]},
                         indent=2, sort_keys=True))
    else:
        _print_boards(boards)
        print(f"tournament {tid}: {result.played} played, {result.resumed} resumed, "
              f"{result.total} in all (db {args.db})")
    return 0


def _game_id(spec: str) -> str:
    import games

    return games.make(spec).info.id


def leaderboard_table(board: Leaderboard):
    """A rich Table of one leaderboard (the caller prints it): ratings, or success rates
    and mean returns for a benchmark."""
    from rich.table import Table

    if board.method == "benchmark":
        return benchmark_table(board)
    table = Table(title=f"Leaderboard: {_scope(board)} ({board.method}, {board.matches} matches)")
    for col in ("#", "agent", "rating", "95% CI", "games", "W", "D", "L", "mean"):
        table.add_column(col, justify="left" if col == "agent" else "right",
                         overflow="fold" if col == "agent" else "ellipsis")
    table.caption = "mean: mean return per match; CI: bootstrap interval" if (
        board.method == "bradley-terry") else "rating: openskill mu; CI: mu +- 1.96 sigma"
    f = ".0f" if board.method == "bradley-terry" else ".1f"
    for i, r in enumerate(board.rows, 1):
        table.add_row(str(i), _safe(r.agent), f"{r.rating:{f}}",
                      f"{r.ci_low:{f}}..{r.ci_high:{f}}", str(r.games), str(r.wins),
                      str(r.draws), str(r.losses), f"{r.mean_return:+.3f}")
    return table


def benchmark_table(board: Leaderboard):
    """Success rate and mean return per benchmarked agent, with 95% intervals."""
    from rich.table import Table

    table = Table(title=f"Benchmark: {_scope(board)} ({board.matches} matches)")
    for col in ("#", "agent", "n", "success", "95% CI", "mean", "95% CI "):
        table.add_column(col, justify="left" if col == "agent" else "right",
                         overflow="fold" if col == "agent" else "ellipsis")
    table.caption = ("n: episodes; success: rate, Wilson interval; mean: mean return, "
                     "normal interval")
    for i, r in enumerate(board.benchmark, 1):
        table.add_row(str(i), _safe(r.agent), str(r.episodes), f"{r.success_rate:.3f}",
                      f"{r.success_low:.2f}..{r.success_high:.2f}", f"{r.mean_return:+.3f}",
                      f"{r.mean_low:+.2f}..{r.mean_high:+.2f}")
    return table


def roles_table(board: Leaderboard):
    """Win rate per agent per role with 95% Wilson intervals."""
    from rich.table import Table

    table = Table(title=f"Per role: {_scope(board)}")
    for col in ("agent", "role", "games", "win", "95% CI", "draw", "mean"):
        table.add_column(col, justify="left" if col in ("agent", "role") else "right",
                         overflow="fold" if col in ("agent", "role") else "ellipsis")
    table.caption = "win, draw: rates; CI: Wilson interval of the win rate"
    for r in board.roles:
        table.add_row(_safe(r.agent), _safe(r.role), str(r.games), f"{r.win_rate:.3f}",
                      f"{r.win_low:.2f}..{r.win_high:.2f}", f"{r.draws / r.games:.3f}",
                      f"{r.mean_return:+.3f}")
    return table


def _safe(text: object) -> str:
    """Agent names, roles and game ids are untrusted: safe inside rich markup."""
    return markup_safe(text, multiline=False)


def _scope(board: Leaderboard) -> str:
    scope = _safe(board.game or "all games")
    if board.tournament:
        scope += f", tournament {_safe(board.tournament)}"
    return scope


def _print_boards(boards: list[Leaderboard], file: IO[str] | None = None) -> None:
    from rich.console import Console

    console = Console(file=file or sys.stdout)
    for board in boards:
        if not board.matches:
            console.print(_safe(f"no matches stored for {board.game or 'any game'}"))
            continue
        console.print(leaderboard_table(board))
        if board.roles:
            console.print(roles_table(board))


def _check_game_name(name: str, stored: list[str], db: str) -> None:
    """A ``--game`` with no stored matches must at least be a registered game id."""
    import games

    if name not in games.available():
        raise ValueError(f"unknown game {name!r}: no matches of it in {db!r} (stored: "
                         f"{', '.join(stored) or 'none'}) and no such registered game "
                         f"(known: {', '.join(games.available())})")


def leaderboard_from_argv(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="arena leaderboard",
                                description="Ratings from the matches in a database.")
    p.add_argument("--db", default="arena.db")
    p.add_argument("--game", help="one game (default: one table per stored game)")
    p.add_argument("--tournament", help="one tournament id (default: all)")
    p.add_argument("--json", action="store_true")
    args = parse_args_once(p, argv)
    try:
        with Store(args.db, create=False) as store:
            if args.tournament and store.tournament_config(args.tournament) is None:
                known = [t["id"] for t in store.tournaments()]
                raise ValueError(f"no tournament {args.tournament!r} in {args.db!r} "
                                 f"(known: {', '.join(known) or 'none'})")
            stored = store.games(args.tournament)
            if args.game and args.game not in stored:
                _check_game_name(args.game, stored, args.db)
            names = [args.game] if args.game else stored
            boards = [leaderboard(store, game=g, tid=args.tournament) for g in names]
    except COMMAND_ERRORS as err:  # one clean line; 2 for input errors, 1 at run time
        return exit_status(err)
    if args.json:
        print(json.dumps([b.to_dict() for b in boards], indent=2, sort_keys=True))
    elif not boards:
        print(f"no matches stored in {args.db}")
    else:
        _print_boards(boards)
    return 0


def export_from_argv(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="arena export", description="Export stored match records.")
    p.add_argument("--db", default="arena.db")
    p.add_argument("--format", choices=["jsonl"], default="jsonl")
    p.add_argument("--tournament", help="one tournament id (default: all)")
    p.add_argument("--out", help="output file (default: stdout)")
    p.add_argument("--expand", action="store_true",
                   help="write every decision whole (its observation and prompts), not as "
                        "the stored deltas of earlier decisions")
    args = parse_args_once(p, argv)
    try:
        if args.out is not None:  # refused before the store is opened or anything is written
            check_output_path(args.out, args.db)
        with Store(args.db, create=False) as store:  # read-only: nothing created or modified
            if args.out is None:
                n = (export_expanded(store, sys.stdout, args.tournament) if args.expand
                     else store.export_jsonl(sys.stdout, args.tournament))
            else:  # a temporary file renamed into place: --out is whole or untouched
                n = export_to_file(store, args.out, args.tournament, expand=args.expand)
    except COMMAND_ERRORS as err:  # one line and the status of arena's convention
        return exit_status(err)
    print(f"exported {n} matches", file=sys.stderr)
    return 0
