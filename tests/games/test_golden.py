"""Golden transcripts: seeded random play of every registered game, diffed line by line.

Regenerate with ``python scripts/make_golden.py`` after an intended change of rules or
observation text, and review the diff.
"""

import difflib
from pathlib import Path

import pytest

import games
from agents import make_agent
from arena.runner import play_match

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
SEEDS = (0, 1, 2)


def transcript_for(name: str, seed: int) -> str:
    game = games.make(name)
    agents = [make_agent("random", seed=seed * 10 + p) for p in range(game.num_players)]
    return play_match(game, agents, seed).transcript()


@pytest.mark.parametrize("name", games.available())
def test_every_registered_game_has_golden_transcripts(name):
    files = sorted((GOLDEN / name).glob("*.txt"))
    assert files, f"no golden transcripts for {name!r}: run python scripts/make_golden.py"


@pytest.mark.parametrize("name", games.available())
@pytest.mark.parametrize("seed", SEEDS)
def test_transcript_matches_golden(name, seed):
    path = GOLDEN / name / f"{seed}.txt"
    if not path.exists():
        pytest.fail(f"missing {path}: run python scripts/make_golden.py")
    expected = path.read_text()
    actual = transcript_for(name, seed)
    diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                        "golden", "now"))
    assert actual == expected, diff
