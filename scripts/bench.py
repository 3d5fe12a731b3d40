"""Benchmarks of the arena: ``python scripts/bench.py <engine|arena|llm|train> [options]``.

Each subcommand lives in its own module and takes ``--json`` for the same figures as JSON:

- ``engine``: steps/s of our games beside TextArena's, clone time (scripts/bench_engine.py);
- ``arena``: tournament matches/s with 1 and 2 workers and with Ray, MCTS simulations/s
  beside OpenSpiel's (scripts/bench_arena.py);
- ``llm``: decisions/s of the local model batched across 64 matches vs one match at a time,
  both modes, peak memory (scripts/bench_llm.py);
- ``train``: samples/s and tokens/s of rollouts and of the learner, and the split of an
  iteration's time (scripts/bench_train.py);
- ``parse``: the action parser on adversarial replies of 28-400 KB (scripts/bench_parse.py);
- ``learnable``: supervised learning on a game's own labels (optimal moves, equilibrium,
  expert decisions) in a chosen view and prompt: the ceiling self-play is measured
  against (scripts/bench_learnable.py).

Speed claims live here, never in timed tests. Compare figures taken on the same machine.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT, ROOT / "scripts"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

SUBCOMMANDS = {"engine": "bench_engine", "arena": "bench_arena", "llm": "bench_llm",
               "train": "bench_train", "parse": "bench_parse", "learnable": "bench_learnable"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in SUBCOMMANDS:
        print(__doc__.strip(), file=sys.stderr)
        if argv and argv[0] not in ("-h", "--help"):
            print(f"\nerror: unknown subcommand {argv[0]!r} (known: {', '.join(SUBCOMMANDS)})",
                  file=sys.stderr)
            return 2
        return 0 if argv else 2
    module = importlib.import_module(SUBCOMMANDS[argv[0]])
    if argv[0] == "engine":  # its parser keeps the subcommand word
        return module.main(argv)
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
