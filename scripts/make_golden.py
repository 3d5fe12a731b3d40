"""Write golden transcripts: ``python scripts/make_golden.py [--game NAME] [--out DIR]``.

Without ``--game``: every built-in game, into ``tests/golden/<game>/<seed>.txt``. With
``--game NAME`` (repeatable): that game; a plug-in's transcripts go by default into
``golden/<game>/`` next to the module defining its Game class (see
:func:`arena.golden.default_folder`), or into ``--out DIR``.
"""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import games  # noqa: E402
from arena.golden import default_folder, write_goldens  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--game", action="append", help="game name (default: every built-in)")
    parser.add_argument("--out", type=Path, help="folder for the transcripts (one --game only)")
    args = parser.parse_args(argv)
    names = args.game or games.registry.builtin()
    if args.out is not None and len(names) != 1:
        parser.error("--out takes exactly one --game (e.g. --game my_game --out my_pkg/golden)")
    for name in names:
        folder = args.out or default_folder(name)
        written = write_goldens(name, folder)
        print(f"wrote {len(written)} transcripts for {name} into {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
