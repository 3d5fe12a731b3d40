"""Training speed: how fast self-play iterations of the local model run, and where their
time goes (``python scripts/bench.py train``).

One row per (game, mode); every row starts from the same weights, in a run of its own
(``training.loop.open_run`` with a default :class:`SelfPlayConfig`: ``eval_every=0``, no
pool; no checkpoint is saved). An iteration is the training loop's own
``train_iteration(run)``; its metrics row gives the figures:

- rollouts (``rollout_s``): ``play_iteration``, ``matches`` self-play matches batched
  through the runner, the policy in every seat;
- learning (``learn_s``): samples, advantages (RAE), and the learner's update (one epoch
  of minibatch steps on the samples with a non-zero advantage).

Figures of a row:

- rollouts: samples/s (decisions of the learning policy), tokens/s and games/s, each over
  the rollout time;
- learner: samples/s and tokens/s over the learning time, counting the samples it trained
  on (a zero advantage skips a sample);
- the share of an iteration's wall time (rollouts + learning) spent in each, in percent.

Tokens of a sample are its prompt tokens plus its action tokens (the chosen action in
choice mode, the sampled reply in generate mode), as the ``tokens`` column of a run's
``metrics.jsonl`` counts them; choice mode also scores the other legal actions, which is
not counted. One warm-up iteration runs first (not measured), then iterations repeat until
``seconds`` have passed (at least one); figures are sums over the measured iterations
divided by their summed time.

    bench_train(seconds=20.0, game_names=("kuhn_poker", "tictactoe"), modes=("choice",),
                matches=128, model=None, device="auto", seed=0, as_json=False) -> dict
    python scripts/bench.py train [--seconds S] [--game kuhn_poker] [--matches N]
                                  [--mode choice|generate|both] [--model PATH] [--json]

Without ``--model`` the bench uses ``models/tiny`` when it exists, else builds the tiny
model (seed 0) in a temporary folder. Speed claims live here, never in timed tests;
compare figures taken on the same machine.
"""

from __future__ import annotations

import argparse
import json as _json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Sequence

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import games  # noqa: E402

__all__ = ["bench_train", "main"]

GAMES = ("kuhn_poker", "tictactoe")
MODES = ("choice", "generate")
DEFAULT_MODEL = ROOT / "models" / "tiny"
RATE_KEYS = ("rollout_samples_per_s", "rollout_tokens_per_s", "rollout_games_per_s",
             "learner_samples_per_s", "learner_tokens_per_s")


def _iteration(run: Any) -> dict[str, float]:
    """One iteration of the training loop (:func:`training.loop.train_iteration`), its
    counts and its two timings from the metrics row."""
    from training.loop import train_iteration

    row = train_iteration(run)
    epochs = run.config.epochs
    return {"rollout_s": row["rollout_s"], "learn_s": row["learn_s"], "games": row["matches"],
            "samples": row["samples"], "tokens": row["tokens"],
            "trained_samples": row["train/trained_samples"] * epochs,
            "trained_tokens": row["train/trained_tokens"] * epochs}


def _summary(its: list[dict[str, float]]) -> dict[str, Any]:
    total = {k: sum(it[k] for it in its) for k in its[0]}
    rollout_s, learn_s = total["rollout_s"], total["learn_s"]
    wall = [it["rollout_s"] + it["learn_s"] for it in its]
    return {
        "iterations": len(its), "rollout_s": rollout_s, "learn_s": learn_s,
        "games_per_iteration": total["games"] / len(its),
        "samples_per_iteration": total["samples"] / len(its),
        "trained_samples_per_iteration": total["trained_samples"] / len(its),
        "tokens_per_sample": total["tokens"] / max(total["samples"], 1),
        "rollout_samples_per_s": total["samples"] / rollout_s,
        "rollout_tokens_per_s": total["tokens"] / rollout_s,
        "rollout_games_per_s": total["games"] / rollout_s,
        "learner_samples_per_s": total["trained_samples"] / learn_s if learn_s else 0.0,
        "learner_tokens_per_s": total["trained_tokens"] / learn_s if learn_s else 0.0,
        "rollout_share_pct": 100.0 * rollout_s / (rollout_s + learn_s),
        "learn_share_pct": 100.0 * learn_s / (rollout_s + learn_s),
        "iteration_s_mean": sum(wall) / len(wall),
        "iteration_s_min": min(wall), "iteration_s_max": max(wall),
    }


def _row(game_name: str, mode: str, model: str, matches: int, seconds: float, seed: int,
         device: str, tmp: Path) -> tuple[dict[str, Any], Any]:
    """Warm-up plus measured iterations of one game and mode, in a run of its own (fresh
    weights, no evaluation, pool or checkpoints); returns the figures and the run."""
    from training.config import SelfPlayConfig
    from training.loop import open_run

    config = SelfPlayConfig(games=[game_name], model=model, mode=mode, eval_every=0,
                            matches_per_iteration=matches, seed=seed, device=device,
                            out=str(tmp / f"run-{game_name}-{mode}"))
    run = open_run(config)
    _iteration(run)  # warm-up
    its: list[dict[str, float]] = []
    start = time.perf_counter()
    while not its or time.perf_counter() - start < seconds:
        its.append(_iteration(run))
    return _summary(its), run


def bench_train(seconds: float = 20.0, game_names: Sequence[str] = GAMES,
                modes: Sequence[str] = ("choice",), matches: int = 128,
                model: str | None = None, device: str = "auto", seed: int = 0,
                as_json: bool = False) -> dict[str, Any]:
    """Measure every (game, mode) row; return (and print) the figures.

    ``seconds``: measured time per row after its warm-up iteration.
    ``as_json``: print one JSON object instead of a table.
    """
    _check(seconds, game_names, modes, matches)
    import torch

    with tempfile.TemporaryDirectory() as tmp:
        path, label = _model_path(model, Path(tmp))
        rows = {}
        for mode in modes:
            for name in game_names:
                rows[f"{name}/{mode}"], run = _row(name, mode, path, matches, seconds, seed,
                                                   device, Path(tmp))
        base = run.backend
        figures: dict[str, Any] = {
            "benchmark": "train", "model": label, "device": base.device,
            "dtype": str(base.dtype).removeprefix("torch."),
            "parameters": sum(p.numel() for p in base.model.parameters()),
            "torch_threads": torch.get_num_threads(), "seconds_per_row": seconds,
            "matches_per_iteration": matches, "seed": seed, "rows": rows,
        }
    _print(figures, as_json)
    return figures


def _check(seconds: float, game_names: Sequence[str], modes: Sequence[str],
           matches: int) -> None:
    """Raise ValueError, naming the value and the fix, before any model is loaded."""
    if seconds <= 0 or matches < 1:
        raise ValueError(f"seconds={seconds!r} must be > 0 and matches={matches!r} >= 1, "
                         "e.g. --seconds 20 --matches 128")
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise ValueError(f"modes={list(modes)!r}: expected some of {', '.join(MODES)}")
    if not game_names:
        raise ValueError(f"no game given; choose from {', '.join(GAMES)}, e.g. --game kuhn_poker")
    for name in game_names:
        games.make(name)  # an unknown name fails here, with the registry's message


def _model_path(model: str | None, tmp: Path) -> tuple[str, str]:
    """(path to load, label for the report): ``model``, else models/tiny, else a fresh
    tiny model built under ``tmp``."""
    if model:
        return model, model
    if (DEFAULT_MODEL / "config.json").exists():
        return str(DEFAULT_MODEL), "models/tiny"
    from agents.llm.tiny_model import build_model

    return str(build_model(tmp / "tiny", size="tiny", seed=0)), "tiny (built, seed 0)"


def _print(figures: dict[str, Any], as_json: bool) -> None:
    if as_json:
        print(_json.dumps(figures, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    rows = figures["rows"]
    table = Table(title=f"training speed: {figures['model']} ({figures['parameters']:,} "
                        f"parameters) on {figures['device']} {figures['dtype']}, "
                        f"{figures['torch_threads']} threads",
                  caption=f"{figures['matches_per_iteration']} matches per iteration; "
                          f"{figures['seconds_per_row']:g} s measured per column after a "
                          "warm-up iteration.\nTokens: prompt + action tokens per sample; "
                          "learner samples: those with a non-zero advantage.",
                  caption_justify="left")
    table.add_column("")
    for label in rows:
        table.add_column(label, justify="right", no_wrap=True)
    lines = [("iterations measured", "iterations", "{:d}"),
             ("samples / iteration", "samples_per_iteration", "{:,.0f}"),
             ("tokens / sample", "tokens_per_sample", "{:,.0f}"),
             ("rollout samples/s", "rollout_samples_per_s", "{:,.1f}"),
             ("rollout tokens/s", "rollout_tokens_per_s", "{:,.0f}"),
             ("rollout games/s", "rollout_games_per_s", "{:,.1f}"),
             ("learner samples/s", "learner_samples_per_s", "{:,.1f}"),
             ("learner tokens/s", "learner_tokens_per_s", "{:,.0f}"),
             ("rollouts % of iteration", "rollout_share_pct", "{:.1f}%"),
             ("learning % of iteration", "learn_share_pct", "{:.1f}%"),
             ("iteration s (mean)", "iteration_s_mean", "{:.2f}")]
    for head, key, fmt in lines:
        table.add_row(head, *(fmt.format(r[key]) for r in rows.values()))
    Console().print(table)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.py train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0,
                        help="measured seconds per game and mode (default 20)")
    parser.add_argument("--game", "--games", dest="games", default=",".join(GAMES),
                        help=f"comma-separated games (default {','.join(GAMES)})")
    parser.add_argument("--mode", default="choice", choices=[*MODES, "both"],
                        help="choice (default), generate, or both")
    parser.add_argument("--matches", type=int, default=128,
                        help="self-play matches per iteration (default 128, as training)")
    parser.add_argument("--model", default=None,
                        help="model folder or hub id (default: models/tiny, else a built tiny)")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda")
    parser.add_argument("--seed", type=int, default=0, help="run seed of the iterations")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.games.split(",") if n.strip()]
    modes = list(MODES) if args.mode == "both" else [args.mode]
    try:
        _check(args.seconds, names, modes, args.matches)
    except ValueError as err:
        print(f"bench train: {err}", file=sys.stderr)
        return 2
    bench_train(args.seconds, names, modes, args.matches, args.model, args.device,
                args.seed, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
