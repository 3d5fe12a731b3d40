"""The self-play loop, top to bottom: rollouts, samples, advantages, the learner's
objectives, evaluation, checkpoints. ``train(config)`` is the whole algorithm; ``arena
train`` calls it, and :func:`train_iteration` (one iteration, returning its metrics row)
is also what ``scripts/bench.py train`` measures.

Run folder: ``config.json`` and ``config.toml`` (the options; the TOML file runs the
training again with ``arena train --config``), ``metrics.jsonl`` (one row per iteration,
evaluation keys on evaluation iterations, rating-ladder keys on checkpoint iterations when
``ladder_games`` > 0), ``checkpoint-N/`` (Hugging Face format plus trainer state, see
:mod:`training.checkpoint`), ``pool/snapshot-N/`` (opponent pool).

When it ends: after ``iterations``, or after the iteration that crosses the time budget
``minutes``, whichever comes first; with only a time budget, the budget alone (see
:meth:`SelfPlayConfig.iteration_limit`). Running the same command again resumes from the
newest intact checkpoint and reaches the same parameters as an uninterrupted run, bit for
bit on CPU (the update runs with deterministic kernels there; the KL reference stays the
starting model). The folder is identified by its location: ``runs/x``, ``./runs/x/`` and
its absolute path are one run, and a moved folder resumes from where it is now.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import torch

from common.seeds import derive_seed

from training.checkpoint import latest_checkpoint
from training.config import SelfPlayConfig, config_changes, parse_game_weights
from training.credit_loop import decision_advantages
from training.distributed import SINGLE, Ranks, current_ranks
from training.evaluation import evaluate_policy
from training.objectives import LearnBatch
from training.preferences import search_pairs
from training.rollout import collect_samples, play_iteration
from training.run import POLICY_NAME, TrainingRun, policy_agent

log = logging.getLogger(__name__)

__all__ = ["train", "train_iteration", "open_run", "policy_agent", "POLICY_NAME"]


@contextlib.contextmanager
def _deterministic(device: str) -> Iterator[None]:
    """Deterministic kernels while learning on CPU. Otherwise the backward of gathering the
    shared prompt prefix's KV cache into every row (an index with repeated rows) adds the
    rows' gradients with parallel atomics: the sum's order, and so its last bits, change
    from run to run, and a resumed run drifts from an uninterrupted one."""
    if not str(device).startswith("cpu"):
        yield
        return
    was = torch.are_deterministic_algorithms_enabled()
    warn_only = torch.is_deterministic_algorithms_warn_only_enabled()
    torch.use_deterministic_algorithms(True, warn_only=True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(was, warn_only=warn_only)


def _iteration_row(run: TrainingRun, records, samples, adv, stats, seconds: float
                   ) -> dict[str, Any]:
    row: dict[str, Any] = {"iteration": run.iteration, "matches": len(records),
                           "samples": len(samples), "rollout_s": seconds}
    decisions = [d for r in records for d in r.decisions if d.agent == POLICY_NAME]
    row["invalid_rate"] = (sum(not d.valid for d in decisions) / len(decisions)) if decisions else 0.0
    row["tokens"] = sum(len(s.prompt_ids) + len(s.token_ids) for s in samples)
    by_key: dict[str, list[float]] = {}
    for s, a in zip(samples, adv):
        by_key.setdefault(s.key, []).append(a)
    for key, values in by_key.items():
        row[f"advantage/{key}"] = sum(values) / len(values)
        row[f"baseline/{key}"] = run.baselines.get(key)
    row.update(run.learner.metrics_row(stats))
    return row


def _step_pairs(run: TrainingRun, records) -> tuple[list, dict[str, Any], dict]:
    """This iteration's step preferences: searched at the policy's decisions, or the
    preferences file's; with the search's figures for the metrics row and its step values
    ((match, decision) -> Q - V, for ``step_credit=search``)."""
    cfg = run.config
    if cfg.pref_data:
        return run.offline_pairs(), {"pairs": len(run.offline_pairs())}, {}
    if not cfg.searching:
        return [], {}, {}
    t0 = time.perf_counter()
    names = [name for name, _ in parse_game_weights(cfg.games)]
    report = search_pairs(records, POLICY_NAME, run.policy, names, cfg.pref_prob, cfg.pref_sims,
                          ("pref", cfg.seed, run.iteration), cfg.pref_c, cfg.pref_playout,
                          cfg.pref_min_gap, cfg.pref_min_visits, cfg.pref_rejected,
                          cfg.pref_completions if cfg.mode == "generate" else 0)
    seconds = time.perf_counter() - t0
    row = {"pairs": len(report.pairs), "searches": report.searches, "search_s": seconds}
    if cfg.mode == "generate":  # replies sampled, and the share that parsed to no action
        row.update({"generate_calls": report.calls, "completions": report.completions,
                    "completion_invalid_share": report.invalid / max(report.completions, 1)})
    else:
        row.update({"prior_calls": report.calls, "prior_observations": report.observations,
                    "prior_sent": report.sent})
    pairs = report.pairs if cfg.dpo_coef > 0 else []  # searched for step credit alone
    return pairs, row, report.step_values


def _evaluate(run: TrainingRun, seed: int) -> dict[str, Any]:
    """Evaluation with its own agents (sharing the model): evaluators may reseed an
    agent, and the rollout policy's seed must stay the run's for a resume to replay."""
    cfg = run.config
    judged = policy_agent(cfg, run.models)
    greedy = policy_agent(cfg, run.models, name="policy-greedy", greedy=True)
    game_names = [name for name, _ in parse_game_weights(cfg.games)]
    return evaluate_policy(judged, game_names, cfg.eval_games // 2, seed, greedy)


def train_iteration(run: TrainingRun) -> dict[str, Any]:
    """One iteration: rollouts, samples, advantages, the learner's update, and the
    evaluation when due. Advances ``run.iteration``; returns the iteration's metrics row
    (the caller records it, saves checkpoints, snapshots the pool)."""
    config = run.config
    run.iteration += 1
    t0 = time.perf_counter()
    pool = run.pool() if config.opponent_prob else []
    offline = config.pref_data and config.pg_coef == 0  # no rollouts: the file is the data
    records = [] if offline else play_iteration(config, run.iteration, run.policy, pool,
                                                run.ranks)
    t1 = time.perf_counter()
    pairs, search, step_values = _step_pairs(run, records)
    t1 += search.get("search_s", 0.0)
    samples = collect_samples(records, POLICY_NAME, config.invalid_penalty)
    adv, credit_row = decision_advantages(run, records, samples, step_values)
    with _deterministic(run.backend.device):
        stats = run.learner.update(LearnBatch(samples, adv, pairs), run.iteration)
    t2 = time.perf_counter()
    row = _iteration_row(run, records, samples, adv, stats, t1 - t0 - search.get("search_s", 0.0))
    row.update(search)
    row.update(credit_row)
    if "search_s" in search:
        row["search_share"] = search["search_s"] / max(t2 - t0, 1e-9)
    row.update({"learn_s": t2 - t1, "elapsed_s": run.elapsed(),
                "games_per_s": len(records) / max(t2 - t0, 1e-9),
                "tokens_per_s": row["tokens"] / max(t2 - t0, 1e-9)})
    if config.eval_every and run.iteration % config.eval_every == 0 and run.ranks.is_main:
        row.update(_evaluate(run, derive_seed("eval-run", config.seed, run.iteration)))
    return row


def _check_folder(config: SelfPlayConfig, run_dir: Path, resume: bool) -> None:
    """Refuse a folder holding another run, or a ``--resume`` of nothing; writes nothing.
    A folder with no checkpoint yet (a run that failed before its first one: a bad
    setting, divergence, a full disk) may be started again under new settings."""
    cfg_path = run_dir / "config.json"
    if os.path.lexists(run_dir) and not run_dir.is_dir():
        raise ValueError(f"--out {run_dir} is not a folder (a file, a FIFO, a device or a "
                         "broken link); give a new or empty folder")
    if resume and not cfg_path.exists() and latest_checkpoint(run_dir) is None:
        what = "does not exist" if not run_dir.exists() else "holds no run (no config.json)"
        raise ValueError(f"--resume: {run_dir} {what}; give the folder of an existing run "
                         "as --out, or leave out --resume to start a new run")
    if not cfg_path.exists() and run_dir.is_dir() and latest_checkpoint(run_dir) is None:
        from agents.llm.tiny_model import RUN_ENTRIES

        foreign = sorted(p.name for p in run_dir.iterdir() if not RUN_ENTRIES.fullmatch(p.name)
                         or p.name in ("config.toml", "best"))
        if foreign:
            raise ValueError(f"{run_dir} holds files that are not a training run's "
                             f"({', '.join(foreign[:5])}); a run would write over them: use "
                             "an empty or new --out")
    if not cfg_path.exists() or latest_checkpoint(run_dir) is None:
        return  # nothing trained to protect (the checkpoints' own configs are checked too)
    try:
        saved = json.loads(cfg_path.read_text())
        if not isinstance(saved, dict):
            raise ValueError(f"a JSON {type(saved).__name__}, not an object")
    except ValueError as err:
        raise ValueError(f"{cfg_path} is not valid JSON ({err}); restore it, or use another "
                         "--out") from err
    changed = config_changes(saved, config)
    if changed:
        raise ValueError(f"{run_dir} holds a run with a different config ({', '.join(changed)}); "
                         "use another --out, or the same settings to resume")


def validate_run(config: SelfPlayConfig) -> None:
    """What can be checked without the model, before anything is written: every game
    builds; choice mode only on games whose actions are a list (not free text); a warm
    start's expert plays one match of every game."""
    import games
    from training.tracking import check_trackers

    check_trackers(config.report_to)
    names = [name for name, _ in parse_game_weights(config.games)]
    built = {name: games.make(name) for name in names}
    if config.mode == "choice":
        free = [name for name, game in built.items() if game.all_actions() is None]
        if free:
            raise ValueError(f"--mode choice cannot play {', '.join(free)}: its actions are "
                             "free text (speeches, messages), with no list to score; use "
                             "--mode generate, or leave that game out")
    if config.sft_from:
        if config.mode != "choice":
            raise ValueError(f"--sft-from needs --mode choice (got {config.mode}): the "
                             "expert's actions teach choices, not the reply format")
        from agents.registry import make_agent
        from arena.runner import play_match

        for name, game in built.items():
            agent = make_agent(config.sft_from, seed=config.seed)
            try:
                play_match(game, [agent] * game.num_players, config.seed)
            finally:
                agent.close()


def _write_config(run_dir: Path, config: SelfPlayConfig) -> None:
    """``config.json`` (everything, for resuming and the ladder) and ``config.toml`` (every
    option but ``out``, for ``arena train --config RUN/config.toml``), each written whole or
    not at all (a temporary file, synced, renamed): a full disk leaves the previous file,
    never an empty one."""
    from training.options import to_toml

    values = config.to_dict()
    toml = to_toml(values, SelfPlayConfig, leave_out=("out",), header=(
        f"Options of the run in this folder. Run the same training again with\n"
        f"  arena train --config THIS_FILE --out NEW_FOLDER\n"
        f"(options on the command line override the file's)."))
    for name, text in (("config.json", json.dumps(values, indent=2, sort_keys=True)),
                       ("config.toml", toml)):
        tmp = run_dir / f".{name}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, run_dir / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise


def open_run(config: SelfPlayConfig, resume: bool = False, ranks: Ranks = SINGLE) -> TrainingRun:
    """The run of ``config``: checked (:func:`validate_run`, the folder), built (model,
    device, opponents, the checkpoint's own config), then its folder and ``config.json``
    written; resumed from its newest intact checkpoint if it has one. Under several
    processes every rank checks and builds, and rank 0 alone writes."""
    torch.manual_seed(config.seed)
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # our own progress display owns the terminal
    run_dir = config.run_dir()
    _check_folder(config, run_dir, resume)
    validate_run(config)
    run = TrainingRun(config, run_dir, ranks)  # loads and validates before anything is written
    if ranks.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        _restore_best(run_dir)
        _write_config(run_dir, config)
    ranks.barrier()
    return run


def _keep_best(run: TrainingRun, row: dict[str, Any]) -> None:
    """``keep_best``: when ``row`` evaluates the metric better than before (finite values
    only), save the policy to ``RUN/best`` and a checkpoint of this iteration, so the
    kept model and the trainer state that names it are saved together; add
    ``best/value`` and ``best/iteration`` to the row."""
    if not run.config.keep_best:
        return
    metric, lower = run.config.best_metric()
    if metric not in row:
        evaluated = sorted(k for k in row if k.startswith("eval/"))
        if evaluated and not run.best:
            import difflib

            near = difflib.get_close_matches(metric, evaluated, n=1)
            hint = f"did you mean {near[0]!r}" if near else "known: " + ", ".join(evaluated[:12])
            raise ValueError(f"keep_best={run.config.keep_best!r}: this run's evaluations have "
                             f"no key {metric!r} ({hint}); use another --keep-best or --out")
        return
    value = float(row[metric])
    best = run.best.get("value")
    if math.isfinite(value) and (best is None or (value < best if lower else value > best)):
        _save_best(run, {"iteration": run.iteration, "value": value, "metric": metric})
    if run.best:
        row["best/value"] = run.best["value"]
        row["best/iteration"] = run.best["iteration"]


def _save_best(run: TrainingRun, best: dict[str, Any]) -> None:
    """Write the policy to ``RUN/best`` (aside first, then renamed over the old one, which
    is deleted last); ``run.best`` changes only once it is in place."""
    import shutil

    tmp, final, old = run.dir / ".best.tmp", run.dir / "best", run.dir / ".best.old"
    if final.exists() and not (final / "best.json").is_file():
        raise ValueError(f"{final} is not a model this run kept (no best.json): move it away, "
                         "or use another --out")
    shutil.rmtree(tmp, ignore_errors=True)
    run.plain_model().save_pretrained(tmp)
    run.backend.tokenizer.save_pretrained(tmp)
    (tmp / "best.json").write_text(json.dumps(best, sort_keys=True))
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
    tmp.rename(final)
    run.best = best
    shutil.rmtree(old, ignore_errors=True)


def _restore_best(run_dir: Path) -> None:
    """A kill between moving the old best aside and renaming the new one in leaves only
    ``.best.old``: put it back."""
    old, final = run_dir / ".best.old", run_dir / "best"
    if old.is_dir() and not final.exists():
        old.rename(final)


def _record(run: TrainingRun, row: dict[str, Any],
            on_row: Callable[[dict[str, Any]], None] | None) -> None:
    _keep_best(run, row)
    run.rows.append(row)
    if on_row:
        on_row(row)


def train(config: SelfPlayConfig, on_row: Callable[[dict[str, Any]], None] | None = None,
          resume: bool = False, ranks: Ranks | None = None) -> Path:
    """Run (or resume) self-play training; returns the run folder. ``resume``: refuse to
    start a new run (the folder must hold one). ``ranks``: this process's place in a
    launched run (default: read from the launcher's environment; a single process outside
    one); only rank 0 calls ``on_row``."""
    from training.options import to_toml
    from training.tracking import open_trackers

    ranks = current_ranks(config.device) if ranks is None else ranks
    run = open_run(config, resume, ranks)
    tracker = open_trackers(config.report_to if ranks.is_main else [], run.dir,
                            config.to_dict(), to_toml(config.to_dict(), SelfPlayConfig),
                            start=run.iteration)
    try:
        return _train(run, tracker, on_row)
    finally:
        tracker.close()


def _train(run: TrainingRun, tracker: Any, on_row: Callable[[dict[str, Any]], None] | None) -> Path:
    config = run.config

    main = run.ranks.is_main

    def record(row: dict[str, Any]) -> None:
        if main:  # the other ranks keep the rows only (rank 0 writes them)
            _record(run, row, on_row)
            tracker.log(row)
        else:
            run.rows.append(row)

    def out_of_time() -> bool:  # rank 0's clock decides for every rank
        return run.ranks.sum_values({"late": float(main and run.out_of_time())})["late"] > 0

    limit = config.iteration_limit()
    run.started = time.perf_counter()
    if run.iteration == 0 and (config.eval_every or config.sft_from):
        row = {"iteration": 0, "elapsed_s": 0.0}
        if config.sft_from:  # the warm start before RL (training/sft.py)
            from training.sft import warm_start

            with _deterministic(run.backend.device):
                row.update(warm_start(config, run.backend, run.ranks))
        if config.eval_every and main:
            row.update(_evaluate(run, config.seed))
        record(row)
    late = out_of_time()
    while (limit is None or run.iteration < limit) and not late:
        row = train_iteration(run)
        late = out_of_time()
        saving = run.iteration % config.checkpoint_every == 0 or late or run.iteration == limit
        if saving and config.ladder_games and main:
            row.update(run.ladder())  # before saving: the checkpoint's rows hold the ratings
        record(row)
        if config.pool_every and run.iteration % config.pool_every == 0:
            run.snapshot()
        if main and (saving or run.best.get("iteration") == run.iteration):  # the kept best's too
            run.save()
        run.ranks.barrier()  # the snapshot and checkpoint are on disk before anyone reads them
    if run.saved_at != run.iteration and main:
        run.save()
    return run.dir
