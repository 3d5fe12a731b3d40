"""One command that checks the training loop on a GPU: builds a ~80M-parameter model
(``arena model new --size base``), trains Kuhn Poker self-play for a few iterations in
choice and in generate mode (bf16 on a GPU that has it), and reports.

    python scripts/gpu_check.py                      # cuda, size base, 10 iterations
    python scripts/gpu_check.py --device cpu --size tiny --iterations 2   # the same paths on CPU

Checks (exit 1 when one fails): every metric of every iteration is finite; the same seed
plays the same records twice (the rollouts of one iteration, played again with the
trained policy). Prints, per mode: rollout and learner tokens/s, the time split (rollouts,
learning, evaluation), peak GPU memory, and the exploitability before and after. The test
suite runs it on CPU with the tiny model, so no path it takes reaches a GPU untested.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path


def _finite(rows: list[dict]) -> list[str]:
    return [f"iteration {r.get('iteration')}: {k}={v}" for r in rows for k, v in r.items()
            if isinstance(v, float) and not math.isfinite(v)]


def check_mode(mode: str, model: str, args: argparse.Namespace, out: Path) -> tuple[bool, dict]:
    import torch

    from training.config import SelfPlayConfig
    from training.loop import open_run, train
    from training.rollout import play_iteration

    game = "kuhn_poker:view=compact"
    config = SelfPlayConfig(
        model=model, games=[game], mode=mode, prompt="bare", iterations=args.iterations,
        matches_per_iteration=args.matches, device=args.device, eval_every=args.iterations,
        eval_games=0 if mode == "choice" else 20, checkpoint_every=args.iterations,
        max_new_tokens=16, seed=args.seed, out=str(out / mode))
    if args.device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    rows: list[dict] = []
    t0 = time.perf_counter()
    train(config, on_row=rows.append)
    wall = time.perf_counter() - t0
    bad = _finite(rows)
    run = open_run(config)  # the finished run: its trained policy, nothing trained again
    first = play_iteration(config, 1, run.policy, [])
    again = play_iteration(config, 1, run.policy, [])
    same = [(d.action, d.raw) for r in first for d in r.decisions] == [
        (d.action, d.raw) for r in again for d in r.decisions]
    it = [r for r in rows if r.get("iteration", 0) > 0]
    rollout_s = sum(r["rollout_s"] for r in it)
    learn_s = sum(r["learn_s"] for r in it)
    figures = {
        "wall_s": wall, "rollout_s": rollout_s, "learn_s": learn_s,
        "other_s": wall - rollout_s - learn_s,
        "rollout_tokens_per_s": sum(r["tokens"] for r in it) / max(rollout_s, 1e-9),
        "learner_tokens_per_s": sum(r["train/trained_tokens"] for r in it) / max(learn_s, 1e-9),
        "peak_gpu_gib": (torch.cuda.max_memory_allocated() / 2**30
                         if args.device.startswith("cuda") else 0.0),
        "non_finite": len(bad), "same_records": same,
    }
    key = f"eval/{game}/exploitability"
    evals = [r[key] for r in rows if key in r]
    if evals:
        figures["exploitability"] = f"{evals[0]:.3f} -> {evals[-1]:.3f}"
    for line in bad[:5]:
        print(f"  not finite: {line}")
    return not bad and same, figures


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--size", default="base", choices=["tiny", "small", "base"])
    ap.add_argument("--model", default="", help="a model folder to use instead of building one")
    ap.add_argument("--iterations", type=int, default=10)
    ap.add_argument("--matches", type=int, default=64)
    ap.add_argument("--modes", default="choice,generate")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    if args.iterations < 1 or args.matches < 1:
        ap.error("--iterations and --matches must be whole numbers >= 1")
    import torch

    if args.device.startswith("cuda") and not torch.cuda.is_available():
        print(f"gpu_check: --device {args.device} but CUDA is not available here; use "
              "--device cpu --size tiny to check the same paths on CPU", file=sys.stderr)
        return 2
    ok = True
    with tempfile.TemporaryDirectory(prefix="gpu-check-") as tmp:
        out = Path(tmp)
        model = args.model
        if not model:
            from agents.llm.tiny_model import build_model

            t0 = time.perf_counter()
            model = str(build_model(out / "model", size=args.size, seed=args.seed))
            print(f"built a {args.size} model in {time.perf_counter() - t0:.1f} s")
        if args.device.startswith("cuda"):
            print(f"device: {torch.cuda.get_device_name()}, bf16: "
                  f"{torch.cuda.is_bf16_supported()}")
        for mode in [m for m in args.modes.split(",") if m]:
            passed, figures = check_mode(mode, model, args, out)
            ok &= passed
            print(f"{mode}: {'ok' if passed else 'FAILED'}  " + "  ".join(
                f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                for k, v in figures.items()), flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
