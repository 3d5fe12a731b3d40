"""The turn-level credit ablation: arms that differ only in ``--advantage`` and
``--step-credit``, the same iterations of the same matches each, from the same start; then
each arm's kept model evaluated, and one table.

    python scripts/credit_ablation.py household --iterations 30 --parallel 2
    python scripts/credit_ablation.py werewolf --iterations 60 --parallel 2

Household arms start from one warm start (``--warm RUN/checkpoint-0``: made once with
``arena train ... --sft-from household-expert --iterations 0``, see docs/credit.md) and
are evaluated on 100 ``valid_unseen`` episodes; Werewolf arms start from the model and are
evaluated with ``arena eval`` against ``werewolf-rules`` (``--eval-games`` per seat). Each
arm runs ``arena train`` with ``OMP_NUM_THREADS=1`` in its own process, ``--parallel`` at
a time; its run folder is ``OUT/<advantage>-<step credit>``. The table is printed as
Markdown and written to ``OUT/table.json``. An arm whose folder already holds a finished
run is not trained again (its evaluation is).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

GAMES = {
    "household": dict(
        game="household:size=small,dense=true,view=compact",
        eval_game="household:size=small,split=valid_unseen,view=compact",
        keep="eval/household:size=small,dense=true,view=compact/episodes/success_rate",
        train=["--matches", "32", "--group-size", "8", "--entropy-coef", "0", "--eval-every",
               "5", "--eval-games", "32", "--checkpoint-every", "5"],
        arms=["rae-none", "rae-groups", "rae-search", "rae-critic", "group-none",
              "group-groups"]),
    "werewolf": dict(
        game="werewolf:speech=claims,view=compact",
        eval_game="werewolf:speech=claims,view=compact",
        keep="",
        train=["--matches", "8", "--group-size", "4", "--entropy-coef", "0.3",
               "--eval-every", "0", "--checkpoint-every", "10"],
        arms=["rae-none", "group-groups", "rae-critic", "group-critic"]),
}


def train_command(spec: dict, arm: str, args: argparse.Namespace, out: Path) -> list[str]:
    advantage, credit = arm.split("-", 1)
    cmd = [sys.executable, "-m", "arena.cli", "train", "--game", spec["game"], "--prompt",
           "bare", "--advantage", advantage, "--step-credit", credit, "--iterations",
           str(args.iterations), "--seed", str(args.seed), "--lr", str(args.lr), "--out",
           str(out), *spec["train"]]
    if args.warm:
        cmd += ["--init-from", args.warm]
    cmd += args.train_args.split()
    if spec["keep"]:
        cmd += ["--keep-best", spec["keep"]]
    return cmd


def finished(out: Path, iterations: int) -> bool:
    return (out / f"checkpoint-{iterations}").is_dir()


def run_arms(spec: dict, arms: list[str], args: argparse.Namespace, root: Path) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1")
    waiting = [a for a in arms if not finished(root / a, args.iterations)]
    running: dict[str, tuple[subprocess.Popen, float]] = {}
    seconds: dict[str, float] = {}
    while waiting or running:
        while waiting and len(running) < args.parallel:
            arm = waiting.pop(0)
            log = open(root / f"{arm}.log", "w")
            proc = subprocess.Popen(train_command(spec, arm, args, root / arm), env=env,
                                    stdout=log, stderr=subprocess.STDOUT)
            running[arm] = (proc, time.time())
            print(f"started {arm}", flush=True)
        time.sleep(5)
        for arm, (proc, t0) in list(running.items()):
            if proc.poll() is not None:
                seconds[arm] = time.time() - t0
                del running[arm]
                print(f"finished {arm} (exit {proc.returncode}, {seconds[arm]:.0f} s)",
                      flush=True)
    return seconds


def evaluate(spec: dict, model: str, args: argparse.Namespace) -> dict:
    cmd = [sys.executable, "-m", "arena.cli", "eval", spec["eval_game"], "--agent",
           f"llm:model={model},prompt=bare", "--games", str(args.eval_games), "--seed", "1",
           "--json"]
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(
        os.environ, OMP_NUM_THREADS=str(args.parallel)))
    if out.returncode:
        raise SystemExit(f"evaluation of {model} failed: {out.stderr.strip()[-500:]}")
    return json.loads(out.stdout)["metrics"]


def summary(game: str, metrics: dict) -> dict:
    if game == "household":
        return {k: metrics[f"episodes/success_rate{s}"]
                for k, s in (("success", ""), ("low", "_low"), ("high", "_high"))}
    out = {}
    for side in ("village", "wolves"):
        for k, s in ((side, ""), (f"{side}_low", "_low"), (f"{side}_high", "_high")):
            out[k] = metrics[f"vs_expert/game/{side}/win_rate{s}"]
    return out


def kept_model(root: Path, arm: str, iterations: int) -> str:
    best = root / arm / "best"
    return str(best if best.is_dir() else root / arm / f"checkpoint-{iterations}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("game", choices=sorted(GAMES))
    ap.add_argument("--arms", default="", help="comma-separated ADVANTAGE-CREDIT arms "
                                               "(default: the game's list)")
    ap.add_argument("--iterations", type=int, default=30)
    ap.add_argument("--parallel", type=int, default=2)
    ap.add_argument("--warm", default="", help="RUN/checkpoint-K every arm starts from")
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-games", type=int, default=100)
    ap.add_argument("--start", default="", help="also evaluate this model (the warm start "
                                                "or the untrained model) as the 'start' row")
    ap.add_argument("--out", default="")
    ap.add_argument("--train-args", default="", help="more arena train options for every "
                                                     "arm, e.g. '--kl-coef 0.05'")
    args = ap.parse_args(argv)
    spec = GAMES[args.game]
    arms = [a for a in args.arms.split(",") if a] or spec["arms"]
    root = Path(args.out or f"runs/credit-{args.game}")
    root.mkdir(parents=True, exist_ok=True)
    seconds = run_arms(spec, arms, args, root)
    table = {}
    rows = ([("start", args.start)] if args.start else []) + [
        (arm, kept_model(root, arm, args.iterations)) for arm in arms]
    for name, model in rows:
        table[name] = {"model": model, "train_s": seconds.get(name),
                       **summary(args.game, evaluate(spec, model, args))}
        print(name, json.dumps(table[name]), flush=True)
    (root / "table.json").write_text(json.dumps(table, indent=2, sort_keys=True))
    cols = [k for k in next(iter(table.values())) if k not in ("model",)]
    print("| arm | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, row in table.items():
        print(f"| {name} | " + " | ".join(
            "-" if row[c] is None else f"{row[c]:.3f}" if isinstance(row[c], float)
            else str(row[c]) for c in cols) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
