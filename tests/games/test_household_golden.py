"""Golden transcripts of the household expert, one per task type (the random-play
transcripts of every built-in game are in tests/games/test_golden.py).

Regenerate after an intended change of rules or text with
``python -m tests.games.test_household_golden`` and review the diff.
"""

import sys

import pytest

import games
from agents import make_agent
from arena.golden import BUILTIN_FOLDER
from arena.runner import play_match
from games.household import KINDS

FOLDER = BUILTIN_FOLDER / "household"


def expert_transcript(kind: str, seed: int = 7) -> str:
    game = games.make(f"household:task={kind}")
    return play_match(game, [make_agent("household-expert")], seed).transcript()


@pytest.mark.parametrize("kind", KINDS)
def test_expert_transcript_matches_golden(kind):
    path = FOLDER / f"expert-{kind}.txt"
    assert path.exists(), f"missing {path}: run python -m tests.games.test_household_golden"
    assert expert_transcript(kind) == path.read_text()
    assert "Task completed." in path.read_text()


def main() -> int:
    for kind in KINDS:
        path = FOLDER / f"expert-{kind}.txt"
        path.write_text(expert_transcript(kind))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
