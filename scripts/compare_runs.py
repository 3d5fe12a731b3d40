"""Compare two training runs of the same config (for example 1 and 2 processes): the
metrics rows key by key and the weights of a checkpoint both have.

    python scripts/compare_runs.py runs/p1 runs/p2 [--checkpoint 3]

Prints, per iteration, the keys whose values differ and by how much (the largest
difference), the keys that are equal, the largest weight difference at the checkpoint,
and each run's training time (rollout and learning seconds summed over the rows).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _rows(run: Path) -> list[dict]:
    path = run / "metrics.jsonl"
    if not path.is_file():
        sys.exit(f"compare_runs: {path} does not exist: give two run folders (--out of "
                 "arena train)")
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


_WALL = ("elapsed_s", "rollout_s", "learn_s", "eval_s", "games_per_s", "tokens_per_s")


def compare_rows(a: list[dict], b: list[dict]) -> list[str]:
    out = []
    for ra, rb in zip(a, b):
        equal, differ = 0, []
        for key in sorted(set(ra) | set(rb)):
            if key in _WALL or key.endswith("_s"):
                continue
            va, vb = ra.get(key), rb.get(key)
            if va == vb:
                equal += 1
            elif isinstance(va, (int, float)) and isinstance(vb, (int, float)):
                differ.append((abs(va - vb), key))
            else:
                differ.append((float("inf"), key))
        worst = ", ".join(f"{k} {d:.2g}" for d, k in sorted(differ, reverse=True)[:3])
        out.append(f"iteration {ra.get('iteration')}: {equal} keys equal, {len(differ)} differ"
                   + (f" (largest: {worst})" if differ else ""))
    return out


def weight_difference(a: Path, b: Path) -> float:
    from safetensors.torch import load_file

    wa, wb = load_file(str(a / "model.safetensors")), load_file(str(b / "model.safetensors"))
    if wa.keys() != wb.keys():
        sys.exit(f"compare_runs: {a} and {b} hold different tensors: not the same model")
    return max(float((wa[k].float() - wb[k].float()).abs().max()) for k in wa)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run_a", type=Path)
    parser.add_argument("run_b", type=Path)
    parser.add_argument("--checkpoint", type=int, default=None,
                        help="iteration whose weights to compare (default: the last both have)")
    args = parser.parse_args(argv)
    a, b = _rows(args.run_a), _rows(args.run_b)
    for line in compare_rows(a, b):
        print(line)
    its = [args.checkpoint] if args.checkpoint is not None else sorted(
        {int(p.name.split("-")[1]) for p in args.run_a.glob("checkpoint-*")
         if (p / "COMPLETE").exists()}
        & {int(p.name.split("-")[1]) for p in args.run_b.glob("checkpoint-*")
           if (p / "COMPLETE").exists()})[-1:]
    for it in its:
        ca, cb = args.run_a / f"checkpoint-{it}", args.run_b / f"checkpoint-{it}"
        print(f"checkpoint-{it}: largest weight difference {weight_difference(ca, cb):.3g}")
    for name, rows in ((args.run_a, a), (args.run_b, b)):
        print(f"{name}: rollouts {sum(r.get('rollout_s', 0) for r in rows):.1f} s, learning "
              f"{sum(r.get('learn_s', 0) for r in rows):.1f} s over {len(rows)} iterations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
