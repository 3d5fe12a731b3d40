"""Golden transcripts: seeded random play of every built-in game, diffed line by line.

Regenerate with ``python scripts/make_golden.py`` after an intended change of rules or
observation text, and review the diff. Plug-ins keep their own (``arena.golden``).
"""

import pytest

import games
from arena.golden import BUILTIN_FOLDER, SEEDS, golden_diffs, transcript_for


@pytest.mark.parametrize("name", games.registry.builtin())
def test_every_builtin_game_has_golden_transcripts(name):
    files = sorted((BUILTIN_FOLDER / name).glob("*.txt"))
    assert files, f"no golden transcripts for {name!r}: run python scripts/make_golden.py"


@pytest.mark.parametrize("name", games.registry.builtin())
@pytest.mark.parametrize("seed", SEEDS)
def test_transcript_matches_golden(name, seed):
    diffs = golden_diffs(name, seeds=(seed,))
    assert not diffs, "\n".join(diffs)


def test_transcripts_are_reproducible():
    assert transcript_for("kuhn_poker", 1) == transcript_for("kuhn_poker", 1)
