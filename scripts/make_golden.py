"""Regenerate tests/golden/<game>/<seed>.txt for every registered game."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import games  # noqa: E402
from tests.games.test_golden import GOLDEN, SEEDS, transcript_for  # noqa: E402


def main() -> int:
    for name in games.available():
        folder = GOLDEN / name
        folder.mkdir(parents=True, exist_ok=True)
        for seed in SEEDS:
            (folder / f"{seed}.txt").write_text(transcript_for(name, seed))
        print(f"wrote {len(SEEDS)} transcripts for {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
