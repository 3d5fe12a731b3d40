"""``arena train`` and ``arena plot``: argument parsing and the progress display."""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any, Sequence

from arena.argv import parse_args_once
from games.untrusted import terminal_safe

__all__ = ["train_from_argv", "plot_from_argv", "ladder_from_argv", "build_train_parser"]


def build_train_parser() -> argparse.ArgumentParser:
    from training.config import SelfPlayConfig

    d = SelfPlayConfig()
    p = argparse.ArgumentParser(prog="arena train", description="Self-play training with RAE.")
    p.add_argument("--game", action="append", dest="games",
                   help="game, repeatable, optional weight: --game kuhn_poker --game tictactoe:0.5")
    p.add_argument("--model", default=d.model, help="model folder or hub id (arena model new builds one)")
    p.add_argument("--mode", choices=["choice", "generate"], default=d.mode)
    p.add_argument("--prompt", choices=["full", "bare"], default=d.prompt,
                   help="what the policy reads: full (rules, seat, observation, instruction) "
                        "or bare (the observation alone; pair with GAME:view=compact)")
    p.add_argument("--iterations", type=int, default=d.iterations,
                   help="iterations to run, >= 1 (default: 40, or with --minutes as many as "
                        "fit; with both, whichever ends first)")
    p.add_argument("--minutes", type=float, default=None,
                   help="time budget in minutes, > 0: the run stops after the iteration that "
                        "crosses it")
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
    g = p.add_argument_group("step preferences (MCTS-guided step-DPO)")
    g.add_argument("--pg-coef", type=float, default=d.pg_coef,
                   help="weight of the RAE policy gradient (0 with --dpo-coef > 0: DPO only)")
    g.add_argument("--dpo-coef", type=float, default=d.dpo_coef,
                   help="weight of step-DPO: loss = pg_coef*pg + dpo_coef*dpo (0: off)")
    g.add_argument("--dpo-beta", type=float, default=d.dpo_beta)
    g.add_argument("--dpo-ref", default=d.dpo_ref, help="start or lagged:K")
    g.add_argument("--pref-prob", type=float, default=d.pref_prob,
                   help="share of the policy's decisions searched")
    g.add_argument("--pref-sims", type=int, default=d.pref_sims, help="PUCT simulations per search")
    g.add_argument("--pref-c", type=float, default=d.pref_c, help="PUCT exploration constant")
    g.add_argument("--pref-playout", default=d.pref_playout,
                   help="leaf values: random, policy, or an agent spec (e.g. expert)")
    g.add_argument("--pref-min-gap", type=float, default=d.pref_min_gap)
    g.add_argument("--pref-min-visits", type=int, default=d.pref_min_visits)
    g.add_argument("--pref-rejected", choices=["random", "lowest"], default=d.pref_rejected)
    g.add_argument("--pref-completions", type=int, default=d.pref_completions, metavar="K",
                   help="generate mode: replies sampled and paired at each searched decision")
    g.add_argument("--pref-data", default=d.pref_data,
                   help="train step-DPO on a preferences JSONL (arena preferences) instead "
                        "of searching")
    g = p.add_argument_group("warm start (supervised fine-tuning on an expert, choice mode)")
    g.add_argument("--sft-from", default=d.sft_from, metavar="AGENT",
                   help="expert agent whose decisions warm-start the model before RL, e.g. "
                        "household-expert or expert (each game's own)")
    g.add_argument("--sft-episodes", type=int, default=d.sft_episodes,
                   help="matches the expert plays for the warm start")
    g.add_argument("--sft-epochs", type=int, default=d.sft_epochs,
                   help="learner updates over the demonstrations")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out, refusing to start a new one (running the "
                        "same command again without it resumes too)")
    p.add_argument("--json", action="store_true", help="print each metrics row as JSON")
    return p


def config_from_args(args: argparse.Namespace):
    from training.config import SelfPlayConfig

    return SelfPlayConfig(
        games=args.games or SelfPlayConfig().games, model=args.model, mode=args.mode,
        prompt=args.prompt,
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
        pg_coef=args.pg_coef, dpo_coef=args.dpo_coef, dpo_beta=args.dpo_beta,
        dpo_ref=args.dpo_ref, pref_prob=args.pref_prob, pref_sims=args.pref_sims,
        pref_c=args.pref_c, pref_playout=args.pref_playout, pref_min_gap=args.pref_min_gap,
        pref_min_visits=args.pref_min_visits, pref_rejected=args.pref_rejected,
        pref_completions=args.pref_completions, pref_data=args.pref_data,
        sft_from=args.sft_from, sft_episodes=args.sft_episodes, sft_epochs=args.sft_epochs,
    )


def _flag(message: str) -> str:
    """`` (option --x)`` for the config field a validation message starts with."""
    field = message.split("=", 1)[0]
    dest = {"matches_per_iteration": "matches"}.get(field, field)
    for action in build_train_parser()._actions:
        if action.dest == dest and action.option_strings:
            return f" (option {action.option_strings[0]})"
    return ""


def train_from_argv(argv: Sequence[str] | None = None) -> int:
    """Self-play training with RAE (``arena train``). Exit 2 for a bad option or folder,
    1 when training diverges (a loss or parameter not finite)."""
    from rich.console import Console

    from training.learner import NonFiniteError
    from training.loop import train
    from training.progress import TrainProgress

    args = parse_args_once(build_train_parser(), argv)
    try:
        config = config_from_args(args)
    except ValueError as err:
        _error("arena train: error", f"{err}{_flag(str(err))}")
        return 2
    if args.resume and not config.out:
        print("arena train: error: --resume needs --out RUN_DIR (the run to continue)",
              file=sys.stderr)
        return 2
    console = Console(stderr=args.json)
    t0 = time.perf_counter()
    try:
        with TrainProgress(console, config.iteration_limit(), config.minutes) as progress:
            def on_row(row: dict[str, Any]) -> None:
                if args.json:  # scalar metrics (a policy table stays in metrics.jsonl)
                    print(json.dumps({k: v for k, v in row.items() if not isinstance(v, dict)}),
                          flush=True)
                progress.update(row)

            run_dir = train(config, on_row=on_row, resume=args.resume)
    except (ValueError, FileNotFoundError, ImportError) as err:
        _error("arena train: error", err)
        return 2
    except NonFiniteError as err:
        _error("arena train: training stopped", err)
        return 1
    except OSError as err:  # a full disk: the message says what was kept
        _error("arena train: error", err)
        return 1
    shown = terminal_safe(str(run_dir), multiline=False)
    console.print(f"run folder: {shown} ({time.perf_counter() - t0:.0f} s); "
                  f"plot it with: arena plot {shown}", markup=False, highlight=False,
                  soft_wrap=True)
    return 0


def _error(prefix: str, err: object) -> None:
    """One line on stderr; error messages quote paths, file contents and names, so they
    are cleaned like any untrusted text."""
    print(f"{prefix}: {terminal_safe(str(err), multiline=False)}", file=sys.stderr)


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
    args = parse_args_once(p, argv)
    if len(args.run_dirs) == 1:
        written = plot_run(args.run_dirs[0], args.out)
    else:
        written = compare_runs(args.run_dirs, args.out or "plots-compare")
    for path in written:
        print(terminal_safe(str(path), multiline=False))
    return 0


LADDER_MAX_GAMES = 10_000
"""Most ladder matches per pair of players and seat order (``arena ladder --games-per-seat``)."""
LADDER_MAX_LAST = 64
"""Most checkpoints in one ladder (``arena ladder --last``): each is a model in memory."""


def ladder_from_argv(argv: Sequence[str] | None = None) -> int:
    """Rate a run's checkpoints against fixed agents (``arena ladder RUN_DIR``)."""
    from training.ladder import FIXED, LADDER_CHECKPOINTS, rate_run

    p = argparse.ArgumentParser(
        prog="arena ladder",
        description="A round robin of a finished run's starting model, its newest checkpoints "
                    "and fixed agents on the run's games; ratings with 95% intervals.")
    p.add_argument("run_dir", metavar="RUN_DIR")
    p.add_argument("--games-per-seat", type=int, default=4,
                   help="matches per pair of players and seat order")
    p.add_argument("--last", type=int, default=LADDER_CHECKPOINTS,
                   help="newest checkpoints in the ladder")
    p.add_argument("--fixed", default=",".join(FIXED), help="fixed agents, comma separated")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--device", default="auto")
    p.add_argument("--json", action="store_true", help="print the ladder/... metrics as JSON")
    args = parse_args_once(p, argv)
    for flag, value, most in (("--games-per-seat", args.games_per_seat, LADDER_MAX_GAMES),
                              ("--last", args.last, LADDER_MAX_LAST)):
        if not 1 <= value <= most:
            p.error(f"{flag} {value} must be a whole number from 1 to {most}")
    try:
        row = rate_run(args.run_dir, games_per_seat=args.games_per_seat, last=args.last,
                       seed=args.seed, fixed=[s for s in args.fixed.split(",") if s],
                       device=args.device)
    except (ValueError, FileNotFoundError, ImportError) as err:
        _error("arena ladder: error", err)
        return 2
    if args.json:
        print(json.dumps(row, indent=2, sort_keys=True))
    else:
        _print_ladder(row)
    return 0


def _print_ladder(row: dict[str, float]) -> None:
    """One table per game: players by rating, with interval and matches played."""
    from rich.console import Console
    from rich.table import Table

    from games.untrusted import markup_safe

    by_game: dict[str, dict[str, dict[str, float]]] = {}
    for key, value in row.items():
        _, game, player, metric = key.split("/", 3)
        by_game.setdefault(game, {}).setdefault(player, {})[metric] = value
    console = Console()
    for game, players in by_game.items():
        table = Table(title=f"Ladder: {markup_safe(game, multiline=False)}")
        for col in ("#", "player", "rating", "95% CI", "games"):
            table.add_column(col, justify="left" if col == "player" else "right")
        ranked = sorted(players.items(), key=lambda kv: (-kv[1]["rating"], kv[0]))
        for i, (player, m) in enumerate(ranked, 1):
            table.add_row(str(i), markup_safe(player, multiline=False), f"{m['rating']:.1f}",
                          f"{m['low']:.1f}..{m['high']:.1f}", f"{m['games']:.0f}")
        console.print(table)


if __name__ == "__main__":
    sys.exit(train_from_argv())
