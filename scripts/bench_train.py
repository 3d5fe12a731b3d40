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

With ``search`` (``--search-sims N``, default 32; 0: off) each game also gets a row
``GAME/choice+search``: the same iterations with step-DPO on (``dpo_coef=1``,
``pref_prob`` = ``--pref-prob``, default 0.25), adding pairs per iteration, pairs/s over
the search time, the search's share of an iteration, and the priors' cost: the searches
of one iteration's records driven in lock step (one batched policy call per step) against
the same searches driven one at a time (one call per observation, first ``SINGLE_SEARCHES``
searches), as observations answered per second, and their ratio; and the lock step with
its memory (``run_lockstep(memo=True)``, what training uses: an observation asked again is
answered from the first answer, each distinct one sent once).

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


SINGLE_SEARCHES = 16
"""Searches driven one at a time in the priors comparison (bounds its time)."""


def _search_iteration(run: Any) -> dict[str, float]:
    from training.loop import train_iteration

    row = train_iteration(run)
    wall = row["rollout_s"] + row["learn_s"] + row["search_s"]
    return {"pairs": row["pairs"], "search_s": row["search_s"], "wall_s": wall,
            "searches": row["searches"], "prior_calls": row["prior_calls"],
            "prior_observations": row["prior_observations"]}


def _priors_speed(run: Any, sims: int, prob: float) -> dict[str, float]:
    """Observations answered per second: lock step (batched) vs one search at a time."""
    import random as _random

    from agents.search import run_lockstep, search
    from training.preferences import state_before
    from training.rollout import play_iteration
    from training.run import POLICY_NAME

    cfg = run.config
    records = play_iteration(cfg, 10_000, run.policy, [])
    game = games.make(cfg.games[0])
    points = [(r, k, d) for r in records for k, d in enumerate(r.decisions)
              if d.agent == POLICY_NAME and d.legal_actions and len(d.legal_actions) > 1]
    points = points[:max(1, int(len(points) * prob))]

    def gens(chosen):
        return [search(state_before(r, k, game).determiniser(d.player), sims,
                       _random.Random(i), cfg.pref_c) for i, (r, k, d) in enumerate(chosen)]
    t0 = time.perf_counter()
    batched = run_lockstep(gens(points), run.policy.policy_batch, memo=False)
    t1 = time.perf_counter()
    remembered = run_lockstep(gens(points), run.policy.policy_batch)
    t2 = time.perf_counter()
    single_obs = 0
    for gen in gens(points[:SINGLE_SEARCHES]):
        single_obs += run_lockstep([gen], run.policy.policy_batch, memo=False).observations
    t3 = time.perf_counter()
    b = batched.observations / (t1 - t0)
    m = remembered.observations / (t2 - t1)
    one = single_obs / (t3 - t2)
    return {"priors_per_s_batched": b, "priors_per_s_single": one, "batched_speedup": b / one,
            "priors_per_s_memo": m, "memo_speedup": m / one,
            "memo_sent_share": remembered.sent / max(remembered.observations, 1),
            "prior_batch_size": batched.observations / max(batched.calls, 1)}


def _search_row(game_name: str, model: str, matches: int, seconds: float, seed: int,
                device: str, tmp: Path, sims: int, prob: float) -> dict[str, Any]:
    from training.config import SelfPlayConfig
    from training.loop import open_run

    config = SelfPlayConfig(games=[game_name], model=model, eval_every=0, seed=seed,
                            matches_per_iteration=matches, device=device, dpo_coef=1.0,
                            pref_prob=prob, pref_sims=sims,
                            out=str(tmp / f"run-{game_name}-search"))
    run = open_run(config)
    _search_iteration(run)  # warm-up
    its: list[dict[str, float]] = []
    start = time.perf_counter()
    while not its or time.perf_counter() - start < seconds:
        its.append(_search_iteration(run))
    total = {k: sum(it[k] for it in its) for k in its[0]}
    row = {"iterations": len(its), "search_sims": sims, "pref_prob": prob,
           "pairs_per_iteration": total["pairs"] / len(its),
           "pairs_per_s": total["pairs"] / total["search_s"],
           "search_share_pct": 100.0 * total["search_s"] / total["wall_s"],
           "iteration_s_mean": total["wall_s"] / len(its),
           "prior_calls_per_iteration": total["prior_calls"] / len(its)}
    row.update(_priors_speed(run, sims, prob))
    return row


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
                as_json: bool = False, search_sims: int = 32,
                pref_prob: float = 0.25) -> dict[str, Any]:
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
        searched = {}
        for name in game_names if search_sims else ():
            searched[f"{name}/choice+search"] = _search_row(
                name, path, matches, seconds, seed, device, Path(tmp), search_sims, pref_prob)
        base = run.backend
        figures: dict[str, Any] = {
            "benchmark": "train", "model": label, "device": base.device,
            "dtype": str(base.dtype).removeprefix("torch."),
            "parameters": sum(p.numel() for p in base.model.parameters()),
            "torch_threads": torch.get_num_threads(), "seconds_per_row": seconds,
            "matches_per_iteration": matches, "seed": seed, "rows": rows,
            "search_rows": searched,
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
    if figures.get("search_rows"):
        _print_search(figures["search_rows"])


def _print_search(rows: dict[str, dict[str, Any]]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="step preferences: PUCT search at the policy's decisions")
    table.add_column("")
    for label in rows:
        table.add_column(label, justify="right", no_wrap=True)
    lines = [("simulations / search", "search_sims", "{:d}"),
             ("share of decisions searched", "pref_prob", "{:.2f}"),
             ("pairs / iteration", "pairs_per_iteration", "{:,.1f}"),
             ("pairs/s (search time)", "pairs_per_s", "{:,.1f}"),
             ("search % of iteration", "search_share_pct", "{:.1f}%"),
             ("batched prior calls / iteration", "prior_calls_per_iteration", "{:,.1f}"),
             ("observations per batched call", "prior_batch_size", "{:,.1f}"),
             ("priors/s, lock step (batched)", "priors_per_s_batched", "{:,.0f}"),
             ("priors/s, one at a time", "priors_per_s_single", "{:,.0f}"),
             ("batched speed-up", "batched_speedup", "{:.1f}x"),
             ("priors/s, lock step, remembered", "priors_per_s_memo", "{:,.0f}"),
             ("share of priors sent to the model", "memo_sent_share", "{:.2f}"),
             ("lock step + memory speed-up", "memo_speedup", "{:.1f}x"),
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
    parser.add_argument("--search-sims", type=int, default=32,
                        help="simulations of the step-preference search rows (0: no search rows)")
    parser.add_argument("--pref-prob", type=float, default=0.25,
                        help="share of decisions searched in the search rows (default 0.25)")
    args = parser.parse_args(argv)
    if args.search_sims < 0 or not 0 < args.pref_prob <= 1:
        print(f"bench train: --search-sims {args.search_sims} must be >= 0 and --pref-prob "
              f"{args.pref_prob} in (0, 1]", file=sys.stderr)
        return 2
    names = [n.strip() for n in args.games.split(",") if n.strip()]
    modes = list(MODES) if args.mode == "both" else [args.mode]
    try:
        _check(args.seconds, names, modes, args.matches)
    except ValueError as err:
        print(f"bench train: {err}", file=sys.stderr)
        return 2
    bench_train(args.seconds, names, modes, args.matches, args.model, args.device,
                args.seed, args.json, args.search_sims, args.pref_prob)
    return 0


if __name__ == "__main__":
    sys.exit(main())
