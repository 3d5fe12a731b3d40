"""``python scripts/bench.py parse``: the action parser on adversarial replies.

Times ``games.parse_action`` on replies built to be worst cases (unbalanced ``\\boxed{``
repeated, a run of ``]``, deep nesting) at growing sizes. Linear work shows as a time per
KB that stays flat as the size doubles (the former parser took 9-17 s on 28 KB of
unbalanced ``\\boxed{``).
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Sequence

from games import ParseError, parse_action

LEGAL = ["[0]", "[1]", "[2]"]
KINDS = {
    "unbalanced-boxed": lambda n: "\\boxed{" * (n // 7),
    "closing-brackets": lambda n: "]" * n,
    "nested-boxed": lambda n: "\\boxed{" * (n // 16) + "1" + "}" * (n // 16),
}


def _time(text: str, repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            parse_action(text, LEGAL)
        except ParseError:
            pass
        best = min(best, time.perf_counter() - start)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="bench.py parse", description=__doc__)
    p.add_argument("--sizes-kb", default="28,200,400", help="reply sizes in KB")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes_kb.split(",")]
    rows = [{"kind": kind, "kb": kb, "seconds": _time(build(kb * 1000))}
            for kind, build in KINDS.items() for kb in sizes]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        print(f"{r['kind']:18} {r['kb']:5d} KB  {r['seconds'] * 1e3:8.2f} ms  "
              f"{r['seconds'] * 1e6 / r['kb']:7.2f} us/KB")
    return 0
