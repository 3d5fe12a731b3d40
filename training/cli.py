"""``arena train`` and ``arena plot``: argument parsing and the progress display."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Sequence

__all__ = ["train_from_argv", "plot_from_argv", "build_train_parser"]


def build_train_parser() -> argparse.ArgumentParser:
    from training.config import SelfPlayConfig

    d = SelfPlayConfig()
    p = argparse.ArgumentParser(prog="arena train", description="Self-play training with RAE.")
    p.add_argument("--game", action="append", dest="games",
                   help="game, repeatable, optional weight: --game kuhn_poker --game tictactoe:0.5")
    p.add_argument("--model", default=d.model, help="model folder or hub id (arena model new builds one)")
    p.add_argument("--mode", choices=["choice", "generate"], default=d.mode)
    p.add_argument("--iterations", type=int, default=d.iterations)
    p.add_argument("--minutes", type=float, default=None, help="stop after this wall time")
    p.add_argument("--out", default="", help="run folder (default runs/GAME__ADV__SEED__TIME)")
    p.add_argument("--matches", type=int, default=d.matches_per_iteration, help="matches per iteration")
    p.add_argument("--advantage", choices=["rae", "none", "batch-mean"], default=d.advantage)
    p.add_argument("--rae-decay", type=float, default=d.rae_decay)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--lr-schedule", choices=["constant", "linear", "cosine"], default=d.lr_schedule)
    p.add_argument("--lr-final", type=float, default=d.lr_final,
                   help="final lr as a fraction of --lr (linear/cosine)")
    p.add_argument("--entropy-coef", type=float, default=d.entropy_coef)
    p.add_argument("--token-budget", type=int, default=d.token_budget,
                   help="tokens per learner forward pass")
    p.add_argument("--epochs", type=int, default=d.epochs)
    p.add_argument("--minibatch", type=int, default=d.minibatch)
    p.add_argument("--clip-eps", type=float, default=None, help="PPO clip range (default off)")
    p.add_argument("--kl-coef", type=float, default=d.kl_coef)
    p.add_argument("--temperature", type=float, default=d.temperature)
    p.add_argument("--invalid-penalty", type=float, default=d.invalid_penalty)
    p.add_argument("--max-new-tokens", type=int, default=d.max_new_tokens)
    p.add_argument("--pool-every", type=int, default=d.pool_every, help="snapshot every K iterations")
    p.add_argument("--pool-size", type=int, default=d.pool_size)
    p.add_argument("--opponents", default="", help="fixed pool opponents, e.g. random,expert")
    p.add_argument("--opponent-prob", type=float, default=d.opponent_prob)
    p.add_argument("--eval-every", type=int, default=d.eval_every)
    p.add_argument("--eval-games", type=int, default=d.eval_games)
    p.add_argument("--checkpoint-every", type=int, default=d.checkpoint_every)
    p.add_argument("--ladder-games", type=int, default=d.ladder_games,
                   help="rating ladder at each checkpoint: matches per pair and seat (0: off)")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--device", default=d.device)
    p.add_argument("--lora-rank", type=int, default=d.lora_rank)
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out (running the same command again does too)")
    p.add_argument("--json", action="store_true", help="print each metrics row as JSON")
    return p


def config_from_args(args: argparse.Namespace):
    from training.config import SelfPlayConfig

    return SelfPlayConfig(
        games=args.games or ["kuhn_poker"], model=args.model, mode=args.mode,
        iterations=args.iterations, minutes=args.minutes, out=args.out,
        matches_per_iteration=args.matches, advantage=args.advantage, rae_decay=args.rae_decay,
        lr=args.lr, lr_schedule=args.lr_schedule, lr_final=args.lr_final,
        entropy_coef=args.entropy_coef, token_budget=args.token_budget, epochs=args.epochs, minibatch=args.minibatch, clip_eps=args.clip_eps,
        kl_coef=args.kl_coef, temperature=args.temperature, invalid_penalty=args.invalid_penalty,
        max_new_tokens=args.max_new_tokens, pool_every=args.pool_every, pool_size=args.pool_size,
        opponents=[s for s in args.opponents.split(",") if s], opponent_prob=args.opponent_prob,
        eval_every=args.eval_every, eval_games=args.eval_games,
        checkpoint_every=args.checkpoint_every, ladder_games=args.ladder_games, seed=args.seed,
        device=args.device, lora_rank=args.lora_rank,
    )


def _summary(row: dict[str, Any]) -> str:
    parts = [f"it {row['iteration']}"]
    for key, label, fmt in (("games_per_s", "games/s", "{:.1f}"), ("tokens_per_s", "tok/s", "{:.0f}"),
                            ("losses/loss", "loss", "{:+.4f}"), ("invalid_rate", "invalid", "{:.2f}")):
        if key in row:
            parts.append(f"{label} {fmt.format(row[key])}")
    for key, value in row.items():
        if key.startswith("advantage/"):
            parts.append(f"adv[{key[10:]}] {value:+.3f}")
        if key.endswith(("exploitability", "optimal_move_rate")) or key.endswith("vs_random/win_rate"):
            parts.append(f"{key[5:]} {value:.3f}")
        if key.startswith("ladder/") and key.endswith("/policy/rating"):
            parts.append(f"rating[{key[7:-14]}] {value:.0f}")
    return "  ".join(parts)


def train_from_argv(argv: Sequence[str] | None = None) -> int:
    """Self-play training with RAE (``arena train``)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from training.loop import train

    args = build_train_parser().parse_args(argv)
    config = config_from_args(args)
    if args.resume and not config.out:
        raise SystemExit("error: --resume needs --out RUN_DIR (the run to continue)")
    console = Console(stderr=args.json)
    columns = [TextColumn("[bold]train"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn(), TextColumn("{task.fields[line]}")]
    t0 = time.perf_counter()
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("train", total=config.iterations, line="rollouts...")

        def on_row(row: dict[str, Any]) -> None:
            if args.json:
                print(json.dumps({k: v for k, v in row.items() if k != "eval/kuhn_poker/policy"}),
                      flush=True)
            progress.update(task, completed=row["iteration"], line="")
            progress.console.print(escape(_summary(row)), highlight=False)

        run_dir = train(config, on_row=on_row)
    console.print(f"run folder: {run_dir} ({time.perf_counter() - t0:.0f} s); "
                  f"plot it with: arena plot {run_dir}")
    return 0


def plot_from_argv(argv: Sequence[str] | None = None) -> int:
    """Plot a training run's curves, or overlay several runs (``arena plot``)."""
    from training.plots import compare_runs, plot_run

    p = argparse.ArgumentParser(
        prog="arena plot",
        description="PNG curves of a training run; with several runs, their evaluation "
                    "curves overlaid against wall time.")
    p.add_argument("run_dirs", nargs="+", metavar="RUN_DIR")
    p.add_argument("--out", default=None,
                   help="folder for the PNGs (default RUN_DIR/plots; with several runs: "
                        "plots-compare in the working directory)")
    args = p.parse_args(argv)
    if len(args.run_dirs) == 1:
        written = plot_run(args.run_dirs[0], args.out)
    else:
        written = compare_runs(args.run_dirs, args.out or "plots-compare")
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(train_from_argv())
