"""Golden transcripts: seeded random play of a game, kept as text and diffed line by line.

A built-in game keeps its transcripts in ``tests/golden/<game>/<seed>.txt``; a plug-in
keeps its own, by default in a ``golden/<game>/`` folder next to the module that defines
its ``Game`` class (:func:`default_folder`), so installing a plug-in never adds
expectations to this repository's tests. Write them with
``python scripts/make_golden.py --game NAME [--out DIR]``; a plug-in's test compares with

    from arena.golden import golden_diffs
    assert not golden_diffs("my_game")
"""

from __future__ import annotations

import difflib
import inspect
from pathlib import Path
from typing import Sequence

import games
from agents import make_agent

from arena.runner import play_match

__all__ = ["SEEDS", "BUILTIN_FOLDER", "transcript_for", "default_folder", "write_goldens",
           "golden_diffs"]

SEEDS = (0, 1, 2)
BUILTIN_FOLDER = Path(__file__).resolve().parents[1] / "tests" / "golden"
"""Where the built-in games' transcripts live (in the repository's tests)."""


def transcript_for(name: str, seed: int) -> str:
    """The transcript of game ``name`` played by ``random`` agents (seat p seeded
    ``seed * 10 + p``) with match seed ``seed``."""
    game = games.make(name)
    agents = [make_agent("random", seed=seed * 10 + p) for p in range(game.num_players)]
    return play_match(game, agents, seed).transcript()


def default_folder(name: str) -> Path:
    """``tests/golden/<name>`` for a built-in game; for a plug-in, ``golden/<name>`` next
    to the module that defines its Game class (inside the plug-in's package)."""
    if name in games.registry.builtin():
        return BUILTIN_FOLDER / name
    module_file = inspect.getfile(games.game_class(name))
    return Path(module_file).resolve().parent / "golden" / name


def write_goldens(name: str, folder: Path | None = None,
                  seeds: Sequence[int] = SEEDS) -> list[Path]:
    """Write ``<folder>/<seed>.txt`` for each seed (folder: :func:`default_folder`)."""
    folder = Path(folder) if folder is not None else default_folder(name)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for seed in seeds:
        path = folder / f"{seed}.txt"
        path.write_text(transcript_for(name, seed))
        written.append(path)
    return written


def golden_diffs(name: str, folder: Path | None = None,
                 seeds: Sequence[int] = SEEDS) -> list[str]:
    """One unified diff (or a 'missing' line) per seed whose transcript differs from its
    golden file; an empty list when every transcript matches."""
    folder = Path(folder) if folder is not None else default_folder(name)
    problems = []
    for seed in seeds:
        path = folder / f"{seed}.txt"
        if not path.exists():
            problems.append(f"missing {path}: run python scripts/make_golden.py --game {name}")
            continue
        expected, actual = path.read_text(), transcript_for(name, seed)
        if actual != expected:
            problems.append("".join(difflib.unified_diff(
                expected.splitlines(True), actual.splitlines(True), str(path), "now")))
    return problems
