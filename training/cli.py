"""``arena train`` and ``arena plot``: argument parsing and the progress display."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Sequence

from arena.argv import parse_args_once
from common.untrusted import terminal_safe

__all__ = ["train_from_argv", "plot_from_argv", "ladder_from_argv", "build_train_parser"]


def build_train_parser() -> argparse.ArgumentParser:
    """``arena train``'s parser: one option per field of :class:`SelfPlayConfig`, its help
    from the declaration, plus the command's own flags (``--config``, ``--resume``,
    ``--json``). Options left out keep the config file's value or the declared default."""
    from training.config import SelfPlayConfig
    from training.options import add_arguments

    p = argparse.ArgumentParser(
        prog="arena train", description="Self-play training of a language-model policy: "
        "rollouts in every seat, role-conditioned advantages (RAE), optional step "
        "preferences and warm start. Every option can also come from --config FILE.toml.")
    p.add_argument("--config", metavar="FILE.toml", default=None,
                   help="read options from a TOML file (keys are the option names with "
                        "underscores, e.g. lr_schedule = \"cosine\"); options on the command "
                        "line override it. A run folder's config.toml runs that training again")
    add_arguments(p, SelfPlayConfig)
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out, refusing to start a new one (running the "
                        "same command again without it resumes too)")
    p.add_argument("--json", action="store_true", help="print each metrics row as JSON")
    p.add_argument("--processes", type=_processes, default=1, metavar="N",
                   help="data-parallel self-play in N processes on this machine, through "
                        "accelerate (pip install 'selfplay-arena[scale]'): each plays its share "
                        "of the matches and learns on its share of every minibatch; the "
                        "result is one process's, and a run resumes with any N. Default: 1")
    return p


def _processes(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 1024:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number from 1 to 1024, "
                                         "e.g. 2")
    return n


def config_from_args(args: argparse.Namespace):
    """The config of parsed ``arena train`` arguments: declared defaults, then the
    ``--config`` file's values, then the command line's."""
    from training.config import SelfPlayConfig
    from training.options import read_toml, values_from_args

    values = read_toml(args.config, SelfPlayConfig) if getattr(args, "config", None) else {}
    values.update(values_from_args(args, SelfPlayConfig))
    return SelfPlayConfig(**values)


def _flag(message: str) -> str:
    """`` (option --x)`` for the config field a validation message starts with."""
    from training.config import SelfPlayConfig
    from training.options import flag_of

    flag = flag_of(SelfPlayConfig, message.split("=", 1)[0])
    return f" (option {flag})" if flag else ""


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
    except FileNotFoundError as err:
        _error("arena train: error", err)
        return 2
    except ValueError as err:
        _error("arena train: error", f"{err}{_flag(str(err))}")
        return 2
    if args.resume and not config.out:
        print("arena train: error: --resume needs --out RUN_DIR (the run to continue)",
              file=sys.stderr)
        return 2
    if args.processes > 1 and int(os.environ.get("WORLD_SIZE", "1") or 1) <= 1:
        from training.launch import launch

        forwarded = list(sys.argv[1:] if argv is None else argv)
        out = str(config.run_dir())  # one folder for every process (the default is dated)
        if not config.out:
            forwarded += ["--out", out]
        return launch(args.processes, forwarded, out)
    console = Console(stderr=args.json)
    t0 = time.perf_counter()
    rank = int(os.environ.get("RANK", "0") or 0)  # this process's place in a launched run
    try:
        from training.distributed import current_ranks

        ranks = current_ranks(config.device)
        if not ranks.is_main:  # rank 0 alone shows progress and writes
            train(config, resume=args.resume, ranks=ranks)
            return 0
        with TrainProgress(console, config.iteration_limit(), config.minutes) as progress:
            def on_row(row: dict[str, Any]) -> None:
                if args.json:  # scalar metrics (a policy table stays in metrics.jsonl)
                    print(json.dumps({k: v for k, v in row.items() if not isinstance(v, dict)}),
                          flush=True)
                progress.update(row)

            run_dir = train(config, on_row=on_row, resume=args.resume, ranks=ranks)
    except KeyboardInterrupt:
        if int(os.environ.get("WORLD_SIZE", "1") or 1) <= 1:
            raise  # one process: the arena command's own "interrupted" line
        if os.environ.get("ARENA_LAUNCHED") is None and rank == 0:
            print("interrupted", file=sys.stderr)  # a launcher of the user's own
        return 130  # under arena train --processes the launcher says it, in one line
    except RuntimeError as err:
        if not _lost_peer(err):
            raise
        # another process died: the launcher names it in one line; this one's view of it
        # goes to the launch log only
        print(f"arena train (process {rank}): lost contact with another process: "
              f"{terminal_safe(str(err), multiline=False)}", file=sys.stderr)
        return 1
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
    _say_best(console, config.keep_best, run_dir)
    console.print(f"run folder: {shown} ({time.perf_counter() - t0:.0f} s); "
                  f"plot it with: arena plot {shown}", markup=False, highlight=False,
                  soft_wrap=True)
    return 0


def _lost_peer(err: RuntimeError) -> bool:
    """Whether ``err`` is a collective failing because another process of the run died."""
    try:
        import torch.distributed as dist
    except ImportError:
        return False
    if not (dist.is_available() and dist.is_initialized()):
        return False
    text = str(err).lower()
    return isinstance(err, getattr(dist, "DistError", ())) or any(
        k in text for k in ("connection reset", "connection closed", "gloo", "nccl", "peer"))


def _say_best(console: Any, keep_best: str, run_dir: Any) -> None:
    """With ``--keep-best``: the best evaluation, where its model is, and the last one
    (nothing when ``best.json`` is missing or unreadable: the run itself is intact)."""
    from pathlib import Path

    path = Path(run_dir) / "best" / "best.json"
    if not keep_best or not path.is_file():
        return
    try:
        best = json.loads(path.read_text())
        metric, value, iteration = best["metric"], float(best["value"]), int(best["iteration"])
        last = None
        for line in (Path(run_dir) / "metrics.jsonl").read_text().splitlines():
            row = json.loads(line)
            if metric in row:
                last = row[metric]
    except (OSError, ValueError, KeyError, TypeError):
        return
    shown = "none" if last is None else f"{last:.4g}"
    console.print(f"best {terminal_safe(metric, multiline=False)}: {value:.4g} at iteration "
                  f"{iteration} (model in {terminal_safe(str(path.parent), multiline=False)}); "
                  f"the last evaluation: {shown}", markup=False, highlight=False, soft_wrap=True)


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

    from common.untrusted import markup_safe

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
